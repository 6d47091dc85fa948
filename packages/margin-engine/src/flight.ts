// What a holding's amounts in flight mean, under the vault's seizure rule (issue 13, H1): a
// LIQUIDATE may take everything but the payouts the hub approved, first from the balance nothing
// holds, then from the account's withdrawal requests nobody approved yet (newest first, shrinking
// them). So the book splits what it holds in flight for a holding into
//
// - committed: seizures ordered and withdrawals approved, until the vault's ORDER_ACK or
//   WITHDRAW_DONE — gone for margin and for any further seizure;
// - undecided: requests the vault holds frozen that the book has not decided (deferred for a
//   sequence gap) or must decide again (their decision expired) — gone for margin, as they may
//   be paid, but seizable.
//
// A seizure in flight that reaches into the undecided requests shrinks them at the vault; the
// book does not edit its requests for it but reads, from the same figures, what of them survives
// every committed amount: min(undecided, max(0, qty − committed)). That part stays out for margin
// and is what the planner may reclaim; the rest is the seizures' own.

import { max, min } from './fixed.js';

/** A holding's in-flight amounts as margin and the planner read them (base units). */
export interface Flight {
  /** Seizures ordered and withdrawals approved, not yet acknowledged. */
  readonly committed: bigint;
  /** What counts out for margin: committed + the undecided requests that survive it. */
  readonly out: bigint;
  /** The undecided part of `out`: a seizure may take it (the vault shrinks those requests). */
  readonly reclaimable: bigint;
}

/** The flight of a holding with nothing in flight. */
export const NO_FLIGHT: Flight = Object.freeze({ committed: 0n, out: 0n, reclaimable: 0n });

/**
 * Splits a holding's in-flight amounts (by id) into committed and undecided ones and reads what
 * counts out for margin and what a seizure may take.
 *
 * @example
 * // 100 held, a request of 100 undecided and a seizure of 60 ordered: 40 of the request survive
 * flightOf(100n, new Map([['w:1:1', 100n], ['s', 60n]]), (id) => id === 'w:1:1');
 * // → { committed: 60n, out: 100n, reclaimable: 40n }  (seizable: 100 − 60 = 40)
 */
export function flightOf(
  qty: bigint,
  pending: ReadonlyMap<string, bigint> | null,
  undecided: (id: string) => boolean,
): Flight {
  if (pending === null || pending.size === 0) return NO_FLIGHT;
  let committed = 0n;
  let open = 0n;
  for (const [id, amount] of pending) {
    if (undecided(id)) open += amount;
    else committed += amount;
  }
  const survives = open === 0n ? 0n : min(open, max(0n, qty - committed));
  return { committed, out: committed + survives, reclaimable: survives };
}
