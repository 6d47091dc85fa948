// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MessagingFee} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";

/// @title IClearingHub
/// @notice The hub OApp: receives balance, exposure and acknowledgement messages from the vaults (one event per
/// message, consumed by the chain gateway) and dispatches the clearing network's orders back to them.
interface IClearingHub {
    /// @notice A liquidation order for `dispatchBatch` (fields as in `dispatchLiquidation`).
    struct LiquidationOrder {
        uint32 dstEid;
        bytes32 orderId;
        address account;
        address token;
        uint256 amount;
        address recipient;
        uint256 insuranceAmount;
    }

    /// @notice A withdrawal decision for `dispatchBatch` (fields as in `dispatchWithdrawDecision`).
    struct WithdrawDecisionOrder {
        uint32 dstEid;
        bytes32 orderId;
        address account;
        address token;
        uint256 amount;
        uint64 requestId;
        bool approved;
    }

    /// @notice Thrown when someone other than the operator dispatches an order.
    error NotOperator(address caller);
    /// @notice Thrown when an order id has already been dispatched.
    error OrderAlreadyDispatched(bytes32 orderId);
    /// @notice Thrown when the native value sent does not cover the LayerZero fee.
    error InsufficientFee(uint256 required, uint256 provided);
    /// @notice Thrown when the operator would be set to the zero address.
    error ZeroOperator();
    /// @notice Thrown when refunding a batch's excess fee to the operator fails.
    error RefundFailed(address to, uint256 amount);

    /// @notice Emitted once per inbound message from a vault (BALANCE, WITHDRAW_REQUEST, EXPOSURE, ORDER_ACK,
    /// WITHDRAW_DONE); `payload` is the raw, validated payload.
    event MessageReceived(uint32 indexed srcEid, bytes32 indexed guid, uint64 nonce, uint8 msgType, bytes payload);
    /// @notice Emitted when an order (liquidation or withdrawal decision) has been sent to the vault on `dstEid`.
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
    /// @param recipient Who receives the seized collateral less the insurance part (the liquidator).
    /// @param insuranceAmount The insurance fund's part of `amount` (≤ `amount`); scaled pro rata if less is seized.
    /// @return fee The fee to send as `msg.value` with `dispatchLiquidation`.
    function quoteLiquidation(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint256 insuranceAmount
    ) external view returns (MessagingFee memory fee);

    /// @notice Sends a liquidation order to the vault on `dstEid`. Only the operator; each order id at most once.
    /// @dev `msg.value` must cover the quote; the endpoint refunds the excess to `msg.sender`.
    /// @param dstEid The endpoint id of the vault's chain.
    /// @param orderId The order id (see OmniCodec.liquidationOrderId).
    /// @param account The account whose collateral is seized.
    /// @param token The collateral token.
    /// @param amount The amount to seize, in token base units.
    /// @param recipient Who receives the seized collateral less the insurance part (the liquidator).
    /// @param insuranceAmount The insurance fund's part of `amount` (≤ `amount`, else `InsuranceExceedsAmount`).
    /// @return guid The LayerZero message guid.
    function dispatchLiquidation(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint256 insuranceAmount
    ) external payable returns (bytes32 guid);

    /// @notice Quotes the LayerZero fee of a withdrawal decision.
    /// @param dstEid The endpoint id of the vault's chain.
    /// @param orderId The order id (see OmniCodec.withdrawDecisionOrderId).
    /// @param account The account that requested the withdrawal.
    /// @param token The collateral token.
    /// @param amount The requested amount, in token base units.
    /// @param requestId The vault's request id (from WITHDRAW_REQUEST).
    /// @param approved Whether the withdrawal is approved (paid) or rejected (unfrozen).
    /// @return fee The fee to send as `msg.value` with `dispatchWithdrawDecision`.
    function quoteWithdrawDecision(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        uint64 requestId,
        bool approved
    ) external view returns (MessagingFee memory fee);

    /// @notice Sends a withdrawal decision to the vault on `dstEid`. Only the operator; each order id at most once.
    /// @dev `msg.value` must cover the quote; the endpoint refunds the excess to `msg.sender`. The vault answers with
    /// WITHDRAW_DONE; a decision that matches no open request there is consumed without effect.
    /// @param dstEid The endpoint id of the vault's chain.
    /// @param orderId The order id (see OmniCodec.withdrawDecisionOrderId).
    /// @param account The account that requested the withdrawal.
    /// @param token The collateral token.
    /// @param amount The requested amount, in token base units.
    /// @param requestId The vault's request id (from WITHDRAW_REQUEST).
    /// @param approved Whether the withdrawal is approved (paid) or rejected (unfrozen).
    /// @return guid The LayerZero message guid.
    function dispatchWithdrawDecision(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        uint64 requestId,
        bool approved
    ) external payable returns (bytes32 guid);

    /// @notice Quotes the total LayerZero fee of a batch.
    /// @param liquidations The liquidation orders.
    /// @param decisions The withdrawal decisions.
    /// @return nativeFee The sum of every order's native fee.
    function quoteBatch(LiquidationOrder[] calldata liquidations, WithdrawDecisionOrder[] calldata decisions)
        external
        view
        returns (uint256 nativeFee);

    /// @notice Sends several orders in one transaction. Only the operator; each order id at most once (a repeated or
    /// already dispatched id reverts the whole batch). `msg.value` must cover the total fee; the excess is refunded.
    /// @param liquidations The liquidation orders, sent first, in order.
    /// @param decisions The withdrawal decisions, sent after, in order.
    /// @return guids The LayerZero message guids, liquidations first.
    function dispatchBatch(LiquidationOrder[] calldata liquidations, WithdrawDecisionOrder[] calldata decisions)
        external
        payable
        returns (bytes32[] memory guids);
}
