// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/console.sol";
import {EnforcedOptionParam} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/interfaces/IOAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";

import {CollateralVault} from "../../src/CollateralVault.sol";
import {OmniCodec} from "../../src/libraries/OmniCodec.sol";
import {OmniFixture} from "../utils/OmniFixture.sol";
// Deployed from its artifact (the import puts it in the build).
import {FeeOnTransferToken} from "../utils/FeeOnTransferToken.sol"; // solhint-disable-line no-unused-import
import {TestIntegrator} from "../utils/TestIntegrator.sol";
import {AdversaryHandler} from "./AdversaryHandler.sol";
import {CampaignHandler} from "./CampaignHandler.sol";
import {ClearingHandler} from "./ClearingHandler.sol";
import {IPacketRelay} from "./ClearingModel.sol";
import {PathCounter} from "./PathCounter.sol";
import {ToggleHook} from "./ToggleHook.sol";

/// @notice Invariants of the hub and two vaults under random sequences of the handler's actions, on real endpoints
/// (TestHelperOz5 delivers every packet). Vault B holds a quirky token (blocklist; `false` returns; half transfers)
/// and a fee-on-transfer token, vault C a hook token (receivers that refuse, hooks that re-enter) and a token that
/// charges its sender extra. Users deposit, request (and re-request), escape, claim; the signers decide and
/// liquidate (rotating the signer set); the executor delivers as soon as a vault's inbound side is open, or holds
/// orders back past their expiry; the owner and guardian pause (bounded), empty the reply reserve, change rate
/// limits, escape delays, minimums and integrators. The handler's model follows the rules of issue 13 and is never
/// read back from the contracts; every vault event a delivery, an escape or a payout emits is compared with it.
contract VaultInvariantsTest is OmniFixture {
    using OptionsBuilder for bytes;

    CampaignHandler internal handler;
    AdversaryHandler internal adversary;

    function setUp() public override {
        super.setUp();
        // An approval whose payout fails is credited (two fresh slots) before WITHDRAW_DONE is sent, and TestHelperOz5
        // records that packet in test storage: more than the fixture's send overhead covers. Real chains spend
        // neither the bookkeeping nor the headroom (see test/Gas.t.sol).
        EnforcedOptionParam[] memory params = new EnforcedOptionParam[](2);
        bytes memory decide = OptionsBuilder.newOptions()
            .addExecutorLzReceiveOption(hub.DEFAULT_WITHDRAW_DECISION_GAS() + TEST_HELPER_SEND_OVERHEAD + 300_000, 0);
        params[0] = EnforcedOptionParam({eid: B_EID, msgType: OmniCodec.WITHDRAW_DECISION, options: decide});
        params[1] = EnforcedOptionParam({eid: C_EID, msgType: OmniCodec.WITHDRAW_DECISION, options: decide});
        hub.setEnforcedOptions(params);
        CollateralVault[2] memory vs = [vaultB, vaultC];
        for (uint256 v; v < 2; ++v) {
            vm.deal(address(vs[v]), 1_000_000 ether); // the reply reserve
        }
        // Everything the campaign adds is deployed from its artifact: embedding its creation code would take this
        // contract past the size a test contract may have.
        address[4] memory tokens = [
            deployCode("QuirkyToken.sol:QuirkyToken"),
            deployCode("FeeOnTransferToken.sol:FeeOnTransferToken"),
            deployCode("HookToken.sol:HookToken"),
            deployCode("SenderFeeToken.sol:SenderFeeToken")
        ];
        ToggleHook[3] memory hooks;
        TestIntegrator[3] memory integrators;
        for (uint256 i; i < 3; ++i) {
            hooks[i] = ToggleHook(deployCode("ToggleHook.sol:ToggleHook", abi.encode(vaultC)));
            integrators[i] = TestIntegrator(deployCode("TestIntegrator.sol:TestIntegrator"));
            integrators[i].setMode(TestIntegrator.Mode(i));
        }
        address[4] memory roles = [address(this), insurance, guardian, relayer];
        handler = CampaignHandler(deployCode("CampaignHandler.sol:CampaignHandler"));
        handler.init(IPacketRelay(address(this)), hub, vs, roles, signerKeys, tokens, hooks, integrators);
        adversary = AdversaryHandler(
            deployCode("AdversaryHandler.sol:AdversaryHandler", abi.encode(handler, hub, vs, relayer, outsiderKey))
        );
        // Every run starts with collateral of every token, so withdrawals, liquidations and escapes have something
        // to act on from the first call.
        for (uint256 p; p < 4; ++p) {
            handler.deposit(p, p, p, 1_000_000e6);
        }

        bytes4[] memory selectors = new bytes4[](43);
        // the core flows (requests, decisions, liquidations, escapes, payouts, pauses) several times over
        selectors[0] = ClearingHandler.deposit.selector;
        selectors[1] = ClearingHandler.requestWithdrawal.selector;
        selectors[2] = ClearingHandler.decide.selector;
        selectors[3] = ClearingHandler.escape.selector;
        selectors[4] = ClearingHandler.executePayout.selector;
        selectors[5] = ClearingHandler.claim.selector;
        selectors[6] = ClearingHandler.liquidate.selector;
        selectors[7] = ClearingHandler.heldBack.selector;
        selectors[8] = ClearingHandler.rejectLoop.selector;
        selectors[9] = ClearingHandler.pause.selector;
        selectors[10] = ClearingHandler.unpause.selector;
        selectors[11] = ClearingHandler.warp.selector;
        selectors[12] = ClearingHandler.emptyReserve.selector;
        selectors[13] = ClearingHandler.fundReserve.selector;
        selectors[14] = ClearingHandler.sendOwedReply.selector;
        selectors[15] = ClearingHandler.setRateLimit.selector;
        selectors[16] = ClearingHandler.setEscapeDelay.selector;
        selectors[17] = ClearingHandler.setMinWithdrawal.selector;
        selectors[18] = ClearingHandler.setIntegrator.selector;
        selectors[19] = ClearingHandler.approveIntegrator.selector;
        selectors[20] = ClearingHandler.reportExposure.selector;
        selectors[21] = ClearingHandler.setTokenBehaviour.selector;
        selectors[22] = ClearingHandler.spamRequests.selector;
        selectors[23] = ClearingHandler.requestWithdrawal.selector;
        selectors[24] = ClearingHandler.requestWithdrawal.selector;
        selectors[25] = ClearingHandler.liquidate.selector;
        selectors[26] = ClearingHandler.liquidate.selector;
        selectors[27] = ClearingHandler.decide.selector;
        selectors[28] = ClearingHandler.decide.selector;
        selectors[29] = ClearingHandler.decide.selector;
        selectors[30] = ClearingHandler.escape.selector;
        selectors[31] = ClearingHandler.escape.selector;
        selectors[32] = ClearingHandler.executePayout.selector;
        selectors[33] = ClearingHandler.executePayout.selector;
        selectors[34] = ClearingHandler.pause.selector;
        selectors[35] = ClearingHandler.warp.selector;
        selectors[36] = ClearingHandler.heldBack.selector;
        selectors[37] = ClearingHandler.rejectLoop.selector;
        selectors[38] = ClearingHandler.deposit.selector;
        selectors[39] = ClearingHandler.claim.selector;
        selectors[40] = ClearingHandler.setTokenBehaviour.selector;
        selectors[41] = CampaignHandler.rotateSigners.selector;
        selectors[42] = ClearingHandler.decideThenEscapeUnderPause.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
        bytes4[] memory rogue = new bytes4[](5);
        rogue[0] = AdversaryHandler.underSignedOrder.selector;
        rogue[1] = AdversaryHandler.replayOrder.selector;
        rogue[2] = AdversaryHandler.nonPeerOrder.selector;
        rogue[3] = AdversaryHandler.nonPeerToHub.selector;
        rogue[4] = AdversaryHandler.duplicateToHub.selector;
        targetSelector(FuzzSelector({addr: address(adversary), selectors: rogue}));
        targetContract(address(adversary));
    }

    /// @dev One campaign checks every property after each call (a campaign per property would cost many times more).
    function invariant_hubAndTwoVaults() public view {
        handler.checkAll();
        adversary.check();
    }

    /// @notice After each run: adds the run's path counts to the campaign's (kept in the process environment, which
    /// the EVM snapshots between runs do not reset); after the last run, prints them and asserts every path was
    /// reached. The number of runs is `FOUNDRY_INVARIANT_RUNS` when set, else foundry.toml's 256.
    function afterInvariant() public {
        uint256 runs = vm.envOr("FOUNDRY_INVARIANT_RUNS", uint256(256));
        uint256 done = vm.envOr("OMNICLEAR_INV_RUNS_DONE", uint256(0)) + 1;
        vm.setEnv("OMNICLEAR_INV_RUNS_DONE", vm.toString(done));
        PathCounter[2] memory counters = [PathCounter(handler), PathCounter(adversary)];
        uint256 k;
        string memory report;
        string memory missing;
        for (uint256 c; c < 2; ++c) {
            for (uint256 i; i < counters[c].pathCount(); ++i) {
                string memory key = string.concat("OMNICLEAR_INV_PATH_", vm.toString(k++));
                uint256 total = vm.envOr(key, uint256(0)) + counters[c].hits(i);
                vm.setEnv(key, vm.toString(total));
                report = string.concat(report, "\n  ", counters[c].pathName(i), ": ", vm.toString(total));
                if (total == 0) missing = string.concat(missing, " ", counters[c].pathName(i));
            }
        }
        uint256 zeroTake = vm.envOr("OMNICLEAR_INV_ZERO_TAKE", uint256(0)) + handler.zeroTakeReductions();
        vm.setEnv("OMNICLEAR_INV_ZERO_TAKE", vm.toString(zeroTake));
        if (done < runs) return;
        // Not a failure: a liquidation that walks past a fully taken request emits WithdrawalReduced(id, 0, 0).
        console.log("WithdrawalReduced events that took nothing:", zeroTake);
        console.log(string.concat("handler paths over ", vm.toString(done), " runs:", report));
        assertEq(bytes(missing).length, 0, string.concat("paths never reached:", missing));
    }
}
