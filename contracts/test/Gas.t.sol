// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {console2} from "forge-std/console2.sol";

import {IClearingHub} from "../src/interfaces/IClearingHub.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";
import {OrderSigning} from "./utils/OrderSigning.sol";
import {TestIntegrator} from "./utils/TestIntegrator.sol";

/// @notice Measures each receive path (executor gas of `lzReceive`) against the default gas the senders ask for, and
/// what a relayer spends on a signed hub dispatch.
/// TestHelperOz5's packet bookkeeping (`schedulePacket`, test storage a real chain never writes) is mocked out, so the
/// figures are what a real endpoint would spend. Run with `--match-contract GasTest -vv` to print them; they are
/// recorded in contracts/README.md.
contract GasTest is OmniFixture {
    /// @dev packages/chain's `LIQUIDATE_WORST_CASE_GAS`, the network deploy's LIQUIDATE floor.
    uint256 internal constant LIQUIDATE_WORST_CASE_GAS = 679_000;

    function setUp() public override {
        super.setUp();
        _depositAs(alice, alice, 100e6);
        _deliverToHub();
        _fundAckReserve();
        vm.mockCall(address(this), abi.encodeWithSelector(this.schedulePacket.selector), "");
    }

    function test_gas_vaultLiquidation_withSplitAckAndOneIntegrator() public {
        TestIntegrator dex = new TestIntegrator();
        vaultB.setIntegrator(address(dex), true);
        vm.prank(alice);
        vaultB.approveIntegrator(address(dex), true);
        uint256 used = _vaultReceive(_liquidation(bytes32(uint256(1))), hub.DEFAULT_LIQUIDATE_GAS());
        console2.log("vault lzReceive LIQUIDATE (split + ORDER_ACK + 1 integrator callback), gas:", used);
        assertEq(dex.calls(), 1);
    }

    function test_gas_vaultLiquidation_withTheMaximumOfIntegrators() public {
        uint256 max = vaultB.MAX_INTEGRATORS();
        for (uint256 i; i < max; ++i) {
            TestIntegrator t = new TestIntegrator();
            if (i % 2 == 1) t.setMode(TestIntegrator.Mode.BurnGas);
            vaultB.setIntegrator(address(t), true);
            vm.prank(alice);
            vaultB.approveIntegrator(address(t), true);
        }
        uint256 used = _vaultReceive(_liquidation(bytes32(uint256(2))), hub.DEFAULT_LIQUIDATE_GAS());
        console2.log("vault lzReceive LIQUIDATE (8 integrators, 4 burning their stipend), gas:", used);
    }

    /// @dev The worst case a LIQUIDATE's executor gas must cover: the account approved `MAX_INTEGRATORS` integrators
    /// and every one burns its whole stipend. Before each callback the vault wants the stipend and its overhead left
    /// (`InsufficientCallbackGas` otherwise), so the least gas that delivers it is above what the delivery spends: it
    /// is searched for, and the network deploy's LIQUIDATE floor (packages/chain, `LIQUIDATE_WORST_CASE_GAS`) must
    /// cover it.
    function test_gas_vaultLiquidation_everyIntegratorBurningItsStipend() public {
        uint256 max = vaultB.MAX_INTEGRATORS();
        for (uint256 i; i < max; ++i) {
            TestIntegrator t = new TestIntegrator();
            t.setMode(TestIntegrator.Mode.BurnGas);
            vaultB.setIntegrator(address(t), true);
            vm.prank(alice);
            vaultB.approveIntegrator(address(t), true);
        }
        bytes memory payload = _liquidation(bytes32(uint256(3)));
        uint256 snap = vm.snapshotState();
        uint256 used = _vaultReceive(payload, hub.DEFAULT_LIQUIDATE_GAS());
        console2.log("vault lzReceive LIQUIDATE (8 integrators, all burning their stipend), gas:", used);
        vm.revertToState(snap);
        // the least executor gas with which the delivery succeeds
        uint256 lo = used;
        uint256 hi = hub.DEFAULT_LIQUIDATE_GAS();
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            bool ok = _tryVaultReceive(payload, mid);
            vm.revertToState(snap);
            if (ok) hi = mid;
            else lo = mid + 1;
        }
        console2.log("least executor gas delivering it (8 integrators, all burning):", lo);
        assertLe(lo, LIQUIDATE_WORST_CASE_GAS, "the network deploy's LIQUIDATE floor is too low");
        assertTrue(_tryVaultReceive(payload, LIQUIDATE_WORST_CASE_GAS));
        assertTrue(vaultB.executed(bytes32(uint256(3))));
    }

    function test_gas_vaultWithdrawDecision_approveAndReject() public {
        uint64 first = _requestAs(alice, 10e6);
        uint64 second = _requestAs(alice, 10e6);
        uint256 used = _vaultReceive(_decision(first, true), hub.DEFAULT_WITHDRAW_DECISION_GAS());
        console2.log("vault lzReceive WITHDRAW_DECISION approve (transfer + WITHDRAW_DONE), gas:", used);
        used = _vaultReceive(_decision(second, false), hub.DEFAULT_WITHDRAW_DECISION_GAS());
        console2.log("vault lzReceive WITHDRAW_DECISION reject (WITHDRAW_DONE), gas:", used);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 90e6);
    }

    function test_gas_hubReceive_eachInboundType_firstFromAVault() public {
        bytes[5] memory payloads = [
            abi.encode(uint8(1), uint8(1), alice, address(usdc), uint256(1), int256(1), uint64(1)),
            abi.encode(uint8(1), uint8(2), alice, address(usdc), uint256(1), uint64(1), uint64(1)),
            abi.encode(uint8(1), uint8(3), alice, alice, ETH_PERP, int256(-1e18), uint256(2000e18), uint64(1)),
            abi.encode(
                uint8(1),
                uint8(4),
                bytes32(uint256(1)),
                alice,
                address(usdc),
                uint256(1),
                uint256(2),
                OmniCodec.ACK_EXECUTED,
                uint64(1)
            ),
            abi.encode(uint8(1), uint8(7), alice, address(usdc), uint64(1), uint256(1), uint256(2), uint8(1), uint64(1))
        ];
        string[5] memory names = ["BALANCE", "WITHDRAW_REQUEST", "EXPOSURE", "ORDER_ACK", "WITHDRAW_DONE"];
        uint256 limit = vaultB.DEFAULT_HUB_GAS();
        for (uint256 i; i < payloads.length; ++i) {
            // a fresh vault address each time: the first message fills fresh sequence-tracking slots (the worst case)
            address vault = address(uint160(0xBEEF00 + i));
            hub.setPeer(uint32(10 + i), _b32(vault));
            vm.prank(endpoints[HUB_EID]);
            uint256 before = gasleft();
            hub.lzReceive{gas: limit}(Origin(uint32(10 + i), _b32(vault), 1), bytes32(0), payloads[i], address(0), "");
            uint256 used = before - gasleft();
            console2.log(string.concat("hub lzReceive ", names[i], " (first from a vault), gas:"), used);
            assertLt(used, limit);
        }
    }

    function test_gas_hubDispatchLiquidation_oneOfOneSigned() public {
        address[] memory one = new address[](1);
        one[0] = signerAddrs[0];
        hub.setSigners(one, 1);
        uint256 used = _hubDispatch(OrderSigning.take(signerKeys, 1));
        console2.log("hub dispatchLiquidation, 1-of-1 signed (call, endpoint send, refund), gas:", used);
    }

    function test_gas_hubDispatchLiquidation_twoOfThreeSigned() public {
        uint256 used = _hubDispatch(OrderSigning.take(signerKeys, 2));
        console2.log("hub dispatchLiquidation, 2-of-3 signed (call, endpoint send, refund), gas:", used);
    }

    /// @dev The relayer's dispatch of a fresh liquidation signed with `keys`, measured around the call.
    function _hubDispatch(uint256[] memory keys) internal returns (uint256 used) {
        IClearingHub.LiquidationOrder memory o =
            _liquidationOrder(B_EID, bytes32(uint256(9)), alice, address(usdc), 10e6, liquidator, 1e6);
        bytes[] memory sigs = OrderSigning.sign(hub.hashLiquidation(o), keys);
        uint256 fee = hub.quoteLiquidation(o).nativeFee;
        vm.prank(relayer);
        uint256 before = gasleft();
        hub.dispatchLiquidation{value: fee}(o, sigs);
        used = before - gasleft();
        assertTrue(hub.dispatched(o.orderId));
    }

    function _vaultReceive(bytes memory payload, uint256 limit) internal returns (uint256 used) {
        vm.prank(endpoints[B_EID]);
        uint256 before = gasleft();
        vaultB.lzReceive{gas: limit}(Origin(HUB_EID, _b32(address(hub)), 1), bytes32(0), payload, address(0), "");
        used = before - gasleft();
        assertLt(used, limit);
    }

    function _tryVaultReceive(bytes memory payload, uint256 limit) internal returns (bool ok) {
        vm.prank(endpoints[B_EID]);
        try vaultB.lzReceive{gas: limit}(Origin(HUB_EID, _b32(address(hub)), 1), bytes32(0), payload, address(0), "") {
            ok = true;
        } catch {
            ok = false;
        }
    }

    function _liquidation(bytes32 orderId) internal view returns (bytes memory) {
        return OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: orderId,
                account: alice,
                token: address(usdc),
                amount: 10e6,
                recipient: liquidator,
                insuranceAmount: 1e6,
                expiry: uint64(block.timestamp) + ORDER_TTL
            })
        );
    }

    function _decision(uint64 requestId, bool approved) internal view returns (bytes memory) {
        return OmniCodec.encodeWithdrawDecision(
            OmniCodec.WithdrawDecision({
                orderId: keccak256(abi.encode(requestId)),
                account: alice,
                token: address(usdc),
                amount: 10e6,
                requestId: requestId,
                approved: approved,
                expiry: uint64(block.timestamp) + ORDER_TTL
            })
        );
    }
}
