// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {IClearingHub} from "../../src/interfaces/IClearingHub.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {OmniCodec} from "../../src/libraries/OmniCodec.sol";
import {OrderSigning} from "../utils/OrderSigning.sol";
import {ClearingModel, IPacketRelay} from "./ClearingModel.sol";

/// @notice The steps the campaign's handlers are made of: the relayer dispatching signed orders, the executor
/// delivering them (as soon as the vault's inbound side is open), users requesting withdrawals, and time passing.
/// Each step updates the model before the contracts act, so the events and state they produce can be compared.
abstract contract ClearingActions is ClearingModel {
    address internal relayer;
    /// @dev The registered signers' keys, ascending by address, and the hub's threshold.
    uint256[] internal signerKeys;
    uint8 internal threshold;

    /// @dev Executed-or-in-flight orders, for replays.
    bytes32[] internal _orders;
    mapping(bytes32 => uint256) internal _orderVault;
    mapping(bytes32 => bytes) internal _orderPayload;
    uint256 internal _nonce;

    function _initActions(
        IPacketRelay relay_,
        ClearingHub hub_,
        address owner_,
        address insurance_,
        address relayer_,
        uint256[] memory signerKeys_
    ) internal {
        _initModel(relay_, hub_, owner_, insurance_);
        relayer = relayer_;
        signerKeys = signerKeys_;
        threshold = hub_.threshold();
    }

    // ------------------------------------------------------------------ delivery and time

    /// @dev The executor delivers every packet to vault v, unless inbound is paused there (then a delivery attempt
    /// must revert and leave the packets for later), and every reply to the hub.
    function _deliver(uint256 v) internal {
        if (_paused(v, IN)) {
            if (_flightHead[v] < _flight[v].length) {
                try relay.verifyPackets(eids[v], address(vaults[v])) {
                    assertTrue(false, "a delivery went through an inbound pause");
                } catch {
                    _hit("deliver.refusedWhilePaused");
                }
            }
            return;
        }
        while (_flightHead[v] < _flight[v].length) {
            Flight memory f = _flight[v][_flightHead[v]++];
            if (f.isLiq) _applyLiq(f.i);
            else _applyDec(f.i);
        }
        relay.verifyPackets(eids[v], address(vaults[v]));
        // H1: a liquidation asking for everything leaves only the approved payouts still queued.
        for (uint256 i; i < _h1Slots.length; ++i) {
            (address a, address token) = (_h1Accounts[i], slots[_h1Slots[i]].token);
            if (vaults[v].balanceOf(a, token) != vaults[v].queuedOf(a, token)) ++ghostH1;
            if (vaults[v].frozenOf(a, token) != vaults[v].queuedOf(a, token)) ++ghostH1;
        }
        delete _h1Slots;
        delete _h1Accounts;
        _toHub();
    }

    function _toHub() internal {
        relay.verifyPackets(HUB_EID, address(hub));
    }

    /// @dev Moves time to `t`. The executor delivers held packets as soon as an inbound pause ends on the way.
    function _warpTo(uint256 t) internal {
        while (true) {
            uint256 next = type(uint256).max;
            uint256 nv;
            for (uint256 v; v < 2; ++v) {
                uint256 end = _pauses[v][IN].until;
                if (_paused(v, IN) && _flightHead[v] < _flight[v].length && end <= t && end < next) {
                    (next, nv) = (end, v);
                }
            }
            if (next == type(uint256).max) break;
            vm.warp(next);
            _deliver(nv);
        }
        if (t > block.timestamp) vm.warp(t);
        _deliver(0);
        _deliver(1);
    }

    // ------------------------------------------------------------------ orders

    function _sign(bytes32 digest) internal view returns (bytes[] memory) {
        return OrderSigning.sign(digest, OrderSigning.take(signerKeys, threshold));
    }

    /// @dev The relayer dispatches a liquidation signed by the current signers (alone or as a batch of one); the
    /// executor delivers it unless `hold`.
    function _liquidate(
        uint256 p,
        address account,
        uint256 amount,
        uint256 ins,
        address recipient,
        bool viaBatch,
        bool hold
    ) internal {
        uint256 v = slots[p].v;
        IClearingHub.LiquidationOrder memory o;
        o.dstEid = eids[v];
        o.orderId = keccak256(abi.encode("liquidation", _nonce++));
        o.account = account;
        o.token = slots[p].token;
        o.amount = amount;
        o.recipient = recipient;
        o.insuranceAmount = ins;
        o.expiry = uint64(block.timestamp + 1 hours);
        bytes[] memory sigs = _sign(hub.hashLiquidation(o));
        uint256 fee = hub.quoteLiquidation(o).nativeFee;
        vm.deal(relayer, fee);
        vm.prank(relayer);
        if (viaBatch) {
            IClearingHub.SignedLiquidation[] memory batch = new IClearingHub.SignedLiquidation[](1);
            batch[0] = IClearingHub.SignedLiquidation({order: o, signatures: sigs});
            hub.dispatchBatch{value: fee}(batch, new IClearingHub.SignedWithdrawDecision[](0));
        } else {
            hub.dispatchLiquidation{value: fee}(o, sigs);
        }
        _liqs.push(Liq(p, o.orderId, account, amount, ins, recipient, o.expiry));
        _flight[v].push(Flight(true, _liqs.length - 1));
        _remember(
            o.orderId,
            v,
            OmniCodec.encodeLiquidate(
                OmniCodec.Liquidate(o.orderId, account, o.token, amount, recipient, ins, o.expiry)
            )
        );
        if (!hold) _deliver(v);
    }

    /// @dev The signers decide request `ri` (with the requested amount, or one more unit when `mismatch`); the
    /// relayer dispatches it; the executor delivers it unless `hold`.
    function _decide(uint256 ri, bool approved, bool mismatch, bool hold) internal {
        Request storage r = _requests[ri];
        uint256 v = slots[r.p].v;
        Dec memory d = Dec({
            v: v,
            r: ri,
            orderId: keccak256(abi.encode("decision", _nonce++)),
            account: r.account,
            token: slots[r.p].token,
            amount: mismatch ? r.requested + 1 : r.requested,
            requestId: r.id,
            approved: approved,
            expiry: uint64(block.timestamp + 1 hours),
            escapeWasOpen: r.state != CLOSED && block.timestamp >= _escapeAt(ri)
        });
        _dispatchDecision(d, _signedBy(signerKeys, threshold));
        if (!hold) _deliver(v);
    }

    /// @dev Dispatches decision `d` signed by the first `n` of `keys` and records it in flight.
    function _dispatchDecision(Dec memory d, uint256[] memory keys) internal {
        IClearingHub.WithdrawDecisionOrder memory o = _decisionOrder(d);
        bytes[] memory sigs = OrderSigning.sign(hub.hashWithdrawDecision(o), keys);
        uint256 fee = hub.quoteWithdrawDecision(o).nativeFee;
        vm.deal(relayer, fee);
        vm.prank(relayer);
        hub.dispatchWithdrawDecision{value: fee}(o, sigs);
        _decs.push(d);
        _flight[d.v].push(Flight(false, _decs.length - 1));
        _remember(
            d.orderId,
            d.v,
            OmniCodec.encodeWithdrawDecision(
                OmniCodec.WithdrawDecision(d.orderId, d.account, d.token, d.amount, d.requestId, d.approved, d.expiry)
            )
        );
    }

    function _decisionOrder(Dec memory d) internal view returns (IClearingHub.WithdrawDecisionOrder memory o) {
        o.dstEid = eids[d.v];
        o.orderId = d.orderId;
        o.account = d.account;
        o.token = d.token;
        o.amount = d.amount;
        o.requestId = d.requestId;
        o.approved = d.approved;
        o.expiry = d.expiry;
    }

    function _signedBy(uint256[] memory keys, uint256 n) internal pure returns (uint256[] memory) {
        return OrderSigning.take(keys, n);
    }

    function _remember(bytes32 orderId, uint256 v, bytes memory payload) internal {
        _orders.push(orderId);
        _orderVault[orderId] = v;
        _orderPayload[orderId] = payload;
    }

    // ------------------------------------------------------------------ user steps

    /// @dev `account` asks to withdraw from slot p. The vault refuses (in this order) while outbound is paused, below
    /// the minimum, beyond `MAX_OPEN` open requests, or beyond the unfrozen balance; a request prepays its
    /// WITHDRAW_DONE into the reserve. Returns whether a request was made and its index.
    function _request(uint256 p, address account, uint256 amountSeed) internal returns (bool ok, uint256 ri) {
        uint256 v = slots[p].v;
        address token = slots[p].token;
        uint256 available = mBalance[p][account] - mFrozen[p][account];
        uint256 min = mMinWithdrawal[p] == 0 ? 1 : mMinWithdrawal[p];
        uint256 amount;
        bytes4 refusal;
        if (_paused(v, OUT)) {
            amount = min;
            refusal = ICollateralVault.OutboundPaused.selector;
            _hit("request.paused");
        } else if (available < min || (amountSeed % 16 == 0 && min > 1)) {
            amount = min - 1;
            if (amount == 0) return (false, 0);
            refusal = ICollateralVault.BelowMinWithdrawal.selector;
            _hit("request.belowMin");
        } else if (_openCount(v, account) >= MAX_OPEN) {
            amount = min;
            refusal = ICollateralVault.TooManyOpenRequests.selector;
            _hit("request.tooMany");
        } else if (amountSeed % 16 == 1) {
            amount = available + 1;
            refusal = ICollateralVault.InsufficientUnfrozenBalance.selector;
            _hit("request.overBalance");
        } else {
            // a third of requests fit in a rate-limit window (so queued payouts can be executed later)
            uint256 cap = amountSeed % 3 == 2 && available > 200_000e6 ? 200_000e6 : available;
            amount = _bound(amountSeed, min, cap < min ? min : cap);
        }
        uint256 fee = vaults[v].quoteWithdrawalRequest(account, token, amount).nativeFee;
        uint256 reserveBefore = address(vaults[v]).balance;
        vm.deal(account, fee);
        vm.prank(account);
        (bool success, bytes memory ret) =
            address(vaults[v]).call{value: fee}(abi.encodeCall(CollateralVault.requestWithdrawal, (token, amount)));
        if (refusal != bytes4(0)) {
            _refused(success, ret, refusal, "request refusal");
            return (false, 0);
        }
        assertTrue(success, "a request within the rules was refused");
        uint64 id = abi.decode(ret, (uint64));
        // The requester paid the request's message and prepaid the WITHDRAW_DONE that will close it.
        uint256 doneFee = vaults[v].quoteWithdrawalDone(id).nativeFee;
        assertGt(doneFee, 0);
        assertEq(address(vaults[v]).balance - reserveBefore, doneFee, "the request prepays its WITHDRAW_DONE");
        mFrozen[p][account] += amount;
        _requests.push(
            Request({
                p: p,
                id: id,
                account: account,
                requested: amount,
                amount: amount,
                state: PENDING,
                status: uint8(ICollateralVault.RequestStatus.Pending),
                requestedAt: uint64(block.timestamp),
                delay: mEscapeDelay[v],
                pausedAtRequest: _pausedTime(v, IN),
                queuedAt: 0
            })
        );
        ++mSeq[v];
        _hit("request");
        _toHub();
        return (true, _requests.length - 1);
    }

    /// @dev Asserts a call failed with `sel`.
    function _refused(bool ok, bytes memory ret, bytes4 sel, string memory what) internal pure {
        assertFalse(ok, what);
        assertEq(bytes4(ret), sel, what);
    }
}
