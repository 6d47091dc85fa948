// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestHelperOz5} from "@layerzerolabs/test-devtools-evm-foundry/contracts/TestHelperOz5.sol";
import {EnforcedOptionParam} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/interfaces/IOAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {DemoToken} from "../../src/DemoToken.sol";
import {OmniCodec} from "../../src/libraries/OmniCodec.sol";

/// @notice Hub (eid 1) + one vault (eid 2) on real EndpointV2s (TestHelperOz5), with USDC allow-listed and funded.
abstract contract OmniFixture is TestHelperOz5 {
    using OptionsBuilder for bytes;

    uint32 internal constant HUB_EID = 1;
    uint32 internal constant B_EID = 2;
    /// @dev TestHelperOz5 records every sent packet in test storage from inside the send (see CrossChain.t.sol).
    uint128 internal constant TEST_HELPER_SEND_OVERHEAD = 400_000;

    ClearingHub internal hub;
    CollateralVault internal vaultB;
    DemoToken internal usdc;

    address internal operator = makeAddr("operator");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal liquidator = makeAddr("liquidator");
    address internal guardian = makeAddr("guardian");

    function setUp() public virtual override {
        super.setUp();
        setUpEndpoints(2, LibraryType.UltraLightNode);

        hub = new ClearingHub(endpoints[HUB_EID], address(this), operator);
        vaultB = new CollateralVault(endpoints[B_EID], address(this), HUB_EID);
        hub.setPeer(B_EID, _b32(address(vaultB)));
        vaultB.setPeer(HUB_EID, _b32(address(hub)));

        EnforcedOptionParam[] memory params = new EnforcedOptionParam[](1);
        params[0] = EnforcedOptionParam({
            eid: B_EID,
            msgType: OmniCodec.LIQUIDATE,
            options: OptionsBuilder.newOptions()
                .addExecutorLzReceiveOption(hub.DEFAULT_LIQUIDATE_GAS() + TEST_HELPER_SEND_OVERHEAD, 0)
        });
        hub.setEnforcedOptions(params);

        usdc = new DemoToken("USD Coin", "USDC", 6);
        vaultB.setCollateral(address(usdc), true);
        vaultB.setGuardian(guardian);

        address[2] memory users = [alice, bob];
        for (uint256 i; i < users.length; ++i) {
            usdc.mint(users[i], 1_000_000e6);
            vm.prank(users[i]);
            usdc.approve(address(vaultB), type(uint256).max);
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

    function _b32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}
