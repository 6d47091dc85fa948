// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {BoundedPause} from "../../src/libraries/BoundedPause.sol";
import {HookToken} from "../utils/HookToken.sol";
import {QuirkyToken} from "../utils/QuirkyToken.sol";
import {SenderFeeToken} from "../utils/SenderFeeToken.sol";
import {TestIntegrator} from "../utils/TestIntegrator.sol";
import {ClearingActions} from "./ClearingActions.sol";
import {IPacketRelay} from "./ClearingModel.sol";
import {ToggleHook} from "./ToggleHook.sol";

/// @notice The campaign's user, relayer, executor, owner and guardian actions over the hub and two vaults. Order-path
/// and adversarial actions (under-signed orders, replays, non-peers, signer rotation) are in `ClearingAdversary`.
abstract contract ClearingHandler is ClearingActions {
    address internal guardian;
    address public claimSink;
    address internal reserveSink;

    modifier step() {
        vm.recordLogs();
        _;
        _scan();
    }

    /// @dev `tokens`: quirky, fee-on-transfer, hook, sender-fee; `hooks_`: one per actor, registered for the hook
    /// token; `integrators_`: recording, reverting, gas-burning.
    function _initHandler(
        IPacketRelay relay_,
        ClearingHub hub_,
        CollateralVault[2] memory vaults_,
        address[4] memory roles,
        uint256[] memory signerKeys_,
        address[4] memory tokens,
        ToggleHook[3] memory hooks_,
        TestIntegrator[3] memory integrators_
    ) internal {
        _initActions(relay_, hub_, roles[0], roles[1], roles[3], signerKeys_);
        claimSink = makeAddr("claimSink");
        reserveSink = makeAddr("reserveSink");
        vaults = vaults_;
        guardian = roles[2];
        slots.push(Slot(0, QUIRKY, tokens[0]));
        slots.push(Slot(0, FEE_ON_TRANSFER, tokens[1]));
        slots.push(Slot(1, HOOKED, tokens[2]));
        slots.push(Slot(1, SENDER_FEE, tokens[3]));
        for (uint256 p; p < slots.length; ++p) {
            vm.prank(owner);
            vaults[slots[p].v].setCollateral(slots[p].token, true);
        }
        for (uint256 v; v < 2; ++v) {
            vm.prank(owner);
            vaults[v].setGuardian(roles[2]);
        }
        // Three integrators, allow-listed on both vaults: one records its callbacks, one reverts, one burns its gas.
        for (uint256 k; k < 3; ++k) {
            integrators[k] = integrators_[k];
            for (uint256 v; v < 2; ++v) {
                vm.prank(owner);
                vaults[v].setIntegrator(address(integrators[k]), true);
                mListed[v][k] = true;
            }
        }
        // Every actor registers a hook for the hook token.
        for (uint256 a; a < 3; ++a) {
            hooks[a] = hooks_[a];
            vm.prank(actors[a]);
            HookToken(tokens[2]).setHook(address(hooks[a]));
        }
        // actor1's hook refuses what it is sent, actor2's re-enters the vault (`setTokenBehaviour` changes them)
        hooks[1].setMode(ToggleHook.Mode.RevertOnReceive);
        hooks[2].setMode(ToggleHook.Mode.Reenter);
        // Every token is rate limited, so approvals get queued.
        _setRate(0, 1 days, 300_000e6);
        _setRate(1, 6 hours, 300_000e6);
        _setRate(2, 12 hours, 300_000e6);
        _setRate(3, 1 days, 300_000e6);
        _registerPaths();
    }

    // ------------------------------------------------------------------ users

    function deposit(uint256 pSeed, uint256 fromSeed, uint256 forSeed, uint256 amount) external step {
        uint256 p = pSeed % slots.length;
        _deposit(p, actors[fromSeed % 3], actors[forSeed % 3], _bound(amount, 1, 2_000_000e6));
    }

    function _deposit(uint256 p, address from, address account, uint256 amount) internal {
        Slot storage s = slots[p];
        CollateralVault vault = vaults[s.v];
        uint256 mint = s.kind == SENDER_FEE ? amount + SenderFeeToken(s.token).feeOf(amount) : amount;
        QuirkyToken(s.token).mint(from, mint); // every test token has the same `mint`
        vm.prank(from);
        QuirkyToken(s.token).approve(address(vault), amount);
        uint256 fee = vault.quoteDeposit(account, s.token, amount).nativeFee;
        address hook = s.kind == HOOKED ? HookToken(s.token).hookOf(from) : address(0);
        uint256 refusedBefore = hook == address(0) ? 0 : ToggleHook(hook).refused();
        vm.deal(from, fee);
        vm.prank(from);
        (bool ok, bytes memory ret) =
            address(vault).call{value: fee}(abi.encodeCall(CollateralVault.depositFor, (account, s.token, amount)));
        if (_paused(s.v, OUT)) {
            _refused(ok, ret, ICollateralVault.OutboundPaused.selector, "deposit while paused");
            _hit("deposit.paused");
            return;
        }
        assertTrue(ok, "a deposit was refused");
        if (hook != address(0) && ToggleHook(hook).mode() == ToggleHook.Mode.Reenter) {
            // the depositor's hook tried to re-enter the vault from inside the transfer, and was refused
            assertGt(ToggleHook(hook).refused(), refusedBefore, "the hook did not try to re-enter");
            _hit("hook.reentryRefused");
        }
        uint256 received = s.kind == FEE_ON_TRANSFER ? amount - amount / 100 : amount;
        mBalance[p][account] += received;
        ghostIn[p] += received;
        ++mSeq[s.v];
        _hit("deposit");
        _toHub();
    }

    function requestWithdrawal(uint256 pSeed, uint256 actorSeed, uint256 amount) external step {
        _request(pSeed % slots.length, actors[actorSeed % 3], amount);
    }

    /// @notice An account asks for the minimum withdrawal five times over: the fifth open request is refused.
    function spamRequests(uint256 pSeed, uint256 actorSeed) external step {
        uint256 p = pSeed % slots.length;
        address account = actors[actorSeed % 3];
        for (uint256 i; i < 5; ++i) {
            // amount seed 2: the minimum (bound to [min, available] from its low end)
            (bool ok,) = _request(p, account, 2);
            if (!ok) break;
        }
    }

    /// @dev The first open request from index `i` on (wrapping), or `i` when none is open.
    function _openFrom(uint256 i) internal view returns (uint256) {
        uint256 n = _requests.length;
        for (uint256 k; k < n; ++k) {
            uint256 j = (i + k) % n;
            if (_requests[j].state != CLOSED) return j;
        }
        return i;
    }

    /// @notice The signers decide a request (approve, reject, or a decision that does not match it); the executor
    /// delivers it when the vault's inbound side is open.
    function decide(uint256 reqSeed, bool approved, bool mismatch) external step {
        if (_requests.length == 0) return;
        uint256 ri = reqSeed % _requests.length;
        // Mostly an open request (the signers decide what is pending); sometimes any, closed ones included.
        if (reqSeed % 4 != 0) ri = _openFrom(ri);
        _decide(ri, approved, mismatch && reqSeed % 4 == 0, false);
        if (_paused(slots[_requests[ri].p].v, IN)) _hit("decide.heldByPause");
    }

    /// @notice The account escapes a request at (or one second before) the time the rules open it, or someone else
    /// tries to.
    function escape(uint256 reqSeed, uint8 mode) external step {
        if (_requests.length == 0) return;
        uint256 ri = reqSeed % _requests.length;
        // Mostly an open request; sometimes any, closed ones included.
        _escape(reqSeed % 4 != 0 ? _openFrom(ri) : ri, mode % 4);
    }

    /// @notice M1: the signers decide an open request while the vault's inbound side is paused (the guardian pauses
    /// it if it can), and its account tries to escape at once. A decision sent before the escape opened must land
    /// first: the escape is refused as too early, whatever the pause.
    function decideThenEscapeUnderPause(uint256 reqSeed, bool approved) external step {
        if (_requests.length == 0) return;
        uint256 ri = _openFrom(reqSeed % _requests.length);
        Request storage r = _requests[ri];
        if (r.state != PENDING) return;
        uint256 v = slots[r.p].v;
        if (!_paused(v, IN) && !_pause(v, IN, true)) return;
        _decide(ri, approved, false, false);
        _escape(ri, 3);
        _hit("m1.decisionHeldThenEscape");
    }

    /// @dev Escape attempt on request ri: mode 0 at the time the rules open it, 1 a second before, 2 by someone
    /// else, 3 now.
    function _escape(uint256 ri, uint8 mode) internal {
        Request storage r = _requests[ri];
        uint256 v = slots[r.p].v;
        if (r.state != CLOSED && mode != 3) {
            // Let a running inbound pause end first unless the escape is already open (the clock of a pending
            // request stands still during it).
            if (r.state == PENDING && _paused(v, IN) && block.timestamp < _escapeAt(ri)) {
                _warpTo(_pauses[v][IN].until);
            }
            if (r.state != CLOSED) {
                uint256 at = _escapeAt(ri);
                uint256 target = mode == 1 ? at - 1 : at;
                if (target > block.timestamp) _warpTo(target);
            }
        }
        address caller = r.account;
        if (mode == 2) caller = actors[0] == r.account ? actors[1] : actors[0];
        bytes4 refusal;
        if (_paused(v, OUT)) refusal = ICollateralVault.OutboundPaused.selector;
        else if (caller != r.account) refusal = ICollateralVault.NotRequestAccount.selector;
        else if (r.state == CLOSED) refusal = ICollateralVault.InvalidRequestStatus.selector;
        else if (block.timestamp < _escapeAt(ri)) refusal = ICollateralVault.EscapeTooEarly.selector;
        vm.prank(caller);
        (bool ok, bytes memory ret) = address(vaults[v]).call(abi.encodeCall(CollateralVault.escapeWithdrawal, (r.id)));
        if (refusal != bytes4(0)) {
            _refused(ok, ret, refusal, "escape refusal");
            if (refusal == ICollateralVault.OutboundPaused.selector) _hit("escape.paused");
            else if (refusal == ICollateralVault.NotRequestAccount.selector) _hit("escape.notAccount");
            else if (refusal == ICollateralVault.InvalidRequestStatus.selector) _hit("escape.closed");
            else _hit("escape.early");
            return;
        }
        assertTrue(ok, "an escape the rules open was refused");
        // M1: a decision still in flight for this request was sent after its escape had opened (a decision sent
        // before always reaches the vault first: the escape clock stops while inbound is paused).
        for (uint256 k = _flightHead[v]; k < _flight[v].length && r.state == PENDING; ++k) {
            Flight memory f = _flight[v][k];
            if (!f.isLiq && _decs[f.i].r == ri) {
                assertTrue(_decs[f.i].escapeWasOpen, "escaped before a decision sent in time could land");
                _hit("escape.beforeLateDecision");
            }
        }
        if (_rateRoom(r.p) < r.amount) _hit("escape.overRateLimit");
        _hit(r.state == QUEUED ? "escape.queued" : "escape.pending");
        _rateTake(r.p, r.amount, true);
        _payRequest(r, 3);
        _toHub();
    }

    /// @notice Anyone pushes a queued payout, waiting for the next window when the current one is full.
    function executePayout(uint256 reqSeed, bool wait) external step {
        if (_requests.length == 0) return;
        uint256 ri = reqSeed % _requests.length;
        // Mostly a queued payout, when there is one.
        for (uint256 k; k < _requests.length && reqSeed % 4 != 0 && _requests[ri].state != QUEUED; ++k) {
            ri = (ri + 1) % _requests.length;
        }
        Request storage r = _requests[ri];
        Rate storage rate = _rates[r.p];
        if (wait && r.state == QUEUED && rate.max != 0 && _rateRoom(r.p) < r.amount) {
            // a payout larger than a whole window: the owner raises the limit so it fits
            if (rate.max < r.amount) _setRate(r.p, rate.window, r.amount);
            _warpTo((block.timestamp / rate.window + 1) * rate.window);
        }
        uint256 v = slots[r.p].v;
        bytes4 refusal;
        if (_paused(v, OUT)) refusal = ICollateralVault.OutboundPaused.selector;
        else if (r.state != QUEUED) refusal = ICollateralVault.InvalidRequestStatus.selector;
        else if (_rateRoom(r.p) < r.amount) refusal = ICollateralVault.RateLimited.selector;
        (bool ok, bytes memory ret) = address(vaults[v]).call(abi.encodeCall(CollateralVault.executePayout, (r.id)));
        if (refusal != bytes4(0)) {
            _refused(ok, ret, refusal, "payout refusal");
            if (refusal == ICollateralVault.OutboundPaused.selector) _hit("payout.paused");
            else if (refusal == ICollateralVault.InvalidRequestStatus.selector) _hit("payout.notQueued");
            else _hit("payout.rateLimited");
            return;
        }
        assertTrue(ok, "a payout the window allows was refused");
        _rateTake(r.p, r.amount, false);
        _payRequest(r, 1);
        _hit("payout.executed");
        _toHub();
    }

    /// @notice Someone with a claim takes it to a receiver without hooks or blocks.
    function claim(uint256 pSeed, uint256 whoSeed) external step {
        uint256 p = pSeed % slots.length;
        address who = _party(whoSeed);
        // Mostly someone who has a claim, when anyone has.
        for (uint256 k; k < 24 && pSeed % 8 != 0 && mClaimable[p][who] == 0; ++k) {
            (p, who) = ((p + 1) % slots.length, k % 4 == 3 ? _party(whoSeed % 6 + k / 4 + 1) : who);
        }
        uint256 amount = mClaimable[p][who];
        vm.prank(who);
        (bool ok, bytes memory ret) =
            address(vaults[slots[p].v]).call(abi.encodeCall(CollateralVault.claim, (slots[p].token, claimSink)));
        if (amount == 0) {
            _refused(ok, ret, ICollateralVault.NothingToClaim.selector, "empty claim");
            _hit("claim.nothing");
            return;
        }
        (bool expectOk, uint256 out) = _claimOutcome(p, amount);
        assertEq(ok, expectOk, "claim outcome");
        if (!ok) {
            _hit(slots[p].kind == SENDER_FEE ? "claim.overdrawRefused" : "claim.returnFalseRefused");
            return;
        }
        mClaimable[p][who] = 0;
        ghostOut[p] += out;
        mStranded[p] += amount - out;
        _hit(out < amount ? "claim.movedLess" : "claim");
    }

    /// @notice The signers order a liquidation of a random amount (up to twice the balance), split with the
    /// insurance fund, to one of two recipients, alone or batched.
    function liquidate(uint256 pSeed, uint256 accountSeed, uint256 amount, uint256 ins, bool toSecond, bool viaBatch)
        external
        step
    {
        uint256 p = pSeed % slots.length;
        address account = actors[accountSeed % 3];
        // Sometimes everything an account with a queued payout has (H1: the queued payout stays out of reach).
        if (viaBatch && ins % 2 == 0) {
            for (uint256 k; k < 12 && mQueued[p][account] == 0; ++k) {
                (p, account) =
                ((p + 1) % slots.length, k % 4 == 3 ? actors[(accountSeed % 3 + k / 4 + 1) % 3] : account);
            }
            if (mQueued[p][account] != 0) amount = type(uint128).max;
        }
        amount = _bound(amount, 0, mBalance[p][account] * 2 + 1);
        _liquidate(p, account, amount, _bound(ins, 0, amount), recipients[toSecond ? 1 : 0], viaBatch, false);
        if (_paused(slots[p].v, IN)) _hit("liquidate.heldByPause");
    }

    /// @notice The executor holds an order back past its expiry, then delivers it: acknowledged EXPIRED, nothing
    /// changes.
    function heldBack(uint256 seed, bool asDecision, uint256 lateBy) external step {
        uint256 expiry;
        uint256 v;
        if (asDecision && _requests.length != 0) {
            uint256 ri = seed % _requests.length;
            _decide(ri, seed % 2 == 0, false, true);
            v = slots[_requests[ri].p].v;
            _hit("heldBack.decision");
        } else {
            uint256 p = seed % slots.length;
            address account = actors[(seed >> 8) % 3];
            uint256 balance = mBalance[p][account];
            _liquidate(p, account, _bound(seed >> 16, 0, balance * 2 + 1), 0, recipients[0], false, true);
            v = slots[p].v;
            _hit("heldBack.liquidation");
        }
        expiry = block.timestamp + 1 hours;
        vm.warp(expiry + _bound(lateBy, 1, 2 days));
        _deliver(v);
        _deliver(1 - v);
    }

    /// @notice Request → liquidation (taking from the request) → rejection → re-request of the same amount →
    /// liquidation, as one account.
    function rejectLoop(uint256 pSeed, uint256 actorSeed, uint256 amountSeed, uint256 liqSeed) external step {
        uint256 p = pSeed % slots.length;
        address account = actors[actorSeed % 3];
        (bool ok, uint256 ri) = _request(p, account, amountSeed | 2);
        if (!ok) return;
        uint256 balance = mBalance[p][account];
        _liquidate(p, account, _bound(liqSeed, 0, balance), 0, recipients[0], false, false);
        _decide(ri, false, false, false);
        (ok,) = _request(p, account, amountSeed | 2);
        _liquidate(p, account, _bound(liqSeed >> 64, 0, mBalance[p][account]), 0, recipients[1], true, false);
        if (ok && _requests[ri].state == CLOSED) _hit("loop.requestLiquidateRejectRerequest");
    }

    // ------------------------------------------------------------------ owner and guardian

    /// @notice The guardian or the owner pauses a direction of a vault: refused while a pause runs or cools down.
    function pause(uint256 vSeed, bool inbound, bool byGuardian) external step {
        uint256 v = vSeed % 2;
        uint8 dir = inbound ? IN : OUT;
        Pause storage ps = _pauses[v][dir];
        // Sometimes right after the running pause ends (up to two days later: in or past its cooldown).
        if (vSeed % 4 == 1 && block.timestamp < ps.until) _warpTo(uint256(ps.until) + (vSeed >> 8) % 2 days);
        _pause(v, dir, byGuardian);
    }

    /// @dev Pauses direction `dir` of vault v as the guardian or the owner; returns whether the pause started.
    function _pause(uint256 v, uint8 dir, bool byGuardian) internal returns (bool) {
        bool inbound = dir == IN;
        Pause storage ps = _pauses[v][dir];
        bytes memory data = inbound
            ? abi.encodeCall(CollateralVault.setInboundPaused, (true))
            : abi.encodeCall(CollateralVault.setOutboundPaused, (true));
        vm.prank(byGuardian ? guardian : owner);
        (bool ok, bytes memory ret) = address(vaults[v]).call(data);
        if (block.timestamp < ps.until) {
            _refused(ok, ret, BoundedPause.AlreadyPaused.selector, "pause while paused");
            _hit("pause.refusedRunning");
            return false;
        }
        if (ps.until != 0 && block.timestamp < uint256(ps.until) + PAUSE_COOLDOWN) {
            _refused(ok, ret, BoundedPause.PauseCoolingDown.selector, "pause in cooldown");
            _hit("pause.refusedCooldown");
            return false;
        }
        assertTrue(ok, "a pause was refused");
        ps.before = _pausedTime(v, dir);
        ps.start = uint64(block.timestamp);
        ps.until = uint64(block.timestamp) + PAUSE_MAX;
        _hit(inbound ? "pause.inbound" : "pause.outbound");
        if (byGuardian) _hit("pause.byGuardian");
        return true;
    }

    /// @notice The owner lifts a pause early (the guardian may not).
    function unpause(uint256 vSeed, bool inbound, bool byGuardian) external step {
        uint256 v = vSeed % 2;
        uint8 dir = inbound ? IN : OUT;
        bytes memory data = inbound
            ? abi.encodeCall(CollateralVault.setInboundPaused, (false))
            : abi.encodeCall(CollateralVault.setOutboundPaused, (false));
        vm.prank(byGuardian ? guardian : owner);
        (bool ok, bytes memory ret) = address(vaults[v]).call(data);
        if (byGuardian) {
            _refused(ok, ret, ICollateralVault.NotGuardian.selector, "guardian unpause");
            _hit("unpause.guardianRefused");
            return;
        }
        if (_paused(v, dir)) {
            assertTrue(ok, "the owner could not unpause");
            _pauses[v][dir].until = uint64(block.timestamp);
            _hit("unpause.early");
        } else {
            // lifting a pause that is not in force is refused, and changes nothing
            _refused(ok, ret, BoundedPause.NotPaused.selector, "unpause while not paused");
            _hit("unpause.notPaused");
        }
        _deliver(v);
    }

    /// @notice Time passes (up to 9 days: past order expiries, pauses, cooldowns, windows and escape delays).
    function warp(uint256 secs) external step {
        _warpTo(block.timestamp + _bound(secs, 1 minutes, 9 days));
        _hit("warp");
    }

    /// @notice The owner empties a vault's native reserve: replies become owed.
    function emptyReserve(uint256 vSeed) external step {
        uint256 v = vSeed % 2;
        uint256 amount = address(vaults[v]).balance;
        vm.prank(owner);
        vaults[v].withdrawAckReserve(payable(reserveSink), amount);
        assertEq(address(vaults[v]).balance, 0);
        _hit("reserve.emptied");
    }

    /// @notice Someone funds a vault's reserve.
    function fundReserve(uint256 vSeed, uint256 amount) external step {
        uint256 v = vSeed % 2;
        amount = _bound(amount, 1, 1 ether);
        vm.deal(address(this), amount);
        (bool ok,) = address(vaults[v]).call{value: amount}("");
        assertTrue(ok);
        _hit("reserve.funded");
    }

    /// @notice Anyone sends an owed reply, paying its fee; the hub then has it. A seq with nothing owed is refused.
    function sendOwedReply(uint256 vSeed, uint256 index) external step {
        uint256 v = vSeed % 2;
        uint64[] storage list = _owedList[v];
        address payer = actors[index % 3];
        vm.deal(payer, 1 ether);
        if (list.length == 0) {
            vm.prank(payer);
            (bool ok, bytes memory ret) =
                address(vaults[v]).call{value: 1 ether}(abi.encodeCall(CollateralVault.sendOwedReply, (mSeq[v] + 1)));
            _refused(ok, ret, ICollateralVault.NoOwedReply.selector, "nothing owed");
            _hit("owed.noneRefused");
            return;
        }
        uint256 k = index % list.length;
        uint64 s = list[k];
        list[k] = list[list.length - 1];
        list.pop();
        vm.prank(payer);
        vaults[v].sendOwedReply{value: 1 ether}(s);
        owed[v][s] = false;
        _toHub();
        assertTrue(hub.seqSeen(eids[v], s), "the hub did not get the owed reply");
        _hit("owed.sent");
    }

    /// @notice The owner sets a token's rate limit: cleared, a valid window (≤ 1 day), or an invalid one (refused).
    function setRateLimit(uint256 pSeed, uint256 windowSeed, uint256 maxSeed, uint8 mode) external step {
        uint256 p = pSeed % slots.length;
        // 0 cleared, 1 a valid limit (three times as often), 2 a window over a day, 3 a max without a window
        mode %= 6;
        if (mode >= 4) mode = 1;
        uint64 window;
        uint256 max;
        if (mode == 1) {
            (window, max) = (uint64(_bound(windowSeed, 1 hours, 1 days)), _bound(maxSeed, 50_000e6, 1_000_000e6));
        }
        if (mode == 2) {
            (window, max) = (uint64(_bound(windowSeed, 1 days + 1, 3650 days)), _bound(maxSeed, 1, 3_000_000e6));
        }
        if (mode == 3) (window, max) = (0, _bound(maxSeed, 1, 3_000_000e6));
        vm.prank(owner);
        (bool ok, bytes memory ret) = address(vaults[slots[p].v])
            .call(abi.encodeCall(CollateralVault.setRateLimit, (slots[p].token, window, max)));
        if (mode >= 2) {
            _refused(ok, ret, ICollateralVault.InvalidRateLimit.selector, "invalid rate limit");
            _hit("rateLimit.invalid");
            return;
        }
        assertTrue(ok);
        _rates[p] = Rate(window, window == 0 ? 0 : uint64(block.timestamp / window), max, 0);
        _hit(mode == 0 ? "rateLimit.cleared" : "rateLimit.set");
    }

    function _setRate(uint256 p, uint64 window, uint256 max) internal {
        vm.prank(owner);
        vaults[slots[p].v].setRateLimit(slots[p].token, window, max);
        _rates[p] = Rate(window, uint64(block.timestamp / window), max, 0);
    }

    /// @notice The owner sets the escape delay (for requests made from now on) within [1, 30] days, or outside it.
    function setEscapeDelay(uint256 vSeed, uint256 delay, bool invalid) external step {
        uint256 v = vSeed % 2;
        delay = invalid
            ? (delay % 2 == 0 ? _bound(delay, 0, 1 days - 1) : _bound(delay, 30 days + 1, 365 days))
            : _bound(delay, 1 days, 30 days);
        vm.prank(owner);
        (bool ok, bytes memory ret) =
            address(vaults[v]).call(abi.encodeCall(CollateralVault.setEscapeDelay, (uint64(delay))));
        if (invalid) {
            _refused(ok, ret, ICollateralVault.EscapeDelayOutOfBounds.selector, "delay out of bounds");
            _hit("escapeDelay.invalid");
            return;
        }
        assertTrue(ok);
        mEscapeDelay[v] = uint64(delay);
        _hit("escapeDelay.set");
    }

    /// @notice The owner sets a token's minimum withdrawal.
    function setMinWithdrawal(uint256 pSeed, uint256 amount) external step {
        uint256 p = pSeed % slots.length;
        amount = _bound(amount, 0, 200_000e6);
        vm.prank(owner);
        vaults[slots[p].v].setMinWithdrawal(slots[p].token, amount);
        mMinWithdrawal[p] = amount;
        _hit("minWithdrawal.set");
    }

    // ------------------------------------------------------------------ integrators

    /// @notice The owner allow-lists or drops an integrator (recording, reverting or gas-burning).
    function setIntegrator(uint256 vSeed, uint256 k, bool allowed) external step {
        uint256 v = vSeed % 2;
        k %= 3;
        vm.prank(owner);
        vaults[v].setIntegrator(address(integrators[k]), allowed);
        mListed[v][k] = allowed;
        _hit(allowed ? "integrator.listed" : "integrator.dropped");
    }

    /// @notice An account approves or revokes an integrator (approving one not allow-listed is refused).
    function approveIntegrator(uint256 vSeed, uint256 actorSeed, uint256 k, bool approved) external step {
        uint256 v = vSeed % 2;
        address account = actors[actorSeed % 3];
        k %= 3;
        vm.prank(account);
        (bool ok, bytes memory ret) = address(vaults[v])
            .call(abi.encodeCall(CollateralVault.approveIntegrator, (address(integrators[k]), approved)));
        if (approved && !mApproved[v][account][k] && !mListed[v][k]) {
            _refused(ok, ret, ICollateralVault.NotIntegrator.selector, "approving an unlisted integrator");
            _hit("integrator.approveUnlistedRefused");
            return;
        }
        assertTrue(ok);
        mApproved[v][account][k] = approved;
        _hit(approved ? "integrator.approved" : "integrator.revoked");
    }

    /// @notice An integrator reports an account's exposure: only while outbound is open, allow-listed and approved.
    function reportExposure(uint256 vSeed, uint256 actorSeed, uint256 k, int128 size) external step {
        uint256 v = vSeed % 2;
        address account = actors[actorSeed % 3];
        k %= 3;
        address integrator = address(integrators[k]);
        vm.prank(integrator);
        uint256 fee = vaults[v].quoteExposure(account, "ETH-PERP", size, 2000e18).nativeFee;
        vm.deal(integrator, fee);
        vm.prank(integrator);
        (bool ok, bytes memory ret) = address(vaults[v]).call{value: fee}(
            abi.encodeCall(CollateralVault.reportExposure, (account, "ETH-PERP", size, 2000e18))
        );
        if (_paused(v, OUT)) {
            _refused(ok, ret, ICollateralVault.OutboundPaused.selector, "exposure while paused");
            _hit("exposure.paused");
        } else if (!mListed[v][k]) {
            _refused(ok, ret, ICollateralVault.NotIntegrator.selector, "exposure by an unlisted integrator");
            _hit("exposure.unlistedRefused");
        } else if (!mApproved[v][account][k]) {
            _refused(ok, ret, ICollateralVault.IntegratorNotApproved.selector, "exposure without approval");
            _hit("exposure.notApprovedRefused");
        } else {
            assertTrue(ok, "an exposure report was refused");
            ++mSeq[v];
            _hit("exposure");
            _toHub();
        }
    }

    // ------------------------------------------------------------------ tokens

    /// @notice A token changes behaviour: the quirky token's mode (normal, return false, half transfer) or blocklist,
    /// or an actor's hook (off, refusing receipts, re-entering the vault).
    function setTokenBehaviour(uint8 what, uint256 seed) external step {
        what %= 3;
        if (what == 0) {
            QuirkyToken(slots[0].token).setMode(QuirkyToken.Mode(seed % 3));
            _hit(seed % 3 == 0 ? "token.quirkyNormal" : seed % 3 == 1 ? "token.quirkyReturnFalse" : "token.quirkyHalf");
        } else if (what == 1) {
            address who = _party(seed);
            QuirkyToken t = QuirkyToken(slots[0].token);
            t.setBlocked(who, !t.blocked(who));
            _hit("token.blockToggled");
        } else {
            hooks[seed % 3].setMode(ToggleHook.Mode((seed >> 8) % 3));
            _hit("token.hookMode");
        }
    }

    // ------------------------------------------------------------------ views for the suite

    function signerSet() external view returns (uint256[] memory keys, uint8 t) {
        return (signerKeys, threshold);
    }

    function orderCount() external view returns (uint256) {
        return _orders.length;
    }

    function orderAt(uint256 i) external view returns (bytes32 orderId, uint256 v, bytes memory payload) {
        orderId = _orders[i];
        return (orderId, _orderVault[orderId], _orderPayload[orderId]);
    }

    function token(uint256 p) external view returns (address) {
        return slots[p].token;
    }

    // ------------------------------------------------------------------ internals

    /// @dev actors, recipients and the insurance fund: everyone who can be owed tokens.
    function _party(uint256 seed) internal view returns (address) {
        uint256 i = seed % 6;
        if (i < 3) return actors[i];
        if (i < 5) return recipients[i - 3];
        return insurance;
    }

    function _registerPaths() internal virtual;
}
