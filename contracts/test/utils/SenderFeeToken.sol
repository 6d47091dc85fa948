// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice An ERC-20 that, once `charging`, takes a 10% fee from the SENDER on top of every transfer (the receiver gets
/// the full amount): a vault paying it out would lose more than it pays.
contract SenderFeeToken is ERC20 {
    address public constant FEE_SINK = address(0xFEE);
    bool public charging;

    constructor() ERC20("Sender Fee", "SFEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setCharging(bool on) external {
        charging = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (charging && from != address(0) && to != address(0) && to != FEE_SINK) {
            super._update(from, FEE_SINK, value / 10);
        }
    }
}
