// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ICollateralVault} from "../src/interfaces/ICollateralVault.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";
import {QuirkyToken} from "./utils/QuirkyToken.sol";
import {TestIntegrator} from "./utils/TestIntegrator.sol";

/// @notice Liquidations with the insurance split, transfers that fail on the receive path, integrator approvals,
/// exposure reports and the liquidation callbacks that must never block a liquidation.
contract VaultLiquidationsTest is OmniFixture {
    TestIntegrator internal dex;

    function setUp() public override {
        super.setUp();
        _depositAs(alice, alice, 100e6);
        _deliverToHub();
        _fundAckReserve();
        dex = new TestIntegrator();
        vaultB.setIntegrator(address(dex), true);
        vm.deal(address(dex), 10 ether);
    }

    // ------------------------------------------------------------------ split

    function testFuzz_liquidation_splitsTheSeizureProRata(uint256 balance, uint256 amount, uint256 insuranceAmount)
        public
    {
        balance = bound(balance, 1, 1_000_000e6);
        amount = bound(amount, 1, 2_000_000e6);
        insuranceAmount = bound(insuranceAmount, 0, amount);
        _depositAs(bob, bob, balance);
        _deliverToHub();

        bytes32 orderId = OmniCodec.liquidationOrderId(B_EID, bob, address(usdc), amount, liquidator, 1);
        _liquidate(orderId, bob, amount, insuranceAmount);
        _deliverToVault();

        uint256 seized = Math.min(amount, balance);
        uint256 toInsurance = Math.mulDiv(insuranceAmount, seized, amount, Math.Rounding.Ceil);
        assertEq(usdc.balanceOf(insurance), toInsurance);
        assertEq(usdc.balanceOf(liquidator), seized - toInsurance);
        assertEq(vaultB.balanceOf(bob, address(usdc)), balance - seized);
        assertLe(toInsurance, insuranceAmount);
        if (seized == amount) assertEq(toInsurance, insuranceAmount);
        _expectHub(
            OmniCodec.ORDER_ACK,
            abi.encode(uint8(1), uint8(4), orderId, bob, address(usdc), seized, balance - seized, uint8(1), uint64(3))
        );
    }

    function test_liquidation_ofAnEmptyAccount_seizesNothingAndStillAcks() public {
        bytes32 orderId = bytes32(uint256(3));
        _liquidate(orderId, bob, 10e6, 1e6);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.Liquidated(orderId, bob, address(usdc), 10e6, 0, liquidator, 0);
        _deliverToVault();
        _expectHub(
            OmniCodec.ORDER_ACK,
            abi.encode(uint8(1), uint8(4), orderId, bob, address(usdc), uint256(0), uint256(0), uint8(1), uint64(2))
        );
    }

    function test_liquidation_toBlockedReceivers_creditsTheirClaimable() public {
        QuirkyToken qrk = new QuirkyToken();
        vaultB.setCollateral(address(qrk), true);
        qrk.mint(alice, 1000);
        vm.startPrank(alice);
        qrk.approve(address(vaultB), 1000);
        vaultB.deposit{value: vaultB.quoteDeposit(alice, address(qrk), 1000).nativeFee}(address(qrk), 1000);
        vm.stopPrank();
        qrk.setBlocked(liquidator, true);
        qrk.setBlocked(insurance, true);

        bytes32 orderId = bytes32(uint256(4));
        _sendLiquidation(_liquidationOrder(B_EID, orderId, alice, address(qrk), 400, liquidator, 40));
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.LiquidationTransferFailed(orderId, insurance, address(qrk), 40);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.LiquidationTransferFailed(orderId, liquidator, address(qrk), 360);
        _deliverToVault();

        assertTrue(vaultB.executed(orderId));
        assertEq(vaultB.balanceOf(alice, address(qrk)), 600);
        assertEq(vaultB.claimable(liquidator, address(qrk)), 360);
        assertEq(vaultB.claimable(insurance, address(qrk)), 40);
        assertEq(qrk.balanceOf(address(vaultB)), 1000);
        assertEq(vaultB.totalDeposits(address(qrk)) + vaultB.totalClaimable(address(qrk)), 1000);

        // the liquidator redirects its part
        vm.prank(liquidator);
        vaultB.claim(address(qrk), bob);
        assertEq(qrk.balanceOf(bob), 360);
    }

    // ------------------------------------------------------------------ approvals and exposures

    function test_approveIntegrator_onlyAllowListed_andAtMostMax() public {
        address stranger = makeAddr("stranger");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotIntegrator.selector, stranger));
        vaultB.approveIntegrator(stranger, true);

        uint256 max = vaultB.MAX_INTEGRATORS();
        for (uint256 i; i < max; ++i) {
            address integrator = address(uint160(0x1000 + i));
            vaultB.setIntegrator(integrator, true);
            vm.expectEmit(address(vaultB));
            emit ICollateralVault.IntegratorApproved(alice, integrator, true);
            vm.prank(alice);
            vaultB.approveIntegrator(integrator, true);
        }
        // approving one already approved changes nothing
        vm.prank(alice);
        vaultB.approveIntegrator(address(0x1000), true);
        assertEq(vaultB.approvedIntegrators(alice).length, max);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.TooManyIntegrators.selector, alice));
        vaultB.approveIntegrator(address(dex), true);

        // revoking one (not the last) makes room and keeps the others
        vm.prank(alice);
        vaultB.approveIntegrator(address(0x1002), false);
        assertFalse(vaultB.integratorApproved(alice, address(0x1002)));
        assertTrue(vaultB.integratorApproved(alice, address(uint160(0x1000 + max - 1))));
        vm.prank(alice);
        vaultB.approveIntegrator(address(dex), true);
        address[] memory list = vaultB.approvedIntegrators(alice);
        assertEq(list.length, max);
        for (uint256 i; i < list.length; ++i) {
            assertTrue(vaultB.integratorApproved(alice, list[i]));
            assertTrue(list[i] != address(0x1002));
        }
    }

    function test_reportExposure_needsTheAccountsApproval() public {
        vm.prank(address(dex));
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.IntegratorNotApproved.selector, alice, address(dex)));
        vaultB.reportExposure{value: 1 ether}(alice, ETH_PERP, 1e18, 2000e18);

        vm.prank(alice);
        vaultB.approveIntegrator(address(dex), true);
        uint256 fee = vaultB.quoteExposure(alice, ETH_PERP, 1e18, 2000e18).nativeFee;
        vm.prank(address(dex));
        vaultB.reportExposure{value: fee}(alice, ETH_PERP, 1e18, 2000e18);
        _expectHub(
            OmniCodec.EXPOSURE,
            abi.encode(uint8(1), uint8(3), alice, address(dex), ETH_PERP, int256(1e18), uint256(2000e18), uint64(2))
        );

        // the account revokes: refused again; the owner delists: refused as a non-integrator
        vm.prank(alice);
        vaultB.approveIntegrator(address(dex), false);
        vm.prank(address(dex));
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.IntegratorNotApproved.selector, alice, address(dex)));
        vaultB.reportExposure{value: 1 ether}(alice, ETH_PERP, 0, 0);
        vaultB.setIntegrator(address(dex), false);
        vm.prank(address(dex));
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotIntegrator.selector, address(dex)));
        vaultB.reportExposure{value: 1 ether}(alice, ETH_PERP, 0, 0);
    }

    // ------------------------------------------------------------------ callbacks

    function test_liquidation_tellsTheApprovedIntegrator() public {
        vm.prank(alice);
        vaultB.approveIntegrator(address(dex), true);
        bytes32 orderId = bytes32(uint256(5));
        _liquidate(orderId, alice, 30e6, 3e6);
        vm.expectEmit(address(dex));
        emit TestIntegrator.Notified(alice, orderId, address(usdc), 30e6);
        _deliverToVault();
        assertEq(dex.calls(), 1);
    }

    function test_liquidation_completesWhenIntegratorsRevertOrBurnTheirGas() public {
        TestIntegrator reverter = new TestIntegrator();
        TestIntegrator burner = new TestIntegrator();
        reverter.setMode(TestIntegrator.Mode.Revert);
        burner.setMode(TestIntegrator.Mode.BurnGas);
        vaultB.setIntegrator(address(reverter), true);
        vaultB.setIntegrator(address(burner), true);
        vm.startPrank(alice);
        vaultB.approveIntegrator(address(reverter), true);
        vaultB.approveIntegrator(address(burner), true);
        vaultB.approveIntegrator(address(dex), true);
        vm.stopPrank();

        bytes32 orderId = bytes32(uint256(6));
        _liquidate(orderId, alice, 30e6, 0);
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.IntegratorCallbackFailed(orderId, address(reverter));
        vm.expectEmit(address(vaultB));
        emit ICollateralVault.IntegratorCallbackFailed(orderId, address(burner));
        _deliverToVault();

        assertTrue(vaultB.executed(orderId));
        assertEq(usdc.balanceOf(liquidator), 30e6);
        assertEq(dex.calls(), 1, "the well-behaved integrator still heard of it");
        _expectHub(
            OmniCodec.ORDER_ACK,
            abi.encode(
                uint8(1), uint8(4), orderId, alice, address(usdc), uint256(30e6), uint256(70e6), uint8(1), uint64(2)
            )
        );
    }

    function test_liquidation_skipsAnIntegratorTheOwnerDelisted() public {
        vm.prank(alice);
        vaultB.approveIntegrator(address(dex), true);
        vaultB.setIntegrator(address(dex), false);
        _liquidate(bytes32(uint256(7)), alice, 1e6, 0);
        _deliverToVault();
        assertEq(dex.calls(), 0);
    }

    function test_liquidation_withTooLittleGasForTheCallbacks_revertsRetryably() public {
        // measure the liquidation + ack without integrators, leaving out the test helper's packet bookkeeping
        vm.mockCall(address(this), abi.encodeWithSelector(this.schedulePacket.selector), "");
        uint256 bare = _lzReceiveGas(_order(bytes32(uint256(8))), type(uint64).max);

        uint256 max = vaultB.MAX_INTEGRATORS();
        vm.startPrank(alice);
        for (uint256 i; i < max; ++i) {
            TestIntegrator t = new TestIntegrator();
            vm.stopPrank();
            vaultB.setIntegrator(address(t), true);
            vm.startPrank(alice);
            vaultB.approveIntegrator(address(t), true);
        }
        vm.stopPrank();

        bytes memory order = _order(bytes32(uint256(9)));
        vm.prank(endpoints[B_EID]);
        try vaultB.lzReceive{gas: bare + 60_000}(
            Origin(HUB_EID, _b32(address(hub)), 2), bytes32(0), order, address(0), ""
        ) {
            fail();
        } catch (bytes memory err) {
            assertEq(bytes4(err), ICollateralVault.InsufficientCallbackGas.selector);
        }
        assertFalse(vaultB.executed(bytes32(uint256(9))));

        // with the default executor gas all eight callbacks run
        _lzReceiveGas(order, hub.DEFAULT_LIQUIDATE_GAS());
        assertTrue(vaultB.executed(bytes32(uint256(9))));
    }

    function _order(bytes32 orderId) internal view returns (bytes memory) {
        return OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: orderId,
                account: alice,
                token: address(usdc),
                amount: 1e6,
                recipient: liquidator,
                insuranceAmount: 1e5,
                expiry: uint64(block.timestamp + 1 hours)
            })
        );
    }

    function _lzReceiveGas(bytes memory order, uint256 gasLimit) internal returns (uint256 used) {
        vm.prank(endpoints[B_EID]);
        uint256 before = gasleft();
        vaultB.lzReceive{gas: gasLimit}(Origin(HUB_EID, _b32(address(hub)), 1), bytes32(0), order, address(0), "");
        used = before - gasleft();
    }
}
