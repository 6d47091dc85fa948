// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title BoundedPause
/// @notice A pause that cannot be held forever: each one ends by itself after `MAX_DURATION` (or earlier when lifted),
/// and the next one cannot start before `COOLDOWN` has passed since the previous one ended. Whoever holds the power to
/// pause can therefore stop a path for at most `MAX_DURATION` out of every `MAX_DURATION + COOLDOWN`, which is what
/// lets the vault promise that its escape hatch opens whatever its owner or guardian do.
/// @dev Also keeps the total time spent paused, so a clock can be made to stop while paused (the vault's escape delay).
library BoundedPause {
    /// @notice The longest one pause lasts.
    uint64 internal constant MAX_DURATION = 7 days;

    /// @notice The shortest time between the end of one pause and the start of the next.
    uint64 internal constant COOLDOWN = 1 days;

    /// @notice Thrown when a pause is started while one is already running (a pause cannot be extended).
    error AlreadyPaused(uint64 until);
    /// @notice Thrown when a pause is started less than `COOLDOWN` after the previous one ended.
    error PauseCoolingDown(uint256 availableAt);

    /// @dev `until` is when the current (or last) pause ends; `start` when it began; `pausedBefore` the seconds spent
    /// paused by every pause that began before `start`.
    struct State {
        uint64 start;
        uint64 until;
        uint64 pausedBefore;
    }

    /// @notice Whether the pause is in force now.
    /// @param s The pause.
    /// @return Whether `block.timestamp` is before the current pause's end.
    function paused(State storage s) internal view returns (bool) {
        // forge-lint: disable-next-line(block-timestamp)
        return block.timestamp < s.until;
    }

    /// @notice Starts a pause of `MAX_DURATION`.
    /// @param s The pause.
    /// @return until When it ends by itself.
    function pause(State storage s) internal returns (uint64 until) {
        uint64 now_ = uint64(block.timestamp);
        uint64 end = s.until;
        if (now_ < end) revert AlreadyPaused(end);
        // A pause that never ran imposes no cooldown.
        if (end != 0 && now_ < end + COOLDOWN) revert PauseCoolingDown(uint256(end) + COOLDOWN);
        s.pausedBefore = pausedTime(s);
        s.start = now_;
        until = now_ + MAX_DURATION;
        s.until = until;
    }

    /// @notice Ends the current pause now (its cooldown starts now); nothing happens when none is in force.
    /// @param s The pause.
    function unpause(State storage s) internal {
        if (paused(s)) s.until = uint64(block.timestamp);
    }

    /// @notice The total seconds spent paused up to now, the current pause included.
    /// @param s The pause.
    /// @return The seconds.
    function pausedTime(State storage s) internal view returns (uint64) {
        uint64 start = s.start;
        if (start == 0) return s.pausedBefore;
        uint64 end = s.until;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < end) end = uint64(block.timestamp);
        return s.pausedBefore + (end - start);
    }
}
