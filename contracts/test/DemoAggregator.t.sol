// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {DemoAggregator} from "../src/DemoAggregator.sol";
import {IDemoAggregator} from "../src/interfaces/IDemoAggregator.sol";

contract DemoAggregatorTest is Test {
    DemoAggregator internal feed;
    address internal owner = makeAddr("owner");

    function setUp() public {
        feed = new DemoAggregator(owner, 8, "ETH / USD");
    }

    function test_metadata() public view {
        assertEq(feed.decimals(), 8);
        assertEq(feed.description(), "ETH / USD");
        assertEq(feed.version(), 4);
        assertEq(feed.owner(), owner);
    }

    function test_latestRoundData_revertsBeforeTheFirstAnswer() public {
        vm.expectRevert(abi.encodeWithSelector(IDemoAggregator.NoDataPresent.selector, uint80(0)));
        feed.latestRoundData();
    }

    function test_setAnswer_advancesTheRound() public {
        vm.warp(1000);
        vm.prank(owner);
        vm.expectEmit(address(feed));
        emit IDemoAggregator.AnswerUpdated(2000e8, 1, 990);
        assertEq(feed.setAnswer(2000e8, 990), 1);

        vm.warp(2000);
        vm.prank(owner);
        assertEq(feed.setAnswer(1990e8, 1995), 2);

        (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) =
            feed.latestRoundData();
        assertEq(roundId, 2);
        assertEq(answer, 1990e8);
        assertEq(startedAt, 2000);
        assertEq(updatedAt, 1995);
        assertEq(answeredInRound, 2);

        (roundId, answer, startedAt, updatedAt, answeredInRound) = feed.getRoundData(1);
        assertEq(roundId, 1);
        assertEq(answer, 2000e8);
        assertEq(startedAt, 1000);
        assertEq(updatedAt, 990);
        assertEq(answeredInRound, 1);
    }

    function test_setAnswer_storesPathologicalAnswersAsIs() public {
        vm.startPrank(owner);
        feed.setAnswer(-1, 5);
        feed.setAnswer(0, 0);
        vm.stopPrank();
        (, int256 answer,, uint256 updatedAt,) = feed.getRoundData(1);
        assertEq(answer, -1);
        assertEq(updatedAt, 5);
        (, answer,, updatedAt,) = feed.latestRoundData();
        assertEq(answer, 0);
        assertEq(updatedAt, 0);
    }

    function test_getRoundData_revertsPastTheLatestRound() public {
        vm.prank(owner);
        feed.setAnswer(1, 1);
        vm.expectRevert(abi.encodeWithSelector(IDemoAggregator.NoDataPresent.selector, uint80(2)));
        feed.getRoundData(2);
    }

    function testFuzz_setAnswer_onlyOwner(address caller, int256 answer, uint256 updatedAt) public {
        vm.assume(caller != owner);
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IDemoAggregator.NotOwner.selector, caller));
        feed.setAnswer(answer, updatedAt);
    }

    function testFuzz_setAnswer_roundTrips(int256 answer, uint256 updatedAt) public {
        vm.prank(owner);
        uint80 roundId = feed.setAnswer(answer, updatedAt);
        (uint80 id, int256 a,, uint256 u, uint80 answeredIn) = feed.getRoundData(roundId);
        assertEq(id, roundId);
        assertEq(a, answer);
        assertEq(u, updatedAt);
        assertEq(answeredIn, roundId);
    }
}
