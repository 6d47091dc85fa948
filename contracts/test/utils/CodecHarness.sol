// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OmniCodec} from "../../src/libraries/OmniCodec.sol";

/// @notice Exposes OmniCodec's internal functions externally, so tests can expect its reverts.
contract CodecHarness {
    function msgType(bytes memory payload) external pure returns (uint8) {
        return OmniCodec.msgType(payload);
    }

    function hubBoundType(bytes memory payload) external pure returns (uint8) {
        return OmniCodec.hubBoundType(payload);
    }

    function spokeBoundType(bytes memory payload) external pure returns (uint8) {
        return OmniCodec.spokeBoundType(payload);
    }

    function decodeBalance(bytes memory payload) external pure returns (OmniCodec.Balance memory) {
        return OmniCodec.decodeBalance(payload);
    }

    function decodeLiquidate(bytes memory payload) external pure returns (OmniCodec.Liquidate memory) {
        return OmniCodec.decodeLiquidate(payload);
    }

    function encodeLiquidate(OmniCodec.Liquidate memory m) external pure returns (bytes memory) {
        return OmniCodec.encodeLiquidate(m);
    }

    function encodeOrderAck(OmniCodec.OrderAck memory m) external pure returns (bytes memory) {
        return OmniCodec.encodeOrderAck(m);
    }

    function encodeWithdrawDone(OmniCodec.WithdrawDone memory m) external pure returns (bytes memory) {
        return OmniCodec.encodeWithdrawDone(m);
    }
}
