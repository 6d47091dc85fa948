// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {BoundedPause} from "../src/libraries/BoundedPause.sol";
import {BoundedPauseHarness} from "./utils/BoundedPauseHarness.sol";

/// @notice BoundedPause on its own: a pause ends by itself after MAX_PAUSE_DURATION, cannot be renewed while in force
/// or within PAUSE_COOLDOWN of its end, and `totalPaused` counts exactly the paused seconds.
contract BoundedPauseTest is Test {
    BoundedPauseHarness internal p;

    function setUp() public {
        p = new BoundedPauseHarness();
        vm.warp(1_000_000);
    }

    function test_constants() public pure {
        assertEq(BoundedPause.MAX_PAUSE_DURATION, 7 days);
        assertEq(BoundedPause.PAUSE_COOLDOWN, 1 days);
    }

    function test_fresh_isNotPaused_andMayPauseAtOnce() public {
        assertFalse(p.isPaused());
        assertEq(p.nextPauseAt(), 0);
        assertEq(p.totalPaused(), 0);
        vm.expectRevert(BoundedPause.NotPaused.selector);
        p.unpause();
        // even at the very start of a chain (timestamp below the cooldown)
        vm.warp(1);
        assertEq(p.pause(), 1 + 7 days);
        assertTrue(p.isPaused());
    }

    function test_pause_endsByItself_andCoolsDown() public {
        uint64 until = p.pause();
        assertEq(until, block.timestamp + 7 days);
        vm.expectRevert(abi.encodeWithSelector(BoundedPause.AlreadyPaused.selector, until));
        p.pause();
        vm.warp(until - 1);
        assertTrue(p.isPaused());
        vm.warp(until);
        assertFalse(p.isPaused());
        assertEq(p.nextPauseAt(), until + 1 days);
        vm.expectRevert(BoundedPause.NotPaused.selector);
        p.unpause();
        vm.warp(until + 1 days - 1);
        vm.expectRevert(abi.encodeWithSelector(BoundedPause.PauseCoolingDown.selector, until + 1 days));
        p.pause();
        vm.warp(until + 1 days);
        p.pause();
        assertTrue(p.isPaused());
        assertEq(p.totalPaused(), 7 days);
    }

    function test_unpause_endsItNow_andTheCooldownRunsFromThen() public {
        // a literal, not `block.timestamp`: via-IR may re-read the timestamp after a warp
        uint256 start = 1_000_000;
        p.pause();
        vm.warp(start + 2 hours);
        p.unpause();
        assertFalse(p.isPaused());
        assertEq(p.state().until, start + 2 hours);
        assertEq(p.nextPauseAt(), start + 2 hours + 1 days);
        assertEq(p.totalPaused(), 2 hours);
        vm.warp(start + 2 hours + 1 days);
        p.pause();
        vm.warp(start + 2 hours + 1 days + 3 hours);
        assertEq(p.totalPaused(), 5 hours);
    }

    /// @dev Whatever the sequence of pause attempts, lifts and waits: no pause lasts more than 7 days, two pauses are
    /// at least a day apart, and `totalPaused` equals the paused seconds counted second by second in between.
    function testFuzz_pausesStayBounded(uint8[24] calldata actions, uint32[24] calldata waits) public {
        uint256 paused; // seconds counted by the model
        uint256 t = 1_000_000; // the model's clock (via-IR may re-read `block.timestamp` after a warp)
        bool wasPaused;
        uint256 pauseStart;
        uint256 lastEnd;
        bool everPaused;
        for (uint256 i; i < actions.length; ++i) {
            uint256 action = actions[i] % 3;
            if (action == 0) {
                try p.pause() returns (uint64 until) {
                    assertFalse(wasPaused, "paused twice");
                    if (everPaused) assertGe(t, lastEnd + 1 days, "cooldown skipped");
                    assertEq(until, t + 7 days);
                    wasPaused = true;
                    everPaused = true;
                    pauseStart = t;
                } catch {
                    assertTrue(wasPaused || (everPaused && t < lastEnd + 1 days), "refused wrongly");
                }
            } else if (action == 1) {
                try p.unpause() {
                    assertTrue(wasPaused, "lifted a pause not in force");
                    wasPaused = false;
                    lastEnd = t;
                    paused += t - pauseStart;
                } catch {
                    assertFalse(wasPaused, "could not lift");
                }
            }
            t += uint256(waits[i]) % 10 days;
            if (wasPaused && t >= pauseStart + 7 days) {
                // the pause expires on its own during the wait
                wasPaused = false;
                lastEnd = pauseStart + 7 days;
                paused += lastEnd - pauseStart;
            }
            vm.warp(t);
            assertEq(p.isPaused(), wasPaused);
            assertEq(p.totalPaused(), paused + (wasPaused ? t - pauseStart : 0));
        }
    }
}
