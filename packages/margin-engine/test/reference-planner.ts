// The planner as it was before its probes were made incremental: every bisection probe builds a
// trial account and evaluates it in full. Kept here, in the tests only, as the oracle the
// production planner must match plan for plan (test/planner-probes.test.ts). Do not optimise it.

import { evaluateExactUnchecked, signedHealth, staleFactor } from '../src/evaluate.js';
import { WAD, abs, divCeil, divFloor, min, mulDown, mulUp, scaleOf, toWadUp } from '../src/fixed.js';
import type { ExactAccount, ExactCollateral, ExactContext, ExactPosition, MarginMode } from '../src/model/types.js';
import type {
  LiquidationPlan,
  PlanBudget,
  PlannedClose,
  PlannedRepayment,
  PlannedSeizure,
  PlannedTransfer,
  PlannerConfig,
} from '../src/planner.js';

export interface Mutable {
  collateral: ExactCollateral[];
  positions: ExactPosition[];
  realizedPnl: bigint;
}

/** Signed health (not floored at 0), so actions on an underwater account still rank. */
const health = (a: Mutable, ctx: ExactContext): bigint =>
  signedHealth(evaluateExactUnchecked(a, ctx, { details: false }));
const frozen = (a: Mutable): ExactAccount => ({
  collateral: a.collateral,
  positions: a.positions.filter((p) => p.qty !== 0n || p.openCost !== 0n),
  realizedPnl: a.realizedPnl,
});

/** A position with `closed` (same sign, |closed| ≤ |qty|) removed, and the PnL that realizes. */
function closePart(p: ExactPosition, closed: bigint, mark: bigint, cumFunding: bigint) {
  const rest = p.qty - closed;
  const openCost = rest === 0n ? 0n : divFloor(p.openCost * rest, p.qty);
  const pnlOf = (q: bigint, cost: bigint) => divFloor(q * (mark - cumFunding + p.lastCumFunding), WAD) - cost;
  const realized = pnlOf(p.qty, p.openCost) - pnlOf(rest, openCost);
  return { position: { ...p, qty: rest, openCost }, realized };
}

/** Smallest integer x in [1, hi] with ok(x), given ok(hi); ok is assumed monotone. */
function smallest(hi: bigint, ok: (x: bigint) => boolean): bigint {
  let lo = 0n; // !ok(lo) or lo = 0
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Applies `usd` of repayment to the account's debts (mutates `s`), recording the repayments. */
export function referenceRepay(ctx: ExactContext, s: Mutable, usd: bigint, record: PlannedRepayment[] | null): void {
  let left = usd;
  if (s.realizedPnl < 0n && left > 0n) {
    const v = min(left, -s.realizedPnl);
    s.realizedPnl += v;
    left -= v;
    record?.push({ asset: null, chain: null, amount: v, value: v });
  }
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

const valueOf = (ctx: ExactContext, c: ExactCollateral, x: bigint) =>
  mulDown((x * WAD) / scaleOf(ctx.assets[c.asset]!.decimals), ctx.assets[c.asset]!.price);

/** The old planner's close trial: the account with |x| of cross position `i` closed, penalty charged. */
export function referenceCloseTrial(a: Mutable, ctx: ExactContext, i: number, x: bigint, penalty: bigint): Mutable {
  const p = a.positions[i]!;
  const m = ctx.markets[p.market]!;
  const signed = p.qty > 0n ? x : -x;
  const { position, realized } = closePart(p, signed, m.markPrice, m.cumFunding);
  const pen = mulUp(divCeil(x * m.markPrice, WAD), penalty);
  const positions = a.positions.slice();
  positions[i] = position;
  return { ...a, positions, realizedPnl: a.realizedPnl + realized - pen };
}

/** The old planner's seizure trial: the account with x base units of holding `i` seized and repaid. */
export function referenceSeizureTrial(a: Mutable, ctx: ExactContext, i: number, x: bigint, penalty: bigint): Mutable {
  const c = a.collateral[i]!;
  const s: Mutable = { ...a, collateral: a.collateral.slice(), realizedPnl: a.realizedPnl };
  s.collateral[i] = { ...c, qty: c.qty - x };
  referenceRepay(ctx, s, divFloor(valueOf(ctx, c, x) * WAD, WAD + penalty), null);
  return s;
}

/** The reference planner: `planUnchecked` with a full exact evaluation behind every probe. */
export function referencePlan(
  account: ExactAccount,
  ctx: ExactContext,
  config: PlannerConfig,
  options: { budget?: PlanBudget; insuranceFund?: bigint } = {},
): LiquidationPlan {
  const target = config.targetHealth;
  const a: Mutable = {
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
    .filter(({ c }) => c.qty - (c.pending ?? 0n) > 0n)
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
  const totalDebt = (s: Mutable) =>
    evaluateExactUnchecked(s, ctx, { details: false }).debt + (s.realizedPnl < 0n ? -s.realizedPnl : 0n);

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
      const trial = (x: bigint): Mutable => referenceCloseTrial(a, ctx, i, x, config.penalty);
      const full = abs(p.qty);
      const x =
        !force && health(trial(full), ctx) >= target ? smallest(full, (q) => health(trial(q), ctx) >= target) : full;
      // Closing is only worth it if it helps; a close that lowers health (penalty above the
      // margin it releases) is skipped.
      if (!force && health(trial(x), ctx) < health(a, ctx)) continue;
      close(i, p.qty > 0n ? x : -x);
    }

    // 3. seize collateral to repay debt
    for (const { i } of holdings) {
      if ((!force && health(a, ctx) >= target) || totalDebt(a) === 0n) break;
      const c = a.collateral[i]!;
      const available = c.qty - (c.pending ?? 0n);
      const asset = ctx.assets[c.asset]!;
      const trial = (x: bigint): Mutable => referenceSeizureTrial(a, ctx, i, x, config.penalty);
      // Never seize more than repays the whole debt (plus the penalty on it).
      const debtNow = totalDebt(a);
      const cover =
        asset.price === 0n
          ? available
          : divCeil(mulUp(debtNow, WAD + config.penalty) * scaleOf(asset.decimals), asset.price);
      const cap = min(available, cover);
      if (cap <= 0n) continue;
      let x = !force && health(trial(cap), ctx) >= target ? smallest(cap, (q) => health(trial(q), ctx) >= target) : cap;
      if (!force && health(trial(x), ctx) < health(a, ctx)) continue; // seizing this would not help
      const budget = chainBudget.get(c.chain);
      if (budget !== undefined) {
        let fit = x;
        while (fit > 0n && valueOf(ctx, c, fit) > budget)
          fit = asset.price === 0n ? 0n : min(fit - 1n, divFloor(budget * scaleOf(asset.decimals), asset.price));
        if (fit < x) {
          queuedSeizures.push({ asset: c.asset, chain: c.chain, amount: x - fit });
          x = fit;
        }
      }
      if (x <= 0n) continue;
      const value = valueOf(ctx, c, x);
      if (budget !== undefined) chainBudget.set(c.chain, budget - value);
      const debtRepaid = divFloor(value * WAD, WAD + config.penalty);
      a.collateral[i] = { ...c, qty: c.qty - x };
      referenceRepay(ctx, a, debtRepaid, repayments);
      penaltyTotal += value - debtRepaid;
      seizures.push({ asset: c.asset, chain: c.chain, amount: x, value, debtRepaid, penalty: value - debtRepaid });
    }
  }

  // 4. bad debt: what the account still owes once nothing is left to seize or close (isolated
  // positions are judged alone and settle against their own margin)
  const nothingLeft =
    a.collateral.every((c) => c.qty - (c.pending ?? 0n) <= 0n) &&
    a.positions.every((p) => p.qty === 0n || (p.mode ?? 'cross') === 'isolated');
  const queuedAny = queuedCloses.length + queuedTransfers.length + queuedSeizures.length > 0;
  let bad = isolatedBadDebt;
  const owed = evaluateExactUnchecked(a, ctx, { details: false }).debt - a.realizedPnl;
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
