// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";

import {ICollateralVault} from "../src/interfaces/ICollateralVault.sol";
import {BoundedPause} from "../src/libraries/BoundedPause.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {VaultExtension} from "../src/vault/VaultExtension.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";
import {SenderFeeToken} from "./utils/SenderFeeToken.sol";

/// @notice One test (or a few) per finding of the security review of the vault, each failing on the vault before its
/// fix: collateral hidden from a liquidation by withdrawal requests (H1), an escape while a rejection is stuck (M1),
/// orders executed after their expiry (M2), owner and guardian powers without limits (M3), request spam draining the
/// reply reserve (M4), and the low findings (a token charging the sender, a liquidation paid to the vault itself).
contract VaultReviewTest is OmniFixture {
    function setUp() public override {
        super.setUp();
        _depositAs(alice, alice, 100e6); // vault B seq 1
        _deliverToHub();
    }

    // ------------------------------------------------------------------ H1: nothing hides from a liquidation

    function test_H1_requestRejectReRequestLoop_cannotShieldCollateral() public {
        _fundAckReserve();
        // the loop: ask for everything, get rejected, ask again in the next block
        uint64 first = _requestAs(alice, 100e6);
        _deliverToHub();
        _decide(alice, 100e6, first, false);
        _deliverToVault();
        _deliverToHub();
        vm.roll(block.number + 1);
        uint64 second = _requestAs(alice, 100e6);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 100e6, "everything frozen again");

        // the liquidation planned when the account fell short arrives now, and takes it all anyway
        _liquidate(bytes32(uint256(1)), alice, 100e6, 10e6);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.WithdrawalReduced(second, 100e6, 0);
        _deliverToVault();
        assertEq(usdc.balanceOf(liquidator), 90e6);
        assertEq(usdc.balanceOf(insurance), 10e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 0);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 0);

        // the request stays open with nothing left; its decision closes it paying nothing
        _decide(alice, 100e6, second, true);
        _deliverToVault();
        assertEq(uint8(vaultB.withdrawal(second).status), uint8(ICollateralVault.RequestStatus.Paid));
        assertEq(usdc.balanceOf(address(vaultB)), 0);
    }

    function test_H1_pendingRequestsAreTakenNewestFirst_andTheirDecisionsReleaseTheRest() public {
        _fundAckReserve();
        uint64 older = _requestAs(alice, 20e6);
        uint64 newer = _requestAs(alice, 30e6);
        _deliverToHub();
        _deliverToHub();
        // unfrozen 50e6; the other 10e6 come from the newest request
        _liquidate(bytes32(uint256(2)), alice, 60e6, 0);
        _deliverToVault();
        assertEq(vaultB.withdrawal(newer).amount, 20e6);
        assertEq(vaultB.withdrawal(older).amount, 20e6);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 40e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 40e6);
        _deliverToHub(); // the ORDER_ACK (seq 4)

        // the hub's approval names the amount requested and pays what is left of it
        uint256 before = usdc.balanceOf(alice);
        _decide(alice, 30e6, newer, true);
        _deliverToVault();
        assertEq(usdc.balanceOf(alice), before + 20e6);
        _expectHub(
            OmniCodec.WITHDRAW_DONE,
            abi.encode(
                uint8(1), uint8(7), alice, address(usdc), newer, uint256(20e6), uint256(20e6), uint8(1), uint64(5)
            )
        );
    }

    function test_H1_approvedQueuedPayouts_stayOutOfReach() public {
        _fundAckReserve();
        vaultB.setRateLimit(address(usdc), 1 days, 10e6);
        uint64 id = _requestAs(alice, 30e6);
        _deliverToHub();
        _decide(alice, 30e6, id, true);
        _deliverToVault();
        assertEq(vaultB.queuedOf(alice, address(usdc)), 30e6);

        _liquidate(bytes32(uint256(3)), alice, 100e6, 0);
        _deliverToVault();
        assertEq(usdc.balanceOf(liquidator), 70e6, "all but the approved payout");
        assertEq(vaultB.balanceOf(alice, address(usdc)), 30e6);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 30e6);

        vm.warp(block.timestamp + 1 days);
        vaultB.setRateLimit(address(usdc), 1 days, 30e6);
        vaultB.executePayout(id);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 0);
        assertEq(vaultB.queuedOf(alice, address(usdc)), 0);
    }

    // ------------------------------------------------------------------ M1: a decision always lands before the escape

    function test_M1_decisionWithAnEmptyReserve_takesEffect_andItsReplyIsOwed() public {
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        vaultB.withdrawAckReserve(payable(makeAddr("treasury")), address(vaultB).balance);
        bytes32 orderId = _decide(alice, 40e6, id, false);

        uint256 fee = vaultB.quoteWithdrawalDone(id).nativeFee;
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.ReplyOwed(3, OmniCodec.WITHDRAW_DONE, fee);
        _deliverToVault();
        assertTrue(vaultB.executed(orderId));
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.Rejected));
        assertEq(vaultB.frozenOf(alice, address(usdc)), 0);
        bytes memory done =
            abi.encode(uint8(1), uint8(7), alice, address(usdc), id, uint256(0), uint256(100e6), uint8(2), uint64(3));
        assertEq(vaultB.owedReply(3), done);

        // anyone sends it later, paying its fee; it goes once
        vm.prank(bob);
        vaultB.sendOwedReply{value: fee}(3);
        assertEq(vaultB.owedReply(3).length, 0);
        _expectHub(OmniCodec.WITHDRAW_DONE, done);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NoOwedReply.selector, uint64(3)));
        vaultB.sendOwedReply{value: fee}(3);
    }

    function test_M1_escapeClockStopsWhileInboundIsPaused_soARejectionLandsFirst() public {
        _fundAckReserve();
        uint256 t0 = vm.getBlockTimestamp();
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        _decide(alice, 40e6, id, false);
        vm.prank(guardian);
        vaultB.setInboundPaused(true);
        vm.expectRevert(ICollateralVault.InboundPaused.selector);
        this.verifyPackets(B_EID, _b32(address(vaultB)));

        // the pause runs its full 7 days; the request's 3-day clock did not run meanwhile
        vm.warp(t0 + 7 days);
        assertFalse(vaultB.inboundPaused());
        assertEq(vaultB.escapeAvailableAt(id), t0 + 7 days + 3 days);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.EscapeTooEarly.selector, id, t0 + 10 days));
        vaultB.escapeWithdrawal(id);

        // the stuck rejection is retried: past its expiry, it is acknowledged EXPIRED and the hub decides anew, with
        // the whole escape delay still ahead; the new rejection lands and the escape is closed for good
        _deliverToVault();
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.Pending));
        bytes32 again = OmniCodec.withdrawDecisionOrderId(B_EID, alice, address(usdc), 40e6, 1000);
        _sendDecision(_decisionOrder(B_EID, again, alice, address(usdc), 40e6, id, false));
        _deliverToVault();
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.Rejected));
        vm.warp(t0 + 10 days);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.InvalidRequestStatus.selector, id, ICollateralVault.RequestStatus.Rejected
            )
        );
        vaultB.escapeWithdrawal(id);
    }

    // ------------------------------------------------------------------ M2: expiry enforced at the vault

    function test_M2_liquidationDeliveredAfterItsExpiry_changesNothing_andIsAckedExpired() public {
        _fundAckReserve();
        bytes32 orderId = bytes32(uint256(4));
        uint64 expiry = uint64(vm.getBlockTimestamp()) + ORDER_TTL;
        _liquidate(orderId, alice, 50e6, 5e6);
        vm.warp(uint256(expiry) + 1);

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.OrderArrivedExpired(orderId, expiry);
        _deliverToVault();
        assertTrue(vaultB.executed(orderId), "used up: it can never run later");
        assertEq(vaultB.balanceOf(alice, address(usdc)), 100e6);
        assertEq(usdc.balanceOf(liquidator), 0);
        _expectHub(
            OmniCodec.ORDER_ACK,
            abi.encode(
                uint8(1), uint8(4), orderId, alice, address(usdc), uint256(0), uint256(100e6), uint8(2), uint64(2)
            )
        );
    }

    function test_M2_decisionDeliveredAfterItsExpiry_leavesTheRequestOpen() public {
        _fundAckReserve();
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        bytes32 orderId = _decide(alice, 40e6, id, true);
        vm.warp(block.timestamp + ORDER_TTL + 1);
        _deliverToVault();
        assertTrue(vaultB.executed(orderId));
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.Pending));
        assertEq(vaultB.frozenOf(alice, address(usdc)), 40e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 100e6);
        _expectHub(
            OmniCodec.ORDER_ACK,
            abi.encode(
                uint8(1), uint8(4), orderId, alice, address(usdc), uint256(0), uint256(100e6), uint8(2), uint64(3)
            )
        );
    }

    // ------------------------------------------------------------------ M3: powers with limits

    function test_M3_pauseEndsByItself_cannotBeExtended_norChainedWithoutACooldown() public {
        uint256 t0 = vm.getBlockTimestamp();
        vm.startPrank(guardian);
        vaultB.setOutboundPaused(true);
        vm.expectRevert(abi.encodeWithSelector(BoundedPause.AlreadyPaused.selector, uint64(t0 + 7 days)));
        vaultB.setOutboundPaused(true);
        vm.warp(t0 + 7 days);
        assertFalse(vaultB.outboundPaused(), "ended by itself");
        vm.expectRevert(abi.encodeWithSelector(BoundedPause.PauseCoolingDown.selector, t0 + 8 days));
        vaultB.setOutboundPaused(true);
        vm.stopPrank();
        // the owner is bound by the same rules
        vm.expectRevert(abi.encodeWithSelector(BoundedPause.PauseCoolingDown.selector, t0 + 8 days));
        vaultB.setOutboundPaused(true);

        // during the cooldown users act: the escape hatch cannot be held shut
        _depositAs(bob, bob, 1e6);
        vm.warp(t0 + 8 days);
        vm.prank(guardian);
        vaultB.setOutboundPaused(true);
        (uint64 outboundEnd,) = vaultB.pauseEnds();
        assertEq(outboundEnd, t0 + 15 days);
    }

    function test_M3_escapeDelayChange_appliesOnlyToNewRequests() public {
        _fundAckReserve();
        uint256 t0 = vm.getBlockTimestamp();
        uint64 before = _requestAs(alice, 10e6);
        vaultB.setEscapeDelay(30 days);
        uint64 later = _requestAs(alice, 10e6);
        assertEq(vaultB.escapeAvailableAt(before), t0 + 3 days);
        assertEq(vaultB.escapeAvailableAt(later), t0 + 30 days);
        vm.warp(t0 + 3 days);
        vm.prank(alice);
        vaultB.escapeWithdrawal(before);
        assertEq(uint8(vaultB.withdrawal(before).status), uint8(ICollateralVault.RequestStatus.Escaped));
    }

    function test_M3_queuedPayoutAboveAnyWindow_isEscapableAfterItsDelay() public {
        _fundAckReserve();
        vaultB.setRateLimit(address(usdc), 1 days, 1);
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        _decide(alice, 40e6, id, true);
        _deliverToVault();
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.PayoutQueued));
        vm.warp(block.timestamp + 2 days);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.RateLimited.selector, address(usdc), 40e6, 1));
        vaultB.executePayout(id);

        vm.warp(block.timestamp + 1 days);
        uint256 before = usdc.balanceOf(alice);
        vm.prank(alice);
        vaultB.escapeWithdrawal(id);
        assertEq(usdc.balanceOf(alice), before + 40e6);
        assertEq(vaultB.queuedOf(alice, address(usdc)), 0);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 0);
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.Escaped));
    }

    function test_M3_renounceOwnership_isDisabled() public {
        vm.expectRevert(ICollateralVault.RenounceDisabled.selector);
        vaultB.renounceOwnership();
        assertEq(vaultB.owner(), address(this));
    }

    // ------------------------------------------------------------------ M4: request spam

    function test_M4_requestsBelowTheMinimum_areRefused() public {
        vaultB.setMinWithdrawal(address(usdc), 5e6);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.BelowMinWithdrawal.selector, address(usdc), 5e6 - 1, 5e6)
        );
        vaultB.requestWithdrawal{value: 1 ether}(address(usdc), 5e6 - 1);
        _requestAs(alice, 5e6);
    }

    function test_M4_openRequestsPerAccount_areCapped() public {
        _fundAckReserve();
        uint64 first = _requestAs(alice, 1e6);
        for (uint256 i = 1; i < vaultB.MAX_OPEN_REQUESTS(); ++i) {
            _requestAs(alice, 1e6);
        }
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.TooManyOpenRequests.selector, alice, uint256(4)));
        vaultB.requestWithdrawal{value: 1 ether}(address(usdc), 1e6);
        assertEq(vaultB.openRequests(alice).length, 4);

        // a closed request frees its place
        for (uint256 i; i < 4; ++i) {
            _deliverToHub();
        }
        _decide(alice, 1e6, first, false);
        _deliverToVault();
        assertEq(vaultB.openRequests(alice).length, 3);
        assertEq(vaultB.openRequests(alice)[0], first + 1, "the rest in request order");
        _requestAs(alice, 1e6);
    }

    function test_M4_aRequestPrepaysItsDone_soSpamCannotDrainTheReserve() public {
        assertEq(address(vaultB).balance, 0, "no reserve at all");
        uint256 quote = vaultB.quoteWithdrawalRequest(alice, address(usdc), 40e6).nativeFee;
        uint256 doneFee = vaultB.quoteWithdrawalDone(0).nativeFee;
        uint256 walletBefore = alice.balance;
        vm.prank(alice);
        uint64 id = vaultB.requestWithdrawal{value: quote + 1 ether}(address(usdc), 40e6);
        assertEq(alice.balance, walletBefore - quote, "the excess is refunded");
        assertEq(address(vaultB).balance, doneFee, "the WITHDRAW_DONE is prepaid into the reserve");
        _deliverToHub();

        // the decision's reply is paid from it: nothing owed
        _decide(alice, 40e6, id, false);
        _deliverToVault();
        assertEq(vaultB.owedReply(3).length, 0);
        assertEq(address(vaultB).balance, 0);
    }

    function test_M4_liquidationWithAnEmptyReserve_executes_andItsAckIsOwed() public {
        assertEq(address(vaultB).balance, 0);
        _liquidate(bytes32(uint256(5)), alice, 30e6, 0);
        _deliverToVault();
        assertTrue(vaultB.executed(bytes32(uint256(5))));
        assertEq(usdc.balanceOf(liquidator), 30e6);
        assertGt(vaultB.owedReply(2).length, 0);
    }

    // ------------------------------------------------------------------ low

    function test_low_payoutOfATokenChargingTheSender_isUndoneAndCredited() public {
        _fundAckReserve();
        SenderFeeToken sft = new SenderFeeToken();
        vaultB.setCollateral(address(sft), true);
        sft.mint(alice, 1000);
        vm.startPrank(alice);
        sft.approve(address(vaultB), 100);
        vaultB.deposit{value: vaultB.quoteDeposit(alice, address(sft), 100).nativeFee}(address(sft), 100);
        uint64 id = vaultB.requestWithdrawal{value: vaultB.quoteWithdrawalRequest(alice, address(sft), 50).nativeFee}(
            address(sft), 50
        );
        vm.stopPrank();
        _deliverToHub();
        _deliverToHub();
        bytes32 orderId = OmniCodec.withdrawDecisionOrderId(B_EID, alice, address(sft), 50, id);
        _sendDecision(_decisionOrder(B_EID, orderId, alice, address(sft), 50, id, true));

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.WithdrawalTransferFailed(id, alice, address(sft), 50);
        _deliverToVault();
        assertEq(sft.balanceOf(address(vaultB)), 100, "nothing left the vault");
        assertEq(vaultB.totalDeposits(address(sft)) + vaultB.totalClaimable(address(sft)), 100, "solvent");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.TransferOverdrawn.selector, address(sft), 50, 51));
        vaultB.claim(address(sft), alice);
    }

    function test_low_liquidationToTheVaultItself_paysTheInsuranceFund() public {
        _fundAckReserve();
        bytes memory order = OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: bytes32(uint256(6)),
                account: alice,
                token: address(usdc),
                amount: 10e6,
                recipient: address(vaultB),
                insuranceAmount: 1e6,
                expiry: uint64(block.timestamp)
            })
        );
        vm.prank(endpoints[B_EID]);
        vaultB.lzReceive(Origin(HUB_EID, _b32(address(hub)), 1), bytes32(0), order, address(0), "");
        assertEq(usdc.balanceOf(insurance), 10e6);
        assertEq(vaultB.claimable(address(vaultB), address(usdc)), 0);
    }

    function test_low_transferExact_andTheExtension_refuseOutsiders() public {
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.OnlySelf.selector, address(this)));
        vaultB.transferExact(address(usdc), alice, 1);
        VaultExtension ext = VaultExtension(vaultB.extension());
        vm.expectRevert(VaultExtension.NotThroughVault.selector);
        ext.setCollateral(address(usdc), false);
        vm.expectRevert(VaultExtension.NotThroughVault.selector);
        ext.decide("");
    }
}
