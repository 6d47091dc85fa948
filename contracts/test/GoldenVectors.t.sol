// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {OmniCodec} from "../src/libraries/OmniCodec.sol";

/// @notice Holds the Solidity codec to the golden vectors shared with the TypeScript codec
/// (packages/protocol/test-vectors/payloads.json).
contract GoldenVectorsTest is Test {
    string internal json;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/../packages/protocol/test-vectors/payloads.json"));
    }

    function test_everyPayloadVector_encodesAndDecodesExactly() public view {
        uint256 i;
        for (; vm.keyExistsJson(json, _key("vectors", i, "")); ++i) {
            string memory name = vm.parseJsonString(json, _key("vectors", i, ".name"));
            string memory kind = vm.parseJsonString(json, _key("vectors", i, ".type"));
            bytes memory payload = vm.parseJsonBytes(json, _key("vectors", i, ".payload"));
            bytes memory encoded = _encode(i, kind);
            assertEq(encoded, payload, name);
            assertEq(_reencodeDecoded(kind, payload), payload, name);
        }
        assertGt(i, 0, "no vectors");
    }

    function test_everyOrderIdVector_matchesItsOrderIdFunction() public view {
        uint256 i;
        uint256 decisions;
        for (; vm.keyExistsJson(json, _key("orderIds", i, "")); ++i) {
            uint256 t = vm.parseJsonUint(json, _key("orderIds", i, ".fields.msgType"));
            uint32 dstEid = uint32(vm.parseJsonUint(json, _key("orderIds", i, ".fields.dstEid")));
            address account = _address(_key("orderIds", i, ".fields.account"));
            address token = _address(_key("orderIds", i, ".fields.token"));
            uint256 amount = _uint(_key("orderIds", i, ".fields.amount"));
            address recipient = _address(_key("orderIds", i, ".fields.recipient"));
            uint64 inputSeq = uint64(_uint(_key("orderIds", i, ".fields.inputSeq")));
            bytes32 id;
            if (t == OmniCodec.LIQUIDATE) {
                id = OmniCodec.liquidationOrderId(dstEid, account, token, amount, recipient, inputSeq);
            } else {
                assertEq(t, OmniCodec.WITHDRAW_DECISION);
                assertEq(recipient, account, "a decision's recipient is the account");
                id = OmniCodec.withdrawDecisionOrderId(dstEid, account, token, amount, inputSeq);
                ++decisions;
            }
            assertEq(id, vm.parseJsonBytes32(json, _key("orderIds", i, ".orderId")));
        }
        assertGt(i, decisions, "no liquidation order ids");
        assertGt(decisions, 0, "no withdrawal decision order ids");
    }

    function _encode(uint256 i, string memory kind) internal view returns (bytes memory) {
        bytes32 k = keccak256(bytes(kind));
        if (k == keccak256("BALANCE")) {
            return OmniCodec.encodeBalance(
                OmniCodec.Balance({
                    account: _address(_field(i, "account")),
                    token: _address(_field(i, "token")),
                    balance: _uint(_field(i, "balance")),
                    delta: vm.parseInt(vm.parseJsonString(json, _field(i, "delta"))),
                    seq: uint64(_uint(_field(i, "seq")))
                })
            );
        }
        if (k == keccak256("WITHDRAW_REQUEST")) {
            return OmniCodec.encodeWithdrawRequest(
                OmniCodec.WithdrawRequest({
                    account: _address(_field(i, "account")),
                    token: _address(_field(i, "token")),
                    amount: _uint(_field(i, "amount")),
                    requestId: uint64(_uint(_field(i, "requestId"))),
                    seq: uint64(_uint(_field(i, "seq")))
                })
            );
        }
        if (k == keccak256("EXPOSURE")) {
            return OmniCodec.encodeExposure(
                OmniCodec.Exposure({
                    account: _address(_field(i, "account")),
                    protocol: _address(_field(i, "protocol")),
                    market: vm.parseJsonBytes32(json, _field(i, "market")),
                    size: vm.parseInt(vm.parseJsonString(json, _field(i, "size"))),
                    entryPrice: _uint(_field(i, "entryPrice")),
                    seq: uint64(_uint(_field(i, "seq")))
                })
            );
        }
        if (k == keccak256("WITHDRAW_DONE")) {
            return OmniCodec.encodeWithdrawDone(
                OmniCodec.WithdrawDone({
                    account: _address(_field(i, "account")),
                    token: _address(_field(i, "token")),
                    requestId: uint64(_uint(_field(i, "requestId"))),
                    paid: _uint(_field(i, "paid")),
                    balance: _uint(_field(i, "balance")),
                    outcome: uint8(vm.parseJsonUint(json, _field(i, "outcome"))),
                    seq: uint64(_uint(_field(i, "seq")))
                })
            );
        }
        if (k == keccak256("ORDER_ACK")) {
            return OmniCodec.encodeOrderAck(
                OmniCodec.OrderAck({
                    orderId: vm.parseJsonBytes32(json, _field(i, "orderId")),
                    account: _address(_field(i, "account")),
                    token: _address(_field(i, "token")),
                    seized: _uint(_field(i, "seized")),
                    balance: _uint(_field(i, "balance")),
                    status: uint8(vm.parseJsonUint(json, _field(i, "status"))),
                    seq: uint64(_uint(_field(i, "seq")))
                })
            );
        }
        if (k == keccak256("LIQUIDATE")) {
            return OmniCodec.encodeLiquidate(
                OmniCodec.Liquidate({
                    orderId: vm.parseJsonBytes32(json, _field(i, "orderId")),
                    account: _address(_field(i, "account")),
                    token: _address(_field(i, "token")),
                    amount: _uint(_field(i, "amount")),
                    recipient: _address(_field(i, "recipient")),
                    insuranceAmount: _uint(_field(i, "insuranceAmount")),
                    expiry: uint64(_uint(_field(i, "expiry")))
                })
            );
        }
        if (k == keccak256("WITHDRAW_DECISION")) {
            return OmniCodec.encodeWithdrawDecision(
                OmniCodec.WithdrawDecision({
                    orderId: vm.parseJsonBytes32(json, _field(i, "orderId")),
                    account: _address(_field(i, "account")),
                    token: _address(_field(i, "token")),
                    amount: _uint(_field(i, "amount")),
                    requestId: uint64(_uint(_field(i, "requestId"))),
                    approved: vm.parseJsonBool(json, _field(i, "approved")),
                    expiry: uint64(_uint(_field(i, "expiry")))
                })
            );
        }
        revert(string.concat("unknown vector type ", kind));
    }

    /// @dev Decodes with the codec (which validates version, type and length) and encodes again.
    function _reencodeDecoded(string memory kind, bytes memory payload) internal pure returns (bytes memory) {
        bytes32 k = keccak256(bytes(kind));
        if (k == keccak256("BALANCE")) return OmniCodec.encodeBalance(OmniCodec.decodeBalance(payload));
        if (k == keccak256("WITHDRAW_REQUEST")) {
            return OmniCodec.encodeWithdrawRequest(OmniCodec.decodeWithdrawRequest(payload));
        }
        if (k == keccak256("EXPOSURE")) return OmniCodec.encodeExposure(OmniCodec.decodeExposure(payload));
        if (k == keccak256("ORDER_ACK")) return OmniCodec.encodeOrderAck(OmniCodec.decodeOrderAck(payload));
        if (k == keccak256("LIQUIDATE")) return OmniCodec.encodeLiquidate(OmniCodec.decodeLiquidate(payload));
        if (k == keccak256("WITHDRAW_DONE")) {
            return OmniCodec.encodeWithdrawDone(OmniCodec.decodeWithdrawDone(payload));
        }
        return OmniCodec.encodeWithdrawDecision(OmniCodec.decodeWithdrawDecision(payload));
    }

    function _key(string memory list, uint256 i, string memory suffix) internal pure returns (string memory) {
        return string.concat(".", list, "[", vm.toString(i), "]", suffix);
    }

    function _field(uint256 i, string memory name) internal pure returns (string memory) {
        return _key("vectors", i, string.concat(".fields.", name));
    }

    function _uint(string memory key) internal view returns (uint256) {
        return vm.parseUint(vm.parseJsonString(json, key));
    }

    function _address(string memory key) internal view returns (address) {
        return vm.parseJsonAddress(json, key);
    }
}
