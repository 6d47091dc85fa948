// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MessagingFee} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";

/// @title ICollateralVault
/// @notice The spoke OApp's types, errors, events, views and quotes: what both halves of the vault serve (the vault
/// and its extension share one storage layout, `VaultCore`). The entry points that change state are in
/// `ICollateralVaultActions`; `CollateralVault` implements both.
interface ICollateralVault {
    /// @notice The state of a withdrawal request.
    enum RequestStatus {
        None,
        /// @dev Frozen, waiting for the hub's decision (or the escape hatch); still seizable by a liquidation.
        Pending,
        /// @dev Approved, but over the outbound rate limit: still frozen until `executePayout` (or the escape hatch),
        /// and out of a liquidation's reach.
        PayoutQueued,
        /// @dev Closed: paid (transferred, or credited to the account's claimable bucket).
        Paid,
        /// @dev Closed: rejected, the amount unfrozen.
        Rejected,
        /// @dev Closed: paid through the escape hatch.
        Escaped
    }

    /// @notice Why a withdrawal decision was consumed without effect.
    enum IgnoreReason {
        None,
        /// @dev No request with this id was ever made on this vault.
        UnknownRequest,
        /// @dev The request was already decided or escaped.
        RequestClosed,
        /// @dev The decision's account, token or amount differ from the request's.
        Mismatch
    }

    /// @notice A withdrawal request.
    /// @dev `requested` is what the account asked for (what the hub's decision names); `amount` what is still frozen
    /// for it: less when a liquidation took from the request, and what a payout, an escape or a rejection releases.
    struct Withdrawal {
        address account;
        uint64 requestedAt;
        RequestStatus status;
        address token;
        /// @dev The escape delay in force when the request was made (later changes do not apply to it).
        uint64 escapeDelay;
        /// @dev `inboundPausedTime()` when the request was made: the escape clock stops while inbound is paused.
        uint64 pausedAtRequest;
        /// @dev When the approved payout was queued by the rate limit (0 unless `PayoutQueued`).
        uint64 queuedAt;
        uint256 amount;
        uint256 requested;
    }

    /// @notice Thrown when a token is not allow-listed as collateral.
    error CollateralNotAllowed(address token);
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when the native value sent does not cover the LayerZero fee.
    error InsufficientFee(uint256 required, uint256 provided);
    /// @notice Thrown when a caller that is not an allow-listed integrator reports an exposure or is approved.
    error NotIntegrator(address caller);
    /// @notice Thrown when an integrator reports an exposure for an account that has not approved it.
    error IntegratorNotApproved(address account, address integrator);
    /// @notice Thrown when an account would approve more than `MAX_INTEGRATORS` integrators.
    error TooManyIntegrators(address account);
    /// @notice Thrown when a message arrives from another endpoint than the hub's.
    error NotHub(uint32 srcEid);
    /// @notice Thrown when an order id has already been executed.
    error OrderAlreadyExecuted(bytes32 orderId);
    /// @notice Thrown when `sendOwedReply` names a sequence number with no owed reply.
    error NoOwedReply(uint64 seq);
    /// @notice Thrown when anyone but the vault itself calls `transferExact`.
    error OnlySelf(address caller);
    /// @notice Thrown when a token transfer takes more out of the vault than the amount sent (a fee charged to the
    /// sender on top); inside a payout the transfer is undone and the amount credited as claimable instead.
    error TransferOverdrawn(address token, uint256 amount, uint256 taken);
    /// @notice Thrown by `renounceOwnership`: a vault always has an owner.
    error RenounceDisabled();
    /// @notice Thrown when a withdrawal request is below the token's minimum.
    error BelowMinWithdrawal(address token, uint256 amount, uint256 minimum);
    /// @notice Thrown when an account already has `MAX_OPEN_REQUESTS` requests open.
    error TooManyOpenRequests(address account, uint256 max);
    /// @notice Thrown when a native transfer out of the reserve fails.
    error NativeTransferFailed(address to, uint256 amount);
    /// @notice Thrown when a deposit is credited to, or a claim is sent to, the zero address.
    error ZeroAccount();
    /// @notice Thrown when a deposit would take the vault's total of a token above its deposit cap.
    error DepositCapExceeded(address token, uint256 cap, uint256 total);
    /// @notice Thrown when a deposit would take an account's balance of a token above the per-account cap.
    error AccountCapExceeded(address account, address token, uint256 cap, uint256 balance);
    /// @notice Thrown when someone other than the guardian or the owner pauses, or other than the owner unpauses.
    error NotGuardian(address caller);
    /// @notice Thrown when a user action that sends to the hub (deposit, exposure report, withdrawal) is paused.
    error OutboundPaused();
    /// @notice Thrown (inside `lzReceive`, so LayerZero keeps the message for a retry) while order execution is paused.
    error InboundPaused();
    /// @notice Thrown when a withdrawal request exceeds the account's unfrozen balance.
    error InsufficientUnfrozenBalance(uint256 requested, uint256 available);
    /// @notice Thrown when someone other than the request's account escapes it.
    error NotRequestAccount(uint64 requestId, address caller);
    /// @notice Thrown when a request is not in the state the call needs (pending for an escape, queued for a payout).
    error InvalidRequestStatus(uint64 requestId, RequestStatus status);
    /// @notice Thrown when a request is escaped before `escapeDelay` has passed since it was made.
    error EscapeTooEarly(uint64 requestId, uint256 availableAt);
    /// @notice Thrown when a payout would exceed the token's outbound rate limit in the current window.
    error RateLimited(address token, uint256 amount, uint256 available);
    /// @notice Thrown when the escape delay is set outside [`MIN_ESCAPE_DELAY`, `MAX_ESCAPE_DELAY`].
    error EscapeDelayOutOfBounds(uint256 delay);
    /// @notice Thrown when the insurance fund would be set to the zero address.
    error ZeroInsuranceFund();
    /// @notice Thrown when a rate limit has a max amount but no window, a window but no max amount, or a window longer
    /// than `MAX_RATE_WINDOW`.
    error InvalidRateLimit(uint64 window, uint256 maxAmount);
    /// @notice Thrown when an account claims a token of which nothing is claimable for it.
    error NothingToClaim(address account, address token);
    /// @notice Thrown when too little gas is left to give an integrator callback its full stipend; the delivery
    /// reverts and stays retryable (the executor gave less gas than the enforced options ask for).
    error InsufficientCallbackGas(uint256 available, uint256 required);

    /// @notice Emitted when a token is added to or removed from the collateral allow-list.
    /// @param token The ERC-20 token.
    /// @param allowed Whether deposits of it are now accepted.
    event CollateralSet(address indexed token, bool allowed);
    /// @notice Emitted when the owner adds an integrator to or removes one from the allow-list.
    /// @param integrator The integrator contract.
    /// @param allowed Whether it is now allow-listed.
    event IntegratorSet(address indexed integrator, bool allowed);
    /// @notice Emitted when an account approves or revokes an integrator (also when the call changed nothing).
    /// @param account The account (`msg.sender` of `approveIntegrator`).
    /// @param integrator The integrator.
    /// @param approved Whether it is now approved.
    event IntegratorApproved(address indexed account, address indexed integrator, bool approved);
    /// @notice Emitted on a deposit, after the BALANCE message was sent.
    /// @param account The account credited.
    /// @param token The collateral token.
    /// @param amount What the vault really received (after any transfer fee), in token base units.
    /// @param balance The account's new total balance of the token (frozen included), as sent to the hub.
    /// @param seq The sequence number of the BALANCE message.
    event Deposited(address indexed account, address indexed token, uint256 amount, uint256 balance, uint64 seq);
    /// @notice Emitted when an integrator reports an account's position in a market, after the EXPOSURE message was
    /// sent.
    /// @param account The account.
    /// @param integrator The reporting integrator (the EXPOSURE message's `protocol`).
    /// @param market The market symbol, ASCII right-padded with zero bytes (e.g. "ETH-PERP").
    /// @param size The signed absolute position size in base units (1e18); 0 closes it.
    /// @param entryPrice The entry price (USD per unit, 1e18).
    /// @param seq The sequence number of the EXPOSURE message.
    event ExposureReported(
        address indexed account,
        address indexed integrator,
        bytes32 indexed market,
        int256 size,
        uint256 entryPrice,
        uint64 seq
    );
    /// @notice Emitted when a liquidation order is executed; `seized` = `insurancePaid` + what the recipient got.
    /// @param orderId The hub's order id.
    /// @param account The liquidated account.
    /// @param token The collateral token.
    /// @param requested The amount the order asked to seize, in token base units.
    /// @param seized The amount really seized: `min(requested, unfrozen balance)`.
    /// @param recipient The liquidator, paid `seized - insurancePaid`.
    /// @param insurancePaid The insurance fund's part, `ceil(insuranceAmount × seized / requested)`.
    event Liquidated(
        bytes32 indexed orderId,
        address indexed account,
        address indexed token,
        uint256 requested,
        uint256 seized,
        address recipient,
        uint256 insurancePaid
    );
    /// @notice Emitted when an integrator's `onLiquidated` callback reverted or ran out of its stipend.
    /// @param orderId The liquidation order's id.
    /// @param integrator The integrator whose callback failed.
    event IntegratorCallbackFailed(bytes32 indexed orderId, address indexed integrator);
    /// @notice Emitted when an account asks to withdraw; `amount` is frozen until the request closes.
    /// @param requestId The new request's id.
    /// @param account The account withdrawing.
    /// @param token The collateral token.
    /// @param amount The amount frozen, in token base units.
    /// @param seq The sequence number of the WITHDRAW_REQUEST message.
    event WithdrawalRequested(
        uint64 indexed requestId, address indexed account, address indexed token, uint256 amount, uint64 seq
    );
    /// @notice Emitted when a withdrawal request closes (PAID 1, REJECTED 2, ESCAPED 3) and WITHDRAW_DONE is sent.
    /// @param requestId The request.
    /// @param account The request's account.
    /// @param outcome 1 PAID, 2 REJECTED or 3 ESCAPED (`OmniCodec.OUTCOME_*`).
    /// @param paid The amount debited from the account (transferred, or credited to its claimable bucket when the
    /// transfer failed); 0 when rejected.
    /// @param balance The account's total balance of the token after the close.
    /// @param seq The sequence number of the WITHDRAW_DONE message.
    event WithdrawalClosed(
        uint64 indexed requestId, address indexed account, uint8 outcome, uint256 paid, uint256 balance, uint64 seq
    );
    /// @notice Emitted when an approved withdrawal exceeds the outbound rate limit: it stays frozen until
    /// `executePayout` succeeds.
    /// @param requestId The request.
    /// @param account The request's account.
    /// @param token The collateral token.
    /// @param amount The amount still frozen, in token base units.
    event PayoutQueued(uint64 indexed requestId, address indexed account, address indexed token, uint256 amount);
    /// @notice Emitted when a withdrawal's token transfer failed (revert, `false`, or less left the vault); the
    /// shortfall was credited to the account's claimable bucket.
    /// @param requestId The request.
    /// @param account The request's account, credited with the shortfall.
    /// @param token The collateral token.
    /// @param amount The shortfall credited, in token base units.
    event WithdrawalTransferFailed(
        uint64 indexed requestId, address indexed account, address indexed token, uint256 amount
    );
    /// @notice Emitted when a liquidation's transfer to `to` (recipient or insurance fund) failed; the shortfall was
    /// credited to `to`'s claimable bucket.
    /// @param orderId The liquidation order's id.
    /// @param to The receiver credited with the shortfall.
    /// @param token The collateral token.
    /// @param amount The shortfall credited, in token base units.
    event LiquidationTransferFailed(bytes32 indexed orderId, address indexed to, address indexed token, uint256 amount);
    /// @notice Emitted when a withdrawal decision is consumed without effect.
    /// @param orderId The decision's order id (now marked executed).
    /// @param requestId The request the decision named.
    /// @param reason Why it had no effect.
    event DecisionIgnored(bytes32 indexed orderId, uint64 indexed requestId, IgnoreReason reason);
    /// @notice Emitted when an account claims its claimable tokens to `to`.
    /// @param account The account whose claimable bucket was emptied.
    /// @param token The token.
    /// @param to The receiver.
    /// @param amount The amount sent, in token base units.
    event Claimed(address indexed account, address indexed token, address indexed to, uint256 amount);
    /// @notice Emitted when the owner sets a token's caps (0 = no cap).
    /// @param token The collateral token.
    /// @param depositCap The new cap on the vault's total of the token, in token base units.
    /// @param accountCap The new cap on one account's balance of the token, in token base units.
    event CapsSet(address indexed token, uint256 depositCap, uint256 accountCap);
    /// @notice Emitted when the owner sets a token's outbound rate limit (0/0 = unlimited).
    /// @param token The collateral token.
    /// @param window The window length in seconds.
    /// @param maxAmount The most that may leave per window, in token base units.
    event RateLimitSet(address indexed token, uint64 window, uint256 maxAmount);
    /// @notice Emitted when the owner sets the escape delay.
    /// @param delay The new delay in seconds.
    event EscapeDelaySet(uint64 delay);
    /// @notice Emitted when the insurance fund is set (at deployment, then by the owner).
    /// @param previousFund The fund replaced (zero at deployment).
    /// @param newFund The new fund.
    event InsuranceFundSet(address indexed previousFund, address indexed newFund);
    /// @notice Emitted when the owner sets the guardian.
    /// @param previousGuardian The guardian replaced (zero if none).
    /// @param newGuardian The new guardian (zero removes the role).
    event GuardianSet(address indexed previousGuardian, address indexed newGuardian);
    /// @notice Emitted when user actions towards the hub are paused or unpaused.
    /// @param by The caller (the guardian or the owner).
    /// @param paused Whether they are now paused.
    /// @param until When the pause ends (by itself, or now when lifted).
    event OutboundPausedSet(address indexed by, bool paused, uint64 until);
    /// @notice Emitted when the execution of inbound orders is paused or unpaused.
    /// @param by The caller (the guardian or the owner).
    /// @param paused Whether it is now paused.
    /// @param until When the pause ends (by itself, or now when lifted).
    event InboundPausedSet(address indexed by, bool paused, uint64 until);
    /// @notice Emitted when the owner sets a token's minimum withdrawal.
    /// @param token The collateral token.
    /// @param amount The minimum, in token base units (0 = none beyond a non-zero amount).
    event MinWithdrawalSet(address indexed token, uint256 amount);
    /// @notice Emitted when a liquidation takes frozen collateral from a pending withdrawal request.
    /// @param requestId The request.
    /// @param taken The amount taken from it, in token base units.
    /// @param remaining What the request still holds frozen.
    event WithdrawalReduced(uint64 indexed requestId, uint256 taken, uint256 remaining);
    /// @notice Emitted when the native reserve cannot pay a reply to the hub: the reply is kept, under its sequence
    /// number, for anyone to send with `sendOwedReply`.
    /// @param seq The reply's sequence number.
    /// @param msgType Its message type (ORDER_ACK or WITHDRAW_DONE).
    /// @param fee The fee it would have cost, in wei.
    event ReplyOwed(uint64 indexed seq, uint16 msgType, uint256 fee);
    /// @notice Emitted when an owed reply is sent.
    /// @param seq The reply's sequence number.
    /// @param payer Who paid its fee.
    event OwedReplySent(uint64 indexed seq, address indexed payer);
    /// @notice Emitted when an order arrives after its expiry; it changes nothing and is acknowledged EXPIRED.
    /// @param orderId The order.
    /// @param expiry Its expiry (unix seconds).
    event OrderArrivedExpired(bytes32 indexed orderId, uint64 expiry);
    /// @notice Emitted when the native acknowledgement reserve is funded.
    /// @param from The sender.
    /// @param amount The amount received, in wei.
    event AckReserveFunded(address indexed from, uint256 amount);
    /// @notice Emitted when the owner withdraws from the native acknowledgement reserve.
    /// @param to The receiver.
    /// @param amount The amount sent, in wei.
    event AckReserveWithdrawn(address indexed to, uint256 amount);

    // ------------------------------------------------------------------ views

    /// @notice The hub's LayerZero endpoint id; the only source of orders.
    /// @return The endpoint id, fixed at deployment.
    function hubEid() external view returns (uint32);

    /// @notice The counter of hub-bound messages: the last one sent carried this value.
    /// @return The last sequence number sent (0 before the first message; the next message carries this + 1).
    function seq() external view returns (uint64);

    /// @notice The id of the last withdrawal request (ids start at 1).
    /// @return The last request id (0 before the first request).
    function lastRequestId() external view returns (uint64);

    /// @notice Whether a token is allow-listed as collateral.
    /// @param token The ERC-20 token.
    /// @return Whether deposits of it are accepted.
    function isCollateral(address token) external view returns (bool);

    /// @notice Whether an integrator is allow-listed by the owner (may be approved by accounts and report exposures).
    /// @param integrator The integrator contract.
    /// @return Whether it is allow-listed.
    function isIntegrator(address integrator) external view returns (bool);

    /// @notice Whether `account` has approved `integrator`.
    /// @param account The account.
    /// @param integrator The integrator.
    /// @return Whether the approval stands (it may still be off the owner's allow-list; see `isIntegrator`).
    function integratorApproved(address account, address integrator) external view returns (bool);

    /// @notice The integrators `account` has approved (at most `MAX_INTEGRATORS`), in no set order.
    /// @param account The account.
    /// @return The approved integrators, including any the owner has since removed from the allow-list.
    function approvedIntegrators(address account) external view returns (address[] memory);

    /// @notice An account's total balance of a token in the vault (frozen amounts included), in token base units.
    /// @param account The account.
    /// @param token The collateral token.
    /// @return The balance: the last BALANCE, ORDER_ACK or WITHDRAW_DONE for this account and token reported it.
    function balanceOf(address account, address token) external view returns (uint256);

    /// @notice The part of an account's balance frozen for pending (or payout-queued) withdrawals.
    /// @param account The account.
    /// @param token The collateral token.
    /// @return The frozen amount in token base units; `balanceOf - frozenOf` may be requested for withdrawal.
    function frozenOf(address account, address token) external view returns (uint256);

    /// @notice The part of `frozenOf` held by approved payouts queued behind the rate limit.
    /// @param account The account.
    /// @param token The collateral token.
    /// @return The amount in token base units; `balanceOf - queuedOf` is what a liquidation may seize.
    function queuedOf(address account, address token) external view returns (uint256);

    /// @notice The smallest amount of a token a withdrawal request may ask for.
    /// @param token The collateral token.
    /// @return The minimum in token base units (0 = any non-zero amount).
    function minWithdrawal(address token) external view returns (uint256);

    /// @notice An account's open (pending or queued) withdrawal requests, oldest first; at most `MAX_OPEN_REQUESTS`.
    /// @param account The account.
    /// @return The request ids.
    function openRequests(address account) external view returns (uint64[] memory);

    /// @notice When a request may be escaped: a pending one after its delay of time in which inbound was not paused
    /// (an estimate while a pause runs), a queued payout its delay after it was queued.
    /// @param requestId The request.
    /// @return The unix time; 0 when the request cannot be escaped (unknown or closed).
    function escapeAvailableAt(uint64 requestId) external view returns (uint256);

    /// @notice When the current (or last) pauses end.
    /// @return outbound The outbound pause's end (0 if never paused).
    /// @return inbound The inbound pause's end (0 if never paused).
    function pauseEnds() external view returns (uint64 outbound, uint64 inbound);

    /// @notice The total seconds inbound has been paused since deployment, the current pause included.
    /// @return The seconds.
    function inboundPausedTime() external view returns (uint64);

    /// @notice A reply the reserve could not pay, kept for `sendOwedReply`.
    /// @param seq Its sequence number.
    /// @return The payload; empty when nothing is owed under `seq`.
    function owedReply(uint64 seq) external view returns (bytes memory);

    /// @notice What the vault owes `account` outside its balance: failed transfers, claimable with `claim`.
    /// @param account The account (a withdrawer, a liquidator or the insurance fund).
    /// @param token The token.
    /// @return The claimable amount in token base units.
    function claimable(address account, address token) external view returns (uint256);

    /// @notice The sum of `claimable` over every account, per token.
    /// @param token The token.
    /// @return The total claimable in token base units.
    function totalClaimable(address token) external view returns (uint256);

    /// @notice A withdrawal request by id.
    /// @param requestId The request.
    /// @return The request; all zero (status `None`) for an id never assigned.
    function withdrawal(uint64 requestId) external view returns (Withdrawal memory);

    /// @notice Whether an order id (liquidation or withdrawal decision) has already been executed or consumed.
    /// @param orderId The hub's order id.
    /// @return Whether a delivery with this id was processed (a second one reverts `OrderAlreadyExecuted`).
    function executed(bytes32 orderId) external view returns (bool);

    /// @notice The sum of every account's balance of a token (frozen included): what the vault owes its depositors.
    /// @param token The collateral token.
    /// @return The total in token base units.
    function totalDeposits(address token) external view returns (uint256);

    /// @notice The cap on `totalDeposits(token)` a deposit may reach (0 = no cap).
    /// @param token The collateral token.
    /// @return The cap in token base units.
    function depositCap(address token) external view returns (uint256);

    /// @notice The cap on any one account's balance of a token a deposit may reach (0 = no cap).
    /// @param token The collateral token.
    /// @return The cap in token base units.
    function accountCap(address token) external view returns (uint256);

    /// @notice Where the insurance part of every liquidation goes.
    /// @return The insurance fund (never zero).
    function insuranceFund() external view returns (address);

    /// @notice Seconds a withdrawal request must wait without a decision before the account may escape it.
    /// @return The delay in seconds, within [`MIN_ESCAPE_DELAY`, `MAX_ESCAPE_DELAY`].
    function escapeDelay() external view returns (uint64);

    /// @notice A token's outbound rate limit: `maxAmount` may leave by withdrawals and escapes per `window` seconds
    /// (fixed windows aligned to `block.timestamp / window`); 0/0 = unlimited.
    /// @param token The collateral token.
    /// @return window The window length in seconds.
    /// @return maxAmount The most that may leave per window, in token base units.
    function rateLimit(address token) external view returns (uint64 window, uint256 maxAmount);

    /// @notice What may still leave the vault in `token` by withdrawals and escapes in the current window.
    /// @param token The collateral token.
    /// @return The amount in token base units; `type(uint256).max` when the token has no rate limit.
    function outboundAvailable(address token) external view returns (uint256);

    /// @notice The account that may pause either direction (besides the owner); zero when unset.
    /// @return The guardian.
    function guardian() external view returns (address);

    /// @notice Whether user actions that send to the hub are paused (deposits, exposure reports, withdrawal requests,
    /// escapes and queued payouts).
    /// @return Whether they are paused.
    function outboundPaused() external view returns (bool);

    /// @notice Whether the execution of the hub's orders is paused (deliveries revert and stay retryable).
    /// @return Whether it is paused.
    function inboundPaused() external view returns (bool);

    // ------------------------------------------------------------------ quotes

    /// @notice Quotes the LayerZero fee of the BALANCE message a deposit sends.
    /// @param account The depositor.
    /// @param token The collateral token.
    /// @param amount The amount to deposit.
    /// @return fee The fee to send as `msg.value` with `deposit`.
    function quoteDeposit(address account, address token, uint256 amount)
        external
        view
        returns (MessagingFee memory fee);

    /// @notice Quotes the LayerZero fee of an EXPOSURE message reported by `msg.sender`.
    /// @param account The account.
    /// @param market The market symbol, ASCII right-padded with zero bytes (e.g. "ETH-PERP").
    /// @param size The signed position size in base units (1e18); 0 closes it.
    /// @param entryPrice The entry price (USD per unit, 1e18).
    /// @return fee The fee to send as `msg.value` with `reportExposure`.
    function quoteExposure(address account, bytes32 market, int256 size, uint256 entryPrice)
        external
        view
        returns (MessagingFee memory fee);

    /// @notice Quotes what `requestWithdrawal` costs: the fee of its WITHDRAW_REQUEST plus the fee of the
    /// WITHDRAW_DONE that will close it, prepaid into the vault's reserve.
    /// @param account The account withdrawing.
    /// @param token The collateral token.
    /// @param amount The amount to withdraw.
    /// @return fee The value to send as `msg.value` with `requestWithdrawal` (the endpoint refunds any excess).
    function quoteWithdrawalRequest(address account, address token, uint256 amount)
        external
        view
        returns (MessagingFee memory fee);

    /// @notice Quotes the LayerZero fee of the WITHDRAW_DONE that closes a request (prepaid by `requestWithdrawal`;
    /// escapes and payouts take it from the reserve).
    /// @param requestId The request.
    /// @return fee The fee.
    function quoteWithdrawalDone(uint64 requestId) external view returns (MessagingFee memory fee);

    /// @notice Transfers `amount` of `token` out of the vault and reverts if more than `amount` left it. Only the vault
    /// itself calls it, so that the revert undoes such a transfer.
    /// @param token The token.
    /// @param to The receiver.
    /// @param amount The amount.
    /// @return sent What left the vault (0 when the token call failed).
    function transferExact(address token, address to, uint256 amount) external returns (uint256 sent);

    /// @notice Quotes the LayerZero fee of one ORDER_ACK, paid from the native reserve (owed when it is short).
    /// @return fee The fee the reserve must hold for the next acknowledgement.
    function quoteOrderAck() external view returns (MessagingFee memory fee);
}
