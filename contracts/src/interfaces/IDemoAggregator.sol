// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAggregatorV3
/// @notice The read surface of a Chainlink price feed (`AggregatorV3Interface`), which the price feed service reads.
interface IAggregatorV3 {
    /// @notice The number of decimals of `answer` (8 for Chainlink's USD feeds).
    /// @return The decimals: an answer of `a` means `a / 10**decimals()`.
    function decimals() external view returns (uint8);

    /// @notice A human-readable name of the feed, e.g. "ETH / USD".
    /// @return The feed's description.
    function description() external view returns (string memory);

    /// @notice The version of the aggregator implementation.
    /// @return The implementation's version number (`DemoAggregator` answers 4).
    function version() external view returns (uint256);

    /// @notice The data of a past round.
    /// @param roundId The round to read.
    /// @return roundId_ The round id.
    /// @return answer The price, with `decimals()` decimals.
    /// @return startedAt When the round started (unix seconds).
    /// @return updatedAt When the answer was last updated (unix seconds); 0 while the round is incomplete.
    /// @return answeredInRound The round in which the answer was computed.
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice The data of the latest round; same fields as `getRoundData`. Reverts while no round exists.
    /// @return roundId The latest round's id.
    /// @return answer The price, with `decimals()` decimals.
    /// @return startedAt When the round started (unix seconds).
    /// @return updatedAt When the answer was last updated (unix seconds); 0 while the round is incomplete.
    /// @return answeredInRound The round in which the answer was computed.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}

/// @title IDemoAggregator
/// @notice A Chainlink-compatible feed whose answers the owner sets by hand, for the devnet and tests only.
/// It stores every answer as-is (zero, negative, stale or an incomplete round with `updatedAt == 0`) so that a
/// reader's checks can be exercised against each. Never deploy it on a real network.
interface IDemoAggregator is IAggregatorV3 {
    /// @notice Thrown when someone other than the owner sets an answer.
    error NotOwner(address caller);
    /// @notice Thrown when a round is read that has not been set (round 0, or past the latest round).
    error NoDataPresent(uint80 roundId);

    /// @notice Emitted for every answer set (mirrors Chainlink's `AnswerUpdated`, topics and data alike).
    /// @param current The answer, with `decimals()` decimals.
    /// @param roundId The new round's id.
    /// @param updatedAt The round's update time (unix seconds) as given to `setAnswer`; 0 for an incomplete round.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @notice The account allowed to set answers.
    /// @return The owner (fixed at deployment in `DemoAggregator`).
    function owner() external view returns (address);

    /// @notice Starts a new round with `answer`. Only the owner.
    /// @param answer The price, with `decimals()` decimals (stored unchecked, even if not positive).
    /// @param updatedAt The round's update time in unix seconds; 0 leaves the round incomplete.
    /// @return roundId The id of the new round (the previous latest plus one; the first round is 1).
    function setAnswer(int256 answer, uint256 updatedAt) external returns (uint80 roundId);
}
