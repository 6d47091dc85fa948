import { InvalidInputError } from './errors.js';
import type { SourceSeq } from './sequence.js';
import type { Address, OrderId, OrderRecord, OrderStatus } from './types.js';
import * as v from './validate.js';

/**
 * A book's full state as plain JSON (amounts and sequence numbers as decimal strings), in
 * canonical order. Configuration (assets, recipient) is not part of it: restore under the same
 * configuration.
 */
export interface BookSnapshot {
  readonly version: 1;
  readonly accounts: ReadonlyArray<{
    readonly account: Address;
    readonly holdings: ReadonlyArray<{
      readonly eid: number;
      readonly token: Address;
      readonly balance: string;
      readonly pending: ReadonlyArray<{ readonly orderId: OrderId; readonly amount: string }>;
    }>;
    readonly exposures: ReadonlyArray<{ readonly eid: number; readonly protocol: Address; readonly exposure: string }>;
  }>;
  readonly prices: ReadonlyArray<{ readonly asset: string; readonly price: string; readonly publishTime: string }>;
  readonly sources: ReadonlyArray<{
    readonly eid: number;
    readonly lastSeq: string;
    readonly gaps: number;
    readonly missing: string;
    readonly lastGap: { readonly eid: number; readonly expected: string; readonly received: string } | null;
  }>;
  readonly orders: ReadonlyArray<{
    readonly orderId: OrderId;
    readonly dstEid: number;
    readonly account: Address;
    readonly token: Address;
    readonly amount: string;
    readonly recipient: Address;
    readonly inputSeq: string;
    readonly status: OrderStatus;
    readonly seized: string | null;
    readonly ackSeq: string | null;
  }>;
}

/** A snapshot with bigints restored and every field validated. */
export interface ParsedSnapshot {
  accounts: Array<{
    account: Address;
    holdings: Array<{ eid: number; token: Address; balance: bigint; pending: Array<[OrderId, bigint]> }>;
    exposures: Array<{ eid: number; protocol: Address; exposure: bigint }>;
  }>;
  prices: Array<{ asset: string; price: bigint; publishTime: bigint }>;
  sources: SourceSeq[];
  orders: OrderRecord[];
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function big(field: string, value: unknown): bigint {
  if (typeof value !== 'string' || !DECIMAL.test(value))
    throw new InvalidInputError(field, 'expected a decimal string');
  return BigInt(value);
}

function list(field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new InvalidInputError(field, 'expected an array');
  return value;
}

/** Validates a snapshot (e.g. read back from storage) and converts its amounts to bigints. */
export function parseSnapshot(snapshot: unknown): ParsedSnapshot {
  const s = v.record('snapshot', snapshot);
  if (s.version !== 1) throw new InvalidInputError('snapshot.version', `unsupported version ${String(s.version)}`);
  const accounts = list('snapshot.accounts', s.accounts).map((raw, i) => {
    const at = `snapshot.accounts[${i}]`;
    const a = v.record(at, raw);
    return {
      account: v.address(`${at}.account`, a.account),
      holdings: list(`${at}.holdings`, a.holdings).map((hr, j) => {
        const hat = `${at}.holdings[${j}]`;
        const h = v.record(hat, hr);
        return {
          eid: v.eid(`${hat}.eid`, h.eid),
          token: v.address(`${hat}.token`, h.token),
          balance: v.uint256(`${hat}.balance`, big(`${hat}.balance`, h.balance)),
          pending: list(`${hat}.pending`, h.pending).map((pr, k): [OrderId, bigint] => {
            const p = v.record(`${hat}.pending[${k}]`, pr);
            return [
              v.bytes32(`${hat}.pending[${k}].orderId`, p.orderId),
              v.uint256(`${hat}.pending[${k}].amount`, big(`${hat}.pending[${k}].amount`, p.amount)),
            ];
          }),
        };
      }),
      exposures: list(`${at}.exposures`, a.exposures).map((er, j) => {
        const e = v.record(`${at}.exposures[${j}]`, er);
        return {
          eid: v.eid(`${at}.exposures[${j}].eid`, e.eid),
          protocol: v.address(`${at}.exposures[${j}].protocol`, e.protocol),
          exposure: v.uint256(`${at}.exposures[${j}].exposure`, big(`${at}.exposures[${j}].exposure`, e.exposure)),
        };
      }),
    };
  });
  const prices = list('snapshot.prices', s.prices).map((raw, i) => {
    const p = v.record(`snapshot.prices[${i}]`, raw);
    if (typeof p.asset !== 'string') throw new InvalidInputError(`snapshot.prices[${i}].asset`, 'expected a string');
    return {
      asset: p.asset,
      price: v.uint256(`snapshot.prices[${i}].price`, big(`snapshot.prices[${i}].price`, p.price)),
      publishTime: v.uint64(
        `snapshot.prices[${i}].publishTime`,
        big(`snapshot.prices[${i}].publishTime`, p.publishTime),
      ),
    };
  });
  const sources = list('snapshot.sources', s.sources).map((raw, i): SourceSeq => {
    const at = `snapshot.sources[${i}]`;
    const r = v.record(at, raw);
    if (typeof r.gaps !== 'number' || !Number.isSafeInteger(r.gaps) || r.gaps < 0)
      throw new InvalidInputError(`${at}.gaps`, 'expected a count');
    let lastGap = null;
    if (r.lastGap !== null) {
      const g = v.record(`${at}.lastGap`, r.lastGap);
      lastGap = {
        eid: v.eid(`${at}.lastGap.eid`, g.eid),
        expected: big(`${at}.lastGap.expected`, g.expected),
        received: big(`${at}.lastGap.received`, g.received),
      };
    }
    return {
      eid: v.eid(`${at}.eid`, r.eid),
      lastSeq: v.uint64(`${at}.lastSeq`, big(`${at}.lastSeq`, r.lastSeq)),
      gaps: r.gaps,
      missing: big(`${at}.missing`, r.missing),
      lastGap,
    };
  });
  const orders = list('snapshot.orders', s.orders).map((raw, i): OrderRecord => {
    const at = `snapshot.orders[${i}]`;
    const o = v.record(at, raw);
    if (o.status !== 'pending' && o.status !== 'acknowledged')
      throw new InvalidInputError(`${at}.status`, 'expected pending or acknowledged');
    return {
      kind: 'LIQUIDATE',
      orderId: v.bytes32(`${at}.orderId`, o.orderId),
      dstEid: v.eid(`${at}.dstEid`, o.dstEid),
      account: v.address(`${at}.account`, o.account),
      token: v.address(`${at}.token`, o.token),
      amount: v.uint256(`${at}.amount`, big(`${at}.amount`, o.amount)),
      recipient: v.address(`${at}.recipient`, o.recipient),
      inputSeq: v.uint64(`${at}.inputSeq`, big(`${at}.inputSeq`, o.inputSeq)),
      status: o.status,
      seized: o.seized === null ? null : v.uint256(`${at}.seized`, big(`${at}.seized`, o.seized)),
      ackSeq: o.ackSeq === null ? null : v.uint64(`${at}.ackSeq`, big(`${at}.ackSeq`, o.ackSeq)),
    };
  });
  return { accounts, prices, sources, orders };
}
