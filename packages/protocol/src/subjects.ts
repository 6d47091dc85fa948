import type { Hex } from 'viem';

import { SubjectError } from './errors.js';

/** The JetStream streams: inputs (chain events, prices) and outputs (orders). */
export const STREAMS = {
  /** Every input in one total order; a republished input (same msg id) within 2 min is dropped. */
  IN: { name: 'OMNI_IN', subjects: ['omni.in.>'], duplicateWindowMs: 2 * 60_000 },
  /**
   * Signed orders, msg id = `<orderId>:<signer>` (one copy per clearing signer); 1 h of dedupe
   * absorbs a node's re-emission of a replayed range.
   */
  OUT: { name: 'OMNI_OUT', subjects: ['omni.out.>'], duplicateWindowMs: 60 * 60_000 },
} as const;

const ASSET = /^[A-Z0-9_]{1,32}$/;
const MARKET = /^[A-Z0-9_-]{1,31}$/;
/** A single subject token for service and RPC names: no dots, wildcards or whitespace. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const MAX_UINT32 = 2 ** 32 - 1;
const MAX_UINT64 = 2n ** 64n - 1n;

function refuse(what: string, value: unknown, reason: string): never {
  throw new SubjectError(`invalid ${what} ${JSON.stringify(String(value))}: ${reason}`, {
    details: { [what]: value },
  });
}

function chainIdToken(chainId: number): string {
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    refuse('chainId', chainId, 'expected a positive integer');
  }
  return String(chainId);
}

function assetToken(asset: string): string {
  if (typeof asset !== 'string' || !ASSET.test(asset)) {
    refuse('asset', asset, 'expected 1-32 of A-Z, 0-9, _');
  }
  return asset;
}

function marketToken(market: string): string {
  if (typeof market !== 'string' || !MARKET.test(market)) {
    refuse('market', market, 'expected 1-31 of A-Z, 0-9, _, -');
  }
  return market;
}

function nameToken(what: string, name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    refuse(what, name, 'expected 1-64 of A-Z, a-z, 0-9, _, - (a single subject token)');
  }
  return name;
}

/**
 * NATS subject builders; each refuses (SubjectError) a token that is empty, contains a dot,
 * a wildcard or whitespace, or is otherwise invalid.
 *
 * @example
 * subjects.hubEvent(31337); // 'omni.in.hub.31337'
 * subjects.price('WETH');   // 'omni.in.price.WETH'
 * subjects.mark('ETH-PERP'); // 'omni.in.mark.ETH-PERP'
 * subjects.order(40102);    // 'omni.out.order.40102'
 */
export const subjects = {
  /** Hub logs of the hub chain `chainId`: inbound messages and order dispatches (stream OMNI_IN). */
  hubEvent(chainId: number): string {
    return `omni.in.hub.${chainIdToken(chainId)}`;
  },
  /** Prices of `asset`, an upper-case symbol (stream OMNI_IN). */
  price(asset: string): string {
    return `omni.in.price.${assetToken(asset)}`;
  },
  /** Mark and index prices of the perp market `market`, e.g. `ETH-PERP` (stream OMNI_IN). */
  mark(market: string): string {
    return `omni.in.mark.${marketToken(market)}`;
  },
  /** Orders for the vault at LayerZero endpoint id `dstEid` (stream OMNI_OUT). */
  order(dstEid: number): string {
    if (!Number.isInteger(dstEid) || dstEid <= 0 || dstEid > MAX_UINT32) {
      refuse('dstEid', dstEid, 'expected an integer in 1..2^32-1');
    }
    return `omni.out.order.${dstEid}`;
  },
  /** Dead letters of `service` (core NATS). */
  dlq(service: string): string {
    return `omni.dlq.${nameToken('service', service)}`;
  },
  /** Request/reply queries (core NATS). */
  rpc(name: string): string {
    return `omni.rpc.${nameToken('rpc name', name)}`;
  },
  allHubEvents: 'omni.in.hub.>',
  allPrices: 'omni.in.price.>',
  allMarks: 'omni.in.mark.>',
  allOrders: 'omni.out.order.>',
} as const;

/** JetStream `Nats-Msg-Id`s, so a republished input is deduplicated by the stream. */
export const msgIds = {
  /**
   * `<chainId>:<txHash>:<logIndex>`, the hash lowercased so every gateway produces the same id.
   *
   * @example msgIds.hubEvent(31337, '0xab…', 3); // '31337:0xab…:3'
   */
  hubEvent(chainId: number, txHash: Hex, logIndex: number): string {
    if (typeof txHash !== 'string' || !TX_HASH.test(txHash)) {
      refuse('txHash', txHash, 'expected 32 bytes of hex');
    }
    if (!Number.isSafeInteger(logIndex) || logIndex < 0) {
      refuse('logIndex', logIndex, 'expected a non-negative integer');
    }
    return `${chainIdToken(chainId)}:${txHash.toLowerCase()}:${logIndex}`;
  },
  /**
   * `price:<ASSET>:<publishTime>`.
   *
   * @example msgIds.price('WETH', 1764000000n); // 'price:WETH:1764000000'
   */
  price(asset: string, publishTime: bigint): string {
    if (typeof publishTime !== 'bigint' || publishTime < 0n || publishTime > MAX_UINT64) {
      refuse('publishTime', publishTime, 'expected a uint64 bigint');
    }
    return `price:${assetToken(asset)}:${publishTime}`;
  },
  /**
   * `mark:<MARKET>:<publishTime>`.
   *
   * @example msgIds.mark('ETH-PERP', 1764000000n); // 'mark:ETH-PERP:1764000000'
   */
  mark(market: string, publishTime: bigint): string {
    if (typeof publishTime !== 'bigint' || publishTime < 0n || publishTime > MAX_UINT64) {
      refuse('publishTime', publishTime, 'expected a uint64 bigint');
    }
    return `mark:${marketToken(market)}:${publishTime}`;
  },
  /**
   * `<orderId>:<signer>`, both lowercased: the copies of one order signed by different clearing
   * signers all land in OMNI_OUT, while one signer's re-publish of the same order is dropped.
   *
   * @example msgIds.order('0xab…', '0x7099…79C8'); // '0xab…:0x7099…79c8'
   */
  order(orderId: Hex, signer: Hex): string {
    if (typeof orderId !== 'string' || !TX_HASH.test(orderId)) {
      refuse('orderId', orderId, 'expected 32 bytes of hex');
    }
    if (typeof signer !== 'string' || !ADDRESS.test(signer)) {
      refuse('signer', signer, 'expected a 20-byte address');
    }
    return `${orderId.toLowerCase()}:${signer.toLowerCase()}`;
  },
};
