// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin, MessagingFee} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {ICollateralVaultActions} from "../interfaces/ICollateralVaultActions.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {BoundedPause} from "../libraries/BoundedPause.sol";
import {OmniCodec} from "../libraries/OmniCodec.sol";
import {VaultCore} from "./VaultCore.sol";

/// @title VaultExtension
/// @notice The half of the CollateralVault that users and the owner call: settings and bounded pauses, deposits,
/// integrators and exposure reports, two-phase withdrawals with their escape hatch, claims, owed replies, and the
/// application of the hub's withdrawal decisions. It runs only by DELEGATECALL from the vault that deployed it, on
/// that vault's storage (`VaultCore`); called directly it refuses.
/// @dev What a request freezes stays seizable until the hub approves it: a liquidation takes what the unfrozen balance
/// does not cover from the account's pending requests, newest first, so no request can shield collateral from a
/// liquidation. Only approved payouts still queued by the rate limit (`queuedOf`) are out of its reach: the hub
/// approved them against the account's whole margin.
contract VaultExtension is VaultCore, ICollateralVaultActions {
    using BoundedPause for BoundedPause.State;
    using SafeERC20 for IERC20;

    /// @dev The vault whose storage this code runs on (the deployer). Immutable: no storage of its own.
    address private immutable _VAULT;

    /// @notice Thrown when the extension is called other than by DELEGATECALL from its vault.
    error NotThroughVault();

    /// @notice Deployed by the vault's constructor, with the vault's own constructor arguments.
    /// @param endpoint_ The vault's LayerZero EndpointV2 (the same immutables as the vault's).
    /// @param owner_ The vault's first owner.
    /// @param hubEid_ The hub's endpoint id.
    /// @param insuranceFund_ The vault's first insurance fund.
    constructor(address endpoint_, address owner_, uint32 hubEid_, address insuranceFund_)
        VaultCore(endpoint_, owner_, hubEid_, insuranceFund_)
    {
        _VAULT = msg.sender;
    }

    modifier throughVault() {
        if (address(this) != _VAULT) revert NotThroughVault();
        _;
    }

    // ------------------------------------------------------------------ admin

    /// @inheritdoc ICollateralVaultActions
    function setCollateral(address token, bool allowed) external throughVault onlyOwner {
        isCollateral[token] = allowed;
        emit CollateralSet(token, allowed);
    }

    /// @inheritdoc ICollateralVaultActions
    function setIntegrator(address integrator, bool allowed) external throughVault onlyOwner {
        isIntegrator[integrator] = allowed;
        emit IntegratorSet(integrator, allowed);
    }

    /// @inheritdoc ICollateralVaultActions
    function setCaps(address token, uint256 depositCap_, uint256 accountCap_) external throughVault onlyOwner {
        depositCap[token] = depositCap_;
        accountCap[token] = accountCap_;
        emit CapsSet(token, depositCap_, accountCap_);
    }

    /// @inheritdoc ICollateralVaultActions
    function setMinWithdrawal(address token, uint256 amount) external throughVault onlyOwner {
        minWithdrawal[token] = amount;
        emit MinWithdrawalSet(token, amount);
    }

    /// @inheritdoc ICollateralVaultActions
    function setRateLimit(address token, uint64 window, uint256 maxAmount) external throughVault onlyOwner {
        if ((window == 0) != (maxAmount == 0) || window > MAX_RATE_WINDOW) revert InvalidRateLimit(window, maxAmount);
        // A new configuration starts a fresh window.
        _rateLimits[token] = RateLimitState({
            window: window,
            windowIndex: window == 0 ? 0 : uint64(block.timestamp / window),
            maxAmount: maxAmount,
            used: 0
        });
        emit RateLimitSet(token, window, maxAmount);
    }

    /// @inheritdoc ICollateralVaultActions
    function setEscapeDelay(uint64 delay) external throughVault onlyOwner {
        if (delay < MIN_ESCAPE_DELAY || delay > MAX_ESCAPE_DELAY) revert EscapeDelayOutOfBounds(delay);
        escapeDelay = delay;
        emit EscapeDelaySet(delay);
    }

    /// @inheritdoc ICollateralVaultActions
    function setInsuranceFund(address fund) external throughVault onlyOwner {
        _setInsuranceFund(fund);
    }

    /// @inheritdoc ICollateralVaultActions
    function setGuardian(address newGuardian) external throughVault onlyOwner {
        emit GuardianSet(guardian, newGuardian);
        guardian = newGuardian;
    }

    /// @inheritdoc ICollateralVaultActions
    function setOutboundPaused(bool paused) external throughVault {
        emit OutboundPausedSet(msg.sender, paused, _setPaused(_outboundPause, paused));
    }

    /// @inheritdoc ICollateralVaultActions
    function setInboundPaused(bool paused) external throughVault {
        emit InboundPausedSet(msg.sender, paused, _setPaused(_inboundPause, paused));
    }

    /// @inheritdoc ICollateralVaultActions
    function withdrawAckReserve(address payable to, uint256 amount) external throughVault onlyOwner {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert NativeTransferFailed(to, amount);
        emit AckReserveWithdrawn(to, amount);
    }

    /// @dev Pausing: the guardian or the owner, bounded by `BoundedPause`. Lifting early: the owner only (a compromised
    /// guardian can stop the vault for a while but not undo the owner's pause). Returns when the pause ends.
    function _setPaused(BoundedPause.State storage s, bool paused) internal returns (uint64) {
        if (msg.sender != owner() && (!paused || msg.sender != guardian)) revert NotGuardian(msg.sender);
        if (paused) return s.pause();
        s.unpause();
        return s.until;
    }

    // ------------------------------------------------------------------ deposits

    /// @inheritdoc ICollateralVaultActions
    function deposit(address token, uint256 amount) external payable throughVault nonReentrant {
        _deposit(msg.sender, token, amount);
    }

    /// @inheritdoc ICollateralVaultActions
    function depositFor(address account, address token, uint256 amount) external payable throughVault nonReentrant {
        if (account == address(0)) revert ZeroAccount();
        _deposit(account, token, amount);
    }

    /// @dev Pulls `amount` from `msg.sender`, credits what really arrived to `account` within the caps, and reports
    /// the new balance to the hub (fee paid by `msg.sender`).
    function _deposit(address account, address token, uint256 amount) internal {
        _whenOutboundOpen();
        if (!isCollateral[token]) revert CollateralNotAllowed(token);
        if (amount == 0) revert ZeroAmount();

        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = erc20.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();

        uint256 total = totalDeposits[token] + received;
        uint256 cap = depositCap[token];
        if (cap != 0 && total > cap) revert DepositCapExceeded(token, cap, total);
        uint256 balance = balanceOf[account][token] + received;
        cap = accountCap[token];
        if (cap != 0 && balance > cap) revert AccountCapExceeded(account, token, cap, balance);

        totalDeposits[token] = total;
        balanceOf[account][token] = balance;
        uint64 s = ++seq;

        // `received` ≤ the vault's token balance < 2^255 for any real token, so the cast cannot wrap.
        // forge-lint: disable-next-line(unsafe-typecast)
        _sendToHub(_balanceMessage(account, token, balance, int256(received), s), OmniCodec.BALANCE);
        emit Deposited(account, token, received, balance, s);
    }

    // ------------------------------------------------------------------ integrators and exposures

    /// @inheritdoc ICollateralVaultActions
    function approveIntegrator(address integrator, bool approved) external throughVault {
        uint256 index = _integratorIndex[msg.sender][integrator];
        address[] storage list = _integrators[msg.sender];
        if (approved && index == 0) {
            if (!isIntegrator[integrator]) revert NotIntegrator(integrator);
            if (list.length >= MAX_INTEGRATORS) revert TooManyIntegrators(msg.sender);
            list.push(integrator);
            _integratorIndex[msg.sender][integrator] = list.length;
        } else if (!approved && index != 0) {
            address last = list[list.length - 1];
            list[index - 1] = last;
            _integratorIndex[msg.sender][last] = index;
            list.pop();
            delete _integratorIndex[msg.sender][integrator];
        }
        emit IntegratorApproved(msg.sender, integrator, approved);
    }

    /// @inheritdoc ICollateralVaultActions
    function reportExposure(address account, bytes32 market, int256 size, uint256 entryPrice)
        external
        payable
        throughVault
    {
        _whenOutboundOpen();
        if (!isIntegrator[msg.sender]) revert NotIntegrator(msg.sender);
        if (_integratorIndex[account][msg.sender] == 0) revert IntegratorNotApproved(account, msg.sender);
        uint64 s = ++seq;
        bytes memory message = OmniCodec.encodeExposure(
            OmniCodec.Exposure({
                account: account, protocol: msg.sender, market: market, size: size, entryPrice: entryPrice, seq: s
            })
        );
        _sendToHub(message, OmniCodec.EXPOSURE);
        emit ExposureReported(account, msg.sender, market, size, entryPrice, s);
    }

    // ------------------------------------------------------------------ withdrawals

    /// @inheritdoc ICollateralVaultActions
    function requestWithdrawal(address token, uint256 amount) external payable throughVault returns (uint64 requestId) {
        _whenOutboundOpen();
        if (amount == 0) revert ZeroAmount();
        uint256 min = minWithdrawal[token];
        if (amount < min) revert BelowMinWithdrawal(token, amount, min);
        uint64[] storage open = _openRequests[msg.sender];
        if (open.length >= MAX_OPEN_REQUESTS) revert TooManyOpenRequests(msg.sender, MAX_OPEN_REQUESTS);
        uint256 frozen = frozenOf[msg.sender][token];
        uint256 available = balanceOf[msg.sender][token] - frozen;
        if (amount > available) revert InsufficientUnfrozenBalance(amount, available);

        frozenOf[msg.sender][token] = frozen + amount;
        requestId = ++lastRequestId;
        open.push(requestId);
        _withdrawals[requestId] = Withdrawal({
            account: msg.sender,
            requestedAt: uint64(block.timestamp),
            status: RequestStatus.Pending,
            token: token,
            escapeDelay: escapeDelay,
            pausedAtRequest: inboundPausedTime(),
            queuedAt: 0,
            amount: amount,
            requested: amount
        });
        uint64 s = ++seq;
        // The request prepays its WITHDRAW_DONE into the reserve: asking for withdrawals cannot drain it.
        _sendToHubKeeping(
            _requestMessage(msg.sender, token, amount, requestId, s),
            OmniCodec.WITHDRAW_REQUEST,
            _doneFee(msg.sender, token, requestId, amount)
        );
        emit WithdrawalRequested(requestId, msg.sender, token, amount, s);
    }

    /// @inheritdoc ICollateralVaultActions
    function escapeWithdrawal(uint64 requestId) external payable throughVault nonReentrant {
        _whenOutboundOpen();
        Withdrawal storage w = _withdrawals[requestId];
        if (w.account != msg.sender) revert NotRequestAccount(requestId, msg.sender);
        if (w.status != RequestStatus.Pending && w.status != RequestStatus.PayoutQueued) {
            revert InvalidRequestStatus(requestId, w.status);
        }
        uint256 availableAt = escapeAvailableAt(requestId);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < availableAt) revert EscapeTooEarly(requestId, availableAt);
        // Counted, never refused: no rate-limit setting may close the escape hatch.
        _consumeRateLimit(w.token, w.amount, true);
        _payWithdrawal(requestId, w, OmniCodec.OUTCOME_ESCAPED);
    }

    /// @inheritdoc ICollateralVaultActions
    function executePayout(uint64 requestId) external payable throughVault nonReentrant {
        _whenOutboundOpen();
        Withdrawal storage w = _withdrawals[requestId];
        if (w.status != RequestStatus.PayoutQueued) revert InvalidRequestStatus(requestId, w.status);
        if (!_consumeRateLimit(w.token, w.amount, false)) {
            revert RateLimited(w.token, w.amount, outboundAvailable(w.token));
        }
        _payWithdrawal(requestId, w, OmniCodec.OUTCOME_PAID);
    }

    /// @inheritdoc ICollateralVaultActions
    function claim(address token, address to) external throughVault nonReentrant {
        if (to == address(0)) revert ZeroAccount();
        uint256 amount = claimable[msg.sender][token];
        if (amount == 0) revert NothingToClaim(msg.sender, token);
        claimable[msg.sender][token] = 0;
        totalClaimable[token] -= amount;
        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(address(this));
        erc20.safeTransfer(to, amount);
        uint256 sent = before - erc20.balanceOf(address(this));
        if (sent > amount) revert TransferOverdrawn(token, amount, sent);
        emit Claimed(msg.sender, token, to, amount);
    }

    // ------------------------------------------------------------------ the hub's decisions

    /// @notice Applies a withdrawal decision (the vault's `lzReceive` hands it over; it is not part of the ABI users
    /// reach, since the vault forwards only `ICollateralVaultActions`'s selectors).
    /// @param message The WITHDRAW_DECISION payload.
    function decide(bytes calldata message) external throughVault {
        _decide(OmniCodec.decodeWithdrawDecision(message));
    }

    /// @dev Applies a withdrawal decision. One that arrived after its expiry is acknowledged EXPIRED and changes
    /// nothing; one that does not match an open request is consumed without effect (`DecisionIgnored`) so it cannot
    /// jam the channel; an approval over the rate limit is queued. It matches on the amount requested, and pays,
    /// queues or unfreezes what is left of it after any liquidation.
    function _decide(OmniCodec.WithdrawDecision memory d) internal {
        if (executed[d.orderId]) revert OrderAlreadyExecuted(d.orderId);
        executed[d.orderId] = true;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > d.expiry) return _ackExpired(d.orderId, d.account, d.token, d.expiry);

        Withdrawal storage w = _withdrawals[d.requestId];
        IgnoreReason reason;
        if (w.status == RequestStatus.None) reason = IgnoreReason.UnknownRequest;
        else if (w.status != RequestStatus.Pending) reason = IgnoreReason.RequestClosed;
        else if (w.account != d.account || w.token != d.token || w.requested != d.amount) reason = IgnoreReason.Mismatch;
        if (reason != IgnoreReason.None) {
            emit DecisionIgnored(d.orderId, d.requestId, reason);
            return;
        }

        if (!d.approved) {
            w.status = RequestStatus.Rejected;
            frozenOf[d.account][d.token] -= w.amount;
            _close(d.account, d.requestId);
            _sendDone(d.requestId, d.account, d.token, 0, OmniCodec.OUTCOME_REJECTED);
        } else if (_consumeRateLimit(d.token, w.amount, false)) {
            _payWithdrawal(d.requestId, w, OmniCodec.OUTCOME_PAID);
        } else {
            w.status = RequestStatus.PayoutQueued;
            w.queuedAt = uint64(block.timestamp);
            queuedOf[d.account][d.token] += w.amount;
            emit PayoutQueued(d.requestId, d.account, d.token, w.amount);
        }
    }

    /// @inheritdoc ICollateralVaultActions
    function sendOwedReply(uint64 s) external payable throughVault {
        bytes memory message = _owedReplies[s];
        if (message.length == 0) revert NoOwedReply(s);
        delete _owedReplies[s];
        _sendToHub(message, OmniCodec.hubBoundType(message));
        emit OwedReplySent(s, msg.sender);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Releases a frozen request: debits the account, pays it (or credits its claimable bucket when the transfer
    /// fails) and sends WITHDRAW_DONE from the reserve (prepaid by the request). The caller checked the status and
    /// the rate limit.
    function _payWithdrawal(uint64 requestId, Withdrawal storage w, uint8 outcome) internal {
        address account = w.account;
        address token = w.token;
        uint256 amount = w.amount;
        if (w.status == RequestStatus.PayoutQueued) queuedOf[account][token] -= amount;
        w.status = outcome == OmniCodec.OUTCOME_ESCAPED ? RequestStatus.Escaped : RequestStatus.Paid;
        frozenOf[account][token] -= amount;
        balanceOf[account][token] -= amount;
        totalDeposits[token] -= amount;
        _close(account, requestId);

        uint256 shortfall = _payOrCredit(token, account, amount);
        if (shortfall != 0) emit WithdrawalTransferFailed(requestId, account, token, shortfall);
        _sendDone(requestId, account, token, amount, outcome);
    }

    function _sendDone(uint64 requestId, address account, address token, uint256 paid, uint8 outcome) internal {
        uint256 balance = balanceOf[account][token];
        uint64 s = ++seq;
        _reply(_doneMessage(account, token, requestId, paid, balance, outcome, s), OmniCodec.WITHDRAW_DONE, s);
        emit WithdrawalClosed(requestId, account, outcome, paid, balance, s);
    }

    /// @dev Takes a closed request off its account's open list, keeping the rest in request order.
    function _close(address account, uint64 requestId) private {
        uint64[] storage open = _openRequests[account];
        uint256 n = open.length;
        uint256 i;
        while (open[i] != requestId) ++i;
        for (; i + 1 < n; ++i) {
            open[i] = open[i + 1];
        }
        open.pop();
    }

    // ------------------------------------------------------------------ served by the vault itself

    /// @inheritdoc ICollateralVault
    function rateLimit(address) external pure returns (uint64, uint256) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function pauseEnds() external pure returns (uint64, uint64) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function owedReply(uint64) external pure returns (bytes memory) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function withdrawal(uint64) external pure returns (Withdrawal memory) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function openRequests(address) external pure returns (uint64[] memory) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function quoteWithdrawalRequest(address, address, uint256) external pure returns (MessagingFee memory) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function quoteWithdrawalDone(uint64) external pure returns (MessagingFee memory) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function integratorApproved(address, address) external pure returns (bool) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function approvedIntegrators(address) external pure returns (address[] memory) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function quoteDeposit(address, address, uint256) external pure returns (MessagingFee memory) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function quoteExposure(address, bytes32, int256, uint256) external pure returns (MessagingFee memory) {
        revert NotThroughVault();
    }

    /// @inheritdoc ICollateralVault
    function quoteOrderAck() external pure returns (MessagingFee memory) {
        revert NotThroughVault();
    }

    /// @dev Orders reach the vault, never the extension.
    function _lzReceive(Origin calldata, bytes32, bytes calldata, address, bytes calldata) internal pure override {
        revert NotThroughVault();
    }
}
