// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title IDemoToken
/// @notice A freely mintable ERC-20 for the devnet and tests. Never deploy it on a real network.
interface IDemoToken is IERC20Metadata {
    /// @notice Mints `amount` tokens to `to`. Open to anyone: devnet only.
    /// @param to The receiver.
    /// @param amount The amount in base units.
    function mint(address to, uint256 amount) external;
}
