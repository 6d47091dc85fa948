// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {CodecHarness} from "./utils/CodecHarness.sol";

contract OmniCodecTest is Test {
    CodecHarness internal codec;

    function setUp() public {
        codec = new CodecHarness();
    }

    // ------------------------------------------------------------------ round trips (fuzz)

    function testFuzz_balance_roundTrips(address account, address token, uint256 balance, int256 delta, uint64 seq)
        public
        view
    {
        OmniCodec.Balance memory m =
            OmniCodec.Balance({account: account, token: token, balance: balance, delta: delta, seq: seq});
        bytes memory payload = OmniCodec.encodeBalance(m);
        assertEq(payload.length, 32 * 7);
        assertEq(payload, abi.encode(uint8(1), uint8(1), account, token, balance, delta, seq));
        assertEq(codec.msgType(payload), OmniCodec.BALANCE);
        assertEq(abi.encode(OmniCodec.decodeBalance(payload)), abi.encode(m));
    }

    function testFuzz_withdrawRequest_roundTrips(
        address account,
        address token,
        uint256 amount,
        uint64 requestId,
        uint64 seq
    ) public view {
        OmniCodec.WithdrawRequest memory m = OmniCodec.WithdrawRequest({
            account: account, token: token, amount: amount, requestId: requestId, seq: seq
        });
        bytes memory payload = OmniCodec.encodeWithdrawRequest(m);
        assertEq(payload, abi.encode(uint8(1), uint8(2), account, token, amount, requestId, seq));
        assertEq(codec.hubBoundType(payload), OmniCodec.WITHDRAW_REQUEST);
        assertEq(abi.encode(OmniCodec.decodeWithdrawRequest(payload)), abi.encode(m));
    }

    function testFuzz_exposure_roundTrips(
        address account,
        address protocol,
        bytes32 market,
        int256 size,
        uint256 entryPrice,
        uint64 seq
    ) public view {
        OmniCodec.Exposure memory m = OmniCodec.Exposure({
            account: account, protocol: protocol, market: market, size: size, entryPrice: entryPrice, seq: seq
        });
        bytes memory payload = OmniCodec.encodeExposure(m);
        assertEq(payload, abi.encode(uint8(1), uint8(3), account, protocol, market, size, entryPrice, seq));
        assertEq(codec.hubBoundType(payload), OmniCodec.EXPOSURE);
        assertEq(abi.encode(OmniCodec.decodeExposure(payload)), abi.encode(m));
    }

    function testFuzz_withdrawDone_roundTrips(
        address account,
        address token,
        uint64 requestId,
        uint256 paid,
        uint256 balance,
        uint8 outcome,
        uint64 seq
    ) public view {
        outcome = uint8(bound(outcome, 1, 3));
        OmniCodec.WithdrawDone memory m = OmniCodec.WithdrawDone({
            account: account,
            token: token,
            requestId: requestId,
            paid: paid,
            balance: balance,
            outcome: outcome,
            seq: seq
        });
        bytes memory payload = OmniCodec.encodeWithdrawDone(m);
        assertEq(payload, abi.encode(uint8(1), uint8(7), account, token, requestId, paid, balance, outcome, seq));
        assertEq(codec.hubBoundType(payload), OmniCodec.WITHDRAW_DONE);
        assertEq(abi.encode(OmniCodec.decodeWithdrawDone(payload)), abi.encode(m));
    }

    function testFuzz_orderAck_roundTrips(
        bytes32 orderId,
        address account,
        address token,
        uint256 seized,
        uint256 balance,
        bool expired,
        uint64 seq
    ) public view {
        uint8 status = expired ? OmniCodec.ACK_EXPIRED : OmniCodec.ACK_EXECUTED;
        OmniCodec.OrderAck memory m = OmniCodec.OrderAck({
            orderId: orderId, account: account, token: token, seized: seized, balance: balance, status: status, seq: seq
        });
        bytes memory payload = OmniCodec.encodeOrderAck(m);
        assertEq(payload.length, 32 * 9);
        assertEq(payload, abi.encode(uint8(1), uint8(4), orderId, account, token, seized, balance, status, seq));
        assertEq(codec.msgType(payload), OmniCodec.ORDER_ACK);
        assertEq(abi.encode(OmniCodec.decodeOrderAck(payload)), abi.encode(m));
    }

    function testFuzz_liquidate_roundTrips(
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint256 insuranceAmount,
        uint64 expiry
    ) public view {
        vm.assume(recipient != address(0));
        insuranceAmount = bound(insuranceAmount, 0, amount);
        OmniCodec.Liquidate memory m = OmniCodec.Liquidate({
            orderId: orderId,
            account: account,
            token: token,
            amount: amount,
            recipient: recipient,
            insuranceAmount: insuranceAmount,
            expiry: expiry
        });
        bytes memory payload = OmniCodec.encodeLiquidate(m);
        assertEq(payload.length, 32 * 9);
        assertEq(
            payload, abi.encode(uint8(1), uint8(5), orderId, account, token, amount, recipient, insuranceAmount, expiry)
        );
        assertEq(codec.spokeBoundType(payload), OmniCodec.LIQUIDATE);
        assertEq(abi.encode(OmniCodec.decodeLiquidate(payload)), abi.encode(m));
    }

    function testFuzz_withdrawDecision_roundTrips(
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        uint64 requestId,
        bool approved,
        uint64 expiry
    ) public view {
        OmniCodec.WithdrawDecision memory m = OmniCodec.WithdrawDecision({
            orderId: orderId,
            account: account,
            token: token,
            amount: amount,
            requestId: requestId,
            approved: approved,
            expiry: expiry
        });
        bytes memory payload = OmniCodec.encodeWithdrawDecision(m);
        assertEq(payload.length, 32 * 9);
        assertEq(payload, abi.encode(uint8(1), uint8(6), orderId, account, token, amount, requestId, approved, expiry));
        assertEq(codec.spokeBoundType(payload), OmniCodec.WITHDRAW_DECISION);
        assertEq(abi.encode(OmniCodec.decodeWithdrawDecision(payload)), abi.encode(m));
    }

    function testFuzz_liquidationOrderId_followsTheSpecFormula(
        uint32 dstEid,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint64 inputSeq
    ) public pure {
        assertEq(
            OmniCodec.liquidationOrderId(dstEid, account, token, amount, recipient, inputSeq),
            keccak256(abi.encode(uint8(5), dstEid, account, token, amount, recipient, inputSeq))
        );
    }

    function testFuzz_withdrawDecisionOrderId_followsTheSpecFormula(
        uint32 dstEid,
        address account,
        address token,
        uint256 amount,
        uint64 inputSeq
    ) public pure {
        assertEq(
            OmniCodec.withdrawDecisionOrderId(dstEid, account, token, amount, inputSeq),
            keccak256(abi.encode(uint8(6), dstEid, account, token, amount, account, inputSeq))
        );
    }

    // ------------------------------------------------------------------ refusals

    function testFuzz_liquidate_refusesAnInsurancePartAboveTheAmount(uint256 amount, uint256 insuranceAmount) public {
        amount = bound(amount, 0, type(uint256).max - 1);
        insuranceAmount = bound(insuranceAmount, amount + 1, type(uint256).max);
        bytes memory payload = abi.encode(
            uint8(1), uint8(5), bytes32(0), address(1), address(2), amount, address(3), insuranceAmount, uint64(4)
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.InsuranceExceedsAmount.selector, amount, insuranceAmount));
        codec.msgType(payload);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.InsuranceExceedsAmount.selector, amount, insuranceAmount));
        codec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: bytes32(0),
                account: address(1),
                token: address(2),
                amount: amount,
                recipient: address(3),
                insuranceAmount: insuranceAmount,
                expiry: 4
            })
        );
    }

    function test_liquidate_refusesTheZeroRecipient() public {
        bytes memory payload = abi.encode(
            uint8(1), uint8(5), bytes32(0), address(1), address(2), uint256(3), address(0), uint256(1), uint64(4)
        );
        vm.expectRevert(OmniCodec.ZeroRecipient.selector);
        codec.msgType(payload);
        vm.expectRevert(OmniCodec.ZeroRecipient.selector);
        codec.spokeBoundType(payload);
        vm.expectRevert(OmniCodec.ZeroRecipient.selector);
        codec.decodeLiquidate(payload);
        OmniCodec.Liquidate memory m = _liquidate();
        m.recipient = address(0);
        vm.expectRevert(OmniCodec.ZeroRecipient.selector);
        codec.encodeLiquidate(m);
    }

    function testFuzz_orderAck_refusesAnUnknownStatus(uint8 status) public {
        vm.assume(status == 0 || status > 2);
        bytes memory payload = abi.encode(
            uint8(1), uint8(4), bytes32(0), address(1), address(2), uint256(3), uint256(4), status, uint64(5)
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownAckStatus.selector, status));
        codec.msgType(payload);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownAckStatus.selector, status));
        codec.hubBoundType(payload);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownAckStatus.selector, status));
        codec.encodeOrderAck(
            OmniCodec.OrderAck({
                orderId: bytes32(0),
                account: address(1),
                token: address(2),
                seized: 3,
                balance: 4,
                status: status,
                seq: 5
            })
        );
    }

    function test_orderAck_refusesAStatusWiderThanUint8() public {
        bytes memory payload = abi.encode(
            uint8(1), uint8(4), bytes32(0), address(1), address(2), uint256(3), uint256(4), uint256(257), uint64(5)
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(288)));
        codec.msgType(payload);
    }

    function test_orderAck_carriesBothStatuses() public view {
        for (uint8 status = 1; status <= 2; ++status) {
            bytes memory payload = abi.encode(
                uint8(1), uint8(4), bytes32(0), address(1), address(2), uint256(3), uint256(4), status, uint64(5)
            );
            assertEq(codec.hubBoundType(payload), OmniCodec.ORDER_ACK);
            assertEq(OmniCodec.decodeOrderAck(payload).status, status);
        }
        assertEq(OmniCodec.ACK_EXECUTED, 1);
        assertEq(OmniCodec.ACK_EXPIRED, 2);
    }

    function test_expiry_isRangeCheckedAsUint64() public {
        bytes memory liq = abi.encode(
            uint8(1), uint8(5), bytes32(0), address(1), address(2), uint256(3), address(3), uint256(1), uint256(1) << 64
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(288)));
        codec.msgType(liq);
        bytes memory decision = abi.encode(
            uint8(1), uint8(6), bytes32(0), address(1), address(2), uint256(3), uint64(1), true, uint256(1) << 64
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(288)));
        codec.msgType(decision);
    }

    function testFuzz_withdrawDone_refusesAnUnknownOutcome(uint8 outcome) public {
        vm.assume(outcome == 0 || outcome > 3);
        bytes memory payload = abi.encode(
            uint8(1), uint8(7), address(1), address(2), uint64(3), uint256(4), uint256(5), outcome, uint64(6)
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownOutcome.selector, outcome));
        codec.msgType(payload);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownOutcome.selector, outcome));
        codec.encodeWithdrawDone(
            OmniCodec.WithdrawDone({
                account: address(1), token: address(2), requestId: 3, paid: 4, balance: 5, outcome: outcome, seq: 6
            })
        );
    }

    function test_withdrawDone_refusesAnOutcomeWiderThanUint8() public {
        bytes memory payload = abi.encode(
            uint8(1), uint8(7), address(1), address(2), uint64(3), uint256(4), uint256(5), uint256(257), uint64(6)
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(288)));
        codec.msgType(payload);
    }

    function test_withdrawDecision_refusesARequestIdWiderThanUint64() public {
        bytes memory payload = abi.encode(
            uint8(1), uint8(6), bytes32(0), address(1), address(2), uint256(3), uint256(1) << 64, true, uint64(4)
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(288)));
        codec.msgType(payload);
    }

    function testFuzz_msgType_refusesOtherVersions(uint8 version) public {
        vm.assume(version != 1);
        bytes memory payload = abi.encode(version, uint8(1), address(1), address(2), uint256(3), int256(4), uint64(5));
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnsupportedVersion.selector, version));
        codec.msgType(payload);
    }

    function testFuzz_msgType_refusesUnknownTypes(uint8 t) public {
        vm.assume(t == 0 || t > 7);
        bytes memory payload = abi.encode(uint8(1), t, address(1), address(2), uint256(3), int256(4), uint64(5));
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownMessageType.selector, t));
        codec.msgType(payload);
    }

    function testFuzz_msgType_refusesWrongLengths(uint8 t, uint16 length) public {
        t = uint8(bound(t, 1, 7));
        // 32 × (2 + fields): BALANCE and WITHDRAW_REQUEST have 5 fields, EXPOSURE 6, the others 7
        uint256 expected = t <= 2 ? 224 : t == 3 ? 256 : 288;
        length = uint16(bound(length, 64, 1024));
        vm.assume(length != expected);
        bytes memory payload = new bytes(length);
        payload[31] = bytes1(uint8(1));
        payload[63] = bytes1(t);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(length)));
        codec.msgType(payload);
    }

    function test_msgType_refusesPayloadsShorterThanTheHeader() public {
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(0)));
        codec.msgType("");
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(63)));
        codec.msgType(new bytes(63));
    }

    function test_msgType_refusesAVersionWordWiderThanUint8() public {
        bytes memory payload = OmniCodec.encodeBalance(_balance());
        payload[30] = 0x01; // version word = 0x0101
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(224)));
        codec.msgType(payload);
    }

    function test_msgType_refusesATypeWordWiderThanUint8() public {
        bytes memory payload = OmniCodec.encodeBalance(_balance());
        payload[62] = 0x01; // type word = 0x0101
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(224)));
        codec.msgType(payload);
    }

    function test_msgType_refusesDirtyAddressBits() public {
        bytes memory payload = OmniCodec.encodeBalance(_balance());
        payload[64] = 0x01; // first byte of the account word, above the 160 address bits
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(224)));
        codec.msgType(payload);
    }

    function test_msgType_refusesASeqWiderThanUint64() public {
        bytes memory payload =
            abi.encode(uint8(1), uint8(1), address(1), address(2), uint256(3), int256(4), uint256(1) << 64);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(224)));
        codec.msgType(payload);
    }

    function test_msgType_refusesABoolOtherThanZeroOrOne() public {
        bytes memory payload = abi.encode(
            uint8(1), uint8(6), bytes32(0), address(1), address(2), uint256(3), uint64(1), uint256(2), uint64(4)
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(288)));
        codec.msgType(payload);
    }

    function test_hubBoundType_refusesSpokeBoundTypes() public {
        bytes memory payload = OmniCodec.encodeLiquidate(_liquidate());
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownMessageType.selector, uint8(5)));
        codec.hubBoundType(payload);
        payload =
            abi.encode(uint8(1), uint8(6), bytes32(0), address(1), address(2), uint256(3), uint64(1), true, uint64(4));
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownMessageType.selector, uint8(6)));
        codec.hubBoundType(payload);
    }

    function test_spokeBoundType_refusesHubBoundTypes() public {
        bytes memory payload = OmniCodec.encodeBalance(_balance());
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownMessageType.selector, uint8(1)));
        codec.spokeBoundType(payload);
        payload = abi.encode(
            uint8(1), uint8(7), address(1), address(2), uint64(3), uint256(4), uint256(5), uint8(1), uint64(6)
        );
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownMessageType.selector, uint8(7)));
        codec.spokeBoundType(payload);
    }

    function test_decode_refusesAnotherMessageType() public {
        bytes memory payload = OmniCodec.encodeBalance(_balance());
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnexpectedMessageType.selector, uint8(5), uint8(1)));
        codec.decodeLiquidate(payload);
    }

    function _balance() internal pure returns (OmniCodec.Balance memory) {
        return OmniCodec.Balance({account: address(0xA11CE), token: address(0x70C3), balance: 100, delta: 100, seq: 1});
    }

    function _liquidate() internal pure returns (OmniCodec.Liquidate memory) {
        return OmniCodec.Liquidate({
            orderId: bytes32(uint256(1)),
            account: address(0xA11CE),
            token: address(0x70C3),
            amount: 40,
            recipient: address(0xB0B),
            insuranceAmount: 4,
            expiry: 1000
        });
    }
}
