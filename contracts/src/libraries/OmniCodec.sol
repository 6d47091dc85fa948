// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title OmniCodec
/// @notice Encodes and decodes the LayerZero payloads exchanged between the CollateralVaults and the ClearingHub.
/// @dev Wire spec: packages/protocol/README.md. Every payload is `abi.encode(uint8 version, uint8 msgType, …fields)`
/// with static fields only, so each type has a fixed length of `32 × (2 + fields)` bytes. The TypeScript codec in
/// the protocol package mirrors this library; both are checked against the same golden vectors.
library OmniCodec {
    /// @notice Thrown when a payload's version is not `VERSION`.
    error UnsupportedVersion(uint8 version);
    /// @notice Thrown when a payload's type byte is not a known message type (or not one the receiver accepts).
    error UnknownMessageType(uint8 msgType);
    /// @notice Thrown when a payload's length does not match its type, or a field is outside its ABI type's range.
    error MalformedPayload(uint256 length);
    /// @notice Thrown when a payload is decoded as a different message type than the one it carries.
    error UnexpectedMessageType(uint8 expected, uint8 actual);

    /// @notice The wire format version every payload carries.
    uint8 internal constant VERSION = 1;

    /// @notice vault → hub: an account's new absolute balance of a token.
    uint8 internal constant BALANCE = 1;
    /// @notice vault → hub: an account asks to withdraw (amount locked in the vault).
    uint8 internal constant WITHDRAW_REQUEST = 2;
    /// @notice vault → hub: an integrated protocol reports an account's exposure.
    uint8 internal constant EXPOSURE = 3;
    /// @notice vault → hub: what a vault really seized for a liquidation order.
    uint8 internal constant ORDER_ACK = 4;
    /// @notice hub → vault: seize collateral from an account.
    uint8 internal constant LIQUIDATE = 5;
    /// @notice hub → vault: approve or reject a withdrawal request.
    uint8 internal constant WITHDRAW_DECISION = 6;

    // Field kinds used to range-check every 32-byte word of a payload, as `abi.decode` would.
    uint8 private constant _WORD = 0; // uint256, int256, bytes32: any value
    uint8 private constant _ADDRESS = 1;
    uint8 private constant _UINT64 = 2;
    uint8 private constant _BOOL = 3;

    struct Balance {
        address account;
        address token;
        uint256 balance;
        int256 delta;
        uint64 seq;
    }

    struct WithdrawRequest {
        address account;
        address token;
        uint256 amount;
        uint64 seq;
    }

    struct Exposure {
        address account;
        address protocol;
        uint256 exposure;
        uint64 seq;
    }

    struct OrderAck {
        bytes32 orderId;
        address account;
        address token;
        uint256 seized;
        uint256 balance;
        uint64 seq;
    }

    struct Liquidate {
        bytes32 orderId;
        address account;
        address token;
        uint256 amount;
        address recipient;
    }

    struct WithdrawDecision {
        bytes32 orderId;
        address account;
        address token;
        uint256 amount;
        bool approved;
    }

    // ------------------------------------------------------------------ validation

    /// @notice Validates a payload's version, type and length (and every field's range) and returns its type.
    /// @param payload The LayerZero message.
    /// @return t The message type (1–6).
    function msgType(bytes memory payload) internal pure returns (uint8 t) {
        uint256 length = payload.length;
        if (length < 64) revert MalformedPayload(length);
        uint256 versionWord = _word(payload, 0);
        if (versionWord > type(uint8).max) revert MalformedPayload(length);
        // casting to uint8 is safe: the word was checked to fit above.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (versionWord != VERSION) revert UnsupportedVersion(uint8(versionWord));
        uint256 typeWord = _word(payload, 1);
        if (typeWord > type(uint8).max) revert MalformedPayload(length);
        // casting to uint8 is safe: the word was checked to fit above.
        // forge-lint: disable-next-line(unsafe-typecast)
        t = uint8(typeWord);
        uint8[] memory kinds = _fieldKinds(t);
        if (length != 32 * (2 + kinds.length)) revert MalformedPayload(length);
        for (uint256 i; i < kinds.length; ++i) {
            if (!_inRange(_word(payload, 2 + i), kinds[i])) revert MalformedPayload(length);
        }
    }

    /// @notice Validates a payload bound for the hub (BALANCE, WITHDRAW_REQUEST, EXPOSURE, ORDER_ACK).
    /// @dev A spoke-bound type arriving at the hub is refused as unknown there.
    function hubBoundType(bytes memory payload) internal pure returns (uint8 t) {
        t = msgType(payload);
        if (t > ORDER_ACK) revert UnknownMessageType(t);
    }

    /// @notice Validates a payload bound for a vault (LIQUIDATE, WITHDRAW_DECISION).
    /// @dev A hub-bound type arriving at a vault is refused as unknown there.
    function spokeBoundType(bytes memory payload) internal pure returns (uint8 t) {
        t = msgType(payload);
        if (t < LIQUIDATE) revert UnknownMessageType(t);
    }

    // ------------------------------------------------------------------ order ids

    /// @notice The order id every clearing node derives for the same decision.
    /// @dev `keccak256(abi.encode(uint8 msgType, uint32 dstEid, address account, address token, uint256 amount,
    /// address recipient, uint64 inputSeq))`; `inputSeq` is the OMNI_IN sequence of the triggering event.
    function liquidationOrderId(
        uint32 dstEid,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint64 inputSeq
    ) internal pure returns (bytes32) {
        return orderId(LIQUIDATE, dstEid, account, token, amount, recipient, inputSeq);
    }

    /// @notice The order id formula for any order type (see `liquidationOrderId`).
    function orderId(
        uint8 orderType,
        uint32 dstEid,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint64 inputSeq
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(orderType, dstEid, account, token, amount, recipient, inputSeq));
    }

    // ------------------------------------------------------------------ encode

    /// @notice Encodes a BALANCE payload.
    function encodeBalance(Balance memory m) internal pure returns (bytes memory) {
        return abi.encode(VERSION, BALANCE, m.account, m.token, m.balance, m.delta, m.seq);
    }

    /// @notice Encodes a WITHDRAW_REQUEST payload.
    function encodeWithdrawRequest(WithdrawRequest memory m) internal pure returns (bytes memory) {
        return abi.encode(VERSION, WITHDRAW_REQUEST, m.account, m.token, m.amount, m.seq);
    }

    /// @notice Encodes an EXPOSURE payload.
    function encodeExposure(Exposure memory m) internal pure returns (bytes memory) {
        return abi.encode(VERSION, EXPOSURE, m.account, m.protocol, m.exposure, m.seq);
    }

    /// @notice Encodes an ORDER_ACK payload.
    function encodeOrderAck(OrderAck memory m) internal pure returns (bytes memory) {
        return abi.encode(VERSION, ORDER_ACK, m.orderId, m.account, m.token, m.seized, m.balance, m.seq);
    }

    /// @notice Encodes a LIQUIDATE payload.
    function encodeLiquidate(Liquidate memory m) internal pure returns (bytes memory) {
        return abi.encode(VERSION, LIQUIDATE, m.orderId, m.account, m.token, m.amount, m.recipient);
    }

    /// @notice Encodes a WITHDRAW_DECISION payload.
    function encodeWithdrawDecision(WithdrawDecision memory m) internal pure returns (bytes memory) {
        return abi.encode(VERSION, WITHDRAW_DECISION, m.orderId, m.account, m.token, m.amount, m.approved);
    }

    // ------------------------------------------------------------------ decode

    /// @notice Decodes a BALANCE payload (validating it first).
    function decodeBalance(bytes memory payload) internal pure returns (Balance memory m) {
        _expect(payload, BALANCE);
        (,, m.account, m.token, m.balance, m.delta, m.seq) =
            abi.decode(payload, (uint8, uint8, address, address, uint256, int256, uint64));
    }

    /// @notice Decodes a WITHDRAW_REQUEST payload (validating it first).
    function decodeWithdrawRequest(bytes memory payload) internal pure returns (WithdrawRequest memory m) {
        _expect(payload, WITHDRAW_REQUEST);
        (,, m.account, m.token, m.amount, m.seq) =
            abi.decode(payload, (uint8, uint8, address, address, uint256, uint64));
    }

    /// @notice Decodes an EXPOSURE payload (validating it first).
    function decodeExposure(bytes memory payload) internal pure returns (Exposure memory m) {
        _expect(payload, EXPOSURE);
        (,, m.account, m.protocol, m.exposure, m.seq) =
            abi.decode(payload, (uint8, uint8, address, address, uint256, uint64));
    }

    /// @notice Decodes an ORDER_ACK payload (validating it first).
    function decodeOrderAck(bytes memory payload) internal pure returns (OrderAck memory m) {
        _expect(payload, ORDER_ACK);
        (,, m.orderId, m.account, m.token, m.seized, m.balance, m.seq) =
            abi.decode(payload, (uint8, uint8, bytes32, address, address, uint256, uint256, uint64));
    }

    /// @notice Decodes a LIQUIDATE payload (validating it first).
    function decodeLiquidate(bytes memory payload) internal pure returns (Liquidate memory m) {
        _expect(payload, LIQUIDATE);
        (,, m.orderId, m.account, m.token, m.amount, m.recipient) =
            abi.decode(payload, (uint8, uint8, bytes32, address, address, uint256, address));
    }

    /// @notice Decodes a WITHDRAW_DECISION payload (validating it first).
    function decodeWithdrawDecision(bytes memory payload) internal pure returns (WithdrawDecision memory m) {
        _expect(payload, WITHDRAW_DECISION);
        (,, m.orderId, m.account, m.token, m.amount, m.approved) =
            abi.decode(payload, (uint8, uint8, bytes32, address, address, uint256, bool));
    }

    // ------------------------------------------------------------------ internals

    function _expect(bytes memory payload, uint8 expected) private pure {
        uint8 actual = msgType(payload);
        if (actual != expected) revert UnexpectedMessageType(expected, actual);
    }

    /// @dev The kinds of the fields after `(version, msgType)`, per type; reverts for an unknown type.
    function _fieldKinds(uint8 t) private pure returns (uint8[] memory kinds) {
        if (t == BALANCE) {
            kinds = new uint8[](5);
            (kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]) = (_ADDRESS, _ADDRESS, _WORD, _WORD, _UINT64);
        } else if (t == WITHDRAW_REQUEST || t == EXPOSURE) {
            kinds = new uint8[](4);
            (kinds[0], kinds[1], kinds[2], kinds[3]) = (_ADDRESS, _ADDRESS, _WORD, _UINT64);
        } else if (t == ORDER_ACK) {
            kinds = new uint8[](6);
            (kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], kinds[5]) =
            (_WORD, _ADDRESS, _ADDRESS, _WORD, _WORD, _UINT64);
        } else if (t == LIQUIDATE) {
            kinds = new uint8[](5);
            (kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]) = (_WORD, _ADDRESS, _ADDRESS, _WORD, _ADDRESS);
        } else if (t == WITHDRAW_DECISION) {
            kinds = new uint8[](5);
            (kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]) = (_WORD, _ADDRESS, _ADDRESS, _WORD, _BOOL);
        } else {
            revert UnknownMessageType(t);
        }
    }

    function _inRange(uint256 value, uint8 kind) private pure returns (bool) {
        if (kind == _ADDRESS) return value >> 160 == 0;
        if (kind == _UINT64) return value >> 64 == 0;
        if (kind == _BOOL) return value < 2;
        return true;
    }

    /// @dev The `index`-th 32-byte word of `payload`; the caller has checked the length.
    function _word(bytes memory payload, uint256 index) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := mload(add(add(payload, 32), mul(index, 32)))
        }
    }
}
