// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestHelperOz5} from "@layerzerolabs/test-devtools-evm-foundry/contracts/TestHelperOz5.sol";
import {EnforcedOptionParam} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/interfaces/IOAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {Vm} from "forge-std/Vm.sol";

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {DemoToken} from "../../src/DemoToken.sol";
import {IClearingHub} from "../../src/interfaces/IClearingHub.sol";
import {OmniCodec} from "../../src/libraries/OmniCodec.sol";

/// @notice Hub (eid 1) + vault B (eid 2, USDC) + vault C (eid 3, WETH) on real EndpointV2s (TestHelperOz5).
abstract contract OmniFixture is TestHelperOz5 {
    using OptionsBuilder for bytes;

    uint32 internal constant HUB_EID = 1;
    uint32 internal constant B_EID = 2;
    uint32 internal constant C_EID = 3;
    /// @dev TestHelperOz5 records every sent packet in test storage from inside the send (~340k gas a real chain does
    /// not spend), so a vault's reply needs that much more executor gas here than the defaults.
    uint128 internal constant TEST_HELPER_SEND_OVERHEAD = 400_000;
    bytes32 internal constant ETH_PERP = "ETH-PERP";

    ClearingHub internal hub;
    CollateralVault internal vaultB;
    CollateralVault internal vaultC;
    DemoToken internal usdc;
    DemoToken internal weth;

    address internal operator = makeAddr("operator");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal liquidator = makeAddr("liquidator");
    address internal guardian = makeAddr("guardian");
    address internal insurance = makeAddr("insurance");

    function setUp() public virtual override {
        super.setUp();
        setUpEndpoints(3, LibraryType.UltraLightNode);

        hub = new ClearingHub(endpoints[HUB_EID], address(this), operator);
        vaultB = new CollateralVault(endpoints[B_EID], address(this), HUB_EID, insurance);
        vaultC = new CollateralVault(endpoints[C_EID], address(this), HUB_EID, insurance);
        hub.setPeer(B_EID, _b32(address(vaultB)));
        hub.setPeer(C_EID, _b32(address(vaultC)));
        vaultB.setPeer(HUB_EID, _b32(address(hub)));
        vaultC.setPeer(HUB_EID, _b32(address(hub)));

        EnforcedOptionParam[] memory params = new EnforcedOptionParam[](4);
        bytes memory liquidate = OptionsBuilder.newOptions()
            .addExecutorLzReceiveOption(hub.DEFAULT_LIQUIDATE_GAS() + TEST_HELPER_SEND_OVERHEAD, 0);
        bytes memory decide = OptionsBuilder.newOptions()
            .addExecutorLzReceiveOption(hub.DEFAULT_WITHDRAW_DECISION_GAS() + TEST_HELPER_SEND_OVERHEAD, 0);
        params[0] = EnforcedOptionParam({eid: B_EID, msgType: OmniCodec.LIQUIDATE, options: liquidate});
        params[1] = EnforcedOptionParam({eid: C_EID, msgType: OmniCodec.LIQUIDATE, options: liquidate});
        params[2] = EnforcedOptionParam({eid: B_EID, msgType: OmniCodec.WITHDRAW_DECISION, options: decide});
        params[3] = EnforcedOptionParam({eid: C_EID, msgType: OmniCodec.WITHDRAW_DECISION, options: decide});
        hub.setEnforcedOptions(params);

        usdc = new DemoToken("USD Coin", "USDC", 6);
        weth = new DemoToken("Wrapped Ether", "WETH", 18);
        vaultB.setCollateral(address(usdc), true);
        vaultC.setCollateral(address(weth), true);
        vaultB.setGuardian(guardian);

        address[2] memory users = [alice, bob];
        for (uint256 i; i < users.length; ++i) {
            usdc.mint(users[i], 1_000_000e6);
            weth.mint(users[i], 1000 ether);
            vm.startPrank(users[i]);
            usdc.approve(address(vaultB), type(uint256).max);
            weth.approve(address(vaultC), type(uint256).max);
            vm.stopPrank();
            vm.deal(users[i], 10 ether);
        }
        vm.deal(operator, 10 ether);
    }

    function _depositAs(address from, address account, uint256 amount) internal {
        uint256 fee = vaultB.quoteDeposit(account, address(usdc), amount).nativeFee;
        vm.prank(from);
        if (from == account) vaultB.deposit{value: fee}(address(usdc), amount);
        else vaultB.depositFor{value: fee}(account, address(usdc), amount);
    }

    function _fundAckReserve() internal {
        vm.deal(address(vaultB), address(vaultB).balance + 1 ether);
    }

    /// @dev `account` asks vault B to withdraw `amount` of USDC; returns the request id.
    function _requestAs(address account, uint256 amount) internal returns (uint64) {
        uint256 fee = vaultB.quoteWithdrawalRequest(account, address(usdc), amount).nativeFee;
        vm.prank(account);
        return vaultB.requestWithdrawal{value: fee}(address(usdc), amount);
    }

    /// @dev The operator dispatches a decision for vault B (order id from the spec formula, `inputSeq` = requestId).
    function _decide(address account, uint256 amount, uint64 requestId, bool approved) internal returns (bytes32 id) {
        id = OmniCodec.withdrawDecisionOrderId(B_EID, account, address(usdc), amount, requestId);
        uint256 fee =
            hub.quoteWithdrawDecision(B_EID, id, account, address(usdc), amount, requestId, approved).nativeFee;
        vm.prank(operator);
        hub.dispatchWithdrawDecision{value: fee}(B_EID, id, account, address(usdc), amount, requestId, approved);
    }

    /// @dev The operator dispatches a liquidation on vault B.
    function _liquidate(bytes32 orderId, address account, uint256 amount, uint256 insuranceAmount) internal {
        uint256 fee =
            hub.quoteLiquidation(B_EID, orderId, account, address(usdc), amount, liquidator, insuranceAmount).nativeFee;
        vm.prank(operator);
        hub.dispatchLiquidation{value: fee}(B_EID, orderId, account, address(usdc), amount, liquidator, insuranceAmount);
    }

    /// @dev Delivers every pending hub → vault B packet.
    function _deliverToVault() internal {
        this.verifyPackets(B_EID, _b32(address(vaultB)));
    }

    /// @dev Delivers the oldest pending packet from vault B to the hub.
    function _deliverToHub() internal {
        this.verifyPackets(HUB_EID, _b32(address(hub)), 1, address(0), "");
    }

    /// @dev Delivers the oldest pending packet to the hub, expecting one `MessageReceived` from B with `payload`.
    function _expectHub(uint8 msgType, bytes memory payload) internal {
        vm.recordLogs();
        _deliverToHub();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 found;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub) || logs[i].topics[0] != IClearingHub.MessageReceived.selector) {
                continue;
            }
            assertEq(logs[i].topics[1], bytes32(uint256(B_EID)));
            (, uint8 t, bytes memory p) = abi.decode(logs[i].data, (uint64, uint8, bytes));
            assertEq(t, msgType);
            assertEq(p, payload);
            ++found;
        }
        assertEq(found, 1, "expected one MessageReceived");
    }

    function _b32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}
