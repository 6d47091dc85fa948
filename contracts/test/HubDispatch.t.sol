// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {ILayerZeroEndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";

import {IClearingHub} from "../src/interfaces/IClearingHub.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";

/// @notice The hub's order dispatch: withdrawal decisions, batches across two vaults (fees, refunds, orders dispatched
/// before the batch skipped), liquidation recipients. Signatures themselves are tested in HubSignatures.t.sol, the
/// pause and the owner's powers in HubControls.t.sol.
contract HubDispatchTest is OmniFixture {
    function setUp() public override {
        super.setUp();
        _depositAs(alice, alice, 100e6);
        _deliverToHub();
        _fundAckReserve();
        vm.deal(address(vaultC), 1 ether);
    }

    // ------------------------------------------------------------------ withdrawal decisions

    function test_dispatchWithdrawDecision_sendsOnceAndRefundsTheExcess() public {
        uint64 id = _requestAs(alice, 10e6);
        _deliverToHub();
        bytes32 orderId = OmniCodec.withdrawDecisionOrderId(B_EID, alice, address(usdc), 10e6, 5);
        IClearingHub.WithdrawDecisionOrder memory o =
            _decisionOrder(B_EID, orderId, alice, address(usdc), 10e6, id, true);
        bytes[] memory sigs = _sign(hub.hashWithdrawDecision(o));
        uint256 fee = hub.quoteWithdrawDecision(o).nativeFee;
        assertGt(fee, 0);
        uint256 before = relayer.balance;

        vm.expectEmit(true, true, false, false, address(hub));
        emit IClearingHub.OrderDispatched(orderId, B_EID, bytes32(0));
        vm.prank(relayer);
        hub.dispatchWithdrawDecision{value: fee + 1 ether}(o, sigs);
        assertEq(relayer.balance, before - fee);
        assertTrue(hub.dispatched(orderId));

        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.OrderAlreadyDispatched.selector, orderId));
        hub.dispatchWithdrawDecision{value: 1 ether}(o, sigs);

        _deliverToVault();
        assertEq(vaultB.balanceOf(alice, address(usdc)), 90e6);
    }

    function test_dispatchWithdrawDecision_isOpenToAnyRelayer_whoPaysTheFee() public {
        uint64 id = _requestAs(alice, 10e6);
        _deliverToHub();
        IClearingHub.WithdrawDecisionOrder memory o =
            _decisionOrder(B_EID, bytes32(uint256(9)), alice, address(usdc), 10e6, id, false);
        bytes[] memory sigs = _sign(hub.hashWithdrawDecision(o));
        uint256 fee = hub.quoteWithdrawDecision(o).nativeFee;
        uint256 before = bob.balance;
        vm.prank(bob);
        hub.dispatchWithdrawDecision{value: fee}(o, sigs);
        assertEq(bob.balance, before - fee);
        _deliverToVault();
        assertEq(vaultB.frozenOf(alice, address(usdc)), 0);
    }

    function test_dispatchWithdrawDecision_revertsWhenTheFeeIsShort() public {
        IClearingHub.WithdrawDecisionOrder memory o =
            _decisionOrder(B_EID, bytes32(uint256(2)), alice, address(usdc), 1, 1, false);
        bytes[] memory sigs = _sign(hub.hashWithdrawDecision(o));
        uint256 fee = hub.quoteWithdrawDecision(o).nativeFee;
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InsufficientFee.selector, fee, fee - 1));
        hub.dispatchWithdrawDecision{value: fee - 1}(o, sigs);
    }

    function test_dispatchLiquidation_refusesAnInsurancePartAboveTheAmount() public {
        IClearingHub.LiquidationOrder memory o =
            _liquidationOrder(B_EID, bytes32(uint256(3)), alice, address(usdc), 10, liquidator, 11);
        bytes[] memory sigs = _sign(hub.hashLiquidation(o));
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.InsuranceExceedsAmount.selector, 10, 11));
        hub.dispatchLiquidation{value: 1 ether}(o, sigs);
        assertFalse(hub.dispatched(bytes32(uint256(3))));
    }

    function test_hub_publishesWithdrawDone_andRefusesAWithdrawDecisionPayload() public {
        bytes memory done = abi.encode(
            uint8(1), uint8(7), alice, address(usdc), uint64(1), uint256(5), uint256(6), uint8(2), uint64(9)
        );
        vm.expectEmit(address(hub));
        emit IClearingHub.MessageReceived(B_EID, bytes32(0), 1, OmniCodec.WITHDRAW_DONE, done);
        vm.prank(endpoints[HUB_EID]);
        hub.lzReceive(Origin(B_EID, _b32(address(vaultB)), 1), bytes32(0), done, address(0), "");
        assertEq(hub.lastSeq(B_EID), 9);

        bytes memory decision = abi.encode(
            uint8(1), uint8(6), bytes32(0), alice, address(usdc), uint256(1), uint64(1), true, uint64(block.timestamp)
        );
        vm.prank(endpoints[HUB_EID]);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownMessageType.selector, uint8(6)));
        hub.lzReceive(Origin(B_EID, _b32(address(vaultB)), 2), bytes32(0), decision, address(0), "");
    }

    // ------------------------------------------------------------------ batches

    function test_dispatchBatch_sendsEveryOrder_chargesTheSumAndRefundsTheRest() public {
        uint256 fee = vaultC.quoteDeposit(alice, address(weth), 2 ether).nativeFee;
        vm.prank(alice);
        vaultC.deposit{value: fee}(address(weth), 2 ether);
        this.verifyPackets(HUB_EID, _b32(address(hub)));
        uint64 id = _requestAs(alice, 10e6);
        _deliverToHub();

        (IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs) = _batch(id);
        (IClearingHub.LiquidationOrder[] memory lo, IClearingHub.WithdrawDecisionOrder[] memory dd) =
            _orders(liqs, decs);
        uint256 total = hub.quoteBatch(lo, dd);
        uint256 sum = hub.quoteLiquidation(lo[0]).nativeFee + hub.quoteLiquidation(lo[1]).nativeFee
            + hub.quoteWithdrawDecision(dd[0]).nativeFee;
        assertEq(total, sum);

        uint256 before = relayer.balance;
        vm.prank(relayer);
        bytes32[] memory guids = hub.dispatchBatch{value: total + 1 ether}(liqs, decs);
        assertEq(guids.length, 3);
        assertEq(relayer.balance, before - total, "excess refunded");
        assertEq(address(hub).balance, 0);
        assertTrue(hub.dispatched(lo[0].orderId) && hub.dispatched(lo[1].orderId) && hub.dispatched(dd[0].orderId));

        _deliverToVault();
        this.verifyPackets(C_EID, _b32(address(vaultC)));
        assertEq(usdc.balanceOf(liquidator), 18e6);
        assertEq(usdc.balanceOf(insurance), 2e6);
        assertEq(weth.balanceOf(liquidator), 1 ether);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 70e6);
    }

    function test_dispatchBatch_revertsWholeOnAShortFee_aRepeatedId_orAnUnderSignedOrder() public {
        uint64 id = _requestAs(alice, 10e6);
        (IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs) = _batch(id);
        (IClearingHub.LiquidationOrder[] memory lo, IClearingHub.WithdrawDecisionOrder[] memory dd) =
            _orders(liqs, decs);
        uint256 total = hub.quoteBatch(lo, dd);

        vm.prank(relayer);
        vm.expectRevert(); // InsufficientFee on the last send, with what was left
        hub.dispatchBatch{value: total - 1}(liqs, decs);
        assertFalse(hub.dispatched(lo[0].orderId));

        // the last order carries one signature of two
        bytes[] memory one = new bytes[](1);
        one[0] = decs[0].signatures[0];
        bytes[] memory two = decs[0].signatures;
        decs[0].signatures = one;
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InsufficientSignatures.selector, 1, THRESHOLD));
        hub.dispatchBatch{value: total}(liqs, decs);
        assertFalse(hub.dispatched(lo[0].orderId));
        decs[0].signatures = two;

        liqs[1] = liqs[0];
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.OrderAlreadyDispatched.selector, lo[0].orderId));
        hub.dispatchBatch{value: total}(liqs, decs);
        assertFalse(hub.dispatched(lo[0].orderId));
    }

    /// @dev Another relayer sends one order of the batch first (front-running it, by accident or not): the batch
    /// skips that order and sends the others, and its sender pays only for what was sent.
    function test_dispatchBatch_skipsAnOrderFrontRun_andSendsTheRest() public {
        uint256 wethFee = vaultC.quoteDeposit(alice, address(weth), 2 ether).nativeFee;
        vm.prank(alice);
        vaultC.deposit{value: wethFee}(address(weth), 2 ether);
        this.verifyPackets(HUB_EID, _b32(address(hub)));
        uint64 id = _requestAs(alice, 10e6);
        _deliverToHub();
        (IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs) = _batch(id);
        (IClearingHub.LiquidationOrder[] memory lo, IClearingHub.WithdrawDecisionOrder[] memory dd) =
            _orders(liqs, decs);
        uint256 total = hub.quoteBatch(lo, dd);
        uint256 skippedFee = hub.quoteLiquidation(lo[1]).nativeFee;

        // bob front-runs the WETH liquidation alone
        vm.prank(bob);
        hub.dispatchLiquidation{value: skippedFee}(lo[1], liqs[1].signatures);

        uint256 before = relayer.balance;
        vm.expectEmit(true, false, false, false, address(hub));
        emit IClearingHub.OrderSkipped(lo[1].orderId);
        vm.prank(relayer);
        bytes32[] memory guids = hub.dispatchBatch{value: total}(liqs, decs);
        assertEq(guids.length, 3);
        assertTrue(guids[0] != bytes32(0) && guids[2] != bytes32(0), "the others are sent");
        assertEq(guids[1], bytes32(0), "the skipped order has no guid");
        assertEq(relayer.balance, before - (total - skippedFee), "the skipped fee is refunded");
        assertEq(address(hub).balance, 0);
        assertTrue(hub.dispatched(lo[0].orderId) && hub.dispatched(dd[0].orderId));

        // the WETH liquidation reached vault C once (bob's), the other two orders reached vault B
        this.verifyPackets(C_EID, _b32(address(vaultC)));
        _deliverToVault();
        assertEq(weth.balanceOf(liquidator), 1 ether);
        assertEq(vaultC.balanceOf(alice, address(weth)), 1 ether);
        assertEq(usdc.balanceOf(liquidator), 18e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 70e6);
    }

    function test_dispatchBatch_skipsADecisionDispatchedBefore_withoutCheckingItAgain() public {
        uint64 id = _requestAs(alice, 10e6);
        (IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs) = _batch(id);
        _decide(alice, 10e6, id, true);
        // the skipped order is not re-verified: its signatures no longer matter, nor does its expiry
        decs[0].signatures = new bytes[](0);
        vm.expectEmit(address(hub));
        emit IClearingHub.OrderSkipped(decs[0].order.orderId);
        vm.prank(relayer);
        bytes32[] memory guids = hub.dispatchBatch{value: 1 ether}(liqs, decs);
        assertEq(guids[2], bytes32(0));
        assertTrue(hub.dispatched(liqs[0].order.orderId) && hub.dispatched(liqs[1].order.orderId));
    }

    function test_dispatchBatch_ofOnlyDispatchedOrders_sendsNothing_andRefundsEverything() public {
        uint64 id = _requestAs(alice, 10e6);
        (IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs) = _batch(id);
        vm.prank(relayer);
        hub.dispatchBatch{value: 1 ether}(liqs, decs);
        uint64 nonceB = _outboundNonce(B_EID, address(vaultB));

        uint256 before = relayer.balance;
        vm.recordLogs();
        vm.prank(relayer);
        bytes32[] memory guids = hub.dispatchBatch{value: 1 ether}(liqs, decs);
        assertEq(guids[0], bytes32(0));
        assertEq(guids[1], bytes32(0));
        assertEq(guids[2], bytes32(0));
        assertEq(relayer.balance, before);
        assertEq(_outboundNonce(B_EID, address(vaultB)), nonceB, "nothing sent");
        assertEq(vm.getRecordedLogs().length, 3, "three OrderSkipped, nothing else");
    }

    function test_dispatchBatch_stillRevertsOnAnIdRepeatedInsideIt_evenIfDispatchedBefore() public {
        uint64 id = _requestAs(alice, 10e6);
        (IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs) = _batch(id);
        _liquidateSigned(liqs[0]);
        liqs[1] = liqs[0];
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.OrderAlreadyDispatched.selector, liqs[0].order.orderId));
        hub.dispatchBatch{value: 1 ether}(liqs, decs);
    }

    // ------------------------------------------------------------------ liquidation recipients

    function test_dispatchLiquidation_refusesTheZeroRecipient_andTheDestinationVault() public {
        IClearingHub.LiquidationOrder memory o =
            _liquidationOrder(B_EID, bytes32(uint256(7)), alice, address(usdc), 10e6, address(0), 0);
        bytes[] memory sigs = _sign(hub.hashLiquidation(o));
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InvalidRecipient.selector, address(0)));
        hub.dispatchLiquidation{value: 1 ether}(o, sigs);

        // vault B would credit the seizure to its own claimable bucket, which nobody can spend
        o.recipient = address(vaultB);
        sigs = _sign(hub.hashLiquidation(o));
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InvalidRecipient.selector, address(vaultB)));
        hub.dispatchLiquidation{value: 1 ether}(o, sigs);
        assertFalse(hub.dispatched(o.orderId));

        // in a batch too
        IClearingHub.SignedLiquidation[] memory liqs = new IClearingHub.SignedLiquidation[](1);
        liqs[0] = IClearingHub.SignedLiquidation({order: o, signatures: sigs});
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InvalidRecipient.selector, address(vaultB)));
        hub.dispatchBatch{value: 1 ether}(liqs, new IClearingHub.SignedWithdrawDecision[](0));

        // another chain's vault address is an ordinary recipient on B
        o.recipient = address(vaultC);
        o.orderId = bytes32(uint256(8));
        _sendLiquidation(o);
        assertTrue(hub.dispatched(o.orderId));
    }

    function test_dispatchBatch_refusesAnExpiredOrder() public {
        uint64 id = _requestAs(alice, 10e6);
        (IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs) = _batch(id);
        vm.warp(uint256(liqs[1].order.expiry) + 1);
        vm.prank(relayer);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHub.OrderExpired.selector, liqs[0].order.orderId, liqs[0].order.expiry)
        );
        hub.dispatchBatch{value: 1 ether}(liqs, decs);
    }

    function test_dispatchBatch_empty_refundsEverything() public {
        uint256 before = relayer.balance;
        vm.prank(relayer);
        bytes32[] memory guids = hub.dispatchBatch{value: 1 ether}(
            new IClearingHub.SignedLiquidation[](0), new IClearingHub.SignedWithdrawDecision[](0)
        );
        assertEq(guids.length, 0);
        assertEq(relayer.balance, before);
    }

    function testFuzz_dispatchBatch_refundsExactlyTheExcess(uint96 excess) public {
        uint64 id = _requestAs(alice, 10e6);
        (IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs) = _batch(id);
        (IClearingHub.LiquidationOrder[] memory lo, IClearingHub.WithdrawDecisionOrder[] memory dd) =
            _orders(liqs, decs);
        uint256 total = hub.quoteBatch(lo, dd);
        vm.deal(relayer, total + excess);
        vm.prank(relayer);
        hub.dispatchBatch{value: total + excess}(liqs, decs);
        assertEq(relayer.balance, excess);
    }

    function _liquidateSigned(IClearingHub.SignedLiquidation memory l) internal {
        uint256 fee = hub.quoteLiquidation(l.order).nativeFee;
        vm.prank(bob);
        hub.dispatchLiquidation{value: fee}(l.order, l.signatures);
    }

    /// @dev The hub endpoint's outbound nonce towards `receiver` on `dstEid`.
    function _outboundNonce(uint32 dstEid, address receiver) internal view returns (uint64) {
        return ILayerZeroEndpointV2(endpoints[HUB_EID]).outboundNonce(address(hub), dstEid, _b32(receiver));
    }

    /// @dev Two liquidations (vaults B and C) and one decision (vault B), each signed 2-of-3.
    function _batch(uint64 requestId)
        internal
        view
        returns (IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs)
    {
        liqs = new IClearingHub.SignedLiquidation[](2);
        IClearingHub.LiquidationOrder memory l0 = _liquidationOrder(
            B_EID,
            OmniCodec.liquidationOrderId(B_EID, alice, address(usdc), 20e6, liquidator, 1),
            alice,
            address(usdc),
            20e6,
            liquidator,
            2e6
        );
        IClearingHub.LiquidationOrder memory l1 = _liquidationOrder(
            C_EID,
            OmniCodec.liquidationOrderId(C_EID, alice, address(weth), 1 ether, liquidator, 1),
            alice,
            address(weth),
            1 ether,
            liquidator,
            0
        );
        liqs[0] = IClearingHub.SignedLiquidation({order: l0, signatures: _sign(hub.hashLiquidation(l0))});
        liqs[1] = IClearingHub.SignedLiquidation({order: l1, signatures: _sign(hub.hashLiquidation(l1))});
        decs = new IClearingHub.SignedWithdrawDecision[](1);
        IClearingHub.WithdrawDecisionOrder memory d0 = _decisionOrder(
            B_EID,
            OmniCodec.withdrawDecisionOrderId(B_EID, alice, address(usdc), 10e6, requestId),
            alice,
            address(usdc),
            10e6,
            requestId,
            true
        );
        decs[0] = IClearingHub.SignedWithdrawDecision({order: d0, signatures: _sign(hub.hashWithdrawDecision(d0))});
    }

    function _orders(IClearingHub.SignedLiquidation[] memory liqs, IClearingHub.SignedWithdrawDecision[] memory decs)
        internal
        pure
        returns (IClearingHub.LiquidationOrder[] memory lo, IClearingHub.WithdrawDecisionOrder[] memory dd)
    {
        lo = new IClearingHub.LiquidationOrder[](liqs.length);
        for (uint256 i; i < liqs.length; ++i) {
            lo[i] = liqs[i].order;
        }
        dd = new IClearingHub.WithdrawDecisionOrder[](decs.length);
        for (uint256 i; i < decs.length; ++i) {
            dd[i] = decs[i].order;
        }
    }
}
