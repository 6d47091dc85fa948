// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OApp, Origin, MessagingFee} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {OAppOptionsType3} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {OmniCodec} from "./libraries/OmniCodec.sol";

/// @title CollateralVault
/// @notice The spoke OApp. Holds allow-listed ERC-20 collateral; sends every balance change and every exposure
/// reported by an integrated protocol to the hub with a per-vault sequence number; executes the hub's liquidation
/// orders once each and acknowledges what it really seized.
/// @dev Acknowledgements are sent from inside `lzReceive`, so their fee comes from the vault's native "ack reserve"
/// (funded by the operator through `receive`). Withdrawals (WITHDRAW_REQUEST / WITHDRAW_DECISION) come later.
/// Deposits are capped per token (vault total and per account); a guardian can pause either direction; ownership
/// moves in two steps (`Ownable2Step`).
contract CollateralVault is OApp, OAppOptionsType3, Ownable2Step, ICollateralVault {
    using SafeERC20 for IERC20;
    using OptionsBuilder for bytes;

    /// @notice Executor gas for the hub's `lzReceive` of a vault message when no enforced option is set for it
    /// (the hub validates the payload and emits one event; measured in the tests with a wide margin).
    uint128 public constant DEFAULT_HUB_GAS = 100_000;

    /// @inheritdoc ICollateralVault
    uint32 public immutable hubEid;

    /// @inheritdoc ICollateralVault
    uint64 public seq;

    /// @inheritdoc ICollateralVault
    mapping(address token => bool) public isCollateral;

    /// @inheritdoc ICollateralVault
    mapping(address protocol => bool) public isProtocol;

    /// @inheritdoc ICollateralVault
    mapping(address account => mapping(address token => uint256)) public balanceOf;

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

    /// @dev Set while an acknowledgement is being sent: its fee comes from the reserve, not from `msg.value`.
    bool private transient _payFromReserve;

    /// @param endpoint_ The LayerZero EndpointV2 on this chain.
    /// @param owner_ The owner (also the endpoint delegate): configures peers, options and allow-lists.
    /// @param hubEid_ The hub's endpoint id.
    constructor(address endpoint_, address owner_, uint32 hubEid_) OApp(endpoint_, owner_) Ownable(owner_) {
        hubEid = hubEid_;
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

    // ------------------------------------------------------------------ admin

    /// @inheritdoc ICollateralVault
    function setCollateral(address token, bool allowed) external onlyOwner {
        isCollateral[token] = allowed;
        emit CollateralSet(token, allowed);
    }

    /// @inheritdoc ICollateralVault
    function setProtocol(address protocol, bool allowed) external onlyOwner {
        isProtocol[protocol] = allowed;
        emit ProtocolSet(protocol, allowed);
    }

    /// @inheritdoc ICollateralVault
    function setCaps(address token, uint256 depositCap_, uint256 accountCap_) external onlyOwner {
        depositCap[token] = depositCap_;
        accountCap[token] = accountCap_;
        emit CapsSet(token, depositCap_, accountCap_);
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

    /// @dev Pausing: the guardian or the owner. Unpausing: the owner only (a compromised guardian can stop the vault
    /// but not undo the owner's pause).
    function _checkPauser(bool paused) internal view {
        if (msg.sender == owner()) return;
        if (!paused || msg.sender != guardian) revert NotGuardian(msg.sender);
    }

    /// @inheritdoc ICollateralVault
    function withdrawAckReserve(address payable to, uint256 amount) external onlyOwner {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert NativeTransferFailed(to, amount);
        emit AckReserveWithdrawn(to, amount);
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
    function deposit(address token, uint256 amount) external payable {
        _deposit(msg.sender, token, amount);
    }

    /// @inheritdoc ICollateralVault
    function depositFor(address account, address token, uint256 amount) external payable {
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

    // ------------------------------------------------------------------ exposures

    /// @inheritdoc ICollateralVault
    function quoteExposure(address account, uint256 exposure) external view returns (MessagingFee memory fee) {
        bytes memory message = _exposureMessage(account, msg.sender, exposure, seq + 1);
        return _quote(hubEid, message, _options(OmniCodec.EXPOSURE), false);
    }

    /// @inheritdoc ICollateralVault
    function reportExposure(address account, uint256 exposure) external payable {
        if (outboundPaused) revert OutboundPaused();
        if (!isProtocol[msg.sender]) revert NotProtocol(msg.sender);
        uint64 s = ++seq;
        _sendToHub(_exposureMessage(account, msg.sender, exposure, s), OmniCodec.EXPOSURE);
        emit ExposureReported(account, msg.sender, exposure, s);
    }

    // ------------------------------------------------------------------ orders

    /// @inheritdoc ICollateralVault
    function quoteOrderAck() external view returns (MessagingFee memory fee) {
        bytes memory message = _ackMessage(bytes32(0), address(0), address(0), 0, 0, seq + 1);
        return _quote(hubEid, message, _options(OmniCodec.ORDER_ACK), false);
    }

    /// @dev Executes the hub's orders. The peer check (OApp) and the hub eid check make the hub the only source;
    /// any revert (including `InboundPaused`) leaves the message retryable in the endpoint.
    function _lzReceive(
        Origin calldata origin,
        bytes32, /* guid */
        bytes calldata message,
        address, /* executor */
        bytes calldata /* extraData */
    )
        internal
        override
    {
        if (origin.srcEid != hubEid) revert NotHub(origin.srcEid);
        if (inboundPaused) revert InboundPaused();
        uint8 t = OmniCodec.spokeBoundType(message);
        if (t != OmniCodec.LIQUIDATE) revert UnsupportedOrder(t);
        _liquidate(OmniCodec.decodeLiquidate(message));
    }

    function _liquidate(OmniCodec.Liquidate memory order) internal {
        if (executed[order.orderId]) revert OrderAlreadyExecuted(order.orderId);
        executed[order.orderId] = true;

        uint256 balance = balanceOf[order.account][order.token];
        uint256 seized = order.amount < balance ? order.amount : balance;
        balance -= seized;
        balanceOf[order.account][order.token] = balance;
        totalDeposits[order.token] -= seized;
        if (seized != 0) IERC20(order.token).safeTransfer(order.recipient, seized);
        emit Liquidated(order.orderId, order.account, order.token, order.amount, seized, order.recipient);

        bytes memory ack = _ackMessage(order.orderId, order.account, order.token, seized, balance, ++seq);
        _payFromReserve = true;
        _sendToHub(ack, OmniCodec.ORDER_ACK);
        _payFromReserve = false;
    }

    // ------------------------------------------------------------------ sending

    /// @dev Quotes and sends a hub-bound message. The refund goes to the payer: the caller, or the reserve itself.
    function _sendToHub(bytes memory message, uint16 msgType) internal {
        bytes memory options = _options(msgType);
        MessagingFee memory fee = _quote(hubEid, message, options, false);
        _lzSend(hubEid, message, options, fee, _payFromReserve ? address(this) : msg.sender);
    }

    /// @dev User-initiated sends accept any `msg.value` covering the fee and forward all of it (the endpoint refunds
    /// the excess to the caller); acknowledgements pay exactly the fee from the reserve, and revert when it is short
    /// so that the order stays retryable. OAppSender's default insists on `msg.value == fee`.
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

    function _exposureMessage(address account, address protocol, uint256 exposure, uint64 s)
        internal
        pure
        returns (bytes memory)
    {
        return OmniCodec.encodeExposure(
            OmniCodec.Exposure({account: account, protocol: protocol, exposure: exposure, seq: s})
        );
    }

    function _ackMessage(bytes32 orderId, address account, address token, uint256 seized, uint256 balance, uint64 s)
        internal
        pure
        returns (bytes memory)
    {
        return OmniCodec.encodeOrderAck(
            OmniCodec.OrderAck({
                orderId: orderId, account: account, token: token, seized: seized, balance: balance, seq: s
            })
        );
    }
}
