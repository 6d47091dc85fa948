// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CollateralVault} from "../../src/CollateralVault.sol";
import {ITokenHook} from "../utils/HookToken.sol";

/// @notice A `HookToken` hook an account registers (ERC-1820 style) and the campaign switches between: off, refusing
/// every transfer to the account (its payouts must be credited as claimable), or re-entering the vault from inside
/// every transfer (`executePayout` of the vault's latest request, a token-moving entry point that must refuse it).
contract ToggleHook is ITokenHook {
    enum Mode {
        Off,
        RevertOnReceive,
        Reenter
    }

    CollateralVault public immutable vault;
    Mode public mode;
    /// @dev Re-entries the vault accepted (must stay 0) and refused.
    uint256 public reentered;
    uint256 public refused;

    error Refused();

    constructor(CollateralVault vault_) {
        vault = vault_;
    }

    function setMode(Mode m) external {
        mode = m;
    }

    function tokensToSend(address, address, uint256) external {
        if (mode == Mode.Reenter) _reenter();
    }

    function tokensReceived(address, address, uint256) external {
        if (mode == Mode.RevertOnReceive) revert Refused();
        if (mode == Mode.Reenter) _reenter();
    }

    function _reenter() internal {
        (bool ok,) = address(vault).call(abi.encodeCall(CollateralVault.executePayout, (vault.lastRequestId())));
        if (ok) ++reentered;
        else ++refused;
    }
}
