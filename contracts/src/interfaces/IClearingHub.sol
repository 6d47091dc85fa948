// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MessagingFee} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";

/// @title IClearingHub
/// @notice The hub OApp: receives balance, exposure and acknowledgement messages from the vaults (one event per
/// message, consumed by the chain gateway) and dispatches the clearing network's orders back to them.
interface IClearingHub {
    /// @notice Thrown when someone other than the operator dispatches an order.
    error NotOperator(address caller);
    /// @notice Thrown when an order id has already been dispatched.
    error OrderAlreadyDispatched(bytes32 orderId);
    /// @notice Thrown when the native value sent does not cover the LayerZero fee.
    error InsufficientFee(uint256 required, uint256 provided);
    /// @notice Thrown when the operator would be set to the zero address.
    error ZeroOperator();

    /// @notice Emitted once per inbound message from a vault; `payload` is the raw, validated payload.
    event MessageReceived(uint32 indexed srcEid, bytes32 indexed guid, uint64 nonce, uint8 msgType, bytes payload);
    /// @notice Emitted when an order has been sent to the vault on `dstEid`.
    event OrderDispatched(bytes32 indexed orderId, uint32 indexed dstEid, bytes32 guid);
    /// @notice Emitted instead of `MessageReceived` when a vault message carries a sequence number the hub has already
    /// accepted from that vault: the duplicate is consumed (so it cannot jam the path) and changes nothing.
    event DuplicateIgnored(uint32 indexed srcEid, bytes32 indexed guid, uint64 nonce, uint64 seq);
    /// @notice Emitted when the operator changes.
    event OperatorSet(address indexed previousOperator, address indexed newOperator);

    /// @notice The account allowed to dispatch orders (the clearing network's executor).
    function operator() external view returns (address);

    /// @notice Whether an order id has already been dispatched.
    function dispatched(bytes32 orderId) external view returns (bool);

    /// @notice The highest sequence number accepted from the current peer vault on `srcEid` (0 before the first).
    /// @dev Tracked per (eid, peer address): a vault redeployed at a new address and set as the peer starts afresh.
    /// Delivery may be out of order, so a sequence number below `lastSeq` may still be unseen; see `seqSeen`.
    function lastSeq(uint32 srcEid) external view returns (uint64);

    /// @notice Whether a sequence number from the current peer vault on `srcEid` has already been accepted.
    function seqSeen(uint32 srcEid, uint64 seq) external view returns (bool);

    /// @notice Replaces the operator. Only the owner.
    /// @param newOperator The new operator.
    function setOperator(address newOperator) external;

    /// @notice Quotes the LayerZero fee of a liquidation order.
    /// @param dstEid The endpoint id of the vault's chain.
    /// @param orderId The order id (see OmniCodec.liquidationOrderId).
    /// @param account The account whose collateral is seized.
    /// @param token The collateral token.
    /// @param amount The amount to seize, in token base units.
    /// @param recipient Who receives the seized collateral.
    /// @return fee The fee to send as `msg.value` with `dispatchLiquidation`.
    function quoteLiquidation(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient
    ) external view returns (MessagingFee memory fee);

    /// @notice Sends a liquidation order to the vault on `dstEid`. Only the operator; each order id at most once.
    /// @dev `msg.value` must cover the quote; the endpoint refunds the excess to `msg.sender`.
    /// @param dstEid The endpoint id of the vault's chain.
    /// @param orderId The order id (see OmniCodec.liquidationOrderId).
    /// @param account The account whose collateral is seized.
    /// @param token The collateral token.
    /// @param amount The amount to seize, in token base units.
    /// @param recipient Who receives the seized collateral.
    /// @return guid The LayerZero message guid.
    function dispatchLiquidation(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient
    ) external payable returns (bytes32 guid);
}
