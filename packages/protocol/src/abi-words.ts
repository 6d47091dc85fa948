import type { Hex } from 'viem';

import { checksummedAddress } from './address.js';
import { MalformedPayloadError } from './errors.js';

// ABI words written by hand into caller-owned buffers: the EIP-712 struct encodings and the order
// ids are static tuples of fixed 32-byte words, so each field is written in place (no generic
// encoder, no intermediate hex strings). A field out of its Solidity type's range throws a
// MalformedPayloadError naming it.

/** Bytes per ABI word. */
export const WORD = 32;

const HEX_DIGITS = '0123456789abcdef';
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => HEX_DIGITS[i >> 4]! + HEX_DIGITS[i & 15]!);

/** Lower-case `0x…` hex of `bytes`. */
export function toHexString(bytes: Uint8Array): Hex {
  let out = '0x';
  for (let i = 0; i < bytes.length; i++) out += BYTE_HEX[bytes[i]!]!;
  return out as Hex;
}

/** The value of one hex digit's char code, or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * Writes the `2 * length` hex digits of `hex` from index `from` as `length` bytes at `out[at…]`.
 * Returns false (leaving `out` partly written) when a digit is not hex.
 */
export function writeHex(out: Uint8Array, at: number, hex: string, from: number, length: number): boolean {
  for (let i = 0; i < length; i++) {
    const hi = nibble(hex.charCodeAt(from + 2 * i));
    const lo = nibble(hex.charCodeAt(from + 2 * i + 1));
    if (hi < 0 || lo < 0) return false;
    out[at + i] = (hi << 4) | lo;
  }
  return true;
}

const UINT_MAX = { 32: 2n ** 32n - 1n, 64: 2n ** 64n - 1n, 256: 2n ** 256n - 1n } as const;

function fieldError(field: string, expected: string, value: unknown): MalformedPayloadError {
  const shown = typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? value : String(value);
  return new MalformedPayloadError(`order field ${field}: expected ${expected}, got ${shown}`, {
    details: { field, expected, value: typeof value === 'bigint' ? value.toString() : value },
  });
}

/** Writes the unsigned integer `value` (bigint, or a safe-integer number) as word `word` of `out`. */
export function writeUint(out: Uint8Array, word: number, field: string, bits: 32 | 64 | 256, value: unknown): void {
  let v: bigint;
  if (typeof value === 'bigint') v = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
  else throw fieldError(field, `a uint${bits}`, value);
  if (v < 0n || v > UINT_MAX[bits]) throw fieldError(field, `a uint${bits} (0 ≤ x < 2^${bits})`, value);
  const hex = v.toString(16);
  const digits = hex.length + (hex.length & 1); // whole bytes
  const bytes = digits / 2;
  const at = word * WORD;
  out.fill(0, at, at + WORD - bytes);
  writeHex(out, at + WORD - bytes, hex.length === digits ? hex : `0${hex}`, 0, bytes);
}

/** Writes the address `value` (checksummed or all one case, as viem's `isAddress` accepts) as word `word`. */
export function writeAddress(out: Uint8Array, word: number, field: string, value: unknown): void {
  // checked through the bounded cache of spellings: a checksum's keccak is paid once per address
  if (typeof value !== 'string' || checksummedAddress(value) === undefined)
    throw fieldError(field, 'an address', value);
  const at = word * WORD;
  out.fill(0, at, at + 12);
  writeHex(out, at + 12, value, 2, 20);
}

export function writeBytes32(out: Uint8Array, word: number, field: string, value: unknown): void {
  if (
    typeof value !== 'string' ||
    value.length !== 66 ||
    !value.startsWith('0x') ||
    !writeHex(out, word * WORD, value, 2, WORD)
  )
    throw fieldError(field, 'a 32-byte 0x-hex string', value);
}

export function writeBool(out: Uint8Array, word: number, field: string, value: unknown): void {
  if (typeof value !== 'boolean') throw fieldError(field, 'a boolean', value);
  const at = word * WORD;
  out.fill(0, at, at + WORD - 1);
  out[at + WORD - 1] = value ? 1 : 0;
}
