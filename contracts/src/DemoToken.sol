// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IDemoToken} from "./interfaces/IDemoToken.sol";

/// @title DemoToken
/// @notice A freely mintable ERC-20 with configurable decimals, for the devnet and tests only: anyone can mint.
contract DemoToken is ERC20, IDemoToken {
    uint8 private immutable _DECIMALS;

    /// @notice Deploys the token with no supply; `mint` creates it.
    /// @param name_ The token name.
    /// @param symbol_ The token symbol.
    /// @param decimals_ The token decimals (e.g. 6 for a USDC stand-in, 18 for WETH).
    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _DECIMALS = decimals_;
    }

    /// @inheritdoc IDemoToken
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice The token's decimals, as configured at deployment.
    /// @return The number of decimals of an amount in base units (e.g. 6: 1 token = 1e6 base units).
    function decimals() public view override(ERC20, IERC20Metadata) returns (uint8) {
        return _DECIMALS;
    }
}
