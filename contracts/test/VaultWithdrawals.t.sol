// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {CollateralVault} from "../src/CollateralVault.sol";
import {ICollateralVault} from "../src/interfaces/ICollateralVault.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";
import {QuirkyToken} from "./utils/QuirkyToken.sol";

/// @notice Two-phase withdrawals on vault B: request, the hub's decision, token quirks on payout, claims, the escape
/// hatch and the outbound rate limit, every step delivered through the real endpoints.
contract VaultWithdrawalsTest is OmniFixture {
    QuirkyToken internal qrk;

    function setUp() public override {
        super.setUp();
        _depositAs(alice, alice, 100e6);
        _deliverToHub();
        _fundAckReserve();
        qrk = new QuirkyToken();
        vaultB.setCollateral(address(qrk), true);
    }

    // ------------------------------------------------------------------ request

    function test_requestWithdrawal_freezesTheAmountAndAsksTheHub() public {
        uint256 fee = vaultB.quoteWithdrawalRequest(alice, address(usdc), 40e6).nativeFee;
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.WithdrawalRequested(1, alice, address(usdc), 40e6, 2);
        vm.prank(alice);
        uint64 id = vaultB.requestWithdrawal{value: fee}(address(usdc), 40e6);

        assertEq(id, 1);
        assertEq(vaultB.lastRequestId(), 1);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 100e6, "frozen stays part of the balance");
        assertEq(vaultB.frozenOf(alice, address(usdc)), 40e6);
        ICollateralVault.Withdrawal memory w = vaultB.withdrawal(1);
        assertEq(w.account, alice);
        assertEq(w.token, address(usdc));
        assertEq(w.amount, 40e6);
        assertEq(w.requestedAt, block.timestamp);
        assertEq(uint8(w.status), uint8(ICollateralVault.RequestStatus.Pending));
        _expectHub(
            OmniCodec.WITHDRAW_REQUEST, abi.encode(uint8(1), uint8(2), alice, address(usdc), 40e6, uint64(1), uint64(2))
        );
    }

    function test_requestWithdrawal_revertsForZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.ZeroAmount.selector);
        vaultB.requestWithdrawal{value: 1 ether}(address(usdc), 0);
    }

    function test_requestWithdrawal_revertsAboveTheUnfrozenBalance() public {
        _requestAs(alice, 60e6);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.InsufficientUnfrozenBalance.selector, 50e6, 40e6));
        vaultB.requestWithdrawal{value: 1 ether}(address(usdc), 50e6);
    }

    function test_requestWithdrawal_revertsWhileOutboundIsPaused() public {
        vm.prank(guardian);
        vaultB.setOutboundPaused(true);
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.OutboundPaused.selector);
        vaultB.requestWithdrawal{value: 1 ether}(address(usdc), 1e6);
    }

    function test_requestWithdrawal_revertsWhenTheFeeIsShort() public {
        uint256 fee = vaultB.quoteWithdrawalRequest(alice, address(usdc), 1e6).nativeFee;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.InsufficientFee.selector, fee, fee - 1));
        vaultB.requestWithdrawal{value: fee - 1}(address(usdc), 1e6);
    }

    // ------------------------------------------------------------------ decisions

    function test_approvedDecision_paysTheAccountAndTellsTheHub() public {
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        uint256 before = usdc.balanceOf(alice);
        bytes32 orderId = _decide(alice, 40e6, id, true);

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.WithdrawalClosed(id, alice, OmniCodec.OUTCOME_PAID, 40e6, 60e6, 3);
        _deliverToVault();

        assertEq(usdc.balanceOf(alice), before + 40e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 60e6);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 0);
        assertEq(vaultB.totalDeposits(address(usdc)), 60e6);
        assertTrue(vaultB.executed(orderId));
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.Paid));
        _expectHub(
            OmniCodec.WITHDRAW_DONE,
            abi.encode(uint8(1), uint8(7), alice, address(usdc), id, uint256(40e6), uint256(60e6), uint8(1), uint64(3))
        );
    }

    function test_rejectedDecision_unfreezesAndTellsTheHub() public {
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        _decide(alice, 40e6, id, false);
        _deliverToVault();

        assertEq(vaultB.balanceOf(alice, address(usdc)), 100e6);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 0);
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.Rejected));
        _expectHub(
            OmniCodec.WITHDRAW_DONE,
            abi.encode(uint8(1), uint8(7), alice, address(usdc), id, uint256(0), uint256(100e6), uint8(2), uint64(3))
        );
    }

    function test_decision_forAnUnknownRequest_isConsumedWithoutEffect() public {
        bytes32 orderId = _decide(alice, 40e6, 9, true);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.DecisionIgnored(orderId, 9, ICollateralVault.IgnoreReason.UnknownRequest);
        _deliverToVault();
        assertTrue(vaultB.executed(orderId));
        assertEq(vaultB.seq(), 1, "no message to the hub");
        assertEq(vaultB.balanceOf(alice, address(usdc)), 100e6);
    }

    function test_decision_thatDoesNotMatchTheRequest_isConsumedWithoutEffect() public {
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        bytes32 wrongAmount = _decide(alice, 41e6, id, true);
        bytes32 wrongAccount = _decide(bob, 40e6, id, true);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.DecisionIgnored(wrongAmount, id, ICollateralVault.IgnoreReason.Mismatch);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.DecisionIgnored(wrongAccount, id, ICollateralVault.IgnoreReason.Mismatch);
        _deliverToVault();
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.Pending));
        assertEq(vaultB.frozenOf(alice, address(usdc)), 40e6);
    }

    function test_secondDecision_forAClosedRequest_isConsumedWithoutEffect() public {
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        _decide(alice, 40e6, id, true);
        _deliverToVault();
        _deliverToHub();

        // a different order id (another input sequence) for the same request
        bytes32 late = OmniCodec.withdrawDecisionOrderId(B_EID, alice, address(usdc), 40e6, 1000);
        _sendDecision(_decisionOrder(B_EID, late, alice, address(usdc), 40e6, id, false));
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.DecisionIgnored(late, id, ICollateralVault.IgnoreReason.RequestClosed);
        _deliverToVault();
        assertEq(vaultB.balanceOf(alice, address(usdc)), 60e6);
        assertEq(vaultB.seq(), 3);
    }

    function test_vault_refusesTheSameDecisionOrderIdTwice() public {
        bytes memory decision = OmniCodec.encodeWithdrawDecision(
            OmniCodec.WithdrawDecision({
                orderId: bytes32(uint256(77)),
                account: alice,
                token: address(usdc),
                amount: 1,
                requestId: 5,
                approved: true,
                expiry: uint64(block.timestamp + 1 hours)
            })
        );
        Origin memory origin = Origin({srcEid: HUB_EID, sender: _b32(address(hub)), nonce: 1});
        vm.prank(endpoints[B_EID]);
        vaultB.lzReceive(origin, bytes32(uint256(1)), decision, address(0), "");
        vm.prank(endpoints[B_EID]);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.OrderAlreadyExecuted.selector, bytes32(uint256(77))));
        vaultB.lzReceive(origin, bytes32(uint256(2)), decision, address(0), "");
    }

    function test_decisions_executeWhileOutboundIsPaused_butNotWhileInboundIs() public {
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        vm.prank(guardian);
        vaultB.setInboundPaused(true);
        _decide(alice, 40e6, id, true);
        vm.expectRevert(ICollateralVault.InboundPaused.selector);
        this.verifyPackets(B_EID, _b32(address(vaultB)));

        vaultB.setInboundPaused(false);
        vm.prank(guardian);
        vaultB.setOutboundPaused(true);
        _deliverToVault();
        assertEq(vaultB.balanceOf(alice, address(usdc)), 60e6);
    }

    // ------------------------------------------------------------------ token quirks and claims

    function test_approvedPayout_toABlockedAccount_isCreditedAndClaimableElsewhere() public {
        uint64 id = _quirkyRequest(50);
        qrk.setBlocked(alice, true);
        _decideQrk(id, 50, true);

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.WithdrawalTransferFailed(id, alice, address(qrk), 50);
        _deliverToVault();

        assertEq(vaultB.claimable(alice, address(qrk)), 50);
        assertEq(vaultB.totalClaimable(address(qrk)), 50);
        assertEq(vaultB.balanceOf(alice, address(qrk)), 50);
        assertEq(qrk.balanceOf(address(vaultB)), 100, "balances 50 + claimable 50");
        // the hub hears PAID: the amount left alice's balance
        _expectHub(
            OmniCodec.WITHDRAW_DONE,
            abi.encode(uint8(1), uint8(7), alice, address(qrk), id, uint256(50), uint256(50), uint8(1), vaultB.seq())
        );

        // alice redirects the claim to bob
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.Claimed(alice, address(qrk), bob, 50);
        vm.prank(alice);
        vaultB.claim(address(qrk), bob);
        assertEq(qrk.balanceOf(bob), 50);
        assertEq(vaultB.claimable(alice, address(qrk)), 0);
        assertEq(vaultB.totalClaimable(address(qrk)), 0);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NothingToClaim.selector, alice, address(qrk)));
        vaultB.claim(address(qrk), bob);
    }

    function test_claim_toABlockedAddressReverts_andCanBeRetried() public {
        uint64 id = _quirkyRequest(50);
        qrk.setBlocked(alice, true);
        _decideQrk(id, 50, true);
        _deliverToVault();

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(QuirkyToken.Blocked.selector, alice));
        vaultB.claim(address(qrk), alice);
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.ZeroAccount.selector);
        vaultB.claim(address(qrk), address(0));

        qrk.setBlocked(alice, false);
        vm.prank(alice);
        vaultB.claim(address(qrk), alice);
        assertEq(qrk.balanceOf(alice), 900 + 50, "1000 minted, 100 deposited, 50 claimed back");
    }

    function test_approvedPayout_withATokenReturningFalse_isCredited() public {
        uint64 id = _quirkyRequest(30);
        qrk.setMode(QuirkyToken.Mode.ReturnFalse);
        _decideQrk(id, 30, true);
        _deliverToVault();
        assertEq(vaultB.claimable(alice, address(qrk)), 30);
        assertEq(qrk.balanceOf(address(vaultB)), 100);
        assertEq(vaultB.totalDeposits(address(qrk)) + vaultB.totalClaimable(address(qrk)), 100);
    }

    function test_approvedPayout_withATokenMovingLess_creditsTheShortfall() public {
        uint64 id = _quirkyRequest(30);
        qrk.setMode(QuirkyToken.Mode.HalfTransfer);
        _decideQrk(id, 30, true);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.WithdrawalTransferFailed(id, alice, address(qrk), 15);
        _deliverToVault();
        assertEq(vaultB.claimable(alice, address(qrk)), 15);
        assertEq(qrk.balanceOf(address(vaultB)), 85);
        assertEq(vaultB.totalDeposits(address(qrk)) + vaultB.totalClaimable(address(qrk)), 85);
    }

    // ------------------------------------------------------------------ escape hatch

    function test_escape_paysUnilaterallyAfterTheDelay_andTellsTheHub() public {
        uint64 id = _requestAs(alice, 40e6);
        _deliverToHub();
        uint256 availableAt = block.timestamp + vaultB.escapeDelay();

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.EscapeTooEarly.selector, id, availableAt));
        vaultB.escapeWithdrawal{value: 1 ether}(id);

        vm.warp(availableAt);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotRequestAccount.selector, id, bob));
        vaultB.escapeWithdrawal{value: 1 ether}(id);

        uint256 fee = vaultB.quoteWithdrawalDone(id).nativeFee;
        uint256 before = usdc.balanceOf(alice);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.WithdrawalClosed(id, alice, OmniCodec.OUTCOME_ESCAPED, 40e6, 60e6, 3);
        vm.prank(alice);
        vaultB.escapeWithdrawal{value: fee}(id);

        assertEq(usdc.balanceOf(alice), before + 40e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 60e6);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 0);
        _expectHub(
            OmniCodec.WITHDRAW_DONE,
            abi.encode(uint8(1), uint8(7), alice, address(usdc), id, uint256(40e6), uint256(60e6), uint8(3), uint64(3))
        );

        // a late decision changes nothing, and the request cannot be escaped twice
        bytes32 orderId = _decide(alice, 40e6, id, true);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.DecisionIgnored(orderId, id, ICollateralVault.IgnoreReason.RequestClosed);
        _deliverToVault();
        assertEq(vaultB.balanceOf(alice, address(usdc)), 60e6);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.InvalidRequestStatus.selector, id, ICollateralVault.RequestStatus.Escaped
            )
        );
        vaultB.escapeWithdrawal{value: 1 ether}(id);
    }

    function test_escape_revertsWhileOutboundIsPaused_andForAnUnknownRequest() public {
        uint64 id = _requestAs(alice, 40e6);
        vm.warp(block.timestamp + vaultB.escapeDelay());
        vm.prank(guardian);
        vaultB.setOutboundPaused(true);
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.OutboundPaused.selector);
        vaultB.escapeWithdrawal{value: 1 ether}(id);

        vaultB.setOutboundPaused(false);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotRequestAccount.selector, uint64(42), alice));
        vaultB.escapeWithdrawal{value: 1 ether}(42);
    }

    // ------------------------------------------------------------------ outbound rate limit

    function test_rateLimit_queuesAnApprovedPayout_thatExecutePayoutPaysLater() public {
        vaultB.setRateLimit(address(usdc), 1 days, 50e6);
        uint64 first = _requestAs(alice, 30e6);
        uint64 second = _requestAs(alice, 30e6);
        _deliverToHub();
        _decide(alice, 30e6, first, true);
        _decide(alice, 30e6, second, true);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.PayoutQueued(second, alice, address(usdc), 30e6);
        _deliverToVault();

        assertEq(vaultB.balanceOf(alice, address(usdc)), 70e6);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 30e6, "the queued payout stays frozen");
        assertEq(vaultB.outboundAvailable(address(usdc)), 20e6);
        assertEq(uint8(vaultB.withdrawal(second).status), uint8(ICollateralVault.RequestStatus.PayoutQueued));

        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.RateLimited.selector, address(usdc), 30e6, 20e6));
        vaultB.executePayout{value: 1 ether}(second);

        // a queued payout waits its escape delay from when it was queued before its account may escape it
        uint256 escapableAt = vm.getBlockTimestamp() + vaultB.escapeDelay();
        assertEq(vaultB.escapeAvailableAt(second), escapableAt);
        vm.warp(block.timestamp + 1 days);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.EscapeTooEarly.selector, second, escapableAt));
        vaultB.escapeWithdrawal(second);

        uint256 before = usdc.balanceOf(alice);
        uint256 fee = vaultB.quoteWithdrawalDone(second).nativeFee;
        vm.prank(bob); // anyone may push it; the tokens go to the account
        vaultB.executePayout{value: fee}(second);
        assertEq(usdc.balanceOf(alice), before + 30e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 40e6);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 0);
        assertEq(vaultB.outboundAvailable(address(usdc)), 20e6);

        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.InvalidRequestStatus.selector, second, ICollateralVault.RequestStatus.Paid
            )
        );
        vaultB.executePayout{value: 1 ether}(second);
    }

    function test_rateLimit_countsAnEscapeButNeverRefusesIt() public {
        vaultB.setRateLimit(address(usdc), 1 hours, 10e6);
        uint64 id = _requestAs(alice, 40e6);
        vm.warp(block.timestamp + vaultB.escapeDelay());
        vm.prank(alice);
        vaultB.escapeWithdrawal(id);
        assertEq(uint8(vaultB.withdrawal(id).status), uint8(ICollateralVault.RequestStatus.Escaped));
        assertEq(vaultB.outboundAvailable(address(usdc)), 0, "the escape used the whole window");
    }

    function test_rateLimit_neverBlocksLiquidations() public {
        vaultB.setRateLimit(address(usdc), 1 days, 1);
        _liquidate(bytes32(uint256(1)), alice, 90e6, 9e6);
        _deliverToVault();
        assertEq(usdc.balanceOf(liquidator), 81e6);
        assertEq(usdc.balanceOf(insurance), 9e6);
        assertEq(vaultB.outboundAvailable(address(usdc)), 1);
    }

    function test_setRateLimit_isOwnerOnly_refusesHalfConfigs_andEmits() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vaultB.setRateLimit(address(usdc), 1 days, 1);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.InvalidRateLimit.selector, uint64(0), uint256(1)));
        vaultB.setRateLimit(address(usdc), 0, 1);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.InvalidRateLimit.selector, uint64(1), uint256(0)));
        vaultB.setRateLimit(address(usdc), 1, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.InvalidRateLimit.selector, uint64(1 days + 1), uint256(5e6))
        );
        vaultB.setRateLimit(address(usdc), 1 days + 1, 5e6);

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.RateLimitSet(address(usdc), 1 days, 5e6);
        vaultB.setRateLimit(address(usdc), 1 days, 5e6);
        (uint64 window, uint256 maxAmount) = vaultB.rateLimit(address(usdc));
        assertEq(window, 1 days);
        assertEq(maxAmount, 5e6);
        assertEq(vaultB.outboundAvailable(address(usdc)), 5e6);

        vaultB.setRateLimit(address(usdc), 0, 0);
        assertEq(vaultB.outboundAvailable(address(usdc)), type(uint256).max);
    }

    // ------------------------------------------------------------------ configuration

    function test_setEscapeDelay_isOwnerOnlyAndBounded() public {
        assertEq(vaultB.escapeDelay(), 3 days);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vaultB.setEscapeDelay(2 days);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.EscapeDelayOutOfBounds.selector, 1 days - 1));
        vaultB.setEscapeDelay(1 days - 1);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.EscapeDelayOutOfBounds.selector, 30 days + 1));
        vaultB.setEscapeDelay(30 days + 1);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.EscapeDelaySet(1 days);
        vaultB.setEscapeDelay(1 days);
        assertEq(vaultB.escapeDelay(), 1 days);
    }

    function test_insuranceFund_isOwnerSetAndNeverZero() public {
        vm.expectRevert(ICollateralVault.ZeroInsuranceFund.selector);
        new CollateralVault(endpoints[B_EID], address(this), HUB_EID, address(0));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vaultB.setInsuranceFund(alice);
        vm.expectRevert(ICollateralVault.ZeroInsuranceFund.selector);
        vaultB.setInsuranceFund(address(0));
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.InsuranceFundSet(insurance, bob);
        vaultB.setInsuranceFund(bob);
        assertEq(vaultB.insuranceFund(), bob);
    }

    function test_liquidation_seizesWhatAPendingRequestFroze() public {
        uint64 id = _requestAs(alice, 70e6);
        _liquidate(bytes32(uint256(2)), alice, 100e6, 0);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.WithdrawalReduced(id, 70e6, 0);
        _deliverToVault();
        assertEq(usdc.balanceOf(liquidator), 100e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 0);
        assertEq(vaultB.frozenOf(alice, address(usdc)), 0);
        assertEq(vaultB.withdrawal(id).amount, 0);
        assertEq(vaultB.withdrawal(id).requested, 70e6, "the decision still matches what was asked");
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_requestAndDecision_conserveValue(uint256 amount, bool approved, uint256 second) public {
        amount = bound(amount, 1, 100e6);
        uint64 id = _requestAs(alice, amount);
        second = bound(second, 0, 100e6 - amount);
        if (second != 0) _requestAs(alice, second);
        _deliverToHub();
        uint256 walletBefore = usdc.balanceOf(alice);
        _decide(alice, amount, id, approved);
        _deliverToVault();

        uint256 paid = approved ? amount : 0;
        assertEq(usdc.balanceOf(alice), walletBefore + paid);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 100e6 - paid);
        assertEq(vaultB.frozenOf(alice, address(usdc)), second);
        assertEq(usdc.balanceOf(address(vaultB)), vaultB.totalDeposits(address(usdc)));
    }

    // ------------------------------------------------------------------ helpers

    function _quirkyRequest(uint256 amount) internal returns (uint64 id) {
        qrk.mint(alice, 1000);
        vm.startPrank(alice);
        qrk.approve(address(vaultB), 100);
        vaultB.deposit{value: vaultB.quoteDeposit(alice, address(qrk), 100).nativeFee}(address(qrk), 100);
        id = vaultB.requestWithdrawal{value: vaultB.quoteWithdrawalRequest(alice, address(qrk), amount).nativeFee}(
            address(qrk), amount
        );
        vm.stopPrank();
        _deliverToHub();
        _deliverToHub();
    }

    function _decideQrk(uint64 id, uint256 amount, bool approved) internal {
        bytes32 orderId = OmniCodec.withdrawDecisionOrderId(B_EID, alice, address(qrk), amount, id);
        _sendDecision(_decisionOrder(B_EID, orderId, alice, address(qrk), amount, id, approved));
    }
}
