// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OApp, Origin, MessagingFee} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {OAppOptionsType3} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IClearingHub} from "./interfaces/IClearingHub.sol";
import {OmniCodec} from "./libraries/OmniCodec.sol";

/// @title ClearingHub
/// @notice The hub OApp. Accepts messages only from its configured vault peers and emits one `MessageReceived` per
/// message for the chain gateway; dispatches the operator's orders (liquidations and withdrawal decisions, one at a
/// time or in a batch) to the vaults, each order id once.
/// Every hub-bound payload carries the vault's sequence number (its last word): each one is accepted once per vault;
/// a duplicate is consumed with `DuplicateIgnored` instead of a second `MessageReceived`. Out-of-order delivery is
/// accepted as it comes (no gap blocks a later message); the gateway orders by `seq`.
/// @dev The skeleton trusts one operator; the EIP-712 signer set with a threshold replaces it later. Ownership moves
/// in two steps (`Ownable2Step`).
contract ClearingHub is OApp, OAppOptionsType3, Ownable2Step, IClearingHub {
    using OptionsBuilder for bytes;

    /// @notice Executor gas for a vault's LIQUIDATE `lzReceive` when no enforced option is set for it. It covers the
    /// seizure with its two transfers, the ORDER_ACK send (quote + send through ULN302) and the callbacks of an
    /// account's maximum of integrators (8 × 40k stipend); measured figures in contracts/README.md. Set an enforced
    /// option per vault chain where sends cost more.
    uint128 public constant DEFAULT_LIQUIDATE_GAS = 700_000;

    /// @notice Executor gas for a vault's WITHDRAW_DECISION `lzReceive` when no enforced option is set for it: the
    /// transfer and the WITHDRAW_DONE send; measured figures in contracts/README.md.
    uint128 public constant DEFAULT_WITHDRAW_DECISION_GAS = 300_000;

    /// @inheritdoc IClearingHub
    address public operator;

    /// @inheritdoc IClearingHub
    mapping(bytes32 orderId => bool) public dispatched;

    /// @dev Highest accepted sequence number per (source eid, sender).
    mapping(uint32 srcEid => mapping(bytes32 sender => uint64)) private _lastSeq;

    /// @dev Accepted sequence numbers per (source eid, sender): bit `seq % 256` of word `seq / 256`.
    mapping(uint32 srcEid => mapping(bytes32 sender => mapping(uint256 word => uint256 bits))) private _seenSeq;

    /// @dev Set during `dispatchBatch`: each send pays exactly its fee from the batch's `msg.value`.
    bool private transient _exactFee;

    /// @dev During `dispatchBatch`: the hub's native balance before the batch's `msg.value`, which sends never touch.
    uint256 private transient _balanceFloor;

    /// @param endpoint_ The LayerZero EndpointV2 on this chain.
    /// @param owner_ The owner (also the endpoint delegate): configures peers, options and the operator.
    /// @param operator_ The account allowed to dispatch orders.
    constructor(address endpoint_, address owner_, address operator_) OApp(endpoint_, owner_) Ownable(owner_) {
        _setOperator(operator_);
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

    /// @inheritdoc IClearingHub
    function setOperator(address newOperator) external onlyOwner {
        _setOperator(newOperator);
    }

    /// @inheritdoc IClearingHub
    function lastSeq(uint32 srcEid) external view returns (uint64) {
        return _lastSeq[srcEid][peers[srcEid]];
    }

    /// @inheritdoc IClearingHub
    function seqSeen(uint32 srcEid, uint64 seq) external view returns (bool) {
        return _seenSeq[srcEid][peers[srcEid]][seq >> 8] & (uint256(1) << (seq & 0xff)) != 0;
    }

    /// @inheritdoc IClearingHub
    function quoteLiquidation(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint256 insuranceAmount
    ) external view returns (MessagingFee memory fee) {
        return _quoteOrder(dstEid, _liquidateMessage(orderId, account, token, amount, recipient, insuranceAmount));
    }

    /// @inheritdoc IClearingHub
    function dispatchLiquidation(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint256 insuranceAmount
    ) external payable returns (bytes32 guid) {
        _checkOperator();
        return
            _dispatch(dstEid, orderId, _liquidateMessage(orderId, account, token, amount, recipient, insuranceAmount));
    }

    /// @inheritdoc IClearingHub
    function quoteWithdrawDecision(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        uint64 requestId,
        bool approved
    ) external view returns (MessagingFee memory fee) {
        return _quoteOrder(dstEid, _decisionMessage(orderId, account, token, amount, requestId, approved));
    }

    /// @inheritdoc IClearingHub
    function dispatchWithdrawDecision(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        uint64 requestId,
        bool approved
    ) external payable returns (bytes32 guid) {
        _checkOperator();
        return _dispatch(dstEid, orderId, _decisionMessage(orderId, account, token, amount, requestId, approved));
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

    /// @inheritdoc IClearingHub
    function dispatchBatch(LiquidationOrder[] calldata liquidations, WithdrawDecisionOrder[] calldata decisions)
        external
        payable
        returns (bytes32[] memory guids)
    {
        _checkOperator();
        uint256 balanceBefore = address(this).balance - msg.value;
        _balanceFloor = balanceBefore;
        guids = new bytes32[](liquidations.length + decisions.length);
        _exactFee = true;
        for (uint256 i; i < liquidations.length; ++i) {
            LiquidationOrder calldata o = liquidations[i];
            guids[i] = _dispatch(o.dstEid, o.orderId, _liquidateMessage(o));
        }
        for (uint256 i; i < decisions.length; ++i) {
            WithdrawDecisionOrder calldata o = decisions[i];
            guids[liquidations.length + i] = _dispatch(o.dstEid, o.orderId, _decisionMessage(o));
        }
        _exactFee = false;
        // Whatever of msg.value the sends did not spend goes back to the operator.
        uint256 refund = address(this).balance - balanceBefore;
        if (refund != 0) {
            (bool ok,) = msg.sender.call{value: refund}("");
            if (!ok) revert RefundFailed(msg.sender, refund);
        }
    }

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

    function _checkOperator() internal view {
        if (msg.sender != operator) revert NotOperator(msg.sender);
    }

    /// @dev Marks the order id dispatched (once) and sends the order with the options for its type.
    function _dispatch(uint32 dstEid, bytes32 orderId, bytes memory message) internal returns (bytes32 guid) {
        if (dispatched[orderId]) revert OrderAlreadyDispatched(orderId);
        dispatched[orderId] = true;
        MessagingFee memory fee = _quoteOrder(dstEid, message);
        bytes memory options = _options(dstEid, _typeOf(message));
        guid = _lzSend(dstEid, message, options, fee, msg.sender).guid;
        emit OrderDispatched(orderId, dstEid, guid);
    }

    function _quoteOrder(uint32 dstEid, bytes memory message) internal view returns (MessagingFee memory) {
        return _quote(dstEid, message, _options(dstEid, _typeOf(message)), false);
    }

    /// @dev The type byte of a payload this contract encoded itself.
    function _typeOf(bytes memory message) internal pure returns (uint16 t) {
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

    function _liquidateMessage(
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint256 insuranceAmount
    ) internal pure returns (bytes memory) {
        return OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: orderId,
                account: account,
                token: token,
                amount: amount,
                recipient: recipient,
                insuranceAmount: insuranceAmount
            })
        );
    }

    function _liquidateMessage(LiquidationOrder calldata o) internal pure returns (bytes memory) {
        return _liquidateMessage(o.orderId, o.account, o.token, o.amount, o.recipient, o.insuranceAmount);
    }

    function _decisionMessage(
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        uint64 requestId,
        bool approved
    ) internal pure returns (bytes memory) {
        return OmniCodec.encodeWithdrawDecision(
            OmniCodec.WithdrawDecision({
                orderId: orderId,
                account: account,
                token: token,
                amount: amount,
                requestId: requestId,
                approved: approved
            })
        );
    }

    function _decisionMessage(WithdrawDecisionOrder calldata o) internal pure returns (bytes memory) {
        return _decisionMessage(o.orderId, o.account, o.token, o.amount, o.requestId, o.approved);
    }

    function _setOperator(address newOperator) internal {
        if (newOperator == address(0)) revert ZeroOperator();
        emit OperatorSet(operator, newOperator);
        operator = newOperator;
    }
}
