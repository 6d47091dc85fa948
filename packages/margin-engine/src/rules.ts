// The skeleton's risk rule, kept apart from the book's bookkeeping so the full margin model
// (weights, caps, maintenance margin, planner) can replace these functions without touching it.

import type { Asset } from './assets.js';

/** 18-decimal fixed point scale of prices and USD values. */
export const WAD = 10n ** 18n;

/**
 * USD value (18 decimals) of `balance` base units of an asset priced at `price` (18 decimals per
 * whole unit). Rounded down — collateral is always valued in the protocol's favour.
 * @example collateralValue(1_500_000n, 2n * WAD, usdc6) // 1.5 USDC at $2 → 3n * WAD
 */
export function collateralValue(balance: bigint, price: bigint, asset: Pick<Asset, 'scale'>): bigint {
  return (balance * price) / asset.scale; // bigint division truncates; both operands are ≥ 0
}

/** The skeleton's threshold: an account with exposure is liquidatable once collateral is worth less. */
export function isLiquidatable(value: bigint, exposure: bigint): boolean {
  return exposure > 0n && value < exposure;
}

/** A holding the planner may seize from. */
export interface Seizable {
  readonly eid: number;
  readonly token: string;
  readonly balance: bigint;
  readonly pending: bigint;
}

/**
 * The skeleton's planner: seize everything still available (balance less pending seizures) on
 * every chain, in (eid, token) order. The full planner will pick the smallest sufficient set.
 */
export function planSeizures(holdings: readonly Seizable[]): Array<{ eid: number; token: string; amount: bigint }> {
  return [...holdings]
    .sort(compareHoldings)
    .map((h) => ({ eid: h.eid, token: h.token, amount: h.balance - h.pending }))
    .filter((s) => s.amount > 0n);
}

/** Deterministic order of holdings: by eid, then by token. */
export function compareHoldings(a: { eid: number; token: string }, b: { eid: number; token: string }): number {
  return a.eid - b.eid || (a.token < b.token ? -1 : a.token > b.token ? 1 : 0);
}
