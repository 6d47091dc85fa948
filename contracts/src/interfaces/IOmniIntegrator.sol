// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IOmniIntegrator
/// @notice Implemented by an integrated protocol (e.g. a perp DEX) that reports exposures through a CollateralVault and
/// wants to hear when one of its accounts is liquidated there.
/// @dev The vault calls it with a fixed gas stipend (`INTEGRATOR_CALLBACK_GAS`) after the liquidation is complete;
/// a revert or an out-of-gas is caught and logged (`IntegratorCallbackFailed`), never blocking the liquidation.
interface IOmniIntegrator {
    /// @notice Called by the vault after it executed a liquidation order against `account`.
    /// @param account The liquidated account (it approved this integrator).
    /// @param orderId The hub's order id.
    /// @param token The collateral token seized.
    /// @param seized The amount really seized (liquidator + insurance parts), in token base units.
    function onLiquidated(address account, bytes32 orderId, address token, uint256 seized) external;
}
