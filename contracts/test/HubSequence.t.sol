// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Vm} from "forge-std/Vm.sol";
import {console2} from "forge-std/console2.sol";

import {CollateralVault} from "../src/CollateralVault.sol";
import {IClearingHub} from "../src/interfaces/IClearingHub.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";

/// @notice The hub's per-vault sequence tracking: each vault sequence number is published once, in any order.
contract HubSequenceTest is OmniFixture {
    function test_inOrderDelivery_advancesLastSeq() public {
        _depositAs(alice, alice, 1e6);
        _depositAs(bob, bob, 2e6);
        assertEq(hub.lastSeq(B_EID), 0);
        this.verifyPackets(HUB_EID, address(hub));
        assertEq(hub.lastSeq(B_EID), 2);
        assertTrue(hub.seqSeen(B_EID, 1));
        assertTrue(hub.seqSeen(B_EID, 2));
        assertFalse(hub.seqSeen(B_EID, 3));
    }

    function test_duplicateSeq_isIgnoredWithoutASecondMessageReceived() public {
        bytes memory payload = _balance(7);
        _deliver(1, payload);

        vm.recordLogs();
        vm.expectEmit(address(hub));
        emit IClearingHub.DuplicateIgnored(B_EID, bytes32(uint256(2)), 2, 7);
        _deliver(2, payload);
        assertEq(_countMessageReceived(vm.getRecordedLogs()), 0);
        assertEq(hub.lastSeq(B_EID), 7);
    }

    function test_duplicateSeq_withADifferentPayload_isStillIgnored() public {
        _deliver(1, _ack(3, 100));
        vm.recordLogs();
        _deliver(2, _balance(3));
        assertEq(_countMessageReceived(vm.getRecordedLogs()), 0);
    }

    function test_outOfOrderDelivery_isAcceptedOnceEach() public {
        _deliver(1, _balance(3));
        assertEq(hub.lastSeq(B_EID), 3);
        assertFalse(hub.seqSeen(B_EID, 2));

        vm.expectEmit(true, true, false, false, address(hub));
        emit IClearingHub.MessageReceived(B_EID, bytes32(uint256(2)), 0, 0, "");
        _deliver(2, _balance(1)); // late, still published
        assertEq(hub.lastSeq(B_EID), 3, "a late seq does not lower lastSeq");
        assertTrue(hub.seqSeen(B_EID, 1));

        vm.recordLogs();
        _deliver(3, _balance(3));
        _deliver(4, _balance(1));
        assertEq(_countMessageReceived(vm.getRecordedLogs()), 0);
    }

    function test_seqs_acrossBitmapWords() public {
        _deliver(1, _balance(255));
        _deliver(2, _balance(256));
        _deliver(3, _balance(type(uint64).max));
        assertTrue(hub.seqSeen(B_EID, 255));
        assertTrue(hub.seqSeen(B_EID, 256));
        assertFalse(hub.seqSeen(B_EID, 257));
        assertEq(hub.lastSeq(B_EID), type(uint64).max);
        vm.recordLogs();
        _deliver(4, _balance(type(uint64).max));
        assertEq(_countMessageReceived(vm.getRecordedLogs()), 0);
    }

    function test_aNewPeerVault_startsAfresh() public {
        _deliver(1, _balance(1));
        CollateralVault replacement = new CollateralVault(endpoints[B_EID], address(this), HUB_EID, insurance);
        hub.setPeer(B_EID, _b32(address(replacement)));
        assertEq(hub.lastSeq(B_EID), 0);
        assertFalse(hub.seqSeen(B_EID, 1));

        vm.recordLogs();
        vm.prank(endpoints[HUB_EID]);
        hub.lzReceive(Origin(B_EID, _b32(address(replacement)), 1), bytes32(0), _balance(1), address(0), "");
        assertEq(_countMessageReceived(vm.getRecordedLogs()), 1);
        assertEq(hub.lastSeq(B_EID), 1);
    }

    function testFuzz_eachSeqIsPublishedExactlyOnce(uint8[16] memory raw) public {
        uint256 published;
        uint256 distinct;
        bool[8] memory seen;
        for (uint256 i; i < raw.length; ++i) {
            uint64 s = uint64(raw[i] % 8) + 1;
            if (!seen[s - 1]) {
                seen[s - 1] = true;
                ++distinct;
            }
            vm.recordLogs();
            _deliver(uint64(i + 1), _balance(s));
            published += _countMessageReceived(vm.getRecordedLogs());
        }
        assertEq(published, distinct);
    }

    function test_duplicate_fitsTheDefaultExecutorGas() public {
        _deliver(1, _balance(1));
        uint256 gasLimit = vaultB.DEFAULT_HUB_GAS();
        vm.prank(endpoints[HUB_EID]);
        uint256 gasBefore = gasleft();
        hub.lzReceive{gas: gasLimit}(Origin(B_EID, _b32(address(vaultB)), 2), bytes32(0), _balance(1), address(0), "");
        console2.log("hub lzReceive(duplicate BALANCE) gas:", gasBefore - gasleft());
    }

    function test_hubOwnership_movesInTwoSteps() public {
        address next = makeAddr("nextOwner");
        hub.transferOwnership(next);
        assertEq(hub.owner(), address(this));
        assertEq(hub.pendingOwner(), next);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        hub.acceptOwnership();
        vm.prank(next);
        hub.acceptOwnership();
        assertEq(hub.owner(), next);
    }

    // ------------------------------------------------------------------ helpers

    function _deliver(uint64 nonce, bytes memory payload) internal {
        vm.prank(endpoints[HUB_EID]);
        hub.lzReceive(Origin(B_EID, _b32(address(vaultB)), nonce), bytes32(uint256(nonce)), payload, address(0), "");
    }

    function _balance(uint64 s) internal view returns (bytes memory) {
        return abi.encode(uint8(1), uint8(1), alice, address(usdc), uint256(1), int256(1), s);
    }

    function _ack(uint64 s, uint256 seized) internal view returns (bytes memory) {
        return abi.encode(
            uint8(1), uint8(4), bytes32(uint256(1)), alice, address(usdc), seized, uint256(0), OmniCodec.ACK_EXECUTED, s
        );
    }

    function _countMessageReceived(Vm.Log[] memory logs) internal view returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(hub) && logs[i].topics[0] == IClearingHub.MessageReceived.selector) ++n;
        }
    }
}
