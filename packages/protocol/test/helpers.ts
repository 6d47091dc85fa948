import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { bytesToHex, getAddress, type Address, type Hex } from 'viem';

import type { DispatchEvent, HubBoundMessage, OmniMessage } from '../src/index.js';

export const MAX_UINT64 = 2n ** 64n - 1n;
export const MAX_UINT256 = 2n ** 256n - 1n;
export const MAX_INT256 = 2n ** 255n - 1n;
export const MIN_INT256 = -(2n ** 255n);

export const ALICE: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
export const BOB: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
export const USDC: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const ORDER_ID: Hex = `0x${'11'.repeat(32)}`;

export interface Vectors {
  vectors: { name: string; type: string; fields: Record<string, string | number | boolean>; payload: Hex }[];
  orderIds: { fields: Record<string, string | number>; orderId: Hex }[];
}

export const vectors: Vectors = JSON.parse(
  readFileSync(new URL('../test-vectors/payloads.json', import.meta.url), 'utf8'),
) as Vectors;

const BIGINT_FIELDS = new Set([
  'balance',
  'delta',
  'seq',
  'amount',
  'seized',
  'inputSeq',
  'requestId',
  'size',
  'entryPrice',
  'insuranceAmount',
  'paid',
  'expiry',
]);

/** A vector's JSON fields as a typed message (decimal strings → bigint). */
export function vectorMessage(type: string, fields: Record<string, string | number | boolean>): OmniMessage {
  const out: Record<string, unknown> = { type };
  for (const [k, v] of Object.entries(fields)) {
    out[k] = BIGINT_FIELDS.has(k) ? BigInt(v as string) : v;
  }
  return out as unknown as OmniMessage;
}

export const arbAddress: fc.Arbitrary<Address> = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => getAddress(bytesToHex(b)));

export const arbBytes32: fc.Arbitrary<Hex> = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b));

const withEdges = (min: bigint, max: bigint): fc.Arbitrary<bigint> =>
  fc.oneof(fc.constantFrom(min, max, 0n), fc.bigInt({ min, max }));

export const arbUint64 = withEdges(0n, MAX_UINT64);
export const arbUint256 = withEdges(0n, MAX_UINT256);
export const arbInt256 = fc.oneof(withEdges(MIN_INT256, MAX_INT256), fc.constantFrom(-1n, 1n));

/** Overwrites the 32-byte word at `index` of a payload. */
export function setWord(payload: Hex, index: number, word: string): Hex {
  const hex = payload.slice(2);
  const w = word.padStart(64, '0');
  return `0x${hex.slice(0, index * 64)}${w}${hex.slice((index + 1) * 64)}`;
}

/** Any hub-bound vault message (every type, fields over their whole ranges with edges). */
export const arbMessage: fc.Arbitrary<HubBoundMessage> = fc.oneof(
  fc.record({
    type: fc.constant('BALANCE' as const),
    account: arbAddress,
    token: arbAddress,
    balance: arbUint256,
    delta: arbInt256,
    seq: arbUint64,
  }),
  fc.record({
    type: fc.constant('WITHDRAW_REQUEST' as const),
    account: arbAddress,
    token: arbAddress,
    amount: arbUint256,
    requestId: arbUint64,
    seq: arbUint64,
  }),
  fc.record({
    type: fc.constant('EXPOSURE' as const),
    account: arbAddress,
    protocol: arbAddress,
    market: arbBytes32,
    size: arbInt256,
    entryPrice: arbUint256,
    seq: arbUint64,
  }),
  fc.record({
    type: fc.constant('WITHDRAW_DONE' as const),
    account: arbAddress,
    token: arbAddress,
    requestId: arbUint64,
    paid: arbUint256,
    balance: arbUint256,
    outcome: fc.constantFrom(1, 2, 3),
    seq: arbUint64,
  }),
  fc.record({
    type: fc.constant('ORDER_ACK' as const),
    orderId: arbBytes32,
    account: arbAddress,
    token: arbAddress,
    seized: arbUint256,
    balance: arbUint256,
    status: fc.constantFrom(1, 2),
    seq: arbUint64,
  }),
);

/** A hub `OrderDispatched` log as an input event (fields over their whole ranges with edges). */
export const arbDispatchEvent: fc.Arbitrary<DispatchEvent> = fc.record({
  kind: fc.constant('dispatch' as const),
  chainId: fc.oneof(fc.constantFrom(1, Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
  blockNumber: arbUint64,
  blockTimestamp: arbUint64,
  txHash: arbBytes32,
  logIndex: fc.oneof(fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.nat()),
  orderId: arbBytes32,
  dstEid: fc.oneof(fc.constantFrom(1, 2 ** 32 - 1), fc.integer({ min: 1, max: 2 ** 32 - 1 })),
  guid: arbBytes32,
});
