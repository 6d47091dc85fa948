// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MessagingFee} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";

/// @title ICollateralVault
/// @notice The spoke OApp: holds allow-listed ERC-20 collateral, reports every balance and exposure change to the
/// hub, and executes the hub's orders.
interface ICollateralVault {
    /// @notice Thrown when a token is not allow-listed as collateral.
    error CollateralNotAllowed(address token);
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when the native value sent does not cover the LayerZero fee.
    error InsufficientFee(uint256 required, uint256 provided);
    /// @notice Thrown when a caller that is not an allow-listed protocol reports an exposure.
    error NotProtocol(address caller);
    /// @notice Thrown when a message arrives from another endpoint than the hub's.
    error NotHub(uint32 srcEid);
    /// @notice Thrown when an order id has already been executed.
    error OrderAlreadyExecuted(bytes32 orderId);
    /// @notice Thrown when the vault cannot pay an acknowledgement's fee from its native reserve.
    error InsufficientAckReserve(uint256 required, uint256 available);
    /// @notice Thrown for order types this vault does not execute yet.
    error UnsupportedOrder(uint8 msgType);
    /// @notice Thrown when a native transfer out of the reserve fails.
    error NativeTransferFailed(address to, uint256 amount);
    /// @notice Thrown when a deposit is credited to the zero address.
    error ZeroAccount();
    /// @notice Thrown when a deposit would take the vault's total of a token above its deposit cap.
    error DepositCapExceeded(address token, uint256 cap, uint256 total);
    /// @notice Thrown when a deposit would take an account's balance of a token above the per-account cap.
    error AccountCapExceeded(address account, address token, uint256 cap, uint256 balance);
    /// @notice Thrown when someone other than the guardian or the owner pauses, or other than the owner unpauses.
    error NotGuardian(address caller);
    /// @notice Thrown when a user action that sends to the hub (deposit, exposure report) is paused.
    error OutboundPaused();
    /// @notice Thrown (inside `lzReceive`, so LayerZero keeps the message for a retry) while order execution is paused.
    error InboundPaused();

    /// @notice Emitted when a token is added to or removed from the collateral allow-list.
    event CollateralSet(address indexed token, bool allowed);
    /// @notice Emitted when a protocol is added to or removed from the protocol allow-list.
    event ProtocolSet(address indexed protocol, bool allowed);
    /// @notice Emitted on a deposit; `amount` is what the vault really received.
    event Deposited(address indexed account, address indexed token, uint256 amount, uint256 balance, uint64 seq);
    /// @notice Emitted when a protocol reports an account's exposure.
    event ExposureReported(address indexed account, address indexed protocol, uint256 exposure, uint64 seq);
    /// @notice Emitted when a liquidation order is executed.
    event Liquidated(
        bytes32 indexed orderId,
        address indexed account,
        address indexed token,
        uint256 requested,
        uint256 seized,
        address recipient
    );
    /// @notice Emitted when the owner sets a token's caps (0 = no cap).
    event CapsSet(address indexed token, uint256 depositCap, uint256 accountCap);
    /// @notice Emitted when the guardian changes.
    event GuardianSet(address indexed previousGuardian, address indexed newGuardian);
    /// @notice Emitted when user actions towards the hub are paused or unpaused.
    event OutboundPausedSet(address indexed by, bool paused);
    /// @notice Emitted when the execution of inbound orders is paused or unpaused.
    event InboundPausedSet(address indexed by, bool paused);
    /// @notice Emitted when the native acknowledgement reserve is funded.
    event AckReserveFunded(address indexed from, uint256 amount);
    /// @notice Emitted when the owner withdraws from the native acknowledgement reserve.
    event AckReserveWithdrawn(address indexed to, uint256 amount);

    /// @notice The hub's LayerZero endpoint id; the only source of orders.
    function hubEid() external view returns (uint32);

    /// @notice The counter of hub-bound messages: the last one sent carried this value.
    function seq() external view returns (uint64);

    /// @notice Whether a token is allow-listed as collateral.
    function isCollateral(address token) external view returns (bool);

    /// @notice Whether a protocol may report exposures.
    function isProtocol(address protocol) external view returns (bool);

    /// @notice An account's balance of a token in the vault, in token base units.
    function balanceOf(address account, address token) external view returns (uint256);

    /// @notice Whether an order id has already been executed.
    function executed(bytes32 orderId) external view returns (bool);

    /// @notice The sum of every account's balance of a token: what the vault owes its depositors.
    function totalDeposits(address token) external view returns (uint256);

    /// @notice The cap on `totalDeposits(token)` a deposit may reach (0 = no cap).
    function depositCap(address token) external view returns (uint256);

    /// @notice The cap on any one account's balance of a token a deposit may reach (0 = no cap).
    function accountCap(address token) external view returns (uint256);

    /// @notice The account that may pause either direction (besides the owner); zero when unset.
    function guardian() external view returns (address);

    /// @notice Whether deposits and exposure reports (user actions that send to the hub) are paused.
    function outboundPaused() external view returns (bool);

    /// @notice Whether the execution of the hub's orders is paused (deliveries revert and stay retryable).
    function inboundPaused() external view returns (bool);

    /// @notice Sets a token's deposit caps. Only the owner. Lowering a cap below the current level blocks further
    /// deposits but seizes nothing.
    /// @param token The collateral token.
    /// @param depositCap_ The cap on the vault's total of the token (0 = no cap).
    /// @param accountCap_ The cap on one account's balance of the token (0 = no cap).
    function setCaps(address token, uint256 depositCap_, uint256 accountCap_) external;

    /// @notice Replaces the guardian. Only the owner; the zero address removes the role.
    /// @param newGuardian The new guardian.
    function setGuardian(address newGuardian) external;

    /// @notice Pauses or unpauses deposits and exposure reports. The guardian or the owner may pause; only the owner
    /// may unpause.
    /// @param paused Whether to pause.
    function setOutboundPaused(bool paused) external;

    /// @notice Pauses or unpauses the execution of the hub's orders. The guardian or the owner may pause; only the
    /// owner may unpause. While paused, each delivery reverts, so LayerZero keeps it for a retry after the unpause.
    /// @param paused Whether to pause.
    function setInboundPaused(bool paused) external;

    /// @notice Allows or disallows a token as collateral. Only the owner.
    /// @param token The ERC-20 token.
    /// @param allowed Whether deposits of it are accepted.
    function setCollateral(address token, bool allowed) external;

    /// @notice Allows or disallows an integrated protocol to report exposures. Only the owner.
    /// @param protocol The protocol contract.
    /// @param allowed Whether it may call `reportExposure`.
    function setProtocol(address protocol, bool allowed) external;

    /// @notice Quotes the LayerZero fee of the BALANCE message a deposit sends.
    /// @param account The depositor.
    /// @param token The collateral token.
    /// @param amount The amount to deposit.
    /// @return fee The fee to send as `msg.value` with `deposit`.
    function quoteDeposit(address account, address token, uint256 amount)
        external
        view
        returns (MessagingFee memory fee);

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

    /// @notice Quotes the LayerZero fee of an EXPOSURE message.
    /// @param account The account.
    /// @param exposure The exposure (USD, 18 decimals).
    /// @return fee The fee to send as `msg.value` with `reportExposure`.
    function quoteExposure(address account, uint256 exposure) external view returns (MessagingFee memory fee);

    /// @notice Reports an account's exposure on the calling protocol to the hub. Only allow-listed protocols.
    /// @param account The account.
    /// @param exposure The account's exposure on the protocol (USD, 18 decimals).
    function reportExposure(address account, uint256 exposure) external payable;

    /// @notice Quotes the LayerZero fee of one ORDER_ACK, paid from the native reserve.
    /// @return fee The fee the reserve must hold for the next acknowledgement.
    function quoteOrderAck() external view returns (MessagingFee memory fee);

    /// @notice Withdraws native currency from the acknowledgement reserve. Only the owner.
    /// @param to The receiver.
    /// @param amount The amount in wei.
    function withdrawAckReserve(address payable to, uint256 amount) external;
}
