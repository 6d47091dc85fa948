// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";

/// @notice Signs an EIP-712 digest with several keys the way the hub wants the signatures: 65-byte (r, s, v), in
/// strictly ascending order of signer address.
library OrderSigning {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev Signs `digest` with every key, sorted by the key's address.
    function sign(bytes32 digest, uint256[] memory keys) internal pure returns (bytes[] memory sigs) {
        return signInOrder(digest, sortByAddress(keys));
    }

    /// @dev Signs `digest` with every key, in the order given.
    function signInOrder(bytes32 digest, uint256[] memory keys) internal pure returns (bytes[] memory sigs) {
        sigs = new bytes[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(keys[i], digest);
            sigs[i] = abi.encodePacked(r, s, v);
        }
    }

    /// @dev A copy of `keys` in ascending order of their addresses (insertion sort: a handful of keys).
    function sortByAddress(uint256[] memory keys) internal pure returns (uint256[] memory sorted) {
        sorted = new uint256[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            uint256 k = keys[i];
            address a = VM.addr(k);
            uint256 j = i;
            while (j > 0 && VM.addr(sorted[j - 1]) > a) {
                sorted[j] = sorted[j - 1];
                --j;
            }
            sorted[j] = k;
        }
    }

    /// @dev The first `n` of `keys`.
    function take(uint256[] memory keys, uint256 n) internal pure returns (uint256[] memory out) {
        out = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            out[i] = keys[i];
        }
    }
}
