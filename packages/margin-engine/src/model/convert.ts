import { toNumber } from '../fixed.js';
import type { Account, ExactAccount, ExactContext, RiskContext } from './types.js';

/**
 * The float twin of a canonical account and context (whole units, numbers), so both paths can be
 * run on the same state. Lossy only below float64 precision.
 */
export function toFloatInputs(account: ExactAccount, ctx: ExactContext): { account: Account; context: RiskContext } {
  const assets: Record<string, RiskContext['assets'][string]> = {};
  for (const [k, a] of Object.entries(ctx.assets)) {
    assets[k] = {
      price: toNumber(a.price),
      initialWeight: toNumber(a.initialWeight),
      maintenanceWeight: toNumber(a.maintenanceWeight),
      cap: a.cap === undefined || a.cap === null ? null : toNumber(a.cap),
      discountFactor: toNumber(a.discountFactor ?? 0n),
      ...(a.discountK === undefined ? {} : { discountK: toNumber(a.discountK) }),
    };
  }
  const markets: Record<string, RiskContext['markets'][string]> = {};
  for (const [k, m] of Object.entries(ctx.markets)) {
    markets[k] = {
      markPrice: toNumber(m.markPrice),
      cumFunding: toNumber(m.cumFunding),
      baseIMR: toNumber(m.baseIMR),
      baseMMR: toNumber(m.baseMMR),
      imrFactor: toNumber(m.imrFactor),
      exponent: m.exponent ? m.exponent.num / m.exponent.den : 0.8,
      maxLeverage: toNumber(m.maxLeverage),
      volScale: toNumber(m.volScale ?? 10n ** 18n),
    };
  }
  const chains: Record<number, RiskContext['chains'][number]> = {};
  for (const [k, c] of Object.entries(ctx.chains)) {
    chains[Number(k)] = {
      lastReportAt: Number(c.lastReportAt),
      staleAfter: Number(c.staleAfter),
      staleWeight: toNumber(c.staleWeight),
    };
  }
  return {
    account: {
      collateral: account.collateral.map((c) => ({
        asset: c.asset,
        chain: c.chain,
        qty: toNumber(c.qty, ctx.assets[c.asset]!.decimals),
        pending: toNumber(c.pending ?? 0n, ctx.assets[c.asset]!.decimals),
      })),
      positions: account.positions.map((p) => ({
        market: p.market,
        qty: toNumber(p.qty),
        openCost: toNumber(p.openCost),
        lastCumFunding: toNumber(p.lastCumFunding),
        mode: p.mode ?? 'cross',
        isolatedMargin: toNumber(p.isolatedMargin ?? 0n),
      })),
      realizedPnl: toNumber(account.realizedPnl ?? 0n),
    },
    context: { assets, markets, chains, now: Number(ctx.now) },
  };
}
