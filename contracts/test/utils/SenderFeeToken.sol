// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice An ERC-20 that charges the SENDER a fee on top of every transfer (`value / 100 + 1`, sent to `FEE_SINK`):
/// the receiver gets `value`, the sender loses more. A vault that treated "sent at least the amount" as success would
/// pay that fee out of other depositors' collateral.
contract SenderFeeToken is ERC20 {
    /// @notice Where the fees go.
    address public constant FEE_SINK = address(0xFEE5);

    constructor() ERC20("Sender Fee", "SFEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice The fee a transfer of `value` charges its sender on top.
    function feeOf(uint256 value) public pure returns (uint256) {
        return value / 100 + 1;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) super._update(from, FEE_SINK, feeOf(value));
        super._update(from, to, value);
    }
}
