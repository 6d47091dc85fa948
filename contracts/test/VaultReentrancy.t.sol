// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICollateralVault} from "../src/interfaces/ICollateralVault.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {HookToken, ReentrantHook} from "./utils/HookToken.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";

/// @notice Collateral with ERC-777-style transfer hooks on vault B: a hook that calls back into the vault during a
/// transfer is refused by the reentrancy lock on every token-moving entry point. On `deposit` the refusal reverts the
/// deposit (or, if the hook swallows it, the deposit credits exactly what arrived); on a receive path it fails the
/// transfer, which is credited as claimable, and the delivery completes.
contract VaultReentrancyTest is OmniFixture {
    HookToken internal hk;
    ReentrantHook internal attacker;

    function setUp() public override {
        super.setUp();
        hk = new HookToken();
        vaultB.setCollateral(address(hk), true);
        attacker = new ReentrantHook(vaultB, hk);
        hk.mint(address(attacker), 10_000);
        vm.deal(address(attacker), 10 ether);
        hk.mint(alice, 10_000);
        vm.startPrank(alice);
        hk.approve(address(vaultB), type(uint256).max);
        vaultB.deposit{value: vaultB.quoteDeposit(alice, address(hk), 1000).nativeFee}(address(hk), 1000);
        vm.stopPrank();
        _deliverToHub();
        _fundAckReserve();
    }

    // ------------------------------------------------------------------ deposits

    function test_deposit_reenteredFromTheSendersHook_reverts() public {
        attacker.arm(ReentrantHook.Action.Deposit, 100, false);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        attacker.deposit{value: 1 ether}(100);

        attacker.arm(ReentrantHook.Action.DepositFor, 100, false);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        attacker.deposit{value: 1 ether}(100);

        assertEq(vaultB.balanceOf(address(attacker), address(hk)), 0);
        assertEq(hk.balanceOf(address(attacker)), 10_000);
        _assertSolvent();
    }

    /// @dev The hook catches the refusal and lets the outer transfer finish. Without the lock, the inner deposit
    /// would be credited `inner` and the outer one would measure `outer + inner` arriving: `outer + 2 * inner`
    /// credited for `outer + inner` held, which `_assertSolvent` catches.
    function testFuzz_deposit_reentryCaughtByTheHook_creditsOnlyWhatArrived(uint256 outer, uint256 inner, bool forSelf)
        public
    {
        outer = bound(outer, 1, 5000);
        inner = bound(inner, 1, 5000);
        attacker.arm(forSelf ? ReentrantHook.Action.Deposit : ReentrantHook.Action.DepositFor, inner, true);
        attacker.deposit{value: 1 ether}(outer);

        assertEq(attacker.attempts(), 1, "the hook tried to re-enter");
        assertEq(attacker.lastError(), _refused());
        assertEq(vaultB.balanceOf(address(attacker), address(hk)), outer);
        assertEq(hk.balanceOf(address(attacker)), 10_000 - outer);
        _assertSolvent();
    }

    // ------------------------------------------------------------------ liquidation payout (lzReceive)

    function test_liquidation_toAReenteringRecipient_creditsItsClaimable_andCompletes() public {
        // The liquidator's receive hook re-enters `deposit` and lets the refusal revert the transfer.
        attacker.arm(ReentrantHook.Action.Deposit, 1, false);
        bytes32 orderId = bytes32(uint256(0xa1));
        _sendLiquidation(_liquidationOrder(B_EID, orderId, alice, address(hk), 400, address(attacker), 40));
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.LiquidationTransferFailed(orderId, address(attacker), address(hk), 360);
        _deliverToVault();

        assertTrue(vaultB.executed(orderId));
        assertEq(vaultB.balanceOf(alice, address(hk)), 600);
        assertEq(hk.balanceOf(insurance), 40);
        assertEq(vaultB.claimable(address(attacker), address(hk)), 360);
        assertEq(vaultB.balanceOf(address(attacker), address(hk)), 0, "the re-entrant deposit credited nothing");
        _assertSolvent();
        _expectHub(
            OmniCodec.ORDER_ACK,
            abi.encode(uint8(1), uint8(4), orderId, alice, address(hk), uint256(400), uint256(600), uint8(1), uint64(2))
        );

        // The channel is not jammed: the next liquidation runs; this time the hook re-enters `claim` and swallows the
        // refusal, so the transfer goes through.
        attacker.arm(ReentrantHook.Action.Claim, 0, true);
        bytes32 next = bytes32(uint256(0xa2));
        _sendLiquidation(_liquidationOrder(B_EID, next, alice, address(hk), 100, address(attacker), 0));
        _deliverToVault();
        assertTrue(vaultB.executed(next));
        assertEq(attacker.lastError(), _refused());
        assertEq(hk.balanceOf(address(attacker)), 10_000 + 100);
        assertEq(vaultB.claimable(address(attacker), address(hk)), 360, "the re-entrant claim paid nothing");
        _assertSolvent();

        // Disarmed, the recipient claims its credit.
        attacker.arm(ReentrantHook.Action.None, 0, false);
        attacker.claim(address(attacker));
        assertEq(hk.balanceOf(address(attacker)), 10_000 + 100 + 360);
        _assertSolvent();
    }

    // ------------------------------------------------------------------ withdrawal payouts

    function test_approvedPayout_toAReenteringAccount_isCreditedAsClaimable() public {
        attacker.deposit{value: 1 ether}(500);
        uint64 id = attacker.requestWithdrawal{value: 1 ether}(200);

        attacker.arm(ReentrantHook.Action.Claim, 0, false);
        bytes32 orderId = OmniCodec.withdrawDecisionOrderId(B_EID, address(attacker), address(hk), 200, id);
        _sendDecision(_decisionOrder(B_EID, orderId, address(attacker), address(hk), 200, id, true));
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.WithdrawalTransferFailed(id, address(attacker), address(hk), 200);
        _deliverToVault();

        assertTrue(vaultB.withdrawal(id).status == ICollateralVault.RequestStatus.Paid);
        assertEq(vaultB.balanceOf(address(attacker), address(hk)), 300);
        assertEq(vaultB.claimable(address(attacker), address(hk)), 200);
        _assertSolvent();
    }

    function test_escape_reenteringEscapeOrClaim_isRefused() public {
        attacker.deposit{value: 1 ether}(500);
        uint64 first = attacker.requestWithdrawal{value: 1 ether}(100);
        uint64 second = attacker.requestWithdrawal{value: 1 ether}(100);
        vm.warp(block.timestamp + vaultB.escapeDelay());

        // Escaping `first`, the receive hook tries to escape `second` too and swallows the refusal.
        attacker.arm(ReentrantHook.Action.Escape, second, true);
        attacker.escapeWithdrawal{value: 1 ether}(first);
        assertEq(attacker.lastError(), _refused());
        assertTrue(vaultB.withdrawal(first).status == ICollateralVault.RequestStatus.Escaped);
        assertTrue(vaultB.withdrawal(second).status == ICollateralVault.RequestStatus.Pending);
        assertEq(hk.balanceOf(address(attacker)), 10_000 - 500 + 100);
        _assertSolvent();

        // Escaping `second`, the hook re-enters `claim` and lets the refusal fail the transfer: credited instead.
        attacker.arm(ReentrantHook.Action.Claim, 0, false);
        attacker.escapeWithdrawal{value: 1 ether}(second);
        assertTrue(vaultB.withdrawal(second).status == ICollateralVault.RequestStatus.Escaped);
        assertEq(vaultB.claimable(address(attacker), address(hk)), 100);
        assertEq(vaultB.balanceOf(address(attacker), address(hk)), 300);
        _assertSolvent();
    }

    function test_executePayout_reenteredFromAnEscapesHook_isRefused() public {
        vaultB.setRateLimit(address(hk), 1 days, 100);
        attacker.deposit{value: 1 ether}(500);
        uint64 paid = attacker.requestWithdrawal{value: 1 ether}(100);
        uint64 queued = attacker.requestWithdrawal{value: 1 ether}(100);
        uint64 escaped = attacker.requestWithdrawal{value: 1 ether}(100);
        bytes32 a = OmniCodec.withdrawDecisionOrderId(B_EID, address(attacker), address(hk), 100, paid);
        bytes32 b = OmniCodec.withdrawDecisionOrderId(B_EID, address(attacker), address(hk), 100, queued);
        _sendDecision(_decisionOrder(B_EID, a, address(attacker), address(hk), 100, paid, true));
        _sendDecision(_decisionOrder(B_EID, b, address(attacker), address(hk), 100, queued, true));
        _deliverToVault();
        assertTrue(vaultB.withdrawal(queued).status == ICollateralVault.RequestStatus.PayoutQueued);

        // A fresh window: the escape fits the limit; its payout's hook tries to run the queued payout as well.
        vm.warp(block.timestamp + vaultB.escapeDelay());
        attacker.arm(ReentrantHook.Action.ExecutePayout, queued, true);
        attacker.escapeWithdrawal{value: 1 ether}(escaped);
        assertEq(attacker.lastError(), _refused());
        assertTrue(vaultB.withdrawal(queued).status == ICollateralVault.RequestStatus.PayoutQueued);
        _assertSolvent();

        // Outside a transfer, the queued payout runs in the next window.
        attacker.arm(ReentrantHook.Action.None, 0, false);
        vm.warp(block.timestamp + 1 days);
        vm.prank(bob);
        vaultB.executePayout{value: 1 ether}(queued);
        assertTrue(vaultB.withdrawal(queued).status == ICollateralVault.RequestStatus.Paid);
        assertEq(hk.balanceOf(address(attacker)), 10_000 - 500 + 300);
        _assertSolvent();
    }

    // ------------------------------------------------------------------ helpers

    /// @dev The revert data of a refused re-entry.
    function _refused() internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
    }

    /// @dev The vault holds exactly what it owes: deposits (the two accounts' balances, frozen included) plus
    /// claimables.
    function _assertSolvent() internal view {
        address token = address(hk);
        uint256 deposits = vaultB.balanceOf(alice, token) + vaultB.balanceOf(address(attacker), token);
        assertEq(vaultB.totalDeposits(token), deposits, "totalDeposits = sum of balances");
        assertEq(hk.balanceOf(address(vaultB)), deposits + vaultB.totalClaimable(token), "held = owed");
    }
}
