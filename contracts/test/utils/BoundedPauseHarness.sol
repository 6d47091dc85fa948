// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BoundedPause} from "../../src/libraries/BoundedPause.sol";

/// @notice Exposes BoundedPause on one state, so tests can expect its reverts.
contract BoundedPauseHarness {
    using BoundedPause for BoundedPause.State;

    BoundedPause.State internal s;

    function pause() external returns (uint64) {
        return s.pause();
    }

    function unpause() external {
        s.unpause();
    }

    function isPaused() external view returns (bool) {
        return s.isPaused();
    }

    function nextPauseAt() external view returns (uint64) {
        return s.nextPauseAt();
    }

    function totalPaused() external view returns (uint64) {
        return s.totalPaused();
    }

    function state() external view returns (BoundedPause.State memory) {
        return s;
    }
}
