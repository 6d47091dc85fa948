// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOmniIntegrator} from "../../src/interfaces/IOmniIntegrator.sol";

/// @notice A test integrator: records `onLiquidated` calls, or misbehaves (reverts, burns all its gas, reenters).
contract TestIntegrator is IOmniIntegrator {
    enum Mode {
        Record,
        Revert,
        BurnGas
    }

    Mode public mode;
    uint256 public calls;

    /// @dev What a well-behaved integrator does within its stipend: a counter and an event (four fresh storage
    /// slots would already cost more than the 40k the vault gives it).
    event Notified(address indexed account, bytes32 indexed orderId, address token, uint256 seized);

    error Refused();

    function setMode(Mode m) external {
        mode = m;
    }

    function onLiquidated(address account, bytes32 orderId, address token, uint256 seized) external {
        if (mode == Mode.Revert) revert Refused();
        if (mode == Mode.BurnGas) {
            // burn every unit of the stipend
            while (true) {
                calls = calls + 1;
            }
        }
        ++calls;
        emit Notified(account, orderId, token, seized);
    }
}
