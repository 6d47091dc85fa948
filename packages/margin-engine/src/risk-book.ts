// The full event-applying book of the margin model. Pure: time is the event time carried by the
// inputs, decisions come from the canonical path only, and the state serializes to a snapshot
// whose hash is identical after restore.

import { evaluateExactUnchecked, staleFactor } from './evaluate.js';
import { InvalidInputError } from './errors.js';
import { WAD, max, min, type Exponent } from './fixed.js';
import { accrueFunding, initialFunding, type FundingParams, type FundingState } from './funding.js';
import { checkExactAsset, checkExactChain, checkExactMarket, checkExponent } from './model/check.js';
import type {
  ExactAccount,
  ExactAccountRisk,
  ExactCollateral,
  ExactContext,
  ExactPosition,
  MarginMode,
} from './model/types.js';
import { planUnchecked, type LiquidationPlan, type PlannerConfig } from './planner.js';
import { sha256Hex } from './sha256.js';
import {
  initialVolatility,
  updateVolatility,
  volScale,
  type VolatilityParams,
  type VolatilityState,
} from './volatility.js';

export interface RiskAssetConfig {
  readonly decimals: number;
  readonly initialWeight: bigint;
  readonly maintenanceWeight: bigint;
  readonly cap?: bigint | null;
  readonly discountFactor?: bigint;
  readonly discountK?: bigint;
}

export interface RiskMarketConfig {
  readonly baseIMR: bigint;
  readonly baseMMR: bigint;
  readonly imrFactor: bigint;
  readonly exponent?: Exponent;
  readonly maxLeverage: bigint;
  readonly funding?: FundingParams;
  readonly volatility?: VolatilityParams;
}

export interface RiskChainConfig {
  readonly staleAfter: bigint;
  readonly staleWeight: bigint;
}

export interface RiskBookConfig {
  readonly assets: Readonly<Record<string, RiskAssetConfig>>;
  readonly markets: Readonly<Record<string, RiskMarketConfig>>;
  readonly chains: Readonly<Record<number, RiskChainConfig>>;
  readonly planner: PlannerConfig;
  /** Per-window liquidation budgets: notional per market, seized value per chain (WAD USD). */
  readonly rateLimits?: {
    readonly window: bigint;
    readonly perMarket?: Readonly<Record<string, bigint>>;
    readonly perChain?: Readonly<Record<number, bigint>>;
  };
  /** Insurance fund at genesis (WAD USD). */
  readonly insuranceFund?: bigint;
}

/** A seizure order the book issued, pending until the vault acknowledges it. */
export interface SeizureOrder {
  readonly id: string;
  readonly account: string;
  readonly asset: string;
  readonly chain: number;
  readonly amount: bigint;
}

export interface WithdrawalDecision {
  readonly id: string;
  readonly approved: boolean;
  /** Largest amount that could have been approved (base units). */
  readonly maxWithdraw: bigint;
}

export interface LiquidationResult {
  readonly account: string;
  readonly plan: LiquidationPlan;
  readonly orders: readonly SeizureOrder[];
}

interface Holding {
  readonly asset: string;
  readonly chain: number;
  qty: bigint;
  /** In-flight withdrawals and seizures by id. */
  readonly pending: Map<string, bigint>;
}

interface AccountState {
  readonly id: string;
  /** Assets, chains and markets this account is already indexed under (small lists). */
  readonly inAssets: string[];
  readonly inChains: number[];
  readonly inMarkets: string[];
  /** Queued for re-evaluation (in `dirtyList`). */
  dirty: boolean;
  /** key: asset index × 65536 + chain slot (a small integer: no string built per event) */
  readonly holdings: Map<number, Holding>;
  /** key `${market}:${mode}` */
  readonly positions: Map<string, ExactPosition>;
  realizedPnl: bigint;
}

interface MarketState {
  mark: bigint | null;
  funding: FundingState;
  vol: VolatilityState;
}

const keyOf = (asset: string, chain: number) => `${asset}@${chain}`;
const parseKey = (k: string): [string, number] => {
  const at = k.lastIndexOf('@');
  return [k.slice(0, at), Number(k.slice(at + 1))];
};
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function big(field: string, v: unknown, minValue: bigint | null = 0n): bigint {
  if (typeof v !== 'bigint')
    throw new InvalidInputError(
      field,
      typeof v === 'number' ? 'expected a bigint (integer units), got a number' : 'expected a bigint',
    );
  if (minValue !== null && v < minValue) throw new InvalidInputError(field, `must be ≥ ${minValue}`, { value: `${v}` });
  return v;
}
function str(field: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 128)
    throw new InvalidInputError(field, 'expected a non-empty string');
  return v;
}
function obj(field: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidInputError(field, 'expected an object');
  return v as Record<string, unknown>;
}

/**
 * The full margin book: applies events (balance reports per chain, positions, prices, marks with
 * funding and volatility, withdrawals and seizures and their acknowledgements) incrementally,
 * keeps an index from asset, market and chain to the accounts that hold them, so an event
 * re-evaluates only those, lists liquidatable accounts, plans and books liquidations, decides
 * withdrawals, and snapshots to a canonical JSON whose hash survives restore.
 *
 * (`MarginBook` is the walking skeleton's book the clearing node runs today; this is the book of
 * the complete model that replaces it.)
 *
 * @example
 * const book = new RiskBook(config);
 * book.applyPrice({ asset: 'USDC', price: WAD, time: 1n });
 * book.applyBalance({ account: '0xa', asset: 'USDC', chain: 1, balance: 1_000_000_000n, time: 1n });
 * book.applyMark({ market: 'ETH-PERP', markPrice: 2000n * WAD, indexPrice: 2000n * WAD, time: 1n });
 * book.applyPosition({ account: '0xa', market: 'ETH-PERP', qty: 10n * WAD, openCost: 20_600n * WAD });
 * book.liquidatable(); // ['0xa']
 * const { orders } = book.liquidate('0xa')!; // seizure orders to send to the vaults
 */
export class RiskBook {
  private readonly config: RiskBookConfig;
  private readonly ctx: {
    assets: Record<string, ExactContext['assets'][string]>;
    markets: Record<string, ExactContext['markets'][string]>;
    chains: Record<number, ExactContext['chains'][number]>;
    now: bigint;
  };
  private readonly accounts = new Map<string, AccountState>();
  private readonly assetIds = new Map<string, number>();
  private readonly chainIds = new Set<number>();
  private readonly chainSlots = new Map<number, number>();
  private readonly prices = new Map<string, { price: bigint; time: bigint }>();
  private readonly marketState = new Map<string, MarketState>();
  private readonly lastReport = new Map<number, bigint>();
  private readonly staleNow = new Map<number, boolean>();
  private readonly assetHolders = new Map<string, Set<AccountState>>();
  private readonly marketHolders = new Map<string, Set<AccountState>>();
  private readonly chainHolders = new Map<number, Set<AccountState>>();
  private readonly withdrawals = new Map<string, { account: string; asset: string; chain: number; amount: bigint }>();
  private readonly seizures = new Map<string, SeizureOrder>();
  /** Accounts touched since the last `liquidatable()`; each once (flag on the state). */
  private readonly dirtyList: AccountState[] = [];
  private readonly liquidatableSet = new Set<string>();
  private readonly queued = new Set<string>();
  private window = -1n;
  private readonly usedMarket = new Map<string, bigint>();
  private readonly usedChain = new Map<number, bigint>();
  private orderCounter = 0n;
  private insuranceFund: bigint;
  private socializedLoss = 0n;
  private badDebt = 0n;
  private penaltiesToInsurance = 0n;
  private penaltiesToLiquidators = 0n;

  constructor(config: RiskBookConfig) {
    const c = obj('config', config);
    const assets: Record<string, ExactContext['assets'][string]> = {};
    for (const [k, a] of Object.entries(obj('config.assets', c.assets)))
      assets[k] = checkExactAsset(`config.assets.${k}`, { ...(a as object), price: 0n });
    const markets: Record<string, ExactContext['markets'][string]> = {};
    for (const [k, raw] of Object.entries(obj('config.markets', c.markets))) {
      const m = raw as RiskMarketConfig;
      if (m.exponent !== undefined) checkExponent(`config.markets.${k}.exponent`, m.exponent);
      markets[k] = checkExactMarket(`config.markets.${k}`, {
        baseIMR: m.baseIMR,
        baseMMR: m.baseMMR,
        imrFactor: m.imrFactor,
        maxLeverage: m.maxLeverage,
        ...(m.exponent ? { exponent: m.exponent } : {}),
        markPrice: 0n,
        cumFunding: 0n,
        volScale: WAD,
      });
      if (m.funding) {
        big(`config.markets.${k}.funding.interval`, m.funding.interval, 1n);
        for (const f of ['interestRate', 'clampBand', 'cap'] as const)
          big(`config.markets.${k}.funding.${f}`, m.funding[f], f === 'interestRate' ? null : 0n);
      }
      if (m.volatility) {
        if (big(`config.markets.${k}.volatility.lambda`, m.volatility.lambda) >= WAD)
          throw new InvalidInputError(`config.markets.${k}.volatility.lambda`, 'must be < 1');
        big(`config.markets.${k}.volatility.refVol`, m.volatility.refVol, 1n);
        big(`config.markets.${k}.volatility.maxScale`, m.volatility.maxScale, WAD);
      }
      this.marketState.set(k, { mark: null, funding: initialFunding(), vol: initialVolatility });
    }
    const chains: Record<number, ExactContext['chains'][number]> = {};
    for (const [k, ch] of Object.entries(obj('config.chains', c.chains))) {
      const id = Number(k);
      if (!Number.isSafeInteger(id) || id <= 0)
        throw new InvalidInputError(`config.chains.${k}`, 'expected a positive chain id');
      chains[id] = checkExactChain(`config.chains.${k}`, { ...(ch as object), lastReportAt: 0n });
    }
    const p = obj('config.planner', c.planner);
    if (big('config.planner.targetHealth', p.targetHealth) < WAD)
      throw new InvalidInputError('config.planner.targetHealth', 'must be ≥ 1');
    if (big('config.planner.penalty', p.penalty) >= WAD)
      throw new InvalidInputError('config.planner.penalty', 'must be < 1');
    if (big('config.planner.liquidatorShare', p.liquidatorShare) > WAD)
      throw new InvalidInputError('config.planner.liquidatorShare', 'must be ≤ 1');
    if (c.rateLimits !== undefined) big('config.rateLimits.window', obj('config.rateLimits', c.rateLimits).window, 1n);
    this.insuranceFund = c.insuranceFund === undefined ? 0n : big('config.insuranceFund', c.insuranceFund);
    this.config = config;
    this.ctx = { assets, markets, chains, now: 0n };
    Object.keys(assets).forEach((a, i) => this.assetIds.set(a, i));
    for (const k of Object.keys(chains)) {
      this.chainSlots.set(Number(k), this.chainIds.size);
      this.chainIds.add(Number(k));
    }
  }

  // ------------------------------------------------------------------ events

  /** A vault's confirmed absolute balance of `asset` on `chain` (base units; negative = debt). */
  applyBalance(e: { account: string; asset: string; chain: number; balance: bigint; time: bigint }): void {
    const r = obj('event', e);
    const account = str('account', r.account);
    const asset = this.assetName('asset', r.asset);
    const chain = this.chainId('chain', r.chain);
    const balance = big('balance', r.balance, null);
    const time = big('time', r.time);
    this.advance(time);
    this.report(chain, time);
    const state = this.account(account);
    const k = this.hkey(asset, chain);
    const h = state.holdings.get(k);
    if (h) h.qty = balance;
    else state.holdings.set(k, { asset, chain, qty: balance, pending: new Map() });
    this.index(this.assetHolders, state.inAssets, asset, state);
    this.index(this.chainHolders, state.inChains, chain, state);
    this.touch(state);
  }

  /** A chain's liveness report (any confirmed block): its collateral counts fully again. */
  applyChainReport(e: { chain: number; time: bigint }): void {
    const r = obj('event', e);
    const chain = this.chainId('chain', r.chain);
    const time = big('time', r.time);
    this.advance(time);
    this.report(chain, time);
  }

  /** An integrated protocol's absolute position of `account` in `market` (qty 0 closes it). */
  applyPosition(e: {
    account: string;
    market: string;
    qty: bigint;
    openCost: bigint;
    lastCumFunding?: bigint;
    mode?: MarginMode;
    isolatedMargin?: bigint;
    time?: bigint;
  }): void {
    const r = obj('event', e);
    const account = str('account', r.account);
    const market = this.marketName('market', r.market);
    const qty = big('qty', r.qty, null);
    const openCost = big('openCost', r.openCost, null);
    const f0 =
      r.lastCumFunding === undefined
        ? this.ctx.markets[market]!.cumFunding
        : big('lastCumFunding', r.lastCumFunding, null);
    if (r.mode !== undefined && r.mode !== 'cross' && r.mode !== 'isolated')
      throw new InvalidInputError('mode', 'expected "cross" or "isolated"');
    const mode = (r.mode ?? 'cross') as MarginMode;
    const iso = r.isolatedMargin === undefined ? 0n : big('isolatedMargin', r.isolatedMargin);
    if (r.time !== undefined) this.advance(big('time', r.time));
    const state = this.account(account);
    const k = `${market}:${mode}`;
    if (qty === 0n && openCost === 0n) state.positions.delete(k);
    else state.positions.set(k, { market, qty, openCost, lastCumFunding: f0, mode, isolatedMargin: iso });
    this.index(this.marketHolders, state.inMarkets, market, state);
    this.touch(state);
  }

  /** An oracle price (USD per whole unit, WAD). A price not newer than the last is ignored. */
  applyPrice(e: { asset: string; price: bigint; time: bigint }): { applied: boolean; holders: number } {
    const r = obj('event', e);
    const asset = this.assetName('asset', r.asset);
    const price = big('price', r.price);
    const time = big('time', r.time);
    const last = this.prices.get(asset);
    if (last && time <= last.time) return { applied: false, holders: 0 };
    this.advance(time);
    this.prices.set(asset, { price, time });
    this.ctx.assets[asset] = { ...this.ctx.assets[asset]!, price };
    const holders = this.assetHolders.get(asset);
    if (holders) for (const a of holders) this.touch(a);
    return { applied: true, holders: holders?.size ?? 0 };
  }

  /**
   * A market's mark and index price: accrues funding (if configured) and folds the mark into the
   * volatility EWMA (scaling IMR/MMR up, never down).
   */
  applyMark(e: { market: string; markPrice: bigint; indexPrice: bigint; time: bigint }): { applied: boolean } {
    const r = obj('event', e);
    const market = this.marketName('market', r.market);
    const mark = big('markPrice', r.markPrice, 1n);
    const index = big('indexPrice', r.indexPrice, 1n);
    const time = big('time', r.time);
    const st = this.marketState.get(market)!;
    if (st.funding.lastTime !== null && time < st.funding.lastTime) return { applied: false };
    const cfg = this.config.markets[market]!;
    // compute everything first, then commit (nothing half-applied)
    const funding = cfg.funding
      ? accrueFunding(st.funding, cfg.funding, { time, mark, index })
      : { ...st.funding, lastTime: time };
    const vol = cfg.volatility ? updateVolatility(st.vol, cfg.volatility, mark) : st.vol;
    const scale = cfg.volatility ? volScale(vol, cfg.volatility) : WAD;
    this.advance(time);
    st.funding = funding;
    st.vol = vol;
    st.mark = mark;
    this.ctx.markets[market] = {
      ...this.ctx.markets[market]!,
      markPrice: mark,
      cumFunding: funding.cumFunding,
      volScale: scale,
    };
    const holders = this.marketHolders.get(market);
    if (holders) for (const a of holders) this.touch(a);
    return { applied: true };
  }

  /**
   * Decides a withdrawal request on the canonical path: approved iff the amount is at most the
   * account's max withdrawal of that asset on that chain (free collateral stays ≥ 0 counting
   * every chain and everything in flight). An approved amount is in flight from now on.
   */
  requestWithdrawal(e: {
    id: string;
    account: string;
    asset: string;
    chain: number;
    amount: bigint;
    time: bigint;
  }): WithdrawalDecision {
    const r = obj('event', e);
    const id = str('id', r.id);
    if (this.withdrawals.has(id) || this.seizures.has(id)) throw new InvalidInputError('id', `duplicate id ${id}`);
    const account = str('account', r.account);
    const asset = this.assetName('asset', r.asset);
    const chain = this.chainId('chain', r.chain);
    const amount = big('amount', r.amount, 1n);
    const time = big('time', r.time);
    this.advance(time);
    const missing = this.missingPrices(account);
    const risk = this.accounts.has(account) ? evaluateExactUnchecked(this.exactAccount(account), this.ctx) : null;
    const maxWithdraw =
      missing.length > 0 ? 0n : (risk?.maxWithdraw.find((w) => w.asset === asset && w.chain === chain)?.amount ?? 0n);
    const approved = amount <= maxWithdraw;
    if (approved) {
      this.account(account).holdings.get(this.hkey(asset, chain))!.pending.set(id, amount);
      this.withdrawals.set(id, { account, asset, chain, amount });
      this.touch(account);
    }
    return { id, approved, maxWithdraw };
  }

  /** A vault's acknowledgement of a withdrawal or seizure: clears it and books the new balance. */
  acknowledge(e: { id: string; balance: bigint; time: bigint }): { kind: 'withdrawal' | 'seizure' } {
    const r = obj('event', e);
    const id = str('id', r.id);
    const balance = big('balance', r.balance, null);
    const time = big('time', r.time);
    const w = this.withdrawals.get(id) ?? this.seizures.get(id);
    if (!w) throw new InvalidInputError('id', `unknown order ${id}`);
    this.advance(time);
    this.report(w.chain, time);
    const h = this.accounts.get(w.account)!.holdings.get(this.hkey(w.asset, w.chain))!;
    h.pending.delete(id);
    h.qty = balance;
    const kind = this.withdrawals.delete(id) ? 'withdrawal' : 'seizure';
    this.seizures.delete(id);
    this.touch(w.account);
    return { kind };
  }

  // ------------------------------------------------------------------ decisions

  /** Canonical risk of one account (throws for an unknown account). */
  evaluate(account: string): ExactAccountRisk {
    if (!this.accounts.has(account)) throw new InvalidInputError('account', `unknown account ${account}`);
    return evaluateExactUnchecked(this.exactAccount(account), this.ctx);
  }

  /**
   * Accounts liquidatable now, sorted; re-evaluates only accounts touched since the last call.
   * An account holding an asset or market without a price yet is deferred, not listed.
   */
  liquidatable(): string[] {
    for (const st of this.dirtyList) {
      st.dirty = false;
      const a = st.id;
      const liq =
        this.missingPrices(a).length === 0 &&
        evaluateExactUnchecked(this.exactAccount(a), this.ctx, { details: false }).liquidatable;
      if (liq) this.liquidatableSet.add(a);
      else this.liquidatableSet.delete(a);
    }
    this.dirtyList.length = 0;
    return [...this.liquidatableSet].sort(cmp);
  }

  /**
   * Plans and books the liquidation of `account` if it is liquidatable: positions closed and PnL
   * realized, seizure orders booked as pending, penalties and bad debt booked, rate-limit usage
   * consumed. What the window's budget does not allow stays queued for a later window.
   */
  liquidate(account: string): LiquidationResult | null {
    if (!this.accounts.has(account)) throw new InvalidInputError('account', `unknown account ${account}`);
    if (this.missingPrices(account).length > 0) return null;
    const exact = this.exactAccount(account);
    if (!evaluateExactUnchecked(exact, this.ctx, { details: false }).liquidatable) {
      this.queued.delete(account);
      return null;
    }
    this.rollWindow();
    const rl = this.config.rateLimits;
    const budget = rl && {
      markets: Object.fromEntries(
        Object.entries(rl.perMarket ?? {}).map(([m, v]) => [m, max(0n, v - (this.usedMarket.get(m) ?? 0n))]),
      ),
      chains: Object.fromEntries(
        Object.entries(rl.perChain ?? {}).map(([c, v]) => [c, max(0n, v - (this.usedChain.get(Number(c)) ?? 0n))]),
      ),
    };
    const plan = planUnchecked(exact, this.ctx, this.config.planner, {
      ...(budget ? { budget } : {}),
      insuranceFund: this.insuranceFund,
    });
    // book it
    const state = this.accounts.get(account)!;
    state.positions.clear();
    for (const p of plan.accountAfter.positions) state.positions.set(`${p.market}:${p.mode ?? 'cross'}`, p);
    state.realizedPnl = plan.accountAfter.realizedPnl ?? 0n;
    for (const c of plan.accountAfter.collateral) {
      const h = state.holdings.get(this.hkey(c.asset, c.chain))!;
      // seizures become in flight (the vault's ack books the real balance); repayments and
      // write-offs change the booked balance directly
      const seized = plan.seizures.find((s) => s.asset === c.asset && s.chain === c.chain)?.amount ?? 0n;
      h.qty = c.qty + seized;
    }
    const orders: SeizureOrder[] = plan.seizures.map((s) => {
      this.orderCounter += 1n;
      const order = { id: `seize-${this.orderCounter}`, account, asset: s.asset, chain: s.chain, amount: s.amount };
      state.holdings.get(this.hkey(s.asset, s.chain))!.pending.set(order.id, s.amount);
      this.seizures.set(order.id, order);
      this.usedChain.set(s.chain, (this.usedChain.get(s.chain) ?? 0n) + s.value);
      return order;
    });
    for (const c of plan.closes) this.usedMarket.set(c.market, (this.usedMarket.get(c.market) ?? 0n) + c.notional);
    this.penaltiesToLiquidators += plan.penalty.liquidator;
    this.penaltiesToInsurance += plan.penalty.insurance;
    this.insuranceFund += plan.penalty.insurance;
    this.badDebt += plan.badDebt.total;
    const fromFund = min(this.insuranceFund, plan.badDebt.total);
    this.insuranceFund -= fromFund;
    this.socializedLoss += plan.badDebt.total - fromFund;
    if (plan.queued.closes.length + plan.queued.seizures.length > 0) this.queued.add(account);
    else this.queued.delete(account);
    this.touch(account);
    return { account, plan, orders };
  }

  /** Accounts with liquidation actions held back by rate limits, sorted. */
  queuedAccounts(): string[] {
    return [...this.queued].sort(cmp);
  }

  /** Insurance fund, socialized loss, bad debt and penalties booked so far (WAD USD). */
  ledger(): {
    insuranceFund: bigint;
    socializedLoss: bigint;
    badDebt: bigint;
    penaltiesToInsurance: bigint;
    penaltiesToLiquidators: bigint;
  } {
    return {
      insuranceFund: this.insuranceFund,
      socializedLoss: this.socializedLoss,
      badDebt: this.badDebt,
      penaltiesToInsurance: this.penaltiesToInsurance,
      penaltiesToLiquidators: this.penaltiesToLiquidators,
    };
  }

  /** Accounts holding `asset` (any chain, any sign), sorted. */
  holdersOf(asset: string): string[] {
    return [...(this.assetHolders.get(this.assetName('asset', asset)) ?? [])].map((s) => s.id).sort(cmp);
  }

  /** Accounts with a position in `market`, sorted. */
  holdersOfMarket(market: string): string[] {
    return [...(this.marketHolders.get(this.marketName('market', market)) ?? [])].map((s) => s.id).sort(cmp);
  }

  /** The canonical account as the evaluator sees it (in-flight amounts as `pending`). */
  exactAccount(account: string): ExactAccount {
    const s = this.accounts.get(account);
    if (!s) return { collateral: [], positions: [] };
    const collateral: ExactCollateral[] = [];
    for (const h of s.holdings.values()) {
      const { asset, chain } = h;
      let pending = 0n;
      for (const v of h.pending.values()) pending += v;
      collateral.push({ asset, chain, qty: h.qty, pending });
    }
    return { collateral, positions: [...s.positions.values()], realizedPnl: s.realizedPnl };
  }

  /** The current canonical context (prices, marks, funding, volatility scales, chains, now). */
  context(): ExactContext {
    return this.ctx;
  }

  // ------------------------------------------------------------------ snapshot

  /** The full state as canonical JSON-safe data (bigints as decimal strings, sorted keys). */
  snapshot(): RiskBookSnapshot {
    const s = (v: bigint) => v.toString();
    return {
      version: 1,
      now: s(this.ctx.now),
      accounts: [...this.accounts.keys()].sort(cmp).map((id) => {
        const a = this.accounts.get(id)!;
        return {
          id,
          realizedPnl: s(a.realizedPnl),
          holdings: [...a.holdings.values()]
            .map((h) => [keyOf(h.asset, h.chain), h] as const)
            .sort(([x], [y]) => cmp(x, y))
            .map(([k, h]) => ({
              key: k,
              qty: s(h.qty),
              pending: [...h.pending.entries()]
                .sort(([x], [y]) => cmp(x, y))
                .map(([i, v]) => [i, s(v)] as [string, string]),
            })),
          positions: [...a.positions.entries()]
            .sort(([x], [y]) => cmp(x, y))
            .map(([, p]) => ({
              market: p.market,
              mode: p.mode ?? 'cross',
              qty: s(p.qty),
              openCost: s(p.openCost),
              lastCumFunding: s(p.lastCumFunding),
              isolatedMargin: s(p.isolatedMargin ?? 0n),
            })),
        };
      }),
      prices: [...this.prices.entries()]
        .sort(([x], [y]) => cmp(x, y))
        .map(([asset, p]) => ({ asset, price: s(p.price), time: s(p.time) })),
      markets: [...this.marketState.entries()]
        .sort(([x], [y]) => cmp(x, y))
        .map(([market, m]) => ({
          market,
          mark: m.mark === null ? null : s(m.mark),
          funding: {
            cumFunding: s(m.funding.cumFunding),
            rate: s(m.funding.rate),
            premiumTime: s(m.funding.premiumTime),
            sampledTime: s(m.funding.sampledTime),
            lastPremium: s(m.funding.lastPremium),
            lastMark: s(m.funding.lastMark),
            lastTime: m.funding.lastTime === null ? null : s(m.funding.lastTime),
            intervalStart: s(m.funding.intervalStart),
          },
          vol: { variance: s(m.vol.variance), lastPrice: m.vol.lastPrice === null ? null : s(m.vol.lastPrice) },
          volScale: s(this.ctx.markets[market]!.volScale ?? WAD),
        })),
      chains: [...this.lastReport.entries()]
        .sort(([x], [y]) => x - y)
        .map(([chain, t]) => ({ chain, lastReportAt: s(t) })),
      withdrawals: [...this.withdrawals.entries()]
        .sort(([x], [y]) => cmp(x, y))
        .map(([id, w]) => ({ id, ...w, amount: s(w.amount) })),
      seizures: [...this.seizures.values()].sort((x, y) => cmp(x.id, y.id)).map((o) => ({ ...o, amount: s(o.amount) })),
      queued: [...this.queued].sort(cmp),
      window: s(this.window),
      usedMarket: [...this.usedMarket.entries()]
        .sort(([x], [y]) => cmp(x, y))
        .map(([k, v]) => [k, s(v)] as [string, string]),
      usedChain: [...this.usedChain.entries()].sort(([x], [y]) => x - y).map(([k, v]) => [k, s(v)] as [number, string]),
      orderCounter: s(this.orderCounter),
      insuranceFund: s(this.insuranceFund),
      socializedLoss: s(this.socializedLoss),
      badDebt: s(this.badDebt),
      penaltiesToInsurance: s(this.penaltiesToInsurance),
      penaltiesToLiquidators: s(this.penaltiesToLiquidators),
    };
  }

  /** SHA-256 of the canonical snapshot: identical on every node that applied the same events. */
  stateHash(): string {
    return sha256Hex(JSON.stringify(this.snapshot()));
  }

  /** Rebuilds a book from {@link snapshot} output under the same configuration. */
  static restore(config: RiskBookConfig, snap: RiskBookSnapshot): RiskBook {
    const book = new RiskBook(config);
    const b = (field: string, v: unknown): bigint => {
      if (typeof v !== 'string' || !/^-?(0|[1-9][0-9]*)$/.test(v))
        throw new InvalidInputError(field, 'expected a decimal string');
      return BigInt(v);
    };
    const sn = obj('snapshot', snap) as unknown as RiskBookSnapshot;
    if (sn.version !== 1) throw new InvalidInputError('snapshot.version', 'unsupported version');
    book.ctx.now = b('snapshot.now', sn.now);
    sn.prices.forEach((p, i) => {
      const asset = book.assetName(`snapshot.prices[${i}].asset`, p.asset);
      const price = b(`snapshot.prices[${i}].price`, p.price);
      book.prices.set(asset, { price, time: b(`snapshot.prices[${i}].time`, p.time) });
      book.ctx.assets[asset] = { ...book.ctx.assets[asset]!, price };
    });
    sn.markets.forEach((m, i) => {
      const at = `snapshot.markets[${i}]`;
      const market = book.marketName(`${at}.market`, m.market);
      const f = m.funding;
      const funding: FundingState = {
        cumFunding: b(`${at}.funding.cumFunding`, f.cumFunding),
        rate: b(`${at}.funding.rate`, f.rate),
        premiumTime: b(`${at}.funding.premiumTime`, f.premiumTime),
        sampledTime: b(`${at}.funding.sampledTime`, f.sampledTime),
        lastPremium: b(`${at}.funding.lastPremium`, f.lastPremium),
        lastMark: b(`${at}.funding.lastMark`, f.lastMark),
        lastTime: f.lastTime === null ? null : b(`${at}.funding.lastTime`, f.lastTime),
        intervalStart: b(`${at}.funding.intervalStart`, f.intervalStart),
      };
      const mark = m.mark === null ? null : b(`${at}.mark`, m.mark);
      book.marketState.set(market, {
        mark,
        funding,
        vol: {
          variance: b(`${at}.vol.variance`, m.vol.variance),
          lastPrice: m.vol.lastPrice === null ? null : b(`${at}.vol.lastPrice`, m.vol.lastPrice),
        },
      });
      book.ctx.markets[market] = {
        ...book.ctx.markets[market]!,
        markPrice: mark ?? 0n,
        cumFunding: funding.cumFunding,
        volScale: b(`${at}.volScale`, m.volScale),
      };
    });
    sn.chains.forEach((c, i) =>
      book.report(
        book.chainId(`snapshot.chains[${i}].chain`, c.chain),
        b(`snapshot.chains[${i}].lastReportAt`, c.lastReportAt),
      ),
    );
    sn.accounts.forEach((a, i) => {
      const at = `snapshot.accounts[${i}]`;
      const id = str(`${at}.id`, a.id);
      const state = book.account(id);
      state.realizedPnl = b(`${at}.realizedPnl`, a.realizedPnl);
      a.holdings.forEach((h, j) => {
        const [asset, chain] = parseKey(h.key);
        book.assetName(`${at}.holdings[${j}].key`, asset);
        book.chainId(`${at}.holdings[${j}].key`, chain);
        state.holdings.set(book.hkey(asset, chain), {
          asset,
          chain,
          qty: b(`${at}.holdings[${j}].qty`, h.qty),
          pending: new Map(h.pending.map(([k, v]) => [k, b(`${at}.holdings[${j}].pending`, v)])),
        });
        book.index(book.assetHolders, state.inAssets, asset, state);
        book.index(book.chainHolders, state.inChains, chain, state);
      });
      a.positions.forEach((p, j) => {
        const market = book.marketName(`${at}.positions[${j}].market`, p.market);
        state.positions.set(`${market}:${p.mode}`, {
          market,
          mode: p.mode,
          qty: b(`${at}.positions[${j}].qty`, p.qty),
          openCost: b(`${at}.positions[${j}].openCost`, p.openCost),
          lastCumFunding: b(`${at}.positions[${j}].lastCumFunding`, p.lastCumFunding),
          isolatedMargin: b(`${at}.positions[${j}].isolatedMargin`, p.isolatedMargin),
        });
        book.index(book.marketHolders, state.inMarkets, market, state);
      });
      book.touch(state);
    });
    for (const w of sn.withdrawals)
      book.withdrawals.set(w.id, {
        account: w.account,
        asset: w.asset,
        chain: w.chain,
        amount: b('snapshot.withdrawals.amount', w.amount),
      });
    for (const o of sn.seizures) book.seizures.set(o.id, { ...o, amount: b('snapshot.seizures.amount', o.amount) });
    for (const q of sn.queued) book.queued.add(q);
    book.window = b('snapshot.window', sn.window);
    for (const [k, v] of sn.usedMarket) book.usedMarket.set(k, b('snapshot.usedMarket', v));
    for (const [k, v] of sn.usedChain) book.usedChain.set(k, b('snapshot.usedChain', v));
    book.orderCounter = b('snapshot.orderCounter', sn.orderCounter);
    book.insuranceFund = b('snapshot.insuranceFund', sn.insuranceFund);
    book.socializedLoss = b('snapshot.socializedLoss', sn.socializedLoss);
    book.badDebt = b('snapshot.badDebt', sn.badDebt);
    book.penaltiesToInsurance = b('snapshot.penaltiesToInsurance', sn.penaltiesToInsurance);
    book.penaltiesToLiquidators = b('snapshot.penaltiesToLiquidators', sn.penaltiesToLiquidators);
    return book;
  }

  // ------------------------------------------------------------------ internals

  private account(id: string): AccountState {
    let s = this.accounts.get(id);
    if (!s)
      this.accounts.set(
        id,
        (s = {
          id,
          inAssets: [],
          inChains: [],
          inMarkets: [],
          dirty: false,
          holdings: new Map(),
          positions: new Map(),
          realizedPnl: 0n,
        }),
      );
    return s;
  }

  /** Small-integer key of (asset, chain): stays a V8 Smi, so no number is allocated per event. */
  private hkey(asset: string, chain: number): number {
    return this.assetIds.get(asset)! * 65536 + this.chainSlots.get(chain)!;
  }

  /** Marks an account for re-evaluation. */
  private touch(account: string | AccountState): void {
    const s = typeof account === 'string' ? this.accounts.get(account) : account;
    if (s && !s.dirty) {
      s.dirty = true;
      this.dirtyList.push(s);
    }
  }

  private index<K extends string | number>(idx: Map<K, Set<AccountState>>, mine: K[], key: K, st: AccountState): void {
    // the account's own short list spares the big shared set a lookup on every event
    if (mine.includes(key)) return;
    mine.push(key);
    let set = idx.get(key);
    if (!set) idx.set(key, (set = new Set()));
    set.add(st);
  }

  private assetName(field: string, v: unknown): string {
    if (typeof v !== 'string' || !Object.hasOwn(this.ctx.assets, v))
      throw new InvalidInputError(field, `unknown asset ${JSON.stringify(v)}`);
    return v;
  }

  private marketName(field: string, v: unknown): string {
    if (typeof v !== 'string' || !Object.hasOwn(this.ctx.markets, v))
      throw new InvalidInputError(field, `unknown market ${JSON.stringify(v)}`);
    return v;
  }

  private chainId(field: string, v: unknown): number {
    // a Set, not the context object: chain ids are sparse integers, slow as object keys
    if (typeof v !== 'number' || !this.chainIds.has(v))
      throw new InvalidInputError(field, `unknown chain ${String(v)}`);
    return v;
  }

  /** Assets and markets the account holds that have no price yet (its decision is deferred). */
  private missingPrices(account: string): string[] {
    const s = this.accounts.get(account);
    if (!s) return [];
    const out: string[] = [];
    for (const h of s.holdings.values()) {
      const asset = h.asset;
      if (h.qty !== 0n && !this.prices.has(asset)) out.push(asset);
    }
    for (const p of s.positions.values()) if (this.marketState.get(p.market)!.mark === null) out.push(p.market);
    return out;
  }

  /** Moves the book's clock (event time never goes back) and re-judges chains turning stale. */
  private advance(time: bigint): void {
    if (time <= this.ctx.now) return;
    this.ctx.now = time;
    for (const chain of this.chainIds) this.restale(chain);
  }

  private report(chain: number, time: bigint): void {
    const last = this.lastReport.get(chain);
    if (last !== undefined && time <= last) return;
    this.lastReport.set(chain, time);
    this.ctx.chains[chain] = { ...this.ctx.chains[chain]!, lastReportAt: time };
    this.restale(chain);
  }

  private restale(chain: number): void {
    const stale = staleFactor(this.ctx.chains[chain]!, this.ctx.now) !== WAD;
    if (this.staleNow.get(chain) === stale) return;
    this.staleNow.set(chain, stale);
    const holders = this.chainHolders.get(chain);
    if (holders) for (const a of holders) this.touch(a);
  }

  private rollWindow(): void {
    const rl = this.config.rateLimits;
    if (!rl) return;
    const w = this.ctx.now / rl.window;
    if (w !== this.window) {
      this.window = w;
      this.usedMarket.clear();
      this.usedChain.clear();
    }
  }
}

/** {@link RiskBook.snapshot} output. */
export interface RiskBookSnapshot {
  readonly version: 1;
  readonly now: string;
  readonly accounts: ReadonlyArray<{
    readonly id: string;
    readonly realizedPnl: string;
    readonly holdings: ReadonlyArray<{
      readonly key: string;
      readonly qty: string;
      readonly pending: ReadonlyArray<[string, string]>;
    }>;
    readonly positions: ReadonlyArray<{
      readonly market: string;
      readonly mode: MarginMode;
      readonly qty: string;
      readonly openCost: string;
      readonly lastCumFunding: string;
      readonly isolatedMargin: string;
    }>;
  }>;
  readonly prices: ReadonlyArray<{ readonly asset: string; readonly price: string; readonly time: string }>;
  readonly markets: ReadonlyArray<{
    readonly market: string;
    readonly mark: string | null;
    readonly funding: { readonly [K in keyof FundingState]: K extends 'lastTime' ? string | null : string };
    readonly vol: { readonly variance: string; readonly lastPrice: string | null };
    readonly volScale: string;
  }>;
  readonly chains: ReadonlyArray<{ readonly chain: number; readonly lastReportAt: string }>;
  readonly withdrawals: ReadonlyArray<{
    readonly id: string;
    readonly account: string;
    readonly asset: string;
    readonly chain: number;
    readonly amount: string;
  }>;
  readonly seizures: ReadonlyArray<{
    readonly id: string;
    readonly account: string;
    readonly asset: string;
    readonly chain: number;
    readonly amount: string;
  }>;
  readonly queued: readonly string[];
  readonly window: string;
  readonly usedMarket: ReadonlyArray<[string, string]>;
  readonly usedChain: ReadonlyArray<[number, string]>;
  readonly orderCounter: string;
  readonly insuranceFund: string;
  readonly socializedLoss: string;
  readonly badDebt: string;
  readonly penaltiesToInsurance: string;
  readonly penaltiesToLiquidators: string;
}
