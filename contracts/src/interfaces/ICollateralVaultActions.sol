// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICollateralVault} from "./ICollateralVault.sol";

/// @title ICollateralVaultActions
/// @notice The spoke OApp: holds allow-listed ERC-20 collateral, reports every balance and exposure change to the
/// hub, runs two-phase withdrawals (request → hub decision, with an escape hatch) and executes the hub's liquidation
/// orders. Types, errors, events, views and quotes are in `ICollateralVault`; this interface adds the entry points that
/// change state.
interface ICollateralVaultActions is ICollateralVault {
    // ------------------------------------------------------------------ owner and guardian

    /// @notice Sets a token's deposit caps. Only the owner. Lowering a cap below the current level blocks further
    /// deposits but seizes nothing.
    /// @param token The collateral token.
    /// @param depositCap_ The cap on the vault's total of the token (0 = no cap).
    /// @param accountCap_ The cap on one account's balance of the token (0 = no cap).
    function setCaps(address token, uint256 depositCap_, uint256 accountCap_) external;

    /// @notice Sets a token's outbound rate limit on approved withdrawals (never on liquidations; escapes count
    /// against it but are never refused by it). Only the owner. A payout larger than the window's room stays queued;
    /// its account may escape it after its escape delay.
    /// @param token The collateral token.
    /// @param window The window length in seconds, at most `MAX_RATE_WINDOW` (0 with `maxAmount` 0 = unlimited).
    /// @param maxAmount The most that may leave per window, in token base units.
    function setRateLimit(address token, uint64 window, uint256 maxAmount) external;

    /// @notice Sets how long a withdrawal request made from now on must wait for a decision before it can be escaped
    /// (requests already made keep theirs). Only the owner.
    /// @param delay Seconds, within [`MIN_ESCAPE_DELAY`, `MAX_ESCAPE_DELAY`].
    function setEscapeDelay(uint64 delay) external;

    /// @notice Sets the smallest amount a withdrawal request of `token` may ask for. Only the owner.
    /// @param token The collateral token.
    /// @param amount The minimum, in token base units.
    function setMinWithdrawal(address token, uint256 amount) external;

    /// @notice Sets the insurance fund that receives the insurance part of liquidations. Only the owner.
    /// @param fund The new fund (not zero).
    function setInsuranceFund(address fund) external;

    /// @notice Replaces the guardian. Only the owner; the zero address removes the role.
    /// @param newGuardian The new guardian.
    function setGuardian(address newGuardian) external;

    /// @notice Pauses or unpauses user actions towards the hub. The guardian or the owner may pause, for at most
    /// `BoundedPause.MAX_PAUSE_DURATION` and not again within `BoundedPause.PAUSE_COOLDOWN` of the last pause's end; only the owner
    /// may unpause early. Claims and the hub's orders are not affected.
    /// @param paused Whether to pause.
    function setOutboundPaused(bool paused) external;

    /// @notice Pauses or unpauses the execution of the hub's orders, bounded as `setOutboundPaused`. While paused, each
    /// delivery reverts, so LayerZero keeps it for a retry after the pause, and pending requests' escape clocks stop.
    /// @param paused Whether to pause.
    function setInboundPaused(bool paused) external;

    /// @notice Allows or disallows a token as collateral. Only the owner.
    /// @dev Deposits and payouts measure the vault's balance around the transfer; tokens with transfer hooks (ERC-777)
    /// are safe because every entry point that does so holds one reentrancy lock (a re-entry reverts). A hook still
    /// runs its owner's code in the transfer: it can fail its own payouts (credited as claimable) or burn a
    /// delivery's gas (the delivery reverts, retryably). Rebasing tokens are not supported.
    /// @param token The ERC-20 token.
    /// @param allowed Whether deposits of it are accepted.
    function setCollateral(address token, bool allowed) external;

    /// @notice Allows or disallows an integrator (a protocol contract). Only the owner. A disallowed integrator
    /// cannot report exposures and gets no liquidation callbacks, even from accounts that approved it.
    /// @param integrator The integrator contract.
    /// @param allowed Whether it is allow-listed.
    function setIntegrator(address integrator, bool allowed) external;

    /// @notice Withdraws native currency from the acknowledgement reserve. Only the owner.
    /// @param to The receiver.
    /// @param amount The amount in wei.
    function withdrawAckReserve(address payable to, uint256 amount) external;

    // ------------------------------------------------------------------ accounts

    /// @notice Approves or revokes an integrator for `msg.sender`: an approved, allow-listed integrator may report
    /// the account's exposures and is told of its liquidations. At most `MAX_INTEGRATORS` at a time.
    /// @param integrator The integrator (must be allow-listed to approve; revoking always works).
    /// @param approved Whether to approve.
    function approveIntegrator(address integrator, bool approved) external;

    /// @notice Deposits collateral for `msg.sender` and reports the new balance to the hub.
    /// @dev Credits what the vault really received (fee-on-transfer safe). `msg.value` must cover the quote; the
    /// endpoint refunds the excess to `msg.sender`.
    /// @param token An allow-listed collateral token (approve the vault first).
    /// @param amount The amount to transfer in, in token base units.
    function deposit(address token, uint256 amount) external payable;

    /// @notice Deposits collateral from `msg.sender` to `account`'s balance and reports the new balance to the hub.
    /// @dev Same as `deposit` except for whom it credits; quote with `quoteDeposit(account, token, amount)`.
    /// @param account The account credited (not zero).
    /// @param token An allow-listed collateral token (approve the vault first).
    /// @param amount The amount to transfer in from `msg.sender`, in token base units.
    function depositFor(address account, address token, uint256 amount) external payable;

    /// @notice Reports an account's absolute position in a market on the calling integrator to the hub. Only an
    /// allow-listed integrator the account approved.
    /// @param account The account.
    /// @param market The market symbol, ASCII right-padded with zero bytes (e.g. "ETH-PERP").
    /// @param size The signed position size in base units (1e18); 0 closes it.
    /// @param entryPrice The entry price (USD per unit, 1e18).
    function reportExposure(address account, bytes32 market, int256 size, uint256 entryPrice) external payable;

    /// @notice Asks the hub to approve a withdrawal: freezes `amount` of `msg.sender`'s unfrozen balance, assigns a
    /// request id and sends WITHDRAW_REQUEST. The hub's decision pays or unfreezes it; without a decision for
    /// `escapeDelay`, `escapeWithdrawal` pays it. Until approved, a liquidation may take from it.
    /// @param token The collateral token.
    /// @param amount The amount: at least `minWithdrawal(token)`, at most the account's balance less what is frozen;
    /// at most `MAX_OPEN_REQUESTS` requests of an account may be open.
    /// @return requestId The new request's id.
    function requestWithdrawal(address token, uint256 amount) external payable returns (uint64 requestId);

    /// @notice Pays a request out unilaterally and tells the hub (WITHDRAW_DONE, outcome ESCAPED): a pending one once
    /// it has waited its escape delay (not counting time inbound was paused) without a decision, a queued payout its
    /// escape delay after it was queued (`escapeAvailableAt`). Only the request's account; counted against the rate
    /// limit but never refused by it. A later decision for the request is ignored. `msg.value` goes to the reserve.
    /// @param requestId The request.
    function escapeWithdrawal(uint64 requestId) external payable;

    /// @notice Pays an approved withdrawal that was queued by the outbound rate limit, once the window allows, and
    /// tells the hub (WITHDRAW_DONE, outcome PAID). Anyone may call; the tokens go to the request's account.
    /// `msg.value` goes to the reserve.
    /// @param requestId The request.
    function executePayout(uint64 requestId) external payable;

    /// @notice Sends a reply the native reserve could not pay (see `ReplyOwed`); anyone may, paying its fee as
    /// `msg.value` (the endpoint refunds the excess).
    /// @param seq The reply's sequence number.
    function sendOwedReply(uint64 seq) external payable;

    /// @notice Sends `msg.sender`'s whole claimable balance of `token` (failed transfers credited to it) to `to`.
    /// @param token The token.
    /// @param to The receiver (another address if the account itself cannot receive the token).
    function claim(address token, address to) external;
}
