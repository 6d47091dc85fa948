// The liquidation planner (README, "The model"), canonical path only: every amount it
// returns moves money. It simulates each action on the account and re-evaluates it exactly, so a
// plan's effect is, by construction, what evaluateAccountExact says it is. The bisections judge
// their probes on the exact health's sums with only the changed part recomputed: the sums are
// exact integers, so the split gives the same bits as a full evaluation of the trial account.

import {
  collateralTotals,
  evaluateExactUnchecked,
  isCross,
  maintenanceAt,
  marginRates,
  notionalOf,
  pnlAt,
  signedHealthOf,
  staleFactor,
  unsettledPnl,
} from './evaluate.js';
import { InvalidInputError } from './errors.js';
import { WAD, abs, divCeil, divFloor, max, min, mulDown, mulUp, scaleOf, toWadUp } from './fixed.js';
import { checkExactAccount, checkExactContext } from './model/check.js';
import type { ExactAccount, ExactCollateral, ExactContext, ExactPosition, MarginMode } from './model/types.js';

export interface PlannerConfig {
  /** Health factor a plan restores (WAD, > 1; e.g. 1.05). */
  readonly targetHealth: bigint;
  /** Liquidation penalty: a fraction of closed notional, and the bonus on seized collateral (WAD). */
  readonly penalty: bigint;
  /** Liquidator's share of the penalty (WAD); the insurance fund gets the rest. */
  readonly liquidatorShare: bigint;
  /**
   * Transfer cross positions to a backstop liquidator instead of closing them on the market:
   * `true` for every market, or the markets whose positions are transferred (default: none, every
   * position is closed). The backstop takes the position over at the mark price less the penalty;
   * the account realizes the same PnL and pays the same penalty as for a close, so the plan's
   * effect on the account is the same — it lists `transfers` instead of `closes`. Isolated
   * positions are always closed (they settle against their own margin).
   */
  readonly transferPositions?: boolean | readonly string[];
}

/** What the current rate-limit window still allows; a key that is absent is unlimited. */
export interface PlanBudget {
  /** Remaining closable notional per market (WAD USD). */
  readonly markets?: Readonly<Record<string, bigint>>;
  /** Remaining seizable value per chain (WAD USD). */
  readonly chains?: Readonly<Record<number, bigint>>;
}

export interface PlannedClose {
  readonly market: string;
  readonly mode: MarginMode;
  /** Signed quantity closed (same sign as the position). */
  readonly qty: bigint;
  readonly notional: bigint;
  /** PnL realized by the close, before the penalty. */
  readonly realizedPnl: bigint;
  readonly penalty: bigint;
}

/** A (part of a) cross position handed to the backstop liquidator at the mark price less the penalty. */
export interface PlannedTransfer {
  readonly market: string;
  readonly mode: 'cross';
  /** Signed quantity transferred (same sign as the position): the backstop now holds it. */
  readonly qty: bigint;
  /**
   * Price per unit the backstop takes it at (WAD USD): the mark less the penalty, i.e. a long at
   * mark × (1 − penalty) rounded down, a short at mark × (1 + penalty) rounded up.
   */
  readonly price: bigint;
  /** |qty| × mark, rounded up (what the per-market budget counts). */
  readonly notional: bigint;
  /** PnL realized at the mark, before the penalty (the same as a close's). */
  readonly realizedPnl: bigint;
  /** notional × penalty, rounded up: the account's loss against the mark, split like any penalty. */
  readonly penalty: bigint;
}

export interface PlannedSeizure {
  readonly asset: string;
  readonly chain: number;
  /** Base units seized (≤ confirmed balance − pending there + what of that a seizure may reclaim). */
  readonly amount: bigint;
  /** USD value seized, rounded down. */
  readonly value: bigint;
  /** Debt it repays: value / (1 + penalty), rounded down. */
  readonly debtRepaid: bigint;
  readonly penalty: bigint;
}

/** A debt repayment made with seized value, in base units of the negative balance (or realized PnL). */
export interface PlannedRepayment {
  readonly asset: string | null;
  readonly chain: number | null;
  readonly amount: bigint;
  readonly value: bigint;
}

export interface LiquidationPlan {
  readonly closes: readonly PlannedClose[];
  /** Positions transferred to the backstop (only with `transferPositions`), in plan order. */
  readonly transfers: readonly PlannedTransfer[];
  readonly seizures: readonly PlannedSeizure[];
  readonly repayments: readonly PlannedRepayment[];
  /** What the plan wanted but the rate limits did not allow now (kept, to be planned next window). */
  readonly queued: {
    readonly closes: ReadonlyArray<{ market: string; mode: MarginMode; qty: bigint }>;
    readonly transfers: ReadonlyArray<{ market: string; mode: MarginMode; qty: bigint }>;
    readonly seizures: ReadonlyArray<{ asset: string; chain: number; amount: bigint }>;
  };
  readonly penalty: { readonly total: bigint; readonly liquidator: bigint; readonly insurance: bigint };
  /** Debt left once nothing remains to seize or close: insurance fund first, then socialized. */
  readonly badDebt: { readonly total: bigint; readonly insurance: bigint; readonly socialized: bigint };
  readonly healthBefore: bigint;
  readonly healthAfter: bigint;
  readonly reachesTarget: boolean;
  /** The account as it stands once the plan (its executed part) is applied. */
  readonly accountAfter: ExactAccount;
}

/** The account a plan works on (and a probe's scratch copy): what `close` and `repay` mutate. @internal */
export interface PlannerAccount {
  collateral: ExactCollateral[];
  positions: ExactPosition[];
  realizedPnl: bigint;
}

/**
 * Signed health (not floored at 0), so actions on an underwater account still rank: signedHealth
 * of the full evaluation, from the same pieces it sums (without its per-position figures).
 */
function health(a: PlannerAccount, ctx: ExactContext): bigint {
  const { wcM, debt } = collateralTotals(a.collateral, ctx, false);
  const positions = crossSums(a.positions, ctx, -1);
  return signedHealthOf(wcM, a.realizedPnl + positions.pnl, debt, positions.mm);
}
const frozen = (a: PlannerAccount): ExactAccount => ({
  collateral: a.collateral,
  positions: a.positions.filter((p) => p.qty !== 0n || p.openCost !== 0n),
  realizedPnl: a.realizedPnl,
});

/** Open cost of what remains of `p` once `rest` (same sign, |rest| ≤ |qty|) is left: pro rata, rounded down. */
const costLeft = (p: ExactPosition, rest: bigint): bigint => (rest === 0n ? 0n : divFloor(p.openCost * rest, p.qty));

/**
 * A position with `closed` (same sign, |closed| ≤ |qty|) removed, and the PnL that realizes: the
 * position's unsettled PnL less what the rest keeps unsettled.
 */
function closePart(p: ExactPosition, closed: bigint, mark: bigint, cumFunding: bigint) {
  const rest = p.qty - closed;
  const openCost = costLeft(p, rest);
  const realized = unsettledPnl(p, mark, cumFunding) - pnlAt(rest, openCost, p.lastCumFunding, mark, cumFunding);
  return { position: { ...p, qty: rest, openCost }, realized };
}

/** Σ unsettled PnL and Σ maintenance margin of the cross positions, but the one at `skip`. */
function crossSums(positions: readonly ExactPosition[], ctx: ExactContext, skip: number) {
  let pnl = 0n;
  let mm = 0n;
  for (let j = 0; j < positions.length; j++) {
    const q = positions[j]!;
    if (j === skip || !isCross(q)) continue;
    const m = ctx.markets[q.market]!;
    pnl += unsettledPnl(q, m.markPrice, m.cumFunding);
    mm += maintenanceAt(q.qty, m.markPrice, m);
  }
  return { pnl, mm };
}

/** Applies `usd` of repayment to the account's debts (mutates `s`), recording the repayments. */
function repay(s: PlannerAccount, usd: bigint, record: PlannedRepayment[] | null, ctx: ExactContext): void {
  let left = usd;
  if (s.realizedPnl < 0n && left > 0n) {
    const v = min(left, -s.realizedPnl);
    s.realizedPnl += v;
    left -= v;
    record?.push({ asset: null, chain: null, amount: v, value: v });
  }
  if (left <= 0n) return; // all of it went to the realized loss (most probes): no balances to rank
  const debts = s.collateral
    .map((c, i) => ({
      c,
      i,
      value:
        c.qty - (c.pending ?? 0n) < 0n
          ? mulUp(toWadUp(-(c.qty - (c.pending ?? 0n)), ctx.assets[c.asset]!.decimals), ctx.assets[c.asset]!.price)
          : 0n,
    }))
    .filter((d) => d.value > 0n)
    .sort((x, y) => (x.value > y.value ? -1 : x.value < y.value ? 1 : x.i - y.i));
  for (const d of debts) {
    if (left <= 0n) break;
    const asset = ctx.assets[d.c.asset]!;
    const owed = -(d.c.qty - (d.c.pending ?? 0n));
    // base units this much USD repays, rounded down (the protocol never over-credits)
    const units = asset.price === 0n ? owed : min(owed, divFloor(left * scaleOf(asset.decimals), asset.price));
    if (units <= 0n) break;
    const value = min(left, divCeil(units * asset.price, scaleOf(asset.decimals)));
    s.collateral[d.i] = { ...d.c, qty: d.c.qty + units };
    left -= value;
    record?.push({ asset: d.c.asset, chain: d.c.chain, amount: units, value });
  }
  // a remainder too small to repay one base unit is kept by the account as realized PnL
  if (left > 0n) s.realizedPnl += left;
}

/** What a seizure may take from a holding: its balance less what is pending, but what it may reclaim. */
const seizable = (c: ExactCollateral): bigint => c.qty - (c.pending ?? 0n) + (c.reclaimable ?? 0n);

/**
 * The holding once `x` (≤ {@link seizable}) is seized, as the vault does it: from the balance
 * nothing holds first, then from the reclaimable requests, which shrink by what is taken (so the
 * holding's effective balance never goes below 0 for it).
 */
function seizeFrom(c: ExactCollateral, x: bigint): ExactCollateral {
  const reclaimable = c.reclaimable ?? 0n;
  const taken = reclaimable === 0n ? 0n : min(reclaimable, max(0n, x - max(0n, c.qty - (c.pending ?? 0n))));
  return taken === 0n
    ? { ...c, qty: c.qty - x }
    : { ...c, qty: c.qty - x, pending: c.pending! - taken, reclaimable: reclaimable - taken };
}

/** USD value of `x` base units of a holding, rounded down. */
const valueOf = (c: ExactCollateral, x: bigint, ctx: ExactContext): bigint =>
  mulDown((x * WAD) / scaleOf(ctx.assets[c.asset]!.decimals), ctx.assets[c.asset]!.price);

/**
 * Closing part of cross position `i`. `health(x)` is the probe: the account's signed health with
 * |x| of the position closed as `close` would (PnL realized, penalty charged) — what a full
 * evaluation of that account gives, computed from sums taken once: a close changes this position
 * and the realized PnL only, so the collateral and the other cross positions enter every probe
 * alike; x = 0 is the account as it is. `smallest(target)` is the smallest x in [1, |qty|] with
 * health(x) ≥ target — the bisection's answer — given health(|qty|) ≥ target.
 * @internal
 */
export function closeTrial(
  a: PlannerAccount,
  ctx: ExactContext,
  i: number,
  penalty: bigint,
): { health: (x: bigint) => bigint; smallest: (target: bigint) => bigint } {
  const p = a.positions[i]!;
  const m = ctx.markets[p.market]!;
  const { wcM, debt } = collateralTotals(a.collateral, ctx, false);
  const others = crossSums(a.positions, ctx, i);
  // The close realizes the position's unsettled PnL less what the rest keeps unsettled
  // (closePart), and the rest's stays in the sum: together exactly the position's PnL now, so a
  // probe's PnL differs from the account's by the penalty alone.
  const pnl = a.realizedPnl + others.pnl + unsettledPnl(p, m.markPrice, m.cumFunding);
  const health = (x: bigint): bigint => {
    const rest = p.qty - (p.qty > 0n ? x : -x);
    const pen = mulUp(divCeil(x * m.markPrice, WAD), penalty);
    return signedHealthOf(wcM, pnl - pen, debt, others.mm + maintenanceAt(rest, m.markPrice, m));
  };
  const smallestReaching = (target: bigint): bigint => {
    const ok = (x: bigint) => health(x) >= target;
    const full = abs(p.qty);
    const b = closeBracket({ numerator: wcM + pnl, denominatorRest: debt + others.mm, qty: full, penalty, target }, m);
    // The bracket's ends are checked exactly: were its proof ever wrong, the full bisection decides.
    if (b && (b.lo === 0n || !ok(b.lo)) && ok(b.hi)) return smallestIn(b.lo, b.hi, ok);
    return smallestIn(0n, full, ok);
  };
  return { health, smallest: smallestReaching };
}

/**
 * Where the smallest close reaching `target` lies, when that can be proven cheaply: an interval
 * (lo, hi] holding it, usually one or two units wide, or null (the caller bisects all of
 * [1, qty]).
 *
 * With the position's maintenance rate r the same at every size up to `qty` (its size-scaled
 * term does not bind), closing x of it gives health(x) ≥ target exactly when
 *
 *   g(x) = (N − pen(x))·W − T·(D + mm(x)) ≥ 0,   pen(x) = ⌈⌈x·M/W⌉·P/W⌉,   mm(x) = ⌈⌈(q−x)·M/W⌉·r/W⌉
 *
 * (signedHealthOf's ⌊num·W/den⌋ ≥ T is num·W ≥ T·den for den > 0, and den = 0 gives ∞ or 0 by
 * the sign of num, the same as g's). Each unit closed adds at most ⌈⌈M/W⌉·P/W⌉ to the penalty
 * and takes at least ⌊⌊M/W⌋·r/W⌋ off the margin (⌈a + c⌉ − ⌈a⌉ lies in [⌊c⌋, ⌈c⌉]), so when
 * T·⌊⌊M/W⌋·r/W⌋ ≥ W·⌈⌈M/W⌉·P/W⌉, g never falls as x grows: the predicate is monotone and its
 * one crossing is what any bisection of it returns. Dropping the roundings bounds g between two
 * straight lines B apart:
 *
 *   W²·g(x) ≤ K + x·S   and   W²·g(x) > K + x·S − B,   with S = M·(T·r − W·P),
 *   K = (N·W − T·D)·W² − T·q·M·r,   B = W²·(P + W + T) + W·T·r,
 *
 * so g < 0 below −K/S and g ≥ 0 from (B − K)/S on; the two are B/S apart — a fraction of a unit
 * when closing a unit frees more margin than its penalty costs by more than the roundings.
 * @internal
 */
export function closeBracket(
  s: { numerator: bigint; denominatorRest: bigint; qty: bigint; penalty: bigint; target: bigint },
  m: ExactContext['markets'][string],
): { lo: bigint; hi: bigint } | null {
  const M = m.markPrice;
  const { numerator: N, denominatorRest: D, qty: q, penalty: P, target: T } = s;
  if (M <= 0n || q <= 1n) return null;
  const r = marginRates(0n, m).mmr;
  // the rate is nondecreasing in notional: equal at both ends, it is the same everywhere between
  if (marginRates(notionalOf(q, M), m).mmr !== r) return null;
  if (T * (((M / WAD) * r) / WAD) < WAD * divCeil(divCeil(M, WAD) * P, WAD)) return null;
  const S = M * (T * r - WAD * P);
  if (S <= 0n) return null;
  const W2 = WAD * WAD;
  const K = (N * WAD - T * D) * W2 - T * q * M * r;
  const B = W2 * (P + WAD + T) + WAD * T * r;
  const lo = max(0n, divCeil(-K, S) - 1n);
  // (at or below 0, every x reaches the target: the search's answer is 1)
  const hi = max(1n, min(q, divCeil(B - K, S)));
  return lo < hi ? { lo, hi } : null;
}

/**
 * The bisection's probe for a seizure from holding `i` (whose available balance covers every x
 * probed): x ↦ signed health of the account with x base units seized there and their value less
 * the penalty repaid — what a full evaluation of that account gives. A seizure changes collateral
 * and realized PnL only, so the cross positions enter every probe as sums taken once. Probes share
 * one scratch account, reset from `a` each time. x = 0 is the account as it is.
 * @internal
 */
export function seizureProbe(a: PlannerAccount, ctx: ExactContext, i: number, penalty: bigint): (x: bigint) => bigint {
  const c = a.collateral[i]!;
  const positions = crossSums(a.positions, ctx, -1);
  const s: PlannerAccount = { collateral: a.collateral.slice(), positions: a.positions, realizedPnl: a.realizedPnl };
  return (x) => {
    for (let j = 0; j < a.collateral.length; j++) s.collateral[j] = a.collateral[j]!;
    s.collateral[i] = seizeFrom(c, x);
    s.realizedPnl = a.realizedPnl;
    repay(s, divFloor(valueOf(c, x, ctx) * WAD, WAD + penalty), null, ctx);
    const { wcM, debt } = collateralTotals(s.collateral, ctx, false);
    return signedHealthOf(wcM, s.realizedPnl + positions.pnl, debt, positions.mm);
  };
}

/** Smallest integer x in [1, hi] with ok(x), given ok(hi); ok is assumed monotone. */
function smallest(hi: bigint, ok: (x: bigint) => boolean): bigint {
  return smallestIn(0n, hi, ok);
}

/** Smallest integer x in (lo, hi] with ok(x), given ok(hi) and !ok(lo) (or lo = 0); ok is assumed monotone. */
function smallestIn(lo: bigint, hi: bigint, ok: (x: bigint) => boolean): bigint {
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Plans the liquidation of an account: the smallest greedy set of actions that brings its health
 * factor back to `config.targetHealth`.
 *
 * 1. Isolated positions below their maintenance margin are closed whole (they are judged alone);
 *    what is left of their margin returns to the account, a shortfall is bad debt.
 * 2. Cross positions are closed, largest maintenance margin first, each by the smallest quantity
 *    that reaches the target (bisection on the exact health factor); PnL is realized into the
 *    account and the penalty charged on the closed notional. With `config.transferPositions`
 *    they are transferred to the backstop liquidator instead, at the mark less the penalty: the
 *    same quantities and the same effect on the account, listed in `transfers`.
 * 3. Collateral is seized to repay debt (negative realized PnL first, then negative balances,
 *    largest first), freshest chain first (fresh, then latest report), then most liquid asset
 *    (highest maintenance weight), never more than the confirmed balance less what is pending
 *    there (but its `reclaimable` part: withdrawal requests nobody approved, which the vault
 *    shrinks once the free balance is gone); the seized value repays value / (1 + penalty) of
 *    debt, the rest is the penalty.
 * 4. Debt left when nothing remains is bad debt: the insurance fund, then socialized loss.
 *
 * Per-window budgets cap closed notional per market (closes and transfers alike: the backstop's
 * capacity is finite too) and seized value per chain; the remainder is returned in `queued`, not
 * dropped. No account is exempt.
 */
export function planLiquidation(
  account: ExactAccount,
  ctx: ExactContext,
  config: PlannerConfig,
  options: { budget?: PlanBudget; insuranceFund?: bigint } = {},
): LiquidationPlan {
  checkExactContext(ctx);
  checkExactAccount(account, ctx);
  if (typeof config.targetHealth !== 'bigint' || config.targetHealth < WAD)
    throw new InvalidInputError('config.targetHealth', 'expected a bigint ≥ 1 (WAD)');
  if (typeof config.penalty !== 'bigint' || config.penalty < 0n || config.penalty >= WAD)
    throw new InvalidInputError('config.penalty', 'expected a bigint in [0, 1) (WAD)');
  if (typeof config.liquidatorShare !== 'bigint' || config.liquidatorShare < 0n || config.liquidatorShare > WAD)
    throw new InvalidInputError('config.liquidatorShare', 'expected a bigint in [0, 1] (WAD)');
  checkTransferPositions('config.transferPositions', config.transferPositions, ctx.markets);
  return planUnchecked(account, ctx, config, options);
}

/**
 * Checks a planner's `transferPositions`: absent, a boolean, or a list of known markets.
 * @throws InvalidInputError naming `field` (or the offending entry).
 */
export function checkTransferPositions(
  field: string,
  value: unknown,
  markets: Readonly<Record<string, unknown>>,
): void {
  if (value === undefined || typeof value === 'boolean') return;
  if (!Array.isArray(value)) throw new InvalidInputError(field, 'expected a boolean or a list of markets');
  value.forEach((m: unknown, i) => {
    if (typeof m !== 'string' || !Object.hasOwn(markets, m))
      throw new InvalidInputError(`${field}[${i}]`, `unknown market ${JSON.stringify(m)}`);
  });
}

/** {@link planLiquidation} without validation (the book validated its state already). */
export function planUnchecked(
  account: ExactAccount,
  ctx: ExactContext,
  config: PlannerConfig,
  options: { budget?: PlanBudget; insuranceFund?: bigint } = {},
): LiquidationPlan {
  const target = config.targetHealth;
  const a: PlannerAccount = {
    collateral: account.collateral.map((c) => ({ ...c })),
    positions: account.positions.map((p) => ({ ...p })),
    realizedPnl: account.realizedPnl ?? 0n,
  };
  const marketBudget = new Map(Object.entries(options.budget?.markets ?? {}));
  const chainBudget = new Map(Object.entries(options.budget?.chains ?? {}).map(([k, v]) => [Number(k), v]));
  const closes: PlannedClose[] = [];
  const transfers: PlannedTransfer[] = [];
  const tp = config.transferPositions;
  const transfersMarket = (market: string) => tp === true || (Array.isArray(tp) && tp.includes(market));
  const seizures: PlannedSeizure[] = [];
  const repayments: PlannedRepayment[] = [];
  const queuedCloses: Array<{ market: string; mode: MarginMode; qty: bigint }> = [];
  const queuedTransfers: Array<{ market: string; mode: MarginMode; qty: bigint }> = [];
  const queuedSeizures: Array<{ asset: string; chain: number; amount: bigint }> = [];
  let penaltyTotal = 0n;
  let isolatedBadDebt = 0n;
  const before = evaluateExactUnchecked(account, ctx, { details: false });

  /**
   * Applies a close of `want` (signed) on position index i, within the market budget — or, for a
   * cross position in a market configured for it, a transfer to the backstop, which changes the
   * account exactly as the close would.
   */
  const close = (i: number, want: bigint): void => {
    const p = a.positions[i]!;
    const m = ctx.markets[p.market]!;
    const transfer = (p.mode ?? 'cross') === 'cross' && transfersMarket(p.market);
    let qty = want;
    const budget = marketBudget.get(p.market);
    if (budget !== undefined) {
      // the largest quantity whose notional fits the budget
      const fit = m.markPrice === 0n ? abs(qty) : divFloor(budget * WAD, m.markPrice);
      if (abs(qty) > fit) {
        (transfer ? queuedTransfers : queuedCloses).push({
          market: p.market,
          mode: p.mode ?? 'cross',
          qty: qty - (qty > 0n ? fit : -fit),
        });
        qty = qty > 0n ? fit : -fit;
      }
    }
    if (qty === 0n) return;
    const notional = divCeil(abs(qty) * m.markPrice, WAD);
    if (budget !== undefined) marketBudget.set(p.market, budget - min(budget, notional));
    const { position, realized } = closePart(p, qty, m.markPrice, m.cumFunding);
    const penalty = mulUp(notional, config.penalty);
    a.positions[i] = position;
    penaltyTotal += penalty;
    if (transfer) {
      // the backstop pays the mark less the penalty per unit: a long below the mark, a short above
      const price = qty > 0n ? mulDown(m.markPrice, WAD - config.penalty) : mulUp(m.markPrice, WAD + config.penalty);
      transfers.push({ market: p.market, mode: 'cross', qty, price, notional, realizedPnl: realized, penalty });
    } else closes.push({ market: p.market, mode: p.mode ?? 'cross', qty, notional, realizedPnl: realized, penalty });
    if ((p.mode ?? 'cross') === 'isolated') {
      // an isolated position settles against its own margin; once closed, what is left returns
      // to the account and a shortfall is bad debt (the cross account never pays for it)
      const left = (p.isolatedMargin ?? 0n) + realized - penalty;
      if (position.qty !== 0n) {
        a.positions[i] = { ...position, isolatedMargin: left > 0n ? left : 0n };
        if (left < 0n) isolatedBadDebt += -left;
      } else {
        a.positions[i] = { ...position, isolatedMargin: 0n };
        if (left >= 0n) a.realizedPnl += left;
        else isolatedBadDebt += -left;
      }
    } else a.realizedPnl += realized - penalty;
  };

  // 1. isolated positions judged alone
  before.positions.forEach((r, i) => {
    if (r.mode === 'isolated' && r.liquidatable && a.positions[i]!.qty !== 0n) close(i, a.positions[i]!.qty);
  });

  // helpers of step 3
  const fresh = (c: ExactCollateral) => staleFactor(ctx.chains[c.chain]!, ctx.now) === WAD;
  const holdings = a.collateral
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => seizable(c) > 0n)
    .sort((x, y) => {
      const fx = fresh(x.c) ? 1 : 0;
      const fy = fresh(y.c) ? 1 : 0;
      if (fx !== fy) return fy - fx;
      const tx = ctx.chains[x.c.chain]!.lastReportAt;
      const ty = ctx.chains[y.c.chain]!.lastReportAt;
      if (tx !== ty) return tx > ty ? -1 : 1;
      const wx = ctx.assets[x.c.asset]!.maintenanceWeight;
      const wy = ctx.assets[y.c.asset]!.maintenanceWeight;
      if (wx !== wy) return wx > wy ? -1 : 1;
      return x.c.asset < y.c.asset ? -1 : x.c.asset > y.c.asset ? 1 : x.c.chain - y.c.chain;
    });
  /** Negative balances plus a realized loss: what seized collateral repays. */
  const totalDebt = (s: PlannerAccount) =>
    collateralTotals(s.collateral, ctx, false).debt + (s.realizedPnl < 0n ? -s.realizedPnl : 0n);

  // Pass 1 is the smallest greedy plan. If the account is still liquidatable after it (the target
  // cannot be reached by partial actions, e.g. equity is negative), pass 2 liquidates it fully:
  // every position closed, collateral seized up to the debt. No account is exempt.
  for (const force of [false, true]) {
    if (force && !evaluateExactUnchecked(a, ctx, { details: false }).liquidatable) break;
    // 2. cross positions, largest maintenance margin first
    const order = before.positions
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.mode === 'cross' && r.maintenanceMargin > 0n)
      .sort((x, y) =>
        x.r.maintenanceMargin > y.r.maintenanceMargin
          ? -1
          : x.r.maintenanceMargin < y.r.maintenanceMargin
            ? 1
            : x.i - y.i,
      );
    for (const { i } of order) {
      if (!force && health(a, ctx) >= target) break;
      if (a.positions[i]!.qty === 0n) continue;
      const p = a.positions[i]!;
      const trial = closeTrial(a, ctx, i, config.penalty);
      const trialHealth = trial.health;
      const full = abs(p.qty);
      const x = !force && trialHealth(full) >= target ? trial.smallest(target) : full;
      // Closing is only worth it if it helps; a close that lowers health (penalty above the
      // margin it releases) is skipped. (Closing nothing leaves the account as it is.)
      if (!force && trialHealth(x) < trialHealth(0n)) continue;
      close(i, p.qty > 0n ? x : -x);
    }

    // 3. seize collateral to repay debt
    for (const { i } of holdings) {
      if ((!force && health(a, ctx) >= target) || totalDebt(a) === 0n) break;
      const c = a.collateral[i]!;
      const available = seizable(c);
      const asset = ctx.assets[c.asset]!;
      const trialHealth = seizureProbe(a, ctx, i, config.penalty);
      // Never seize more than repays the whole debt (plus the penalty on it).
      const debtNow = totalDebt(a);
      const cover =
        asset.price === 0n
          ? available
          : divCeil(mulUp(debtNow, WAD + config.penalty) * scaleOf(asset.decimals), asset.price);
      const cap = min(available, cover);
      if (cap <= 0n) continue;
      let x = !force && trialHealth(cap) >= target ? smallest(cap, (q) => trialHealth(q) >= target) : cap;
      if (!force && trialHealth(x) < trialHealth(0n)) continue; // seizing this would not help
      const budget = chainBudget.get(c.chain);
      if (budget !== undefined) {
        let fit = x;
        while (fit > 0n && valueOf(c, fit, ctx) > budget)
          fit = asset.price === 0n ? 0n : min(fit - 1n, divFloor(budget * scaleOf(asset.decimals), asset.price));
        if (fit < x) {
          queuedSeizures.push({ asset: c.asset, chain: c.chain, amount: x - fit });
          x = fit;
        }
      }
      if (x <= 0n) continue;
      const value = valueOf(c, x, ctx);
      if (budget !== undefined) chainBudget.set(c.chain, budget - value);
      const debtRepaid = divFloor(value * WAD, WAD + config.penalty);
      a.collateral[i] = seizeFrom(c, x);
      repay(a, debtRepaid, repayments, ctx);
      penaltyTotal += value - debtRepaid;
      seizures.push({ asset: c.asset, chain: c.chain, amount: x, value, debtRepaid, penalty: value - debtRepaid });
    }
  }

  // 4. bad debt: what the account still owes once nothing is left to seize or close (isolated
  // positions are judged alone and settle against their own margin)
  const nothingLeft =
    a.collateral.every((c) => seizable(c) <= 0n) &&
    a.positions.every((p) => p.qty === 0n || (p.mode ?? 'cross') === 'isolated');
  const queuedAny = queuedCloses.length + queuedTransfers.length + queuedSeizures.length > 0;
  let bad = isolatedBadDebt;
  const owed = collateralTotals(a.collateral, ctx, false).debt - a.realizedPnl;
  if (nothingLeft && !queuedAny && owed > 0n) {
    // written off: the negative balances and the realized loss are cleared and booked as bad debt
    bad += owed;
    a.realizedPnl = 0n;
    a.collateral = a.collateral.map((c) => (c.qty - (c.pending ?? 0n) < 0n ? { ...c, qty: c.pending ?? 0n } : c));
  }
  const fund = options.insuranceFund ?? 0n;
  const insurance = min(bad, fund > 0n ? fund : 0n);
  const liquidator = mulDown(penaltyTotal, config.liquidatorShare);
  const final = evaluateExactUnchecked(a, ctx, { details: false });
  const latest = (qs: Array<{ market: string; mode: MarginMode; qty: bigint }>) => [
    ...new Map(qs.map((q) => [`${q.market}:${q.mode}`, q])).values(),
  ];
  return {
    closes,
    transfers,
    seizures,
    repayments,
    // a later request for the same market or holding supersedes an earlier one (pass 2 asks for all)
    queued: {
      closes: latest(queuedCloses),
      transfers: latest(queuedTransfers),
      seizures: [...new Map(queuedSeizures.map((q) => [`${q.asset}@${q.chain}`, q])).values()],
    },
    penalty: { total: penaltyTotal, liquidator, insurance: penaltyTotal - liquidator },
    badDebt: { total: bad, insurance, socialized: bad - insurance },
    healthBefore: before.healthFactor,
    healthAfter: final.healthFactor,
    reachesTarget: final.healthFactor >= target && !final.liquidatable,
    accountAfter: frozen(a),
  };
}
