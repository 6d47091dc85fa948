// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {EnforcedOptionParam} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/interfaces/IOAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {ILayerZeroEndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {IClearingHub} from "../../src/interfaces/IClearingHub.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {OmniCodec} from "../../src/libraries/OmniCodec.sol";
import {OmniFixture} from "../utils/OmniFixture.sol";
import {OrderSigning} from "../utils/OrderSigning.sol";
import {QuirkyToken} from "../utils/QuirkyToken.sol";

/// @notice Drives the hub and two vaults through their real endpoints (TestHelperOz5 delivers every packet): deposits,
/// withdrawal requests and decisions (approve, reject, stale), escapes, queued payouts, claims, liquidations with an
/// insurance split (single or batched), receivers a token refuses, replays of executed orders, non-peer senders,
/// duplicated hub messages, and orders that are under-signed, wrongly signed or expired. Every order the hub sends is
/// signed by a threshold of its clearing signers and submitted by a relayer. It keeps its own model of every balance, frozen amount and claim, computed from the spec, not read back.
contract ClearingHandler is Test {
    uint32 internal constant HUB_EID = 1;

    struct Request {
        uint256 v;
        uint64 id;
        address account;
        uint256 amount;
        /// @dev 1 pending, 2 payout queued, 3 closed
        uint8 state;
    }

    VaultInvariantsTest internal immutable suite;
    ClearingHub internal immutable hub;
    address internal immutable relayer;
    uint8 internal immutable threshold;
    uint256 internal immutable outsiderKey;
    /// @dev The registered signers' keys, ascending by address.
    uint256[] internal signerKeys;
    address internal immutable insurance;
    CollateralVault[2] internal vaults;
    QuirkyToken[2] internal tokens;
    uint32[2] internal eids = [uint32(2), uint32(3)];

    address[3] public actors = [makeAddr("actor0"), makeAddr("actor1"), makeAddr("actor2")];
    address[2] public recipients = [makeAddr("recipient0"), makeAddr("recipient1")];
    address public immutable claimSink = makeAddr("claimSink");

    // the model, per vault index
    mapping(uint256 v => mapping(address => uint256)) public mBalance;
    mapping(uint256 v => mapping(address => uint256)) public mFrozen;
    mapping(uint256 v => mapping(address => uint256)) public mClaimable;
    uint256[2] public ghostIn;
    uint256[2] public ghostOut;

    uint256 public ghostDoubleExecutions;
    uint256 public ghostNonPeerAccepted;
    uint256 public ghostDuplicatesPublished;
    uint256 public ghostDoubleCloses;
    uint256 public ghostIgnoredChanged;
    uint256 public ghostUnderSignedAccepted;
    uint256 public ghostUnderSignedChanged;
    uint256 public underSignedRefused;
    uint256 public liquidations;
    uint256 public closedRequests;

    Request[] internal _requests;
    bytes32[] internal _orders;
    mapping(bytes32 => uint256) internal _orderVault;
    mapping(bytes32 => bytes) internal _orderPayload;
    mapping(uint256 v => mapping(uint64 id => uint256)) internal _closes;
    uint256 internal _nonce;

    constructor(
        VaultInvariantsTest suite_,
        ClearingHub hub_,
        CollateralVault[2] memory vaults_,
        QuirkyToken[2] memory tokens_,
        address relayer_,
        address insurance_,
        uint256[] memory signerKeys_,
        uint256 outsiderKey_
    ) {
        suite = suite_;
        hub = hub_;
        vaults = vaults_;
        tokens = tokens_;
        relayer = relayer_;
        insurance = insurance_;
        signerKeys = signerKeys_;
        outsiderKey = outsiderKey_;
        threshold = hub_.threshold();
    }

    // ------------------------------------------------------------------ actions

    function deposit(uint256 vSeed, uint256 fromSeed, uint256 forSeed, uint256 amount) external {
        uint256 v = vSeed % 2;
        address from = actors[fromSeed % 3];
        address account = actors[forSeed % 3];
        amount = bound(amount, 1, 2_000_000e6);
        tokens[v].mint(from, amount);
        vm.prank(from);
        tokens[v].approve(address(vaults[v]), amount);
        uint256 fee = vaults[v].quoteDeposit(account, address(tokens[v]), amount).nativeFee;
        vm.deal(from, fee);
        vm.prank(from);
        vaults[v].depositFor{value: fee}(account, address(tokens[v]), amount);
        mBalance[v][account] += amount;
        ghostIn[v] += amount;
        _toHub(v);
    }

    function requestWithdrawal(uint256 vSeed, uint256 actorSeed, uint256 amount) external {
        uint256 v = vSeed % 2;
        address account = actors[actorSeed % 3];
        uint256 available = mBalance[v][account] - mFrozen[v][account];
        if (available == 0) return;
        amount = bound(amount, 1, available);
        uint256 fee = vaults[v].quoteWithdrawalRequest(account, address(tokens[v]), amount).nativeFee;
        vm.deal(account, fee);
        vm.prank(account);
        uint64 id = vaults[v].requestWithdrawal{value: fee}(address(tokens[v]), amount);
        mFrozen[v][account] += amount;
        _requests.push(Request({v: v, id: id, account: account, amount: amount, state: 1}));
        _toHub(v);
    }

    /// @notice The clearing signers decide a request; the relayer dispatches it through the hub. A request no longer pending gets a stale decision
    /// (fresh order id): it must be ignored and change nothing.
    function decide(uint256 reqSeed, bool approved) external {
        if (_requests.length == 0) return;
        Request storage r = _requests[reqSeed % _requests.length];
        uint256 v = r.v;
        bool fits = vaults[v].outboundAvailable(address(tokens[v])) >= r.amount;
        bytes32 orderId = keccak256(abi.encode("decision", _nonce++));
        _dispatchDecision(_decisionOrder(r, orderId, approved));
        uint256 vaultBefore = tokens[v].balanceOf(address(vaults[v]));
        uint64 seqBefore = vaults[v].seq();
        _deliver(v);
        _remember(orderId, v, _decisionPayload(r, orderId, approved));

        if (r.state != 1) {
            if (tokens[v].balanceOf(address(vaults[v])) != vaultBefore || vaults[v].seq() != seqBefore) {
                ++ghostIgnoredChanged;
            }
            return;
        }
        if (!approved) {
            mFrozen[v][r.account] -= r.amount;
            _close(r);
        } else if (fits) {
            _pay(r);
        } else {
            r.state = 2;
        }
        _toHub(v);
    }

    /// @notice The account escapes a request after the delay (or tries to escape one that is not pending: refused).
    function escape(uint256 reqSeed) external {
        if (_requests.length == 0) return;
        Request storage r = _requests[reqSeed % _requests.length];
        uint256 v = r.v;
        vm.warp(block.timestamp + vaults[v].escapeDelay());
        uint256 fee = vaults[v].quoteWithdrawalDone(r.id).nativeFee;
        vm.deal(r.account, fee);
        bool fits = vaults[v].outboundAvailable(address(tokens[v])) >= r.amount;
        vm.recordLogs();
        vm.prank(r.account);
        try vaults[v].escapeWithdrawal{value: fee}(r.id) {
            _countCloses(v);
            assertEq(r.state, 1, "a request that was not pending escaped");
            assertTrue(fits, "an escape over the rate limit was paid");
            _pay(r);
            _toHub(v);
        } catch {
            assertTrue(r.state != 1 || !fits, "a pending request within the limit could not escape");
        }
    }

    /// @notice Anyone pushes a queued payout once the window allows.
    function executePayout(uint256 reqSeed) external {
        if (_requests.length == 0) return;
        Request storage r = _requests[reqSeed % _requests.length];
        uint256 v = r.v;
        (uint64 window,) = vaults[v].rateLimit(address(tokens[v]));
        vm.warp(block.timestamp + window);
        uint256 fee = vaults[v].quoteWithdrawalDone(r.id).nativeFee;
        vm.deal(address(this), fee);
        vm.recordLogs();
        try vaults[v].executePayout{value: fee}(r.id) {
            _countCloses(v);
            assertEq(r.state, 2, "a payout that was not queued executed");
            _pay(r);
            _toHub(v);
        } catch {}
    }

    /// @notice Someone with a claim takes it to a receiver the token accepts.
    function claim(uint256 vSeed, uint256 whoSeed) external {
        uint256 v = vSeed % 2;
        address who = _party(whoSeed);
        uint256 amount = mClaimable[v][who];
        if (amount == 0) return;
        vm.prank(who);
        vaults[v].claim(address(tokens[v]), claimSink);
        mClaimable[v][who] = 0;
        ghostOut[v] += amount;
    }

    /// @notice The clearing signers order a liquidation; the relayer dispatches it alone or as a batch of one. The vault
    /// seizes at most the unfrozen balance and splits it.
    function liquidate(
        uint256 vSeed,
        uint256 accountSeed,
        uint256 amount,
        uint256 insuranceAmount,
        uint256 recSeed,
        bool viaBatch
    ) external {
        uint256 v = vSeed % 2;
        address account = actors[accountSeed % 3];
        address recipient = recipients[recSeed % 2];
        uint256 balance = mBalance[v][account];
        amount = bound(amount, 0, balance * 2 + 1);
        insuranceAmount = bound(insuranceAmount, 0, amount);
        bytes32 orderId = keccak256(abi.encode("liquidation", _nonce++));
        IClearingHub.LiquidationOrder memory o;
        o.dstEid = eids[v];
        o.orderId = orderId;
        o.account = account;
        o.token = address(tokens[v]);
        o.amount = amount;
        o.recipient = recipient;
        o.insuranceAmount = insuranceAmount;
        o.expiry = uint64(block.timestamp + 1 hours);
        _dispatchLiquidation(o, viaBatch);
        _deliver(v);
        assertTrue(vaults[v].executed(orderId));
        ++liquidations;

        uint256 seized = Math.min(amount, balance - mFrozen[v][account]);
        uint256 toInsurance = seized == 0 ? 0 : Math.mulDiv(insuranceAmount, seized, amount, Math.Rounding.Ceil);
        mBalance[v][account] -= seized;
        _send(v, insurance, toInsurance);
        _send(v, recipient, seized - toInsurance);
        _remember(
            orderId,
            v,
            OmniCodec.encodeLiquidate(
                OmniCodec.Liquidate({
                    orderId: orderId,
                    account: account,
                    token: address(tokens[v]),
                    amount: amount,
                    recipient: recipient,
                    insuranceAmount: insuranceAmount
                })
            )
        );
        _toHub(v);
    }

    /// @notice An order (liquidation or approval, fresh or with an id already dispatched) that lacks a valid threshold
    /// of signatures, or has expired: too few signatures, one by an unregistered key, a repeated signer, descending
    /// signers, signatures of another order, or an expiry in the past. The hub refuses it, and neither the hub nor the
    /// vault changes.
    function underSignedOrder(
        uint256 vSeed,
        uint256 accountSeed,
        uint256 amount,
        uint8 mode,
        bool asDecision,
        bool reuseId,
        bool viaBatch
    ) external {
        uint256 v = vSeed % 2;
        mode %= 6;
        (IClearingHub.LiquidationOrder memory lo, IClearingHub.WithdrawDecisionOrder memory dd) =
            _unsignedOrder(v, accountSeed, bound(amount, 1, 2_000_000e6), mode == 5, asDecision, reuseId);
        bytes[] memory sigs = asDecision
            ? _badSignatures(mode, hub.hashWithdrawDecision(dd), _tamperedDecision(dd))
            : _badSignatures(mode, hub.hashLiquidation(lo), _tamperedLiquidation(lo));

        bytes32 before = _hubAndVault(v, asDecision ? dd.orderId : lo.orderId);
        vm.deal(relayer, 1 ether);
        try this.submit(lo, dd, asDecision, viaBatch, sigs) {
            ++ghostUnderSignedAccepted;
        } catch {
            ++underSignedRefused;
        }
        _deliver(v);
        if (
            _hubAndVault(v, asDecision ? dd.orderId : lo.orderId) != before || relayer.balance != 1 ether
                || address(hub).balance != 0
        ) ++ghostUnderSignedChanged;
    }

    /// @dev A fresh order id, or one already dispatched; expired (in the past) or valid for an hour.
    function _unsignedOrder(uint256 v, uint256 accountSeed, uint256 amount, bool expired, bool asDecision, bool reuseId)
        internal
        returns (IClearingHub.LiquidationOrder memory lo, IClearingHub.WithdrawDecisionOrder memory dd)
    {
        bytes32 orderId = reuseId && _orders.length != 0
            ? _orders[amount % _orders.length]
            : keccak256(abi.encode("underSigned", _nonce++));
        uint64 expiry = expired ? uint64(block.timestamp - 1) : uint64(block.timestamp + 1 hours);
        if (asDecision) {
            dd.dstEid = eids[v];
            dd.orderId = orderId;
            dd.account = actors[accountSeed % 3];
            dd.token = address(tokens[v]);
            dd.amount = amount;
            dd.requestId = uint64(bound(amount, 1, 50));
            dd.approved = true;
            dd.expiry = expiry;
        } else {
            lo.dstEid = eids[v];
            lo.orderId = orderId;
            lo.account = actors[accountSeed % 3];
            lo.token = address(tokens[v]);
            lo.amount = amount;
            lo.recipient = recipients[accountSeed % 2];
            lo.insuranceAmount = 0;
            lo.expiry = expiry;
        }
    }

    /// @dev The digest of the same liquidation for one more unit.
    function _tamperedLiquidation(IClearingHub.LiquidationOrder memory o) internal view returns (bytes32 digest) {
        o.amount += 1;
        digest = hub.hashLiquidation(o);
        o.amount -= 1;
    }

    /// @dev The digest of the same decision for one more unit.
    function _tamperedDecision(IClearingHub.WithdrawDecisionOrder memory o) internal view returns (bytes32 digest) {
        o.amount += 1;
        digest = hub.hashWithdrawDecision(o);
        o.amount -= 1;
    }

    /// @dev A fingerprint of what an order could change: its `dispatched` flag, the hub's outbound nonce to vault v,
    /// the vault's token balance and sequence number.
    function _hubAndVault(uint256 v, bytes32 orderId) internal view returns (bytes32) {
        ILayerZeroEndpointV2 endpoint = ILayerZeroEndpointV2(address(hub.endpoint()));
        address vault = address(vaults[v]);
        return keccak256(
            abi.encode(
                hub.dispatched(orderId),
                endpoint.outboundNonce(address(hub), eids[v], bytes32(uint256(uint160(vault)))),
                tokens[v].balanceOf(vault),
                vaults[v].seq()
            )
        );
    }

    /// @dev `underSignedOrder`'s submission, as the relayer (an external call so that its revert can be caught; not a
    /// target of the fuzzer).
    function submit(
        IClearingHub.LiquidationOrder calldata lo,
        IClearingHub.WithdrawDecisionOrder calldata dd,
        bool asDecision,
        bool viaBatch,
        bytes[] calldata sigs
    ) external {
        vm.prank(relayer);
        if (!viaBatch) {
            if (asDecision) hub.dispatchWithdrawDecision{value: 1 ether}(dd, sigs);
            else hub.dispatchLiquidation{value: 1 ether}(lo, sigs);
            return;
        }
        IClearingHub.SignedLiquidation[] memory liqs = new IClearingHub.SignedLiquidation[](asDecision ? 0 : 1);
        IClearingHub.SignedWithdrawDecision[] memory decs =
            new IClearingHub.SignedWithdrawDecision[](asDecision ? 1 : 0);
        if (asDecision) decs[0] = IClearingHub.SignedWithdrawDecision({order: dd, signatures: sigs});
        else liqs[0] = IClearingHub.SignedLiquidation({order: lo, signatures: sigs});
        hub.dispatchBatch{value: 1 ether}(liqs, decs);
    }

    /// @notice The token starts or stops refusing transfers to someone (a blocklist).
    function toggleBlocked(uint256 vSeed, uint256 whoSeed) external {
        uint256 v = vSeed % 2;
        address who = _party(whoSeed);
        tokens[v].setBlocked(who, !tokens[v].blocked(who));
    }

    /// @notice Hands an executed order (liquidation or decision) to its vault again, as the endpoint would: refused.
    function replayOrder(uint256 index, uint64 nonce) external {
        if (_orders.length == 0) return;
        bytes32 orderId = _orders[index % _orders.length];
        uint256 v = _orderVault[orderId];
        vm.prank(address(vaults[v].endpoint()));
        try vaults[v].lzReceive(
            Origin(HUB_EID, bytes32(uint256(uint160(address(hub)))), nonce),
            bytes32(0),
            _orderPayload[orderId],
            address(0),
            ""
        ) {
            ++ghostDoubleExecutions;
        } catch {}
    }

    /// @notice A fresh order (liquidation or approval) from a sender that is not the vault's peer: refused.
    function nonPeerOrder(
        uint256 vSeed,
        uint256 accountSeed,
        uint256 amount,
        address rogue,
        bool otherEid,
        bool asDecision
    ) external {
        if (rogue == address(hub)) return;
        uint256 v = vSeed % 2;
        address account = actors[accountSeed % 3];
        bytes32 orderId = keccak256(abi.encode("rogue", _nonce++));
        bytes memory order = asDecision
            ? OmniCodec.encodeWithdrawDecision(
                OmniCodec.WithdrawDecision({
                    orderId: orderId,
                    account: account,
                    token: address(tokens[v]),
                    amount: amount,
                    requestId: uint64(bound(amount, 1, 50)),
                    approved: true
                })
            )
            : OmniCodec.encodeLiquidate(
                OmniCodec.Liquidate({
                    orderId: orderId,
                    account: account,
                    token: address(tokens[v]),
                    amount: amount,
                    recipient: rogue,
                    insuranceAmount: 0
                })
            );
        vm.prank(address(vaults[v].endpoint()));
        try vaults[v].lzReceive(
            Origin(otherEid ? 99 : HUB_EID, bytes32(uint256(uint160(rogue))), 1), bytes32(0), order, address(0), ""
        ) {
            ++ghostNonPeerAccepted;
        } catch {}
    }

    /// @notice A vault message from a sender that is not the hub's peer: refused.
    function nonPeerToHub(uint256 vSeed, address rogue) external {
        uint256 v = vSeed % 2;
        if (rogue == address(vaults[v])) return;
        bytes memory payload =
            abi.encode(uint8(1), uint8(1), actors[0], address(tokens[v]), uint256(1), int256(1), uint64(1));
        vm.prank(address(hub.endpoint()));
        try hub.lzReceive(Origin(eids[v], bytes32(uint256(uint160(rogue))), 1), bytes32(0), payload, address(0), "") {
            ++ghostNonPeerAccepted;
        } catch {}
    }

    /// @notice Re-delivers to the hub a vault message whose seq it already accepted: no second MessageReceived.
    function duplicateToHub(uint256 vSeed, uint64 seqSeed, uint64 nonce) external {
        uint256 v = vSeed % 2;
        uint64 last = hub.lastSeq(eids[v]);
        if (last == 0) return;
        uint64 s = (seqSeed % last) + 1;
        bytes memory payload = abi.encode(
            uint8(1), uint8(7), actors[0], address(tokens[v]), uint64(1), uint256(1), uint256(1), uint8(1), s
        );
        vm.recordLogs();
        vm.prank(address(hub.endpoint()));
        hub.lzReceive(
            Origin(eids[v], bytes32(uint256(uint160(address(vaults[v])))), nonce), bytes32(0), payload, address(0), ""
        );
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IClearingHub.MessageReceived.selector) ++ghostDuplicatesPublished;
        }
    }

    // ------------------------------------------------------------------ views for the suite

    function party(uint256 i) external view returns (address) {
        return _party(i);
    }

    function parties() external pure returns (uint256) {
        return 6;
    }

    // ------------------------------------------------------------------ internals

    /// @dev actors, recipients and the insurance fund: everyone who can be owed tokens.
    function _party(uint256 seed) internal view returns (address) {
        uint256 i = seed % 6;
        if (i < 3) return actors[i];
        if (i < 5) return recipients[i - 3];
        return insurance;
    }

    function _pay(Request storage r) internal {
        mFrozen[r.v][r.account] -= r.amount;
        mBalance[r.v][r.account] -= r.amount;
        _send(r.v, r.account, r.amount);
        _close(r);
    }

    function _close(Request storage r) internal {
        r.state = 3;
        ++closedRequests;
    }

    /// @dev The model of a vault transfer: a receiver the token refuses is credited instead.
    function _send(uint256 v, address to, uint256 amount) internal {
        if (amount == 0) return;
        if (tokens[v].blocked(to)) mClaimable[v][to] += amount;
        else ghostOut[v] += amount;
    }

    /// @dev Delivers every pending packet hub → vault v, counting the requests each closes.
    function _deliver(uint256 v) internal {
        vm.recordLogs();
        suite.verifyPackets(eids[v], address(vaults[v]));
        _countCloses(v);
    }

    function _countCloses(uint256 v) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(vaults[v]) && logs[i].topics[0] == ICollateralVault.WithdrawalClosed.selector
            ) {
                uint64 id = uint64(uint256(logs[i].topics[1]));
                if (++_closes[v][id] > 1) ++ghostDoubleCloses;
            }
        }
    }

    /// @dev The WITHDRAW_DECISION payload the hub sends for a decision on request `r`.
    function _decisionPayload(Request storage r, bytes32 orderId, bool approved) internal view returns (bytes memory) {
        return OmniCodec.encodeWithdrawDecision(
            OmniCodec.WithdrawDecision({
                orderId: orderId,
                account: r.account,
                token: address(tokens[r.v]),
                amount: r.amount,
                requestId: r.id,
                approved: approved
            })
        );
    }

    /// @dev The relayer dispatches a 2-of-3 signed decision.
    function _dispatchDecision(IClearingHub.WithdrawDecisionOrder memory o) internal {
        bytes[] memory sigs = _sign(hub.hashWithdrawDecision(o));
        uint256 fee = hub.quoteWithdrawDecision(o).nativeFee;
        vm.deal(relayer, fee);
        vm.prank(relayer);
        hub.dispatchWithdrawDecision{value: fee}(o, sigs);
    }

    /// @dev A decision on request `r`, valid for an hour.
    function _decisionOrder(Request memory r, bytes32 orderId, bool approved)
        internal
        view
        returns (IClearingHub.WithdrawDecisionOrder memory o)
    {
        o.dstEid = eids[r.v];
        o.orderId = orderId;
        o.account = r.account;
        o.token = address(tokens[r.v]);
        o.amount = r.amount;
        o.requestId = r.id;
        o.approved = approved;
        o.expiry = uint64(block.timestamp + 1 hours);
    }

    /// @dev The relayer dispatches a 2-of-3 signed liquidation, alone or as a batch of one.
    function _dispatchLiquidation(IClearingHub.LiquidationOrder memory o, bool viaBatch) internal {
        bytes[] memory sigs = _sign(hub.hashLiquidation(o));
        uint256 fee = hub.quoteLiquidation(o).nativeFee;
        vm.deal(relayer, fee);
        vm.prank(relayer);
        if (!viaBatch) {
            hub.dispatchLiquidation{value: fee}(o, sigs);
            return;
        }
        IClearingHub.SignedLiquidation[] memory batch = new IClearingHub.SignedLiquidation[](1);
        batch[0] = IClearingHub.SignedLiquidation({order: o, signatures: sigs});
        hub.dispatchBatch{value: fee}(batch, new IClearingHub.SignedWithdrawDecision[](0));
    }

    /// @dev Signatures of `digest` by the first `threshold` registered signers.
    function _sign(bytes32 digest) internal view returns (bytes[] memory) {
        return OrderSigning.sign(digest, OrderSigning.take(signerKeys, threshold));
    }

    /// @dev Signatures that must not pass: 0 too few, 1 one by an unregistered key, 2 a signer repeated, 3 descending
    /// signers, 4 a threshold of signatures of another order (`tampered`), 5 a valid threshold (the order has
    /// expired).
    function _badSignatures(uint8 mode, bytes32 digest, bytes32 tampered) internal view returns (bytes[] memory) {
        uint256[] memory keys = OrderSigning.take(signerKeys, threshold);
        if (mode == 0) return OrderSigning.sign(digest, OrderSigning.take(signerKeys, threshold - 1));
        if (mode == 1) {
            keys[0] = outsiderKey;
            return OrderSigning.sign(digest, keys);
        }
        if (mode == 2) {
            keys[keys.length - 1] = keys[0];
            return OrderSigning.signInOrder(digest, keys);
        }
        if (mode == 3) {
            uint256[] memory desc = new uint256[](keys.length);
            for (uint256 i; i < keys.length; ++i) {
                desc[i] = keys[keys.length - 1 - i];
            }
            return OrderSigning.signInOrder(digest, desc);
        }
        if (mode == 4) return OrderSigning.sign(tampered, keys);
        return OrderSigning.sign(digest, keys);
    }

    function _toHub(uint256 v) internal {
        suite.verifyPackets(HUB_EID, address(hub));
        v; // every vault's packets go to the same hub
    }

    function _remember(bytes32 orderId, uint256 v, bytes memory payload) internal {
        _orders.push(orderId);
        _orderVault[orderId] = v;
        _orderPayload[orderId] = payload;
    }
}

/// @notice Invariants of the hub and two vaults under the handler's random sequences of actions.
contract VaultInvariantsTest is OmniFixture {
    using OptionsBuilder for bytes;

    ClearingHandler internal handler;
    QuirkyToken[2] internal qtokens;
    CollateralVault[2] internal vs;

    function setUp() public override {
        super.setUp();
        // An approval whose payout fails is credited (two fresh slots) before WITHDRAW_DONE is sent, and TestHelperOz5
        // records that 401-byte packet in test storage: more than the fixture's send overhead covers. Real chains
        // spend neither the bookkeeping nor the headroom (see test/Gas.t.sol).
        EnforcedOptionParam[] memory params = new EnforcedOptionParam[](2);
        bytes memory decide = OptionsBuilder.newOptions()
            .addExecutorLzReceiveOption(hub.DEFAULT_WITHDRAW_DECISION_GAS() + TEST_HELPER_SEND_OVERHEAD + 300_000, 0);
        params[0] = EnforcedOptionParam({eid: B_EID, msgType: OmniCodec.WITHDRAW_DECISION, options: decide});
        params[1] = EnforcedOptionParam({eid: C_EID, msgType: OmniCodec.WITHDRAW_DECISION, options: decide});
        hub.setEnforcedOptions(params);
        vs = [vaultB, vaultC];
        for (uint256 v; v < 2; ++v) {
            qtokens[v] = new QuirkyToken();
            vs[v].setCollateral(address(qtokens[v]), true);
            vm.deal(address(vs[v]), 1_000_000 ether); // the ack reserve
        }
        // vault C limits what leaves by withdrawals and escapes, so approvals get queued
        vaultC.setRateLimit(address(qtokens[1]), 1 days, 1_500_000e6);
        handler = new ClearingHandler(this, hub, vs, qtokens, relayer, insurance, signerKeys, outsiderKey);
        // Every run starts with collateral in both vaults, so withdrawals, liquidations and escapes have something
        // to act on from the first call (a run that happened to draw no deposit in its 100 calls, about 4 % of
        // campaigns with 12 handlers, would otherwise test nothing but refusals).
        handler.deposit(0, 0, 0, 1_000_000e6);
        handler.deposit(1, 1, 1, 1_000_000e6);

        bytes4[] memory selectors = new bytes4[](13);
        selectors[0] = ClearingHandler.deposit.selector;
        selectors[1] = ClearingHandler.requestWithdrawal.selector;
        selectors[2] = ClearingHandler.decide.selector;
        selectors[3] = ClearingHandler.escape.selector;
        selectors[4] = ClearingHandler.executePayout.selector;
        selectors[5] = ClearingHandler.claim.selector;
        selectors[6] = ClearingHandler.liquidate.selector;
        selectors[7] = ClearingHandler.toggleBlocked.selector;
        selectors[8] = ClearingHandler.replayOrder.selector;
        selectors[9] = ClearingHandler.nonPeerOrder.selector;
        selectors[10] = ClearingHandler.nonPeerToHub.selector;
        selectors[11] = ClearingHandler.duplicateToHub.selector;
        selectors[12] = ClearingHandler.underSignedOrder.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev One campaign checks every property after each call (a campaign per property would cost many times more).
    function invariant_hubAndTwoVaults() public view {
        for (uint256 v; v < 2; ++v) {
            _vaultHoldsExactlyWhatItOwes(v);
            _stateMatchesTheModel(v);
            _valueLeavesOnlyByTheAllowedPaths(v);
        }
        _ordersAndRequestsActOnce();
        _underSignedOrdersChangeNothing();
        _hubTracksBothVaults();
    }

    /// @dev token balance == Σ balances (frozen included) + Σ claimable; frozen ≤ balance for every account.
    function _vaultHoldsExactlyWhatItOwes(uint256 v) internal view {
        address token = address(qtokens[v]);
        uint256 balances;
        uint256 claims;
        for (uint256 i; i < handler.parties(); ++i) {
            address who = handler.party(i);
            balances += vs[v].balanceOf(who, token);
            claims += vs[v].claimable(who, token);
            assertLe(vs[v].frozenOf(who, token), vs[v].balanceOf(who, token), "frozen above balance");
        }
        assertEq(vs[v].totalDeposits(token), balances);
        assertEq(vs[v].totalClaimable(token), claims);
        assertEq(qtokens[v].balanceOf(address(vs[v])), balances + claims);
    }

    /// @dev Every balance, frozen amount and claim is what the spec says it should be.
    function _stateMatchesTheModel(uint256 v) internal view {
        address token = address(qtokens[v]);
        for (uint256 i; i < handler.parties(); ++i) {
            address who = handler.party(i);
            assertEq(vs[v].balanceOf(who, token), handler.mBalance(v, who), "balance");
            assertEq(vs[v].frozenOf(who, token), handler.mFrozen(v, who), "frozen");
            assertEq(vs[v].claimable(who, token), handler.mClaimable(v, who), "claimable");
        }
    }

    /// @dev What left the vault is exactly what approved withdrawals, escapes, executed liquidations and claims paid.
    function _valueLeavesOnlyByTheAllowedPaths(uint256 v) internal view {
        assertEq(qtokens[v].balanceOf(address(vs[v])), handler.ghostIn(v) - handler.ghostOut(v));
    }

    /// @dev No order id executes twice, no request closes twice, no stale decision or non-peer changes anything.
    function _ordersAndRequestsActOnce() internal view {
        assertEq(handler.ghostDoubleExecutions(), 0, "an order executed twice");
        assertEq(handler.ghostDoubleCloses(), 0, "a request closed twice");
        assertEq(handler.ghostIgnoredChanged(), 0, "an ignored decision changed something");
        assertEq(handler.ghostNonPeerAccepted(), 0, "a non-peer message was accepted");
    }

    /// @dev No order without a valid threshold of signatures (or past its expiry) was dispatched, and none changed the
    /// hub, the endpoint's outbound nonce, a vault, or the relayer's balance.
    function _underSignedOrdersChangeNothing() internal view {
        assertEq(handler.ghostUnderSignedAccepted(), 0, "an under-signed order was dispatched");
        assertEq(handler.ghostUnderSignedChanged(), 0, "an under-signed order changed something");
    }

    /// @dev The hub has accepted every message of both vaults exactly once, and published no duplicate.
    function _hubTracksBothVaults() internal view {
        assertEq(hub.lastSeq(B_EID), vaultB.seq());
        assertEq(hub.lastSeq(C_EID), vaultC.seq());
        assertEq(handler.ghostDuplicatesPublished(), 0);
    }
}
