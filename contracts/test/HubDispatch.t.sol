// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";

import {IClearingHub} from "../src/interfaces/IClearingHub.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";

/// @notice The hub's order dispatch: withdrawal decisions, batches across two vaults, fees and refunds.
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
        uint256 fee = hub.quoteWithdrawDecision(B_EID, orderId, alice, address(usdc), 10e6, id, true).nativeFee;
        assertGt(fee, 0);
        uint256 before = operator.balance;

        vm.expectEmit(true, true, false, false, address(hub));
        emit IClearingHub.OrderDispatched(orderId, B_EID, bytes32(0));
        vm.prank(operator);
        hub.dispatchWithdrawDecision{value: fee + 1 ether}(B_EID, orderId, alice, address(usdc), 10e6, id, true);
        assertEq(operator.balance, before - fee);
        assertTrue(hub.dispatched(orderId));

        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.OrderAlreadyDispatched.selector, orderId));
        hub.dispatchWithdrawDecision{value: 1 ether}(B_EID, orderId, alice, address(usdc), 10e6, id, true);

        _deliverToVault();
        assertEq(vaultB.balanceOf(alice, address(usdc)), 90e6);
    }

    function test_dispatchWithdrawDecision_revertsForANonOperator() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.NotOperator.selector, alice));
        hub.dispatchWithdrawDecision{value: 1 ether}(B_EID, bytes32(uint256(1)), alice, address(usdc), 1, 1, true);
    }

    function test_dispatchWithdrawDecision_revertsWhenTheFeeIsShort() public {
        bytes32 orderId = bytes32(uint256(2));
        uint256 fee = hub.quoteWithdrawDecision(B_EID, orderId, alice, address(usdc), 1, 1, false).nativeFee;
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InsufficientFee.selector, fee, fee - 1));
        hub.dispatchWithdrawDecision{value: fee - 1}(B_EID, orderId, alice, address(usdc), 1, 1, false);
    }

    function test_dispatchLiquidation_refusesAnInsurancePartAboveTheAmount() public {
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.InsuranceExceedsAmount.selector, 10, 11));
        hub.dispatchLiquidation{value: 1 ether}(B_EID, bytes32(uint256(3)), alice, address(usdc), 10, liquidator, 11);
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

        bytes memory decision =
            abi.encode(uint8(1), uint8(6), bytes32(0), alice, address(usdc), uint256(1), uint64(1), true);
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

        (IClearingHub.LiquidationOrder[] memory liqs, IClearingHub.WithdrawDecisionOrder[] memory decs) = _batch(id);
        uint256 total = hub.quoteBatch(liqs, decs);
        uint256 sum = hub.quoteLiquidation(B_EID, liqs[0].orderId, alice, address(usdc), 20e6, liquidator, 2e6)
            .nativeFee
            + hub.quoteLiquidation(C_EID, liqs[1].orderId, alice, address(weth), 1 ether, liquidator, 0).nativeFee
            + hub.quoteWithdrawDecision(B_EID, decs[0].orderId, alice, address(usdc), 10e6, id, true).nativeFee;
        assertEq(total, sum);

        uint256 before = operator.balance;
        vm.prank(operator);
        bytes32[] memory guids = hub.dispatchBatch{value: total + 1 ether}(liqs, decs);
        assertEq(guids.length, 3);
        assertEq(operator.balance, before - total, "excess refunded");
        assertEq(address(hub).balance, 0);
        assertTrue(
            hub.dispatched(liqs[0].orderId) && hub.dispatched(liqs[1].orderId) && hub.dispatched(decs[0].orderId)
        );

        _deliverToVault();
        this.verifyPackets(C_EID, _b32(address(vaultC)));
        assertEq(usdc.balanceOf(liquidator), 18e6);
        assertEq(usdc.balanceOf(insurance), 2e6);
        assertEq(weth.balanceOf(liquidator), 1 ether);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 70e6);
    }

    function test_dispatchBatch_revertsWholeOnAShortFee_aRepeatedId_orANonOperator() public {
        uint64 id = _requestAs(alice, 10e6);
        (IClearingHub.LiquidationOrder[] memory liqs, IClearingHub.WithdrawDecisionOrder[] memory decs) = _batch(id);
        uint256 total = hub.quoteBatch(liqs, decs);

        vm.prank(operator);
        vm.expectRevert(); // InsufficientFee on the last send, with what was left
        hub.dispatchBatch{value: total - 1}(liqs, decs);
        assertFalse(hub.dispatched(liqs[0].orderId));

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.NotOperator.selector, alice));
        hub.dispatchBatch{value: total}(liqs, decs);

        liqs[1].orderId = liqs[0].orderId;
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.OrderAlreadyDispatched.selector, liqs[0].orderId));
        hub.dispatchBatch{value: total}(liqs, decs);
        assertFalse(hub.dispatched(liqs[0].orderId));
    }

    function test_dispatchBatch_refusesAnIdDispatchedBefore() public {
        uint64 id = _requestAs(alice, 10e6);
        (IClearingHub.LiquidationOrder[] memory liqs, IClearingHub.WithdrawDecisionOrder[] memory decs) = _batch(id);
        _decide(alice, 10e6, id, true);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.OrderAlreadyDispatched.selector, decs[0].orderId));
        hub.dispatchBatch{value: 1 ether}(liqs, decs);
    }

    function test_dispatchBatch_empty_refundsEverything() public {
        uint256 before = operator.balance;
        vm.prank(operator);
        bytes32[] memory guids = hub.dispatchBatch{value: 1 ether}(
            new IClearingHub.LiquidationOrder[](0), new IClearingHub.WithdrawDecisionOrder[](0)
        );
        assertEq(guids.length, 0);
        assertEq(operator.balance, before);
    }

    function testFuzz_dispatchBatch_refundsExactlyTheExcess(uint96 excess) public {
        uint64 id = _requestAs(alice, 10e6);
        (IClearingHub.LiquidationOrder[] memory liqs, IClearingHub.WithdrawDecisionOrder[] memory decs) = _batch(id);
        uint256 total = hub.quoteBatch(liqs, decs);
        vm.deal(operator, total + excess);
        vm.prank(operator);
        hub.dispatchBatch{value: total + excess}(liqs, decs);
        assertEq(operator.balance, excess);
    }

    function _batch(uint64 requestId)
        internal
        view
        returns (IClearingHub.LiquidationOrder[] memory liqs, IClearingHub.WithdrawDecisionOrder[] memory decs)
    {
        liqs = new IClearingHub.LiquidationOrder[](2);
        liqs[0] = IClearingHub.LiquidationOrder({
            dstEid: B_EID,
            orderId: OmniCodec.liquidationOrderId(B_EID, alice, address(usdc), 20e6, liquidator, 1),
            account: alice,
            token: address(usdc),
            amount: 20e6,
            recipient: liquidator,
            insuranceAmount: 2e6
        });
        liqs[1] = IClearingHub.LiquidationOrder({
            dstEid: C_EID,
            orderId: OmniCodec.liquidationOrderId(C_EID, alice, address(weth), 1 ether, liquidator, 1),
            account: alice,
            token: address(weth),
            amount: 1 ether,
            recipient: liquidator,
            insuranceAmount: 0
        });
        decs = new IClearingHub.WithdrawDecisionOrder[](1);
        decs[0] = IClearingHub.WithdrawDecisionOrder({
            dstEid: B_EID,
            orderId: OmniCodec.withdrawDecisionOrderId(B_EID, alice, address(usdc), 10e6, requestId),
            account: alice,
            token: address(usdc),
            amount: 10e6,
            requestId: requestId,
            approved: true
        });
    }
}
