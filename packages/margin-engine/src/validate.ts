import { InvalidInputError } from './errors.js';

// Validation at the engine's boundary: every public mutator checks its whole input first and only
// then mutates, so a throw never leaves the book half-applied.

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const UINT256_MAX = (1n << 256n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;
const UINT32_MAX = 2 ** 32 - 1;

/** A 20-byte hex address, normalized to lower case (the engine's key form). */
export function address(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ADDRESS.test(value)) {
    throw new InvalidInputError(field, 'expected a 0x-prefixed 20-byte hex address', { value: describe(value) });
  }
  return value.toLowerCase();
}

/** A 32-byte hex id (order ids), normalized to lower case. */
export function bytes32(field: string, value: unknown): string {
  if (typeof value !== 'string' || !BYTES32.test(value)) {
    throw new InvalidInputError(field, 'expected a 0x-prefixed 32-byte hex string', { value: describe(value) });
  }
  return value.toLowerCase();
}

/** An unsigned 256-bit amount given as a bigint. */
export function uint256(field: string, value: unknown): bigint {
  if (typeof value !== 'bigint') throw new InvalidInputError(field, 'expected a bigint', { value: describe(value) });
  if (value < 0n) throw new InvalidInputError(field, 'must not be negative', { value: value.toString() });
  if (value > UINT256_MAX) throw new InvalidInputError(field, 'exceeds uint256', { value: value.toString() });
  return value;
}

/** An unsigned 64-bit counter (sequence numbers, timestamps) given as a bigint. */
export function uint64(field: string, value: unknown): bigint {
  if (typeof value !== 'bigint') throw new InvalidInputError(field, 'expected a bigint', { value: describe(value) });
  if (value < 0n || value > UINT64_MAX)
    throw new InvalidInputError(field, 'out of uint64 range', { value: value.toString() });
  return value;
}

/** A LayerZero endpoint id (uint32, non-zero). */
export function eid(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > UINT32_MAX) {
    throw new InvalidInputError(field, 'expected a positive uint32 endpoint id', { value: describe(value) });
  }
  return value;
}

/** An object (not null, not an array) to read fields from. */
export function record(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(field, 'expected an object', { value: describe(value) });
  }
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === null) return 'null';
  return typeof value === 'object' ? (Array.isArray(value) ? 'array' : 'object') : `${typeof value} ${String(value)}`;
}
