// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title BoundedPause
/// @notice A pause that cannot become a freeze: it lasts at most `MAX_PAUSE_DURATION` and ends by itself, and the
/// next one cannot start until `PAUSE_COOLDOWN` after the previous one ended (expired or lifted early). Whoever holds
/// the power to pause (a guardian key) can therefore stop a path for at most 7 days out of every 8, never for good.
/// @dev Operates on a one-slot `State` kept by the caller (one per pausable path), which decides who may pause and who
/// may lift a pause early. `totalPaused` is a clock that only runs while paused, so a caller can measure time spent
/// NOT paused between two moments (e.g. an escape delay that stops while inbound is paused): store `totalPaused` at
/// the start, and `elapsed − (totalPaused now − totalPaused then)` is the unpaused time since.
library BoundedPause {
    /// @notice The longest a pause lasts: it ends by itself this long after it started.
    uint64 internal constant MAX_PAUSE_DURATION = 7 days;
    /// @notice How long after a pause ended (expired or lifted) the next one may start.
    uint64 internal constant PAUSE_COOLDOWN = 1 days;

    /// @notice Thrown when a pause is started while one is in force.
    /// @param until When the current pause ends.
    error AlreadyPaused(uint64 until);
    /// @notice Thrown when a pause is lifted while none is in force.
    error NotPaused();
    /// @notice Thrown when a pause is started within `PAUSE_COOLDOWN` of the end of the previous one.
    /// @param availableAt The first timestamp at which a new pause may start.
    error PauseCoolingDown(uint64 availableAt);

    /// @dev One storage slot. `since` is 0 until the first pause.
    struct State {
        /// @dev When the latest pause started.
        uint64 since;
        /// @dev When the latest pause ends or ended: `since + MAX_PAUSE_DURATION`, or the moment it was lifted.
        uint64 until;
        /// @dev The summed length of every pause before the latest one.
        uint64 pausedBefore;
    }

    /// @notice Whether a pause is in force now.
    /// @param s The pause state.
    /// @return Whether paused.
    function isPaused(State storage s) internal view returns (bool) {
        // Pauses last days: a validator's few seconds of timestamp leeway do not matter.
        // forge-lint: disable-next-line(block-timestamp)
        return block.timestamp < s.until;
    }

    /// @notice The first timestamp at which a new pause may start (0 if one may start any time).
    /// @param s The pause state.
    /// @return The timestamp; in the future while paused or cooling down.
    function nextPauseAt(State storage s) internal view returns (uint64) {
        return s.since == 0 ? 0 : s.until + PAUSE_COOLDOWN;
    }

    /// @notice How long the path has been paused in total, up to now (the latest pause counted up to now or its end).
    /// @param s The pause state.
    /// @return The paused seconds since the path was created.
    function totalPaused(State storage s) internal view returns (uint64) {
        State memory m = s;
        if (m.since == 0) return 0;
        // forge-lint: disable-next-line(block-timestamp)
        uint64 end = block.timestamp < m.until ? uint64(block.timestamp) : m.until;
        return m.pausedBefore + (end - m.since);
    }

    /// @notice Starts a pause of `MAX_PAUSE_DURATION`; reverts while one is in force or cooling down.
    /// @param s The pause state.
    /// @return until When the new pause ends by itself.
    function pause(State storage s) internal returns (uint64 until) {
        State memory m = s;
        uint64 nowTs = uint64(block.timestamp);
        if (nowTs < m.until) revert AlreadyPaused(m.until);
        if (m.since != 0 && nowTs < m.until + PAUSE_COOLDOWN) revert PauseCoolingDown(m.until + PAUSE_COOLDOWN);
        // The latest pause is over: fold its length into the total before starting the next.
        uint64 before = m.since == 0 ? 0 : m.pausedBefore + (m.until - m.since);
        until = nowTs + MAX_PAUSE_DURATION;
        s.since = nowTs;
        s.until = until;
        s.pausedBefore = before;
    }

    /// @notice Lifts the pause in force now; its end (the start of the cooldown) becomes now.
    /// @param s The pause state.
    function unpause(State storage s) internal {
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= s.until) revert NotPaused();
        s.until = uint64(block.timestamp);
    }
}
