// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title OmniTimelock
/// @notice The owner and LayerZero endpoint delegate of the ClearingHub and of every CollateralVault in a production
/// deployment (one per chain): every owner action — the signer set, peers, libraries and DVN configs, enforced
/// options, caps, rate limits, an ownership transfer — is proposed, waits `getMinDelay()` in public, and only then
/// executes, so users and operators can see a malicious or mistaken change coming and leave (escape their withdrawals)
/// before it takes effect. A guardian's pauses are not timelocked (they are bounded instead, see `BoundedPause`).
/// @dev OpenZeppelin's `TimelockController` with no external admin: the timelock administers itself, so granting or
/// revoking a proposer or executor (and `updateDelay`) goes through the delay too. An executor may be `address(0)`,
/// which opens execution of a ready operation to anyone.
contract OmniTimelock is TimelockController {
    /// @notice Deploys the timelock, its own admin.
    /// @param minDelay The initial minimum delay of an operation, in seconds.
    /// @param proposers The accounts that may schedule and cancel operations.
    /// @param executors The accounts that may execute ready operations (`address(0)`: anyone).
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {}
}
