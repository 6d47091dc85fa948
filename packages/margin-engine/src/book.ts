import { AssetRegistry, tokenKey } from './assets.js';
import { InvalidInputError } from './errors.js';
import { collateralValue, compareHoldings, isLiquidatable, planSeizures } from './rules.js';
import { SequenceTracker, type SourceSeq } from './sequence.js';
import { sha256Hex } from './sha256.js';
import { parseSnapshot, type BookSnapshot } from './snapshot.js';
import type {
  AccountView,
  AckResult,
  Address,
  BalanceReport,
  BookConfig,
  Evaluation,
  ExposureReport,
  ExposureView,
  HoldingView,
  LiquidateAction,
  OrderAckReport,
  OrderId,
  OrderIdFn,
  OrderRecord,
  PriceResult,
  PriceUpdate,
  ReportResult,
} from './types.js';
import * as v from './validate.js';

interface Holding {
  readonly eid: number;
  readonly token: Address;
  balance: bigint;
  /** Unacknowledged seizures on this holding, by order id. */
  readonly pending: Map<OrderId, bigint>;
}

interface AccountState {
  readonly holdings: Map<string, Holding>;
  /** Latest exposure per (eid, protocol). */
  readonly exposures: Map<string, { readonly eid: number; readonly protocol: Address; exposure: bigint }>;
}

interface PriceState {
  readonly price: bigint;
  readonly publishTime: bigint;
}

/**
 * The clearing node's book of margin accounts: the state reached by applying the ordered input
 * stream (vault balance reports, protocol exposures, order acknowledgements, prices), and the
 * liquidation decisions taken on it. Pure and deterministic: no clock, no I/O, integer math only,
 * so every node that applies the same stream reaches the same `stateHash()` and the same orders.
 *
 * Every mutator validates its whole input before changing anything; bad input throws
 * {@link InvalidInputError} naming the field.
 *
 * @example
 * const book = new MarginBook({ assets, liquidationRecipient, orderId: (f) => liquidationOrderId(f) });
 * book.applyBalance({ eid: 40102, account, token, balance: 10n ** 18n, seq: 1n });
 * book.applyExposure({ eid: 40102, account, protocol, exposure: 1500n * 10n ** 18n, seq: 2n });
 * book.applyPrice({ asset: 'WETH', price: 1000n * 10n ** 18n, publishTime: 1n });
 * const { actions } = book.evaluate(account, 3n); // one LIQUIDATE per chain holding collateral
 */
export class MarginBook {
  private readonly assets: AssetRegistry;
  private readonly recipient: Address;
  private readonly orderIdOf: OrderIdFn;
  private readonly accounts = new Map<Address, AccountState>();
  private readonly prices = new Map<string, PriceState>();
  private readonly seqs = new SequenceTracker();
  private readonly orderBook = new Map<OrderId, OrderRecord>();
  /** symbol → accounts holding a positive balance of it, so a price touches only them. */
  private readonly holderIndex = new Map<string, Set<Address>>();

  constructor(config: BookConfig) {
    const cfg = v.record('config', config);
    this.assets = new AssetRegistry(cfg.assets as BookConfig['assets']);
    this.recipient = v.address('liquidationRecipient', cfg.liquidationRecipient);
    if (typeof cfg.orderId !== 'function') throw new InvalidInputError('orderId', 'expected a function');
    this.orderIdOf = cfg.orderId as OrderIdFn;
    for (const symbol of this.assets.symbols()) this.holderIndex.set(symbol, new Set());
  }

  /** Rebuilds a book from {@link snapshot} output under the same configuration. */
  static restore(config: BookConfig, snapshot: BookSnapshot): MarginBook {
    const book = new MarginBook(config);
    book.load(parseSnapshot(snapshot));
    return book;
  }

  /** Books a vault's absolute balance of `token` for `account`. */
  applyBalance(report: BalanceReport): ReportResult {
    const r = v.record('report', report);
    const eid = v.eid('eid', r.eid);
    const account = v.address('account', r.account);
    const token = v.address('token', r.token);
    const balance = v.uint256('balance', r.balance);
    const seq = v.uint64('seq', r.seq);
    if (this.seqs.isReplay(eid, seq)) return { applied: false, reason: 'replay', lastSeq: this.seqs.last(eid) };

    const gap = this.seqs.advance(eid, seq);
    this.setBalance(account, eid, token, balance);
    return { applied: true, account, gap };
  }

  /** Books the latest exposure one protocol reports for `account` through the vault on `eid`. */
  applyExposure(report: ExposureReport): ReportResult {
    const r = v.record('report', report);
    const eid = v.eid('eid', r.eid);
    const account = v.address('account', r.account);
    const protocol = v.address('protocol', r.protocol);
    const exposure = v.uint256('exposure', r.exposure);
    const seq = v.uint64('seq', r.seq);
    if (this.seqs.isReplay(eid, seq)) return { applied: false, reason: 'replay', lastSeq: this.seqs.last(eid) };

    const gap = this.seqs.advance(eid, seq);
    const state = this.account(account);
    const key = `${eid}:${protocol}`;
    const entry = state.exposures.get(key);
    if (entry) entry.exposure = exposure;
    else state.exposures.set(key, { eid, protocol, exposure });
    return { applied: true, account, gap };
  }

  /**
   * Books a vault's acknowledgement of an order: the seizure it really made and the balance after
   * it (the book records what happened, not what it intended), and clears the pending seizure.
   */
  applyOrderAck(report: OrderAckReport): AckResult {
    const r = v.record('report', report);
    const eid = v.eid('eid', r.eid);
    const orderId = v.bytes32('orderId', r.orderId);
    const account = v.address('account', r.account);
    const token = v.address('token', r.token);
    const seized = v.uint256('seized', r.seized);
    const balance = v.uint256('balance', r.balance);
    const seq = v.uint64('seq', r.seq);
    if (this.seqs.isReplay(eid, seq)) return { applied: false, reason: 'replay', lastSeq: this.seqs.last(eid) };

    const gap = this.seqs.advance(eid, seq);
    let order = this.orderBook.get(orderId) ?? null;
    if (order && order.status === 'pending') {
      // Clear the pending amount where it was booked (the order's own chain and token).
      this.accounts.get(order.account)?.holdings.get(tokenKey(order.dstEid, order.token))?.pending.delete(orderId);
      order = { ...order, status: 'acknowledged', seized, ackSeq: seq };
      this.orderBook.set(orderId, order);
    }
    this.setBalance(account, eid, token, balance);
    return { applied: true, account, gap, order };
  }

  /**
   * Books a price. A price not newer than the last one applied for the asset is ignored as stale
   * (the feed may republish the same point).
   */
  applyPrice(update: PriceUpdate): PriceResult {
    const u = v.record('update', update);
    if (typeof u.asset !== 'string' || !this.assets.get(u.asset)) {
      throw new InvalidInputError('asset', `unknown asset ${JSON.stringify(u.asset)}`, {
        known: this.assets.symbols(),
      });
    }
    const asset = u.asset;
    const price = v.uint256('price', u.price);
    const publishTime = v.uint64('publishTime', u.publishTime);
    const last = this.prices.get(asset);
    if (last && publishTime <= last.publishTime) {
      return { applied: false, reason: 'stale', lastPublishTime: last.publishTime };
    }
    this.prices.set(asset, { price, publishTime });
    return { applied: true, holders: this.holders(asset) };
  }

  /**
   * Decides what to do about `account` after the input at stream sequence `inputSeq`. A
   * liquidatable account gets one LIQUIDATE action per (eid, token) with collateral still
   * available (balance less pending seizures), for all of it; the actions are booked as pending so
   * a later evaluation does not repeat them. Deterministic order: by eid, then token. The decision
   * is deferred while a held collateral asset has no price (see {@link Evaluation.deferred}).
   */
  evaluate(account: Address, inputSeq: bigint): Evaluation {
    const acct = v.address('account', account);
    const seq = v.uint64('inputSeq', inputSeq);
    const view = this.accountView(acct);
    const verdict = { account: acct, value: view.value, exposure: view.exposure, liquidatable: view.liquidatable };
    if (!view.liquidatable) return { ...verdict, deferred: null, actions: [] };
    if (view.missingPrices.length > 0)
      return { ...verdict, deferred: { reason: 'missing-price', assets: view.missingPrices }, actions: [] };

    const actions: LiquidateAction[] = [];
    // Only configured collateral is seized: a token the book does not know was never counted.
    for (const s of planSeizures(view.holdings.filter((h) => h.symbol !== null))) {
      const fields = {
        dstEid: s.eid,
        account: acct,
        token: s.token,
        amount: s.amount,
        recipient: this.recipient,
        inputSeq: seq,
      };
      const orderId = v.bytes32('orderId', this.orderIdOf(fields));
      // The same id twice means the same decision on the same input: it is already booked.
      if (this.orderBook.has(orderId) || actions.some((a) => a.orderId === orderId)) continue;
      actions.push({ kind: 'LIQUIDATE', orderId, ...fields });
    }
    // Booked only once every id is computed, so an id function that throws leaves nothing behind.
    const state = this.account(acct);
    for (const a of actions) {
      state.holdings.get(tokenKey(a.dstEid, a.token))!.pending.set(a.orderId, a.amount);
      this.orderBook.set(a.orderId, { ...a, status: 'pending', seized: null, ackSeq: null });
    }
    return { ...verdict, deferred: null, actions };
  }

  /** Balances, pending seizures, exposure, value and the verdict for one account. */
  accountView(account: Address): AccountView {
    const acct = v.address('account', account);
    const state = this.accounts.get(acct);
    const holdings: HoldingView[] = [];
    const exposures: ExposureView[] = [];
    let value = 0n;
    let exposure = 0n;
    if (state) {
      for (const h of [...state.holdings.values()].sort(compareHoldings)) {
        const view = this.valueHolding(h);
        value += view.value;
        holdings.push(view);
      }
      const sorted = [...state.exposures.values()].sort((a, b) =>
        compareHoldings({ eid: a.eid, token: a.protocol }, { eid: b.eid, token: b.protocol }),
      );
      for (const e of sorted) {
        exposure += e.exposure;
        exposures.push({ eid: e.eid, protocol: e.protocol, exposure: e.exposure });
      }
    }
    const missingPrices = [
      ...new Set(holdings.filter((h) => h.unvalued === 'missing-price' && h.balance > 0n).map((h) => h.symbol!)),
    ].sort();
    return {
      account: acct,
      holdings,
      exposures,
      exposure,
      value,
      liquidatable: isLiquidatable(value, exposure),
      missingPrices,
    };
  }

  /** Accounts holding a positive balance of `asset`, sorted. */
  holders(asset: string): Address[] {
    const set = this.holderIndex.get(asset);
    if (!set)
      throw new InvalidInputError('asset', `unknown asset ${JSON.stringify(asset)}`, { known: this.assets.symbols() });
    return [...set].sort();
  }

  /** Every order this book issued, in issue order (input sequence, then eid, then token). */
  orders(): OrderRecord[] {
    return [...this.orderBook.values()].sort((a, b) =>
      a.inputSeq < b.inputSeq
        ? -1
        : a.inputSeq > b.inputSeq
          ? 1
          : compareHoldings({ eid: a.dstEid, token: a.token }, { eid: b.dstEid, token: b.token }),
    );
  }

  /** One order by id, or undefined. */
  order(orderId: OrderId): OrderRecord | undefined {
    return this.orderBook.get(v.bytes32('orderId', orderId));
  }

  /** Per-source-chain sequence state, including gaps seen (for observability). */
  sources(): SourceSeq[] {
    return this.seqs.list();
  }

  /** Latest applied price of `asset`, or undefined. */
  price(asset: string): { price: bigint; publishTime: bigint } | undefined {
    const p = this.prices.get(asset);
    return p && { ...p };
  }

  /** Known account addresses, sorted. */
  accountIds(): Address[] {
    return [...this.accounts.keys()].sort();
  }

  /**
   * The full state as a plain, JSON-safe object (amounts as decimal strings), in canonical order:
   * two books with the same state produce identical snapshots.
   */
  snapshot(): BookSnapshot {
    return {
      version: 1,
      accounts: this.accountIds().map((account) => {
        const state = this.accounts.get(account)!;
        return {
          account,
          holdings: [...state.holdings.values()].sort(compareHoldings).map((h) => ({
            eid: h.eid,
            token: h.token,
            balance: h.balance.toString(),
            pending: [...h.pending.entries()]
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([orderId, amount]) => ({ orderId, amount: amount.toString() })),
          })),
          exposures: [...state.exposures.values()]
            .sort((a, b) => compareHoldings({ eid: a.eid, token: a.protocol }, { eid: b.eid, token: b.protocol }))
            .map((e) => ({ eid: e.eid, protocol: e.protocol, exposure: e.exposure.toString() })),
        };
      }),
      prices: [...this.prices.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([asset, p]) => ({ asset, price: p.price.toString(), publishTime: p.publishTime.toString() })),
      sources: this.seqs.list().map((s) => ({
        eid: s.eid,
        lastSeq: s.lastSeq.toString(),
        gaps: s.gaps,
        missing: s.missing.toString(),
        lastGap: s.lastGap && {
          eid: s.lastGap.eid,
          expected: s.lastGap.expected.toString(),
          received: s.lastGap.received.toString(),
        },
      })),
      orders: this.orders().map((o) => ({
        orderId: o.orderId,
        dstEid: o.dstEid,
        account: o.account,
        token: o.token,
        amount: o.amount.toString(),
        recipient: o.recipient,
        inputSeq: o.inputSeq.toString(),
        status: o.status,
        seized: o.seized === null ? null : o.seized.toString(),
        ackSeq: o.ackSeq === null ? null : o.ackSeq.toString(),
      })),
    };
  }

  /** Canonical serialization of the full state (what {@link stateHash} hashes). */
  canonicalState(): string {
    return JSON.stringify(this.snapshot());
  }

  /** SHA-256 (hex) of the canonical state: equal on every node that applied the same inputs. */
  stateHash(): string {
    return sha256Hex(this.canonicalState());
  }

  private account(account: Address): AccountState {
    let state = this.accounts.get(account);
    if (!state) {
      state = { holdings: new Map(), exposures: new Map() };
      this.accounts.set(account, state);
    }
    return state;
  }

  private setBalance(account: Address, eid: number, token: Address, balance: bigint): void {
    const state = this.account(account);
    const key = tokenKey(eid, token);
    const holding = state.holdings.get(key);
    if (holding) holding.balance = balance;
    else state.holdings.set(key, { eid, token, balance, pending: new Map() });
    const asset = this.assets.assetOf(eid, token);
    if (asset) this.reindex(account, state, asset.symbol);
  }

  private reindex(account: Address, state: AccountState, symbol: string): void {
    let holds = false;
    for (const h of state.holdings.values()) {
      if (h.balance > 0n && this.assets.assetOf(h.eid, h.token)?.symbol === symbol) {
        holds = true;
        break;
      }
    }
    const set = this.holderIndex.get(symbol)!;
    if (holds) set.add(account);
    else set.delete(account);
  }

  private valueHolding(h: Holding): HoldingView {
    let pending = 0n;
    for (const amount of h.pending.values()) pending += amount;
    const asset = this.assets.assetOf(h.eid, h.token);
    const base = { eid: h.eid, token: h.token, symbol: asset?.symbol ?? null, balance: h.balance, pending };
    if (!asset) return { ...base, value: 0n, unvalued: 'unknown-token' };
    const price = this.prices.get(asset.symbol);
    if (!price) return { ...base, value: 0n, unvalued: 'missing-price' };
    return { ...base, value: collateralValue(h.balance, price.price, asset), unvalued: null };
  }

  private load(s: ReturnType<typeof parseSnapshot>): void {
    for (const a of s.accounts) {
      const state = this.account(a.account);
      for (const h of a.holdings) {
        state.holdings.set(tokenKey(h.eid, h.token), {
          eid: h.eid,
          token: h.token,
          balance: h.balance,
          pending: new Map(h.pending),
        });
      }
      for (const e of a.exposures) state.exposures.set(`${e.eid}:${e.protocol}`, { ...e });
      for (const symbol of this.assets.symbols()) this.reindex(a.account, state, symbol);
    }
    for (const p of s.prices) {
      if (!this.assets.get(p.asset)) throw new InvalidInputError('snapshot.prices.asset', `unknown asset ${p.asset}`);
      this.prices.set(p.asset, { price: p.price, publishTime: p.publishTime });
    }
    this.seqs.load(s.sources);
    for (const o of s.orders) this.orderBook.set(o.orderId, o);
  }
}
