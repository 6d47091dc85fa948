// Maximum price age per asset (issue 13): a price older than its asset's `maxPriceAge` at the
// book's time — the latest input's time, never a clock — is stale, and counts as missing for the
// withdrawal approvals and liquidations of the asset's holders until a fresh one arrives.

import { InvalidInputError } from './errors.js';

/** An asset whose price is older than its `maxPriceAge` at the book's time. */
export interface StalePrice {
  readonly asset: string;
  /** Unix seconds of the last price. */
  readonly time: bigint;
  /** The book's time − `time` (seconds). */
  readonly age: bigint;
  readonly maxAge: bigint;
}

/** An asset with a maximum price age and a price: its age, and whether it is stale. */
export interface PriceAge extends StalePrice {
  readonly stale: boolean;
}

/** The configured maximum ages, and the judgements made with them. */
export class PriceAgeRule {
  private readonly maxAge = new Map<string, bigint>();

  /** @throws InvalidInputError naming `config.assets.<asset>.maxPriceAge` when one is not a bigint ≥ 1. */
  constructor(assets: Readonly<Record<string, { readonly maxPriceAge?: unknown }>>) {
    for (const [asset, a] of Object.entries(assets)) {
      const v = a.maxPriceAge;
      if (v === undefined) continue;
      if (typeof v !== 'bigint' || v < 1n)
        throw new InvalidInputError(`config.assets.${asset}.maxPriceAge`, 'expected a bigint ≥ 1 (seconds)');
      this.maxAge.set(asset, v);
    }
  }

  /** Whether a price of `asset` from `priceTime` is stale at `now`. */
  isStale(asset: string, priceTime: bigint, now: bigint): boolean {
    const maxAge = this.maxAge.get(asset);
    return maxAge !== undefined && now - priceTime > maxAge;
  }

  /** Every asset with a maximum age and a price in `prices`, sorted by name: its age at `now`. */
  ages(prices: ReadonlyMap<string, { readonly time: bigint }>, now: bigint): PriceAge[] {
    const out: PriceAge[] = [];
    for (const [asset, maxAge] of this.maxAge) {
      const p = prices.get(asset);
      if (p) out.push({ asset, time: p.time, age: now - p.time, maxAge, stale: now - p.time > maxAge });
    }
    return out.sort((x, y) => (x.asset < y.asset ? -1 : x.asset > y.asset ? 1 : 0));
  }

  /** The assets among `holdings` (a non-zero balance) whose price is stale at `now`, each once. */
  staleHeld(
    holdings: Iterable<{ readonly asset: string; readonly qty: bigint }>,
    prices: ReadonlyMap<string, { readonly time: bigint }>,
    now: bigint,
  ): string[] {
    const out: string[] = [];
    if (this.maxAge.size === 0) return out;
    for (const h of holdings) {
      const p = h.qty === 0n ? undefined : prices.get(h.asset);
      if (p && !out.includes(h.asset) && this.isStale(h.asset, p.time, now)) out.push(h.asset);
    }
    return out;
  }
}
