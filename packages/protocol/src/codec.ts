import { decodeAbiParameters, encodeAbiParameters, getAddress, isAddress, type AbiParameter, type Hex } from 'viem';

import { MalformedPayloadError, UnknownMessageTypeError, UnsupportedVersionError } from './errors.js';
import type { HubBoundMessage, OmniMessage } from './messages.js';
import { AckStatus, MessageType, PROTOCOL_VERSION, WithdrawOutcome, type MessageTypeName } from './version.js';

type FieldKind = 'address' | 'bytes32' | 'uint256' | 'int256' | 'uint64' | 'uint8' | 'bool';

interface Field {
  readonly name: string;
  readonly kind: FieldKind;
}

const f = (name: string, kind: FieldKind): Field => ({ name, kind });

/** The fields after `(version, msgType)` of each type — the README table, in ABI order. */
const LAYOUTS: { readonly [K in MessageTypeName]: readonly Field[] } = {
  BALANCE: [
    f('account', 'address'),
    f('token', 'address'),
    f('balance', 'uint256'),
    f('delta', 'int256'),
    f('seq', 'uint64'),
  ],
  WITHDRAW_REQUEST: [
    f('account', 'address'),
    f('token', 'address'),
    f('amount', 'uint256'),
    f('requestId', 'uint64'),
    f('seq', 'uint64'),
  ],
  EXPOSURE: [
    f('account', 'address'),
    f('protocol', 'address'),
    f('market', 'bytes32'),
    f('size', 'int256'),
    f('entryPrice', 'uint256'),
    f('seq', 'uint64'),
  ],
  ORDER_ACK: [
    f('orderId', 'bytes32'),
    f('account', 'address'),
    f('token', 'address'),
    f('seized', 'uint256'),
    f('balance', 'uint256'),
    f('status', 'uint8'),
    f('seq', 'uint64'),
  ],
  LIQUIDATE: [
    f('orderId', 'bytes32'),
    f('account', 'address'),
    f('token', 'address'),
    f('amount', 'uint256'),
    f('recipient', 'address'),
    f('insuranceAmount', 'uint256'),
    f('expiry', 'uint64'),
  ],
  WITHDRAW_DECISION: [
    f('orderId', 'bytes32'),
    f('account', 'address'),
    f('token', 'address'),
    f('amount', 'uint256'),
    f('requestId', 'uint64'),
    f('approved', 'bool'),
    f('expiry', 'uint64'),
  ],
  WITHDRAW_DONE: [
    f('account', 'address'),
    f('token', 'address'),
    f('requestId', 'uint64'),
    f('paid', 'uint256'),
    f('balance', 'uint256'),
    f('outcome', 'uint8'),
    f('seq', 'uint64'),
  ],
};

const HUB_BOUND: ReadonlySet<MessageTypeName> = new Set([
  'BALANCE',
  'WITHDRAW_REQUEST',
  'EXPOSURE',
  'ORDER_ACK',
  'WITHDRAW_DONE',
]);

const OUTCOMES: ReadonlySet<number> = new Set(Object.values(WithdrawOutcome));
const ACK_STATUSES: ReadonlySet<number> = new Set(Object.values(AckStatus));
const ZERO_ADDRESS = /^0x0{40}$/;

const WORD_HEX = 64;
const HEADER: readonly AbiParameter[] = [
  { name: 'version', type: 'uint8' },
  { name: 'msgType', type: 'uint8' },
];

const TYPE_BY_CODE = new Map<number, MessageTypeName>(
  (Object.entries(MessageType) as [MessageTypeName, number][]).map(([name, code]) => [code, name]),
);

function abiParams(type: MessageTypeName): AbiParameter[] {
  return [...HEADER, ...LAYOUTS[type].map(({ name, kind }) => ({ name, type: kind }))];
}

/** Byte length of a payload of `type`: 32 × (2 + fields). */
function payloadLength(type: MessageTypeName): number {
  return 32 * (2 + LAYOUTS[type].length);
}

const MAX_UINT64 = 2n ** 64n - 1n;
const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_INT256 = 2n ** 255n - 1n;
const MIN_INT256 = -(2n ** 255n);
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

const RANGES = {
  uint64: [0n, MAX_UINT64],
  uint256: [0n, MAX_UINT256],
  int256: [MIN_INT256, MAX_INT256],
} as const;

/** Checks one field value before encoding; returns a reason, or undefined when it is valid. */
function invalidReason(kind: FieldKind, value: unknown): string | undefined {
  switch (kind) {
    case 'address':
      return typeof value === 'string' && isAddress(value)
        ? undefined
        : 'expected a 20-byte address (checksummed or lowercase)';
    case 'bytes32':
      return typeof value === 'string' && BYTES32.test(value) ? undefined : 'expected 32 bytes of hex';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'expected a boolean';
    case 'uint8':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 255
        ? undefined
        : 'expected an integer in 0..255';
    default: {
      if (typeof value !== 'bigint') return 'expected a bigint';
      const [min, max] = RANGES[kind];
      return value < min || value > max ? `${value} out of range for ${kind}` : undefined;
    }
  }
}

function typeName(type: unknown): MessageTypeName {
  if (typeof type === 'string' && Object.hasOwn(MessageType, type)) return type as MessageTypeName;
  throw new UnknownMessageTypeError(`unknown message type ${String(type)}`, {
    details: { type },
  });
}

/**
 * Encodes a message as its LayerZero payload, `abi.encode(uint8 version, uint8 msgType, …fields)`.
 * Refuses (MalformedPayloadError) a field out of range for its ABI type.
 *
 * @example
 * encodeMessage({ type: 'WITHDRAW_REQUEST', account, token, amount: 5n, seq: 1n }); // 0x…01…02…
 */
export function encodeMessage(msg: OmniMessage): Hex {
  const type = typeName((msg as { type?: unknown }).type);
  const fields = msg as unknown as Record<string, unknown>;
  const values: unknown[] = [PROTOCOL_VERSION, MessageType[type]];
  for (const { name, kind } of LAYOUTS[type]) {
    const value = fields[name];
    const reason = invalidReason(kind, value);
    if (reason !== undefined) {
      throw new MalformedPayloadError(`cannot encode ${type}: ${name}: ${reason}`, {
        details: { type, field: name, value },
      });
    }
    values.push(kind === 'address' ? getAddress(value as string) : value);
  }
  checkSemantics(type, fields, 'cannot encode');
  return encodeAbiParameters(abiParams(type), values);
}

/**
 * The cross-field rules both codecs enforce (Solidity `InsuranceExceedsAmount`, `ZeroRecipient`,
 * `UnknownOutcome`, `UnknownAckStatus`): a LIQUIDATE's `insuranceAmount` is at most its `amount` and
 * its `recipient` is not the zero address; a WITHDRAW_DONE's `outcome` is 1, 2 or 3; an ORDER_ACK's
 * `status` is 1 or 2.
 */
function checkSemantics(type: MessageTypeName, fields: Record<string, unknown>, what: string): void {
  if (type === 'LIQUIDATE' && (fields['insuranceAmount'] as bigint) > (fields['amount'] as bigint)) {
    throw new MalformedPayloadError(`${what} LIQUIDATE: insuranceAmount: exceeds amount`, {
      details: { type, field: 'insuranceAmount', amount: fields['amount'], insuranceAmount: fields['insuranceAmount'] },
    });
  }
  if (type === 'LIQUIDATE' && ZERO_ADDRESS.test(fields['recipient'] as string)) {
    throw new MalformedPayloadError(`${what} LIQUIDATE: recipient: the zero address cannot receive a seizure`, {
      details: { type, field: 'recipient' },
    });
  }
  if (type === 'ORDER_ACK' && !ACK_STATUSES.has(fields['status'] as number)) {
    throw new MalformedPayloadError(
      `${what} ORDER_ACK: status: ${String(fields['status'])} is not 1 (EXECUTED) or 2 (EXPIRED)`,
      { details: { type, field: 'status', status: fields['status'] } },
    );
  }
  if (type === 'WITHDRAW_DONE' && !OUTCOMES.has(fields['outcome'] as number)) {
    throw new MalformedPayloadError(
      `${what} WITHDRAW_DONE: outcome: ${String(fields['outcome'])} is not 1 (PAID), 2 (REJECTED) or 3 (ESCAPED)`,
      {
        details: { type, field: 'outcome', outcome: fields['outcome'] },
      },
    );
  }
}

/** The payload as lowercase hex without `0x`, or a MalformedPayloadError. */
function payloadHex(payload: unknown): string {
  if (typeof payload !== 'string' || !/^0x[0-9a-fA-F]*$/.test(payload)) {
    throw new MalformedPayloadError('malformed payload: expected 0x-prefixed hex', {
      details: { payload },
    });
  }
  if (payload.length % 2 !== 0) {
    throw new MalformedPayloadError('malformed payload: odd number of hex digits', {
      details: { length: payload.length - 2 },
    });
  }
  return payload.slice(2).toLowerCase();
}

function word(hex: string, index: number): string {
  return hex.slice(index * WORD_HEX, (index + 1) * WORD_HEX);
}

/** Reads and checks `(version, msgType)` of a payload and its exact length. */
function readHeader(hex: string): MessageTypeName {
  const bytes = hex.length / 2;
  if (bytes < 64) {
    throw new MalformedPayloadError(`malformed payload: ${bytes} bytes is shorter than the 64-byte header`, {
      details: { length: bytes },
    });
  }
  const version = BigInt('0x' + word(hex, 0));
  if (version !== BigInt(PROTOCOL_VERSION)) {
    throw new UnsupportedVersionError(`unsupported payload version ${version} (expected ${PROTOCOL_VERSION})`, {
      details: { version, expected: PROTOCOL_VERSION },
    });
  }
  const code = BigInt('0x' + word(hex, 1));
  const type = code <= 255n ? TYPE_BY_CODE.get(Number(code)) : undefined;
  if (type === undefined) {
    throw new UnknownMessageTypeError(`unknown message type ${code}`, {
      details: { msgType: code },
    });
  }
  const expected = payloadLength(type);
  if (bytes !== expected) {
    throw new MalformedPayloadError(`malformed payload: ${type} payload must be ${expected} bytes, got ${bytes}`, {
      details: { type, expected, length: bytes },
    });
  }
  return type;
}

/** Zero hex digits a canonical word of each kind starts with (what Solidity's abi.decode checks). */
const CLEAN_PREFIX: Partial<Record<FieldKind, number>> = { address: 24, uint64: 48, uint8: 62, bool: 62 };

function checkWords(hex: string, type: MessageTypeName): void {
  LAYOUTS[type].forEach(({ name, kind }, i) => {
    const w = word(hex, i + 2);
    const zeros = CLEAN_PREFIX[kind];
    const dirty = zeros !== undefined && !/^0*$/.test(w.slice(0, zeros));
    if (dirty || (kind === 'bool' && w.at(-1) !== '0' && w.at(-1) !== '1')) {
      throw new MalformedPayloadError(`malformed payload: ${type}.${name}: word 0x${w} is not a valid ${kind}`, {
        details: { type, field: name, word: `0x${w}` },
      });
    }
  });
}

/**
 * Decodes a LayerZero payload. Checks, in this order, the version, the type and the exact length
 * for the type, then that every word is canonical for its ABI type (an address, `uint64` or `bool`
 * with dirty high bits is refused, as Solidity's `abi.decode` does), then the cross-field rules
 * (a LIQUIDATE's insurance part ≤ its amount and a non-zero recipient, a WITHDRAW_DONE's outcome 1-3,
 * an ORDER_ACK's status 1-2). Addresses come back
 * checksummed, bytes32 lowercase.
 *
 * @throws UnsupportedVersionError | UnknownMessageTypeError | MalformedPayloadError
 */
export function decodeMessage(payload: Hex): OmniMessage {
  const hex = payloadHex(payload);
  const type = readHeader(hex);
  checkWords(hex, type);
  const values = decodeAbiParameters(abiParams(type), `0x${hex}`);
  const msg: Record<string, unknown> = { type };
  LAYOUTS[type].forEach(({ name, kind }, i) => {
    const value = values[i + 2];
    msg[name] = kind === 'address' ? getAddress(value as string) : value;
  });
  checkSemantics(type, msg, 'malformed payload:');
  return msg as unknown as OmniMessage;
}

/**
 * Decodes a payload that arrived at the hub: like {@link decodeMessage}, but a spoke-bound type
 * (LIQUIDATE, WITHDRAW_DECISION) is refused with UnknownMessageTypeError, as the hub's
 * `_lzReceive` does.
 */
export function decodeHubBoundMessage(payload: Hex): HubBoundMessage {
  const hex = payloadHex(payload);
  const type = readHeader(hex);
  if (!HUB_BOUND.has(type)) {
    throw new UnknownMessageTypeError(`message type ${MessageType[type]} (${type}) is not hub-bound`, {
      details: { msgType: MessageType[type], type },
    });
  }
  return decodeMessage(payload) as HubBoundMessage;
}
