// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAggregatorV3, IDemoAggregator} from "./interfaces/IDemoAggregator.sol";

/// @title DemoAggregator
/// @notice A Chainlink AggregatorV3-compatible feed for the devnet and tests: the owner sets each answer, and every
/// `setAnswer` starts a new round. Readers see exactly what a real aggregator would expose, including the
/// pathological cases (stale, non-positive, incomplete) that a careful reader must refuse.
contract DemoAggregator is IDemoAggregator {
    struct Round {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
    }

    // Not SNAKE_CASE: the name is the `owner()` getter of IDemoAggregator, part of the ABI.
    /// @inheritdoc IDemoAggregator
    address public immutable owner; // solhint-disable-line immutable-vars-naming
    uint8 private immutable _DECIMALS;
    string private _description;
    uint80 private _latestRound;
    mapping(uint80 roundId => Round) private _rounds;

    /// @notice Deploys a feed with no rounds: reads revert `NoDataPresent` until the first `setAnswer`.
    /// @param owner_ The account allowed to set answers.
    /// @param decimals_ The decimals of every answer (8 for a Chainlink USD feed stand-in).
    /// @param description_ The feed's name, e.g. "ETH / USD".
    constructor(address owner_, uint8 decimals_, string memory description_) {
        owner = owner_;
        _DECIMALS = decimals_;
        _description = description_;
    }

    /// @inheritdoc IDemoAggregator
    function setAnswer(int256 answer, uint256 updatedAt) external returns (uint80 roundId) {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        roundId = ++_latestRound;
        _rounds[roundId] = Round({answer: answer, startedAt: block.timestamp, updatedAt: updatedAt});
        emit AnswerUpdated(answer, roundId, updatedAt);
    }

    /// @inheritdoc IAggregatorV3
    function decimals() external view returns (uint8) {
        return _DECIMALS;
    }

    /// @inheritdoc IAggregatorV3
    function description() external view returns (string memory) {
        return _description;
    }

    /// @inheritdoc IAggregatorV3
    function version() external pure returns (uint256) {
        return 4;
    }

    /// @inheritdoc IAggregatorV3
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        return _round(roundId);
    }

    /// @inheritdoc IAggregatorV3
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return _round(_latestRound);
    }

    /// @dev Every round answers in itself (`answeredInRound == roundId`), as on an OCR aggregator.
    function _round(uint80 roundId) private view returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId == 0 || roundId > _latestRound) revert NoDataPresent(roundId);
        Round storage r = _rounds[roundId];
        return (roundId, r.answer, r.startedAt, r.updatedAt, roundId);
    }
}
