// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Counts how often each named path of a handler was taken in a run; the suite adds the counts over the
/// campaign and asserts every registered path was reached.
abstract contract PathCounter {
    string[] internal _pathNames;
    mapping(bytes32 => bool) internal _knownPath;
    mapping(bytes32 => uint256) internal _hits;

    function pathCount() external view returns (uint256) {
        return _pathNames.length;
    }

    function pathName(uint256 i) external view returns (string memory) {
        return _pathNames[i];
    }

    function hits(uint256 i) external view returns (uint256) {
        return _hits[keccak256(bytes(_pathNames[i]))];
    }

    function _path(string memory name) internal {
        _pathNames.push(name);
        _knownPath[keccak256(bytes(name))] = true;
    }

    /// @dev Counts a path; a name that was not registered is a bug of the handler.
    function _hit(string memory name) internal {
        bytes32 k = keccak256(bytes(name));
        require(_knownPath[k], string.concat("unregistered path ", name));
        ++_hits[k];
    }
}
