// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {HookToken} from "../utils/HookToken.sol";
import {QuirkyToken} from "../utils/QuirkyToken.sol";
import {TestIntegrator} from "../utils/TestIntegrator.sol";
import {PathCounter} from "./PathCounter.sol";
import {ToggleHook} from "./ToggleHook.sol";

/// @notice Delivers the packets TestHelperOz5 queued for an OApp (the invariant suite).
interface IPacketRelay {
    function verifyPackets(uint32 dstEid, address dstAddress) external;
}

/// @notice The campaign's model of the hub and two vaults, computed from the rules of issue 13 (never read back from
/// the contracts): balances, frozen and queued amounts, claims, requests, pauses, rate limits, sequence numbers and
/// the events every delivery must emit. `ClearingHandler` drives the contracts and updates it.
abstract contract ClearingModel is Test, PathCounter {
    uint32 internal constant HUB_EID = 1;
    uint8 internal constant QUIRKY = 0;
    uint8 internal constant FEE_ON_TRANSFER = 1;
    uint8 internal constant HOOKED = 2;
    uint8 internal constant SENDER_FEE = 3;
    uint8 internal constant PENDING = 1;
    uint8 internal constant QUEUED = 2;
    uint8 internal constant CLOSED = 3;
    uint8 internal constant OUT = 0;
    uint8 internal constant IN = 1;
    uint256 internal constant NONE = type(uint256).max;
    uint64 internal constant PAUSE_MAX = 7 days;
    uint64 internal constant PAUSE_COOLDOWN = 1 days;
    uint256 internal constant MAX_OPEN = 4;

    /// @dev A (vault, token) pair. Vault B holds the quirky and the fee-on-transfer token, vault C the hook token and
    /// the one that charges its sender extra.
    struct Slot {
        uint256 v;
        uint8 kind;
        address token;
    }

    struct Request {
        uint256 p;
        uint64 id;
        address account;
        uint256 requested;
        /// @dev What is left of it after liquidations took from it.
        uint256 amount;
        uint8 state;
        /// @dev `ICollateralVault.RequestStatus` once closed.
        uint8 status;
        uint64 requestedAt;
        uint64 delay;
        uint64 pausedAtRequest;
        uint64 queuedAt;
    }

    struct Liq {
        uint256 p;
        bytes32 orderId;
        address account;
        uint256 amount;
        uint256 insuranceAmount;
        address recipient;
        uint64 expiry;
    }

    struct Dec {
        uint256 v;
        /// @dev Index of the request in `_requests`, or NONE for a request id the vault never assigned.
        uint256 r;
        bytes32 orderId;
        address account;
        address token;
        uint256 amount;
        uint64 requestId;
        bool approved;
        uint64 expiry;
        /// @dev Whether the request's escape was already open when the hub sent the decision.
        bool escapeWasOpen;
    }

    struct Flight {
        bool isLiq;
        uint256 i;
    }

    struct Pause {
        uint64 start;
        uint64 until;
        uint64 before;
    }

    struct Rate {
        uint64 window;
        uint64 index;
        uint256 max;
        uint256 used;
    }

    // No immutables and no constructor arguments: the suite deploys the handler from its artifact and calls `init`.
    IPacketRelay internal relay;
    ClearingHub internal hub;
    address internal owner;
    address internal insurance;
    CollateralVault[2] internal vaults;
    uint32[2] internal eids;
    Slot[] internal slots;
    TestIntegrator[3] internal integrators;
    ToggleHook[3] internal hooks;

    address[3] public actors;
    address[2] public recipients;

    // ------------------------------------------------------------------ the model
    mapping(uint256 p => mapping(address => uint256)) public mBalance;
    mapping(uint256 p => mapping(address => uint256)) public mFrozen;
    mapping(uint256 p => mapping(address => uint256)) public mQueued;
    mapping(uint256 p => mapping(address => uint256)) public mClaimable;
    mapping(uint256 p => uint256) public mMinWithdrawal;
    uint256[4] public ghostIn;
    uint256[4] public ghostOut;
    /// @dev What claims left in the vault owed to nobody (a token that moved less than the claim; see `_claimOutcome`).
    uint256[4] public mStranded;
    uint64[2] public mSeq;
    uint64[2] internal mEscapeDelay;
    Rate[4] internal _rates;
    /// @dev [vault][OUT / IN]
    Pause[2][2] internal _pauses;
    Request[] internal _requests;
    Liq[] internal _liqs;
    Dec[] internal _decs;
    mapping(uint256 v => Flight[]) internal _flight;
    uint256[2] internal _flightHead;
    mapping(uint256 v => mapping(uint64 s => bool)) public owed;
    mapping(uint256 v => uint64[]) internal _owedList;
    mapping(uint256 v => mapping(uint256 i => bool)) internal mListed;
    mapping(uint256 v => mapping(address => mapping(uint256 i => bool))) internal mApproved;
    uint256 public mRecorderCalls;

    // ------------------------------------------------------------------ what deliveries must emit
    bytes[] internal _expected;
    uint256 internal _expFailures;
    mapping(uint256 v => mapping(uint64 id => uint256)) internal _closes;

    // ------------------------------------------------------------------ ghosts (all must stay 0)
    uint256 public ghostDoubleCloses;
    uint256 public ghostH1;
    /// @dev `WithdrawalReduced` events that reduced nothing (a fully taken request newer than the one taken from).
    uint256 public zeroTakeReductions;
    /// @dev (slot, account) of each liquidation in this delivery that asked for at least the whole balance (H1).
    uint256[] internal _h1Slots;
    address[] internal _h1Accounts;

    function _initModel(IPacketRelay relay_, ClearingHub hub_, address owner_, address insurance_) internal {
        require(address(hub) == address(0), "initialized");
        relay = relay_;
        hub = hub_;
        owner = owner_;
        insurance = insurance_;
        eids = [uint32(2), uint32(3)];
        actors = [makeAddr("actor0"), makeAddr("actor1"), makeAddr("actor2")];
        recipients = [makeAddr("recipient0"), makeAddr("recipient1")];
        mEscapeDelay = [uint64(3 days), uint64(3 days)];
    }

    // ------------------------------------------------------------------ time-based rules

    function _paused(uint256 v, uint8 dir) internal view returns (bool) {
        return block.timestamp < _pauses[v][dir].until;
    }

    /// @dev Seconds spent paused so far (the current pause included).
    function _pausedTime(uint256 v, uint8 dir) internal view returns (uint64) {
        Pause storage s = _pauses[v][dir];
        if (s.start == 0) return s.before;
        uint64 end = block.timestamp < s.until ? uint64(block.timestamp) : s.until;
        return s.before + (end - s.start);
    }

    /// @dev When request `i` may be escaped: its delay after it was queued, or its delay of time during which inbound
    /// was not paused after it was made.
    function _escapeAt(uint256 i) internal view returns (uint256) {
        Request storage r = _requests[i];
        if (r.state == QUEUED) return uint256(r.queuedAt) + r.delay;
        uint256 pausedSince = _pausedTime(slots[r.p].v, IN) - r.pausedAtRequest;
        return uint256(r.requestedAt) + r.delay + pausedSince;
    }

    function _rateRoom(uint256 p) internal view returns (uint256) {
        Rate storage r = _rates[p];
        if (r.max == 0) return type(uint256).max;
        uint256 used = r.index == block.timestamp / r.window ? r.used : 0;
        return r.max - used;
    }

    /// @dev Counts `amount` against slot p's window: refused when it does not fit, unless `overdraw` (escapes).
    function _rateTake(uint256 p, uint256 amount, bool overdraw) internal returns (bool) {
        Rate storage r = _rates[p];
        if (r.max == 0) return true;
        uint256 room = _rateRoom(p);
        if (amount > room) {
            if (!overdraw) return false;
            amount = room;
        }
        uint64 index = uint64(block.timestamp / r.window);
        r.used = (r.index == index ? r.used : 0) + amount;
        r.index = index;
        return true;
    }

    function _openCount(uint256 v, address account) internal view returns (uint256 n) {
        for (uint256 i; i < _requests.length; ++i) {
            Request storage r = _requests[i];
            if (slots[r.p].v == v && r.account == account && r.state != CLOSED) ++n;
        }
    }

    // ------------------------------------------------------------------ token rules

    /// @dev What leaves the vault when it pays `amount` of slot p to `to` on a receive path (the rest is credited as
    /// claimable): a blocked receiver, a `false` return or a refusing hook move nothing, the half-transfer mode moves
    /// half, and a token that would take more than `amount` out of the vault is undone.
    function _payOutcome(uint256 p, address to, uint256 amount) internal view returns (uint256) {
        Slot storage s = slots[p];
        if (s.kind == QUIRKY) {
            QuirkyToken t = QuirkyToken(s.token);
            if (t.blocked(to) || t.mode() == QuirkyToken.Mode.ReturnFalse) return 0;
            return t.mode() == QuirkyToken.Mode.HalfTransfer ? amount / 2 : amount;
        }
        if (s.kind == FEE_ON_TRANSFER) return amount; // the fee comes out of what the receiver gets
        if (s.kind == HOOKED) {
            address h = HookToken(s.token).hookOf(to);
            return h != address(0) && ToggleHook(h).mode() == ToggleHook.Mode.RevertOnReceive ? 0 : amount;
        }
        return 0; // the sender-fee token always takes more than the amount: undone
    }

    function _payPath(Slot storage s, address to, uint256 credit) internal {
        if (s.kind == SENDER_FEE) return _hit("pay.senderFeeUndone");
        if (s.kind == FEE_ON_TRANSFER) return _hit("pay.feeOnTransfer");
        if (s.kind == QUIRKY) {
            if (QuirkyToken(s.token).blocked(to)) return _hit("pay.blockedCredited");
            QuirkyToken.Mode m = QuirkyToken(s.token).mode();
            if (m == QuirkyToken.Mode.ReturnFalse) return _hit("pay.returnFalseCredited");
            if (m == QuirkyToken.Mode.HalfTransfer && credit != 0) return _hit("pay.halfCredited");
            return _hit("pay.quirkyNormal");
        }
        address h = HookToken(s.token).hookOf(to);
        if (h == address(0)) return _hit("pay.hookToken");
        ToggleHook.Mode hm = ToggleHook(h).mode();
        if (hm == ToggleHook.Mode.RevertOnReceive) return _hit("pay.hookRefusedCredited");
        _hit(hm == ToggleHook.Mode.Reenter ? "hook.reentryRefused" : "pay.hookToken");
    }

    /// @dev Whether a claim of `amount` of slot p goes through, and what leaves the vault.
    function _claimOutcome(uint256 p, uint256 amount) internal view returns (bool ok, uint256 out) {
        Slot storage s = slots[p];
        if (s.kind == QUIRKY) {
            QuirkyToken.Mode m = QuirkyToken(s.token).mode();
            if (m == QuirkyToken.Mode.ReturnFalse) return (false, 0);
            return (true, m == QuirkyToken.Mode.HalfTransfer ? amount / 2 : amount);
        }
        if (s.kind == SENDER_FEE) return (false, 0);
        return (true, amount);
    }

    /// @dev The vault pays `amount` of slot p to `to` (a request's payout when `requestId` != 0, else a liquidation's
    /// part): what the token does not move is credited, with its event.
    function _send(uint256 p, address to, uint256 amount, uint64 requestId, bytes32 orderId) internal {
        if (amount == 0) return;
        uint256 out = _payOutcome(p, to, amount);
        ghostOut[p] += out;
        uint256 credit = amount - out;
        Slot storage s = slots[p];
        _payPath(s, to, credit);
        if (credit == 0) return;
        mClaimable[p][to] += credit;
        if (requestId != 0) {
            _exp(
                s.v,
                _t4(
                    ICollateralVault.WithdrawalTransferFailed.selector, bytes32(uint256(requestId)), _b(to), _b(s.token)
                ),
                abi.encode(credit)
            );
        } else {
            _exp(
                s.v,
                _t4(ICollateralVault.LiquidationTransferFailed.selector, orderId, _b(to), _b(s.token)),
                abi.encode(credit)
            );
        }
    }

    // ------------------------------------------------------------------ applying deliveries

    /// @dev A liquidation reaches its vault: after its expiry it changes nothing; otherwise it seizes what the rules
    /// leave in reach (everything but approved payouts still queued), the unfrozen balance first, then the account's
    /// pending requests of the token, newest first.
    function _applyLiq(uint256 i) internal {
        Liq storage l = _liqs[i];
        uint256 p = l.p;
        uint256 v = slots[p].v;
        address account = l.account;
        if (block.timestamp > l.expiry) {
            _exp(v, _t2(ICollateralVault.OrderArrivedExpired.selector, l.orderId), abi.encode(l.expiry));
            ++mSeq[v];
            _hit("deliver.liquidationExpired");
            return;
        }
        uint256 balance = mBalance[p][account];
        uint256 inReach = balance - mQueued[p][account];
        uint256 seized = l.amount < inReach ? l.amount : inReach;
        uint256 unfrozen = balance - mFrozen[p][account];
        if (seized > unfrozen) {
            uint256 need = seized - unfrozen;
            mFrozen[p][account] -= need;
            for (uint256 k = _requests.length; k > 0 && need != 0; --k) {
                Request storage r = _requests[k - 1];
                if (r.p != p || r.account != account || r.state != PENDING || r.amount == 0) continue;
                uint256 take = r.amount < need ? r.amount : need;
                r.amount -= take;
                need -= take;
                _exp(
                    v,
                    _t2(ICollateralVault.WithdrawalReduced.selector, bytes32(uint256(r.id))),
                    abi.encode(take, r.amount)
                );
            }
            _hit("deliver.liquidationTookFromRequests");
        }
        uint256 toInsurance = seized == 0 ? 0 : (l.insuranceAmount * seized + l.amount - 1) / l.amount;
        mBalance[p][account] = balance - seized;
        _send(p, insurance, toInsurance, 0, l.orderId);
        _send(p, l.recipient, seized - toInsurance, 0, l.orderId);
        _exp(
            v,
            _t4(ICollateralVault.Liquidated.selector, l.orderId, _b(account), _b(slots[p].token)),
            abi.encode(l.amount, seized, l.recipient, toInsurance)
        );
        ++mSeq[v];
        _hit(seized == 0 ? "deliver.liquidationNothing" : "deliver.liquidation");
        if (l.amount >= balance) {
            _hit(mQueued[p][account] != 0 ? "deliver.liquidationFullKeepsQueued" : "deliver.liquidationFull");
            _h1Slots.push(p);
            _h1Accounts.push(account);
        }
        for (uint256 k; k < 3; ++k) {
            if (!mListed[v][k] || !mApproved[v][account][k]) continue;
            if (k == 0) {
                ++mRecorderCalls;
                _hit("deliver.callbackRecorded");
            } else {
                ++_expFailures;
                _hit("deliver.callbackFailed");
            }
        }
    }

    /// @dev A decision reaches its vault: expired → nothing; unknown, closed or mismatched request → ignored; a
    /// rejection unfreezes what is left of the request; an approval pays it, or queues it over the rate limit.
    function _applyDec(uint256 i) internal {
        Dec storage d = _decs[i];
        uint256 v = d.v;
        if (block.timestamp > d.expiry) {
            _exp(v, _t2(ICollateralVault.OrderArrivedExpired.selector, d.orderId), abi.encode(d.expiry));
            ++mSeq[v];
            _hit("deliver.decisionExpired");
            return;
        }
        uint8 reason;
        if (d.r == NONE) reason = uint8(ICollateralVault.IgnoreReason.UnknownRequest);
        else if (_requests[d.r].state != PENDING) reason = uint8(ICollateralVault.IgnoreReason.RequestClosed);
        else if (d.amount != _requests[d.r].requested) reason = uint8(ICollateralVault.IgnoreReason.Mismatch);
        if (reason != 0) {
            _exp(
                v,
                _t3(ICollateralVault.DecisionIgnored.selector, d.orderId, bytes32(uint256(d.requestId))),
                abi.encode(reason)
            );
            if (reason == uint8(ICollateralVault.IgnoreReason.UnknownRequest)) _hit("deliver.decisionUnknown");
            else if (reason == uint8(ICollateralVault.IgnoreReason.RequestClosed)) _hit("deliver.decisionStale");
            else _hit("deliver.decisionMismatch");
            return;
        }
        Request storage r = _requests[d.r];
        uint256 p = r.p;
        if (!d.approved) {
            mFrozen[p][r.account] -= r.amount;
            _closeRequest(r, uint8(ICollateralVault.RequestStatus.Rejected), 0, 2);
            _hit(r.amount < r.requested ? "deliver.rejectAfterLiquidation" : "deliver.reject");
        } else if (_rateTake(p, r.amount, false)) {
            _hit(r.amount < r.requested ? "deliver.approveAfterLiquidation" : "deliver.approvePaid");
            _payRequest(r, 1);
        } else {
            r.state = QUEUED;
            r.status = uint8(ICollateralVault.RequestStatus.PayoutQueued);
            r.queuedAt = uint64(block.timestamp);
            mQueued[p][r.account] += r.amount;
            _exp(
                v,
                _t4(ICollateralVault.PayoutQueued.selector, bytes32(uint256(r.id)), _b(r.account), _b(slots[p].token)),
                abi.encode(r.amount)
            );
            _hit("deliver.approveQueued");
        }
    }

    /// @dev Pays what is left of a request to its account (outcome 1 PAID, 3 ESCAPED) and closes it.
    function _payRequest(Request storage r, uint8 outcome) internal {
        uint256 p = r.p;
        uint256 amount = r.amount;
        if (r.state == QUEUED) mQueued[p][r.account] -= amount;
        mFrozen[p][r.account] -= amount;
        mBalance[p][r.account] -= amount;
        _send(p, r.account, amount, r.id, bytes32(0));
        _closeRequest(
            r,
            uint8(outcome == 3 ? ICollateralVault.RequestStatus.Escaped : ICollateralVault.RequestStatus.Paid),
            amount,
            outcome
        );
    }

    function _closeRequest(Request storage r, uint8 status, uint256 paid, uint8 outcome) internal {
        uint256 v = slots[r.p].v;
        r.state = CLOSED;
        r.status = status;
        uint64 s = ++mSeq[v];
        _exp(
            v,
            _t3(ICollateralVault.WithdrawalClosed.selector, bytes32(uint256(r.id)), _b(r.account)),
            abi.encode(outcome, paid, mBalance[r.p][r.account], s)
        );
    }

    // ------------------------------------------------------------------ events

    function _exp(uint256 v, bytes32[] memory topics, bytes memory data) internal {
        _expected.push(abi.encode(address(vaults[v]), topics, data));
    }

    function _isTracked(bytes32 t) internal pure returns (bool) {
        return t == ICollateralVault.Liquidated.selector || t == ICollateralVault.WithdrawalReduced.selector
            || t == ICollateralVault.WithdrawalClosed.selector || t == ICollateralVault.PayoutQueued.selector
            || t == ICollateralVault.OrderArrivedExpired.selector || t == ICollateralVault.DecisionIgnored.selector
            || t == ICollateralVault.WithdrawalTransferFailed.selector
            || t == ICollateralVault.LiquidationTransferFailed.selector;
    }

    /// @dev Compares what the vaults emitted since the last scan with what the model expects, in order; records the
    /// replies the reserve could not pay.
    function _scan() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 cursor;
        uint256 failures;
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            uint256 v;
            if (log.emitter == address(vaults[0])) v = 0;
            else if (log.emitter == address(vaults[1])) v = 1;
            else continue;
            bytes32 t = log.topics[0];
            if (t == ICollateralVault.ReplyOwed.selector) {
                uint64 s = uint64(uint256(log.topics[1]));
                owed[v][s] = true;
                _owedList[v].push(s);
                _hit("reply.owed");
                continue;
            }
            if (t == ICollateralVault.IntegratorCallbackFailed.selector) {
                ++failures;
                continue;
            }
            if (!_isTracked(t)) continue;
            if (t == ICollateralVault.WithdrawalReduced.selector) {
                (uint256 taken,) = abi.decode(log.data, (uint256, uint256));
                if (taken == 0) {
                    ++zeroTakeReductions;
                    continue;
                }
            }
            if (t == ICollateralVault.WithdrawalClosed.selector && ++_closes[v][uint64(uint256(log.topics[1]))] > 1) {
                ++ghostDoubleCloses;
            }
            assertLt(cursor, _expected.length, "the vault emitted an event the model does not expect");
            assertEq(abi.encode(log.emitter, log.topics, log.data), _expected[cursor++], "event differs from the model");
        }
        assertEq(cursor, _expected.length, "an event the model expects is missing");
        delete _expected;
        assertEq(failures, _expFailures, "integrator callback failures");
        _expFailures = 0;
    }

    function _b(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    function _t2(bytes32 a, bytes32 b) internal pure returns (bytes32[] memory t) {
        t = new bytes32[](2);
        (t[0], t[1]) = (a, b);
    }

    function _t3(bytes32 a, bytes32 b, bytes32 c) internal pure returns (bytes32[] memory t) {
        t = new bytes32[](3);
        (t[0], t[1], t[2]) = (a, b, c);
    }

    function _t4(bytes32 a, bytes32 b, bytes32 c, bytes32 d) internal pure returns (bytes32[] memory t) {
        t = new bytes32[](4);
        (t[0], t[1], t[2], t[3]) = (a, b, c, d);
    }
}
