// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAggregatorV3
/// @notice The read surface of a Chainlink price feed (`AggregatorV3Interface`), which the price feed service reads.
interface IAggregatorV3 {
    /// @notice The number of decimals of `answer` (8 for Chainlink's USD feeds).
    function decimals() external view returns (uint8);

    /// @notice A human-readable name of the feed, e.g. "ETH / USD".
    function description() external view returns (string memory);

    /// @notice The version of the aggregator implementation.
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

    /// @notice The data of the latest round; same fields as `getRoundData`.
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

    /// @notice Emitted for every answer set (mirrors Chainlink's `AnswerUpdated`).
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @notice The account allowed to set answers.
    function owner() external view returns (address);

    /// @notice Starts a new round with `answer`. Only the owner.
    /// @param answer The price, with `decimals()` decimals (stored unchecked, even if not positive).
    /// @param updatedAt The round's update time in unix seconds; 0 leaves the round incomplete.
    /// @return roundId The id of the new round (the previous latest plus one; the first round is 1).
    function setAnswer(int256 answer, uint256 updatedAt) external returns (uint80 roundId);
}
