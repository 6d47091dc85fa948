// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OApp, Origin, MessagingFee} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {OAppOptionsType3} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {IOmniIntegrator} from "./interfaces/IOmniIntegrator.sol";
import {OmniCodec} from "./libraries/OmniCodec.sol";

// 22 state variables, past solhint's 15: most are ICollateralVault's public getters, and folding them into structs
// would change the ABI and the storage layout for the sake of a count.
// solhint-disable max-states-count

/// @title CollateralVault
/// @notice The spoke OApp. Holds allow-listed ERC-20 collateral; sends every balance change, withdrawal request and
/// exposure reported by an integrated protocol to the hub with a per-vault sequence number; executes the hub's
/// liquidation orders and withdrawal decisions once each and tells the hub what really happened.
/// @dev Accounting: `balanceOf` is an account's total (frozen included), `totalDeposits` their sum per token, and
/// `claimable` what the vault owes outside balances (transfers that failed on a receive path). The vault's token
/// balance always equals `totalDeposits + totalClaimable`.
/// Receive paths (`lzReceive`) never revert on a token's behaviour: a transfer that reverts, returns `false` or moves
/// less out of the vault than asked is credited to the receiver's `claimable` bucket instead. They may still revert,
/// retryably, when the native ack reserve cannot pay the reply, while inbound is paused, or with too little gas.
/// Acknowledgements (ORDER_ACK, and WITHDRAW_DONE after a decision) are paid from the vault's native reserve, funded
/// through `receive`. Ownership moves in two steps (`Ownable2Step`).
/// Reentrancy: every entry point that moves tokens or measures the vault's balance around a transfer (`deposit`,
/// `depositFor`, `escapeWithdrawal`, `executePayout`, `claim` and `lzReceive`) holds one transient lock
/// (`ReentrancyGuardTransient`), so a token that calls back during a transfer (ERC-777 hooks) cannot re-enter any of
/// them and be counted twice. On a receive path the refused re-entry reverts inside the token call, which
/// `_payOrCredit` already treats as a failed transfer.
contract CollateralVault is OApp, OAppOptionsType3, Ownable2Step, ReentrancyGuardTransient, ICollateralVault {
    using SafeERC20 for IERC20;
    using OptionsBuilder for bytes;

    /// @notice Executor gas for the hub's `lzReceive` of a vault message when no enforced option is set for it
    /// (the hub validates the payload, records the seq and emits one event; see contracts/README.md for figures).
    uint128 public constant DEFAULT_HUB_GAS = 100_000;

    /// @notice The most integrators one account may approve at a time.
    uint256 public constant MAX_INTEGRATORS = 8;

    /// @notice The gas each integrator's `onLiquidated` callback gets.
    uint256 public constant INTEGRATOR_CALLBACK_GAS = 40_000;

    /// @notice The shortest configurable escape delay.
    uint64 public constant MIN_ESCAPE_DELAY = 1 days;

    /// @notice The longest configurable escape delay.
    uint64 public constant MAX_ESCAPE_DELAY = 30 days;

    /// @notice The escape delay a new vault starts with.
    uint64 public constant DEFAULT_ESCAPE_DELAY = 3 days;

    /// @dev Gas kept back per callback beyond the stipend: the 1/64 the CALL withholds, plus the call and the loop.
    uint256 private constant _CALLBACK_OVERHEAD = 10_000;

    /// @dev Per token: the rate limit configuration and the current window's usage.
    struct RateLimitState {
        uint64 window;
        uint64 windowIndex;
        uint256 maxAmount;
        uint256 used;
    }

    // Not SNAKE_CASE: the name is the `hubEid()` getter of ICollateralVault, part of the ABI.
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
    mapping(address token => bool) public isCollateral;

    /// @inheritdoc ICollateralVault
    mapping(address integrator => bool) public isIntegrator;

    /// @inheritdoc ICollateralVault
    mapping(address account => mapping(address token => uint256)) public balanceOf;

    /// @inheritdoc ICollateralVault
    mapping(address account => mapping(address token => uint256)) public frozenOf;

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
    address public guardian;

    /// @inheritdoc ICollateralVault
    bool public outboundPaused;

    /// @inheritdoc ICollateralVault
    bool public inboundPaused;

    mapping(uint64 requestId => Withdrawal) private _withdrawals;
    mapping(address token => RateLimitState) private _rateLimits;
    mapping(address account => address[]) private _integrators;
    /// @dev 1-based position of an integrator in `_integrators[account]`; 0 = not approved.
    mapping(address account => mapping(address integrator => uint256)) private _integratorIndex;

    /// @dev Set while a reply to the hub is being sent from `lzReceive`: its fee comes from the reserve.
    bool private transient _payFromReserve;

    /// @notice Deploys a vault with no collateral allow-listed, no peer, no guardian and the default escape delay.
    /// @param endpoint_ The LayerZero EndpointV2 on this chain.
    /// @param owner_ The owner (also the endpoint delegate): configures peers, options and allow-lists.
    /// @param hubEid_ The hub's endpoint id.
    /// @param insuranceFund_ Receives the insurance part of every liquidation (not zero).
    constructor(address endpoint_, address owner_, uint32 hubEid_, address insuranceFund_)
        OApp(endpoint_, owner_)
        Ownable(owner_)
    {
        hubEid = hubEid_;
        _setInsuranceFund(insuranceFund_);
    }

    /// @notice Funds the native reserve that pays for acknowledgements to the hub.
    receive() external payable {
        emit AckReserveFunded(msg.sender, msg.value);
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

    // ------------------------------------------------------------------ views

    /// @inheritdoc ICollateralVault
    function withdrawal(uint64 requestId) external view returns (Withdrawal memory) {
        return _withdrawals[requestId];
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
    function rateLimit(address token) external view returns (uint64 window, uint256 maxAmount) {
        RateLimitState storage r = _rateLimits[token];
        return (r.window, r.maxAmount);
    }

    /// @inheritdoc ICollateralVault
    function outboundAvailable(address token) public view returns (uint256) {
        RateLimitState storage r = _rateLimits[token];
        if (r.maxAmount == 0) return type(uint256).max;
        // forge-lint: disable-next-line(block-timestamp)
        uint256 used = r.windowIndex == block.timestamp / r.window ? r.used : 0;
        return r.maxAmount - used;
    }

    // ------------------------------------------------------------------ admin

    /// @inheritdoc ICollateralVault
    function setCollateral(address token, bool allowed) external onlyOwner {
        isCollateral[token] = allowed;
        emit CollateralSet(token, allowed);
    }

    /// @inheritdoc ICollateralVault
    function setIntegrator(address integrator, bool allowed) external onlyOwner {
        isIntegrator[integrator] = allowed;
        emit IntegratorSet(integrator, allowed);
    }

    /// @inheritdoc ICollateralVault
    function setCaps(address token, uint256 depositCap_, uint256 accountCap_) external onlyOwner {
        depositCap[token] = depositCap_;
        accountCap[token] = accountCap_;
        emit CapsSet(token, depositCap_, accountCap_);
    }

    /// @inheritdoc ICollateralVault
    function setRateLimit(address token, uint64 window, uint256 maxAmount) external onlyOwner {
        if ((window == 0) != (maxAmount == 0)) revert InvalidRateLimit(window, maxAmount);
        // A new configuration starts a fresh window.
        _rateLimits[token] = RateLimitState({
            window: window,
            windowIndex: window == 0 ? 0 : uint64(block.timestamp / window),
            maxAmount: maxAmount,
            used: 0
        });
        emit RateLimitSet(token, window, maxAmount);
    }

    /// @inheritdoc ICollateralVault
    function setEscapeDelay(uint64 delay) external onlyOwner {
        if (delay < MIN_ESCAPE_DELAY || delay > MAX_ESCAPE_DELAY) revert EscapeDelayOutOfBounds(delay);
        escapeDelay = delay;
        emit EscapeDelaySet(delay);
    }

    /// @inheritdoc ICollateralVault
    function setInsuranceFund(address fund) external onlyOwner {
        _setInsuranceFund(fund);
    }

    /// @inheritdoc ICollateralVault
    function setGuardian(address newGuardian) external onlyOwner {
        emit GuardianSet(guardian, newGuardian);
        guardian = newGuardian;
    }

    /// @inheritdoc ICollateralVault
    function setOutboundPaused(bool paused) external {
        _checkPauser(paused);
        outboundPaused = paused;
        emit OutboundPausedSet(msg.sender, paused);
    }

    /// @inheritdoc ICollateralVault
    function setInboundPaused(bool paused) external {
        _checkPauser(paused);
        inboundPaused = paused;
        emit InboundPausedSet(msg.sender, paused);
    }

    /// @inheritdoc ICollateralVault
    function withdrawAckReserve(address payable to, uint256 amount) external onlyOwner {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert NativeTransferFailed(to, amount);
        emit AckReserveWithdrawn(to, amount);
    }

    /// @dev Pausing: the guardian or the owner. Unpausing: the owner only (a compromised guardian can stop the vault
    /// but not undo the owner's pause).
    function _checkPauser(bool paused) internal view {
        if (msg.sender == owner()) return;
        if (!paused || msg.sender != guardian) revert NotGuardian(msg.sender);
    }

    function _setInsuranceFund(address fund) internal {
        if (fund == address(0)) revert ZeroInsuranceFund();
        emit InsuranceFundSet(insuranceFund, fund);
        insuranceFund = fund;
    }

    // ------------------------------------------------------------------ deposits

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
    function deposit(address token, uint256 amount) external payable nonReentrant {
        _deposit(msg.sender, token, amount);
    }

    /// @inheritdoc ICollateralVault
    function depositFor(address account, address token, uint256 amount) external payable nonReentrant {
        if (account == address(0)) revert ZeroAccount();
        _deposit(account, token, amount);
    }

    /// @dev Pulls `amount` from `msg.sender`, credits what really arrived to `account` within the caps, and reports
    /// the new balance to the hub (fee paid by `msg.sender`).
    function _deposit(address account, address token, uint256 amount) internal {
        if (outboundPaused) revert OutboundPaused();
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

    /// @inheritdoc ICollateralVault
    function approveIntegrator(address integrator, bool approved) external {
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
    function reportExposure(address account, bytes32 market, int256 size, uint256 entryPrice) external payable {
        if (outboundPaused) revert OutboundPaused();
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

    /// @inheritdoc ICollateralVault
    function quoteWithdrawalRequest(address account, address token, uint256 amount)
        external
        view
        returns (MessagingFee memory fee)
    {
        bytes memory message = _requestMessage(account, token, amount, lastRequestId + 1, seq + 1);
        return _quote(hubEid, message, _options(OmniCodec.WITHDRAW_REQUEST), false);
    }

    /// @inheritdoc ICollateralVault
    function requestWithdrawal(address token, uint256 amount) external payable returns (uint64 requestId) {
        if (outboundPaused) revert OutboundPaused();
        if (amount == 0) revert ZeroAmount();
        uint256 frozen = frozenOf[msg.sender][token];
        uint256 available = balanceOf[msg.sender][token] - frozen;
        if (amount > available) revert InsufficientUnfrozenBalance(amount, available);

        frozenOf[msg.sender][token] = frozen + amount;
        requestId = ++lastRequestId;
        _withdrawals[requestId] = Withdrawal({
            account: msg.sender,
            requestedAt: uint64(block.timestamp),
            status: RequestStatus.Pending,
            token: token,
            amount: amount
        });
        uint64 s = ++seq;
        _sendToHub(_requestMessage(msg.sender, token, amount, requestId, s), OmniCodec.WITHDRAW_REQUEST);
        emit WithdrawalRequested(requestId, msg.sender, token, amount, s);
    }

    /// @inheritdoc ICollateralVault
    function quoteWithdrawalDone(uint64 requestId) external view returns (MessagingFee memory fee) {
        Withdrawal storage w = _withdrawals[requestId];
        uint256 balance = balanceOf[w.account][w.token];
        uint256 after_ = balance > w.amount ? balance - w.amount : 0;
        bytes memory message =
            _doneMessage(w.account, w.token, requestId, w.amount, after_, OmniCodec.OUTCOME_PAID, seq + 1);
        return _quote(hubEid, message, _options(OmniCodec.WITHDRAW_DONE), false);
    }

    /// @inheritdoc ICollateralVault
    function escapeWithdrawal(uint64 requestId) external payable nonReentrant {
        if (outboundPaused) revert OutboundPaused();
        Withdrawal storage w = _withdrawals[requestId];
        if (w.account != msg.sender) revert NotRequestAccount(requestId, msg.sender);
        if (w.status != RequestStatus.Pending) revert InvalidRequestStatus(requestId, w.status);
        uint256 availableAt = uint256(w.requestedAt) + escapeDelay;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < availableAt) revert EscapeTooEarly(requestId, availableAt);
        _consumeRateLimitOrRevert(w.token, w.amount);
        _payWithdrawal(requestId, w, OmniCodec.OUTCOME_ESCAPED, false);
    }

    /// @inheritdoc ICollateralVault
    function executePayout(uint64 requestId) external payable nonReentrant {
        if (outboundPaused) revert OutboundPaused();
        Withdrawal storage w = _withdrawals[requestId];
        if (w.status != RequestStatus.PayoutQueued) revert InvalidRequestStatus(requestId, w.status);
        _consumeRateLimitOrRevert(w.token, w.amount);
        _payWithdrawal(requestId, w, OmniCodec.OUTCOME_PAID, false);
    }

    /// @inheritdoc ICollateralVault
    function claim(address token, address to) external nonReentrant {
        if (to == address(0)) revert ZeroAccount();
        uint256 amount = claimable[msg.sender][token];
        if (amount == 0) revert NothingToClaim(msg.sender, token);
        claimable[msg.sender][token] = 0;
        totalClaimable[token] -= amount;
        IERC20(token).safeTransfer(to, amount);
        emit Claimed(msg.sender, token, to, amount);
    }

    /// @dev Releases a frozen request: debits the account, pays it (or credits its claimable bucket when the transfer
    /// fails) and sends WITHDRAW_DONE (paid by the caller, or by the reserve when replying to a decision). The caller
    /// checked the status and the rate limit.
    function _payWithdrawal(uint64 requestId, Withdrawal storage w, uint8 outcome, bool fromReserve) internal {
        address account = w.account;
        address token = w.token;
        uint256 amount = w.amount;
        w.status = outcome == OmniCodec.OUTCOME_ESCAPED ? RequestStatus.Escaped : RequestStatus.Paid;
        frozenOf[account][token] -= amount;
        balanceOf[account][token] -= amount;
        totalDeposits[token] -= amount;

        uint256 shortfall = _payOrCredit(token, account, amount);
        if (shortfall != 0) emit WithdrawalTransferFailed(requestId, account, token, shortfall);
        _sendDone(requestId, account, token, amount, outcome, fromReserve);
    }

    function _sendDone(uint64 requestId, address account, address token, uint256 paid, uint8 outcome, bool fromReserve)
        internal
    {
        uint256 balance = balanceOf[account][token];
        uint64 s = ++seq;
        bytes memory message = _doneMessage(account, token, requestId, paid, balance, outcome, s);
        if (fromReserve) _sendFromReserve(message, OmniCodec.WITHDRAW_DONE);
        else _sendToHub(message, OmniCodec.WITHDRAW_DONE);
        emit WithdrawalClosed(requestId, account, outcome, paid, balance, s);
    }

    /// @dev Counts `amount` against the token's outbound limit in the current window; false (and nothing counted)
    /// when it does not fit.
    function _consumeRateLimit(address token, uint256 amount) internal returns (bool) {
        RateLimitState storage r = _rateLimits[token];
        if (r.maxAmount == 0) return true;
        uint64 index = uint64(block.timestamp / r.window);
        uint256 used = r.windowIndex == index ? r.used : 0;
        if (amount > r.maxAmount - used) return false;
        r.windowIndex = index;
        r.used = used + amount;
        return true;
    }

    function _consumeRateLimitOrRevert(address token, uint256 amount) internal {
        if (!_consumeRateLimit(token, amount)) revert RateLimited(token, amount, outboundAvailable(token));
    }

    // ------------------------------------------------------------------ orders

    /// @inheritdoc ICollateralVault
    function quoteOrderAck() external view returns (MessagingFee memory fee) {
        bytes memory message = _ackMessage(bytes32(0), address(0), address(0), 0, 0, seq + 1);
        return _quote(hubEid, message, _options(OmniCodec.ORDER_ACK), false);
    }

    /// @dev Executes the hub's orders. The peer check (OApp) and the hub eid check make the hub the only source;
    /// any revert (including `InboundPaused` and a short ack reserve) leaves the message retryable in the endpoint.
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
        if (inboundPaused) revert InboundPaused();
        if (OmniCodec.spokeBoundType(message) == OmniCodec.LIQUIDATE) {
            _liquidate(OmniCodec.decodeLiquidate(message));
        } else {
            _decide(OmniCodec.decodeWithdrawDecision(message));
        }
    }

    /// @dev Seizes min(amount, unfrozen balance), splits it between the insurance fund (pro rata, rounded up) and the
    /// recipient, acknowledges the hub, then tells the account's integrators.
    function _liquidate(OmniCodec.Liquidate memory order) internal {
        if (executed[order.orderId]) revert OrderAlreadyExecuted(order.orderId);
        executed[order.orderId] = true;

        uint256 balance = balanceOf[order.account][order.token];
        uint256 seized = Math.min(order.amount, balance - frozenOf[order.account][order.token]);
        uint256 insurancePaid =
            seized == 0 ? 0 : Math.mulDiv(order.insuranceAmount, seized, order.amount, Math.Rounding.Ceil);
        balance -= seized;
        balanceOf[order.account][order.token] = balance;
        totalDeposits[order.token] -= seized;

        _payLiquidation(order.orderId, order.token, insuranceFund, insurancePaid);
        _payLiquidation(order.orderId, order.token, order.recipient, seized - insurancePaid);
        emit Liquidated(order.orderId, order.account, order.token, order.amount, seized, order.recipient, insurancePaid);

        _sendFromReserve(
            _ackMessage(order.orderId, order.account, order.token, seized, balance, ++seq), OmniCodec.ORDER_ACK
        );
        _notifyIntegrators(order.account, order.orderId, order.token, seized);
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

    /// @dev Applies a withdrawal decision. A decision that does not match an open request is consumed without effect
    /// (`DecisionIgnored`) so it cannot jam the channel; an approval over the rate limit is queued.
    function _decide(OmniCodec.WithdrawDecision memory d) internal {
        if (executed[d.orderId]) revert OrderAlreadyExecuted(d.orderId);
        executed[d.orderId] = true;

        Withdrawal storage w = _withdrawals[d.requestId];
        IgnoreReason reason;
        if (w.status == RequestStatus.None) reason = IgnoreReason.UnknownRequest;
        else if (w.status != RequestStatus.Pending) reason = IgnoreReason.RequestClosed;
        else if (w.account != d.account || w.token != d.token || w.amount != d.amount) reason = IgnoreReason.Mismatch;
        if (reason != IgnoreReason.None) {
            emit DecisionIgnored(d.orderId, d.requestId, reason);
            return;
        }

        if (!d.approved) {
            w.status = RequestStatus.Rejected;
            frozenOf[d.account][d.token] -= d.amount;
            _sendDone(d.requestId, d.account, d.token, 0, OmniCodec.OUTCOME_REJECTED, true);
        } else if (_consumeRateLimit(d.token, d.amount)) {
            _payWithdrawal(d.requestId, w, OmniCodec.OUTCOME_PAID, true);
        } else {
            w.status = RequestStatus.PayoutQueued;
            emit PayoutQueued(d.requestId, d.account, d.token, d.amount);
        }
    }

    /// @dev Transfers `amount` of `token` to `to` without ever reverting on the token's behaviour: whatever did not
    /// leave the vault (the call reverted, returned false, or moved less) is credited to `to`'s claimable bucket.
    /// Measured at the vault, so the vault's balance stays equal to balances + claimables; a token that charges the
    /// receiver a fee in transit delivers less to `to`, as it does on deposit. Returns the credited shortfall.
    function _payOrCredit(address token, address to, uint256 amount) internal returns (uint256 shortfall) {
        if (amount == 0) return 0;
        uint256 before = IERC20(token).balanceOf(address(this));
        // A low-level call, not SafeERC20, so that a reverting token cannot revert the receive path; the outcome is
        // read from the balance change below, not from the call's return value.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok,) = token.call(abi.encodeCall(IERC20.transfer, (to, amount)));
        uint256 sent = ok ? before - Math.min(before, IERC20(token).balanceOf(address(this))) : 0;
        if (sent >= amount) return 0;
        shortfall = amount - sent;
        // `reentrancy` sees `IERC20.transfer` above (an ERC-20 call, not an ether transfer): the credit is what the
        // call failed to move, so it can only be written after it; every caller holds the reentrancy lock, so a
        // transfer hook cannot re-enter a token-moving entry point in between.
        // solhint-disable-next-line reentrancy
        claimable[to][token] += shortfall;
        // solhint-disable-next-line reentrancy
        totalClaimable[token] += shortfall;
    }

    // ------------------------------------------------------------------ sending

    /// @dev Sends a reply from `lzReceive`, its fee paid from the native reserve.
    function _sendFromReserve(bytes memory message, uint16 msgType) internal {
        _payFromReserve = true;
        _sendToHub(message, msgType);
        _payFromReserve = false;
    }

    /// @dev Quotes and sends a hub-bound message. The refund goes to the payer: the caller, or the reserve itself.
    function _sendToHub(bytes memory message, uint16 msgType) internal {
        bytes memory options = _options(msgType);
        MessagingFee memory fee = _quote(hubEid, message, options, false);
        _lzSend(hubEid, message, options, fee, _payFromReserve ? address(this) : msg.sender);
    }

    /// @dev User-initiated sends accept any `msg.value` covering the fee and forward all of it (the endpoint refunds
    /// the excess to the caller); replies pay exactly the fee from the reserve, and revert when it is short so that
    /// the order stays retryable. OAppSender's default insists on `msg.value == fee`.
    function _payNative(uint256 nativeFee) internal view override returns (uint256) {
        if (_payFromReserve) {
            if (address(this).balance < nativeFee) revert InsufficientAckReserve(nativeFee, address(this).balance);
            return nativeFee;
        }
        if (msg.value < nativeFee) revert InsufficientFee(nativeFee, msg.value);
        return msg.value;
    }

    /// @dev The enforced options for (hub, type) if the owner set them, else an executor lzReceive gas default.
    function _options(uint16 msgType) internal view returns (bytes memory) {
        bytes memory enforced = enforcedOptions[hubEid][msgType];
        if (enforced.length != 0) return enforced;
        return OptionsBuilder.newOptions().addExecutorLzReceiveOption(DEFAULT_HUB_GAS, 0);
    }

    // ------------------------------------------------------------------ payloads

    function _balanceMessage(address account, address token, uint256 balance, int256 delta, uint64 s)
        internal
        pure
        returns (bytes memory)
    {
        return OmniCodec.encodeBalance(
            OmniCodec.Balance({account: account, token: token, balance: balance, delta: delta, seq: s})
        );
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

    function _ackMessage(bytes32 orderId, address account, address token, uint256 seized, uint256 balance, uint64 s)
        internal
        pure
        returns (bytes memory)
    {
        return OmniCodec.encodeOrderAck(
            OmniCodec.OrderAck({
                orderId: orderId,
                account: account,
                token: token,
                seized: seized,
                balance: balance,
                status: OmniCodec.ACK_EXECUTED,
                seq: s
            })
        );
    }
}
