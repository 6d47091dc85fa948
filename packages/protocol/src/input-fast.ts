import type { Address, Hex } from 'viem';

import { checksummedAddress } from './address.js';
import type { DispatchEvent, HubEvent, InputEvent, MarkEvent, PriceEvent } from './events.js';
import { MARKET_SYMBOL } from './market.js';
import type { HubBoundMessage } from './messages.js';

// A hand-written validator for OMNI_IN messages, the same rules as the zod schemas in events.ts.
// It answers only "valid, and here is the value" or "not sure" (undefined): whatever it does not
// accept goes through the zod schemas, which stay the reference and produce every error message.
// So a malformed input is refused with exactly the zod path's error, and a valid one parses to the
// same value (a differential property test holds the two together).

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ASSET = /^[A-Z0-9_]{1,32}$/;
const MAX_UINT64 = 2n ** 64n - 1n;
const MAX_UINT256 = 2n ** 256n - 1n;
const MIN_INT256 = -(2n ** 255n);
const MAX_INT256 = 2n ** 255n - 1n;
const MAX_UINT32 = 2 ** 32 - 1;

/** Parse failures are rare and go to zod: one shared sentinel instead of an allocation each. */
const INVALID = Symbol('invalid');
type Invalid = typeof INVALID;

function decimal(v: unknown, min: bigint, max: bigint): bigint | Invalid {
  if (typeof v !== 'string' || !DECIMAL.test(v)) return INVALID;
  const n = BigInt(v);
  return n < min || n > max ? INVALID : n;
}

function int(v: unknown, min: number, max: number): number | Invalid {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : INVALID;
}

function bytes32(v: unknown): Hex | Invalid {
  return typeof v === 'string' && BYTES32.test(v) ? (v.toLowerCase() as Hex) : INVALID;
}

function address(v: unknown): Address | Invalid {
  if (typeof v !== 'string') return INVALID;
  return checksummedAddress(v) ?? INVALID;
}

function source(v: unknown): string | Invalid {
  return typeof v === 'string' && v.length >= 1 && v.length <= 64 ? v : INVALID;
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/**
 * A plain object with exactly `n` own keys (the schema's fields, each checked by the caller), or
 * those and an own `__proto__` key (JSON.parse makes one of `"__proto__": …`; the schema's object
 * step before each strict one drops it, so the schema accepts it and leaves it out too).
 */
function record(v: unknown, n: number): Record<string, unknown> | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const keys = Object.keys(v).length;
  return keys === n || (keys === n + 1 && hasOwn(v, '__proto__')) ? (v as Record<string, unknown>) : null;
}

function message(v: unknown): HubBoundMessage | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  switch ((v as { type?: unknown }).type) {
    case 'BALANCE': {
      const o = record(v, 6);
      if (!o) return undefined;
      const account = address(o.account);
      const token = address(o.token);
      const balance = decimal(o.balance, 0n, MAX_UINT256);
      const delta = decimal(o.delta, MIN_INT256, MAX_INT256);
      const seq = decimal(o.seq, 0n, MAX_UINT64);
      if (account === INVALID || token === INVALID || balance === INVALID || delta === INVALID || seq === INVALID)
        return undefined;
      return { type: 'BALANCE', account, token, balance, delta, seq };
    }
    case 'WITHDRAW_REQUEST': {
      const o = record(v, 6);
      if (!o) return undefined;
      const account = address(o.account);
      const token = address(o.token);
      const amount = decimal(o.amount, 0n, MAX_UINT256);
      const requestId = decimal(o.requestId, 0n, MAX_UINT64);
      const seq = decimal(o.seq, 0n, MAX_UINT64);
      if (account === INVALID || token === INVALID || amount === INVALID || requestId === INVALID || seq === INVALID)
        return undefined;
      return { type: 'WITHDRAW_REQUEST', account, token, amount, requestId, seq };
    }
    case 'EXPOSURE': {
      const o = record(v, 7);
      if (!o) return undefined;
      const account = address(o.account);
      const protocol = address(o.protocol);
      const market = bytes32(o.market);
      const size = decimal(o.size, MIN_INT256, MAX_INT256);
      const entryPrice = decimal(o.entryPrice, 0n, MAX_UINT256);
      const seq = decimal(o.seq, 0n, MAX_UINT64);
      if (
        account === INVALID ||
        protocol === INVALID ||
        market === INVALID ||
        size === INVALID ||
        entryPrice === INVALID ||
        seq === INVALID
      )
        return undefined;
      return { type: 'EXPOSURE', account, protocol, market, size, entryPrice, seq };
    }
    case 'ORDER_ACK': {
      const o = record(v, 8);
      if (!o) return undefined;
      const orderId = bytes32(o.orderId);
      const account = address(o.account);
      const token = address(o.token);
      const seized = decimal(o.seized, 0n, MAX_UINT256);
      const balance = decimal(o.balance, 0n, MAX_UINT256);
      const status = int(o.status, 1, 2);
      const seq = decimal(o.seq, 0n, MAX_UINT64);
      if (
        orderId === INVALID ||
        account === INVALID ||
        token === INVALID ||
        seized === INVALID ||
        balance === INVALID ||
        status === INVALID ||
        seq === INVALID
      )
        return undefined;
      return { type: 'ORDER_ACK', orderId, account, token, seized, balance, status, seq };
    }
    case 'WITHDRAW_DONE': {
      const o = record(v, 8);
      if (!o) return undefined;
      const account = address(o.account);
      const token = address(o.token);
      const requestId = decimal(o.requestId, 0n, MAX_UINT64);
      const paid = decimal(o.paid, 0n, MAX_UINT256);
      const balance = decimal(o.balance, 0n, MAX_UINT256);
      const outcome = int(o.outcome, 1, 3);
      const seq = decimal(o.seq, 0n, MAX_UINT64);
      if (
        account === INVALID ||
        token === INVALID ||
        requestId === INVALID ||
        paid === INVALID ||
        balance === INVALID ||
        outcome === INVALID ||
        seq === INVALID
      )
        return undefined;
      return { type: 'WITHDRAW_DONE', account, token, requestId, paid, balance, outcome, seq } as HubBoundMessage;
    }
    default:
      return undefined;
  }
}

/** The fields every hub log carries (a `hub` or a `dispatch` event), or undefined. */
function logOf(
  o: Record<string, unknown>,
): Pick<HubEvent, 'chainId' | 'blockNumber' | 'blockTimestamp' | 'txHash' | 'logIndex'> | undefined {
  const chainId = int(o.chainId, 1, Number.MAX_SAFE_INTEGER);
  const blockNumber = decimal(o.blockNumber, 0n, MAX_UINT64);
  const blockTimestamp = decimal(o.blockTimestamp, 0n, MAX_UINT64);
  const txHash = bytes32(o.txHash);
  const logIndex = int(o.logIndex, 0, Number.MAX_SAFE_INTEGER);
  if (
    chainId === INVALID ||
    blockNumber === INVALID ||
    blockTimestamp === INVALID ||
    txHash === INVALID ||
    logIndex === INVALID
  )
    return undefined;
  return { chainId, blockNumber, blockTimestamp, txHash, logIndex };
}

function hub(o: Record<string, unknown>): HubEvent | undefined {
  const log = logOf(o);
  const srcEid = int(o.srcEid, 1, MAX_UINT32);
  const nonce = decimal(o.nonce, 0n, MAX_UINT64);
  const guid = bytes32(o.guid);
  if (log === undefined || srcEid === INVALID || nonce === INVALID || guid === INVALID) return undefined;
  const m = message(o.message);
  if (!m) return undefined;
  const { chainId, blockNumber, blockTimestamp, txHash, logIndex } = log;
  return { kind: 'hub', chainId, blockNumber, blockTimestamp, txHash, logIndex, srcEid, nonce, guid, message: m };
}

function dispatch(o: Record<string, unknown>): DispatchEvent | undefined {
  const log = logOf(o);
  const orderId = bytes32(o.orderId);
  const dstEid = int(o.dstEid, 1, MAX_UINT32);
  const guid = bytes32(o.guid);
  if (log === undefined || orderId === INVALID || dstEid === INVALID || guid === INVALID) return undefined;
  const { chainId, blockNumber, blockTimestamp, txHash, logIndex } = log;
  return { kind: 'dispatch', chainId, blockNumber, blockTimestamp, txHash, logIndex, orderId, dstEid, guid };
}

function price(o: Record<string, unknown>): PriceEvent | undefined {
  const asset = o.asset;
  const value = decimal(o.price, 0n, MAX_UINT256);
  const publishTime = decimal(o.publishTime, 0n, MAX_UINT64);
  const src = source(o.source);
  if (
    typeof asset !== 'string' ||
    !ASSET.test(asset) ||
    value === INVALID ||
    publishTime === INVALID ||
    src === INVALID
  )
    return undefined;
  return { kind: 'price', asset, price: value, publishTime, source: src };
}

function mark(o: Record<string, unknown>): MarkEvent | undefined {
  const market = o.market;
  const markPrice = decimal(o.markPrice, 0n, MAX_UINT256);
  const indexPrice = decimal(o.indexPrice, 0n, MAX_UINT256);
  const publishTime = decimal(o.publishTime, 0n, MAX_UINT64);
  const src = source(o.source);
  if (
    typeof market !== 'string' ||
    !MARKET_SYMBOL.test(market) ||
    markPrice === INVALID ||
    indexPrice === INVALID ||
    publishTime === INVALID ||
    src === INVALID
  )
    return undefined;
  return { kind: 'mark', market, markPrice, indexPrice, publishTime, source: src };
}

/**
 * The input event `json` (an `OMNI_IN` body, parsed) if it is valid, else undefined: then only the
 * zod schema can say why (it refuses it, or accepts what this validator does not cover).
 */
export function fastInputEvent(json: unknown): InputEvent | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  switch ((json as { kind?: unknown }).kind) {
    case 'hub': {
      const o = record(json, 10);
      return o ? hub(o) : undefined;
    }
    case 'price': {
      const o = record(json, 5);
      return o ? price(o) : undefined;
    }
    case 'mark': {
      const o = record(json, 6);
      return o ? mark(o) : undefined;
    }
    case 'dispatch': {
      const o = record(json, 9);
      return o ? dispatch(o) : undefined;
    }
    default:
      return undefined;
  }
}
