import { InvalidInputError } from '../errors.js';
import type { Exponent } from '../fixed.js';
import type {
  Account,
  AssetParams,
  ChainParams,
  ExactAccount,
  ExactAssetParams,
  ExactChainParams,
  ExactContext,
  ExactMarketParams,
  MarketParams,
  RiskContext,
} from './types.js';

// Whole-input validation for the evaluators: everything is checked before anything is computed,
// and every error names the offending field (`account.collateral[1].qty`, `context.assets.WETH.price`).

function big(field: string, v: unknown, minValue: bigint | null = 0n): bigint {
  if (typeof v !== 'bigint') {
    throw new InvalidInputError(
      field,
      typeof v === 'number' ? 'expected a bigint (integer units), got a number' : 'expected a bigint',
    );
  }
  if (minValue !== null && v < minValue) throw new InvalidInputError(field, `must be ≥ ${minValue}`, { value: `${v}` });
  return v;
}

function num(field: string, v: unknown, minValue: number | null = 0): number {
  if (typeof v !== 'number') throw new InvalidInputError(field, 'expected a number');
  if (!Number.isFinite(v)) throw new InvalidInputError(field, Number.isNaN(v) ? 'is NaN' : 'is not finite');
  if (minValue !== null && v < minValue) throw new InvalidInputError(field, `must be ≥ ${minValue}`, { value: v });
  return v;
}

function obj(field: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidInputError(field, 'expected an object');
  return v as Record<string, unknown>;
}

function arr(field: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new InvalidInputError(field, 'expected an array');
  return v;
}

const WAD = 10n ** 18n;

/** Validates a rational exponent 0 < num ≤ den ≤ 16. */
export function checkExponent(field: string, e: unknown): Exponent {
  const x = obj(field, e);
  const { num: n, den: d } = x;
  if (typeof n !== 'number' || typeof d !== 'number' || !Number.isInteger(n) || !Number.isInteger(d))
    throw new InvalidInputError(field, 'expected integer num and den');
  if (n <= 0 || n > d || d > 16) throw new InvalidInputError(field, 'expected 0 < num ≤ den ≤ 16');
  return { num: n, den: d };
}

export function checkExactAsset(at: string, raw: unknown): ExactAssetParams {
  const a = obj(at, raw);
  big(`${at}.price`, a.price);
  const d = a.decimals;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 77)
    throw new InvalidInputError(`${at}.decimals`, 'expected an integer in [0, 77]');
  const wi = big(`${at}.initialWeight`, a.initialWeight);
  const wm = big(`${at}.maintenanceWeight`, a.maintenanceWeight);
  if (wm > WAD) throw new InvalidInputError(`${at}.maintenanceWeight`, 'must be ≤ 1');
  if (wi > wm) throw new InvalidInputError(`${at}.initialWeight`, 'must be ≤ maintenanceWeight');
  if (a.cap !== undefined && a.cap !== null) big(`${at}.cap`, a.cap);
  if (a.discountFactor !== undefined) big(`${at}.discountFactor`, a.discountFactor);
  if (a.discountK !== undefined) big(`${at}.discountK`, a.discountK);
  return raw as ExactAssetParams;
}

export function checkExactMarket(at: string, raw: unknown): ExactMarketParams {
  const m = obj(at, raw);
  big(`${at}.markPrice`, m.markPrice);
  big(`${at}.cumFunding`, m.cumFunding, null);
  const bi = big(`${at}.baseIMR`, m.baseIMR);
  const bm = big(`${at}.baseMMR`, m.baseMMR);
  if (bi === 0n) throw new InvalidInputError(`${at}.baseIMR`, 'must be > 0');
  if (bm > bi) throw new InvalidInputError(`${at}.baseMMR`, 'must be ≤ baseIMR');
  big(`${at}.imrFactor`, m.imrFactor);
  if (big(`${at}.maxLeverage`, m.maxLeverage) === 0n) throw new InvalidInputError(`${at}.maxLeverage`, 'must be > 0');
  if (m.exponent !== undefined) checkExponent(`${at}.exponent`, m.exponent);
  if (m.volScale !== undefined) big(`${at}.volScale`, m.volScale, WAD);
  return raw as ExactMarketParams;
}

export function checkExactChain(at: string, raw: unknown): ExactChainParams {
  const c = obj(at, raw);
  big(`${at}.lastReportAt`, c.lastReportAt);
  big(`${at}.staleAfter`, c.staleAfter);
  if (big(`${at}.staleWeight`, c.staleWeight) > WAD) throw new InvalidInputError(`${at}.staleWeight`, 'must be ≤ 1');
  return raw as ExactChainParams;
}

/** Checks a whole canonical context (use once per context, not per account, when it is shared). */
export function checkExactContext(raw: unknown): ExactContext {
  const c = obj('context', raw);
  for (const [k, a] of Object.entries(obj('context.assets', c.assets))) checkExactAsset(`context.assets.${k}`, a);
  for (const [k, m] of Object.entries(obj('context.markets', c.markets))) checkExactMarket(`context.markets.${k}`, m);
  for (const [k, ch] of Object.entries(obj('context.chains', c.chains))) checkExactChain(`context.chains.${k}`, ch);
  big('context.now', c.now);
  return raw as ExactContext;
}

/**
 * Checks an account against a (checked) context: known assets, chains and markets, integers.
 * The hot path builds no strings; field names are only spelled out when something is wrong.
 */
export function checkExactAccount(raw: unknown, ctx: ExactContext): ExactAccount {
  const a = obj('account', raw);
  const collateral = arr('account.collateral', a.collateral);
  for (let i = 0; i < collateral.length; i++) {
    const r = collateral[i];
    const e = (typeof r === 'object' && r !== null ? r : obj(`account.collateral[${i}]`, r)) as Record<string, unknown>;
    const at = () => `account.collateral[${i}]`;
    if (typeof e.asset !== 'string' || !Object.hasOwn(ctx.assets, e.asset))
      throw new InvalidInputError(`${at()}.asset`, `unknown asset ${JSON.stringify(e.asset)}`);
    if (typeof e.chain !== 'number' || !Object.hasOwn(ctx.chains, e.chain))
      throw new InvalidInputError(`${at()}.chain`, `unknown chain ${String(e.chain)}`);
    if (typeof e.qty !== 'bigint') big(`${at()}.qty`, e.qty, null);
    if (e.pending !== undefined && (typeof e.pending !== 'bigint' || e.pending < 0n)) big(`${at()}.pending`, e.pending);
    if (e.reclaimable !== undefined) {
      const r = big(`${at()}.reclaimable`, e.reclaimable);
      if (r > ((e.pending as bigint | undefined) ?? 0n))
        throw new InvalidInputError(`${at()}.reclaimable`, 'must be ≤ pending');
    }
    for (let j = 0; j < i; j++) {
      const o = collateral[j] as { asset: string; chain: number };
      if (o.asset === e.asset && o.chain === e.chain)
        throw new InvalidInputError(at(), `duplicate holding ${e.asset}@${e.chain}`);
    }
  }
  const positions = arr('account.positions', a.positions);
  for (let i = 0; i < positions.length; i++) {
    const r = positions[i];
    const p = (typeof r === 'object' && r !== null ? r : obj(`account.positions[${i}]`, r)) as Record<string, unknown>;
    const at = () => `account.positions[${i}]`;
    if (typeof p.market !== 'string' || !Object.hasOwn(ctx.markets, p.market))
      throw new InvalidInputError(`${at()}.market`, `unknown market ${JSON.stringify(p.market)}`);
    if (typeof p.qty !== 'bigint') big(`${at()}.qty`, p.qty, null);
    if (typeof p.openCost !== 'bigint') big(`${at()}.openCost`, p.openCost, null);
    if (typeof p.lastCumFunding !== 'bigint') big(`${at()}.lastCumFunding`, p.lastCumFunding, null);
    if (p.mode !== undefined && p.mode !== 'cross' && p.mode !== 'isolated')
      throw new InvalidInputError(`${at()}.mode`, 'expected "cross" or "isolated"');
    if (p.isolatedMargin !== undefined && (typeof p.isolatedMargin !== 'bigint' || p.isolatedMargin < 0n))
      big(`${at()}.isolatedMargin`, p.isolatedMargin);
    for (let j = 0; j < i; j++) {
      const o = positions[j] as { market: string; mode?: string };
      if (o.market === p.market && (o.mode ?? 'cross') === (p.mode ?? 'cross'))
        throw new InvalidInputError(at(), `duplicate position ${p.market}:${p.mode ?? 'cross'}`);
    }
  }
  if (a.realizedPnl !== undefined) big('account.realizedPnl', a.realizedPnl, null);
  return raw as ExactAccount;
}

export function checkContext(raw: unknown): RiskContext {
  const c = obj('context', raw);
  for (const [k, r] of Object.entries(obj('context.assets', c.assets))) {
    const at = `context.assets.${k}`;
    const a = obj(at, r) as Partial<Record<keyof AssetParams, unknown>>;
    num(`${at}.price`, a.price);
    const wi = num(`${at}.initialWeight`, a.initialWeight);
    const wm = num(`${at}.maintenanceWeight`, a.maintenanceWeight);
    if (wm > 1) throw new InvalidInputError(`${at}.maintenanceWeight`, 'must be ≤ 1');
    if (wi > wm) throw new InvalidInputError(`${at}.initialWeight`, 'must be ≤ maintenanceWeight');
    if (a.cap !== undefined && a.cap !== null) num(`${at}.cap`, a.cap);
    if (a.discountFactor !== undefined) num(`${at}.discountFactor`, a.discountFactor);
    if (a.discountK !== undefined) num(`${at}.discountK`, a.discountK);
  }
  for (const [k, r] of Object.entries(obj('context.markets', c.markets))) {
    const at = `context.markets.${k}`;
    const m = obj(at, r) as Partial<Record<keyof MarketParams, unknown>>;
    num(`${at}.markPrice`, m.markPrice);
    num(`${at}.cumFunding`, m.cumFunding, null);
    if (num(`${at}.baseIMR`, m.baseIMR) === 0) throw new InvalidInputError(`${at}.baseIMR`, 'must be > 0');
    if (num(`${at}.baseMMR`, m.baseMMR) > (m.baseIMR as number))
      throw new InvalidInputError(`${at}.baseMMR`, 'must be ≤ baseIMR');
    num(`${at}.imrFactor`, m.imrFactor);
    if (num(`${at}.maxLeverage`, m.maxLeverage) === 0) throw new InvalidInputError(`${at}.maxLeverage`, 'must be > 0');
    if (m.exponent !== undefined && (num(`${at}.exponent`, m.exponent) <= 0 || (m.exponent as number) > 1))
      throw new InvalidInputError(`${at}.exponent`, 'expected 0 < exponent ≤ 1');
    if (m.volScale !== undefined) num(`${at}.volScale`, m.volScale, 1);
  }
  for (const [k, r] of Object.entries(obj('context.chains', c.chains))) {
    const at = `context.chains.${k}`;
    const ch = obj(at, r) as Partial<Record<keyof ChainParams, unknown>>;
    num(`${at}.lastReportAt`, ch.lastReportAt);
    num(`${at}.staleAfter`, ch.staleAfter);
    if (num(`${at}.staleWeight`, ch.staleWeight) > 1) throw new InvalidInputError(`${at}.staleWeight`, 'must be ≤ 1');
  }
  num('context.now', c.now);
  return raw as RiskContext;
}

export function checkAccount(raw: unknown, ctx: RiskContext): Account {
  const a = obj('account', raw);
  const seen = new Set<string>();
  arr('account.collateral', a.collateral).forEach((r, i) => {
    const at = `account.collateral[${i}]`;
    const e = obj(at, r);
    if (typeof e.asset !== 'string' || !Object.hasOwn(ctx.assets, e.asset))
      throw new InvalidInputError(`${at}.asset`, `unknown asset ${JSON.stringify(e.asset)}`);
    if (typeof e.chain !== 'number' || !Object.hasOwn(ctx.chains, e.chain))
      throw new InvalidInputError(`${at}.chain`, `unknown chain ${String(e.chain)}`);
    num(`${at}.qty`, e.qty, null);
    if (e.pending !== undefined) num(`${at}.pending`, e.pending);
    const key = `${e.asset}@${e.chain}`;
    if (seen.has(key)) throw new InvalidInputError(at, `duplicate holding ${key}`);
    seen.add(key);
  });
  arr('account.positions', a.positions).forEach((r, i) => {
    const at = `account.positions[${i}]`;
    const p = obj(at, r);
    if (typeof p.market !== 'string' || !Object.hasOwn(ctx.markets, p.market))
      throw new InvalidInputError(`${at}.market`, `unknown market ${JSON.stringify(p.market)}`);
    num(`${at}.qty`, p.qty, null);
    num(`${at}.openCost`, p.openCost, null);
    num(`${at}.lastCumFunding`, p.lastCumFunding, null);
    if (p.mode !== undefined && p.mode !== 'cross' && p.mode !== 'isolated')
      throw new InvalidInputError(`${at}.mode`, 'expected "cross" or "isolated"');
    if (p.isolatedMargin !== undefined) num(`${at}.isolatedMargin`, p.isolatedMargin);
  });
  if (a.realizedPnl !== undefined) num('account.realizedPnl', a.realizedPnl, null);
  return raw as Account;
}
