// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OApp, MessagingFee} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {OAppOptionsType3} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {BoundedPause} from "../libraries/BoundedPause.sol";
import {OmniCodec} from "../libraries/OmniCodec.sol";

// Most state variables are ICollateralVaultActions's public getters; folding them into structs would change the ABI for the
// sake of a count.
// solhint-disable max-states-count

/// @title VaultCore
/// @notice What the CollateralVault and its extension share: the storage (one layout, declared here only), the views
/// and quotes, how a message reaches the hub and who pays for it, and the one way tokens leave the vault on a receive
/// path.
/// @dev The vault is two contracts because one would exceed the EIP-170 code size limit: `CollateralVault` runs the
/// hub's orders and forwards every other entry point of `ICollateralVaultActions` by DELEGATECALL to its `VaultExtension`,
/// which it deploys itself. Neither declares a state variable of its own, so both read and write this layout.
/// @dev Replies sent from `lzReceive` (ORDER_ACK, WITHDRAW_DONE) are paid from the vault's native reserve and never
/// revert for it: a reply the reserve cannot pay is kept as owed, with its sequence number, and anyone may send it
/// later (`sendOwedReply`). Each withdrawal request prepays its WITHDRAW_DONE into that reserve, so nobody can drain it
/// by asking for withdrawals.
abstract contract VaultCore is OApp, OAppOptionsType3, Ownable2Step, ReentrancyGuardTransient, ICollateralVault {
    using BoundedPause for BoundedPause.State;

    /// @notice Executor gas for the hub's `lzReceive` of a vault message when no enforced option is set for it
    /// (the hub validates the payload, records the seq and emits one event; see contracts/README.md for figures).
    uint128 public constant DEFAULT_HUB_GAS = 100_000;

    /// @notice The most integrators one account may approve at a time.
    uint256 public constant MAX_INTEGRATORS = 8;

    /// @notice The gas each integrator's `onLiquidated` callback gets.
    uint256 public constant INTEGRATOR_CALLBACK_GAS = 40_000;

    /// @notice The most withdrawal requests one account may have open (pending or queued) at a time.
    uint256 public constant MAX_OPEN_REQUESTS = 4;

    /// @notice The shortest configurable escape delay.
    uint64 public constant MIN_ESCAPE_DELAY = 1 days;

    /// @notice The longest configurable escape delay.
    uint64 public constant MAX_ESCAPE_DELAY = 30 days;

    /// @notice The escape delay a new vault starts with.
    uint64 public constant DEFAULT_ESCAPE_DELAY = 3 days;

    /// @notice The longest rate-limit window: no setting can hold a payout back for longer than one window at a time.
    uint64 public constant MAX_RATE_WINDOW = 1 days;

    /// @dev Per token: the rate limit configuration and the current window's usage.
    struct RateLimitState {
        uint64 window;
        uint64 windowIndex;
        uint256 maxAmount;
        uint256 used;
    }

    // Not SNAKE_CASE: the name is the `hubEid()` getter of ICollateralVaultActions, part of the ABI.
    /// @inheritdoc ICollateralVault
    uint32 public immutable hubEid; // solhint-disable-line immutable-vars-naming

    /// @inheritdoc ICollateralVault
    uint64 public seq;

    /// @inheritdoc ICollateralVault
    uint64 public lastRequestId;

    /// @inheritdoc ICollateralVault
    uint64 public escapeDelay = DEFAULT_ESCAPE_DELAY;

    /// @inheritdoc ICollateralVault
    address public insuranceFund;

    /// @inheritdoc ICollateralVault
    address public guardian;

    /// @inheritdoc ICollateralVault
    mapping(address token => bool) public isCollateral;

    /// @inheritdoc ICollateralVault
    mapping(address integrator => bool) public isIntegrator;

    /// @inheritdoc ICollateralVault
    mapping(address account => mapping(address token => uint256)) public balanceOf;

    /// @inheritdoc ICollateralVault
    mapping(address account => mapping(address token => uint256)) public frozenOf;

    /// @inheritdoc ICollateralVault
    mapping(address account => mapping(address token => uint256)) public queuedOf;

    /// @inheritdoc ICollateralVault
    mapping(address account => mapping(address token => uint256)) public claimable;

    /// @inheritdoc ICollateralVault
    mapping(address token => uint256) public totalClaimable;

    /// @inheritdoc ICollateralVault
    mapping(bytes32 orderId => bool) public executed;

    /// @inheritdoc ICollateralVault
    mapping(address token => uint256) public totalDeposits;

    /// @inheritdoc ICollateralVault
    mapping(address token => uint256) public depositCap;

    /// @inheritdoc ICollateralVault
    mapping(address token => uint256) public accountCap;

    /// @inheritdoc ICollateralVault
    mapping(address token => uint256) public minWithdrawal;

    mapping(address token => RateLimitState) internal _rateLimits;
    mapping(uint64 requestId => Withdrawal) internal _withdrawals;
    /// @dev Each account's open (pending or queued) request ids, oldest first.
    mapping(address account => uint64[]) internal _openRequests;
    mapping(address account => address[]) internal _integrators;
    /// @dev 1-based position of an integrator in `_integrators[account]`; 0 = not approved.
    mapping(address account => mapping(address integrator => uint256)) internal _integratorIndex;
    BoundedPause.State internal _outboundPause;
    BoundedPause.State internal _inboundPause;
    /// @dev Replies the reserve could not pay, by their sequence number.
    mapping(uint64 seq => bytes message) internal _owedReplies;

    /// @dev Set while a reply to the hub is being sent from the reserve.
    bool private transient _payFromReserve;
    /// @dev Part of `msg.value` a user send keeps in the reserve (a request's prepaid WITHDRAW_DONE).
    uint256 private transient _keepInReserve;

    /// @notice Sets the immutables and the first insurance fund (the vault and its extension pass the same values).
    /// @param endpoint_ The LayerZero EndpointV2 on this chain.
    /// @param owner_ The owner (also the endpoint delegate).
    /// @param hubEid_ The hub's endpoint id.
    /// @param insuranceFund_ Receives the insurance part of every liquidation (not zero).
    constructor(address endpoint_, address owner_, uint32 hubEid_, address insuranceFund_)
        OApp(endpoint_, owner_)
        Ownable(owner_)
    {
        hubEid = hubEid_;
        _setInsuranceFund(insuranceFund_);
    }

    // ------------------------------------------------------------------ ownership (two steps, never renounced)

    /// @notice Starts an ownership transfer; `newOwner` must call `acceptOwnership`. Only the owner.
    /// @param newOwner The proposed owner.
    function transferOwnership(address newOwner) public override(Ownable, Ownable2Step) {
        super.transferOwnership(newOwner);
    }

    /// @notice Always reverts: a vault without an owner could never be reconfigured, unpaused early or rescued.
    function renounceOwnership() public pure override {
        revert RenounceDisabled();
    }

    /// @dev Completes a transfer (and clears the pending owner), per `Ownable2Step`.
    function _transferOwnership(address newOwner) internal override(Ownable, Ownable2Step) {
        super._transferOwnership(newOwner);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ICollateralVault
    function outboundAvailable(address token) public view returns (uint256) {
        RateLimitState storage r = _rateLimits[token];
        if (r.maxAmount == 0) return type(uint256).max;
        // forge-lint: disable-next-line(block-timestamp)
        uint256 used = r.windowIndex == block.timestamp / r.window ? r.used : 0;
        return r.maxAmount - used;
    }

    /// @inheritdoc ICollateralVault
    function outboundPaused() public view returns (bool) {
        return _outboundPause.isPaused();
    }

    /// @inheritdoc ICollateralVault
    function inboundPaused() public view returns (bool) {
        return _inboundPause.isPaused();
    }

    /// @inheritdoc ICollateralVault
    function inboundPausedTime() public view returns (uint64) {
        return _inboundPause.totalPaused();
    }

    function _setInsuranceFund(address fund) internal {
        if (fund == address(0)) revert ZeroInsuranceFund();
        emit InsuranceFundSet(insuranceFund, fund);
        insuranceFund = fund;
    }

    function _whenOutboundOpen() internal view {
        if (outboundPaused()) revert OutboundPaused();
    }

    /// @inheritdoc ICollateralVault
    function escapeAvailableAt(uint64 requestId) public view returns (uint256) {
        Withdrawal storage w = _withdrawals[requestId];
        if (w.status == RequestStatus.PayoutQueued) return uint256(w.queuedAt) + w.escapeDelay;
        if (w.status != RequestStatus.Pending) return 0;
        // The clock stops while inbound is paused: a decision the hub sent can always land before the escape opens.
        return uint256(w.requestedAt) + w.escapeDelay + (inboundPausedTime() - w.pausedAtRequest);
    }

    // ------------------------------------------------------------------ rate limit

    /// @dev Counts `amount` against the token's outbound limit in the current window; false (and nothing counted)
    /// when it does not fit, unless `overdraw`, which counts it whole (capped at the max) and always succeeds.
    function _consumeRateLimit(address token, uint256 amount, bool overdraw) internal returns (bool) {
        RateLimitState storage r = _rateLimits[token];
        uint256 max = r.maxAmount;
        if (max == 0) return true;
        uint64 index = uint64(block.timestamp / r.window);
        uint256 used = r.windowIndex == index ? r.used : 0;
        if (amount > max - used) {
            if (!overdraw) return false;
            amount = max - used;
        }
        r.windowIndex = index;
        r.used = used + amount;
        return true;
    }

    // ------------------------------------------------------------------ sending

    /// @dev Sends a reply from the native reserve; when the reserve is short the reply is kept as owed (its seq is
    /// already taken, so the hub sees a gap until someone sends it) and the caller goes on: a receive path never
    /// reverts for the reserve.
    function _reply(bytes memory message, uint16 msgType, uint64 s) internal {
        bytes memory options = _options(msgType);
        MessagingFee memory fee = _quote(hubEid, message, options, false);
        if (address(this).balance < fee.nativeFee) {
            _owedReplies[s] = message;
            emit ReplyOwed(s, msgType, fee.nativeFee);
            return;
        }
        // Quoted once: a second quote would cost a delivery tens of thousands of gas.
        _payFromReserve = true;
        _lzSend(hubEid, message, options, fee, address(this));
        _payFromReserve = false;
    }

    /// @dev Quotes and sends a user's hub-bound message, paid (and the excess refunded) by the caller.
    function _sendToHub(bytes memory message, uint16 msgType) internal {
        bytes memory options = _options(msgType);
        _lzSend(hubEid, message, options, _quote(hubEid, message, options, false), msg.sender);
    }

    /// @dev Sends a user's message keeping `keep` of `msg.value` in the reserve (the endpoint refunds the rest of what
    /// exceeds the fee to the user).
    function _sendToHubKeeping(bytes memory message, uint16 msgType, uint256 keep) internal {
        _keepInReserve = keep;
        _sendToHub(message, msgType);
        _keepInReserve = 0;
    }

    /// @dev User-initiated sends accept any `msg.value` covering the fee (plus what stays in the reserve) and forward
    /// the rest, which the endpoint refunds beyond the fee; replies pay exactly the fee from the reserve (`_reply`
    /// checked it). OAppSender's default insists on `msg.value == fee`.
    function _payNative(uint256 nativeFee) internal view override returns (uint256) {
        if (_payFromReserve) return nativeFee;
        uint256 keep = _keepInReserve;
        if (msg.value < nativeFee + keep) revert InsufficientFee(nativeFee + keep, msg.value);
        return msg.value - keep;
    }

    /// @dev The enforced options for (hub, type) if the owner set them, else an executor lzReceive gas default.
    function _options(uint16 msgType) internal view returns (bytes memory) {
        bytes memory enforced = enforcedOptions[hubEid][msgType];
        if (enforced.length != 0) return enforced;
        return OptionsBuilder.addExecutorLzReceiveOption(OptionsBuilder.newOptions(), DEFAULT_HUB_GAS, 0);
    }

    // ------------------------------------------------------------------ paying out

    /// @inheritdoc ICollateralVault
    function transferExact(address token, address to, uint256 amount) external returns (uint256 sent) {
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(address(this));
        // A low-level call: the outcome is read from the vault's balance, not from the call's return value.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok,) = token.call(abi.encodeCall(IERC20.transfer, (to, amount)));
        if (!ok) return 0;
        uint256 after_ = erc20.balanceOf(address(this));
        sent = before > after_ ? before - after_ : 0;
        // More out than asked (a fee charged to the sender on top) would be taken from other depositors: undo it.
        if (sent > amount) revert TransferOverdrawn(token, amount, sent);
    }

    /// @dev Transfers `amount` of `token` to `to` without ever reverting on the token's behaviour: whatever did not
    /// leave the vault (the call reverted, returned false, moved less, or would have moved more and was undone) is
    /// credited to `to`'s claimable bucket. Measured at the vault, so the vault's balance stays equal to balances +
    /// claimables. Returns the credited shortfall.
    function _payOrCredit(address token, address to, uint256 amount) internal returns (uint256 shortfall) {
        if (amount == 0) return 0;
        uint256 sent;
        // The self-call is the frame a token that overdraws is reverted in; its failure is a failed transfer.
        try this.transferExact(token, to, amount) returns (uint256 moved) {
            sent = moved;
        } catch {
            sent = 0;
        }
        if (sent >= amount) return 0;
        shortfall = amount - sent;
        // Written after the transfer it measures; every caller holds the reentrancy lock, so a transfer hook cannot
        // re-enter a token-moving entry point in between.
        // solhint-disable-next-line reentrancy
        claimable[to][token] += shortfall;
        // solhint-disable-next-line reentrancy
        totalClaimable[token] += shortfall;
    }

    // ------------------------------------------------------------------ payloads

    function _ackMessage(
        bytes32 orderId,
        address account,
        address token,
        uint256 seized,
        uint256 balance,
        uint8 status,
        uint64 s
    ) internal pure returns (bytes memory) {
        return OmniCodec.encodeOrderAck(
            OmniCodec.OrderAck({
                orderId: orderId,
                account: account,
                token: token,
                seized: seized,
                balance: balance,
                status: status,
                seq: s
            })
        );
    }

    function _doneMessage(
        address account,
        address token,
        uint64 requestId,
        uint256 paid,
        uint256 balance,
        uint8 outcome,
        uint64 s
    ) internal pure returns (bytes memory) {
        return OmniCodec.encodeWithdrawDone(
            OmniCodec.WithdrawDone({
                account: account,
                token: token,
                requestId: requestId,
                paid: paid,
                balance: balance,
                outcome: outcome,
                seq: s
            })
        );
    }

    /// @dev Acknowledges an order that arrived after its expiry: nothing changed but its id being used.
    function _ackExpired(bytes32 orderId, address account, address token, uint64 expiry) internal {
        emit OrderArrivedExpired(orderId, expiry);
        uint64 s = ++seq;
        _reply(
            _ackMessage(orderId, account, token, 0, balanceOf[account][token], OmniCodec.ACK_EXPIRED, s),
            OmniCodec.ORDER_ACK,
            s
        );
    }

    /// @dev Unfreezes `need` from `account`'s pending requests of `token`, newest first, for a liquidation that the
    /// unfrozen balance does not cover. The caller checked `need ≤ frozen − queued`, the sum of what they hold.
    function _takeFromPendingRequests(address account, address token, uint256 need) internal {
        uint64[] storage open = _openRequests[account];
        frozenOf[account][token] -= need;
        for (uint256 i = open.length; i > 0 && need != 0; --i) {
            uint64 id = open[i - 1];
            Withdrawal storage w = _withdrawals[id];
            if (w.status != RequestStatus.Pending || w.token != token) continue;
            uint256 take = Math.min(w.amount, need);
            w.amount -= take;
            need -= take;
            emit WithdrawalReduced(id, take, w.amount);
        }
    }

    /// @dev The fee of the WITHDRAW_DONE that will close a request (quoted as a PAID one, the costliest shape; every
    /// WITHDRAW_DONE has the same length).
    function _doneFee(address account, address token, uint64 requestId, uint256 amount)
        internal
        view
        returns (uint256)
    {
        bytes memory message = _doneMessage(account, token, requestId, amount, 0, OmniCodec.OUTCOME_PAID, seq + 2);
        return _quote(hubEid, message, _options(OmniCodec.WITHDRAW_DONE), false).nativeFee;
    }

    function _requestMessage(address account, address token, uint256 amount, uint64 requestId, uint64 s)
        internal
        pure
        returns (bytes memory)
    {
        return OmniCodec.encodeWithdrawRequest(
            OmniCodec.WithdrawRequest({account: account, token: token, amount: amount, requestId: requestId, seq: s})
        );
    }

    function _balanceMessage(address account, address token, uint256 balance, int256 delta, uint64 s)
        internal
        pure
        returns (bytes memory)
    {
        return OmniCodec.encodeBalance(
            OmniCodec.Balance({account: account, token: token, balance: balance, delta: delta, seq: s})
        );
    }
}
