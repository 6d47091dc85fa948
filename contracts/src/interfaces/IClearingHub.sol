// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MessagingFee} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";

/// @title IClearingHub
/// @notice The hub OApp: receives balance, exposure and acknowledgement messages from the vaults (one event per
/// message, consumed by the chain gateway) and dispatches the clearing network's orders back to them. An order is
/// EIP-712 typed data (domain: name "Omniclear ClearingHub", version "1", this chain's id, the hub's address) with an
/// expiry; it executes only with signatures of at least `threshold` registered clearing signers, at most once per
/// order id. Anyone may submit a signed order (a relayer) and pays its LayerZero fee.
interface IClearingHub {
    // The order structs only ever live in calldata and memory, and their field order is that of their EIP-712 types.
    // solhint-disable gas-struct-packing
    /// @notice A liquidation order: seize `amount` of `token` from `account` on the vault of `dstEid`.
    /// @dev EIP-712 type: `LiquidationOrder(uint32 dstEid,bytes32 orderId,address account,address token,uint256 amount,
    /// address recipient,uint256 insuranceAmount,uint64 expiry)`.
    struct LiquidationOrder {
        /// @dev The endpoint id of the vault's chain.
        uint32 dstEid;
        /// @dev The order id (see OmniCodec.liquidationOrderId); executes at most once.
        bytes32 orderId;
        /// @dev The account whose collateral is seized.
        address account;
        /// @dev The collateral token.
        address token;
        /// @dev The amount to seize, in token base units.
        uint256 amount;
        /// @dev Who receives the seized collateral less the insurance part (the liquidator).
        address recipient;
        /// @dev The insurance fund's part of `amount` (≤ `amount`); scaled pro rata if less is seized.
        uint256 insuranceAmount;
        /// @dev The last block timestamp at which the order may be dispatched.
        uint64 expiry;
    }

    /// @notice A withdrawal decision: approve (pay) or reject (unfreeze) request `requestId` on the vault of `dstEid`.
    /// @dev EIP-712 type: `WithdrawDecisionOrder(uint32 dstEid,bytes32 orderId,address account,address token,
    /// uint256 amount,uint64 requestId,bool approved,uint64 expiry)`.
    struct WithdrawDecisionOrder {
        /// @dev The endpoint id of the vault's chain.
        uint32 dstEid;
        /// @dev The order id (see OmniCodec.withdrawDecisionOrderId); executes at most once.
        bytes32 orderId;
        /// @dev The account that requested the withdrawal.
        address account;
        /// @dev The collateral token.
        address token;
        /// @dev The requested amount, in token base units.
        uint256 amount;
        /// @dev The vault's request id (from WITHDRAW_REQUEST).
        uint64 requestId;
        /// @dev Whether the withdrawal is approved (paid) or rejected (unfrozen).
        bool approved;
        /// @dev The last block timestamp at which the order may be dispatched.
        uint64 expiry;
    }

    // solhint-enable gas-struct-packing

    /// @notice A liquidation order with its signatures, for `dispatchBatch`.
    struct SignedLiquidation {
        /// @dev The order.
        LiquidationOrder order;
        /// @dev 65-byte (r, s, v) signatures of `hashLiquidation(order)`, in ascending order of signer address.
        bytes[] signatures;
    }

    /// @notice A withdrawal decision with its signatures, for `dispatchBatch`.
    struct SignedWithdrawDecision {
        /// @dev The order.
        WithdrawDecisionOrder order;
        /// @dev 65-byte (r, s, v) signatures of `hashWithdrawDecision(order)`, in ascending order of signer address.
        bytes[] signatures;
    }

    /// @notice Thrown when an order id has already been dispatched.
    /// @param orderId The order id.
    error OrderAlreadyDispatched(bytes32 orderId);
    /// @notice Thrown when the native value sent does not cover the LayerZero fee.
    /// @param required The fee (in a batch: the fee of the send that ran short).
    /// @param provided What was sent (in a batch: what was left of it).
    error InsufficientFee(uint256 required, uint256 provided);
    /// @notice Thrown when refunding a batch's excess fee to its sender fails.
    /// @param to The sender of the batch.
    /// @param amount The refund.
    error RefundFailed(address to, uint256 amount);
    /// @notice Thrown when an order is dispatched after its expiry (`block.timestamp > expiry`).
    /// @param orderId The order id.
    /// @param expiry The order's expiry.
    error OrderExpired(bytes32 orderId, uint64 expiry);
    /// @notice Thrown when an order carries fewer signatures than the threshold.
    /// @param valid The number of signatures given.
    /// @param threshold The signer set's threshold.
    error InsufficientSignatures(uint256 valid, uint8 threshold);
    /// @notice Thrown when a signature recovers to an address that is not a registered signer (a wrong key, or a
    /// signature of other data).
    /// @param signer The recovered address.
    error SignerNotRegistered(address signer);
    /// @notice Thrown when the signatures are not in strictly ascending order of signer address (a duplicate included).
    error SignaturesNotAscending();
    /// @notice Thrown when a signer set would have a threshold of zero or above its size.
    /// @param threshold The threshold given.
    /// @param signers The number of signers given.
    error InvalidThreshold(uint8 threshold, uint256 signers);
    /// @notice Thrown when a signer set would have more than `MAX_SIGNERS` signers.
    /// @param signers The number of signers given.
    /// @param max The maximum.
    error TooManySigners(uint256 signers, uint256 max);
    /// @notice Thrown when a signer set would contain the zero address.
    error ZeroSigner();
    /// @notice Thrown when a signer set would contain an address twice.
    /// @param signer The repeated address.
    error DuplicateSigner(address signer);
    /// @notice Thrown when a liquidation names no recipient, or the destination vault itself (the seizure would be
    /// credited to the vault's own claimable bucket, which nobody can spend: the collateral would be lost).
    /// @param recipient The refused recipient.
    error InvalidRecipient(address recipient);
    /// @notice Thrown when an order is dispatched while dispatch is paused.
    /// @param until When the pause ends by itself.
    error DispatchIsPaused(uint64 until);
    /// @notice Thrown when someone other than the guardian or the owner pauses, or other than the owner unpauses.
    /// @param caller The caller.
    error NotGuardian(address caller);
    /// @notice Thrown when a message is delivered with native value: the hub spends none on receive, and value sent
    /// with it would be stuck in the hub.
    /// @param value The `msg.value` refused.
    error UnexpectedValue(uint256 value);
    /// @notice Thrown by `renounceOwnership`: an ownerless hub could never change its signers, peers or options again.
    error RenounceDisabled();

    /// @notice Emitted once per inbound message from a vault (BALANCE, WITHDRAW_REQUEST, EXPOSURE, ORDER_ACK,
    /// WITHDRAW_DONE).
    /// @param srcEid The vault's endpoint id.
    /// @param guid The LayerZero message guid.
    /// @param nonce The LayerZero inbound nonce.
    /// @param msgType The message type byte.
    /// @param payload The raw, validated payload.
    event MessageReceived(uint32 indexed srcEid, bytes32 indexed guid, uint64 nonce, uint8 msgType, bytes payload);
    /// @notice Emitted when an order (liquidation or withdrawal decision) has been sent to the vault on `dstEid`.
    /// @param orderId The order id.
    /// @param dstEid The vault's endpoint id.
    /// @param guid The LayerZero message guid.
    event OrderDispatched(bytes32 indexed orderId, uint32 indexed dstEid, bytes32 guid);
    /// @notice Emitted instead of `MessageReceived` when a vault message carries a sequence number the hub has already
    /// accepted from that vault: the duplicate is consumed (so it cannot jam the path) and changes nothing.
    /// @param srcEid The vault's endpoint id.
    /// @param guid The LayerZero message guid.
    /// @param nonce The LayerZero inbound nonce.
    /// @param seq The vault sequence number already accepted.
    event DuplicateIgnored(uint32 indexed srcEid, bytes32 indexed guid, uint64 nonce, uint64 seq);
    /// @notice Emitted when the clearing signer set is replaced (also at construction).
    /// @param signers The new signers, in the order given.
    /// @param threshold How many of them must sign an order.
    event SignersSet(address[] signers, uint8 threshold);
    /// @notice Emitted by `dispatchBatch` instead of sending an order whose id was dispatched before the batch (a
    /// single dispatch or another batch got there first); its guid in the returned list is zero.
    /// @param orderId The order id.
    event OrderSkipped(bytes32 indexed orderId);
    /// @notice Emitted when the owner sets the guardian.
    /// @param previousGuardian The guardian replaced (zero if none).
    /// @param newGuardian The new guardian (zero removes the role).
    event GuardianSet(address indexed previousGuardian, address indexed newGuardian);
    /// @notice Emitted when dispatch is paused or a pause is lifted early (a pause that expires emits nothing).
    /// @param by The caller (the guardian or the owner).
    /// @param paused Whether dispatch is now paused.
    /// @param until When the pause ends by itself (when paused), or now (when lifted).
    event DispatchPausedSet(address indexed by, bool paused, uint64 until);

    /// @notice Whether an order id has already been dispatched.
    /// @param orderId The order id.
    /// @return Whether it has been dispatched.
    function dispatched(bytes32 orderId) external view returns (bool);

    /// @notice The highest sequence number accepted from the current peer vault on `srcEid` (0 before the first).
    /// @dev Tracked per (eid, peer address): a vault redeployed at a new address and set as the peer starts afresh.
    /// Delivery may be out of order, so a sequence number below `lastSeq` may still be unseen; see `seqSeen`.
    /// @param srcEid The vault's endpoint id.
    /// @return The highest accepted sequence number.
    function lastSeq(uint32 srcEid) external view returns (uint64);

    /// @notice Whether a sequence number from the current peer vault on `srcEid` has already been accepted.
    /// @param srcEid The vault's endpoint id.
    /// @param seq The sequence number.
    /// @return Whether it has been accepted.
    function seqSeen(uint32 srcEid, uint64 seq) external view returns (bool);

    /// @notice The account that may pause dispatch (besides the owner); zero when unset.
    /// @return The guardian.
    function guardian() external view returns (address);

    /// @notice Whether dispatch is paused now (a pause ends by itself `MAX_PAUSE_DURATION` after it started).
    /// @return Whether `dispatchLiquidation`, `dispatchWithdrawDecision` and `dispatchBatch` revert `DispatchIsPaused`.
    function dispatchPaused() external view returns (bool);

    /// @notice When the latest dispatch pause ends or ended (0 before the first pause).
    /// @return The timestamp: in the future while paused.
    function dispatchPausedUntil() external view returns (uint64);

    /// @notice The first timestamp at which a new dispatch pause may start: `PAUSE_COOLDOWN` after the latest ended.
    /// @return The timestamp (0 before the first pause).
    function nextDispatchPauseAt() external view returns (uint64);

    /// @notice Replaces the guardian. Only the owner; the zero address removes the role.
    /// @param newGuardian The new guardian.
    function setGuardian(address newGuardian) external;

    /// @notice Pauses dispatch for `MAX_PAUSE_DURATION` (the guardian or the owner; not within `PAUSE_COOLDOWN` of
    /// the previous pause's end), or lifts the pause early (only the owner). Receiving vault messages is never paused.
    /// @param paused Whether to pause.
    function setDispatchPaused(bool paused) external;

    /// @notice Replaces the whole clearing signer set. Only the owner.
    /// @dev Orders signed by the previous set and not yet dispatched need signatures of the new set.
    /// @param signers The signers: no zero address, no repeat, at most `MAX_SIGNERS`.
    /// @param threshold How many distinct signers an order needs: at least 1, at most `signers.length`.
    function setSigners(address[] calldata signers, uint8 threshold) external;

    /// @notice The registered clearing signers, in the order they were set.
    /// @return The signers.
    function signers() external view returns (address[] memory);

    /// @notice How many distinct registered signers an order needs.
    /// @return The threshold.
    function threshold() external view returns (uint8);

    /// @notice Whether `account` is a registered clearing signer.
    /// @param account The address.
    /// @return Whether it is registered.
    function isSigner(address account) external view returns (bool);

    /// @notice The EIP-712 digest of a liquidation order, which the signers sign.
    /// @param o The order.
    /// @return digest `keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(o))`.
    function hashLiquidation(LiquidationOrder calldata o) external view returns (bytes32 digest);

    /// @notice The EIP-712 digest of a withdrawal decision, which the signers sign.
    /// @param o The order.
    /// @return digest `keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(o))`.
    function hashWithdrawDecision(WithdrawDecisionOrder calldata o) external view returns (bytes32 digest);

    /// @notice Quotes the LayerZero fee of a liquidation order.
    /// @param o The order.
    /// @return fee The fee to send as `msg.value` with `dispatchLiquidation`.
    function quoteLiquidation(LiquidationOrder calldata o) external view returns (MessagingFee memory fee);

    /// @notice Quotes the LayerZero fee of a withdrawal decision.
    /// @param o The order.
    /// @return fee The fee to send as `msg.value` with `dispatchWithdrawDecision`.
    function quoteWithdrawDecision(WithdrawDecisionOrder calldata o) external view returns (MessagingFee memory fee);

    /// @notice Sends a signed liquidation order to the vault on `o.dstEid`. Anyone may call; each order id at most once.
    /// @dev `msg.value` must cover the quote; the endpoint refunds the excess to `msg.sender`. Refused: an insurance
    /// part above the amount (`InsuranceExceedsAmount`), a zero recipient or the destination vault as recipient
    /// (`InvalidRecipient`), and any order while dispatch is paused (`DispatchIsPaused`).
    /// @param o The order; reverts `OrderExpired` after `o.expiry`.
    /// @param signatures At least `threshold` 65-byte (r, s, v) signatures of `hashLiquidation(o)` by registered
    /// signers, in strictly ascending order of signer address.
    /// @return guid The LayerZero message guid.
    function dispatchLiquidation(LiquidationOrder calldata o, bytes[] calldata signatures)
        external
        payable
        returns (bytes32 guid);

    /// @notice Sends a signed withdrawal decision to the vault on `o.dstEid`. Anyone may call; each order id at most
    /// once.
    /// @dev `msg.value` must cover the quote; the endpoint refunds the excess to `msg.sender`. Refused while dispatch
    /// is paused (`DispatchIsPaused`). The vault answers with WITHDRAW_DONE; a decision that matches no open request
    /// there is consumed without effect.
    /// @param o The order; reverts `OrderExpired` after `o.expiry`.
    /// @param signatures At least `threshold` 65-byte (r, s, v) signatures of `hashWithdrawDecision(o)` by registered
    /// signers, in strictly ascending order of signer address.
    /// @return guid The LayerZero message guid.
    function dispatchWithdrawDecision(WithdrawDecisionOrder calldata o, bytes[] calldata signatures)
        external
        payable
        returns (bytes32 guid);

    /// @notice Quotes the total LayerZero fee of a batch.
    /// @param liquidations The liquidation orders.
    /// @param decisions The withdrawal decisions.
    /// @return nativeFee The sum of every order's native fee.
    function quoteBatch(LiquidationOrder[] calldata liquidations, WithdrawDecisionOrder[] calldata decisions)
        external
        view
        returns (uint256 nativeFee);

    /// @notice Sends several signed orders in one transaction. Anyone may call. An order whose id was dispatched before
    /// the batch (someone else submitted it first) is skipped with `OrderSkipped` and sends nothing; every other order
    /// is checked as in the single dispatches, and any failure (a short fee, an expired or under-signed order, an id
    /// twice in the batch) reverts the whole batch. `msg.value` must cover the total fee; the excess, the fees of
    /// skipped orders included, is refunded to `msg.sender`.
    /// @param liquidations The signed liquidation orders, sent first, in order.
    /// @param decisions The signed withdrawal decisions, sent after, in order.
    /// @return guids The LayerZero message guids, liquidations first (zero for a skipped order).
    function dispatchBatch(SignedLiquidation[] calldata liquidations, SignedWithdrawDecision[] calldata decisions)
        external
        payable
        returns (bytes32[] memory guids);
}
