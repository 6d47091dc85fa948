// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {ClearingHub} from "../src/ClearingHub.sol";
import {IClearingHub} from "../src/interfaces/IClearingHub.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";
import {OrderSigning} from "./utils/OrderSigning.sol";

/// @notice The hub's EIP-712 orders and its clearing signer set: digests, the threshold, signature order and form,
/// expiry, and `setSigners`.
contract HubSignaturesTest is OmniFixture {
    /// @dev secp256k1 group order.
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    IClearingHub.LiquidationOrder internal order;

    function setUp() public override {
        super.setUp();
        order = _liquidationOrder(B_EID, keccak256("order"), alice, address(usdc), 10e6, liquidator, 1e6);
    }

    // ------------------------------------------------------------------ digests

    function test_hashLiquidation_isTheEIP712DigestOfTheTypeString() public view {
        bytes32 typeHash = keccak256(
            "LiquidationOrder(uint32 dstEid,bytes32 orderId,address account,address token,uint256 amount,address recipient,uint256 insuranceAmount,uint64 expiry)"
        );
        assertEq(hub.LIQUIDATION_ORDER_TYPEHASH(), typeHash);
        bytes32 structHash = keccak256(
            abi.encode(
                typeHash,
                order.dstEid,
                order.orderId,
                order.account,
                order.token,
                order.amount,
                order.recipient,
                order.insuranceAmount,
                order.expiry
            )
        );
        assertEq(hub.hashLiquidation(order), keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash)));
    }

    function test_hashWithdrawDecision_isTheEIP712DigestOfTheTypeString() public view {
        IClearingHub.WithdrawDecisionOrder memory o =
            _decisionOrder(C_EID, keccak256("decision"), bob, address(weth), 3 ether, 42, true);
        bytes32 typeHash = keccak256(
            "WithdrawDecisionOrder(uint32 dstEid,bytes32 orderId,address account,address token,uint256 amount,uint64 requestId,bool approved,uint64 expiry)"
        );
        assertEq(hub.WITHDRAW_DECISION_ORDER_TYPEHASH(), typeHash);
        bytes32 structHash = keccak256(
            abi.encode(typeHash, o.dstEid, o.orderId, o.account, o.token, o.amount, o.requestId, o.approved, o.expiry)
        );
        assertEq(hub.hashWithdrawDecision(o), keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash)));
    }

    /// @dev The golden vectors of packages/protocol/test/eip712.test.ts (viem's hashTypedData, and a signature by
    /// anvil's account #0): the hub's code at the vectors' hub address, on their chain, yields the same digests, and
    /// `vm.sign` (RFC 6979, like viem) the same signature.
    function test_digests_matchTheTypeScriptGoldenVectors() public {
        address goldenHub = 0x5FbDB2315678afecb367f032d93F642f64180aa3;
        vm.etch(goldenHub, address(hub).code); // EIP712 rebuilds its separator for another address
        vm.chainId(31_337);
        address alice_ = 0x70997970C51812dc3A010C7d01b50e0d17dc79C8;
        address bob_ = 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC;
        IClearingHub.LiquidationOrder memory l;
        l.dstEid = 40_102;
        l.orderId = bytes32(0x1111111111111111111111111111111111111111111111111111111111111111);
        l.account = alice_;
        l.token = goldenHub;
        l.amount = 100;
        l.recipient = bob_;
        l.insuranceAmount = 10;
        l.expiry = 1_764_003_600;
        IClearingHub.WithdrawDecisionOrder memory d;
        d.dstEid = 40_102;
        d.orderId = bytes32(0x2222222222222222222222222222222222222222222222222222222222222222);
        d.account = alice_;
        d.token = goldenHub;
        d.amount = 50;
        d.requestId = 3;
        d.approved = true;
        d.expiry = 1_764_003_600;
        bytes32 digest = IClearingHub(goldenHub).hashLiquidation(l);
        assertEq(digest, 0x695a55c821b79887b88df3ed38f7e818341a4908ff087cc7348cb9b010f50cbb);
        assertEq(
            IClearingHub(goldenHub).hashWithdrawDecision(d),
            0xe5aef4e7cbe94cd6de578e2a3b9c32ba885215f5c74ff36866cd4f8b67b893a9
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80, digest);
        assertEq(
            abi.encodePacked(r, s, v),
            hex"38e8e6208cd2c3497290b5b0b0f51077f11f32c25cd643ecba4d1f341f76c9d231e6edce5404c79b70f33c02b6a2804c76ce38d529fa15c5d936ca0550425b031c"
        );
    }

    function test_eip712Domain_namesTheHub() public view {
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) = hub.eip712Domain();
        assertEq(name, "Omniclear ClearingHub");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(hub));
    }

    function test_digest_bindsEveryField_andTheChain() public {
        bytes32 digest = hub.hashLiquidation(order);
        IClearingHub.LiquidationOrder memory o = order;
        o.expiry += 1;
        assertNotEq(hub.hashLiquidation(o), digest);
        o = order;
        o.dstEid = C_EID;
        assertNotEq(hub.hashLiquidation(o), digest);
        vm.chainId(block.chainid + 1);
        assertNotEq(hub.hashLiquidation(order), digest);
    }

    // ------------------------------------------------------------------ the threshold

    function test_dispatch_withEveryPairOfTheThreeSigners_andWithAllThree() public {
        uint256[2][3] memory pairs = [[uint256(0), 1], [uint256(0), 2], [uint256(1), 2]];
        for (uint256 i; i < pairs.length; ++i) {
            IClearingHub.LiquidationOrder memory o = order;
            o.orderId = bytes32(i);
            uint256[] memory keys = new uint256[](2);
            keys[0] = signerKeys[pairs[i][0]];
            keys[1] = signerKeys[pairs[i][1]];
            _dispatchOk(o, OrderSigning.sign(hub.hashLiquidation(o), keys));
        }
        IClearingHub.LiquidationOrder memory all = order;
        all.orderId = bytes32(uint256(3));
        _dispatchOk(all, OrderSigning.sign(hub.hashLiquidation(all), signerKeys));
    }

    function test_dispatch_revertsUnderSigned_oneOrNoSignature() public {
        bytes[] memory one = OrderSigning.sign(hub.hashLiquidation(order), OrderSigning.take(signerKeys, 1));
        _expectRefused(one, abi.encodeWithSelector(IClearingHub.InsufficientSignatures.selector, 1, THRESHOLD));
        _expectRefused(
            new bytes[](0), abi.encodeWithSelector(IClearingHub.InsufficientSignatures.selector, 0, THRESHOLD)
        );
    }

    function test_dispatch_revertsForAnUnregisteredSigner() public {
        uint256[] memory keys = new uint256[](2);
        keys[0] = signerKeys[0];
        keys[1] = outsiderKey;
        bytes[] memory sigs = OrderSigning.sign(hub.hashLiquidation(order), keys);
        _expectRefused(sigs, abi.encodeWithSelector(IClearingHub.SignerNotRegistered.selector, vm.addr(outsiderKey)));
    }

    function test_dispatch_revertsForSignaturesOfAnotherOrder() public {
        IClearingHub.LiquidationOrder memory other = order;
        other.amount += 1;
        bytes[] memory sigs = _sign(hub.hashLiquidation(other));
        // each recovers to some unrelated address against the real digest
        address recovered = ECDSA.recover(hub.hashLiquidation(order), sigs[0]);
        assertFalse(hub.isSigner(recovered));
        _expectRefused(sigs, abi.encodeWithSelector(IClearingHub.SignerNotRegistered.selector, recovered));
    }

    function test_dispatch_revertsForADuplicatedSignature() public {
        bytes[] memory one = OrderSigning.sign(hub.hashLiquidation(order), OrderSigning.take(signerKeys, 1));
        bytes[] memory twice = new bytes[](2);
        twice[0] = one[0];
        twice[1] = one[0];
        _expectRefused(twice, abi.encodeWithSelector(IClearingHub.SignaturesNotAscending.selector));
    }

    function test_dispatch_revertsForDescendingSignatures() public {
        uint256[] memory keys = new uint256[](2);
        keys[0] = signerKeys[2];
        keys[1] = signerKeys[0];
        bytes[] memory sigs = OrderSigning.signInOrder(hub.hashLiquidation(order), keys);
        _expectRefused(sigs, abi.encodeWithSelector(IClearingHub.SignaturesNotAscending.selector));
    }

    function test_dispatch_revertsForAMalleableSignature() public {
        bytes32 digest = hub.hashLiquidation(order);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKeys[0], digest);
        // (r, n - s, v ^ 1) recovers the same signer: the high-s twin ECDSA.recover refuses
        bytes32 highS = bytes32(N - uint256(s));
        uint8 flipped = v == 27 ? uint8(28) : uint8(27);
        assertEq(ecrecover(digest, flipped, r, highS), signerAddrs[0]);
        bytes[] memory sigs = _sign(digest);
        sigs[0] = abi.encodePacked(r, highS, flipped);
        _expectRefused(sigs, abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, highS));
    }

    function test_dispatch_revertsForAMalformedSignature() public {
        bytes[] memory sigs = _sign(hub.hashLiquidation(order));
        bytes memory sig = sigs[1];
        bytes memory short = new bytes(64);
        for (uint256 i; i < 64; ++i) {
            short[i] = sig[i];
        }
        sigs[1] = short;
        _expectRefused(sigs, abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureLength.selector, 64));
        // no point on the curve for r = 0: ecrecover yields the zero address
        sigs[1] = abi.encodePacked(bytes32(0), bytes32(uint256(1)), uint8(27));
        _expectRefused(sigs, abi.encodeWithSelector(ECDSA.ECDSAInvalidSignature.selector));
    }

    // ------------------------------------------------------------------ expiry and replay

    function test_dispatch_acceptsAtTheExpiry_andRevertsAfterIt() public {
        bytes[] memory sigs = _sign(hub.hashLiquidation(order));
        vm.warp(uint256(order.expiry) + 1);
        _expectRefused(sigs, abi.encodeWithSelector(IClearingHub.OrderExpired.selector, order.orderId, order.expiry));
        vm.warp(order.expiry);
        _dispatchOk(order, sigs);
    }

    function test_dispatch_revertsForAnOrderIdDispatchedBefore_whateverItsOtherFields() public {
        _dispatchOk(order, _sign(hub.hashLiquidation(order)));
        bytes[] memory sigs = _sign(hub.hashLiquidation(order));
        _expectRefused(sigs, abi.encodeWithSelector(IClearingHub.OrderAlreadyDispatched.selector, order.orderId));

        // a decision reusing the id is refused too: one map for both kinds
        IClearingHub.WithdrawDecisionOrder memory d =
            _decisionOrder(B_EID, order.orderId, alice, address(usdc), 1, 1, true);
        bytes[] memory dsigs = _sign(hub.hashWithdrawDecision(d));
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.OrderAlreadyDispatched.selector, order.orderId));
        hub.dispatchWithdrawDecision{value: 1 ether}(d, dsigs);
    }

    function test_dispatchWithdrawDecision_checksItsOwnDigest() public {
        IClearingHub.WithdrawDecisionOrder memory d =
            _decisionOrder(B_EID, keccak256("d"), alice, address(usdc), 1, 1, true);
        // signatures of a liquidation digest do not sign a decision
        bytes[] memory wrong = _sign(hub.hashLiquidation(order));
        address recovered = ECDSA.recover(hub.hashWithdrawDecision(d), wrong[0]);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.SignerNotRegistered.selector, recovered));
        hub.dispatchWithdrawDecision{value: 1 ether}(d, wrong);

        bytes[] memory sigs = _sign(hub.hashWithdrawDecision(d));
        uint256 fee = hub.quoteWithdrawDecision(d).nativeFee;
        vm.prank(relayer);
        hub.dispatchWithdrawDecision{value: fee}(d, sigs);
        assertTrue(hub.dispatched(d.orderId));
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev A 5-signer set with a random threshold; a random subset signs: dispatched exactly when it is large
    /// enough, otherwise `InsufficientSignatures` and nothing changes.
    function testFuzz_dispatch_exactlyTheSubsetsMeetingTheThreshold(uint8 mask, uint8 thresholdSeed) public {
        uint256[] memory keys = new uint256[](5);
        address[] memory addrs = new address[](5);
        for (uint256 i; i < 5; ++i) {
            (addrs[i], keys[i]) = makeAddrAndKey(string.concat("fuzzSigner", vm.toString(i)));
        }
        uint8 t = uint8(bound(thresholdSeed, 1, 5));
        hub.setSigners(addrs, t);

        uint256 count;
        uint256[] memory chosen = new uint256[](5);
        for (uint256 i; i < 5; ++i) {
            if (mask & (1 << i) != 0) chosen[count++] = keys[i];
        }
        bytes[] memory sigs = OrderSigning.sign(hub.hashLiquidation(order), OrderSigning.take(chosen, count));
        uint256 fee = hub.quoteLiquidation(order).nativeFee;
        vm.prank(relayer);
        if (count < t) {
            vm.expectRevert(abi.encodeWithSelector(IClearingHub.InsufficientSignatures.selector, count, t));
            hub.dispatchLiquidation{value: fee}(order, sigs);
            assertFalse(hub.dispatched(order.orderId));
        } else {
            hub.dispatchLiquidation{value: fee}(order, sigs);
            assertTrue(hub.dispatched(order.orderId));
        }
    }

    /// @dev Any key outside the set, alongside a full threshold of registered ones, is refused.
    function testFuzz_dispatch_refusesAnyUnregisteredKey(uint256 key) public {
        key = bound(key, 1, N - 1);
        address who = vm.addr(key);
        vm.assume(!hub.isSigner(who));
        uint256[] memory keys = new uint256[](3);
        keys[0] = signerKeys[0];
        keys[1] = signerKeys[1];
        keys[2] = key;
        bytes[] memory sigs = OrderSigning.sign(hub.hashLiquidation(order), keys);
        _expectRefused(sigs, abi.encodeWithSelector(IClearingHub.SignerNotRegistered.selector, who));
    }

    // ------------------------------------------------------------------ the signer set

    function test_constructor_setsTheSignerSet() public view {
        assertEq(hub.threshold(), THRESHOLD);
        address[] memory s = hub.signers();
        assertEq(s.length, 3);
        for (uint256 i; i < 3; ++i) {
            assertEq(s[i], signerAddrs[i]);
            assertTrue(hub.isSigner(signerAddrs[i]));
        }
        assertFalse(hub.isSigner(vm.addr(outsiderKey)));
    }

    function test_constructor_refusesABadSignerSet() public {
        address endpoint = endpoints[HUB_EID];
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InvalidThreshold.selector, 4, 3));
        new ClearingHub(endpoint, address(this), signerAddrs, 4);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InvalidThreshold.selector, 0, 0));
        new ClearingHub(endpoint, address(this), new address[](0), 0);
    }

    function test_setSigners_replacesTheWholeSet() public {
        address[] memory next = new address[](1);
        next[0] = vm.addr(outsiderKey);
        vm.expectEmit(address(hub));
        emit IClearingHub.SignersSet(next, 1);
        hub.setSigners(next, 1);

        assertEq(hub.threshold(), 1);
        assertEq(hub.signers().length, 1);
        assertTrue(hub.isSigner(next[0]));
        for (uint256 i; i < 3; ++i) {
            assertFalse(hub.isSigner(signerAddrs[i]));
        }
        // the old set's signatures no longer count; the new signer alone does (1-of-1)
        _expectRefused(
            _sign(hub.hashLiquidation(order)),
            abi.encodeWithSelector(IClearingHub.SignerNotRegistered.selector, signerAddrs[0])
        );
        uint256[] memory keys = new uint256[](1);
        keys[0] = outsiderKey;
        _dispatchOk(order, OrderSigning.sign(hub.hashLiquidation(order), keys));
    }

    function test_setSigners_isOwnerOnly() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        hub.setSigners(signerAddrs, 1);
    }

    function test_setSigners_refusesABadThreshold() public {
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InvalidThreshold.selector, 0, 3));
        hub.setSigners(signerAddrs, 0);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InvalidThreshold.selector, 4, 3));
        hub.setSigners(signerAddrs, 4);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InvalidThreshold.selector, 1, 0));
        hub.setSigners(new address[](0), 1);
    }

    function test_setSigners_refusesTheZeroAddress_aRepeat_andTooMany() public {
        address[] memory s = new address[](3);
        s[0] = signerAddrs[0];
        s[1] = address(0);
        s[2] = signerAddrs[2];
        vm.expectRevert(IClearingHub.ZeroSigner.selector);
        hub.setSigners(s, 2);

        s[1] = signerAddrs[0];
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.DuplicateSigner.selector, signerAddrs[0]));
        hub.setSigners(s, 2);

        address[] memory many = new address[](33);
        for (uint256 i; i < many.length; ++i) {
            many[i] = address(uint160(i + 1));
        }
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.TooManySigners.selector, 33, 32));
        hub.setSigners(many, 2);

        // nothing changed
        assertEq(hub.threshold(), THRESHOLD);
        assertEq(hub.signers().length, 3);
        assertTrue(hub.isSigner(signerAddrs[1]));
    }

    // ------------------------------------------------------------------ helpers

    function _domainSeparator() internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Omniclear ClearingHub"),
                keccak256("1"),
                block.chainid,
                address(hub)
            )
        );
    }

    /// @dev A random relayer dispatches `o` with `sigs`, paying the quote.
    function _dispatchOk(IClearingHub.LiquidationOrder memory o, bytes[] memory sigs) internal {
        uint256 fee = hub.quoteLiquidation(o).nativeFee;
        vm.prank(relayer);
        hub.dispatchLiquidation{value: fee}(o, sigs);
        assertTrue(hub.dispatched(o.orderId));
    }

    /// @dev The relayer's dispatch of `order` with `sigs` reverts with `err`, and the order stays undispatched.
    function _expectRefused(bytes[] memory sigs, bytes memory err) internal {
        IClearingHub.LiquidationOrder memory o = order;
        bool before = hub.dispatched(o.orderId);
        vm.prank(relayer);
        vm.expectRevert(err);
        hub.dispatchLiquidation{value: 1 ether}(o, sigs);
        assertEq(hub.dispatched(o.orderId), before);
    }
}
