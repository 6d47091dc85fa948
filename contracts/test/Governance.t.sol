// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILayerZeroEndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {IOAppCore} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/interfaces/IOAppCore.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {ClearingHub} from "../src/ClearingHub.sol";
import {IClearingHub} from "../src/interfaces/IClearingHub.sol";
import {OmniTimelock} from "../src/governance/OmniTimelock.sol";
import {OmniFixture} from "./utils/OmniFixture.sol";

/// @dev EndpointV2's public `delegates` mapping (not part of ILayerZeroEndpointV2).
interface IDelegates {
    function delegates(address oapp) external view returns (address);
}

/// @notice The production ownership: the hub and vault B owned by an OmniTimelock (one per chain in a deployment; one
/// here, the test's chains share a VM), which is also their endpoint delegate. The former owner can no longer change
/// the signer set, a peer or the delegate; through the timelock a change waits its delay, then executes.
contract GovernanceTest is OmniFixture {
    uint256 internal constant DELAY = 2 days;

    OmniTimelock internal timelock;
    address internal proposer = makeAddr("proposer");
    address internal executor = makeAddr("executor");
    /// @dev The deployer (the fixture's owner) before the handover.
    address internal formerOwner;

    function setUp() public override {
        super.setUp();
        formerOwner = address(this);
        address[] memory proposers = new address[](1);
        proposers[0] = proposer;
        address[] memory executors = new address[](1);
        executors[0] = executor;
        timelock = new OmniTimelock(DELAY, proposers, executors);

        // the handover the network deploy performs: delegate first (the owner may still call setDelegate), then the
        // two-step transfer, whose accept the timelock schedules and executes after its delay
        IOAppCore[2] memory oapps = [IOAppCore(address(hub)), IOAppCore(address(vaultB))];
        for (uint256 i; i < oapps.length; ++i) {
            oapps[i].setDelegate(address(timelock));
            Ownable(address(oapps[i])).transferOwnership(address(timelock));
            _schedule(address(oapps[i]), abi.encodeWithSignature("acceptOwnership()"));
        }
        vm.warp(block.timestamp + DELAY);
        for (uint256 i; i < oapps.length; ++i) {
            _execute(address(oapps[i]), abi.encodeWithSignature("acceptOwnership()"));
        }
    }

    function test_handover_timelockOwnsAndIsTheEndpointDelegate() public view {
        assertEq(hub.owner(), address(timelock));
        assertEq(vaultB.owner(), address(timelock));
        assertEq(IDelegates(endpoints[HUB_EID]).delegates(address(hub)), address(timelock));
        assertEq(IDelegates(endpoints[B_EID]).delegates(address(vaultB)), address(timelock));
        assertEq(timelock.getMinDelay(), DELAY);
        // the timelock administers itself: no one else can grant roles around the delay
        assertTrue(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(timelock)));
        assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), formerOwner));
        assertFalse(timelock.hasRole(timelock.PROPOSER_ROLE(), formerOwner));
    }

    function test_formerOwner_canChangeNothing() public {
        bytes memory notOwner = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, formerOwner);
        vm.expectRevert(notOwner);
        hub.setSigners(_oneSigner(), 1);
        vm.expectRevert(notOwner);
        hub.setPeer(B_EID, _b32(formerOwner));
        vm.expectRevert(notOwner);
        hub.setDelegate(formerOwner);
        vm.expectRevert(notOwner);
        vaultB.setPeer(HUB_EID, _b32(formerOwner));
        vm.expectRevert(notOwner);
        vaultB.setDelegate(formerOwner);
        // nor the LayerZero config directly at the endpoint: only the OApp or its delegate may
        address lib = ILayerZeroEndpointV2(endpoints[HUB_EID]).defaultSendLibrary(B_EID);
        vm.expectRevert();
        ILayerZeroEndpointV2(endpoints[HUB_EID]).setSendLibrary(address(hub), B_EID, lib);
    }

    function test_setSigners_throughTheTimelock_waitsTheDelay() public {
        bytes memory call = abi.encodeCall(IClearingHub.setSigners, (_oneSigner(), 1));
        _schedule(address(hub), call);

        // not before the delay, not by a non-executor
        bytes32 id = timelock.hashOperation(address(hub), 0, call, bytes32(0), bytes32(0));
        vm.warp(block.timestamp + DELAY - 1);
        vm.prank(executor);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                id,
                bytes32(uint256(1) << 2) // Ready
            )
        );
        timelock.execute(address(hub), 0, call, bytes32(0), bytes32(0));
        assertEq(hub.threshold(), THRESHOLD);

        vm.warp(block.timestamp + 1);
        bytes32 executorRole = timelock.EXECUTOR_ROLE();
        vm.prank(formerOwner);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, formerOwner, executorRole)
        );
        timelock.execute(address(hub), 0, call, bytes32(0), bytes32(0));

        _execute(address(hub), call);
        assertEq(hub.threshold(), 1);
        assertEq(hub.signers().length, 1);
        assertTrue(hub.isSigner(signerAddrs[2]));
    }

    function test_setPeer_andSetDelegate_throughTheTimelock_waitTheDelay() public {
        address newDelegate = makeAddr("newDelegate");
        bytes32 newPeer = _b32(makeAddr("newVault"));
        bytes memory peerCall = abi.encodeCall(IOAppCore.setPeer, (B_EID, newPeer));
        bytes memory vaultPeerCall = abi.encodeCall(IOAppCore.setPeer, (HUB_EID, newPeer));
        bytes memory delegateCall = abi.encodeCall(IOAppCore.setDelegate, (newDelegate));
        _schedule(address(hub), peerCall);
        _schedule(address(vaultB), vaultPeerCall);
        _schedule(address(hub), delegateCall);

        vm.prank(executor);
        vm.expectRevert();
        timelock.execute(address(hub), 0, peerCall, bytes32(0), bytes32(0));
        vm.prank(executor);
        vm.expectRevert();
        timelock.execute(address(hub), 0, delegateCall, bytes32(0), bytes32(0));
        assertEq(hub.peers(B_EID), _b32(address(vaultB)));

        vm.warp(block.timestamp + DELAY);
        _execute(address(hub), peerCall);
        _execute(address(vaultB), vaultPeerCall);
        _execute(address(hub), delegateCall);
        assertEq(hub.peers(B_EID), newPeer);
        assertEq(vaultB.peers(HUB_EID), newPeer);
        assertEq(IDelegates(endpoints[HUB_EID]).delegates(address(hub)), newDelegate);
    }

    function test_onlyAProposerSchedules() public {
        bytes memory call = abi.encodeCall(IClearingHub.setSigners, (_oneSigner(), 1));
        bytes32 proposerRole = timelock.PROPOSER_ROLE();
        vm.prank(formerOwner);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, formerOwner, proposerRole)
        );
        timelock.schedule(address(hub), 0, call, bytes32(0), bytes32(0), DELAY);
        // nor with less than the minimum delay
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockInsufficientDelay.selector, DELAY - 1, DELAY));
        timelock.schedule(address(hub), 0, call, bytes32(0), bytes32(0), DELAY - 1);
    }

    function test_renounceOwnership_revertsThroughTheTimelock() public {
        bytes memory call = abi.encodeCall(Ownable.renounceOwnership, ());
        _schedule(address(hub), call);
        vm.warp(block.timestamp + DELAY);
        vm.prank(executor);
        vm.expectRevert(IClearingHub.RenounceDisabled.selector);
        timelock.execute(address(hub), 0, call, bytes32(0), bytes32(0));
        assertEq(hub.owner(), address(timelock));
        vm.expectRevert(IClearingHub.RenounceDisabled.selector);
        hub.renounceOwnership();
    }

    function test_aHubDeployedWithTheTimelockAsOwner_startsWithItAsDelegate() public {
        ClearingHub fresh = new ClearingHub(endpoints[HUB_EID], address(timelock), signerAddrs, THRESHOLD);
        assertEq(fresh.owner(), address(timelock));
        assertEq(IDelegates(endpoints[HUB_EID]).delegates(address(fresh)), address(timelock));
    }

    /// @dev The handover exactly as packages/chain's `deployNetwork` performs it, without waiting: a timelock with no
    /// delay and the deployer as an extra proposer and executor; the OApp's delegate and pending owner set to it; one
    /// batch, scheduled and executed at once, of the OApp's `acceptOwnership()` and the timelock's own
    /// `updateDelay`; then the deployer renounces its roles. Afterwards the deployer can do nothing, and the configured
    /// proposer's changes wait the full delay.
    function test_handover_asTheNetworkDeployDoesIt_leavesTheDeployerNothing() public {
        address deployer = makeAddr("deployer");
        ClearingHub fresh = new ClearingHub(endpoints[HUB_EID], deployer, signerAddrs, THRESHOLD);
        address[] memory proposers = new address[](2);
        (proposers[0], proposers[1]) = (deployer, proposer);
        address[] memory executors = new address[](2);
        (executors[0], executors[1]) = (deployer, executor);
        OmniTimelock tl = new OmniTimelock(0, proposers, executors);

        vm.startPrank(deployer);
        fresh.setDelegate(address(tl));
        fresh.transferOwnership(address(tl));
        address[] memory targets = new address[](2);
        (targets[0], targets[1]) = (address(fresh), address(tl));
        bytes[] memory payloads = new bytes[](2);
        payloads[0] = abi.encodeWithSignature("acceptOwnership()");
        payloads[1] = abi.encodeCall(TimelockController.updateDelay, (DELAY));
        uint256[] memory values = new uint256[](2);
        tl.scheduleBatch(targets, values, payloads, bytes32(0), bytes32(0), 0);
        tl.executeBatch(targets, values, payloads, bytes32(0), bytes32(0));
        tl.renounceRole(tl.PROPOSER_ROLE(), deployer);
        tl.renounceRole(tl.CANCELLER_ROLE(), deployer);
        tl.renounceRole(tl.EXECUTOR_ROLE(), deployer);
        vm.stopPrank();

        assertEq(fresh.owner(), address(tl));
        assertEq(fresh.pendingOwner(), address(0));
        assertEq(IDelegates(endpoints[HUB_EID]).delegates(address(fresh)), address(tl));
        assertEq(tl.getMinDelay(), DELAY);
        assertFalse(tl.hasRole(tl.PROPOSER_ROLE(), deployer));
        assertFalse(tl.hasRole(tl.EXECUTOR_ROLE(), deployer));

        bytes memory call = abi.encodeCall(IClearingHub.setSigners, (_oneSigner(), 1));
        address[] memory one = _oneSigner();
        bytes32 proposerRole = tl.PROPOSER_ROLE();
        vm.prank(deployer);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, deployer));
        fresh.setSigners(one, 1);
        vm.prank(deployer);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, deployer, proposerRole)
        );
        tl.schedule(address(fresh), 0, call, bytes32(0), bytes32(0), DELAY);
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockInsufficientDelay.selector, 0, DELAY));
        tl.schedule(address(fresh), 0, call, bytes32(0), bytes32(0), 0);
        vm.prank(proposer);
        tl.schedule(address(fresh), 0, call, bytes32(0), bytes32(0), DELAY);
        vm.warp(block.timestamp + DELAY);
        vm.prank(executor);
        tl.execute(address(fresh), 0, call, bytes32(0), bytes32(0));
        assertEq(fresh.threshold(), 1);
    }

    function _schedule(address target, bytes memory data) internal {
        vm.prank(proposer);
        timelock.schedule(target, 0, data, bytes32(0), bytes32(0), DELAY);
    }

    function _execute(address target, bytes memory data) internal {
        vm.prank(executor);
        timelock.execute(target, 0, data, bytes32(0), bytes32(0));
    }

    function _oneSigner() internal view returns (address[] memory one) {
        one = new address[](1);
        one[0] = signerAddrs[2];
    }
}
