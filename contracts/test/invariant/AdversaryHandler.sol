// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {ILayerZeroEndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {IClearingHub} from "../../src/interfaces/IClearingHub.sol";
import {OmniCodec} from "../../src/libraries/OmniCodec.sol";
import {OrderSigning} from "../utils/OrderSigning.sol";
import {CampaignHandler} from "./CampaignHandler.sol";
import {PathCounter} from "./PathCounter.sol";

/// @notice What must never pass, next to `CampaignHandler`'s actions (a separate contract only to keep each under
/// the code size limit): orders without a valid threshold of the current signers' signatures or past their expiry,
/// replays of executed orders, messages from non-peers to either side, and vault messages the hub already has. None
/// may change anything; the campaign's model does not move.
contract AdversaryHandler is Test, PathCounter {
    uint32 internal constant HUB_EID = 1;

    CampaignHandler internal immutable main;
    ClearingHub internal immutable hub;
    address internal immutable relayer;
    uint256 internal immutable outsiderKey;
    CollateralVault[2] internal vaults;
    uint32[2] internal eids = [uint32(2), uint32(3)];
    uint256 internal _nonce;

    uint256 public ghostDoubleExecutions;
    uint256 public ghostNonPeerAccepted;
    uint256 public ghostDuplicatesPublished;
    uint256 public ghostUnderSignedAccepted;
    uint256 public ghostUnderSignedChanged;

    constructor(
        CampaignHandler main_,
        ClearingHub hub_,
        CollateralVault[2] memory vaults_,
        address relayer_,
        uint256 outsiderKey_
    ) {
        main = main_;
        hub = hub_;
        vaults = vaults_;
        relayer = relayer_;
        outsiderKey = outsiderKey_;
        _path("underSigned.refused");
        _path("underSigned.skippedInBatch");
        _path("replay.refused");
        _path("nonPeer.orderRefused");
        _path("nonPeer.hubRefused");
        _path("hub.duplicateIgnored");
    }

    /// @notice All must stay 0.
    function check() external view {
        assertEq(ghostDoubleExecutions, 0, "an order executed twice");
        assertEq(ghostNonPeerAccepted, 0, "a non-peer message was accepted");
        assertEq(ghostDuplicatesPublished, 0, "the hub published a duplicate");
        assertEq(ghostUnderSignedAccepted, 0, "an under-signed or expired order was dispatched");
        assertEq(ghostUnderSignedChanged, 0, "an under-signed order changed something");
    }

    /// @notice An order (liquidation or decision, fresh id or one already dispatched) without a valid threshold of
    /// current signatures, or expired: too few, one by an unregistered key, a repeated signer, descending signers,
    /// signatures of another order, or an expiry in the past. Refused, and nothing changes.
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
            _unsignedOrder(v, accountSeed, _bound(amount, 1, 2_000_000e6), mode == 5, asDecision, reuseId);
        bytes[] memory sigs = asDecision
            ? _badSignatures(mode, hub.hashWithdrawDecision(dd), _tamperedDecision(dd))
            : _badSignatures(mode, hub.hashLiquidation(lo), _tamperedLiquidation(lo));
        bytes32 before = _hubAndVault(v, asDecision ? dd.orderId : lo.orderId);
        // a batch skips an order dispatched before without looking at its signatures (and refunds its fee)
        bool skipped = viaBatch && hub.dispatched(asDecision ? dd.orderId : lo.orderId);
        vm.deal(relayer, 1 ether);
        try this.submit(lo, dd, asDecision, viaBatch, sigs) {
            if (skipped) _hit("underSigned.skippedInBatch");
            else ++ghostUnderSignedAccepted;
        } catch {
            _hit("underSigned.refused");
        }
        if (_hubAndVault(v, asDecision ? dd.orderId : lo.orderId) != before || relayer.balance != 1 ether) {
            ++ghostUnderSignedChanged;
        }
    }

    /// @dev `underSignedOrder`'s submission, as the relayer (an external call so that its revert can be caught).
    function submit(
        IClearingHub.LiquidationOrder calldata lo,
        IClearingHub.WithdrawDecisionOrder calldata dd,
        bool asDecision,
        bool viaBatch,
        bytes[] calldata sigs
    ) external {
        require(msg.sender == address(this), "only the handler");
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

    function _unsignedOrder(uint256 v, uint256 accountSeed, uint256 amount, bool expired, bool asDecision, bool reuseId)
        internal
        returns (IClearingHub.LiquidationOrder memory lo, IClearingHub.WithdrawDecisionOrder memory dd)
    {
        uint256 n = main.orderCount();
        bytes32 orderId;
        if (reuseId && n != 0) (orderId,,) = main.orderAt(amount % n);
        else orderId = keccak256(abi.encode("underSigned", _nonce++));
        uint64 expiry = expired ? uint64(block.timestamp - 1) : uint64(block.timestamp + 1 hours);
        address token = main.token(v * 2 + accountSeed % 2);
        if (asDecision) {
            (dd.dstEid, dd.orderId, dd.account, dd.token, dd.amount) =
            (eids[v], orderId, main.actors(accountSeed % 3), token, amount);
            (dd.requestId, dd.approved, dd.expiry) = (uint64(_bound(amount, 1, 50)), true, expiry);
        } else {
            (lo.dstEid, lo.orderId, lo.account, lo.token, lo.amount) =
            (eids[v], orderId, main.actors(accountSeed % 3), token, amount);
            (lo.recipient, lo.insuranceAmount, lo.expiry) = (main.recipients(accountSeed % 2), 0, expiry);
        }
    }

    function _tamperedLiquidation(IClearingHub.LiquidationOrder memory o) internal view returns (bytes32 digest) {
        o.amount += 1;
        digest = hub.hashLiquidation(o);
        o.amount -= 1;
    }

    function _tamperedDecision(IClearingHub.WithdrawDecisionOrder memory o) internal view returns (bytes32 digest) {
        o.amount += 1;
        digest = hub.hashWithdrawDecision(o);
        o.amount -= 1;
    }

    /// @dev 0 too few, 1 one by an unregistered key, 2 a signer repeated, 3 descending signers, 4 a threshold of
    /// signatures of another order, 5 a valid threshold (the order has expired).
    function _badSignatures(uint8 mode, bytes32 digest, bytes32 tampered) internal view returns (bytes[] memory) {
        (uint256[] memory signerKeys, uint8 threshold) = main.signerSet();
        uint256 n = signerKeys.length;
        uint256[] memory keys = OrderSigning.take(signerKeys, threshold);
        if (mode == 0) return OrderSigning.sign(digest, OrderSigning.take(signerKeys, threshold - 1));
        if (mode == 3 && n < 2) mode = 1; // one signer cannot sign out of order
        if (mode == 1) {
            keys[0] = outsiderKey;
            return OrderSigning.sign(digest, keys);
        }
        uint256 m = threshold < 2 ? 2 : threshold;
        if (mode == 2) {
            uint256[] memory rep = new uint256[](m);
            for (uint256 i; i < m; ++i) {
                rep[i] = i < keys.length ? keys[i] : keys[0];
            }
            rep[m - 1] = rep[0];
            return OrderSigning.signInOrder(digest, rep);
        }
        if (mode == 3) {
            uint256[] memory asc = OrderSigning.take(signerKeys, m);
            uint256[] memory desc = new uint256[](m);
            for (uint256 i; i < m; ++i) {
                desc[i] = asc[m - 1 - i];
            }
            return OrderSigning.signInOrder(digest, desc);
        }
        if (mode == 4) return OrderSigning.sign(tampered, keys);
        return OrderSigning.sign(digest, keys);
    }

    /// @dev What an order could change: its `dispatched` flag, the hub's outbound nonce to vault v, the vault's
    /// token balances and sequence number.
    function _hubAndVault(uint256 v, bytes32 orderId) internal view returns (bytes32) {
        ILayerZeroEndpointV2 endpoint = ILayerZeroEndpointV2(address(hub.endpoint()));
        address vault = address(vaults[v]);
        return keccak256(
            abi.encode(
                hub.dispatched(orderId),
                endpoint.outboundNonce(address(hub), eids[v], _b(vault)),
                IERC20(main.token(2 * v)).balanceOf(vault),
                IERC20(main.token(2 * v + 1)).balanceOf(vault),
                vaults[v].seq()
            )
        );
    }

    /// @notice Hands an executed order to its vault again, as the endpoint would: refused.
    function replayOrder(uint256 index, uint64 nonce) external {
        uint256 n = main.orderCount();
        if (n == 0) return;
        (bytes32 orderId, uint256 v, bytes memory payload) = main.orderAt(index % n);
        if (!vaults[v].executed(orderId)) return; // still in flight
        vm.prank(address(vaults[v].endpoint()));
        try vaults[v].lzReceive(Origin(HUB_EID, _b(address(hub)), nonce), bytes32(0), payload, address(0), "") {
            ++ghostDoubleExecutions;
        } catch {
            _hit("replay.refused");
        }
    }

    /// @notice A fresh order from a sender that is not the vault's peer (right eid, wrong sender; or another eid).
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
        address account = main.actors(accountSeed % 3);
        address token = main.token(2 * v);
        bytes32 orderId = keccak256(abi.encode("rogue", _nonce++));
        uint64 expiry = uint64(block.timestamp + 1 hours);
        bytes memory order = asDecision
            ? OmniCodec.encodeWithdrawDecision(
                OmniCodec.WithdrawDecision(orderId, account, token, amount, uint64(_bound(amount, 1, 50)), true, expiry)
            )
            : OmniCodec.encodeLiquidate(
                OmniCodec.Liquidate(
                    orderId, account, token, amount, rogue == address(0) ? main.actors(0) : rogue, 0, expiry
                )
            );
        vm.prank(address(vaults[v].endpoint()));
        try vaults[v].lzReceive(Origin(otherEid ? 99 : HUB_EID, _b(rogue), 1), bytes32(0), order, address(0), "") {
            ++ghostNonPeerAccepted;
        } catch {
            _hit("nonPeer.orderRefused");
        }
    }

    /// @notice A vault message from a sender that is not the hub's peer: refused.
    function nonPeerToHub(uint256 vSeed, address rogue) external {
        uint256 v = vSeed % 2;
        if (rogue == address(vaults[v])) return;
        bytes memory payload = OmniCodec.encodeBalance(OmniCodec.Balance(main.actors(0), main.token(2 * v), 1, 1, 1));
        vm.prank(address(hub.endpoint()));
        try hub.lzReceive(Origin(eids[v], _b(rogue), 1), bytes32(0), payload, address(0), "") {
            ++ghostNonPeerAccepted;
        } catch {
            _hit("nonPeer.hubRefused");
        }
    }

    /// @notice Re-delivers to the hub a vault message whose seq it already has: no second MessageReceived.
    function duplicateToHub(uint256 vSeed, uint64 seqSeed, uint64 nonce) external {
        uint256 v = vSeed % 2;
        uint64 last = hub.lastSeq(eids[v]);
        if (last == 0) return;
        uint64 s = (seqSeed % last) + 1;
        if (!hub.seqSeen(eids[v], s)) return; // owed: the hub has not had it yet
        bytes memory payload = OmniCodec.encodeWithdrawDone(
            OmniCodec.WithdrawDone(main.actors(0), main.token(2 * v), 1, 1, 1, OmniCodec.OUTCOME_PAID, s)
        );
        vm.recordLogs();
        vm.prank(address(hub.endpoint()));
        hub.lzReceive(Origin(eids[v], _b(address(vaults[v])), nonce), bytes32(0), payload, address(0), "");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IClearingHub.MessageReceived.selector) ++ghostDuplicatesPublished;
        }
        _hit("hub.duplicateIgnored");
    }

    function _b(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}
