// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OApp, Origin, MessagingFee} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {OAppOptionsType3} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {IClearingHub} from "./interfaces/IClearingHub.sol";
import {BoundedPause} from "./libraries/BoundedPause.sol";
import {OmniCodec} from "./libraries/OmniCodec.sol";

/// @title ClearingHub
/// @notice The hub OApp. Accepts messages only from its configured vault peers and emits one `MessageReceived` per
/// message for the chain gateway; dispatches orders (liquidations and withdrawal decisions, one at a time or in a
/// batch) to the vaults, each order id once, when the registered clearing signer set has signed them.
/// Every hub-bound payload carries the vault's sequence number (its last word): each one is accepted once per vault;
/// a duplicate is consumed with `DuplicateIgnored` instead of a second `MessageReceived`. Out-of-order delivery is
/// accepted as it comes (no gap blocks a later message); the gateway orders by `seq`.
/// @dev Orders are EIP-712 typed data (domain "Omniclear ClearingHub", version "1"), so several independent clearing
/// nodes can co-sign one; dispatch itself is permissionless: whoever submits a signed order pays its fee. Ownership
/// (peers, options, the signer set) moves in two steps (`Ownable2Step`) and cannot be renounced; in production the
/// owner and endpoint delegate is a TimelockController (`OmniTimelock`). A guardian (or the owner) may pause dispatch
/// for at most `MAX_PAUSE_DURATION`, with `PAUSE_COOLDOWN` between pauses (`BoundedPause`); receiving is never
/// paused, so vault messages (acks, withdrawal requests) keep flowing to the gateway during a pause.
contract ClearingHub is OApp, OAppOptionsType3, Ownable2Step, EIP712, IClearingHub {
    using OptionsBuilder for bytes;
    using BoundedPause for BoundedPause.State;

    /// @notice Executor gas for a vault's LIQUIDATE `lzReceive` when no enforced option is set for it. It covers the
    /// seizure with its two transfers, the ORDER_ACK send (quote + send through ULN302) and the callbacks of an
    /// account's maximum of integrators (8 × 40k stipend); measured figures in contracts/README.md. Set an enforced
    /// option per vault chain where sends cost more.
    uint128 public constant DEFAULT_LIQUIDATE_GAS = 700_000;

    /// @notice Executor gas for a vault's WITHDRAW_DECISION `lzReceive` when no enforced option is set for it: the
    /// transfer and the WITHDRAW_DONE send; measured figures in contracts/README.md.
    uint128 public constant DEFAULT_WITHDRAW_DECISION_GAS = 300_000;

    /// @notice The largest signer set `setSigners` accepts (replacing a set walks the old one).
    uint256 public constant MAX_SIGNERS = 32;

    /// @notice The longest a dispatch pause lasts: it ends by itself this long after it started.
    uint64 public constant MAX_PAUSE_DURATION = BoundedPause.MAX_PAUSE_DURATION;

    /// @notice How long after a dispatch pause ended (expired or lifted) the next one may start.
    uint64 public constant PAUSE_COOLDOWN = BoundedPause.PAUSE_COOLDOWN;

    // The type strings are hashed at compile time: no string is stored, whatever its length.
    // solhint-disable gas-small-strings

    /// @notice The EIP-712 type hash of `LiquidationOrder`.
    bytes32 public constant LIQUIDATION_ORDER_TYPEHASH = keccak256(
        "LiquidationOrder(uint32 dstEid,bytes32 orderId,address account,address token,uint256 amount,address recipient,uint256 insuranceAmount,uint64 expiry)"
    );

    /// @notice The EIP-712 type hash of `WithdrawDecisionOrder`.
    bytes32 public constant WITHDRAW_DECISION_ORDER_TYPEHASH = keccak256(
        "WithdrawDecisionOrder(uint32 dstEid,bytes32 orderId,address account,address token,uint256 amount,uint64 requestId,bool approved,uint64 expiry)"
    );

    // solhint-enable gas-small-strings

    /// @inheritdoc IClearingHub
    mapping(bytes32 orderId => bool) public dispatched;

    /// @inheritdoc IClearingHub
    mapping(address account => bool) public isSigner;

    /// @inheritdoc IClearingHub
    uint8 public threshold;

    /// @inheritdoc IClearingHub
    address public guardian;

    /// @dev The dispatch pause (bounded in length, with a cooldown between pauses).
    BoundedPause.State private _dispatchPause;

    /// @dev The registered signers, in the order set.
    address[] private _signers;

    /// @dev Highest accepted sequence number per (source eid, sender).
    mapping(uint32 srcEid => mapping(bytes32 sender => uint64)) private _lastSeq;

    /// @dev Accepted sequence numbers per (source eid, sender): bit `seq % 256` of word `seq / 256`.
    mapping(uint32 srcEid => mapping(bytes32 sender => mapping(uint256 word => uint256 bits))) private _seenSeq;

    /// @dev Set during `dispatchBatch`: each send pays exactly its fee from the batch's `msg.value`.
    bool private transient _exactFee;

    /// @dev During `dispatchBatch`: the hub's native balance before the batch's `msg.value`, which sends never touch.
    uint256 private transient _balanceFloor;

    /// @notice Deploys the hub with its endpoint, owner and first clearing signer set.
    /// @param endpoint_ The LayerZero EndpointV2 on this chain.
    /// @param owner_ The owner (also the endpoint delegate): configures peers, options and the signer set.
    /// @param signers_ The clearing signers (see `setSigners`).
    /// @param threshold_ How many of them must sign an order.
    constructor(address endpoint_, address owner_, address[] memory signers_, uint8 threshold_)
        OApp(endpoint_, owner_)
        Ownable(owner_)
        EIP712("Omniclear ClearingHub", "1")
    {
        _setSigners(signers_, threshold_);
    }

    // ------------------------------------------------------------------ ownership (two steps)

    /// @notice Starts an ownership transfer; `newOwner` must call `acceptOwnership`. Only the owner.
    /// @param newOwner The proposed owner.
    function transferOwnership(address newOwner) public override(Ownable, Ownable2Step) {
        super.transferOwnership(newOwner);
    }

    /// @dev Completes a transfer (and clears the pending owner), per `Ownable2Step`.
    function _transferOwnership(address newOwner) internal override(Ownable, Ownable2Step) {
        super._transferOwnership(newOwner);
    }

    /// @notice Always reverts `RenounceDisabled`: without an owner the signer set, the peers and the options could
    /// never change again (a compromised signer could not be removed).
    function renounceOwnership() public pure override {
        revert RenounceDisabled();
    }

    // ------------------------------------------------------------------ guardian and dispatch pause

    /// @inheritdoc IClearingHub
    function setGuardian(address newGuardian) external onlyOwner {
        emit GuardianSet(guardian, newGuardian);
        guardian = newGuardian;
    }

    /// @inheritdoc IClearingHub
    function setDispatchPaused(bool paused) external {
        if (msg.sender != owner() && (!paused || msg.sender != guardian)) revert NotGuardian(msg.sender);
        uint64 until;
        if (paused) {
            until = _dispatchPause.pause();
        } else {
            _dispatchPause.unpause();
            until = uint64(block.timestamp);
        }
        emit DispatchPausedSet(msg.sender, paused, until);
    }

    /// @inheritdoc IClearingHub
    function dispatchPaused() external view returns (bool) {
        return _dispatchPause.isPaused();
    }

    /// @inheritdoc IClearingHub
    function dispatchPausedUntil() external view returns (uint64) {
        return _dispatchPause.until;
    }

    /// @inheritdoc IClearingHub
    function nextDispatchPauseAt() external view returns (uint64) {
        return _dispatchPause.nextPauseAt();
    }

    // ------------------------------------------------------------------ signer set

    /// @inheritdoc IClearingHub
    function setSigners(address[] calldata signers_, uint8 threshold_) external onlyOwner {
        _setSigners(signers_, threshold_);
    }

    /// @inheritdoc IClearingHub
    function signers() external view returns (address[] memory) {
        return _signers;
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IClearingHub
    function lastSeq(uint32 srcEid) external view returns (uint64) {
        return _lastSeq[srcEid][peers[srcEid]];
    }

    /// @inheritdoc IClearingHub
    function seqSeen(uint32 srcEid, uint64 seq) external view returns (bool) {
        return _seenSeq[srcEid][peers[srcEid]][seq >> 8] & (uint256(1) << (seq & 0xff)) != 0;
    }

    /// @inheritdoc IClearingHub
    function hashLiquidation(LiquidationOrder calldata o) external view returns (bytes32 digest) {
        return _hashLiquidation(o);
    }

    /// @inheritdoc IClearingHub
    function hashWithdrawDecision(WithdrawDecisionOrder calldata o) external view returns (bytes32 digest) {
        return _hashWithdrawDecision(o);
    }

    /// @inheritdoc IClearingHub
    function quoteLiquidation(LiquidationOrder calldata o) external view returns (MessagingFee memory fee) {
        return _quoteOrder(o.dstEid, _liquidateMessage(o));
    }

    /// @inheritdoc IClearingHub
    function quoteWithdrawDecision(WithdrawDecisionOrder calldata o) external view returns (MessagingFee memory fee) {
        return _quoteOrder(o.dstEid, _decisionMessage(o));
    }

    /// @inheritdoc IClearingHub
    function quoteBatch(LiquidationOrder[] calldata liquidations, WithdrawDecisionOrder[] calldata decisions)
        external
        view
        returns (uint256 nativeFee)
    {
        for (uint256 i; i < liquidations.length; ++i) {
            nativeFee += _quoteOrder(liquidations[i].dstEid, _liquidateMessage(liquidations[i])).nativeFee;
        }
        for (uint256 i; i < decisions.length; ++i) {
            nativeFee += _quoteOrder(decisions[i].dstEid, _decisionMessage(decisions[i])).nativeFee;
        }
    }

    // ------------------------------------------------------------------ dispatch

    /// @inheritdoc IClearingHub
    function dispatchLiquidation(LiquidationOrder calldata o, bytes[] calldata signatures)
        external
        payable
        returns (bytes32 guid)
    {
        return _dispatchLiquidation(o, signatures);
    }

    /// @inheritdoc IClearingHub
    function dispatchWithdrawDecision(WithdrawDecisionOrder calldata o, bytes[] calldata signatures)
        external
        payable
        returns (bytes32 guid)
    {
        return _dispatchWithdrawDecision(o, signatures);
    }

    /// @inheritdoc IClearingHub
    function dispatchBatch(SignedLiquidation[] calldata liquidations, SignedWithdrawDecision[] calldata decisions)
        external
        payable
        returns (bytes32[] memory guids)
    {
        _checkNotPaused();
        uint256 balanceBefore = address(this).balance - msg.value;
        _balanceFloor = balanceBefore;
        _exactFee = true;
        guids = new bytes32[](liquidations.length + decisions.length);
        // An order already dispatched when its turn comes is skipped, not reverted: a relayer's batch must not fail
        // because another relayer (or a single dispatch) sent one of its orders first. Its guid stays zero.
        for (uint256 i; i < liquidations.length; ++i) {
            bytes32 id = liquidations[i].order.orderId;
            if (dispatched[id]) _skip(id, liquidations, decisions, i);
            else guids[i] = _dispatchLiquidation(liquidations[i].order, liquidations[i].signatures);
        }
        for (uint256 i; i < decisions.length; ++i) {
            bytes32 id = decisions[i].order.orderId;
            if (dispatched[id]) {
                _skip(id, liquidations, decisions, liquidations.length + i);
            } else {
                guids[liquidations.length + i] = _dispatchWithdrawDecision(decisions[i].order, decisions[i].signatures);
            }
        }
        _exactFee = false;
        // Whatever of msg.value the sends did not spend goes back to the sender.
        uint256 refund = address(this).balance - balanceBefore;
        if (refund != 0) {
            (bool ok,) = msg.sender.call{value: refund}("");
            if (!ok) revert RefundFailed(msg.sender, refund);
        }
    }

    // ------------------------------------------------------------------ receive

    /// @dev Validates a hub-bound payload (a codec error reverts, which leaves the message retryable in the
    /// endpoint) and publishes it once per vault sequence number. Only configured peers reach here:
    /// `OAppReceiver.lzReceive` checks the sender. A duplicate sequence number is consumed without effect rather than
    /// reverted: a revert would leave it retryable forever, and it carries nothing the hub has not published.
    function _lzReceive(
        Origin calldata origin,
        bytes32 guid,
        bytes calldata message,
        address, /* executor */
        bytes calldata /* extraData */
    )
        internal
        override
    {
        // Nothing on this path spends native value; whatever came with the delivery would stay in the hub. A revert
        // keeps the message retryable in the endpoint (`lzReceive` again without value).
        if (msg.value != 0) revert UnexpectedValue(msg.value);
        uint8 t = OmniCodec.hubBoundType(message);
        // Every hub-bound type ends with its `uint64 seq`; `hubBoundType` checked the length and the range.
        uint64 seq = uint64(uint256(bytes32(message[message.length - 32:])));
        mapping(uint256 => uint256) storage seen = _seenSeq[origin.srcEid][origin.sender];
        uint256 bit = uint256(1) << (seq & 0xff);
        uint256 bits = seen[seq >> 8];
        if (bits & bit != 0) {
            emit DuplicateIgnored(origin.srcEid, guid, origin.nonce, seq);
            return;
        }
        seen[seq >> 8] = bits | bit;
        if (seq > _lastSeq[origin.srcEid][origin.sender]) _lastSeq[origin.srcEid][origin.sender] = seq;
        emit MessageReceived(origin.srcEid, guid, origin.nonce, t, message);
    }

    /// @dev Single dispatches accept any `msg.value` that covers the fee and forward all of it: the endpoint refunds
    /// the excess to the refund address (`msg.sender`). In a batch each send pays exactly its fee out of what is left
    /// of `msg.value`, and `dispatchBatch` refunds the rest. OAppSender's default insists on an exact match.
    function _payNative(uint256 nativeFee) internal view override returns (uint256) {
        if (_exactFee) {
            uint256 left = address(this).balance - _balanceFloor;
            if (left < nativeFee) revert InsufficientFee(nativeFee, left);
            return nativeFee;
        }
        if (msg.value < nativeFee) revert InsufficientFee(nativeFee, msg.value);
        return msg.value;
    }

    // ------------------------------------------------------------------ internals

    /// @dev The one path of a liquidation order, single or batched: verify, then send. A zero recipient would be
    /// refused by the vault's codec, and the vault itself as recipient would credit the seizure to the vault's own
    /// claimable bucket, which no one can spend: both are refused here, before any fee is paid.
    function _dispatchLiquidation(LiquidationOrder calldata o, bytes[] calldata signatures) internal returns (bytes32) {
        if (o.recipient == address(0) || bytes32(uint256(uint160(o.recipient))) == peers[o.dstEid]) {
            revert InvalidRecipient(o.recipient);
        }
        return _dispatch(o.dstEid, o.orderId, o.expiry, _hashLiquidation(o), signatures, _liquidateMessage(o));
    }

    /// @dev The one path of a withdrawal decision, single or batched: verify, then send.
    function _dispatchWithdrawDecision(WithdrawDecisionOrder calldata o, bytes[] calldata signatures)
        internal
        returns (bytes32)
    {
        return _dispatch(o.dstEid, o.orderId, o.expiry, _hashWithdrawDecision(o), signatures, _decisionMessage(o));
    }

    /// @dev Refuses any order while dispatch is paused, and an expired, already dispatched or under-signed order;
    /// otherwise marks the order id dispatched and sends the order with the options for its type.
    function _dispatch(
        uint32 dstEid,
        bytes32 orderId,
        uint64 expiry,
        bytes32 digest,
        bytes[] calldata signatures,
        bytes memory message
    ) internal returns (bytes32 guid) {
        _checkNotPaused();
        // An expiry is a deadline of minutes to hours; a validator's few seconds of leeway do not matter.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > expiry) revert OrderExpired(orderId, expiry);
        if (dispatched[orderId]) revert OrderAlreadyDispatched(orderId);
        _checkSignatures(digest, signatures);
        dispatched[orderId] = true;
        MessagingFee memory fee = _quoteOrder(dstEid, message);
        guid = _lzSend(dstEid, message, _options(dstEid, _typeOf(message)), fee, msg.sender).guid;
        emit OrderDispatched(orderId, dstEid, guid);
    }

    function _checkNotPaused() internal view {
        if (_dispatchPause.isPaused()) revert DispatchIsPaused(_dispatchPause.until);
    }

    /// @dev Skips the batch's order at `position` (liquidations first, then decisions), whose id `orderId` is already
    /// dispatched, unless an earlier order of the same batch carries that id: a batch that names an id twice is
    /// malformed and reverts whole, as before. Only reached for ids already dispatched, so the scan costs nothing on
    /// the common path.
    function _skip(
        bytes32 orderId,
        SignedLiquidation[] calldata liquidations,
        SignedWithdrawDecision[] calldata decisions,
        uint256 position
    ) internal {
        for (uint256 i; i < position; ++i) {
            bytes32 earlier = i < liquidations.length
                ? liquidations[i].order.orderId
                : decisions[i - liquidations.length].order.orderId;
            if (earlier == orderId) revert OrderAlreadyDispatched(orderId);
        }
        emit OrderSkipped(orderId);
    }

    /// @dev At least `threshold` signatures, each recovering (ECDSA.recover: 65 bytes, low s) to a registered signer,
    /// in strictly ascending order of signer address, which proves them distinct without a set in memory.
    function _checkSignatures(bytes32 digest, bytes[] calldata signatures) internal view {
        uint8 t = threshold;
        if (signatures.length < t) revert InsufficientSignatures(signatures.length, t);
        address last;
        for (uint256 i; i < signatures.length; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= last) revert SignaturesNotAscending();
            if (!isSigner[signer]) revert SignerNotRegistered(signer);
            last = signer;
        }
    }

    /// @dev Every field is a static type, so `abi.encode(typeHash, o)` is exactly EIP-712 `encodeData`.
    function _hashLiquidation(LiquidationOrder calldata o) internal view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(LIQUIDATION_ORDER_TYPEHASH, o)));
    }

    /// @dev As `_hashLiquidation`.
    function _hashWithdrawDecision(WithdrawDecisionOrder calldata o) internal view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(WITHDRAW_DECISION_ORDER_TYPEHASH, o)));
    }

    function _setSigners(address[] memory signers_, uint8 threshold_) internal {
        if (signers_.length > MAX_SIGNERS) revert TooManySigners(signers_.length, MAX_SIGNERS);
        if (threshold_ == 0 || threshold_ > signers_.length) revert InvalidThreshold(threshold_, signers_.length);
        address[] storage old = _signers;
        for (uint256 i; i < old.length; ++i) {
            isSigner[old[i]] = false;
        }
        for (uint256 i; i < signers_.length; ++i) {
            address s = signers_[i];
            if (s == address(0)) revert ZeroSigner();
            if (isSigner[s]) revert DuplicateSigner(s);
            isSigner[s] = true;
        }
        _signers = signers_;
        threshold = threshold_;
        emit SignersSet(signers_, threshold_);
    }

    function _quoteOrder(uint32 dstEid, bytes memory message) internal view returns (MessagingFee memory) {
        return _quote(dstEid, message, _options(dstEid, _typeOf(message)), false);
    }

    /// @dev The type byte of a payload this contract encoded itself.
    function _typeOf(bytes memory message) internal pure returns (uint16 t) {
        // one MLOAD of the type word instead of decoding the payload
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            t := mload(add(message, 64))
        }
    }

    /// @dev The enforced options for (eid, type) if the owner set them, else an executor lzReceive gas default.
    function _options(uint32 eid, uint16 msgType) internal view returns (bytes memory) {
        bytes memory enforced = enforcedOptions[eid][msgType];
        if (enforced.length != 0) return enforced;
        uint128 gas = msgType == OmniCodec.LIQUIDATE ? DEFAULT_LIQUIDATE_GAS : DEFAULT_WITHDRAW_DECISION_GAS;
        return OptionsBuilder.newOptions().addExecutorLzReceiveOption(gas, 0);
    }

    function _liquidateMessage(LiquidationOrder calldata o) internal pure returns (bytes memory) {
        return OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: o.orderId,
                account: o.account,
                token: o.token,
                amount: o.amount,
                recipient: o.recipient,
                insuranceAmount: o.insuranceAmount,
                expiry: o.expiry
            })
        );
    }

    function _decisionMessage(WithdrawDecisionOrder calldata o) internal pure returns (bytes memory) {
        return OmniCodec.encodeWithdrawDecision(
            OmniCodec.WithdrawDecision({
                orderId: o.orderId,
                account: o.account,
                token: o.token,
                amount: o.amount,
                requestId: o.requestId,
                approved: o.approved,
                expiry: o.expiry
            })
        );
    }
}
