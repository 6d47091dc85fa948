// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin, MessagingFee} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ICollateralVaultActions} from "./interfaces/ICollateralVaultActions.sol";
import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {IOmniIntegrator} from "./interfaces/IOmniIntegrator.sol";
import {OmniCodec} from "./libraries/OmniCodec.sol";
import {VaultCore} from "./vault/VaultCore.sol";
import {VaultExtension} from "./vault/VaultExtension.sol";

/// @title CollateralVault
/// @notice The spoke OApp. Holds allow-listed ERC-20 collateral; sends every balance change, withdrawal request and
/// exposure reported by an integrated protocol to the hub with a per-vault sequence number; executes the hub's
/// liquidation orders and withdrawal decisions once each, before their expiry, and tells the hub what really happened.
/// @dev Accounting: `balanceOf` is an account's total (frozen included), `totalDeposits` their sum per token, and
/// `claimable` what the vault owes outside balances (transfers that failed on a receive path). The vault's token
/// balance always equals `totalDeposits + totalClaimable`.
/// Receive paths (`lzReceive`) never revert on a token's behaviour (a transfer that fails is credited to the receiver's
/// `claimable` bucket) nor for the native reserve (a reply it cannot pay is kept as owed, see `VaultCore`). They may
/// still revert, retryably, while inbound is paused (at most `BoundedPause.MAX_PAUSE_DURATION` at a time) or with too little
/// gas. Settings, pauses and messaging live in `VaultCore`, withdrawals in `VaultWithdrawals`.
/// Reentrancy: every entry point that moves tokens or measures the vault's balance around a transfer (`deposit`,
/// `depositFor`, `escapeWithdrawal`, `executePayout`, `claim` and `lzReceive`) holds one transient lock
/// (`ReentrancyGuardTransient`), so a token that calls back during a transfer (ERC-777 hooks) cannot re-enter any of
/// them and be counted twice. On a receive path the refused re-entry reverts inside the token call, which
/// `_payOrCredit` treats as a failed transfer.
contract CollateralVault is VaultCore, ICollateralVaultActions {
    using SafeERC20 for IERC20;

    /// @dev Gas kept back per callback beyond the stipend: the 1/64 the CALL withholds, plus the call and the loop.
    uint256 private constant _CALLBACK_OVERHEAD = 10_000;

    // Not SNAKE_CASE: the name is the `extension()` getter, part of the ABI.
    /// @notice The extension this vault forwards its other entry points to (deployed by the constructor).
    address public immutable extension; // solhint-disable-line immutable-vars-naming

    /// @notice Deploys a vault with no collateral allow-listed, no peer, no guardian and the default escape delay.
    /// @param endpoint_ The LayerZero EndpointV2 on this chain.
    /// @param owner_ The owner (also the endpoint delegate): configures peers, options and allow-lists.
    /// @param hubEid_ The hub's endpoint id.
    /// @param insuranceFund_ Receives the insurance part of every liquidation (not zero).
    constructor(address endpoint_, address owner_, uint32 hubEid_, address insuranceFund_)
        VaultCore(endpoint_, owner_, hubEid_, insuranceFund_)
    {
        extension = address(new VaultExtension(endpoint_, owner_, hubEid_, insuranceFund_));
    }

    /// @notice Funds the native reserve that pays for replies to the hub.
    receive() external payable {
        emit AckReserveFunded(msg.sender, msg.value);
    }

    // ------------------------------------------------------------------ views and quotes

    /// @inheritdoc ICollateralVault
    function rateLimit(address token) external view returns (uint64 window, uint256 maxAmount) {
        RateLimitState storage r = _rateLimits[token];
        return (r.window, r.maxAmount);
    }

    /// @inheritdoc ICollateralVault
    function pauseEnds() external view returns (uint64 outbound, uint64 inbound) {
        return (_outboundPause.until, _inboundPause.until);
    }

    /// @inheritdoc ICollateralVault
    function owedReply(uint64 s) external view returns (bytes memory) {
        return _owedReplies[s];
    }

    /// @inheritdoc ICollateralVault
    function withdrawal(uint64 requestId) external view returns (Withdrawal memory) {
        return _withdrawals[requestId];
    }

    /// @inheritdoc ICollateralVault
    function openRequests(address account) external view returns (uint64[] memory) {
        return _openRequests[account];
    }

    /// @inheritdoc ICollateralVault
    function quoteWithdrawalRequest(address account, address token, uint256 amount)
        external
        view
        returns (MessagingFee memory fee)
    {
        bytes memory message = _requestMessage(account, token, amount, lastRequestId + 1, seq + 1);
        fee = _quote(hubEid, message, _options(OmniCodec.WITHDRAW_REQUEST), false);
        fee.nativeFee += _doneFee(account, token, lastRequestId + 1, amount);
    }

    /// @inheritdoc ICollateralVault
    function quoteWithdrawalDone(uint64 requestId) external view returns (MessagingFee memory fee) {
        Withdrawal storage w = _withdrawals[requestId];
        return MessagingFee({nativeFee: _doneFee(w.account, w.token, requestId, w.amount), lzTokenFee: 0});
    }

    /// @inheritdoc ICollateralVault
    function integratorApproved(address account, address integrator) external view returns (bool) {
        return _integratorIndex[account][integrator] != 0;
    }

    /// @inheritdoc ICollateralVault
    function approvedIntegrators(address account) external view returns (address[] memory) {
        return _integrators[account];
    }

    /// @inheritdoc ICollateralVault
    function quoteDeposit(address account, address token, uint256 amount)
        external
        view
        returns (MessagingFee memory fee)
    {
        uint256 balance = balanceOf[account][token] + amount;
        // forge-lint: disable-next-line(unsafe-typecast)
        bytes memory message = _balanceMessage(account, token, balance, int256(amount), seq + 1);
        return _quote(hubEid, message, _options(OmniCodec.BALANCE), false);
    }

    /// @inheritdoc ICollateralVault
    function quoteExposure(address account, bytes32 market, int256 size, uint256 entryPrice)
        external
        view
        returns (MessagingFee memory fee)
    {
        bytes memory message = OmniCodec.encodeExposure(
            OmniCodec.Exposure({
                account: account, protocol: msg.sender, market: market, size: size, entryPrice: entryPrice, seq: seq + 1
            })
        );
        return _quote(hubEid, message, _options(OmniCodec.EXPOSURE), false);
    }

    /// @inheritdoc ICollateralVault
    function quoteOrderAck() external view returns (MessagingFee memory fee) {
        bytes memory message = _ackMessage(bytes32(0), address(0), address(0), 0, 0, OmniCodec.ACK_EXECUTED, seq + 1);
        return _quote(hubEid, message, _options(OmniCodec.ORDER_ACK), false);
    }

    // ------------------------------------------------------------------ forwarded to the extension

    /// @inheritdoc ICollateralVaultActions
    function setCollateral(address, bool) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function setIntegrator(address, bool) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function setCaps(address, uint256, uint256) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function setMinWithdrawal(address, uint256) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function setRateLimit(address, uint64, uint256) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function setEscapeDelay(uint64) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function setInsuranceFund(address) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function setGuardian(address) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function setOutboundPaused(bool) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function setInboundPaused(bool) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function withdrawAckReserve(address payable, uint256) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function approveIntegrator(address, bool) external {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function deposit(address, uint256) external payable {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function depositFor(address, address, uint256) external payable {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function reportExposure(address, bytes32, int256, uint256) external payable {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function requestWithdrawal(address, uint256) external payable returns (uint64) {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function escapeWithdrawal(uint64) external payable {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function executePayout(uint64) external payable {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function sendOwedReply(uint64) external payable {
        _forward();
    }

    /// @inheritdoc ICollateralVaultActions
    function claim(address, address) external {
        _forward();
    }

    /// @dev Runs this call's calldata on the extension, in this vault's storage, and returns or reverts with what it
    /// returned: the extension's function is this vault's function.
    function _forward() private {
        address ext = extension;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), ext, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) { revert(ptr, returndatasize()) }
            return(ptr, returndatasize())
        }
    }

    /// @dev Runs `data` on the extension in this vault's storage; bubbles up a revert.
    function _delegate(bytes memory data) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = extension.delegatecall(data);
        if (!ok) {
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    // ------------------------------------------------------------------ orders

    /// @dev Executes the hub's orders. The peer check (OApp) and the hub eid check make the hub the only source;
    /// a revert (`InboundPaused`, too little gas) leaves the message retryable in the endpoint; the reserve never
    /// makes it revert.
    /// Holds the reentrancy lock: a token hook that calls back into a locked entry point during a payout reverts
    /// inside the transfer, which `_payOrCredit` credits as claimable (the delivery itself goes on).
    function _lzReceive(
        Origin calldata origin,
        bytes32, /* guid */
        bytes calldata message,
        address, /* executor */
        bytes calldata /* extraData */
    )
        internal
        override
        nonReentrant
    {
        if (origin.srcEid != hubEid) revert NotHub(origin.srcEid);
        if (inboundPaused()) revert InboundPaused();
        if (OmniCodec.spokeBoundType(message) == OmniCodec.LIQUIDATE) {
            _liquidate(OmniCodec.decodeLiquidate(message));
        } else {
            _delegate(abi.encodeCall(VaultExtension.decide, (message)));
        }
    }

    /// @dev Seizes `min(amount, balance − queued payouts)`: the unfrozen balance first, then what pending withdrawal
    /// requests froze (newest first). Splits it between the insurance fund (pro rata, rounded up) and the recipient,
    /// acknowledges the hub, then tells the account's integrators. After its expiry the order only acknowledges.
    function _liquidate(OmniCodec.Liquidate memory order) internal {
        if (executed[order.orderId]) revert OrderAlreadyExecuted(order.orderId);
        executed[order.orderId] = true;
        address account = order.account;
        address token = order.token;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > order.expiry) return _ackExpired(order.orderId, account, token, order.expiry);

        uint256 balance = balanceOf[account][token];
        uint256 seized = Math.min(order.amount, balance - queuedOf[account][token]);
        uint256 unfrozen = balance - frozenOf[account][token];
        if (seized > unfrozen) _takeFromPendingRequests(account, token, seized - unfrozen);
        uint256 insurancePaid =
            seized == 0 ? 0 : Math.mulDiv(order.insuranceAmount, seized, order.amount, Math.Rounding.Ceil);
        balance -= seized;
        balanceOf[account][token] = balance;
        totalDeposits[token] -= seized;

        // The hub refuses the vault itself as a recipient; were one to arrive, the seizure goes to the insurance fund
        // rather than into a claimable bucket nobody can empty.
        address recipient = order.recipient == address(this) ? insuranceFund : order.recipient;
        _payLiquidation(order.orderId, token, insuranceFund, insurancePaid);
        _payLiquidation(order.orderId, token, recipient, seized - insurancePaid);
        emit Liquidated(order.orderId, account, token, order.amount, seized, recipient, insurancePaid);

        uint64 s = ++seq;
        _reply(
            _ackMessage(order.orderId, account, token, seized, balance, OmniCodec.ACK_EXECUTED, s),
            OmniCodec.ORDER_ACK,
            s
        );
        _notifyIntegrators(account, order.orderId, token, seized);
    }

    function _payLiquidation(bytes32 orderId, address token, address to, uint256 amount) internal {
        uint256 shortfall = _payOrCredit(token, to, amount);
        if (shortfall != 0) emit LiquidationTransferFailed(orderId, to, token, shortfall);
    }

    /// @dev Calls `onLiquidated` on each integrator the account approved and the owner still allow-lists, each with
    /// exactly `INTEGRATOR_CALLBACK_GAS`; a failure is logged, never propagated. Too little gas left to give a callback
    /// its stipend reverts the whole delivery (retryable), so an executor cannot starve integrators.
    function _notifyIntegrators(address account, bytes32 orderId, address token, uint256 seized) internal {
        address[] storage list = _integrators[account];
        uint256 n = list.length;
        if (n == 0) return;
        bytes memory data = abi.encodeCall(IOmniIntegrator.onLiquidated, (account, orderId, token, seized));
        uint256 stipend = INTEGRATOR_CALLBACK_GAS;
        uint256 required = stipend + stipend / 63 + _CALLBACK_OVERHEAD;
        for (uint256 i; i < n; ++i) {
            address integrator = list[i];
            if (!isIntegrator[integrator]) continue;
            if (gasleft() < required) revert InsufficientCallbackGas(gasleft(), required);
            bool ok;
            // A plain call that copies no return data: a callee cannot grief with a huge return.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                ok := call(stipend, integrator, 0, add(data, 32), mload(data), 0, 0)
            }
            if (!ok) emit IntegratorCallbackFailed(orderId, integrator);
        }
    }
}
