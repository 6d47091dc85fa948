// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Vm} from "forge-std/Vm.sol";

import {IClearingHub} from "../src/interfaces/IClearingHub.sol";
import {BoundedPause} from "../src/libraries/BoundedPause.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";

/// @notice The hub's guardian and bounded dispatch pause, its refusal of native value on receive, and the owner's
/// powers that cannot be given up (`renounceOwnership`).
contract HubControlsTest is OmniFixture {
    address internal hubGuardian = makeAddr("hubGuardian");

    IClearingHub.LiquidationOrder internal order;

    function setUp() public override {
        super.setUp();
        _depositAs(alice, alice, 100e6);
        _deliverToHub();
        _fundAckReserve();
        hub.setGuardian(hubGuardian);
        order = _liquidationOrder(B_EID, keccak256("order"), alice, address(usdc), 10e6, liquidator, 1e6);
    }

    // ------------------------------------------------------------------ guardian

    function test_setGuardian_isOwnerOnly_andEmits() public {
        vm.expectEmit(address(hub));
        emit IClearingHub.GuardianSet(hubGuardian, bob);
        hub.setGuardian(bob);
        assertEq(hub.guardian(), bob);

        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, bob));
        hub.setGuardian(bob);
    }

    // ------------------------------------------------------------------ dispatch pause

    function test_pause_byTheGuardian_stopsEveryDispatch_butNotQuotes() public {
        assertFalse(hub.dispatchPaused());
        uint64 until = uint64(block.timestamp) + hub.MAX_PAUSE_DURATION();
        vm.expectEmit(address(hub));
        emit IClearingHub.DispatchPausedSet(hubGuardian, true, until);
        vm.prank(hubGuardian);
        hub.setDispatchPaused(true);
        assertTrue(hub.dispatchPaused());
        assertEq(hub.dispatchPausedUntil(), until);

        bytes[] memory sigs = _sign(hub.hashLiquidation(order));
        uint256 fee = hub.quoteLiquidation(order).nativeFee;
        assertGt(fee, 0);
        bytes memory paused = abi.encodeWithSelector(IClearingHub.DispatchIsPaused.selector, until);
        vm.prank(relayer);
        vm.expectRevert(paused);
        hub.dispatchLiquidation{value: fee}(order, sigs);

        IClearingHub.WithdrawDecisionOrder memory d =
            _decisionOrder(B_EID, keccak256("decision"), alice, address(usdc), 1e6, 1, false);
        bytes[] memory dsigs = _sign(hub.hashWithdrawDecision(d));
        vm.prank(relayer);
        vm.expectRevert(paused);
        hub.dispatchWithdrawDecision{value: 1 ether}(d, dsigs);

        IClearingHub.SignedLiquidation[] memory liqs = new IClearingHub.SignedLiquidation[](1);
        liqs[0] = IClearingHub.SignedLiquidation({order: order, signatures: sigs});
        vm.prank(relayer);
        vm.expectRevert(paused);
        hub.dispatchBatch{value: 1 ether}(liqs, new IClearingHub.SignedWithdrawDecision[](0));
        // even an empty batch: nothing is accepted while paused
        vm.prank(relayer);
        vm.expectRevert(paused);
        hub.dispatchBatch{value: 1 ether}(
            new IClearingHub.SignedLiquidation[](0), new IClearingHub.SignedWithdrawDecision[](0)
        );
        assertFalse(hub.dispatched(order.orderId));
    }

    function test_pause_expiresByItself_afterMaxPauseDuration() public {
        vm.prank(hubGuardian);
        hub.setDispatchPaused(true);
        uint64 until = hub.dispatchPausedUntil();
        assertEq(until, block.timestamp + 7 days);

        vm.warp(until - 1);
        assertTrue(hub.dispatchPaused());
        order.expiry = until + 1 hours;
        bytes[] memory sigs = _sign(hub.hashLiquidation(order));
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.DispatchIsPaused.selector, until));
        hub.dispatchLiquidation{value: 1 ether}(order, sigs);

        // nobody has to act: at `until` dispatch is open again
        vm.warp(until);
        assertFalse(hub.dispatchPaused());
        vm.prank(relayer);
        hub.dispatchLiquidation{value: 1 ether}(order, sigs);
        assertTrue(hub.dispatched(order.orderId));
        _deliverToVault();
        assertEq(vaultB.balanceOf(alice, address(usdc)), 90e6);
    }

    function test_pause_cannotRestartBeforeTheCooldown_norBeExtended() public {
        vm.prank(hubGuardian);
        hub.setDispatchPaused(true);
        uint64 until = hub.dispatchPausedUntil();

        // a pause in force cannot be renewed (by the guardian or the owner)
        vm.prank(hubGuardian);
        vm.expectRevert(abi.encodeWithSelector(BoundedPause.AlreadyPaused.selector, until));
        hub.setDispatchPaused(true);
        vm.expectRevert(abi.encodeWithSelector(BoundedPause.AlreadyPaused.selector, until));
        hub.setDispatchPaused(true);

        // after it expired, the next one waits for the cooldown, whoever asks
        uint64 next = until + hub.PAUSE_COOLDOWN();
        assertEq(hub.nextDispatchPauseAt(), next);
        vm.warp(next - 1);
        assertFalse(hub.dispatchPaused());
        vm.prank(hubGuardian);
        vm.expectRevert(abi.encodeWithSelector(BoundedPause.PauseCoolingDown.selector, next));
        hub.setDispatchPaused(true);
        vm.expectRevert(abi.encodeWithSelector(BoundedPause.PauseCoolingDown.selector, next));
        hub.setDispatchPaused(true);

        vm.warp(next);
        vm.prank(hubGuardian);
        hub.setDispatchPaused(true);
        assertTrue(hub.dispatchPaused());
        assertEq(hub.dispatchPausedUntil(), next + 7 days);
    }

    function test_pause_onlyTheOwnerLiftsItEarly_andTheCooldownRunsFromThen() public {
        vm.prank(hubGuardian);
        hub.setDispatchPaused(true);

        vm.prank(hubGuardian);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.NotGuardian.selector, hubGuardian));
        hub.setDispatchPaused(false);
        assertTrue(hub.dispatchPaused());

        vm.warp(block.timestamp + 1 hours);
        vm.expectEmit(address(hub));
        emit IClearingHub.DispatchPausedSet(address(this), false, uint64(block.timestamp));
        hub.setDispatchPaused(false);
        assertFalse(hub.dispatchPaused());
        assertEq(hub.nextDispatchPauseAt(), block.timestamp + 1 days);
        _sendLiquidation(order);

        // nothing to lift any more
        vm.expectRevert(BoundedPause.NotPaused.selector);
        hub.setDispatchPaused(false);
    }

    function test_pause_refusesAnyoneButTheGuardianAndTheOwner() public {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.NotGuardian.selector, bob));
        hub.setDispatchPaused(true);
        // the owner may pause without being the guardian
        hub.setDispatchPaused(true);
        assertTrue(hub.dispatchPaused());
        // a removed guardian loses the power
        hub.setDispatchPaused(false);
        hub.setGuardian(address(0));
        vm.warp(block.timestamp + 1 days);
        vm.prank(hubGuardian);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.NotGuardian.selector, hubGuardian));
        hub.setDispatchPaused(true);
    }

    function test_pause_neverStopsReceiving() public {
        vm.prank(hubGuardian);
        hub.setDispatchPaused(true);
        uint64 seqBefore = hub.lastSeq(B_EID);
        // a deposit and a withdrawal request still reach the gateway through the hub, one MessageReceived each
        _depositAs(bob, bob, 5e6);
        _requestAs(alice, 1e6);
        vm.recordLogs();
        _deliverToHub();
        _deliverToHub();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint8[] memory types = new uint8[](2);
        uint256 n;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(hub) && logs[i].topics[0] == IClearingHub.MessageReceived.selector) {
                (, types[n++],) = abi.decode(logs[i].data, (uint64, uint8, bytes));
            }
        }
        assertEq(n, 2);
        assertEq(types[0], OmniCodec.BALANCE);
        assertEq(types[1], OmniCodec.WITHDRAW_REQUEST);
        assertEq(hub.lastSeq(B_EID), seqBefore + 2);
        assertEq(hub.lastSeq(B_EID), vaultB.seq());
        assertTrue(hub.dispatchPaused());
    }

    // ------------------------------------------------------------------ native value on receive

    function test_lzReceive_refusesNativeValue_andTheSameMessageLaterPasses() public {
        bytes memory payload = abi.encode(uint8(1), uint8(1), alice, address(usdc), uint256(1), int256(1), uint64(9));
        Origin memory origin = Origin(B_EID, _b32(address(vaultB)), 9);
        vm.deal(endpoints[HUB_EID], 1 ether);
        vm.prank(endpoints[HUB_EID]);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.UnexpectedValue.selector, 1));
        hub.lzReceive{value: 1}(origin, bytes32(0), payload, address(0), "");
        assertFalse(hub.seqSeen(B_EID, 9));
        assertEq(address(hub).balance, 0);

        vm.prank(endpoints[HUB_EID]);
        hub.lzReceive(origin, bytes32(0), payload, address(0), "");
        assertTrue(hub.seqSeen(B_EID, 9));
    }

    // ------------------------------------------------------------------ ownership

    function test_renounceOwnership_reverts_forTheOwnerAndAnyoneElse() public {
        vm.expectRevert(IClearingHub.RenounceDisabled.selector);
        hub.renounceOwnership();
        vm.prank(bob);
        vm.expectRevert(IClearingHub.RenounceDisabled.selector);
        hub.renounceOwnership();
        assertEq(hub.owner(), address(this));
    }
}
