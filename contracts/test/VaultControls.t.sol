// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IClearingHub} from "../src/interfaces/IClearingHub.sol";
import {ICollateralVault} from "../src/interfaces/ICollateralVault.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";

/// @notice depositFor, deposit caps, the guardian's pauses and two-step ownership of the vault.
contract VaultControlsTest is OmniFixture {
    address internal perpDex = makeAddr("perpDex");

    // ------------------------------------------------------------------ depositFor

    function test_depositFor_pullsFromTheCallerAndCreditsTheAccount() public {
        uint256 bobBefore = usdc.balanceOf(bob);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.Deposited(alice, address(usdc), 70e6, 70e6, 1);
        _depositAs(bob, alice, 70e6);

        assertEq(vaultB.balanceOf(alice, address(usdc)), 70e6);
        assertEq(vaultB.balanceOf(bob, address(usdc)), 0);
        assertEq(usdc.balanceOf(bob), bobBefore - 70e6);
        assertEq(vaultB.totalDeposits(address(usdc)), 70e6);

        // the hub hears of alice's new balance
        vm.expectEmit(true, false, false, true, address(hub));
        emit IClearingHub.MessageReceived(
            B_EID,
            bytes32(0),
            1,
            OmniCodec.BALANCE,
            abi.encode(uint8(1), uint8(1), alice, address(usdc), uint256(70e6), int256(70e6), uint64(1))
        );
        this.verifyPackets(HUB_EID, address(hub));
        assertEq(hub.lastSeq(B_EID), 1);
    }

    function test_depositFor_revertsForTheZeroAccount() public {
        vm.prank(bob);
        vm.expectRevert(ICollateralVault.ZeroAccount.selector);
        vaultB.depositFor{value: 1 ether}(address(0), address(usdc), 1);
    }

    function test_depositFor_revertsForATokenNotAllowed() public {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.CollateralNotAllowed.selector, address(0xbeef)));
        vaultB.depositFor{value: 1 ether}(alice, address(0xbeef), 1);
    }

    function test_depositFor_revertsForZeroAmount() public {
        vm.prank(bob);
        vm.expectRevert(ICollateralVault.ZeroAmount.selector);
        vaultB.depositFor{value: 1 ether}(alice, address(usdc), 0);
    }

    function testFuzz_depositFor_creditsOnlyTheAccount(uint256 a, uint256 b) public {
        a = bound(a, 1, 500_000e6);
        b = bound(b, 1, 500_000e6);
        _depositAs(bob, alice, a);
        _depositAs(alice, alice, b);
        assertEq(vaultB.balanceOf(alice, address(usdc)), a + b);
        assertEq(vaultB.balanceOf(bob, address(usdc)), 0);
        assertEq(vaultB.totalDeposits(address(usdc)), a + b);
        assertEq(usdc.balanceOf(address(vaultB)), a + b);
    }

    // ------------------------------------------------------------------ caps

    function test_setCaps_isOwnerOnlyAndEmits() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vaultB.setCaps(address(usdc), 1, 1);

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.CapsSet(address(usdc), 100e6, 60e6);
        vaultB.setCaps(address(usdc), 100e6, 60e6);
        assertEq(vaultB.depositCap(address(usdc)), 100e6);
        assertEq(vaultB.accountCap(address(usdc)), 60e6);
    }

    function test_deposit_revertsAboveTheDepositCap() public {
        vaultB.setCaps(address(usdc), 100e6, 0);
        _depositAs(alice, alice, 60e6);
        _depositAs(bob, bob, 40e6); // exactly at the cap
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.DepositCapExceeded.selector, address(usdc), 100e6, 100e6 + 1)
        );
        vaultB.deposit{value: 1 ether}(address(usdc), 1);
    }

    function test_depositFor_revertsAboveTheAccountCap() public {
        vaultB.setCaps(address(usdc), 0, 50e6);
        _depositAs(alice, alice, 50e6);
        _depositAs(bob, bob, 50e6); // the cap is per account
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.AccountCapExceeded.selector, alice, address(usdc), 50e6, 50e6 + 1)
        );
        vaultB.depositFor{value: 1 ether}(alice, address(usdc), 1);
    }

    function test_liquidation_freesRoomUnderTheDepositCap() public {
        vaultB.setCaps(address(usdc), 100e6, 0);
        _depositAs(alice, alice, 100e6);
        this.verifyPackets(HUB_EID, address(hub));
        _fundAckReserve();
        _dispatch(bytes32(uint256(1)), alice, 30e6);
        this.verifyPackets(B_EID, address(vaultB));
        assertEq(vaultB.totalDeposits(address(usdc)), 70e6);
        _depositAs(bob, bob, 30e6);
        assertEq(vaultB.totalDeposits(address(usdc)), 100e6);
    }

    function testFuzz_caps_admitExactlyTheDepositsWithinThem(
        uint256 depositCap,
        uint256 accountCap,
        uint256 a,
        uint256 b
    ) public {
        depositCap = bound(depositCap, 0, 2_000_000e6);
        accountCap = bound(accountCap, 0, 1_000_000e6);
        a = bound(a, 1, 1_000_000e6);
        b = bound(b, 1, 1_000_000e6);
        vaultB.setCaps(address(usdc), depositCap, accountCap);

        bool aFits = (depositCap == 0 || a <= depositCap) && (accountCap == 0 || a <= accountCap);
        uint256 credited = _tryDeposit(alice, a, aFits);
        bool bFits = (depositCap == 0 || credited + b <= depositCap) && (accountCap == 0 || b <= accountCap);
        credited += _tryDeposit(bob, b, bFits);

        assertEq(vaultB.totalDeposits(address(usdc)), credited);
        assertEq(usdc.balanceOf(address(vaultB)), credited);
        if (depositCap != 0) assertLe(credited, depositCap);
        if (accountCap != 0) {
            assertLe(vaultB.balanceOf(alice, address(usdc)), accountCap);
            assertLe(vaultB.balanceOf(bob, address(usdc)), accountCap);
        }
    }

    // ------------------------------------------------------------------ guardian and pauses

    function test_setGuardian_isOwnerOnlyAndEmits() public {
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, guardian));
        vaultB.setGuardian(alice);

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.GuardianSet(guardian, alice);
        vaultB.setGuardian(alice);
        assertEq(vaultB.guardian(), alice);
    }

    function test_pause_byAStrangerReverts() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotGuardian.selector, alice));
        vaultB.setOutboundPaused(true);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotGuardian.selector, alice));
        vaultB.setInboundPaused(true);
        vm.stopPrank();
    }

    function test_guardian_canPauseButNotUnpause() public {
        vm.startPrank(guardian);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.OutboundPausedSet(guardian, true, uint64(block.timestamp) + 7 days);
        vaultB.setOutboundPaused(true);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.InboundPausedSet(guardian, true, uint64(block.timestamp) + 7 days);
        vaultB.setInboundPaused(true);
        assertTrue(vaultB.outboundPaused());
        assertTrue(vaultB.inboundPaused());

        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotGuardian.selector, guardian));
        vaultB.setOutboundPaused(false);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotGuardian.selector, guardian));
        vaultB.setInboundPaused(false);
        vm.stopPrank();

        vaultB.setOutboundPaused(false);
        vaultB.setInboundPaused(false);
        assertFalse(vaultB.outboundPaused());
        assertFalse(vaultB.inboundPaused());
    }

    function test_removedGuardian_cannotPause() public {
        vaultB.setGuardian(address(0));
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotGuardian.selector, guardian));
        vaultB.setOutboundPaused(true);
    }

    function test_outboundPause_blocksDepositsAndExposureReports() public {
        vaultB.setIntegrator(perpDex, true);
        vm.prank(alice);
        vaultB.approveIntegrator(perpDex, true);
        vm.deal(perpDex, 1 ether);
        vm.prank(guardian);
        vaultB.setOutboundPaused(true);

        vm.startPrank(alice);
        vm.expectRevert(ICollateralVault.OutboundPaused.selector);
        vaultB.deposit{value: 1 ether}(address(usdc), 1e6);
        vm.expectRevert(ICollateralVault.OutboundPaused.selector);
        vaultB.depositFor{value: 1 ether}(bob, address(usdc), 1e6);
        vm.stopPrank();
        vm.prank(perpDex);
        vm.expectRevert(ICollateralVault.OutboundPaused.selector);
        vaultB.reportExposure{value: 1 ether}(alice, ETH_PERP, 1, 1);

        vaultB.setOutboundPaused(false);
        _depositAs(alice, alice, 1e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 1e6);
    }

    function test_outboundPause_doesNotStopOrders() public {
        _depositAs(alice, alice, 100e6);
        _fundAckReserve();
        vm.prank(guardian);
        vaultB.setOutboundPaused(true);
        _dispatch(bytes32(uint256(5)), alice, 10e6);
        this.verifyPackets(B_EID, address(vaultB));
        assertTrue(vaultB.executed(bytes32(uint256(5))));
    }

    function test_inboundPause_revertsDeliveryAndTheOrderStaysRetryable() public {
        _depositAs(alice, alice, 100e6);
        this.verifyPackets(HUB_EID, address(hub));
        _fundAckReserve();
        vm.prank(guardian);
        vaultB.setInboundPaused(true);

        bytes32 orderId = bytes32(uint256(9));
        _dispatch(orderId, alice, 40e6);
        vm.expectRevert(ICollateralVault.InboundPaused.selector);
        this.verifyPackets(B_EID, address(vaultB));
        assertFalse(vaultB.executed(orderId));
        assertEq(vaultB.balanceOf(alice, address(usdc)), 100e6);

        // deposits still work while orders are paused
        _depositAs(bob, bob, 1e6);

        vaultB.setInboundPaused(false);
        this.verifyPackets(B_EID, address(vaultB));
        assertTrue(vaultB.executed(orderId));
        assertEq(usdc.balanceOf(liquidator), 40e6);
        assertEq(vaultB.totalDeposits(address(usdc)), 61e6);
    }

    // ------------------------------------------------------------------ two-step ownership

    function test_ownership_movesInTwoSteps() public {
        address next = makeAddr("nextOwner");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vaultB.transferOwnership(next);

        vaultB.transferOwnership(next);
        assertEq(vaultB.owner(), address(this));
        assertEq(vaultB.pendingOwner(), next);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vaultB.acceptOwnership();

        vm.prank(next);
        vaultB.acceptOwnership();
        assertEq(vaultB.owner(), next);
        assertEq(vaultB.pendingOwner(), address(0));

        // the old owner is out
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        vaultB.setCaps(address(usdc), 1, 1);
    }

    // ------------------------------------------------------------------ helpers

    function _tryDeposit(address who, uint256 amount, bool shouldFit) internal returns (uint256) {
        uint256 fee = vaultB.quoteDeposit(who, address(usdc), amount).nativeFee;
        vm.prank(who);
        try vaultB.deposit{value: fee}(address(usdc), amount) {
            assertTrue(shouldFit, "a deposit above a cap was accepted");
            return amount;
        } catch (bytes memory err) {
            assertFalse(shouldFit, "a deposit within the caps was refused");
            bytes4 sel = bytes4(err);
            assertTrue(
                sel == ICollateralVault.DepositCapExceeded.selector
                    || sel == ICollateralVault.AccountCapExceeded.selector
            );
            return 0;
        }
    }

    function _dispatch(bytes32 orderId, address account, uint256 amount) internal {
        _sendLiquidation(_liquidationOrder(B_EID, orderId, account, address(usdc), amount, liquidator, 0));
    }
}
