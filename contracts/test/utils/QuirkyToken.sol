// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice An ERC-20 with the quirks a vault's receive path must survive: a blocklist (transfers to a blocked address
/// revert, like USDC's; minting is not blocked), a mode where `transfer` returns false without moving anything, and a mode where `transfer`
/// moves only half and reports success.
contract QuirkyToken is ERC20 {
    enum Mode {
        Normal,
        ReturnFalse,
        HalfTransfer
    }

    Mode public mode;
    mapping(address => bool) public blocked;

    error Blocked(address account);

    constructor() ERC20("Quirky", "QRK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function setMode(Mode m) external {
        mode = m;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (mode == Mode.ReturnFalse) return false;
        if (mode == Mode.HalfTransfer) value /= 2;
        return super.transfer(to, value);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}
