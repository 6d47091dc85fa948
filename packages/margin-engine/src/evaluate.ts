// The canonical risk evaluation (README, "The model") in integer fixed point. Rounding is
// always in the protocol's favour: collateral quantities, prices × quantities, weights and PnL
// round down; debt, notional, IMR/MMR and margins round up. Two nodes given the same input get
// the same bits.

import { checkExactAccount, checkExactContext } from './model/check.js';
import {
  FOUR_FIFTHS,
  RATIO_INFINITY,
  WAD,
  abs,
  divCeil,
  divFloor,
  max,
  min,
  mulDown,
  mulUp,
  irootCeil,
  irootFloor,
  powUp,
  toWadDown,
  toWadUp,
} from './fixed.js';
import type {
  EvaluateOptions,
  ExactAccount,
  ExactAccountRisk,
  ExactAssetParams,
  ExactChainParams,
  ExactCollateral,
  ExactContext,
  ExactMarketParams,
  ExactPosition,
  MaxWithdraw,
  PositionRisk,
} from './model/types.js';

/** k of the size discount when the asset does not set one: 1.2. */
export const DEFAULT_DISCOUNT_K = (12n * WAD) / 10n;

/** Staleness factor of a chain at `now`: 1 while its last report is younger than staleAfter. */
export function staleFactor(chain: ExactChainParams, now: bigint): bigint {
  return now - chain.lastReportAt < chain.staleAfter ? WAD : chain.staleWeight;
}

// Thresholds below which the size terms cannot bind, cached per parameter object so the common
// case needs no root at all. Parameter objects are treated as immutable: build a new one to
// change a parameter (the book does).
const discountLimits = new WeakMap<ExactAssetParams, Map<bigint, bigint>>();
const sizeLimits = new WeakMap<ExactMarketParams, { nmax: bigint; floorImr: bigint }>();

/** Extra precision of the discount's denominator (the result is still WAD). */
const S = WAD;
const W6S5 = WAD ** 6n * S ** 5n;

/**
 * The size-discounted value k·v / (1 + d·v^(4/5)) in WAD, computed as k / (1/v + d·v^(−1/5))
 * with every denominator term rounded up and the quotient rounded down: each term is
 * nonincreasing in v, so the result is nondecreasing in v (more collateral never counts for
 * less, down to the last wei) and never above the exact value.
 */
export function discountedValue(value: bigint, k: bigint, d: bigint): bigint {
  if (value <= 0n) return 0n;
  const inverse = divCeil(WAD * WAD * S, value); // 1/v in units of 10^-36
  const negFifth = irootCeil(divCeil(W6S5, value), 5); // v^(−1/5) in units of 10^-36
  return (k * WAD * S) / (inverse + divCeil(d * negFifth, WAD));
}

/**
 * Values (WAD USD) below which the discount provably does not bind: 0.999 × the real crossover
 * ((k/base − 1)/d)^(5/4). Below it the exact discounted value exceeds base × value by a relative
 * margin ≥ 8·10^-4 × (1 − base/k) — far above the 10^-30 rounding of discountedValue — so
 * skipping the root there gives the same bits as computing it. −1 when base is within 10^-6
 * of k (no safe margin: always compute).
 */
function discountLimit(base: bigint, asset: ExactAssetParams): bigint {
  let byBase = discountLimits.get(asset);
  if (!byBase) discountLimits.set(asset, (byBase = new Map()));
  let v = byBase.get(base);
  if (v === undefined) {
    const k = Number(asset.discountK ?? DEFAULT_DISCOUNT_K) / 1e18;
    const d = Number(asset.discountFactor ?? 0n) / 1e18;
    const b = Number(base) / 1e18;
    if (b <= 0) v = RATIO_INFINITY;
    else if (b >= k * (1 - 1e-6) || d <= 0) v = -1n;
    else {
      const crossover = Math.pow((k / b - 1) / d, 1.25) * 0.999 * 1e18;
      v = Number.isFinite(crossover) ? BigInt(Math.floor(crossover)) : RATIO_INFINITY;
    }
    byBase.set(base, v);
  }
  return v;
}

/**
 * Weighted value of `qty` (WAD whole units, ≥ 0) of an asset under `base` weight:
 * min(base × value, k·value / (1 + d·value^(4/5))) with value = min(qty, cap) × price, i.e.
 * value × min(base, k / (1 + d·value^(4/5))). Rounded down; nondecreasing in qty.
 */
export function weightedValue(qty: bigint, asset: ExactAssetParams, base: bigint): bigint {
  const capped = asset.cap === undefined || asset.cap === null ? qty : min(qty, asset.cap);
  const value = mulDown(capped, asset.price);
  const plain = mulDown(value, base);
  const d = asset.discountFactor ?? 0n;
  if (d === 0n || value === 0n || value <= discountLimit(base, asset)) return plain;
  return min(plain, discountedValue(value, asset.discountK ?? DEFAULT_DISCOUNT_K, d));
}

function sizeLimit(m: ExactMarketParams): { nmax: bigint; floorImr: bigint } {
  let l = sizeLimits.get(m);
  if (!l) {
    const e = m.exponent ?? FOUR_FIFTHS;
    let nmax = -1n;
    if (m.imrFactor === 0n)
      nmax = -2n; // never binds
    else {
      // Both size terms stay ≤ their base while pw ≤ P := ⌊baseIMR·W / imrFactor⌋, and
      // powUp(n) ≤ P ⇔ n^num·W^(den−num) ≤ P^den ⇔ n ≤ ⌊(⌊P^den / W^(den−num)⌋)^(1/num)⌋.
      const P = (m.baseIMR * WAD) / m.imrFactor;
      nmax = irootFloor(P ** BigInt(e.den) / WAD ** BigInt(e.den - e.num), e.num);
    }
    l = { nmax, floorImr: max(divCeil(WAD * WAD, m.maxLeverage), m.baseIMR) };
    sizeLimits.set(m, l);
  }
  return l;
}

/** Margin rates of a position of `notional` in a market: IMR, MMR (WAD, rounded up). */
export function marginRates(notional: bigint, m: ExactMarketParams): { imr: bigint; mmr: bigint } {
  const scale = m.volScale ?? WAD;
  const { nmax, floorImr } = sizeLimit(m);
  let imr = floorImr;
  let mmr = m.baseMMR;
  if (nmax !== -2n && notional > nmax) {
    const pw = powUp(notional, m.exponent ?? FOUR_FIFTHS);
    const f = m.imrFactor;
    imr = max(imr, mulUp(f, pw));
    mmr = max(mmr, divCeil(m.baseMMR * f * pw, m.baseIMR * WAD));
  }
  if (scale !== WAD) {
    imr = mulUp(imr, scale);
    mmr = mulUp(mmr, scale);
  }
  return { imr, mmr };
}

/** Unsettled PnL at mark `mark`: qty·m − cost − qty·(F − F0), rounded down. */
export function unsettledPnl(p: ExactPosition, mark: bigint, cumFunding: bigint): bigint {
  return pnlAt(p.qty, p.openCost, p.lastCumFunding, mark, cumFunding);
}

/**
 * {@link unsettledPnl} of a position given by its fields, so a caller can price part of a
 * position without building it (the planner's partial closes).
 * @internal
 */
export function pnlAt(qty: bigint, openCost: bigint, lastCumFunding: bigint, mark: bigint, cumFunding: bigint): bigint {
  return divFloor(qty * (mark - cumFunding + lastCumFunding), WAD) - openCost;
}

/** |qty × mark|, rounded up. */
export function notionalOf(qty: bigint, mark: bigint): bigint {
  return divCeil(abs(qty) * mark, WAD);
}

/** Margins of one position: its notional, rates, and notional × rate (rounded up) for each. */
interface PositionMargins {
  notional: bigint;
  imr: bigint;
  mmr: bigint;
  initialMargin: bigint;
  maintenanceMargin: bigint;
}

function positionMargins(qty: bigint, mark: bigint, m: ExactMarketParams): PositionMargins {
  const notional = notionalOf(qty, mark);
  const { imr, mmr } = marginRates(notional, m);
  return { notional, imr, mmr, initialMargin: mulUp(notional, imr), maintenanceMargin: mulUp(notional, mmr) };
}

/**
 * Maintenance margin of a position of `qty` at mark `mark` (notional × MMR, rounded up): the
 * maintenance half of {@link positionMargins}, without the initial margin its hot callers (the
 * liquidation-price bisection, the planner's probes) do not need.
 * @internal
 */
export function maintenanceAt(qty: bigint, mark: bigint, m: ExactMarketParams): bigint {
  const notional = notionalOf(qty, mark);
  return mulUp(notional, marginRates(notional, m).mmr);
}

/**
 * Whether a position counts in the cross account's sums (unsettled PnL, margins); an isolated
 * one is judged alone against its own margin.
 * @internal
 */
export function isCross(p: ExactPosition): boolean {
  return (p.mode ?? 'cross') === 'cross';
}

/** Per-asset quantities of an account after staleness and in-flight amounts. */
interface AssetTotals {
  /** Σ_c q⁺[k,c] × s_c, WAD whole units, rounded down. */
  pos: bigint;
  /** Σ_c q⁻[k,c], WAD whole units, rounded up. */
  neg: bigint;
}

/** The effective balance of one holding: confirmed less in flight. */
function effective(qty: bigint, pending: bigint | undefined): bigint {
  return pending === undefined ? qty : qty - pending;
}

function holdingQty(eff: bigint, asset: ExactAssetParams, s: bigint): bigint {
  const q = toWadDown(eff, asset.decimals);
  return s === WAD ? q : mulDown(q, s);
}

/** The collateral side of an account's risk: it depends on the holdings alone. @internal */
export interface CollateralTotals {
  /** Weighted collateral at maintenance weights (WAD USD, rounded down). */
  wcM: bigint;
  /** Weighted collateral at initial weights; null unless asked for. */
  wcI: bigint | null;
  /** Negative balances valued at the price (WAD USD, rounded up). */
  debt: bigint;
}

/** Holdings summed per asset (parallel arrays: an account holds a handful of assets). */
function assetTotals(collateral: readonly ExactCollateral[], ctx: ExactContext) {
  const symbols: string[] = [];
  const totals: AssetTotals[] = [];
  for (const c of collateral) {
    const eff = effective(c.qty, c.pending);
    if (eff === 0n) continue;
    const asset = ctx.assets[c.asset]!;
    let j = symbols.indexOf(c.asset);
    if (j < 0) {
      j = symbols.push(c.asset) - 1;
      totals.push({ pos: 0n, neg: 0n });
    }
    const t = totals[j]!;
    if (eff > 0n) t.pos += holdingQty(eff, asset, staleFactor(ctx.chains[c.chain]!, ctx.now));
    else t.neg += toWadUp(-eff, asset.decimals);
  }
  return { symbols, totals };
}

function weighTotals(
  symbols: readonly string[],
  totals: readonly AssetTotals[],
  ctx: ExactContext,
  initial: boolean,
): CollateralTotals {
  let wcM = 0n;
  let wcI = 0n;
  let debt = 0n;
  for (let j = 0; j < symbols.length; j++) {
    const asset = ctx.assets[symbols[j]!]!;
    const t = totals[j]!;
    if (t.pos > 0n) {
      const m = weightedValue(t.pos, asset, asset.maintenanceWeight);
      wcM += m;
      if (initial)
        wcI += asset.initialWeight === asset.maintenanceWeight ? m : weightedValue(t.pos, asset, asset.initialWeight);
    }
    if (t.neg > 0n) debt += mulUp(t.neg, asset.price);
  }
  return { wcM, wcI: initial ? wcI : null, debt };
}

/**
 * Weighted collateral and debt of a set of holdings, as {@link evaluateExactUnchecked} counts
 * them (it is built on this); `initial: false` skips the initial-weight sum (wcI is then null).
 * @internal
 */
export function collateralTotals(
  collateral: readonly ExactCollateral[],
  ctx: ExactContext,
  initial = true,
): CollateralTotals {
  const { symbols, totals } = assetTotals(collateral, ctx);
  return weighTotals(symbols, totals, ctx, initial);
}

function ratio(num: bigint, den: bigint): bigint {
  if (den <= 0n) return num < 0n ? 0n : RATIO_INFINITY;
  return divFloor(num * WAD, den);
}

/**
 * The health factor: `ratio` floored at 0. Below 0 the quotient would fall as debt is repaid
 * (a smaller denominator under a negative numerator), so an underwater account's health is 0 and
 * more collateral never lowers it.
 */
function healthRatio(num: bigint, den: bigint): bigint {
  return num < 0n ? 0n : ratio(num, den);
}

/**
 * The signed quotient behind the health factor, not floored: the planner ranks its actions on an
 * underwater account with it (its decisions predate the floor and stay as they were).
 * @internal
 */
export function signedHealth(r: ExactAccountRisk): bigint {
  return signedHealthOf(r.weightedCollateral, r.unsettledPnl, r.debt, r.maintenanceMargin);
}

/**
 * {@link signedHealth} from its four sums, for a caller that assembles them itself (the planner,
 * which recomputes only the part of the sums a probe changes).
 * @internal
 */
export function signedHealthOf(
  weightedCollateral: bigint,
  unsettledPnl: bigint,
  debt: bigint,
  maintenanceMargin: bigint,
): bigint {
  return ratio(weightedCollateral + unsettledPnl, debt + maintenanceMargin);
}

// A context object is validated the first time it is seen; contexts are immutable by contract
// (every field is readonly): build a new context to change a price or a parameter.
const checkedContexts = new WeakSet<object>();

/**
 * Canonical (bigint) evaluation of one account — the only source of decisions that move money.
 * Validates the whole input first ({@link InvalidInputError} names the field).
 * @example
 * const r = evaluateAccountExact(
 *   { collateral: [{ asset: 'USDC', chain: 1, qty: 1_000_000_000n }], positions: [
 *     { market: 'BTC-PERP', qty: wad('0.2'), openCost: wad('5000'), lastCumFunding: 0n }] },
 *   { assets: { USDC: { price: WAD, decimals: 6, initialWeight: WAD, maintenanceWeight: WAD } },
 *     markets: { 'BTC-PERP': { markPrice: wad('25986.2'), cumFunding: 0n, baseIMR: wad('0.1'),
 *       baseMMR: wad('0.05'), imrFactor: wad('0.0000002512'), maxLeverage: 10n * WAD } },
 *     chains: { 1: { lastReportAt: 0n, staleAfter: 3600n, staleWeight: wad('0.5') } }, now: 0n });
 * r.positions[0].maintenanceMargin; // 259862000000000000000n (259.862)
 */
export function evaluateAccountExact(
  account: ExactAccount,
  context: ExactContext,
  options: EvaluateOptions = {},
): ExactAccountRisk {
  if (!checkedContexts.has(context)) {
    checkExactContext(context);
    checkedContexts.add(context);
  }
  checkExactAccount(account, context);
  return evaluateExactUnchecked(account, context, options);
}

/** {@link evaluateAccountExact} without validation, for callers that validated once (the book). */
export function evaluateExactUnchecked(
  account: ExactAccount,
  ctx: ExactContext,
  options: EvaluateOptions = {},
): ExactAccountRisk {
  const details = options.details ?? true;
  const { symbols, totals: totalsList } = assetTotals(account.collateral, ctx);
  const { wcM, wcI: initialWc, debt } = weighTotals(symbols, totalsList, ctx, true);
  const wcI = initialWc!;
  // Realized-but-unsettled PnL counts like unsettled PnL: at full value, either sign.
  let pnl = account.realizedPnl ?? 0n;
  let im = 0n;
  let mm = 0n;
  let crossNotional = 0n;
  const figures: Array<{ p: ExactPosition; risk: Omit<PositionRisk<bigint>, 'liquidationPrice'> }> = [];
  let isolatedLiquidatable = false;
  for (const p of account.positions) {
    const m = ctx.markets[p.market]!;
    const { notional, imr, mmr, initialMargin, maintenanceMargin } = positionMargins(p.qty, m.markPrice, m);
    const upnl = unsettledPnl(p, m.markPrice, m.cumFunding);
    const mode = p.mode ?? 'cross';
    let isolatedEquity: bigint | null = null;
    let liq = false;
    if (isCross(p)) {
      pnl += upnl;
      im += initialMargin;
      mm += maintenanceMargin;
      crossNotional += notional;
    } else {
      isolatedEquity = (p.isolatedMargin ?? 0n) + upnl;
      liq = isolatedEquity < maintenanceMargin;
      isolatedLiquidatable ||= liq;
    }
    figures.push({
      p,
      risk: {
        market: p.market,
        mode,
        notional,
        imr,
        mmr,
        initialMargin,
        maintenanceMargin,
        unsettledPnl: upnl,
        isolatedEquity,
        liquidatable: liq,
      },
    });
  }

  const totalCollateral = wcM - debt + pnl;
  const crossLiquidatable = wcM + pnl < debt + mm;
  const freeCollateral = wcI - debt + pnl - im;
  const positions = figures.map(({ p, risk }): PositionRisk<bigint> => {
    let liquidationPrice: bigint | null = null;
    if (details && p.qty !== 0n) {
      const m = ctx.markets[p.market]!;
      // Surplus of the judged unit (cross account or isolated position) with this mark replaced.
      const base =
        risk.mode === 'cross'
          ? wcM + pnl - risk.unsettledPnl - (debt + mm - risk.maintenanceMargin)
          : (p.isolatedMargin ?? 0n);
      liquidationPrice = exactLiquidationPrice(p, m, base);
    }
    return {
      market: risk.market,
      mode: risk.mode,
      notional: risk.notional,
      imr: risk.imr,
      mmr: risk.mmr,
      initialMargin: risk.initialMargin,
      maintenanceMargin: risk.maintenanceMargin,
      unsettledPnl: risk.unsettledPnl,
      liquidationPrice,
      isolatedEquity: risk.isolatedEquity,
      liquidatable: risk.mode === 'cross' ? crossLiquidatable : risk.liquidatable,
    };
  });

  const maxWithdraw: MaxWithdraw<bigint>[] = [];
  if (details) {
    for (const c of account.collateral) {
      const eff = effective(c.qty, c.pending);
      if (eff <= 0n) continue;
      const asset = ctx.assets[c.asset]!;
      const t = totalsList[symbols.indexOf(c.asset)]!;
      const s = staleFactor(ctx.chains[c.chain]!, ctx.now);
      const before = weightedValue(t.pos, asset, asset.initialWeight);
      const own = holdingQty(eff, asset, s);
      // Free collateral after removing x base units from this holding; nonincreasing in x.
      const fcAfter = (x: bigint): bigint =>
        freeCollateral -
        before +
        weightedValue(t.pos - own + holdingQty(eff - x, asset, s), asset, asset.initialWeight);
      let amount: bigint;
      if (freeCollateral < 0n) amount = 0n;
      else if (fcAfter(eff) >= 0n) amount = eff;
      else {
        let lo = 0n; // fcAfter(lo) ≥ 0
        let hi = eff; // fcAfter(hi) < 0
        while (hi - lo > 1n) {
          const mid = (lo + hi) / 2n;
          if (fcAfter(mid) >= 0n) lo = mid;
          else hi = mid;
        }
        amount = lo;
      }
      maxWithdraw.push({ asset: c.asset, chain: c.chain, amount });
    }
  }

  return {
    totalCollateral,
    weightedCollateral: wcM,
    weightedCollateralInitial: wcI,
    debt,
    unsettledPnl: pnl,
    initialMargin: im,
    maintenanceMargin: mm,
    freeCollateral,
    marginRatio: ratio(totalCollateral, crossNotional),
    healthFactor: healthRatio(wcM + pnl, debt + mm),
    liquidatable: crossLiquidatable || isolatedLiquidatable,
    crossLiquidatable,
    positions,
    maxWithdraw,
  };
}

/**
 * Liquidation price of position `p` given `base`, the rest of its unit's surplus (everything but
 * this position's PnL and maintenance margin). surplus(m) = base + pnl(m) − MM(m); liquidatable
 * iff surplus < 0. Long: the highest m with surplus(m) < 0; short: the lowest. Closed form when
 * MMR is constant around the answer (checked exactly on the integers next to it), bisection
 * otherwise (MMR then grows with notional).
 */
export function exactLiquidationPrice(p: ExactPosition, m: ExactMarketParams, base: bigint): bigint | null {
  const long = p.qty > 0n;
  const liqAt = (mark: bigint): boolean =>
    base + unsettledPnl(p, mark, m.cumFunding) - maintenanceAt(p.qty, mark, m) < 0n;
  // The answer a is characterised by liqAt(a) and not liqAt(a ± 1) (the side away from danger).
  const isAnswer = (a: bigint): boolean => a > 0n && liqAt(a) && !liqAt(long ? a + 1n : a - 1n);

  // Closed form with r = MMR at the baseline: base + (qty·(a − φ))/W − cost = |qty|·a·r/W².
  const r = mulUp(m.baseMMR, m.volScale ?? WAD);
  const phi = m.cumFunding - p.lastCumFunding;
  const den = p.qty * WAD - abs(p.qty) * r; // × a / W² on the left
  if (den !== 0n) {
    const a = divFloor((p.openCost - base) * WAD * WAD + p.qty * phi * WAD, den);
    for (const cand of [a, a + 1n, a - 1n, a + 2n, a - 2n]) if (isAnswer(cand)) return cand;
  }

  // Bisection. Long: liqAt is true below the answer, false above. Short: the mirror image.
  if (long) {
    if (!liqAt(1n)) return null;
    let lo = 1n;
    let hi = m.markPrice > 1n ? m.markPrice : 2n;
    for (let i = 0; liqAt(hi); i++) {
      if (i > 200) return null; // liquidatable at every price (MMR ≥ 100%)
      lo = hi;
      hi *= 2n;
    }
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (liqAt(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }
  let hi = m.markPrice > 1n ? m.markPrice : 2n;
  let lo = 0n;
  for (let i = 0; !liqAt(hi); i++) {
    if (i > 200) return null;
    lo = hi;
    hi *= 2n;
  }
  if (liqAt(1n)) return 1n;
  if (lo === 0n) lo = 1n;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (liqAt(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
