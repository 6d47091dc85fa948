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
    /// @notice Thrown when a LIQUIDATE payload's insurance part exceeds the amount to seize.
    error InsuranceExceedsAmount(uint256 amount, uint256 insuranceAmount);
    /// @notice Thrown when a WITHDRAW_DONE payload's outcome is not PAID (1), REJECTED (2) or ESCAPED (3).
    error UnknownOutcome(uint8 outcome);
    /// @notice Thrown when an ORDER_ACK payload's status is not EXECUTED (1) or EXPIRED (2).
    error UnknownAckStatus(uint8 status);
    /// @notice Thrown when a LIQUIDATE payload names the zero address as its recipient (the seizure would be
    /// credited to an address nobody can claim for).
    error ZeroRecipient();

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
    /// @notice vault → hub: a withdrawal request is closed (paid, rejected or escaped).
    uint8 internal constant WITHDRAW_DONE = 7;

    /// @notice WITHDRAW_DONE outcome: approved; the amount left the account's balance (transferred, or credited to
    /// the account's claimable bucket when the transfer failed).
    uint8 internal constant OUTCOME_PAID = 1;
    /// @notice WITHDRAW_DONE outcome: rejected; nothing paid, the amount unfrozen.
    uint8 internal constant OUTCOME_REJECTED = 2;
    /// @notice WITHDRAW_DONE outcome: paid unilaterally through the escape hatch.
    uint8 internal constant OUTCOME_ESCAPED = 3;

    /// @notice ORDER_ACK status: the vault executed the order (a seizure: `seized` is what it took).
    uint8 internal constant ACK_EXECUTED = 1;
    /// @notice ORDER_ACK status: the order arrived after its expiry; the vault did nothing but mark it executed.
    uint8 internal constant ACK_EXPIRED = 2;

    // Field kinds used to range-check every 32-byte word of a payload, as `abi.decode` would.
    uint8 private constant _WORD = 0; // uint256, int256, bytes32: any value
    uint8 private constant _ADDRESS = 1;
    uint8 private constant _UINT64 = 2;
    uint8 private constant _BOOL = 3;
    uint8 private constant _UINT8 = 4;

    // These structs only live in memory (built to encode a payload, or decoded from one), where every field takes a
    // full word whatever the order; their fields follow the wire order, so storage packing does not apply.
    // solhint-disable gas-struct-packing

    /// @dev A BALANCE payload's fields, in wire order (packages/protocol/README.md).
    struct Balance {
        address account;
        address token;
        uint256 balance;
        int256 delta;
        uint64 seq;
    }

    /// @dev A WITHDRAW_REQUEST payload's fields, in wire order.
    struct WithdrawRequest {
        address account;
        address token;
        uint256 amount;
        uint64 requestId;
        uint64 seq;
    }

    /// @dev An integrator's absolute perp position of an account: `market` is the ASCII symbol right-padded with zero
    /// bytes, `size` the signed base-asset quantity (1e18 units; 0 closes), `entryPrice` USD per unit (1e18).
    struct Exposure {
        address account;
        address protocol;
        bytes32 market;
        int256 size;
        uint256 entryPrice;
        uint64 seq;
    }

    /// @dev An ORDER_ACK payload's fields, in wire order.
    struct OrderAck {
        bytes32 orderId;
        address account;
        address token;
        uint256 seized;
        uint256 balance;
        uint8 status;
        uint64 seq;
    }

    /// @dev A LIQUIDATE payload's fields, in wire order.
    struct Liquidate {
        bytes32 orderId;
        address account;
        address token;
        uint256 amount;
        address recipient;
        uint256 insuranceAmount;
        uint64 expiry;
    }

    /// @dev A WITHDRAW_DECISION payload's fields, in wire order.
    struct WithdrawDecision {
        bytes32 orderId;
        address account;
        address token;
        uint256 amount;
        uint64 requestId;
        bool approved;
        uint64 expiry;
    }

    /// @dev A WITHDRAW_DONE payload's fields, in wire order.
    struct WithdrawDone {
        address account;
        address token;
        uint64 requestId;
        uint256 paid;
        uint256 balance;
        uint8 outcome;
        uint64 seq;
    }

    // solhint-enable gas-struct-packing

    // ------------------------------------------------------------------ validation

    /// @notice Validates a payload's version, type and length (and every field's range) and returns its type.
    /// @param payload The LayerZero message.
    /// @return t The message type (1–7).
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
        if (t == LIQUIDATE) {
            _checkInsurance(_word(payload, 5), _word(payload, 7));
            if (_word(payload, 6) == 0) revert ZeroRecipient();
        }
        // casting to uint8 is safe: the outcome and status words were range-checked as uint8 above.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (t == WITHDRAW_DONE) _checkOutcome(uint8(_word(payload, 7)));
        // forge-lint: disable-next-line(unsafe-typecast)
        if (t == ORDER_ACK) _checkAckStatus(uint8(_word(payload, 7)));
    }

    /// @notice Validates a payload bound for the hub (BALANCE, WITHDRAW_REQUEST, EXPOSURE, ORDER_ACK, WITHDRAW_DONE).
    /// @dev A spoke-bound type arriving at the hub is refused as unknown there.
    /// @param payload The LayerZero message received by the hub.
    /// @return t The message type (1–4 or 7).
    function hubBoundType(bytes memory payload) internal pure returns (uint8 t) {
        t = msgType(payload);
        if (t == LIQUIDATE || t == WITHDRAW_DECISION) revert UnknownMessageType(t);
    }

    /// @notice Validates a payload bound for a vault (LIQUIDATE, WITHDRAW_DECISION).
    /// @dev A hub-bound type arriving at a vault is refused as unknown there.
    /// @param payload The LayerZero message received by a vault.
    /// @return t The message type (5 or 6).
    function spokeBoundType(bytes memory payload) internal pure returns (uint8 t) {
        t = msgType(payload);
        if (t != LIQUIDATE && t != WITHDRAW_DECISION) revert UnknownMessageType(t);
    }

    // ------------------------------------------------------------------ order ids

    /// @notice The order id every clearing node derives for the same decision.
    /// @dev `keccak256(abi.encode(uint8 msgType, uint32 dstEid, address account, address token, uint256 amount,
    /// address recipient, uint64 inputSeq))`; `inputSeq` is the OMNI_IN sequence of the triggering event.
    /// @param dstEid The endpoint id of the vault that executes the order.
    /// @param account The account to liquidate.
    /// @param token The collateral token to seize.
    /// @param amount The amount to seize, in token base units.
    /// @param recipient The liquidator, paid the seized amount less the insurance part.
    /// @param inputSeq The OMNI_IN stream sequence of the event that triggered the liquidation.
    /// @return The order id.
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

    /// @notice The order id of a withdrawal decision: the order id formula with `WITHDRAW_DECISION` as the type and
    /// the account itself as the recipient.
    /// @param dstEid The endpoint id of the vault holding the request.
    /// @param account The request's account.
    /// @param token The request's token.
    /// @param amount The request's amount, in token base units.
    /// @param inputSeq The OMNI_IN stream sequence of the event that triggered the decision.
    /// @return The order id.
    function withdrawDecisionOrderId(uint32 dstEid, address account, address token, uint256 amount, uint64 inputSeq)
        internal
        pure
        returns (bytes32)
    {
        return orderId(WITHDRAW_DECISION, dstEid, account, token, amount, account, inputSeq);
    }

    /// @notice The order id formula for any order type (see `liquidationOrderId`).
    /// @param orderType The order's message type (`LIQUIDATE` or `WITHDRAW_DECISION`).
    /// @param dstEid The endpoint id of the vault that executes the order.
    /// @param account The account the order acts on.
    /// @param token The collateral token.
    /// @param amount The amount, in token base units.
    /// @param recipient Who receives the amount (the liquidator, or the account itself for a withdrawal).
    /// @param inputSeq The OMNI_IN stream sequence of the event that triggered the order.
    /// @return The order id: the keccak256 of the ABI-encoded fields.
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
    /// @param m The BALANCE fields.
    /// @return The payload: `abi.encode(VERSION, BALANCE, …fields)`, 224 bytes.
    function encodeBalance(Balance memory m) internal pure returns (bytes memory) {
        return abi.encode(VERSION, BALANCE, m.account, m.token, m.balance, m.delta, m.seq);
    }

    /// @notice Encodes a WITHDRAW_REQUEST payload.
    /// @param m The WITHDRAW_REQUEST fields.
    /// @return The payload: `abi.encode(VERSION, WITHDRAW_REQUEST, …fields)`, 224 bytes.
    function encodeWithdrawRequest(WithdrawRequest memory m) internal pure returns (bytes memory) {
        return abi.encode(VERSION, WITHDRAW_REQUEST, m.account, m.token, m.amount, m.requestId, m.seq);
    }

    /// @notice Encodes an EXPOSURE payload.
    /// @param m The EXPOSURE fields.
    /// @return The payload: `abi.encode(VERSION, EXPOSURE, …fields)`, 256 bytes.
    function encodeExposure(Exposure memory m) internal pure returns (bytes memory) {
        return abi.encode(VERSION, EXPOSURE, m.account, m.protocol, m.market, m.size, m.entryPrice, m.seq);
    }

    /// @notice Encodes an ORDER_ACK payload.
    /// @param m The ORDER_ACK fields.
    /// @return The payload: `abi.encode(VERSION, ORDER_ACK, …fields)`, 288 bytes.
    function encodeOrderAck(OrderAck memory m) internal pure returns (bytes memory) {
        _checkAckStatus(m.status);
        return abi.encode(VERSION, ORDER_ACK, m.orderId, m.account, m.token, m.seized, m.balance, m.status, m.seq);
    }

    /// @notice Encodes a LIQUIDATE payload; refuses an insurance part above the amount and a zero recipient.
    /// @param m The LIQUIDATE fields.
    /// @return The payload: `abi.encode(VERSION, LIQUIDATE, …fields)`, 288 bytes.
    function encodeLiquidate(Liquidate memory m) internal pure returns (bytes memory) {
        _checkInsurance(m.amount, m.insuranceAmount);
        if (m.recipient == address(0)) revert ZeroRecipient();
        return abi.encode(
            VERSION, LIQUIDATE, m.orderId, m.account, m.token, m.amount, m.recipient, m.insuranceAmount, m.expiry
        );
    }

    /// @notice Encodes a WITHDRAW_DECISION payload.
    /// @param m The WITHDRAW_DECISION fields.
    /// @return The payload: `abi.encode(VERSION, WITHDRAW_DECISION, …fields)`, 288 bytes.
    function encodeWithdrawDecision(WithdrawDecision memory m) internal pure returns (bytes memory) {
        return abi.encode(
            VERSION, WITHDRAW_DECISION, m.orderId, m.account, m.token, m.amount, m.requestId, m.approved, m.expiry
        );
    }

    /// @notice Encodes a WITHDRAW_DONE payload; refuses an unknown outcome.
    /// @param m The WITHDRAW_DONE fields.
    /// @return The payload: `abi.encode(VERSION, WITHDRAW_DONE, …fields)`, 288 bytes.
    function encodeWithdrawDone(WithdrawDone memory m) internal pure returns (bytes memory) {
        _checkOutcome(m.outcome);
        return abi.encode(VERSION, WITHDRAW_DONE, m.account, m.token, m.requestId, m.paid, m.balance, m.outcome, m.seq);
    }

    // ------------------------------------------------------------------ decode

    /// @notice Decodes a BALANCE payload (validating it first).
    /// @param payload The message; reverts unless it is a well-formed BALANCE payload.
    /// @return m The decoded fields.
    function decodeBalance(bytes memory payload) internal pure returns (Balance memory m) {
        _expect(payload, BALANCE);
        // A struct of static fields is encoded inline: the same words as the flat fields, in fewer stack slots.
        (,, m) = abi.decode(payload, (uint8, uint8, Balance));
    }

    /// @notice Decodes a WITHDRAW_REQUEST payload (validating it first).
    /// @param payload The message; reverts unless it is a well-formed WITHDRAW_REQUEST payload.
    /// @return m The decoded fields.
    function decodeWithdrawRequest(bytes memory payload) internal pure returns (WithdrawRequest memory m) {
        _expect(payload, WITHDRAW_REQUEST);
        // A struct of static fields is encoded inline: the same words as the flat fields, in fewer stack slots.
        (,, m) = abi.decode(payload, (uint8, uint8, WithdrawRequest));
    }

    /// @notice Decodes an EXPOSURE payload (validating it first).
    /// @param payload The message; reverts unless it is a well-formed EXPOSURE payload.
    /// @return m The decoded fields.
    function decodeExposure(bytes memory payload) internal pure returns (Exposure memory m) {
        _expect(payload, EXPOSURE);
        // A struct of static fields is encoded inline: the same words as the flat fields, in fewer stack slots.
        (,, m) = abi.decode(payload, (uint8, uint8, Exposure));
    }

    /// @notice Decodes an ORDER_ACK payload (validating it first).
    /// @param payload The message; reverts unless it is a well-formed ORDER_ACK payload.
    /// @return m The decoded fields.
    function decodeOrderAck(bytes memory payload) internal pure returns (OrderAck memory m) {
        _expect(payload, ORDER_ACK);
        // A struct of static fields is encoded inline: the same words as the flat fields, in fewer stack slots.
        (,, m) = abi.decode(payload, (uint8, uint8, OrderAck));
    }

    /// @notice Decodes a LIQUIDATE payload (validating it first).
    /// @param payload The message; reverts unless it is a well-formed LIQUIDATE payload.
    /// @return m The decoded fields.
    function decodeLiquidate(bytes memory payload) internal pure returns (Liquidate memory m) {
        _expect(payload, LIQUIDATE);
        // A struct of static fields is encoded inline: the same words as the flat fields, in fewer stack slots.
        (,, m) = abi.decode(payload, (uint8, uint8, Liquidate));
    }

    /// @notice Decodes a WITHDRAW_DECISION payload (validating it first).
    /// @param payload The message; reverts unless it is a well-formed WITHDRAW_DECISION payload.
    /// @return m The decoded fields.
    function decodeWithdrawDecision(bytes memory payload) internal pure returns (WithdrawDecision memory m) {
        _expect(payload, WITHDRAW_DECISION);
        // A struct of static fields is encoded inline: the same words as the flat fields, in fewer stack slots.
        (,, m) = abi.decode(payload, (uint8, uint8, WithdrawDecision));
    }

    /// @notice Decodes a WITHDRAW_DONE payload (validating it first).
    /// @param payload The message; reverts unless it is a well-formed WITHDRAW_DONE payload.
    /// @return m The decoded fields.
    function decodeWithdrawDone(bytes memory payload) internal pure returns (WithdrawDone memory m) {
        _expect(payload, WITHDRAW_DONE);
        // A struct of static fields is encoded inline: the same words as the flat fields, in fewer stack slots.
        (,, m) = abi.decode(payload, (uint8, uint8, WithdrawDone));
    }

    // ------------------------------------------------------------------ internals

    function _expect(bytes memory payload, uint8 expected) private pure {
        uint8 actual = msgType(payload);
        if (actual != expected) revert UnexpectedMessageType(expected, actual);
    }

    function _checkInsurance(uint256 amount, uint256 insuranceAmount) private pure {
        if (insuranceAmount > amount) revert InsuranceExceedsAmount(amount, insuranceAmount);
    }

    function _checkOutcome(uint8 outcome) private pure {
        if (outcome == 0 || outcome > OUTCOME_ESCAPED) revert UnknownOutcome(outcome);
    }

    function _checkAckStatus(uint8 status) private pure {
        if (status == 0 || status > ACK_EXPIRED) revert UnknownAckStatus(status);
    }

    /// @dev The kinds of the fields after `(version, msgType)`, per type; reverts for an unknown type.
    function _fieldKinds(uint8 t) private pure returns (uint8[] memory kinds) {
        // `layout` holds one hex digit per field (its kind: 0 word, 1 address, 2 uint64, 3 bool, 4 uint8), the first
        // field in the most significant digit; `n` is the field count. E.g. BALANCE = address, address, uint256,
        // int256, uint64 = 0x11002.
        uint256 layout;
        uint256 n;
        if (t == BALANCE) (layout, n) = (0x11002, 5);
        else if (t == WITHDRAW_REQUEST) (layout, n) = (0x11022, 5);
        else if (t == EXPOSURE) (layout, n) = (0x110002, 6);
        else if (t == ORDER_ACK) (layout, n) = (0x0110042, 7);
        else if (t == LIQUIDATE) (layout, n) = (0x0110102, 7);
        else if (t == WITHDRAW_DECISION) (layout, n) = (0x0110232, 7);
        else if (t == WITHDRAW_DONE) (layout, n) = (0x1120042, 7);
        else revert UnknownMessageType(t);
        kinds = new uint8[](n);
        for (uint256 i; i < n; ++i) {
            // casting to uint8 is safe: one hex digit.
            // forge-lint: disable-next-line(unsafe-typecast)
            kinds[i] = uint8((layout >> (4 * (n - 1 - i))) & 0xf);
        }
    }

    function _inRange(uint256 value, uint8 kind) private pure returns (bool) {
        if (kind == _ADDRESS) return value >> 160 == 0;
        if (kind == _UINT64) return value >> 64 == 0;
        if (kind == _BOOL) return value < 2;
        if (kind == _UINT8) return value >> 8 == 0;
        return true;
    }

    /// @dev The `index`-th 32-byte word of `payload`; the caller has checked the length.
    function _word(bytes memory payload, uint256 index) private pure returns (uint256 value) {
        // Solidity cannot read one word at an offset of a `bytes memory` without copying it: a single MLOAD.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            value := mload(add(add(payload, 32), mul(index, 32)))
        }
    }
}
