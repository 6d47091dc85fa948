// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {IClearingHub} from "../../src/interfaces/IClearingHub.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {OrderSigning} from "../utils/OrderSigning.sol";
import {ClearingHandler} from "./ClearingHandler.sol";
import {IPacketRelay} from "./ClearingModel.sol";
import {TestIntegrator} from "../utils/TestIntegrator.sol";
import {ToggleHook} from "./ToggleHook.sol";

/// @notice The campaign's main handler: `ClearingHandler`'s actions plus signer rotation, the registry of paths every
/// run counts, and the check of every property against the model. What must never pass is in `AdversaryHandler`.
contract CampaignHandler is ClearingHandler {
    /// @dev The fixture's three signer keys and two more the signer set can rotate to.
    uint256[] internal _keyPool;

    /// @notice Sets the handler up (the suite deploys it from its artifact, see `ClearingModel`).
    /// @dev `roles`: owner, insurance fund, guardian, relayer.
    function init(
        IPacketRelay relay_,
        ClearingHub hub_,
        CollateralVault[2] memory vaults_,
        address[4] memory roles,
        uint256[] memory signerKeys_,
        address[4] memory tokens,
        ToggleHook[3] memory hooks_,
        TestIntegrator[3] memory integrators_
    ) external {
        _initHandler(relay_, hub_, vaults_, roles, signerKeys_, tokens, hooks_, integrators_);
        for (uint256 i; i < signerKeys_.length; ++i) {
            _keyPool.push(signerKeys_[i]);
        }
        (, uint256 k3) = makeAddrAndKey("signer3");
        (, uint256 k4) = makeAddrAndKey("signer4");
        _keyPool.push(k3);
        _keyPool.push(k4);
    }

    // ------------------------------------------------------------------ signer rotation

    /// @notice The owner replaces the hub's signer set (a subset of five keys, any threshold). An order the old set
    /// signs afterwards is refused unless the old signers are all still registered and reach the new threshold; an
    /// order already sent is unaffected.
    function rotateSigners(uint256 mask, uint256 tSeed, uint256 vSeed) external step {
        mask = _bound(mask, 1, 31);
        uint256 n;
        for (uint256 i; i < 5; ++i) {
            if (mask & (1 << i) != 0) ++n;
        }
        uint256[] memory keys = new uint256[](n);
        n = 0;
        for (uint256 i; i < 5; ++i) {
            if (mask & (1 << i) != 0) keys[n++] = _keyPool[i];
        }
        keys = OrderSigning.sortByAddress(keys);
        uint8 t = uint8(1 + tSeed % n);
        address[] memory addrs = new address[](n);
        for (uint256 i; i < n; ++i) {
            addrs[i] = vm.addr(keys[i]);
        }
        uint256[] memory oldKeys = OrderSigning.take(signerKeys, threshold);
        vm.prank(owner);
        hub.setSigners(addrs, t);
        bool stillValid = oldKeys.length >= t;
        for (uint256 i; i < oldKeys.length && stillValid; ++i) {
            bool found;
            for (uint256 j; j < n; ++j) {
                if (keys[j] == oldKeys[i]) found = true;
            }
            stillValid = found;
        }
        uint256 v = vSeed % 2;
        Dec memory d = Dec({
            v: v,
            r: NONE,
            orderId: keccak256(abi.encode("rotation", _nonce++)),
            account: actors[0],
            token: slots[v * 2].token,
            amount: 1,
            requestId: type(uint64).max,
            approved: true,
            expiry: uint64(block.timestamp + 1 hours),
            escapeWasOpen: false
        });
        if (stillValid) {
            _dispatchDecision(d, oldKeys);
            _deliver(v);
            _hit("signers.oldSetStillValid");
        } else {
            IClearingHub.WithdrawDecisionOrder memory o = _decisionOrder(d);
            bytes[] memory sigs = OrderSigning.sign(hub.hashWithdrawDecision(o), oldKeys);
            vm.deal(relayer, 1 ether);
            vm.prank(relayer);
            (bool ok,) =
                address(hub).call{value: 1 ether}(abi.encodeCall(ClearingHub.dispatchWithdrawDecision, (o, sigs)));
            assertFalse(ok, "an order signed by a replaced signer set was dispatched");
            _hit("signers.oldSetRefused");
        }
        signerKeys = keys;
        threshold = t;
        _hit("signers.rotated");
    }

    // ------------------------------------------------------------------ the properties

    /// @notice Every property, against the model (the suite's invariant calls it after each action).
    function checkAll() external view {
        for (uint256 p; p < slots.length; ++p) {
            _checkSlot(p);
        }
        for (uint256 i; i < _requests.length; ++i) {
            _checkRequest(i);
        }
        for (uint256 v; v < 2; ++v) {
            _checkVault(v);
        }
        assertEq(integrators[0].calls(), mRecorderCalls, "integrator callbacks");
        for (uint256 a; a < 3; ++a) {
            assertEq(hooks[a].reentered(), 0, "a token hook re-entered the vault");
        }
        assertEq(ghostDoubleCloses, 0, "a request closed twice");
        assertEq(ghostH1, 0, "H1: a liquidation for everything left more than the queued payouts");
    }

    /// @dev Per token: every party's balance, frozen and queued amounts and claim equal the model; the vault holds
    /// exactly what it owes (plus what claims of a token that moved less left behind); what left it is what the
    /// model paid; the rate-limit room is the model's.
    function _checkSlot(uint256 p) internal view {
        Slot storage s = slots[p];
        CollateralVault vault = vaults[s.v];
        uint256 balances;
        uint256 claims;
        for (uint256 i; i < 6; ++i) {
            address who = _party(i);
            uint256 balance = vault.balanceOf(who, s.token);
            assertEq(balance, mBalance[p][who], "balance");
            assertEq(vault.frozenOf(who, s.token), mFrozen[p][who], "frozen");
            assertEq(vault.queuedOf(who, s.token), mQueued[p][who], "queued");
            assertEq(vault.claimable(who, s.token), mClaimable[p][who], "claimable");
            assertLe(mQueued[p][who], mFrozen[p][who], "queued above frozen");
            assertLe(mFrozen[p][who], balance, "frozen above balance");
            balances += balance;
            claims += mClaimable[p][who];
        }
        uint256 held = IERC20(s.token).balanceOf(address(vault));
        assertEq(vault.totalDeposits(s.token), balances, "totalDeposits");
        assertEq(vault.totalClaimable(s.token), claims, "totalClaimable");
        assertEq(held, balances + claims + mStranded[p], "the vault holds what it owes");
        assertEq(held, ghostIn[p] - ghostOut[p], "value left only by the allowed paths");
        assertEq(vault.outboundAvailable(s.token), _rateRoom(p), "rate-limit room");
        assertEq(vault.minWithdrawal(s.token), mMinWithdrawal[p], "minimum withdrawal");
    }

    /// @dev Every request's status, remaining and requested amounts and escape time equal the model.
    function _checkRequest(uint256 i) internal view {
        Request storage r = _requests[i];
        CollateralVault vault = vaults[slots[r.p].v];
        ICollateralVault.Withdrawal memory w = vault.withdrawal(r.id);
        assertEq(uint8(w.status), r.status, "request status");
        assertEq(w.amount, r.amount, "request remaining amount");
        assertEq(w.requested, r.requested, "request amount");
        assertEq(w.account, r.account, "request account");
        assertEq(vault.escapeAvailableAt(r.id), r.state == CLOSED ? 0 : _escapeAt(i), "escape time");
    }

    /// @dev Per vault: sequence, pauses, escape delay, open requests and approvals equal the model; the hub has every
    /// message of the vault but the owed replies, which the vault keeps.
    function _checkVault(uint256 v) internal view {
        CollateralVault vault = vaults[v];
        assertEq(vault.seq(), mSeq[v], "vault seq");
        assertEq(vault.outboundPaused(), _paused(v, OUT), "outbound pause");
        assertEq(vault.inboundPaused(), _paused(v, IN), "inbound pause");
        assertEq(vault.inboundPausedTime(), _pausedTime(v, IN), "inbound paused time");
        assertEq(vault.escapeDelay(), mEscapeDelay[v], "escape delay");
        for (uint256 a; a < 3; ++a) {
            uint64[] memory open = vault.openRequests(actors[a]);
            uint256 n;
            for (uint256 i; i < _requests.length; ++i) {
                Request storage r = _requests[i];
                if (slots[r.p].v != v || r.account != actors[a] || r.state == CLOSED) continue;
                assertLt(n, open.length, "open requests");
                assertEq(open[n++], r.id, "open requests");
            }
            assertEq(n, open.length, "open requests");
            assertLe(n, MAX_OPEN, "open request cap");
            for (uint256 k; k < 3; ++k) {
                assertEq(vault.integratorApproved(actors[a], address(integrators[k])), mApproved[v][actors[a]][k]);
            }
        }
        for (uint64 s = 1; s <= mSeq[v]; ++s) {
            assertEq(hub.seqSeen(eids[v], s), !owed[v][s], "the hub has every message but the owed replies");
            assertEq(vault.owedReply(s).length != 0, owed[v][s], "owed reply kept");
        }
    }

    // ------------------------------------------------------------------ paths

    function _registerPaths() internal override {
        _path("deposit");
        _path("m1.decisionHeldThenEscape");
        _path("deposit.paused");
        _path("request");
        _path("request.paused");
        _path("request.belowMin");
        _path("request.tooMany");
        _path("request.overBalance");
        _path("decide.heldByPause");
        _path("liquidate.heldByPause");
        _path("escape.paused");
        _path("escape.notAccount");
        _path("escape.closed");
        _path("escape.early");
        _path("escape.beforeLateDecision");
        _path("escape.overRateLimit");
        _path("escape.queued");
        _path("escape.pending");
        _path("payout.paused");
        _path("payout.notQueued");
        _path("payout.rateLimited");
        _path("payout.executed");
        _path("claim.nothing");
        _path("claim.overdrawRefused");
        _path("claim.returnFalseRefused");
        _path("claim.movedLess");
        _path("claim");
        _path("heldBack.decision");
        _path("heldBack.liquidation");
        _path("loop.requestLiquidateRejectRerequest");
        _path("pause.refusedRunning");
        _path("pause.refusedCooldown");
        _path("pause.inbound");
        _path("pause.outbound");
        _path("pause.byGuardian");
        _path("unpause.guardianRefused");
        _path("unpause.early");
        _path("unpause.notPaused");
        _path("warp");
        _path("reserve.emptied");
        _path("reserve.funded");
        _path("owed.noneRefused");
        _path("owed.sent");
        _path("reply.owed");
        _path("rateLimit.invalid");
        _path("rateLimit.cleared");
        _path("rateLimit.set");
        _path("escapeDelay.invalid");
        _path("escapeDelay.set");
        _path("minWithdrawal.set");
        _path("integrator.listed");
        _path("integrator.dropped");
        _path("integrator.approveUnlistedRefused");
        _path("integrator.approved");
        _path("integrator.revoked");
        _path("exposure.paused");
        _path("exposure.unlistedRefused");
        _path("exposure.notApprovedRefused");
        _path("exposure");
        _path("token.quirkyNormal");
        _path("token.quirkyReturnFalse");
        _path("token.quirkyHalf");
        _path("token.blockToggled");
        _path("token.hookMode");
        _path("deliver.refusedWhilePaused");
        _path("deliver.liquidationExpired");
        _path("deliver.liquidationTookFromRequests");
        _path("deliver.liquidationNothing");
        _path("deliver.liquidation");
        _path("deliver.liquidationFullKeepsQueued");
        _path("deliver.liquidationFull");
        _path("deliver.callbackRecorded");
        _path("deliver.callbackFailed");
        _path("deliver.decisionExpired");
        _path("deliver.decisionUnknown");
        _path("deliver.decisionStale");
        _path("deliver.decisionMismatch");
        _path("deliver.rejectAfterLiquidation");
        _path("deliver.reject");
        _path("deliver.approveAfterLiquidation");
        _path("deliver.approvePaid");
        _path("deliver.approveQueued");
        _path("pay.senderFeeUndone");
        _path("pay.feeOnTransfer");
        _path("pay.blockedCredited");
        _path("pay.returnFalseCredited");
        _path("pay.halfCredited");
        _path("pay.quirkyNormal");
        _path("pay.hookToken");
        _path("pay.hookRefusedCredited");
        _path("hook.reentryRefused");
        _path("signers.rotated");
        _path("signers.oldSetStillValid");
        _path("signers.oldSetRefused");
    }
}
