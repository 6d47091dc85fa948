// The fast path: the float64 shadow of the margin model over struct-of-arrays typed arrays, to
// screen a million accounts in milliseconds. It decides nothing: it flags every account whose
// float margin surplus is within a tolerance of the threshold (or below it), and the caller
// confirms those on the canonical path. The tolerance dominates the float error, so the screen
// never misses an account the canonical path would liquidate (property-tested).

import { InvalidInputError } from '../errors.js';
import { staleFactorFloat } from '../evaluate-float.js';
import type { Account, RiskContext } from '../model/types.js';

/** The fixed universe a screen is laid out for (indices are positions in these lists). */
export interface FastUniverse {
  readonly assets: readonly string[];
  readonly chains: readonly number[];
  readonly markets: readonly string[];
  /** Position slots per account. */
  readonly slots: number;
}

export interface FastAssetParams {
  readonly price: number;
  readonly maintenanceWeight: number;
  readonly cap?: number | null;
  readonly discountFactor?: number;
  readonly discountK?: number;
}

export interface FastMarketParams {
  readonly markPrice: number;
  readonly cumFunding: number;
  readonly baseIMR: number;
  readonly baseMMR: number;
  readonly imrFactor: number;
  readonly exponent?: number;
  readonly volScale?: number;
}

/**
 * Relative tolerance of the screen: an account is flagged when surplus < REL × magnitude + ABS,
 * where magnitude sums the absolute values that enter its surplus. Float64 evaluation of these
 * sums is accurate to ~1e-15 relative and the canonical path rounds by ≤ 1e-18 per term, so
 * 1e-9 leaves six orders of magnitude of headroom while flagging only accounts that are
 * genuinely on the edge.
 */
export const SCREEN_REL_TOLERANCE = 1e-9;
export const SCREEN_ABS_TOLERANCE = 1e-12;

/** A growable list of int32 (holder indexes). */
class IntList {
  data = new Int32Array(16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Float64 screen over `capacity` accounts laid out as struct-of-arrays. Holdings are dense
 * (asset × chain per account, effective quantity in whole units, negative = debt); positions
 * occupy `slots` per account. Per-asset and per-slot terms are cached so a price tick on one
 * asset recomputes only that asset's term for its holders.
 *
 * @example
 * const s = new FastScreen({ assets: ['USDC'], chains: [1], markets: ['ETH-PERP'], slots: 1 }, 1000);
 * s.setAsset(0, { price: 1, maintenanceWeight: 1 });
 * s.setMarket(0, { markPrice: 2000, cumFunding: 0, baseIMR: 0.05, baseMMR: 0.025, imrFactor: 0 });
 * s.setHolding(7, 0, 0, 100);
 * s.setPosition(7, 0, 0, 1, 2100, 0);
 * s.candidates(); // Int32Array [7]: surplus 100 − 100 − 50 < 0
 */
export class FastScreen {
  readonly capacity: number;
  readonly A: number;
  readonly C: number;
  readonly M: number;
  readonly P: number;

  // parameters
  private readonly price: Float64Array;
  private readonly weight: Float64Array;
  private readonly cap: Float64Array;
  private readonly discount: Float64Array;
  private readonly discountK: Float64Array;
  /** Value above which the size discount can bind. */
  private readonly valueThreshold: Float64Array;
  private readonly chainFactor: Float64Array;
  private readonly mark: Float64Array;
  private readonly cumFunding: Float64Array;
  private readonly baseIMR: Float64Array;
  private readonly baseMMR: Float64Array;
  private readonly imrFactor: Float64Array;
  private readonly exponent: Float64Array;
  private readonly volScale: Float64Array;
  /** Notional above which the size term of MMR can bind. */
  private readonly notionalThreshold: Float64Array;

  // state
  /** Effective quantity per (account, asset, chain), whole units. */
  readonly qty: Float64Array;
  readonly posMarket: Int16Array;
  readonly posQty: Float64Array;
  readonly posCost: Float64Array;
  readonly posFunding: Float64Array;
  readonly posIsolated: Uint8Array;
  readonly posMargin: Float64Array;
  readonly realized: Float64Array;

  // caches
  private readonly wc: Float64Array;
  private readonly debt: Float64Array;
  private readonly pnl: Float64Array;
  private readonly mm: Float64Array;
  private readonly mag: Float64Array;
  /** Per account: surplus (WC + PnL − debt − MM) and its magnitude. */
  readonly surplus: Float64Array;
  readonly magnitude: Float64Array;
  /** 1 when an isolated position of the account is within tolerance of its maintenance. */
  private readonly isoFlag: Uint8Array;

  private readonly holdsAsset: Uint8Array;
  private readonly assetHolders: IntList[];
  private readonly marketHolders: IntList[];
  private readonly slotIndexed: Uint8Array;

  private readonly assetIndex: Map<string, number>;
  private readonly chainIndex: Map<number, number>;
  private readonly marketIndex: Map<string, number>;

  constructor(universe: FastUniverse, capacity: number) {
    this.assetIndex = new Map(universe.assets.map((a, i) => [a, i]));
    this.chainIndex = new Map(universe.chains.map((c, i) => [c, i]));
    this.marketIndex = new Map(universe.markets.map((m, i) => [m, i]));
    if (!Number.isInteger(capacity) || capacity < 0) throw new InvalidInputError('capacity', 'expected an integer ≥ 0');
    if (!Number.isInteger(universe.slots) || universe.slots < 0 || universe.slots > 255)
      throw new InvalidInputError('universe.slots', 'expected an integer in [0, 255]');
    if (universe.markets.length > 32767) throw new InvalidInputError('universe.markets', 'at most 32767 markets');
    this.capacity = capacity;
    this.A = universe.assets.length;
    this.C = universe.chains.length;
    this.M = universe.markets.length;
    this.P = universe.slots;
    const { A, C, M, P } = this;
    this.price = new Float64Array(A);
    this.weight = new Float64Array(A);
    this.cap = new Float64Array(A).fill(Infinity);
    this.discount = new Float64Array(A);
    this.discountK = new Float64Array(A).fill(1.2);
    this.valueThreshold = new Float64Array(A).fill(Infinity);
    this.chainFactor = new Float64Array(C).fill(1);
    this.mark = new Float64Array(M);
    this.cumFunding = new Float64Array(M);
    this.baseIMR = new Float64Array(M).fill(1);
    this.baseMMR = new Float64Array(M);
    this.imrFactor = new Float64Array(M);
    this.exponent = new Float64Array(M).fill(0.8);
    this.volScale = new Float64Array(M).fill(1);
    this.notionalThreshold = new Float64Array(M).fill(Infinity);

    this.qty = new Float64Array(capacity * A * C);
    this.posMarket = new Int16Array(capacity * P).fill(-1);
    this.posQty = new Float64Array(capacity * P);
    this.posCost = new Float64Array(capacity * P);
    this.posFunding = new Float64Array(capacity * P);
    this.posIsolated = new Uint8Array(capacity * P);
    this.posMargin = new Float64Array(capacity * P);
    this.realized = new Float64Array(capacity);

    this.wc = new Float64Array(capacity * A);
    this.debt = new Float64Array(capacity * A);
    this.pnl = new Float64Array(capacity * P);
    this.mm = new Float64Array(capacity * P);
    this.mag = new Float64Array(capacity * P);
    this.surplus = new Float64Array(capacity);
    this.magnitude = new Float64Array(capacity);
    this.isoFlag = new Uint8Array(capacity);

    this.holdsAsset = new Uint8Array(capacity * A);
    this.assetHolders = Array.from({ length: A }, () => new IntList());
    this.marketHolders = Array.from({ length: M }, () => new IntList());
    this.slotIndexed = new Uint8Array(capacity * P);
  }

  /** Loads every parameter of a float context (assets, markets, chain staleness at `now`). */
  setContext(ctx: RiskContext): void {
    for (const [name, i] of this.assetIndex) {
      const a = ctx.assets[name];
      if (!a) throw new InvalidInputError(`context.assets.${name}`, 'missing');
      this.setAsset(i, a);
    }
    for (const [name, i] of this.marketIndex) {
      const m = ctx.markets[name];
      if (!m) throw new InvalidInputError(`context.markets.${name}`, 'missing');
      this.setMarket(i, m);
    }
    for (const [id, i] of this.chainIndex) {
      const c = ctx.chains[id];
      if (!c) throw new InvalidInputError(`context.chains.${id}`, 'missing');
      this.chainFactor[i] = staleFactorFloat(c, ctx.now);
    }
    this.rescan();
  }

  /** Loads a float account into slot `acct` (replacing what was there). */
  setAccount(acct: number, account: Account): void {
    if (account.positions.length > this.P)
      throw new InvalidInputError('account.positions', `more than ${this.P} positions`);
    this.clear(acct);
    account.collateral.forEach((c, j) => {
      const a = this.assetIndex.get(c.asset);
      if (a === undefined) throw new InvalidInputError(`account.collateral[${j}].asset`, `unknown asset ${c.asset}`);
      const ch = this.chainIndex.get(c.chain);
      if (ch === undefined) throw new InvalidInputError(`account.collateral[${j}].chain`, `unknown chain ${c.chain}`);
      this.setHolding(acct, a, ch, c.qty - (c.pending ?? 0));
    });
    account.positions.forEach((p, s) => {
      const m = this.marketIndex.get(p.market);
      if (m === undefined) throw new InvalidInputError(`account.positions[${s}].market`, `unknown market ${p.market}`);
      this.setPosition(acct, s, m, p.qty, p.openCost, p.lastCumFunding, p.mode === 'isolated', p.isolatedMargin ?? 0);
    });
    this.setRealized(acct, account.realizedPnl ?? 0);
  }

  /** Bytes held by the typed arrays (the screen's whole footprint, bar the holder lists). */
  byteLength(): number {
    let n = 0;
    for (const v of Object.values(this)) if (ArrayBuffer.isView(v)) n += v.byteLength;
    for (const l of [...this.assetHolders, ...this.marketHolders]) n += l.data.byteLength;
    return n;
  }

  /** Sets an asset's parameters and revalues its holders. */
  setAsset(a: number, p: FastAssetParams): void {
    this.price[a] = p.price;
    this.weight[a] = p.maintenanceWeight;
    this.cap[a] = p.cap === undefined || p.cap === null ? Infinity : p.cap;
    const d = p.discountFactor ?? 0;
    const k = p.discountK ?? 1.2;
    this.discount[a] = d;
    this.discountK[a] = k;
    // k / (1 + d·v^0.8) < w  ⇔  v > ((k/w − 1)/d)^(1/0.8); shaded down so rounding never skips a binding discount
    this.valueThreshold[a] =
      d === 0
        ? Infinity
        : k <= p.maintenanceWeight
          ? 0
          : Math.pow((k / p.maintenanceWeight - 1) / d, 1.25) * (1 - 1e-9);
    this.tickAsset(a);
  }

  /** Sets only an asset's price and revalues its holders (the hot path of a price tick). */
  setPrice(a: number, price: number): void {
    this.price[a] = price;
    this.tickAsset(a);
  }

  /** Sets a chain's staleness factor (1 fresh, staleWeight when stale): revalues everyone. */
  setChainFactor(c: number, factor: number): void {
    if (this.chainFactor[c] === factor) return;
    this.chainFactor[c] = factor;
    this.rescan();
  }

  setMarket(m: number, p: FastMarketParams): void {
    this.mark[m] = p.markPrice;
    this.cumFunding[m] = p.cumFunding;
    this.baseIMR[m] = p.baseIMR;
    this.baseMMR[m] = p.baseMMR;
    this.imrFactor[m] = p.imrFactor;
    const e = p.exponent ?? 0.8;
    this.exponent[m] = e;
    this.volScale[m] = p.volScale ?? 1;
    // size term ≤ baseMMR ⇔ imrFactor·n^e ≤ baseIMR ⇔ n ≤ (baseIMR / imrFactor)^(1/e)
    this.notionalThreshold[m] = p.imrFactor === 0 ? Infinity : Math.pow(p.baseIMR / p.imrFactor, 1 / e) * (1 - 1e-9);
    this.tickMarket(m);
  }

  /** Sets a market's mark price and cumulative funding, and re-marks its holders. */
  setMark(m: number, markPrice: number, cumFunding: number): void {
    this.mark[m] = markPrice;
    this.cumFunding[m] = cumFunding;
    this.tickMarket(m);
  }

  /** Sets an account's effective quantity of an asset on a chain (whole units, < 0 = debt). */
  setHolding(acct: number, a: number, c: number, qty: number): void {
    this.qty[(acct * this.A + a) * this.C + c] = qty;
    const h = acct * this.A + a;
    if (qty !== 0 && this.holdsAsset[h] === 0) {
      this.holdsAsset[h] = 1;
      this.assetHolders[a]!.push(acct);
    }
    this.valueAsset(acct, a);
    this.total(acct);
  }

  /** Sets a position slot (market −1 empties it). */
  setPosition(
    acct: number,
    slot: number,
    market: number,
    qty: number,
    openCost: number,
    lastCumFunding: number,
    isolated = false,
    isolatedMargin = 0,
  ): void {
    const i = acct * this.P + slot;
    const prev = this.posMarket[i]!;
    this.posMarket[i] = market;
    this.posQty[i] = qty;
    this.posCost[i] = openCost;
    this.posFunding[i] = lastCumFunding;
    this.posIsolated[i] = isolated ? 1 : 0;
    this.posMargin[i] = isolatedMargin;
    if (market >= 0 && (this.slotIndexed[i] === 0 || prev !== market)) {
      this.slotIndexed[i] = 1;
      this.marketHolders[market]!.push(i);
    }
    this.markSlot(i);
    this.total(acct);
  }

  /** Sets realized-but-unsettled PnL. */
  setRealized(acct: number, pnl: number): void {
    this.realized[acct] = pnl;
    this.total(acct);
  }

  /** Clears an account (all holdings and positions). */
  clear(acct: number): void {
    this.qty.fill(0, acct * this.A * this.C, (acct + 1) * this.A * this.C);
    this.posMarket.fill(-1, acct * this.P, (acct + 1) * this.P);
    this.realized[acct] = 0;
    for (let a = 0; a < this.A; a++) this.valueAsset(acct, a);
    for (let s = 0; s < this.P; s++) this.markSlot(acct * this.P + s);
    this.total(acct);
  }

  /** Recomputes every account from scratch (the full rescan). */
  rescan(count = this.capacity): void {
    // One pass per account over hoisted locals (the loop is memory-bound: ~300 bytes/account).
    this.ticksSinceRescan = 0;
    const { A, C, P, qty, chainFactor, price, cap, weight, valueThreshold, discount, discountK, wc, debt } = this;
    const { posMarket, posQty, posCost, posFunding, posIsolated, posMargin, pnl, mm, mag, realized } = this;
    const { mark, cumFunding, baseMMR, baseIMR, imrFactor, exponent, volScale, notionalThreshold } = this;
    const { surplus, magnitude, isoFlag } = this;
    for (let acct = 0; acct < count; acct++) {
      let sw = 0;
      let sd = 0;
      for (let a = 0; a < A; a++) {
        const h = acct * A + a;
        const base = h * C;
        let pos = 0;
        let neg = 0;
        for (let c = 0; c < C; c++) {
          // branchless: (q + |q|)/2 = max(q, 0) and (|q| − q)/2 = max(−q, 0), exactly
          const q = qty[base + c]!;
          const m = Math.abs(q);
          pos += (q + m) * 0.5 * chainFactor[c]!;
          neg += (m - q) * 0.5;
        }
        const p = price[a]!;
        const k = cap[a]!;
        const value = (pos < k ? pos : k) * p;
        let w = weight[a]!;
        if (value > valueThreshold[a]!) {
          const dw = discountK[a]! / (1 + discount[a]! * Math.pow(value, 0.8));
          if (dw < w) w = dw;
        }
        const x = value * w;
        const d = neg * p;
        wc[h] = x;
        debt[h] = d;
        sw += x;
        sd += d;
      }
      const r = realized[acct]!;
      let sp = r;
      let sm = 0;
      let sg = Math.abs(r);
      let iso = 0;
      for (let i = acct * P, end = i + P; i < end; i++) {
        const m = posMarket[i]!;
        if (m < 0) {
          pnl[i] = 0;
          mm[i] = 0;
          mag[i] = 0;
          continue;
        }
        const q = posQty[i]!;
        const funding = q * (cumFunding[m]! - posFunding[i]!);
        const value = q * mark[m]!;
        const n = Math.abs(value);
        let mmr = baseMMR[m]!;
        if (n > notionalThreshold[m]!) {
          const size = (mmr / baseIMR[m]!) * imrFactor[m]! * Math.pow(n, exponent[m]!);
          if (size > mmr) mmr = size;
        }
        const cost = posCost[i]!;
        const pl = value - cost - funding;
        const req = n * mmr * volScale[m]!;
        const g = n + Math.abs(cost) + Math.abs(funding);
        pnl[i] = pl;
        mm[i] = req;
        mag[i] = g;
        if (posIsolated[i] === 1) {
          const margin = posMargin[i]!;
          if (margin + pl - req < SCREEN_REL_TOLERANCE * (g + req + margin) + SCREEN_ABS_TOLERANCE) iso = 1;
          continue;
        }
        sp += pl;
        sm += req;
        sg += g;
      }
      surplus[acct] = sw + sp - sd - sm;
      magnitude[acct] = sw + sd + sm + sg;
      isoFlag[acct] = iso;
    }
  }

  /** Float surplus (weighted collateral + PnL − debt − MM) of the cross account. */
  surplusOf(acct: number): number {
    return this.surplus[acct]!;
  }

  /** True when the account must be confirmed on the canonical path. */
  flagged(acct: number): boolean {
    return (
      this.isoFlag[acct] === 1 ||
      (this.magnitude[acct]! > 0 &&
        this.surplus[acct]! < SCREEN_REL_TOLERANCE * this.magnitude[acct]! + SCREEN_ABS_TOLERANCE)
    );
  }

  /** Accounts (among the first `count`) to confirm on the canonical path, ascending. */
  candidates(count = this.capacity): Int32Array {
    const out = new IntList();
    const s = this.surplus;
    const g = this.magnitude;
    const iso = this.isoFlag;
    for (let i = 0; i < count; i++) {
      // an empty account (magnitude 0) has surplus exactly 0 on both paths: never liquidatable
      if (iso[i] === 1 || (g[i]! > 0 && s[i]! < SCREEN_REL_TOLERANCE * g[i]! + SCREEN_ABS_TOLERANCE)) out.push(i);
    }
    return out.data.slice(0, out.length);
  }

  private tickAsset(a: number): void {
    // The hot path of a price tick: valueAsset inlined over hoisted locals; only this asset's
    // term changes, so its delta is added to the account's sums (the tick is memory-bound:
    // touching ~60 bytes per holder instead of every cached term).
    const list = this.assetHolders[a]!;
    const data = list.data;
    const { A, C, qty, chainFactor, wc, debt, surplus, magnitude } = this;
    const price = this.price[a]!;
    const cap = this.cap[a]!;
    const weight = this.weight[a]!;
    const threshold = this.valueThreshold[a]!;
    const k = this.discountK[a]!;
    const d = this.discount[a]!;
    for (let i = 0; i < list.length; i++) {
      const acct = data[i]!;
      const h = acct * A + a;
      const base = h * C;
      let pos = 0;
      let neg = 0;
      for (let c = 0; c < C; c++) {
        const q = qty[base + c]!;
        if (q > 0) pos += q * chainFactor[c]!;
        else neg -= q;
      }
      const value = (pos < cap ? pos : cap) * price;
      let w = weight;
      if (value > threshold) {
        const dw = k / (1 + d * Math.pow(value, 0.8));
        if (dw < w) w = dw;
      }
      const nwc = value * w;
      const nd = neg * price;
      const dwc = nwc - wc[h]!;
      const dd = nd - debt[h]!;
      wc[h] = nwc;
      debt[h] = nd;
      surplus[acct] = surplus[acct]! + dwc - dd;
      magnitude[acct] = magnitude[acct]! + dwc + dd;
    }
    this.afterIncremental();
  }

  /**
   * Incremental ticks add deltas to the per-account sums, so float rounding can drift by about
   * 2^-53 × magnitude per tick; a full rescan every DRIFT_RESET ticks keeps the drift below
   * 1e-10 × magnitude, an order of magnitude inside the screen's tolerance.
   */
  private afterIncremental(): void {
    if (++this.ticksSinceRescan >= FastScreen.DRIFT_RESET) this.rescan();
  }

  static readonly DRIFT_RESET = 100_000;
  private ticksSinceRescan = 0;

  private tickMarket(m: number): void {
    const list = this.marketHolders[m]!;
    const data = list.data;
    const { P, pnl, mm, mag, surplus, magnitude, posMarket, posIsolated } = this;
    for (let i = 0; i < list.length; i++) {
      const slot = data[i]!;
      if (posMarket[slot] !== m) continue; // the slot moved to another market
      const acct = (slot / P) | 0;
      if (posIsolated[slot] === 1) {
        this.markSlot(slot);
        this.total(acct);
        continue;
      }
      const p0 = pnl[slot]!;
      const m0 = mm[slot]!;
      const g0 = mag[slot]!;
      this.markSlot(slot);
      const dm = mm[slot]! - m0;
      surplus[acct] = surplus[acct]! + pnl[slot]! - p0 - dm;
      magnitude[acct] = magnitude[acct]! + dm + mag[slot]! - g0;
    }
    this.afterIncremental();
  }

  private valueAsset(acct: number, a: number): void {
    const C = this.C;
    const base = (acct * this.A + a) * C;
    let pos = 0;
    let neg = 0;
    for (let c = 0; c < C; c++) {
      const q = this.qty[base + c]!;
      if (q > 0) pos += q * this.chainFactor[c]!;
      else neg -= q;
    }
    const price = this.price[a]!;
    const cap = this.cap[a]!;
    const value = (pos < cap ? pos : cap) * price;
    let w = this.weight[a]!;
    if (value > this.valueThreshold[a]!) {
      const dw = this.discountK[a]! / (1 + this.discount[a]! * Math.pow(value, 0.8));
      if (dw < w) w = dw;
    }
    const h = acct * this.A + a;
    this.wc[h] = value * w;
    this.debt[h] = neg * price;
  }

  private markSlot(i: number): void {
    const m = this.posMarket[i]!;
    if (m < 0) {
      this.pnl[i] = 0;
      this.mm[i] = 0;
      this.mag[i] = 0;
      return;
    }
    const q = this.posQty[i]!;
    const mark = this.mark[m]!;
    const funding = q * (this.cumFunding[m]! - this.posFunding[i]!);
    const value = q * mark;
    const n = Math.abs(value);
    let mmr = this.baseMMR[m]!;
    if (n > this.notionalThreshold[m]!) {
      const size = (mmr / this.baseIMR[m]!) * this.imrFactor[m]! * Math.pow(n, this.exponent[m]!);
      if (size > mmr) mmr = size;
    }
    const cost = this.posCost[i]!;
    this.pnl[i] = value - cost - funding;
    this.mm[i] = n * mmr * this.volScale[m]!;
    this.mag[i] = n + Math.abs(cost) + Math.abs(funding);
  }

  private total(acct: number): void {
    const A = this.A;
    const wcs = this.wc;
    const debts = this.debt;
    let wc = 0;
    let debt = 0;
    for (let a = acct * A, end = a + A; a < end; a++) {
      wc += wcs[a]!;
      debt += debts[a]!;
    }
    const r = this.realized[acct]!;
    let pnl = r;
    let mm = 0;
    let mag = Math.abs(r);
    let iso = 0;
    const markets = this.posMarket;
    const isolated = this.posIsolated;
    const pnls = this.pnl;
    const mms = this.mm;
    const mags = this.mag;
    for (let i = acct * this.P, end = i + this.P; i < end; i++) {
      if (markets[i]! < 0) continue;
      if (isolated[i] === 1) {
        const gap = this.posMargin[i]! + pnls[i]! - mms[i]!;
        const tol = SCREEN_REL_TOLERANCE * (mags[i]! + mms[i]! + this.posMargin[i]!) + SCREEN_ABS_TOLERANCE;
        if (gap < tol) iso = 1;
        continue;
      }
      pnl += pnls[i]!;
      mm += mms[i]!;
      mag += mags[i]!;
    }
    this.surplus[acct] = wc + pnl - debt - mm;
    this.magnitude[acct] = wc + debt + mm + mag;
    this.isoFlag[acct] = iso;
  }
}
