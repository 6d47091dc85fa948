// The float64 twin of evaluate.ts: same formulas, whole units, no rounding policy. For screening,
// dashboards and what-ifs; never for decisions that move money (those use evaluateAccountExact).

import { checkAccount, checkContext } from './model/check.js';
import type {
  Account,
  AssetParams,
  ChainParams,
  EvaluateOptions,
  FloatAccountRisk,
  MarketParams,
  MaxWithdraw,
  Position,
  PositionRisk,
  RiskContext,
} from './model/types.js';

export function staleFactorFloat(chain: ChainParams, now: number): number {
  return now - chain.lastReportAt < chain.staleAfter ? 1 : chain.staleWeight;
}

export function weightedValueFloat(qty: number, asset: AssetParams, base: number): number {
  const capped = asset.cap === undefined || asset.cap === null ? qty : Math.min(qty, asset.cap);
  const value = capped * asset.price;
  const d = asset.discountFactor ?? 0;
  if (d === 0 || value === 0) return value * base;
  const w = (asset.discountK ?? 1.2) / (1 + d * Math.pow(value, 0.8));
  return value * Math.min(base, w);
}

export function marginRatesFloat(notional: number, m: MarketParams): { imr: number; mmr: number } {
  const pw = m.imrFactor === 0 || notional === 0 ? 0 : Math.pow(notional, m.exponent ?? 0.8);
  const scale = m.volScale ?? 1;
  const imr = Math.max(1 / m.maxLeverage, m.baseIMR, m.imrFactor * pw) * scale;
  const mmr = Math.max(m.baseMMR, (m.baseMMR / m.baseIMR) * m.imrFactor * pw) * scale;
  return { imr, mmr };
}

export function unsettledPnlFloat(p: Position, mark: number, cumFunding: number): number {
  return p.qty * mark - p.openCost - p.qty * (cumFunding - p.lastCumFunding);
}

/**
 * Float evaluation of one account from plain objects (whole units: 1.5 WETH, $25986.2).
 * Validates the input (NaN, unknown asset/market/chain… throw {@link InvalidInputError}).
 * @example
 * evaluateAccount(
 *   { collateral: [{ asset: 'USDC', chain: 1, qty: 1000 }],
 *     positions: [{ market: 'BTC-PERP', qty: 0.2, openCost: 5000, lastCumFunding: 0 }] },
 *   { assets: { USDC: { price: 1, initialWeight: 1, maintenanceWeight: 1 } },
 *     markets: { 'BTC-PERP': { markPrice: 25986.2, cumFunding: 0, baseIMR: 0.1, baseMMR: 0.05,
 *       imrFactor: 0.0000002512, maxLeverage: 10 } },
 *     chains: { 1: { lastReportAt: 0, staleAfter: 3600, staleWeight: 0.5 } }, now: 0 },
 * ).positions[0].maintenanceMargin; // ≈ 259.862
 */
export function evaluateAccount(
  account: Account,
  context: RiskContext,
  options: EvaluateOptions = {},
): FloatAccountRisk {
  checkContext(context);
  checkAccount(account, context);
  const details = options.details ?? true;
  const pos = new Map<string, number>();
  const neg = new Map<string, number>();
  for (const c of account.collateral) {
    const eff = c.qty - (c.pending ?? 0);
    if (eff > 0)
      pos.set(c.asset, (pos.get(c.asset) ?? 0) + eff * staleFactorFloat(context.chains[c.chain]!, context.now));
    else if (eff < 0) neg.set(c.asset, (neg.get(c.asset) ?? 0) - eff);
  }
  let wcM = 0;
  let wcI = 0;
  let debt = 0;
  for (const [symbol, q] of pos) {
    const a = context.assets[symbol]!;
    wcM += weightedValueFloat(q, a, a.maintenanceWeight);
    wcI += weightedValueFloat(q, a, a.initialWeight);
  }
  for (const [symbol, q] of neg) debt += q * context.assets[symbol]!.price;
  let pnl = account.realizedPnl ?? 0;

  let im = 0;
  let mm = 0;
  let crossNotional = 0;
  let isolatedLiq = false;
  const figures = account.positions.map((p) => {
    const m = context.markets[p.market]!;
    const notional = Math.abs(p.qty * m.markPrice);
    const { imr, mmr } = marginRatesFloat(notional, m);
    const upnl = unsettledPnlFloat(p, m.markPrice, m.cumFunding);
    const mode = p.mode ?? 'cross';
    const maintenanceMargin = notional * mmr;
    let isolatedEquity: number | null = null;
    let liq = false;
    if (mode === 'cross') {
      pnl += upnl;
      im += notional * imr;
      mm += maintenanceMargin;
      crossNotional += notional;
    } else {
      isolatedEquity = (p.isolatedMargin ?? 0) + upnl;
      liq = isolatedEquity < maintenanceMargin;
      isolatedLiq ||= liq;
    }
    return {
      p,
      m,
      risk: {
        market: p.market,
        mode,
        notional,
        imr,
        mmr,
        initialMargin: notional * imr,
        maintenanceMargin,
        unsettledPnl: upnl,
        isolatedEquity,
        liquidatable: liq,
      },
    };
  });
  const totalCollateral = wcM - debt + pnl;
  const crossLiquidatable = wcM + pnl < debt + mm;
  const freeCollateral = wcI - debt + pnl - im;
  const positions = figures.map(({ p, m, risk }): PositionRisk<number> => {
    let liquidationPrice: number | null = null;
    if (details && p.qty !== 0) {
      const base =
        risk.mode === 'cross'
          ? wcM + pnl - risk.unsettledPnl - (debt + mm - risk.maintenanceMargin)
          : (p.isolatedMargin ?? 0);
      liquidationPrice = floatLiquidationPrice(p, m, base);
    }
    return { ...risk, liquidationPrice, liquidatable: risk.mode === 'cross' ? crossLiquidatable : risk.liquidatable };
  });

  const maxWithdraw: MaxWithdraw<number>[] = [];
  if (details) {
    for (const c of account.collateral) {
      const eff = c.qty - (c.pending ?? 0);
      if (eff <= 0) continue;
      const a = context.assets[c.asset]!;
      const s = staleFactorFloat(context.chains[c.chain]!, context.now);
      const total = pos.get(c.asset)!;
      const before = weightedValueFloat(total, a, a.initialWeight);
      const fcAfter = (x: number) =>
        freeCollateral - before + weightedValueFloat(Math.max(0, total - x * s), a, a.initialWeight);
      let amount: number;
      if (freeCollateral < 0) amount = 0;
      else if (fcAfter(eff) >= 0) amount = eff;
      else {
        let lo = 0;
        let hi = eff;
        for (let i = 0; i < 100 && hi - lo > eff * 1e-15; i++) {
          const mid = (lo + hi) / 2;
          if (fcAfter(mid) >= 0) lo = mid;
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
    marginRatio: crossNotional > 0 ? totalCollateral / crossNotional : totalCollateral < 0 ? 0 : Infinity,
    healthFactor: wcM + pnl < 0 ? 0 : debt + mm > 0 ? (wcM + pnl) / (debt + mm) : Infinity,
    liquidatable: crossLiquidatable || isolatedLiq,
    crossLiquidatable,
    positions,
    maxWithdraw,
  };
}

/** Float liquidation price (same definition as the canonical one, as a real root). */
export function floatLiquidationPrice(p: Position, m: MarketParams, base: number): number | null {
  const surplus = (a: number) => {
    const n = Math.abs(p.qty * a);
    return base + unsettledPnlFloat(p, a, m.cumFunding) - n * marginRatesFloat(n, m).mmr;
  };
  const r = m.baseMMR * (m.volScale ?? 1);
  const phi = m.cumFunding - p.lastCumFunding;
  const den = p.qty - Math.abs(p.qty) * r;
  if (den !== 0) {
    const a = (p.openCost - base + p.qty * phi) / den;
    if (a > 0 && marginRatesFloat(Math.abs(p.qty * a), m).mmr <= r * (1 + 1e-12)) return a;
  }
  const long = p.qty > 0;
  let lo = 0;
  let hi = Math.max(m.markPrice, 1e-12);
  if (long) {
    if (surplus(0) >= 0) return null;
    for (let i = 0; surplus(hi) < 0; i++) {
      if (i > 1100) return null;
      lo = hi;
      hi *= 2;
    }
  } else {
    for (let i = 0; surplus(hi) >= 0; i++) {
      if (i > 1100) return null;
      lo = hi;
      hi *= 2;
    }
  }
  for (let i = 0; i < 200 && hi - lo > hi * 1e-15; i++) {
    const mid = (lo + hi) / 2;
    if (surplus(mid) < 0 === long) lo = mid;
    else hi = mid;
  }
  return long ? lo : hi;
}
