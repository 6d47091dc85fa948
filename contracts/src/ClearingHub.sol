// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OApp, Origin, MessagingFee, MessagingReceipt} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {OAppOptionsType3} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IClearingHub} from "./interfaces/IClearingHub.sol";
import {OmniCodec} from "./libraries/OmniCodec.sol";

/// @title ClearingHub
/// @notice The hub OApp. Accepts messages only from its configured vault peers and emits one `MessageReceived` per
/// message for the chain gateway; dispatches the operator's liquidation orders to the vaults, each order id once.
/// @dev The skeleton trusts one operator; the EIP-712 signer set with a threshold replaces it later.
contract ClearingHub is OApp, OAppOptionsType3, IClearingHub {
    using OptionsBuilder for bytes;

    /// @notice Executor gas for a vault's LIQUIDATE `lzReceive` when no enforced option is set for it. It covers the
    /// seizure and the ORDER_ACK send (quote + send through ULN302): ~170k measured in test/CrossChain.t.sol,
    /// so ~1.8× headroom. Set an enforced option per vault chain where sends cost more.
    uint128 public constant DEFAULT_LIQUIDATE_GAS = 300_000;

    /// @inheritdoc IClearingHub
    address public operator;

    /// @inheritdoc IClearingHub
    mapping(bytes32 orderId => bool) public dispatched;

    /// @param endpoint_ The LayerZero EndpointV2 on this chain.
    /// @param owner_ The owner (also the endpoint delegate): configures peers, options and the operator.
    /// @param operator_ The account allowed to dispatch orders.
    constructor(address endpoint_, address owner_, address operator_) OApp(endpoint_, owner_) Ownable(owner_) {
        _setOperator(operator_);
    }

    /// @inheritdoc IClearingHub
    function setOperator(address newOperator) external onlyOwner {
        _setOperator(newOperator);
    }

    /// @inheritdoc IClearingHub
    function quoteLiquidation(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient
    ) external view returns (MessagingFee memory fee) {
        bytes memory message = _liquidateMessage(orderId, account, token, amount, recipient);
        return _quote(dstEid, message, _options(dstEid, OmniCodec.LIQUIDATE), false);
    }

    /// @inheritdoc IClearingHub
    function dispatchLiquidation(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient
    ) external payable returns (bytes32 guid) {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        if (dispatched[orderId]) revert OrderAlreadyDispatched(orderId);
        dispatched[orderId] = true;

        bytes memory message = _liquidateMessage(orderId, account, token, amount, recipient);
        bytes memory options = _options(dstEid, OmniCodec.LIQUIDATE);
        MessagingFee memory fee = _quote(dstEid, message, options, false);
        MessagingReceipt memory receipt = _lzSend(dstEid, message, options, fee, msg.sender);
        guid = receipt.guid;
        emit OrderDispatched(orderId, dstEid, guid);
    }

    /// @dev Validates a hub-bound payload (a codec error reverts, which leaves the message retryable in the
    /// endpoint) and publishes it. Only configured peers reach here: `OAppReceiver.lzReceive` checks the sender.
    function _lzReceive(
        Origin calldata origin,
        bytes32 guid,
        bytes calldata message,
        address, /* executor */
        bytes calldata /* extraData */
    )
        internal
        override
    {
        uint8 t = OmniCodec.hubBoundType(message);
        emit MessageReceived(origin.srcEid, guid, origin.nonce, t, message);
    }

    /// @dev Accepts any `msg.value` that covers the fee and forwards all of it: the endpoint refunds the excess to
    /// the refund address (`msg.sender`). OAppSender's default insists on an exact match.
    function _payNative(uint256 nativeFee) internal view override returns (uint256) {
        if (msg.value < nativeFee) revert InsufficientFee(nativeFee, msg.value);
        return msg.value;
    }

    /// @dev The enforced options for (eid, type) if the owner set them, else an executor lzReceive gas default.
    function _options(uint32 eid, uint16 msgType) internal view returns (bytes memory) {
        bytes memory enforced = enforcedOptions[eid][msgType];
        if (enforced.length != 0) return enforced;
        return OptionsBuilder.newOptions().addExecutorLzReceiveOption(DEFAULT_LIQUIDATE_GAS, 0);
    }

    function _liquidateMessage(bytes32 orderId, address account, address token, uint256 amount, address recipient)
        internal
        pure
        returns (bytes memory)
    {
        return OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: orderId, account: account, token: token, amount: amount, recipient: recipient
            })
        );
    }

    function _setOperator(address newOperator) internal {
        if (newOperator == address(0)) revert ZeroOperator();
        emit OperatorSet(operator, newOperator);
        operator = newOperator;
    }
}
