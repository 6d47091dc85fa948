// The clearinghouse's book (README, "The model"). Pure: time is the event time carried by
// the inputs, decisions come from the canonical path only, and the state serializes to a snapshot
// whose hash is identical after restore. Two ways in: symbolic events (asset, chain, market) for
// callers that already speak the model, and `applyChainMessage` for what vaults report through
// the hub (eid, token, per-vault sequence number), which also drives orders and their ids.

import { DEFAULT_DISCOUNT_K, evaluateExactUnchecked, staleFactor } from './evaluate.js';
import { weightedValueFloat } from './evaluate-float.js';
import { InvalidInputError } from './errors.js';
import { FOUR_FIFTHS, WAD, divCeil, divFloor, max, min, mulDown, type Exponent } from './fixed.js';
import { NO_FLIGHT, flightOf, type Flight } from './flight.js';
import { PriceAgeRule, type PriceAge, type StalePrice } from './price-age.js';
import { accrueFunding, initialFunding, type FundingParams, type FundingState } from './funding.js';
import { checkExactAsset, checkExactChain, checkExactMarket, checkExponent } from './model/check.js';
import type {
  AssetParams,
  ExactAccount,
  ExactAccountRisk,
  ExactAssetParams,
  ExactMarketParams,
  ExactCollateral,
  ExactContext,
  ExactPosition,
  MarginMode,
} from './model/types.js';
import { checkTransferPositions, planUnchecked, type LiquidationPlan, type PlannerConfig } from './planner.js';
import { SequenceTracker, type SeqGap, type SourceSeq } from './sequence.js';
import { sha256Hex } from './sha256.js';
import * as v from './validate.js';
import {
  initialVolatility,
  updateVolatility,
  volScale,
  type VolatilityParams,
  type VolatilityState,
} from './volatility.js';

export interface AssetConfig {
  readonly decimals: number;
  /** The asset's token address on each chain (eid → address); needed for chain messages. */
  readonly tokens?: Readonly<Record<number, string>>;
  readonly initialWeight: bigint;
  readonly maintenanceWeight: bigint;
  readonly cap?: bigint | null;
  readonly discountFactor?: bigint;
  readonly discountK?: bigint;
  /**
   * Maximum age of the asset's price (seconds, ≥ 1): a price older than that at the book's time
   * (the latest input time; no clock) is stale, and holds back the withdrawal decisions and
   * liquidations of the accounts that hold the asset until a fresh price arrives. Absent: a price
   * never turns stale.
   */
  readonly maxPriceAge?: bigint;
}

export interface MarketConfig {
  readonly baseIMR: bigint;
  readonly baseMMR: bigint;
  readonly imrFactor: bigint;
  readonly exponent?: Exponent;
  readonly maxLeverage: bigint;
  readonly funding?: FundingParams;
  readonly volatility?: VolatilityParams;
}

export interface ChainConfig {
  readonly staleAfter: bigint;
  readonly staleWeight: bigint;
}

export interface BookConfig {
  readonly assets: Readonly<Record<string, AssetConfig>>;
  readonly markets: Readonly<Record<string, MarketConfig>>;
  readonly chains: Readonly<Record<number, ChainConfig>>;
  readonly planner: PlannerConfig;
  /** Per-window liquidation budgets: notional per market, seized value per chain (WAD USD). */
  readonly rateLimits?: {
    readonly window: bigint;
    readonly perMarket?: Readonly<Record<string, bigint>>;
    readonly perChain?: Readonly<Record<number, bigint>>;
  };
  /** Insurance fund at genesis (WAD USD). */
  readonly insuranceFund?: bigint;
  /** Who receives seized collateral (less the insurance part) in liquidation orders. */
  readonly liquidator?: string;
  /**
   * Derives an order's id from its fields; must be pure. The node injects the protocol's keccak
   * formula so ids match on chain; the default joins the fields into a readable string.
   */
  readonly orderId?: OrderIdFn;
  /**
   * Order expiry (seconds). With it, every order the book issues carries `expiry` = the time of
   * the input that triggered it + `ttl` (the deadline the hub enforces), and an order still
   * pending and not dispatched once the book's time is past `expiry + grace` expires: a seizure's
   * amount counts again, a withdrawal request is decided anew (see {@link MarginBook.applyDispatch}).
   * `grace` covers a dispatch made
   * just before the expiry whose log reaches the input stream after it. Absent: orders never
   * expire in the book.
   *
   * `retention` (seconds, optional): an order done (acknowledged by its vault) is forgotten once
   * the book's time is more than `retention` past the moment it became done, so the order log —
   * and every snapshot — holds what is in flight and the recent past, not every order ever issued
   * (OMNI_OUT keeps them all); an order that expired undispatched is forgotten once the time is
   * more than `retention` past its deadline (expiry + grace). A vault's acknowledgement of a
   * seizure forgotten so (dispatched just before its expiry, acknowledged that much later) still
   * books the balance it reports, and is flagged (`warning`). Absent: done and expired orders are
   * kept. Pending orders are never forgotten.
   */
  readonly orders?: { readonly ttl: bigint; readonly grace: bigint; readonly retention?: bigint };
}

/** The fields an order id is derived from (the protocol's `orderId` formula). */
export interface OrderFields {
  readonly type: 'LIQUIDATE' | 'WITHDRAW_DECISION';
  readonly dstEid: number;
  readonly account: string;
  readonly token: string;
  readonly amount: bigint;
  readonly recipient: string;
  /** Input-stream sequence of the event that triggered the decision. */
  readonly inputSeq: bigint;
}

export type OrderIdFn = (fields: OrderFields) => string;

const defaultOrderId: OrderIdFn = (f) =>
  `${f.type}:${f.dstEid}:${f.account}:${f.token}:${f.amount}:${f.recipient}:${f.inputSeq}`;

/** A seizure order the book issued, pending until the vault acknowledges it. */
export interface SeizureOrder {
  readonly kind: 'liquidate';
  readonly id: string;
  readonly account: string;
  readonly asset: string;
  readonly chain: number;
  /** The asset's token on `chain` (the asset symbol when no token is configured). */
  readonly token: string;
  /** Base units to seize: the liquidator gets `amount − insuranceAmount`, the insurance fund the rest. */
  readonly amount: bigint;
  readonly insuranceAmount: bigint;
  readonly recipient: string;
  readonly inputSeq: bigint;
  /** Unix seconds after which the hub refuses it; absent when the book has no `orders` config. */
  readonly expiry?: bigint;
}

/** Why a withdrawal was decided as it was. */
export type WithdrawalReason = 'approved' | 'insufficient-margin' | 'missing-price' | 'stale-price' | 'exceeds-balance';

export interface WithdrawalDecision {
  readonly kind: 'withdraw-decision';
  readonly id: string;
  readonly account: string;
  readonly asset: string;
  readonly chain: number;
  readonly token: string;
  readonly amount: bigint;
  /** The vault's request id (chain messages), null for a symbolic request. */
  readonly requestId: bigint | null;
  readonly approved: boolean;
  readonly reason: WithdrawalReason;
  /** Largest amount that could have been approved (base units). */
  readonly maxWithdraw: bigint;
  readonly inputSeq: bigint;
  /** Unix seconds after which the hub refuses it; absent when the book has no `orders` config. */
  readonly expiry?: bigint;
}

export type Order = SeizureOrder | WithdrawalDecision;

/**
 * An order and what became of it (the vault's acknowledgement, not the book's intention):
 * `pending` until the vault's ORDER_ACK or WITHDRAW_DONE makes it `done`; `expired` when it was
 * not dispatched by its expiry (plus the grace), or when the vault acknowledged it EXPIRED (it
 * arrived after its expiry and changed nothing; `doneSeq` is then set and `executed` is 0): a
 * seizure's amount counts again, and a withdrawal decision is replaced by a new one for the same
 * request. An order expired undispatched can still become `done` — dispatched after all, its
 * dispatch reported late — and the vault's report is booked then.
 */
export interface OrderRecord {
  readonly order: Order;
  readonly status: 'pending' | 'done' | 'expired';
  /** The hub dispatched it to its vault (it no longer expires in the book). */
  readonly dispatched: boolean;
  /** Base units that really left the account (seized or paid), once done. */
  readonly executed: bigint | null;
  /** Sequence number of the vault message that closed it. */
  readonly doneSeq: bigint | null;
  /** The book's time when it became done (what `orders.retention` counts from). */
  readonly doneAt: bigint | null;
  /** For withdrawals: how the vault closed the request. */
  readonly outcome: WithdrawOutcome | null;
}

export type WithdrawOutcome = 'paid' | 'rejected' | 'escaped';

/** What a vault did with an order (ORDER_ACK): executed it, or refused it as delivered after its expiry. */
export type AckStatus = 'executed' | 'expired';

/** A hub-bound vault message in the engine's vocabulary (the node translates the wire into this). */
export type ChainMessage =
  | { readonly type: 'BALANCE'; readonly account: string; readonly token: string; readonly balance: bigint }
  | {
      readonly type: 'WITHDRAW_REQUEST';
      readonly account: string;
      readonly token: string;
      readonly amount: bigint;
      readonly requestId: bigint;
    }
  | {
      readonly type: 'EXPOSURE';
      readonly account: string;
      readonly protocol: string;
      readonly market: string;
      /** Signed size, WAD units of the base asset (0 closes). */
      readonly size: bigint;
      /** USD per unit, WAD. */
      readonly entryPrice: bigint;
    }
  | {
      readonly type: 'ORDER_ACK';
      readonly orderId: string;
      readonly account: string;
      readonly token: string;
      readonly seized: bigint;
      readonly balance: bigint;
      /** `expired`: the order reached the vault after its expiry and changed nothing (seized 0). */
      readonly status: AckStatus;
    }
  | {
      readonly type: 'WITHDRAW_DONE';
      readonly account: string;
      readonly token: string;
      readonly requestId: bigint;
      readonly paid: bigint;
      readonly balance: bigint;
      readonly outcome: WithdrawOutcome;
    };

/** What applying a validated chain message did (see {@link ChainResult}). */
interface Committed {
  account: string;
  decision: WithdrawalDecision | null;
  note: string | null;
  warning?: string | null;
}

/** Outcome of {@link MarginBook.applyChainMessage}. */
export type ChainResult =
  | {
      readonly applied: true;
      readonly account: string;
      /** Decisions the message triggered (a withdrawal decided now, or ones a filled gap released). */
      readonly decisions: readonly WithdrawalDecision[];
      /** The source's open gap after this message, if any. */
      readonly gap: SeqGap | null;
      /** Set when the message was consumed but changed nothing (e.g. an older absolute balance). */
      readonly note: string | null;
      /**
       * Set when the message was booked but names something this book does not hold: an
       * acknowledgement of an order it no longer keeps (forgotten after its retention) or never
       * issued, whose reported balance is booked all the same. Worth an operator's look.
       */
      readonly warning: string | null;
    }
  | { readonly applied: false; readonly reason: 'replay'; readonly eid: number; readonly seq: bigint }
  | {
      /** Consumed (its sequence number counts) but refused: the error says what was wrong. */
      readonly applied: false;
      readonly reason: 'invalid';
      readonly eid: number;
      readonly seq: bigint;
      readonly error: InvalidInputError;
      /** Decisions a filled gap released (the number still closes the gap). */
      readonly decisions: readonly WithdrawalDecision[];
    };

/** Why a liquidatable account was left alone for now. */
export type DeferReason = 'missing-price' | 'stale-price' | 'sequence-gap';

export interface LiquidationResult {
  readonly account: string;
  readonly plan: LiquidationPlan;
  readonly orders: readonly SeizureOrder[];
}

/** Outcome of {@link MarginBook.applyDispatch}. */
export type DispatchResult =
  | { readonly applied: true; readonly status: OrderRecord['status'] }
  /** `unknown`: not an order of this book (e.g. another shard's); `repeat`: already dispatched. */
  | { readonly applied: false; readonly reason: 'unknown' | 'repeat' };

/**
 * What a seizure credited when it was booked — the debt its value repays (USD, WAD) and the two
 * parts of its penalty — taken back if it expires undispatched, booked again (pro rata) by a late
 * acknowledgement.
 */
interface SeizureCredit {
  readonly debtRepaid: bigint;
  readonly liquidator: bigint;
  readonly insurance: bigint;
}

/**
 * Order ids by deadline, earliest first: a binary heap with lazy deletion (an order whose state
 * changed meanwhile is skipped when it comes up). Ties go in push order. The book keeps two:
 * pending, undispatched orders by expiry + grace (pushed in issue order, so releases happen in the
 * same order after a restore), and done orders by the moment their retention ends.
 */
class DeadlineHeap {
  private readonly items: Array<{ at: bigint; n: number; id: string }> = [];
  private count = 0;

  get size(): number {
    return this.items.length;
  }

  /** The earliest deadline (only when non-empty). */
  peek(): bigint {
    return this.items[0]!.at;
  }

  push(at: bigint, id: string): void {
    const a = this.items;
    a.push({ at, n: this.count++, id });
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.less(a[i]!, a[up]!)) break;
      [a[i], a[up]] = [a[up]!, a[i]!];
      i = up;
    }
  }

  pop(): string {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top.id;
  }

  private less(x: { at: bigint; n: number }, y: { at: bigint; n: number }): boolean {
    return x.at < y.at || (x.at === y.at && x.n < y.n);
  }
}

interface Holding {
  readonly asset: string;
  readonly chain: number;
  qty: bigint;
  /** Source sequence number of the absolute balance booked last (0: none / symbolic). */
  seq: bigint;
  /** In-flight withdrawals and seizures by id; null until the first one (most holdings never have any). */
  pending: Map<string, bigint> | null;
}

/**
 * An account's holdings by small-integer key, in the order they were first booked (the order the
 * evaluator and the planner see them in). A linear scan of a few small integers beats a `Map`'s
 * hashing at this size (assets × chains an account holds), and the two arrays are allocated once
 * instead of a hash table rebuilt as it grows.
 */
class Holdings {
  private readonly keys: number[] = [];
  private readonly list: Holding[] = [];

  get(k: number): Holding | undefined {
    const i = this.keys.indexOf(k);
    return i < 0 ? undefined : this.list[i];
  }

  /** Files a holding under a key not filed yet (holdings are never replaced or removed). */
  add(k: number, h: Holding): void {
    this.keys.push(k);
    this.list.push(h);
  }

  values(): readonly Holding[] {
    return this.list;
  }
}

/** The in-flight key of a vault's withdrawal request (`w:<eid>:<requestId>`). */
const VAULT_REQUEST = /^w:[0-9]+:[0-9]+$/;
/** A lower-case 20-byte hex address: an account id chain messages can name without re-validation. */
const LOWER_ADDRESS = /^0x[0-9a-f]{40}$/;
const MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'BALANCE',
  'WITHDRAW_REQUEST',
  'EXPOSURE',
  'ORDER_ACK',
  'WITHDRAW_DONE',
]);
/** The decisions of a message that released none (shared: most messages release none). */
const NO_DECISIONS: readonly WithdrawalDecision[] = Object.freeze([]);
/** A configured token on one chain: its asset and holding key. */
interface TokenEntry {
  readonly asset: string;
  readonly hkey: number;
}
/** Where {@link MarginBook.snapshotJson} splices the accounts' entries in. */
const ACCOUNTS_KEY = '"accounts":[]';
/** Above any event time: "no chain can turn stale by time alone". */
const NEVER = 1n << 256n;

interface AccountState {
  readonly id: string;
  /**
   * Whether `id` is a lower-case address (what `v.address` returns), so a chain message naming it
   * is valid as is; worked out on the first chain message that names it.
   */
  address: boolean | undefined;
  /** Assets, chains and markets this account is already indexed under (small lists). */
  readonly inAssets: string[];
  readonly inChains: number[];
  readonly inMarkets: string[];
  /**
   * The account's index in the book's per-account typed arrays (`Ticks`): whether it is queued for
   * re-evaluation (in `dirtyList`), its slack and the float inputs of the slack's decrements.
   */
  readonly ix: number;
  /** Queued for re-evaluation (in `dirtyList`); mirrored in `Ticks.dirty` for the tick loops. */
  dirty: boolean;
  /**
   * Set when a liquidation plan of the account changed nothing (everything seizable already in
   * flight, or all of it held back by exhausted rate limits), to the rate-limit window it was
   * planned in; cleared by any change to the account. While set, `liquidations` does not plan it
   * again: the same account under the same prices plans to the same nothing (budgets only shrink
   * within a window), until the window rolls.
   */
  idleSince: bigint | null;
  /** Per market index, each position's signed qty in whole units, taken with the slack (see `Ticks`); null until then. */
  marketUnits: number[][] | null;
  /** key: asset index × 65536 + chain slot (a small integer: no string built per event) */
  readonly holdings: Holdings;
  /** key: the position's `id` (`${market}:${mode}`, or `${market}@${eid}:${protocol}` if reported) */
  readonly positions: Map<string, ExactPosition>;
  /** Source sequence of the last report per reported position (absolute reports: older ones lose). */
  readonly positionSeq: Map<string, bigint>;
  realizedPnl: bigint;
  /**
   * The account's entry of {@link MarginBook.snapshotJson}, serialized once and kept until the
   * account changes: every write to its holdings (balances, report sequences, amounts in flight),
   * positions, position sequences or realized PnL clears it ({@link MarginBook.changed}).
   */
  json: string | null;
}

interface MarketState {
  mark: bigint | null;
  funding: FundingState;
  vol: VolatilityState;
}

/** A growable list of account indexes (a holder list's twin, read by the tick loops). */
interface IxList {
  a: Int32Array;
  n: number;
}

/**
 * What a price tick or a mark reads per holder, struct-of-arrays by account index, so the tick
 * loops walk small typed arrays instead of account objects scattered over the heap:
 *
 * - `dirty[ix]`: queued for re-evaluation;
 * - `slack[ix]`: a lower bound (USD, float) of how far the account stands above maintenance —
 *   weighted collateral + PnL − (debt + MM) — as of its last exact evaluation, less every adverse
 *   move since; −∞ when unknown or when only an exact evaluation can tell (isolated positions,
 *   missing prices, already liquidatable). A tick re-evaluates a holder only once it can have run
 *   out;
 * - the float inputs of the slack's decrements, taken with it (a finite slack always has them):
 *   `assetPos[asset][ix]` = Σ effective balance × staleness factor over the account's holdings of
 *   that asset with a positive effective balance (confirmed less in flight), `assetNeg[asset][ix]`
 *   = Σ |effective balance| over those below zero (base units); `marketUnits[market][ix]` = its
 *   position's signed qty (whole units), 0 with none,
 *   NaN with several (then the account's own list). Any change to a holding or a position touches
 *   the account, and the next exact evaluation takes them again, so no bigint is converted per
 *   holder per tick.
 */
class Ticks {
  size = 0;
  dirty = new Uint8Array(1024);
  slack = new Float64Array(1024).fill(-Infinity);
  readonly assetPos: Float64Array[];
  readonly assetNeg: Float64Array[];
  readonly marketUnits: Float64Array[];

  constructor(assets: number, markets: number) {
    this.assetPos = Array.from({ length: assets }, () => new Float64Array(1024));
    this.assetNeg = Array.from({ length: assets }, () => new Float64Array(1024));
    this.marketUnits = Array.from({ length: markets }, () => new Float64Array(1024));
  }

  /** The index of a new account. */
  add(): number {
    if (this.size === this.slack.length) {
      const cap = this.size * 2;
      const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(cap);
        b.set(a);
        return b;
      };
      this.dirty = grow(this.dirty, (n) => new Uint8Array(n));
      this.slack = grow(this.slack, (n) => new Float64Array(n).fill(-Infinity));
      for (const list of [this.assetPos, this.assetNeg, this.marketUnits])
        list.forEach((a, i) => (list[i] = grow(a, (n) => new Float64Array(n))));
    }
    return this.size++;
  }
}

/** A market's parameters in float, for the slack's bounds (cached per immutable parameter object). */
interface FloatMarket {
  readonly mark: number;
  readonly scale: number;
  readonly baseMMR: number;
  /** baseMMR / baseIMR × imrFactor: the size term's coefficient of notional^exponent (0: none). */
  readonly sizeK: number;
  readonly exponent: number;
  /** Notional below which the size term cannot bind (MMR = baseMMR there: no power needed). */
  readonly flatBelow: number;
}
const floatMarkets = new WeakMap<ExactMarketParams, FloatMarket>();
function floatMarket(m: ExactMarketParams): FloatMarket {
  let f = floatMarkets.get(m);
  if (!f) {
    const baseMMR = Number(m.baseMMR) / 1e18;
    const sizeK =
      m.baseIMR === 0n || m.imrFactor === 0n
        ? 0
        : (baseMMR / (Number(m.baseIMR) / 1e18)) * (Number(m.imrFactor) / 1e18);
    const exponent = (m.exponent ?? FOUR_FIFTHS).num / (m.exponent ?? FOUR_FIFTHS).den;
    f = {
      mark: Number(m.markPrice) / 1e18,
      scale: Number(m.volScale ?? WAD) / 1e18,
      baseMMR,
      sizeK,
      exponent,
      // sizeK × n^e ≤ baseMMR ⇔ n ≤ (baseMMR / sizeK)^(1/e); 10⁻⁹ below it the size term
      // is smaller by far more than float error, so both forms give baseMMR
      flatBelow: sizeK === 0 ? Infinity : Math.pow(baseMMR / sizeK, 1 / exponent) * (1 - 1e-9),
    };
    floatMarkets.set(m, f);
  }
  return f;
}
/** Maintenance margin of `notional` before the volatility scale, in float: notional × MMR(notional). */
function maintenanceFloat(notional: number, f: FloatMarket): number {
  return notional <= f.flatBelow
    ? notional * f.baseMMR
    : notional * Math.max(f.baseMMR, f.sizeK * Math.pow(notional, f.exponent));
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
 * const book = new MarginBook(config);
 * book.applyPrice({ asset: 'USDC', price: WAD, time: 1n });
 * book.applyBalance({ account: '0xa', asset: 'USDC', chain: 1, balance: 1_000_000_000n, time: 1n });
 * book.applyMark({ market: 'ETH-PERP', markPrice: 2000n * WAD, indexPrice: 2000n * WAD, time: 1n });
 * book.applyPosition({ account: '0xa', market: 'ETH-PERP', qty: 10n * WAD, openCost: 20_600n * WAD });
 * book.liquidatable(); // ['0xa']
 * const { orders } = book.liquidate('0xa')!; // seizure orders to send to the vaults
 */
export class MarginBook {
  private readonly config: BookConfig;
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
  /** Small-integer index of each configured market (into `AccountState.marketUnits`). */
  private readonly marketIds = new Map<string, number>();
  private readonly lastReport = new Map<number, bigint>();
  private readonly staleNow = new Map<number, boolean>();
  // Holder lists, in first-holding order. Arrays, not Sets: an account is never unindexed, and its
  // own `inAssets`/`inChains`/`inMarkets` list already keeps it from being added twice.
  private readonly assetHolders = new Map<string, AccountState[]>();
  private readonly marketHolders = new Map<string, AccountState[]>();
  private readonly chainHolders = new Map<number, AccountState[]>();
  /** In-flight withdrawals by pending key (a symbolic id, or `w:<eid>:<requestId>`). */
  private readonly withdrawals = new Map<
    string,
    { account: string; asset: string; chain: number; amount: bigint; orderId: string | null }
  >();
  /** In-flight seizures by order id. */
  private readonly seizures = new Map<string, SeizureOrder>();
  /** Every order issued, by id, with its outcome. */
  private readonly orderLog = new Map<string, OrderRecord>();
  /** The pending keys (`w:<eid>:<requestId>`) of {@link deferredRequests}: undecided, seizable. */
  private readonly deferredKeys = new Set<string>();
  /** Withdrawal requests waiting for a source's sequence gap to close, in arrival order. */
  private deferredRequests: Array<{
    eid: number;
    account: string;
    asset: string;
    token: string;
    amount: bigint;
    requestId: bigint;
    inputSeq: bigint;
    /** The request's input time (its decision expires relative to it). */
    time: bigint;
  }> = [];
  private readonly seqs = new SequenceTracker();
  /** `config.orders`, validated; null: orders never expire. */
  private readonly expiryCfg: { readonly ttl: bigint; readonly grace: bigint } | null;
  /** How long a done order is kept (`orders.retention`), or null: kept. */
  private readonly retention: bigint | null;
  /** Done orders by the end of their retention (`doneAt + retention`; with `retention` only). */
  private readonly forgetAt = new DeadlineHeap();
  /** Pending orders not dispatched, by deadline (with `expiryCfg` only). */
  private readonly deadlines = new DeadlineHeap();
  /**
   * Withdrawal requests (`w:<eid>:<requestId>`) open on the vault and frozen there that wait for
   * a decision from the next `liquidations` call: their decision expired (undispatched, or
   * acknowledged EXPIRED), or a price they depend on was stale. Derived state (a request whose
   * latest decision is expired, or that has none and no gap holds), rebuilt on restore.
   */
  private readonly redecide = new Set<string>();
  /** Whether an in-flight id is a withdrawal request nobody approved (seizable: see flight.ts). */
  private readonly undecided = (id: string): boolean => this.redecide.has(id) || this.deferredKeys.has(id);
  /** The assets' maximum price ages (see price-age.ts). */
  private readonly priceAge: PriceAgeRule;
  /** What each seizure not yet acknowledged credited (with `expiryCfg` only). */
  private readonly credits = new Map<string, SeizureCredit>();
  /** `${eid}:${token}` → asset, and `${asset}@${eid}` → token. */
  private readonly tokenAsset = new Map<string, string>();
  private readonly assetToken = new Map<string, string>();
  /** eid → (lower-case token → asset and holding key): one lookup per chain message, no key string built. */
  private readonly tokensByEid = new Map<number, Map<string, TokenEntry>>();
  /** Earliest event time at which a fresh chain turns stale; `advance` re-judges chains only from then on. */
  private nextStale = 0n;
  private readonly orderIdOf: OrderIdFn;
  private readonly liquidator: string;
  /** Accounts touched since the last `liquidatable()`; each once (flag on the state). */
  private readonly dirtyList: AccountState[] = [];
  /** Accounts by `ix`. */
  private readonly byIx: AccountState[] = [];
  /** The account ids in snapshot order (sorted); null once an account is added. */
  private sortedIds: string[] | null = null;
  private ticks!: Ticks;
  /** The account indexes of each asset's and market's holder list, in the same order. */
  private readonly holderIx = new WeakMap<AccountState[], IxList>();
  private readonly liquidatableSet = new Set<string>();
  /** Scratch per asset index for {@link marginFloor}. */
  private floatPos!: Float64Array;
  private floatNeg!: Float64Array;
  private assetNames: string[] = [];
  private readonly floatAssets = new WeakMap<ExactAssetParams, AssetParams>();
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

  constructor(config: BookConfig) {
    const c = obj('config', config);
    const assets: Record<string, ExactContext['assets'][string]> = {};
    for (const [k, a] of Object.entries(obj('config.assets', c.assets)))
      assets[k] = checkExactAsset(`config.assets.${k}`, { ...(a as object), price: 0n });
    const markets: Record<string, ExactContext['markets'][string]> = {};
    for (const [k, raw] of Object.entries(obj('config.markets', c.markets))) {
      const m = raw as MarketConfig;
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
      this.marketIds.set(k, this.marketIds.size);
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
    checkTransferPositions('config.planner.transferPositions', p.transferPositions, markets);
    if (c.rateLimits !== undefined) big('config.rateLimits.window', obj('config.rateLimits', c.rateLimits).window, 1n);
    this.insuranceFund = c.insuranceFund === undefined ? 0n : big('config.insuranceFund', c.insuranceFund);
    if (c.orderId !== undefined && typeof c.orderId !== 'function')
      throw new InvalidInputError('config.orderId', 'expected a function');
    this.orderIdOf = (c.orderId as OrderIdFn | undefined) ?? defaultOrderId;
    if (c.orders === undefined) {
      this.expiryCfg = null;
      this.retention = null;
    } else {
      const o = obj('config.orders', c.orders);
      this.expiryCfg = { ttl: big('config.orders.ttl', o.ttl, 1n), grace: big('config.orders.grace', o.grace) };
      this.retention = o.retention === undefined ? null : big('config.orders.retention', o.retention);
    }
    this.priceAge = new PriceAgeRule(c.assets as Record<string, AssetConfig>);
    this.liquidator = c.liquidator === undefined ? 'liquidator' : v.address('config.liquidator', c.liquidator);
    for (const [asset, raw] of Object.entries(c.assets as Record<string, AssetConfig>)) {
      for (const [eidKey, token] of Object.entries(raw.tokens ?? {})) {
        const at = `config.assets.${asset}.tokens.${eidKey}`;
        const eid = Number(eidKey);
        if (!Object.hasOwn(chains, eidKey)) throw new InvalidInputError(at, `chain ${eidKey} is not configured`);
        const t = v.address(at, token);
        if (this.tokenAsset.has(`${eid}:${t}`))
          throw new InvalidInputError(at, `token ${t} already belongs to ${this.tokenAsset.get(`${eid}:${t}`)}`);
        this.tokenAsset.set(`${eid}:${t}`, asset);
        this.assetToken.set(`${asset}@${eid}`, t);
      }
    }
    this.config = config;
    this.ctx = { assets, markets, chains, now: 0n };
    Object.keys(assets).forEach((a, i) => this.assetIds.set(a, i));
    this.assetNames = Object.keys(assets);
    this.floatPos = new Float64Array(this.assetNames.length);
    this.floatNeg = new Float64Array(this.assetNames.length);
    this.ticks = new Ticks(this.assetIds.size, this.marketIds.size);
    for (const k of Object.keys(chains)) {
      this.chainSlots.set(Number(k), this.chainIds.size);
      this.chainIds.add(Number(k));
    }
    for (const [key, asset] of this.tokenAsset) {
      const at = key.indexOf(':');
      const eid = Number(key.slice(0, at));
      let byToken = this.tokensByEid.get(eid);
      if (!byToken) this.tokensByEid.set(eid, (byToken = new Map()));
      byToken.set(key.slice(at + 1), { asset, hkey: this.hkey(asset, eid) });
    }
  }

  // ------------------------------------------------------------------ events

  /** A vault's confirmed absolute balance of `asset` on `chain` (base units; negative = debt). */
  applyBalance(e: { account: string; asset: string; chain: number; balance: bigint; time: bigint }): void {
    const r = obj('event', e);
    const account = str('account', r.account);
    const asset = r.asset as string;
    const assetId = typeof asset === 'string' ? this.assetIds.get(asset) : undefined;
    if (assetId === undefined) throw new InvalidInputError('asset', `unknown asset ${JSON.stringify(asset)}`);
    const chain = r.chain as number;
    const slot = typeof chain === 'number' ? this.chainSlots.get(chain) : undefined;
    if (slot === undefined) throw new InvalidInputError('chain', `unknown chain ${String(chain)}`);
    const balance = big('balance', r.balance, null);
    const time = big('time', r.time);
    this.advance(time);
    this.report(chain, time);
    const state = this.account(account);
    const k = assetId * 65536 + slot;
    const h = state.holdings.get(k);
    if (h) this.setQty(state, h, balance);
    else {
      this.addHolding(state, k, asset, chain, balance, 0n);
      this.touch(state);
    }
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
    this.setPosition(
      state,
      k,
      market,
      qty === 0n && openCost === 0n
        ? null
        : { id: k, market, qty, openCost, lastCumFunding: f0, mode, isolatedMargin: iso },
    );
  }

  /** An oracle price (USD per whole unit, WAD). A price not newer than the last is ignored. */
  applyPrice(e: { asset: string; price: bigint; time: bigint }): { applied: boolean; holders: number } {
    const r = obj('event', e);
    const asset = this.assetName('asset', r.asset);
    const price = big('price', r.price);
    const time = big('time', r.time);
    const last = this.prices.get(asset);
    if (last && time <= last.time) return { applied: false, holders: 0 };
    // a stale price replaced: every holder's decisions may go ahead again, so each is looked at
    const wasStale = last !== undefined && this.priceAge.isStale(asset, last.time, max(this.ctx.now, time));
    this.advance(time);
    this.prices.set(asset, { price, time });
    const params = this.ctx.assets[asset]!;
    this.ctx.assets[asset] = { ...params, price };
    const holders = this.assetHolders.get(asset);
    if (holders) {
      if (!last || wasStale) for (const a of holders) this.touch(a);
      else {
        // A holder's margin moves with the price by: − Δ × (its debt in the asset), at full price;
        // + Δ × (what it holds, at most max(weight, 1) per unit: the size discount and the cap only
        // flatten weighted value) when the price falls; and when it rises, at least 0 — exactly
        // Δ × weight per unit where weighted value is linear (no size discount, under the cap).
        // Each side is figured in float with room to spare; only holders whose slack that can
        // exhaust are re-evaluated exactly.
        const d = Number(price - last.price) / 1e18 / 10 ** params.decimals;
        const ad = Math.abs(d);
        const w = Number(params.maintenanceWeight) / 1e18;
        const wMax = Math.max(1, w);
        const capUnits =
          params.cap === undefined || params.cap === null
            ? Infinity
            : (Number(params.cap) / 1e18) * 10 ** params.decimals * (1 - 1e-9);
        const linear = (params.discountFactor ?? 0n) === 0n;
        const { dirty, slack } = this.ticks;
        const ai = this.assetIds.get(asset)!;
        const posU = this.ticks.assetPos[ai]!;
        const negU = this.ticks.assetNeg[ai]!;
        const { a: ix, n } = this.holderIx.get(holders)!;
        for (let i = 0; i < n; i++) {
          const j = ix[i]!;
          if (dirty[j]) continue;
          const s = slack[j]!;
          if (s === -Infinity) {
            this.touch(this.byIx[j]!);
            continue;
          }
          const pos = posU[j]!;
          const neg = negU[j]!;
          if (pos === 0 && neg === 0) continue; // nothing of it counts: the price moves nothing
          const change =
            d < 0 ? neg * ad - pos * ad * wMax : linear && pos <= capUnits ? (pos * w - neg) * d : -neg * d;
          const t = s + change - ((pos + neg) * ad * wMax * 1e-9 + 1e-9);
          slack[j] = t;
          if (!(t >= 0)) this.touch(this.byIx[j]!);
        }
      }
    }
    return { applied: true, holders: holders?.length ?? 0 };
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
    const before = this.ctx.markets[market]!;
    const hadMark = st.mark !== null;
    st.funding = funding;
    st.vol = vol;
    st.mark = mark;
    this.ctx.markets[market] = { ...before, markPrice: mark, cumFunding: funding.cumFunding, volScale: scale };
    const holders = this.marketHolders.get(market);
    if (holders) {
      if (!hadMark) for (const a of holders) this.touch(a);
      else {
        // A cross position's PnL moves by qty × (Δmark − Δfunding), and its maintenance margin by
        // MM(new) − MM(old): each side figured in float with room to spare (gains count too).
        const f = (x: bigint) => Number(x) / 1e18;
        const dMove = f(mark - before.markPrice) - f(funding.cumFunding - before.cumFunding);
        const dAbs = Math.abs(f(mark - before.markPrice)) + Math.abs(f(funding.cumFunding - before.cumFunding));
        const fm = floatMarket(before);
        const mm = (units: number, m: number, sc: number) => maintenanceFloat(units * m, fm) * sc;
        const oldMark = f(before.markPrice);
        const newMark = f(mark);
        const oldScale = f(before.volScale ?? WAD);
        const newScale = f(scale);
        const mi = this.marketIds.get(market)!;
        const { dirty, slack } = this.ticks;
        const one = this.ticks.marketUnits[mi]!;
        // the change of the margin, less room: what the exact change is at least
        const term = (qty: number) => {
          const units = Math.abs(qty);
          return (
            qty * dMove -
            units * dAbs * 1e-9 -
            (mm(units, newMark, newScale) * (1 + 1e-9) - mm(units, oldMark, oldScale) * (1 - 1e-9))
          );
        };
        const { a: ix, n } = this.holderIx.get(holders)!;
        for (let i = 0; i < n; i++) {
          const j = ix[i]!;
          if (dirty[j]) continue;
          const s = slack[j]!;
          if (s === -Infinity) {
            this.touch(this.byIx[j]!);
            continue;
          }
          // Σ over the account's positions in the market, from 0 (one position: its term; none: 0)
          let change = 0;
          const u = one[j]!;
          if (u === u) {
            if (u === 0) continue; // no position here (any more): the mark moves nothing
            change += term(u);
          } else for (const qty of this.byIx[j]!.marketUnits![mi]!) change += term(qty);
          const t = s + change - (Math.abs(change) * 1e-9 + 1e-9);
          slack[j] = t;
          if (!(t >= 0)) this.touch(this.byIx[j]!);
        }
      }
    }
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
    if (VAULT_REQUEST.test(id)) throw new InvalidInputError('id', 'ids w:<eid>:<requestId> are the vaults’ requests');
    const account = str('account', r.account);
    const asset = this.assetName('asset', r.asset);
    const chain = this.chainId('chain', r.chain);
    const amount = big('amount', r.amount, 1n);
    const time = big('time', r.time);
    this.advance(time);
    const d = this.decideWithdrawal(account, asset, chain, amount);
    if (d.approved) this.inFlight(id, account, asset, chain, amount, null);
    return {
      kind: 'withdraw-decision',
      id,
      account,
      asset,
      chain,
      token: this.tokenOf(asset, chain),
      amount,
      requestId: null,
      ...d,
      inputSeq: 0n,
    };
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
    h.pending?.delete(id);
    h.qty = balance;
    const kind = this.withdrawals.delete(id) ? 'withdrawal' : 'seizure';
    const seizure = this.seizures.get(id);
    if (seizure) this.settleSeizure(seizure, seizure.amount, 0n, time);
    this.touch(w.account);
    return { kind };
  }

  /**
   * The hub dispatched order `orderId` (its `OrderDispatched` log, at block time `time`): the
   * order is on its way to the vault, so it no longer expires in the book — its amount stays in
   * flight until the vault's acknowledgement. Idempotent; an id this book never issued (another
   * shard's order) changes nothing but the book's time. A dispatch of an order that already
   * expired (its log reached the stream after the grace) is recorded; the vault's report will
   * book what it did.
   * @throws InvalidInputError for a malformed id or time.
   */
  applyDispatch(e: { orderId: string; time: bigint }): DispatchResult {
    const r = obj('event', e);
    const raw = str('orderId', r.orderId);
    const time = big('time', r.time);
    const id = this.orderLog.has(raw) ? raw : raw.toLowerCase();
    const rec = this.orderLog.get(id);
    let result: DispatchResult;
    if (!rec) result = { applied: false, reason: 'unknown' };
    else if (rec.dispatched) result = { applied: false, reason: 'repeat' };
    else {
      // marked before the clock moves: a dispatch is never released by its own time
      this.orderLog.set(id, { ...rec, dispatched: true });
      result = { applied: true, status: rec.status };
    }
    this.advance(time);
    return result;
  }

  // ------------------------------------------------------------------ chain messages

  /**
   * Applies one hub-bound vault message from source `eid` with the vault's sequence number `seq`,
   * at block time `time`; `inputSeq` is its position in the input stream (order ids derive from
   * it). A number already applied is a replay and changes nothing; a message that is well formed
   * but wrong for this book (unknown token or market, an ack of an order this book never issued)
   * is consumed — its number counts, so it cannot open a gap — and reported as `invalid` with the
   * reason, changing nothing else.
   *
   * Absolute reports (balances, positions) lose to a newer one already applied from the same
   * vault, so late delivery is harmless. A withdrawal request is decided at once, unless its
   * source has a gap open: then it waits, and is decided when the gap closes (the decision comes
   * back from the message that closed it).
   * @throws InvalidInputError for a malformed envelope (eid, seq, time, inputSeq, message type).
   */
  applyChainMessage(e: {
    eid: number;
    seq: bigint;
    time: bigint;
    inputSeq: bigint;
    message: ChainMessage;
  }): ChainResult {
    const r = obj('event', e);
    const eid = this.chainId('eid', r.eid);
    const seq = v.uint64('seq', r.seq);
    if (seq === 0n) throw new InvalidInputError('seq', 'sequence numbers start at 1');
    const time = v.uint64('time', r.time);
    const inputSeq = v.uint64('inputSeq', r.inputSeq);
    const m = obj('message', r.message) as unknown as ChainMessage;
    if (!MESSAGE_TYPES.has(m.type))
      throw new InvalidInputError('message.type', `unknown message type ${JSON.stringify(m.type)}`);
    if (this.seqs.seen(eid, seq)) {
      return { applied: false, reason: 'replay', eid, seq };
    }
    // BALANCE, by far the most frequent message, is validated and applied inline (no closure);
    // every other type is validated by `prepare`, which returns the function that applies it
    let commit: (() => Committed) | null = null;
    let account: string;
    let known: AccountState | undefined;
    let token: TokenEntry | null = null;
    let balance = 0n;
    try {
      // a known account is found by the id the vault sent: one lookup both validates and finds it
      known = typeof m.account === 'string' ? this.accounts.get(m.account) : undefined;
      if (known && known.address === undefined) known.address = LOWER_ADDRESS.test(known.id);
      account = known?.address ? known.id : v.address('message.account', m.account);
      if (m.type === 'BALANCE') {
        token = this.tokenOn(eid, m.token);
        balance = v.uint256('message.balance', m.balance);
      } else commit = this.prepare(eid, seq, inputSeq, time, account, m);
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      const released = this.markSeq(eid, seq, time);
      return { applied: false, reason: 'invalid', eid, seq, error: err, decisions: released };
    }
    // the number is recorded first, so a request that opens a gap already waits on it
    const closed = this.seqs.mark(eid, seq);
    let decision: WithdrawalDecision | null = null;
    let note: string | null;
    let warning: string | null = null;
    if (commit) ({ account, decision, note, warning = null } = commit());
    else {
      const state = known?.address ? known : this.account(account);
      note = this.setReported(state, token!.hkey, token!.asset, eid, balance, seq);
    }
    const released = this.afterMark(eid, time, closed);
    return {
      applied: true,
      account,
      decisions: decision ? [decision, ...released] : released,
      gap: this.seqs.gap(eid),
      note,
      warning,
    };
  }

  /**
   * Consumes vault `eid`'s sequence number `seq` without applying its message: for a sharded
   * deployment, where this book owns only some accounts and another book applies the message.
   * The number counts (no gap opens), the chain counts as reporting at `time`, and decisions
   * that waited for a gap this number closes are returned.
   * @throws InvalidInputError for a malformed eid, seq or time.
   */
  skipChainMessage(e: { eid: number; seq: bigint; time: bigint }): {
    readonly skipped: boolean;
    readonly decisions: readonly WithdrawalDecision[];
  } {
    const r = obj('event', e);
    const eid = this.chainId('eid', r.eid);
    const seq = v.uint64('seq', r.seq);
    if (seq === 0n) throw new InvalidInputError('seq', 'sequence numbers start at 1');
    const time = v.uint64('time', r.time);
    if (this.seqs.seen(eid, seq)) return { skipped: false, decisions: [] };
    return { skipped: true, decisions: this.markSeq(eid, seq, time) };
  }

  /**
   * Plans and books the liquidation of every account liquidatable now, in account order, and
   * returns the seizure orders (ids derived from `inputSeq`, the input that triggered them; with
   * `orders` configured, expiring `orders.ttl` after `inputTime`, that input's own time — by
   * default the book's time).
   * Accounts whose decision must wait are skipped: a held asset or market has no price yet
   * (seizing on a feed gap would punish the account for missing data), or a chain it holds
   * collateral on has a sequence gap open (a missing report could change the verdict).
   */
  liquidations(
    inputSeq: bigint,
    inputTime?: bigint,
  ): {
    orders: SeizureOrder[];
    decisions: WithdrawalDecision[];
    results: LiquidationResult[];
    deferred: Array<{ account: string; reason: DeferReason }>;
  } {
    const seq = v.uint64('inputSeq', inputSeq);
    const time = inputTime === undefined ? undefined : big('inputTime', inputTime);
    const decisions = this.redecide.size === 0 ? [] : this.decideAgain(seq, time ?? this.ctx.now);
    const orders: SeizureOrder[] = [];
    const results: LiquidationResult[] = [];
    const deferred: Array<{ account: string; reason: DeferReason }> = [];
    for (const account of this.liquidatable()) {
      const reason = this.deferReason(account);
      if (reason) {
        deferred.push({ account, reason });
        continue;
      }
      const idle = this.accounts.get(account)!.idleSince;
      if (idle !== null && (!this.queued.has(account) || this.windowNow() === idle)) continue;
      const res = this.liquidate(account, seq, time);
      if (res) {
        results.push(res);
        orders.push(...res.orders);
      }
    }
    return { orders, decisions, results, deferred };
  }

  /**
   * Decides, as input `inputSeq` (new order ids, expiring one TTL after `time`), every withdrawal
   * request waiting in `redecide` — its decision expired (undispatched, or at the vault), or a
   * price it depends on was stale when it came — in key order; a request from a chain with an
   * open sequence gap, or of an account holding an asset whose price is stale, waits on.
   */
  private decideAgain(inputSeq: bigint, time: bigint): WithdrawalDecision[] {
    const out: WithdrawalDecision[] = [];
    for (const key of [...this.redecide].sort(cmp)) {
      const w = this.withdrawals.get(key);
      if (!w) {
        this.redecide.delete(key); // closed meanwhile (an escape)
        continue;
      }
      if (this.seqs.hasGap(w.chain) || this.stalePricesOf(w.account).length > 0) continue;
      this.redecide.delete(key);
      const requestId = BigInt(key.slice(key.lastIndexOf(':') + 1));
      out.push(
        this.decideRequest(
          w.chain,
          w.account,
          w.asset,
          this.tokenOf(w.asset, w.chain),
          w.amount,
          requestId,
          inputSeq,
          time,
        ),
      );
    }
    return out;
  }

  /** Sources with an open sequence gap, and per-source sequence state. */
  sources(): SourceSeq[] {
    return this.seqs.list();
  }

  /** The open gap of every source that has one. */
  gaps(): SeqGap[] {
    return this.seqs
      .list()
      .map((s) => this.seqs.gap(s.eid))
      .filter((g): g is SeqGap => g !== null);
  }

  /** Every order issued, in issue order (deterministic: the order inputs were applied in). */
  orders(): OrderRecord[] {
    return [...this.orderLog.values()];
  }

  /** One order by id. */
  order(id: string): OrderRecord | undefined {
    return this.orderLog.get(id);
  }

  // ------------------------------------------------------------------ decisions

  /** Canonical risk of one account (throws for an unknown account). */
  evaluate(account: string): ExactAccountRisk {
    if (!this.accounts.has(account)) throw new InvalidInputError('account', `unknown account ${account}`);
    return evaluateExactUnchecked(this.exactAccount(account), this.ctx);
  }

  /** Whether `account` is known to the book. */
  has(account: string): boolean {
    return this.accounts.has(account);
  }

  /** Number of accounts in the book. */
  get size(): number {
    return this.accounts.size;
  }

  /**
   * Everything about one account for an API: holdings per chain (token, balance, in flight,
   * value), positions with their margins and liquidation prices, the account's figures, max
   * withdrawals, and why a decision would wait. An unknown account reads as empty.
   */
  accountView(account: string): AccountView {
    const s = this.accounts.get(account);
    const exact = this.exactAccount(account);
    const risk = evaluateExactUnchecked(exact, this.ctx);
    const holdings: HoldingView[] = [];
    if (s)
      for (const h of [...s.holdings.values()].sort((a, b) => cmp(a.asset, b.asset) || a.chain - b.chain)) {
        const f = this.flight(h);
        const a = this.ctx.assets[h.asset]!;
        holdings.push({
          asset: h.asset,
          chain: h.chain,
          token: this.tokenOf(h.asset, h.chain),
          balance: h.qty,
          pending: f.out,
          seizable: max(0n, h.qty - f.committed),
          price: this.prices.get(h.asset)?.price ?? null,
          value: divFloor(h.qty * a.price, 10n ** BigInt(a.decimals)),
        });
      }
    const positions = exact.positions.map((p, i) => ({
      id: p.id ?? `${p.market}:${p.mode ?? 'cross'}`,
      qty: p.qty,
      openCost: p.openCost,
      ...risk.positions[i]!,
    }));
    return {
      ...risk,
      account,
      holdings,
      positions,
      missingPrices: this.missingPrices(account),
      stalePrices: this.stalePricesOf(account),
      deferred: s ? this.deferReason(account) : null,
    };
  }

  /**
   * Accounts liquidatable now, sorted; re-evaluates only accounts touched since the last call.
   * An account holding an asset or market without a price yet is deferred, not listed.
   */
  liquidatable(): string[] {
    const { dirty, slack } = this.ticks;
    for (const st of this.dirtyList) {
      st.dirty = false;
      dirty[st.ix] = 0;
      const a = st.id;
      let liq = false;
      slack[st.ix] = -Infinity;
      // a float lower bound of the margin that is above 0 proves the account healthy; only
      // accounts near (or past) their threshold, or with isolated positions, are evaluated exactly
      const floor = this.marginFloor(st);
      if (floor > 0) {
        slack[st.ix] = floor * (1 - 1e-9) - 1e-9;
        this.takeUnits(st);
      } else if (this.missingPrices(a).length === 0) {
        const r = evaluateExactUnchecked(this.exactAccount(a), this.ctx, { details: false });
        liq = r.liquidatable;
        let isolated = false;
        for (const p of st.positions.values()) if (p.mode === 'isolated') isolated = true;
        if (!liq && !isolated) {
          // the exact margin above maintenance, as a float rounded towards zero with room to spare
          // (exactly 0 stays 0: an account with nothing left, which no tick can move)
          const exact = r.weightedCollateral + r.unsettledPnl - r.debt - r.maintenanceMargin;
          slack[st.ix] = exact === 0n ? 0 : (Number(exact) / 1e18) * (1 - 1e-9) - 1e-9;
          this.takeUnits(st);
        }
      }
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
   * `inputSeq` (the triggering input) goes into the order ids; by default a book-local counter.
   * With `orders` configured, the orders expire `orders.ttl` after `inputTime` (the triggering
   * input's time; by default the book's time).
   */
  liquidate(account: string, inputSeq?: bigint, inputTime?: bigint): LiquidationResult | null {
    if (!this.accounts.has(account)) throw new InvalidInputError('account', `unknown account ${account}`);
    const seq = inputSeq === undefined ? this.orderCounter + 1n : v.uint64('inputSeq', inputSeq);
    const expiry = this.expiryCfg
      ? (inputTime === undefined ? this.ctx.now : big('inputTime', inputTime)) + this.expiryCfg.ttl
      : undefined;
    if (this.missingPrices(account).length > 0 || this.stalePricesOf(account).length > 0) return null;
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
    // ids first: an id function that throws leaves nothing booked
    const insuranceShare = WAD - this.config.planner.liquidatorShare;
    const orders: SeizureOrder[] = plan.seizures.map((s) => {
      const token = this.tokenOf(s.asset, s.chain);
      const fields: OrderFields = {
        type: 'LIQUIDATE',
        dstEid: s.chain,
        account,
        token,
        amount: s.amount,
        recipient: this.liquidator,
        inputSeq: seq,
      };
      const id = this.orderIdOf(fields);
      if (typeof id !== 'string' || id.length === 0) throw new InvalidInputError('config.orderId', 'returned no id');
      // the insurance fund's part of the penalty, in base units, rounded up (the protocol's side)
      const insuranceValue = mulDown(s.penalty, insuranceShare);
      const insuranceAmount = s.value === 0n ? 0n : min(s.amount, divCeil(s.amount * insuranceValue, s.value));
      return {
        kind: 'liquidate',
        id,
        account,
        asset: s.asset,
        chain: s.chain,
        token,
        amount: s.amount,
        insuranceAmount,
        recipient: this.liquidator,
        inputSeq: seq,
        ...(expiry === undefined ? {} : { expiry }),
      };
    });
    if (new Set(orders.map((o) => o.id)).size !== orders.length || orders.some((o) => this.orderLog.has(o.id)))
      throw new InvalidInputError('config.orderId', 'produced an id that is already in use');
    // book it
    const state = this.accounts.get(account)!;
    state.json = null;
    state.positions.clear();
    for (const p of plan.accountAfter.positions) state.positions.set(p.id ?? `${p.market}:${p.mode ?? 'cross'}`, p);
    state.realizedPnl = plan.accountAfter.realizedPnl ?? 0n;
    for (const c of plan.accountAfter.collateral) {
      const h = state.holdings.get(this.hkey(c.asset, c.chain))!;
      // seizures become in flight (the vault's ack books the real balance); repayments and
      // write-offs change the booked balance directly
      // (every seizure of the holding: a plan's second pass may seize it again)
      let seized = 0n;
      for (const s of plan.seizures) if (s.asset === c.asset && s.chain === c.chain) seized += s.amount;
      h.qty = c.qty + seized;
    }
    plan.seizures.forEach((s, i) => {
      const order = orders[i]!;
      const h = state.holdings.get(this.hkey(s.asset, s.chain))!;
      (h.pending ??= new Map()).set(order.id, s.amount);
      this.seizures.set(order.id, order);
      this.logOrder(order);
      if (this.expiryCfg) {
        // what this seizure credits, in case it expires undispatched (the penalty split as the
        // plan's, per seizure: the parts sum to at most the plan's liquidator part)
        const liquidator = mulDown(s.penalty, this.config.planner.liquidatorShare);
        this.credits.set(order.id, { debtRepaid: s.debtRepaid, liquidator, insurance: s.penalty - liquidator });
      }
      this.usedChain.set(s.chain, (this.usedChain.get(s.chain) ?? 0n) + s.value);
    });
    if (inputSeq === undefined) this.orderCounter = seq;
    // transfers leave the account like closes (the plan's accountAfter) and use the same budget
    for (const c of [...plan.closes, ...plan.transfers])
      this.usedMarket.set(c.market, (this.usedMarket.get(c.market) ?? 0n) + c.notional);
    this.penaltiesToLiquidators += plan.penalty.liquidator;
    this.penaltiesToInsurance += plan.penalty.insurance;
    this.insuranceFund += plan.penalty.insurance;
    this.badDebt += plan.badDebt.total;
    const fromFund = min(this.insuranceFund, plan.badDebt.total);
    this.insuranceFund -= fromFund;
    this.socializedLoss += plan.badDebt.total - fromFund;
    if (plan.queued.closes.length + plan.queued.transfers.length + plan.queued.seizures.length > 0)
      this.queued.add(account);
    else this.queued.delete(account);
    // a plan that changes nothing (nothing closed, transferred, seized, repaid or written off)
    // leaves the account as it was: no re-evaluation, and no new plan until it changes
    if (
      plan.closes.length + plan.transfers.length + plan.seizures.length + plan.repayments.length === 0 &&
      plan.badDebt.total === 0n
    )
      state.idleSince = this.windowNow();
    else this.touch(account);
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

  /**
   * Assets whose last price is older than their `maxPriceAge` at the book's time, by name: while
   * one is, withdrawal approvals and liquidations of its holders wait (a node reports them).
   */
  stalePrices(): StalePrice[] {
    return this.priceAges().filter((p) => p.stale);
  }

  /** Every asset with a `maxPriceAge` and a price: its age at the book's time, and whether it is stale. */
  priceAges(): PriceAge[] {
    return this.priceAge.ages(this.prices, this.ctx.now);
  }

  /** Accounts with a position in `market`, sorted. */
  holdersOfMarket(market: string): string[] {
    return [...(this.marketHolders.get(this.marketName('market', market)) ?? [])].map((s) => s.id).sort(cmp);
  }

  /**
   * The canonical account as the evaluator sees it: in flight as `pending` (seizures, approved
   * withdrawals, and the undecided requests that survive them), the undecided part also as
   * `reclaimable` (a seizure may take it; see flight.ts).
   */
  exactAccount(account: string): ExactAccount {
    const s = this.accounts.get(account);
    if (!s) return { collateral: [], positions: [] };
    const collateral: ExactCollateral[] = [];
    for (const h of s.holdings.values()) {
      const f = this.flight(h);
      collateral.push(
        f.reclaimable === 0n
          ? { asset: h.asset, chain: h.chain, qty: h.qty, pending: f.out }
          : { asset: h.asset, chain: h.chain, qty: h.qty, pending: f.out, reclaimable: f.reclaimable },
      );
    }
    return { collateral, positions: [...s.positions.values()], realizedPnl: s.realizedPnl };
  }

  /** The current canonical context (prices, marks, funding, volatility scales, chains, now). */
  context(): ExactContext {
    return this.ctx;
  }

  // ------------------------------------------------------------------ snapshot

  /** The full state as canonical JSON-safe data (bigints as decimal strings, sorted keys). */
  snapshot(): BookSnapshot {
    return this.snapshotWith(this.accountIds().map((id) => this.accountSnapshot(this.accounts.get(id)!)));
  }

  /**
   * {@link snapshot} as canonical JSON text, byte for byte `JSON.stringify(this.snapshot())`, with
   * each account's entry serialized once and reused until the account changes: a snapshot costs
   * in proportion to the accounts changed since the previous one, plus the joining, instead of
   * serializing every account of the book each time.
   */
  snapshotJson(): string {
    const ids = this.accountIds();
    const entries = new Array<string>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const st = this.accounts.get(ids[i]!)!;
      entries[i] = st.json ??= JSON.stringify(this.accountSnapshot(st));
    }
    // the rest of the book with no accounts, the entries spliced into its empty list: the first
    // `"accounts":[]` is that list's (only a number and a decimal string come before it)
    const rest = JSON.stringify(this.snapshotWith([]));
    const at = rest.indexOf(ACCOUNTS_KEY) + ACCOUNTS_KEY.length - 1;
    return rest.slice(0, at) + entries.join(',') + rest.slice(at);
  }

  /** Account ids in snapshot order (sorted by {@link cmp}); the sort is kept until an account is added. */
  private accountIds(): readonly string[] {
    return (this.sortedIds ??= [...this.accounts.keys()].sort(cmp));
  }

  /** {@link snapshot} with `accounts` as given (the rest of the book serialized afresh). */
  private snapshotWith(accounts: BookSnapshot['accounts']): BookSnapshot {
    const s = (v: bigint) => v.toString();
    const order = ({ expiry, ...o }: Order) => {
      const e = expiry === undefined ? {} : { expiry: s(expiry) };
      return o.kind === 'liquidate'
        ? { ...o, amount: s(o.amount), insuranceAmount: s(o.insuranceAmount), inputSeq: s(o.inputSeq), ...e }
        : {
            ...o,
            amount: s(o.amount),
            maxWithdraw: s(o.maxWithdraw),
            inputSeq: s(o.inputSeq),
            requestId: o.requestId === null ? null : s(o.requestId),
            ...e,
          };
    };
    return {
      version: 4,
      now: s(this.ctx.now),
      accounts,
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
      seizures: [...this.seizures.keys()].sort(cmp),
      orders: this.orders().map((r) => ({
        order: order(r.order),
        status: r.status,
        dispatched: r.dispatched,
        executed: r.executed === null ? null : s(r.executed),
        doneSeq: r.doneSeq === null ? null : s(r.doneSeq),
        outcome: r.outcome,
        doneAt: r.doneAt === null ? null : s(r.doneAt),
      })),
      credits: [...this.credits.entries()]
        .sort(([x], [y]) => cmp(x, y))
        .map(([id, c]) => [id, s(c.debtRepaid), s(c.liquidator), s(c.insurance)] as [string, string, string, string]),
      deferredRequests: this.deferredRequests.map((d) => ({
        ...d,
        amount: s(d.amount),
        requestId: s(d.requestId),
        inputSeq: s(d.inputSeq),
        time: s(d.time),
      })),
      sources: this.seqs.list().map((x) => ({
        eid: x.eid,
        contiguous: s(x.contiguous),
        above: x.above.map(s),
      })),
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

  /**
   * One account of {@link snapshot}: holdings sorted by key, positions by id, each holding's
   * in-flight amounts by order id. Built in plain loops (a snapshot of a 10,000-account book is
   * 10,000 of these; the one-element lists most accounts have skip their sort).
   */
  private accountSnapshot(a: AccountState): BookSnapshot['accounts'][number] {
    const holdings: BookSnapshot['accounts'][number]['holdings'][number][] = [];
    for (const h of a.holdings.values()) {
      const pending: [string, string][] = [];
      if (h.pending !== null) {
        for (const [order, amount] of h.pending) pending.push([order, amount.toString()]);
        if (pending.length > 1) pending.sort(([x], [y]) => cmp(x, y));
      }
      holdings.push({ key: keyOf(h.asset, h.chain), qty: h.qty.toString(), seq: h.seq.toString(), pending });
    }
    if (holdings.length > 1) holdings.sort((x, y) => cmp(x.key, y.key));
    const positions: BookSnapshot['accounts'][number]['positions'][number][] = [];
    for (const [pid, p] of a.positions) {
      const seq = a.positionSeq.get(pid);
      positions.push({
        id: pid,
        seq: seq === undefined ? null : seq.toString(),
        market: p.market,
        mode: p.mode ?? 'cross',
        qty: p.qty.toString(),
        openCost: p.openCost.toString(),
        lastCumFunding: p.lastCumFunding.toString(),
        isolatedMargin: (p.isolatedMargin ?? 0n).toString(),
      });
    }
    if (positions.length > 1) positions.sort((x, y) => cmp(x.id, y.id));
    return { id: a.id, realizedPnl: a.realizedPnl.toString(), holdings, positions };
  }

  /** SHA-256 of the canonical snapshot: identical on every node that applied the same events. */
  stateHash(): string {
    return sha256Hex(this.snapshotJson());
  }

  /** Rebuilds a book from {@link snapshot} output under the same configuration. */
  static restore(config: BookConfig, snap: BookSnapshot): MarginBook {
    const book = new MarginBook(config);
    const b = (field: string, v: unknown): bigint => {
      if (typeof v !== 'string' || !/^-?(0|[1-9][0-9]*)$/.test(v))
        throw new InvalidInputError(field, 'expected a decimal string');
      return BigInt(v);
    };
    const sn = obj('snapshot', snap) as unknown as BookSnapshot;
    // version 2 (before order expiry) lacks the orders' expiry state, version 3 when they became
    // done: refused, the node replays
    if (sn.version !== 4) throw new InvalidInputError('snapshot.version', 'unsupported version');
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
        if (state.holdings.get(book.hkey(asset, chain)))
          throw new InvalidInputError(`${at}.holdings[${j}].key`, `duplicate holding ${h.key}`);
        const holding = book.addHolding(
          state,
          book.hkey(asset, chain),
          asset,
          chain,
          b(`${at}.holdings[${j}].qty`, h.qty),
          b(`${at}.holdings[${j}].seq`, h.seq),
        );
        if (h.pending.length > 0)
          holding.pending = new Map(h.pending.map(([k, v]) => [k, b(`${at}.holdings[${j}].pending`, v)]));
      });
      a.positions.forEach((p, j) => {
        const market = book.marketName(`${at}.positions[${j}].market`, p.market);
        if (p.seq !== null) state.positionSeq.set(p.id, b(`${at}.positions[${j}].seq`, p.seq));
        state.positions.set(p.id, {
          id: p.id,
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
        orderId: w.orderId,
      });
    for (const r of sn.orders) {
      const { expiry: e, ...o } = r.order;
      const expiry = e === undefined ? {} : { expiry: b('snapshot.orders.expiry', e) };
      if (e !== undefined && !book.expiryCfg)
        throw new InvalidInputError('snapshot.orders.expiry', 'an order expires but the book has no orders config');
      const order: Order =
        o.kind === 'liquidate'
          ? {
              ...o,
              amount: b('snapshot.orders.amount', o.amount),
              insuranceAmount: b('snapshot.orders.insuranceAmount', o.insuranceAmount),
              inputSeq: b('snapshot.orders.inputSeq', o.inputSeq),
              ...expiry,
            }
          : {
              ...o,
              amount: b('snapshot.orders.amount', o.amount),
              maxWithdraw: b('snapshot.orders.maxWithdraw', o.maxWithdraw),
              inputSeq: b('snapshot.orders.inputSeq', o.inputSeq),
              requestId: o.requestId === null ? null : b('snapshot.orders.requestId', o.requestId),
              ...expiry,
            };
      if (typeof r.dispatched !== 'boolean')
        throw new InvalidInputError('snapshot.orders.dispatched', 'expected a boolean');
      book.orderLog.set(order.id, {
        order,
        status: r.status,
        dispatched: r.dispatched,
        executed: r.executed === null ? null : b('snapshot.orders.executed', r.executed),
        doneSeq: r.doneSeq === null ? null : b('snapshot.orders.doneSeq', r.doneSeq),
        outcome: r.outcome,
        doneAt: r.doneAt === null ? null : b('snapshot.orders.doneAt', r.doneAt),
      });
    }
    // the done and expired orders still kept, by the end of their retention (all of a tie are
    // forgotten at once, so the order among them changes nothing)
    if (book.retention !== null)
      for (const rec of book.orderLog.values()) {
        if (rec.status === 'done' && rec.doneAt !== null) book.forgetAt.push(rec.doneAt + book.retention, rec.order.id);
        else if (rec.status === 'expired') book.forgetAt.push(book.expiredAt(rec.order) + book.retention, rec.order.id);
      }
    for (const id of sn.seizures) {
      const rec = book.orderLog.get(id);
      if (!rec || rec.order.kind !== 'liquidate')
        throw new InvalidInputError('snapshot.seizures', `seizure ${id} has no order record`);
      book.seizures.set(id, rec.order);
    }
    // the deadlines of pending, undispatched orders, in issue order (ties release in that order)
    for (const rec of book.orderLog.values())
      if (rec.status === 'pending' && !rec.dispatched && rec.order.expiry !== undefined)
        book.deadlines.push(rec.order.expiry + book.expiryCfg!.grace, rec.order.id);
    for (const [id, debtRepaid, liquidator, insurance] of sn.credits) {
      if (!book.seizures.has(id))
        throw new InvalidInputError('snapshot.credits', `credit of ${id}, which is no seizure in flight`);
      book.credits.set(id, {
        debtRepaid: b('snapshot.credits', debtRepaid),
        liquidator: b('snapshot.credits', liquidator),
        insurance: b('snapshot.credits', insurance),
      });
    }
    book.deferredRequests = sn.deferredRequests.map((d) => ({
      ...d,
      amount: b('snapshot.deferredRequests.amount', d.amount),
      requestId: b('snapshot.deferredRequests.requestId', d.requestId),
      inputSeq: b('snapshot.deferredRequests.inputSeq', d.inputSeq),
      time: b('snapshot.deferredRequests.time', d.time),
    }));
    for (const d of book.deferredRequests) book.deferredKeys.add(`w:${d.eid}:${d.requestId}`);
    book.seqs.load(
      sn.sources.map((x) => ({
        eid: x.eid,
        contiguous: b('snapshot.sources.contiguous', x.contiguous),
        above: x.above.map((y) => b('snapshot.sources.above', y)),
      })),
    );
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
    // waiting: a request whose decision expired, and one never decided that no gap holds (a price
    // it depends on was stale)
    for (const [key, w] of book.withdrawals)
      if (
        w.orderId === null
          ? VAULT_REQUEST.test(key) && !book.deferredKeys.has(key)
          : book.orderLog.get(w.orderId)?.status === 'expired'
      )
        book.redecide.add(key);
    return book;
  }

  // ------------------------------------------------------------------ chain-message internals

  /**
   * Validates a chain message completely and returns the function that applies it, so a refusal
   * happens before anything changes.
   */
  private prepare(
    eid: number,
    seq: bigint,
    inputSeq: bigint,
    time: bigint,
    account: string,
    m: Exclude<ChainMessage, { type: 'BALANCE' }>,
  ): () => Committed {
    switch (m.type) {
      case 'EXPOSURE': {
        const protocol = v.address('message.protocol', m.protocol);
        const market = this.marketName('message.market', m.market);
        const size = big('message.size', m.size, null);
        const entry = v.uint256('message.entryPrice', m.entryPrice);
        // open cost rounded up (toward +∞): a larger cost is a smaller PnL, the protocol's side
        const openCost = divCeil(size * entry, WAD);
        return () => {
          const state = this.account(account);
          const id = `${market}@${eid}:${protocol}`;
          const last = state.positionSeq.get(id);
          if (last !== undefined && last > seq)
            return { account, decision: null, note: 'older position report ignored' };
          state.positionSeq.set(id, seq); // setPosition below marks the account changed
          this.setPosition(
            state,
            id,
            market,
            size === 0n
              ? null
              : {
                  id,
                  market,
                  qty: size,
                  openCost,
                  lastCumFunding: this.ctx.markets[market]!.cumFunding,
                  mode: 'cross',
                  isolatedMargin: 0n,
                },
          );
          return { account, decision: null, note: null };
        };
      }
      case 'WITHDRAW_REQUEST': {
        const asset = this.assetOfToken(eid, m.token);
        const amount = v.uint256('message.amount', m.amount);
        if (amount === 0n) throw new InvalidInputError('message.amount', 'must be > 0');
        const requestId = v.uint64('message.requestId', m.requestId);
        const key = `w:${eid}:${requestId}`;
        if (this.withdrawals.has(key) || this.deferredRequests.some((d) => d.eid === eid && d.requestId === requestId))
          throw new InvalidInputError('message.requestId', `request ${requestId} from ${eid} is already open`);
        const token = this.tokenOf(asset, eid);
        return () => {
          // gone from the moment it is requested (the vault froze it) until it is decided
          this.inFlight(key, account, asset, eid, amount, null);
          if (this.seqs.hasGap(eid)) {
            this.deferredRequests.push({ eid, account, asset, token, amount, requestId, inputSeq, time });
            this.deferredKeys.add(key);
            return { account, decision: null, note: 'decision waits for a sequence gap to close' };
          }
          if (this.stalePricesOf(account, max(this.ctx.now, time)).length > 0) {
            // undecided (seizable) until a fresh price: the next liquidations() after it decides
            this.redecide.add(key);
            return { account, decision: null, note: 'decision waits for a fresh price' };
          }
          return {
            account,
            decision: this.decideRequest(eid, account, asset, token, amount, requestId, inputSeq, time),
            note: null,
          };
        };
      }
      case 'ORDER_ACK': {
        const id = str('message.orderId', m.orderId).toLowerCase();
        // pending, or expired and acknowledged after all (dispatched late)
        const order = this.seizures.get(id);
        const asset = this.assetOfToken(eid, m.token);
        const seized = v.uint256('message.seized', m.seized);
        const balance = v.uint256('message.balance', m.balance);
        if (m.status !== 'executed' && m.status !== 'expired')
          throw new InvalidInputError('message.status', 'expected "executed" or "expired"');
        if (m.status === 'expired' && seized !== 0n)
          throw new InvalidInputError('message.seized', 'an order acknowledged expired seizes nothing');
        const rec = this.orderLog.get(id);
        // a seizure in flight, or a withdrawal decision not yet acknowledged, that reached its
        // vault after its expiry
        if (m.status === 'expired' && rec && rec.doneSeq === null && (order || rec.order.kind === 'withdraw-decision'))
          return this.expiredAck(rec.order, account, asset, eid, balance, seq, time);
        // an order the book holds but not as a seizure in flight: acknowledged already, or a
        // withdrawal decision executed (only a WITHDRAW_DONE closes those) — refused whole, as a
        // vault never acknowledges an order twice
        if (!order && rec)
          throw new InvalidInputError('message.orderId', `order ${id} is not a seizure awaiting acknowledgement`);
        if (!order) {
          // an order this book no longer keeps (an expired seizure forgotten after the retention)
          // or never issued: the vault's balance is still its truth, so it is booked; nothing is
          // credited (a forgotten seizure's credit went with it: the account keeps the debt it
          // would have repaid and no penalty is booked, both in the protocol's favour)
          return () => {
            const state = this.account(account);
            const k = this.hkey(asset, eid);
            const note = this.setReported(state, k, asset, eid, balance, seq);
            // as for a late acknowledgement: what is still in flight never counts for more than it
            this.trimSeizures(state.holdings.get(k)!);
            this.touch(state);
            return {
              account,
              decision: null,
              note,
              warning: `acknowledgement of order ${id} (${seized} seized), which this book does not hold (forgotten after its retention, or not issued here): only the balance is booked`,
            };
          };
        }
        if (order.account !== account || order.asset !== asset || order.chain !== eid)
          throw new InvalidInputError('message', `acknowledgement does not match order ${order.id}`);
        return () => {
          const state = this.accounts.get(account)!;
          const k = this.hkey(asset, eid);
          // an expired seizure's amount is no longer in flight: nothing to take out twice
          const h = state.holdings.get(k)!;
          h.pending?.delete(order.id);
          const late = this.orderLog.get(order.id)?.status === 'expired';
          this.settleSeizure(order, seized, seq, time);
          const note = this.setReported(state, k, asset, eid, balance, seq);
          if (late) this.trimSeizures(h);
          this.touch(account);
          return { account, decision: null, note };
        };
      }
      case 'WITHDRAW_DONE': {
        const asset = this.assetOfToken(eid, m.token);
        const requestId = v.uint64('message.requestId', m.requestId);
        const key = `w:${eid}:${requestId}`;
        const w = this.withdrawals.get(key);
        if (!w || w.account !== account || w.asset !== asset)
          throw new InvalidInputError(
            'message.requestId',
            `no open withdrawal request ${requestId} of ${account} on ${eid}`,
          );
        const paid = v.uint256('message.paid', m.paid);
        const balance = v.uint256('message.balance', m.balance);
        if (!['paid', 'rejected', 'escaped'].includes(m.outcome))
          throw new InvalidInputError('message.outcome', 'expected "paid", "rejected" or "escaped"');
        return () => {
          const state = this.accounts.get(account)!;
          const k = this.hkey(asset, eid);
          state.holdings.get(k)!.pending?.delete(key);
          this.withdrawals.delete(key);
          this.redecide.delete(key);
          // an escape closes a request that may still be waiting for its decision
          this.deferredRequests = this.deferredRequests.filter((d) => !(d.eid === eid && d.requestId === requestId));
          this.deferredKeys.delete(key);
          if (w.orderId) this.closeOrder(w.orderId, paid, seq, m.outcome, time);
          const note = this.setReported(state, k, asset, eid, balance, seq);
          this.touch(account);
          return { account, decision: null, note };
        };
      }
    }
  }

  /**
   * The vault's EXPIRED acknowledgement of order `o` (delivered after its expiry, it changed
   * nothing): a seizure is released — nothing seized, its credit taken back unless its expiry in
   * the book took it already — and the account is re-planned; a withdrawal decision's request is
   * open at the vault again, frozen there, and is decided anew by the next `liquidations` (the
   * path of a decision that expired undispatched), seizable until then. The balance is booked.
   */
  private expiredAck(
    o: Order,
    account: string,
    asset: string,
    eid: number,
    balance: bigint,
    seq: bigint,
    time: bigint,
  ): () => Committed {
    if (o.account !== account || o.asset !== asset || o.chain !== eid)
      throw new InvalidInputError('message', `acknowledgement does not match order ${o.id}`);
    return () => {
      const state = this.accounts.get(account)!;
      const k = this.hkey(asset, eid);
      const h = state.holdings.get(k)!;
      const rec = this.orderLog.get(o.id)!;
      if (o.kind === 'liquidate') {
        h.pending?.delete(o.id);
        const credit = this.credits.get(o.id);
        if (credit && rec.status === 'pending') this.uncredit(state, credit);
        this.credits.delete(o.id);
        this.seizures.delete(o.id);
      } else if (o.requestId !== null) {
        const key = `w:${eid}:${o.requestId}`;
        const w = this.withdrawals.get(key);
        // only the request's latest decision reopens it: one replaced meanwhile changes nothing
        if (w && w.orderId === o.id) {
          (h.pending ??= new Map()).set(key, w.amount);
          this.redecide.add(key);
        }
      }
      const doneAt = max(time, this.ctx.now);
      this.orderLog.set(o.id, { ...rec, status: 'expired', dispatched: true, executed: 0n, doneSeq: seq, doneAt });
      if (this.retention !== null && rec.status !== 'expired')
        this.forgetAt.push(this.expiredAt(o) + this.retention, o.id);
      const note = this.setReported(state, k, asset, eid, balance, seq);
      this.touch(state);
      return { account, decision: null, note };
    };
  }

  /** Books an absolute balance reported at source `seq`, unless a newer one is already booked. */
  private setReported(
    state: AccountState,
    k: number,
    asset: string,
    chain: number,
    balance: bigint,
    seq: bigint,
  ): string | null {
    const h = state.holdings.get(k);
    if (h && h.seq > seq) return 'older balance report ignored';
    if (h) {
      h.seq = seq;
      this.setQty(state, h, balance);
    } else {
      this.addHolding(state, k, asset, chain, balance, seq);
      this.touch(state);
    }
    return null;
  }

  /** Records a consumed sequence number; when it closes a gap, decides what waited on it. */
  private markSeq(eid: number, seq: bigint, time: bigint): readonly WithdrawalDecision[] {
    return this.afterMark(eid, time, this.seqs.mark(eid, seq));
  }

  private afterMark(
    eid: number,
    time: bigint,
    { opened, closed }: { readonly opened: boolean; readonly closed: boolean },
  ): readonly WithdrawalDecision[] {
    this.advance(time);
    this.report(eid, time);
    const holders = opened || closed ? this.chainHolders.get(eid) : undefined;
    if (holders) for (const a of holders) this.touch(a); // their liquidation waits / may go ahead
    if (!closed) return NO_DECISIONS;
    const ready = this.deferredRequests.filter((d) => d.eid === eid);
    this.deferredRequests = this.deferredRequests.filter((d) => d.eid !== eid);
    const out: WithdrawalDecision[] = [];
    for (const d of ready) {
      const key = `w:${d.eid}:${d.requestId}`;
      this.deferredKeys.delete(key);
      if (this.stalePricesOf(d.account).length > 0)
        this.redecide.add(key); // waits on, for a fresh price
      else out.push(this.decideRequest(d.eid, d.account, d.asset, d.token, d.amount, d.requestId, d.inputSeq, d.time));
    }
    return out;
  }

  /** Decides a vault's withdrawal request (already in flight) and logs the decision order. */
  private decideRequest(
    eid: number,
    account: string,
    asset: string,
    token: string,
    amount: bigint,
    requestId: bigint,
    inputSeq: bigint,
    time: bigint,
  ): WithdrawalDecision {
    const key = `w:${eid}:${requestId}`;
    const w = this.withdrawals.get(key)!;
    // judged without its own in-flight amount: the question is whether it may leave
    const state = this.accounts.get(account)!;
    const h = state.holdings.get(this.hkey(asset, eid))!;
    h.pending?.delete(key);
    state.json = null;
    const d = this.decideWithdrawal(account, asset, eid, amount);
    // approved: in flight until the vault's WITHDRAW_DONE; rejected: the vault unfreezes it on
    // the decision, so it counts again at once (the request stays open until the DONE arrives)
    if (d.approved) (h.pending ??= new Map()).set(key, amount);
    const id = this.orderIdOf({
      type: 'WITHDRAW_DECISION',
      dstEid: eid,
      account,
      token,
      amount,
      recipient: account,
      inputSeq,
    });
    const decision: WithdrawalDecision = {
      kind: 'withdraw-decision',
      id,
      account,
      asset,
      chain: eid,
      token,
      amount,
      requestId,
      ...d,
      inputSeq,
      ...(this.expiryCfg ? { expiry: time + this.expiryCfg.ttl } : {}),
    };
    w.orderId = id;
    this.logOrder(decision);
    return decision;
  }

  /** The canonical withdrawal rule (the caller has the amount out of flight). */
  private decideWithdrawal(
    account: string,
    asset: string,
    chain: number,
    amount: bigint,
  ): { approved: boolean; reason: WithdrawalReason; maxWithdraw: bigint } {
    if (!this.accounts.has(account)) return { approved: false, reason: 'exceeds-balance', maxWithdraw: 0n };
    if (this.missingPrices(account).length > 0) return { approved: false, reason: 'missing-price', maxWithdraw: 0n };
    // a symbolic request cannot wait (a vault's waits for a fresh price): refused, as for a missing one
    if (this.stalePricesOf(account).length > 0) return { approved: false, reason: 'stale-price', maxWithdraw: 0n };
    const risk = evaluateExactUnchecked(this.exactAccount(account), this.ctx);
    const maxWithdraw = risk.maxWithdraw.find((w) => w.asset === asset && w.chain === chain)?.amount ?? 0n;
    if (amount <= maxWithdraw) return { approved: true, reason: 'approved', maxWithdraw };
    const h = this.accounts.get(account)!.holdings.get(this.hkey(asset, chain));
    const available = h ? h.qty - this.flight(h).out : 0n;
    return { approved: false, reason: amount > available ? 'exceeds-balance' : 'insufficient-margin', maxWithdraw };
  }

  private inFlight(
    key: string,
    account: string,
    asset: string,
    chain: number,
    amount: bigint,
    orderId: string | null,
  ): void {
    const state = this.account(account);
    const k = this.hkey(asset, chain);
    const h = state.holdings.get(k) ?? this.addHolding(state, k, asset, chain, 0n, 0n);
    (h.pending ??= new Map()).set(key, amount);
    this.withdrawals.set(key, { account, asset, chain, amount, orderId });
    this.touch(state);
  }

  /** Marks order `id` done by vault message `seq` at `time` (done at that time, or the book's if later). */
  private closeOrder(id: string, executed: bigint, seq: bigint, outcome: WithdrawOutcome | null, time: bigint): void {
    const rec = this.orderLog.get(id);
    if (!rec) return;
    const doneAt = time > this.ctx.now ? time : this.ctx.now;
    this.orderLog.set(id, { ...rec, status: 'done', executed, doneSeq: seq, outcome, doneAt });
    if (this.retention !== null) this.forgetAt.push(doneAt + this.retention, id);
  }

  /**
   * Forgets every done order kept more than `retention` past the moment it became done, and every
   * expired one more than `retention` past its deadline (expiry + grace), with what the book kept
   * for its late acknowledgement (the seizure and its credit).
   */
  private forgetDone(): void {
    const now = this.ctx.now;
    while (this.forgetAt.size > 0 && this.forgetAt.peek() < now) {
      const at = this.forgetAt.peek();
      const id = this.forgetAt.pop();
      const rec = this.orderLog.get(id);
      // each moment forgets the record only in the state it was filed for: an expired seizure
      // acknowledged late is done since, and kept for the retention from then
      if (rec?.status === 'done' && rec.doneAt !== null && rec.doneAt + this.retention! === at)
        this.orderLog.delete(id);
      else if (rec?.status === 'expired' && this.expiredAt(rec.order) + this.retention! === at) {
        this.orderLog.delete(id);
        this.seizures.delete(id);
        this.credits.delete(id);
      }
    }
  }

  /** Logs a new order as pending and, with expiry, files its deadline. */
  private logOrder(order: Order): void {
    this.orderLog.set(order.id, {
      order,
      status: 'pending',
      dispatched: false,
      executed: null,
      doneSeq: null,
      outcome: null,
      doneAt: null,
    });
    if (order.expiry !== undefined) this.deadlines.push(order.expiry + this.expiryCfg!.grace, order.id);
  }

  /**
   * Closes a seizure the vault acknowledged (`seized` base units really taken). With expiry, each
   * seizure ends up credited once for what it really took, pro rata (rounded down): one that had
   * expired had its credit taken back and gets that part again; one that took less than ordered
   * (a re-planned order whose collateral a late one took first) gives back the rest.
   */
  private settleSeizure(order: SeizureOrder, seized: bigint, seq: bigint, time: bigint): void {
    const credit = this.credits.get(order.id);
    if (credit) {
      const part = (x: bigint) => (order.amount === 0n ? 0n : (x * min(seized, order.amount)) / order.amount);
      const account = this.accounts.get(order.account)!;
      account.json = null;
      if (this.orderLog.get(order.id)?.status === 'expired') {
        account.realizedPnl += part(credit.debtRepaid);
        this.penaltiesToLiquidators += part(credit.liquidator);
        this.penaltiesToInsurance += part(credit.insurance);
        this.insuranceFund += part(credit.insurance);
      } else if (seized < order.amount) {
        this.uncredit(account, {
          debtRepaid: credit.debtRepaid - part(credit.debtRepaid),
          liquidator: credit.liquidator - part(credit.liquidator),
          insurance: credit.insurance - part(credit.insurance),
        });
      }
    }
    this.credits.delete(order.id);
    this.seizures.delete(order.id);
    this.closeOrder(order.id, seized, seq, null, time);
  }

  /**
   * Takes back a seizure's credit: the account owes the debt again (as realized loss), and the
   * penalty leaves the liquidators' total and the insurance fund (a fund that has paid it out
   * since books the shortfall as socialized loss).
   */
  private uncredit(account: AccountState, c: SeizureCredit): void {
    account.realizedPnl -= c.debtRepaid;
    account.json = null;
    this.penaltiesToLiquidators -= c.liquidator;
    this.penaltiesToInsurance -= c.insurance;
    const fromFund = min(this.insuranceFund, c.insurance);
    this.insuranceFund -= fromFund;
    this.socializedLoss += c.insurance - fromFund;
  }

  /**
   * After a vault's balance is booked: seizures still in flight on the holding never count for
   * more than the balance (a vault seizes at most what is there). Only a late acknowledgement of
   * an expired seizure can leave more in flight — the re-planned orders for the same collateral —
   * and those are trimmed, newest first; their acknowledgements true their credit up.
   */
  private trimSeizures(h: Holding): void {
    if (!h.pending) return;
    let excess = this.flight(h).committed - max(h.qty, 0n);
    if (excess <= 0n) return;
    for (const [id, amount] of [...h.pending.entries()].reverse()) {
      if (excess <= 0n) break;
      if (!this.seizures.has(id)) continue;
      const cut = min(amount, excess);
      h.pending.set(id, amount - cut);
      excess -= cut;
    }
  }

  /**
   * Expires every pending, undispatched order whose deadline (expiry + grace) the book's time has
   * passed, earliest first.
   */
  private expireDue(): void {
    const now = this.ctx.now;
    while (this.deadlines.size > 0 && this.deadlines.peek() < now) {
      const rec = this.orderLog.get(this.deadlines.pop());
      if (rec && rec.status === 'pending' && !rec.dispatched) this.expire(rec);
    }
  }

  /**
   * An order the hub can no longer dispatch: what it held in flight counts again and the account
   * is re-evaluated (a liquidation still needed is planned again, under new order ids).
   *
   * A seizure's booking is undone as far as it credited the account: the debt its value was to
   * repay is owed again (as realized loss — at the plan's prices the same value as the negative
   * balances it may have repaid), and its penalty leaves the insurance fund and the liquidators'
   * total (a fund that has paid it out since books the shortfall as socialized loss). The closes
   * of its plan stand, and the rate-limit budget it used stays used for its window. A withdrawal
   * decision never reached the vault, whose request is still open with its amount frozen: the
   * amount stays in flight and the next `liquidations` decides the request again (a WITHDRAW_DONE
   * meanwhile — an escape — closes it).
   */
  private expire(rec: OrderRecord): void {
    const o = rec.order;
    const state = this.accounts.get(o.account)!;
    const h = state.holdings.get(this.hkey(o.asset, o.chain));
    if (o.kind === 'liquidate') {
      h?.pending?.delete(o.id);
      const c = this.credits.get(o.id);
      if (c) this.uncredit(state, c);
    } else if (o.requestId !== null) {
      // the vault never got the decision: the request is open and its amount frozen there again —
      // in flight, as from the request, until it is decided anew
      const key = `w:${o.chain}:${o.requestId}`;
      const w = this.withdrawals.get(key);
      if (w && w.orderId === o.id && h) {
        (h.pending ??= new Map()).set(key, w.amount);
        this.redecide.add(key);
      }
    }
    this.orderLog.set(o.id, { ...rec, status: 'expired' });
    if (this.retention !== null) this.forgetAt.push(this.expiredAt(o) + this.retention, o.id);
    this.touch(state);
  }

  /** When an order that expires turns expired in the book: past its expiry plus the grace. */
  private expiredAt(o: Order): bigint {
    return o.expiry! + this.expiryCfg!.grace;
  }

  /** Why a decision about `account` must wait, or null. */
  private deferReason(account: string): DeferReason | null {
    if (this.missingPrices(account).length > 0) return 'missing-price';
    if (this.stalePricesOf(account).length > 0) return 'stale-price';
    const s = this.accounts.get(account);
    if (s) for (const c of s.inChains) if (this.seqs.hasGap(c)) return 'sequence-gap';
    return null;
  }

  private assetOfToken(eid: number, token: unknown): string {
    return this.tokenOn(eid, token).asset;
  }

  /** The asset (and holding key) a vault's token is on chain `eid`; configured tokens are found as sent. */
  private tokenOn(eid: number, token: unknown): TokenEntry {
    const byToken = this.tokensByEid.get(eid);
    // configured tokens are stored lower-case and valid, so a hit needs no further check
    const hit = typeof token === 'string' ? byToken?.get(token) : undefined;
    if (hit !== undefined) return hit;
    const t = v.address('message.token', token);
    const found = byToken?.get(t);
    if (found === undefined)
      throw new InvalidInputError('message.token', `token ${t} is not collateral on chain ${eid}`);
    return found;
  }

  private tokenOf(asset: string, chain: number): string {
    return this.assetToken.get(`${asset}@${chain}`) ?? asset;
  }

  // ------------------------------------------------------------------ internals

  private account(id: string): AccountState {
    let s = this.accounts.get(id);
    if (!s) {
      this.accounts.set(
        id,
        (s = {
          id,
          address: undefined,
          inAssets: [],
          inChains: [],
          inMarkets: [],
          ix: this.ticks.add(),
          dirty: false,
          idleSince: null,
          marketUnits: null,
          holdings: new Holdings(),
          positions: new Map(),
          positionSeq: new Map(),
          realizedPnl: 0n,
          json: null,
        }),
      );
      this.byIx.push(s);
      this.sortedIds = null;
    }
    return s;
  }

  /**
   * Files a new holding and indexes the account under its asset and chain. Holdings are never
   * removed, so an existing holding means the account is indexed already: a repeated event
   * touches neither the index nor the shared sets.
   */
  private addHolding(state: AccountState, k: number, asset: string, chain: number, qty: bigint, seq: bigint): Holding {
    const h: Holding = { asset, chain, qty, seq, pending: null };
    state.holdings.add(k, h);
    state.json = null;
    this.index(this.assetHolders, state.inAssets, asset, state);
    this.index(this.chainHolders, state.inChains, chain, state);
    return h;
  }

  /**
   * Sets a holding's confirmed balance. The account is re-evaluated exactly unless its slack
   * proves it stays above maintenance: a balance that grows never lowers the margin (weighted
   * value is nondecreasing in the quantity, debt nonincreasing), and one that shrinks by Δ base
   * units lowers it by at most Δ × price × max(weight, 1) — the bound a price tick uses. Then the
   * slack takes the decrement and the holding's tick input follows, and no exact evaluation runs.
   */
  private setQty(state: AccountState, h: Holding, qty: bigint): void {
    const before = h.qty;
    h.qty = qty;
    state.json = null;
    if (state.dirty) return;
    const j = state.ix;
    const s = this.ticks.slack[j]!;
    if (!(s > 0) || !this.prices.has(h.asset)) {
      this.touch(state);
      return;
    }
    const ai = this.assetIds.get(h.asset)!;
    let t = s - 1e-9;
    if (qty < before) {
      const a = this.floatAsset(ai);
      t -=
        (Number(before - qty) / 10 ** this.ctx.assets[h.asset]!.decimals) *
        a.price *
        Math.max(1, a.maintenanceWeight) *
        (1 + 1e-9);
    }
    if (!(t >= 0)) {
      this.touch(state);
      return;
    }
    this.ticks.slack[j] = t;
    this.takeAssetUnits(state, ai);
  }

  /**
   * Sets (or with `p` null removes) a position. Like {@link setQty}, the account is re-evaluated
   * exactly unless its slack proves it stays above maintenance: a cross position moves the margin
   * by the change of its PnL less maintenance margin, figured in float on both sides, each with an
   * allowance of 10⁻⁹ of the magnitudes it adds up (far above float and integer rounding), in a
   * market that has a mark.
   */
  private setPosition(state: AccountState, id: string, market: string, p: ExactPosition | null): void {
    const old = state.positions.get(id);
    if (p === null) state.positions.delete(id);
    else state.positions.set(id, p);
    state.json = null;
    this.index(this.marketHolders, state.inMarkets, market, state);
    if (state.dirty) return;
    const j = state.ix;
    const s = this.ticks.slack[j]!;
    if (
      !(s > 0) ||
      (p !== null && ((p.mode ?? 'cross') !== 'cross' || this.marketState.get(p.market)!.mark === null)) ||
      (old !== undefined && (old.mode ?? 'cross') !== 'cross')
    ) {
      this.touch(state);
      return;
    }
    const t = s + this.crossTermFloat(p, -1) - this.crossTermFloat(old ?? null, 1) - 1e-9;
    if (!(t >= 0)) {
      this.touch(state);
      return;
    }
    this.ticks.slack[j] = t;
    this.takeUnits(state);
  }

  /**
   * A cross position's unsettled PnL less its maintenance margin, in float USD, moved by 10⁻⁹ of
   * the magnitudes summed towards `side` (−1: a value the exact one is at least; +1: at most).
   * 0 for no position.
   */
  private crossTermFloat(p: ExactPosition | null | undefined, side: 1 | -1): number {
    if (!p) return 0;
    const m = this.ctx.markets[p.market]!;
    const fm = floatMarket(m);
    const qty = Number(p.qty) / 1e18;
    const notional = Math.abs(qty) * fm.mark;
    const mm = maintenanceFloat(notional, fm) * fm.scale;
    const funding = qty * (Number(m.cumFunding - p.lastCumFunding) / 1e18);
    const cost = Number(p.openCost) / 1e18;
    const value = qty * fm.mark - funding - cost - mm;
    return value + side * (1e-9 * (notional + Math.abs(funding) + Math.abs(cost) + mm) + 1e-9);
  }

  /**
   * A lower bound (USD, float) of the account's margin above maintenance — weighted collateral +
   * PnL − (debt + MM), the quantity whose sign decides liquidation: the float twin of the exact
   * evaluation, less 10⁻⁹ of every magnitude it sums (float64 is good to ~10⁻¹⁵ relative, the
   * exact path rounds by ≤ 10⁻¹⁸ per term: six orders of magnitude of room, the fast screen's
   * tolerance). NaN when only the exact path can tell: an isolated position, a missing price.
   */
  private marginFloor(st: AccountState): number {
    const pos = this.floatPos;
    const neg = this.floatNeg;
    pos.fill(0);
    neg.fill(0);
    const now = this.ctx.now;
    for (const h of st.holdings.values()) {
      const pending = h.pending ? this.flight(h).out : 0n;
      const eff = h.qty - pending;
      if (h.qty === 0n && pending === 0n) continue;
      if (!this.prices.has(h.asset)) return NaN;
      if (eff === 0n) continue;
      const i = this.assetIds.get(h.asset)!;
      const unit = 10 ** this.ctx.assets[h.asset]!.decimals;
      if (eff > 0n) {
        const chain = this.ctx.chains[h.chain]!;
        const s = staleFactor(chain, now);
        pos[i] = pos[i]! + (Number(eff) / unit) * (s === WAD ? 1 : Number(s) / 1e18);
      } else neg[i] = neg[i]! + Number(-eff) / unit;
    }
    let wc = 0;
    let debt = 0;
    for (let i = 0; i < pos.length; i++) {
      if (pos[i] === 0 && neg[i] === 0) continue;
      const a = this.floatAsset(i);
      if (pos[i]! > 0) wc += weightedValueFloat(pos[i]!, a, a.maintenanceWeight);
      debt += neg[i]! * a.price;
    }
    const realized = Number(st.realizedPnl) / 1e18;
    let floor = wc + realized - debt - (1e-9 * (wc + debt + Math.abs(realized)) + 1e-9);
    for (const p of st.positions.values()) {
      if ((p.mode ?? 'cross') !== 'cross' || this.marketState.get(p.market)!.mark === null) return NaN;
      floor += this.crossTermFloat(p, -1);
    }
    return floor;
  }

  /** Float parameters of the asset at index `i`, cached per (immutable) exact parameter object. */
  private floatAsset(i: number): AssetParams {
    const exact = this.ctx.assets[this.assetNames[i]!]!;
    let f = this.floatAssets.get(exact);
    if (!f) {
      f = {
        price: Number(exact.price) / 1e18,
        initialWeight: Number(exact.initialWeight) / 1e18,
        maintenanceWeight: Number(exact.maintenanceWeight) / 1e18,
        cap: exact.cap === undefined || exact.cap === null ? null : Number(exact.cap) / 1e18,
        discountFactor: Number(exact.discountFactor ?? 0n) / 1e18,
        discountK: Number(exact.discountK ?? DEFAULT_DISCOUNT_K) / 1e18,
      };
      this.floatAssets.set(exact, f);
    }
    return f;
  }

  /** The tick inputs of one asset (see {@link takeUnits}), after a change to one of its holdings. */
  private takeAssetUnits(st: AccountState, assetId: number): void {
    const j = st.ix;
    let pos = 0;
    let neg = 0;
    for (const h of st.holdings.values()) {
      if (this.assetIds.get(h.asset) !== assetId) continue;
      const eff = h.pending ? h.qty - this.flight(h).out : h.qty;
      if (eff > 0n) {
        const sf = staleFactor(this.ctx.chains[h.chain]!, this.ctx.now);
        pos += sf === WAD ? Number(eff) : Number(eff) * (Number(sf) / 1e18);
      } else if (eff < 0n) neg += Number(-eff);
    }
    this.ticks.assetPos[assetId]![j] = pos;
    this.ticks.assetNeg[assetId]![j] = neg;
  }

  /**
   * Takes the float inputs of the account's slack changes from its holdings and positions now
   * (every change to a holding, a position, a pending amount or a chain's staleness touches the
   * account, and its next evaluation takes them again).
   */
  private takeUnits(st: AccountState): void {
    const j = st.ix;
    for (let a = 0; a < this.assetNames.length; a++) {
      this.ticks.assetPos[a]![j] = 0;
      this.ticks.assetNeg[a]![j] = 0;
    }
    for (const h of st.holdings.values()) {
      const a = this.assetIds.get(h.asset)!;
      if (this.ticks.assetPos[a]![j] === 0 && this.ticks.assetNeg[a]![j] === 0) this.takeAssetUnits(st, a);
    }
    const mu = (st.marketUnits ??= Array.from({ length: this.marketIds.size }, () => []));
    for (const list of mu) list.length = 0;
    for (const p of st.positions.values()) mu[this.marketIds.get(p.market)!]!.push(Number(p.qty) / 1e18);
    mu.forEach(
      (list, i) => (this.ticks.marketUnits[i]![j] = list.length === 0 ? 0 : list.length === 1 ? list[0]! : NaN),
    );
  }

  /** Small-integer key of (asset, chain): stays a V8 Smi, so no number is allocated per event. */
  private hkey(asset: string, chain: number): number {
    return this.assetIds.get(asset)! * 65536 + this.chainSlots.get(chain)!;
  }

  /** Marks an account for re-evaluation. */
  private touch(account: string | AccountState): void {
    const s = typeof account === 'string' ? this.accounts.get(account) : account;
    if (s) {
      s.idleSince = null;
      s.json = null;
    }
    if (s && !s.dirty) {
      s.dirty = true;
      this.ticks.dirty[s.ix] = 1;
      this.dirtyList.push(s);
    }
  }

  private index<K extends string | number>(idx: Map<K, AccountState[]>, mine: K[], key: K, st: AccountState): void {
    // the account's own short list keeps the shared list free of duplicates
    if (mine.includes(key)) return;
    mine.push(key);
    let list = idx.get(key);
    if (list) list.push(st);
    else idx.set(key, (list = [st]));
    if (idx === (this.chainHolders as Map<K, AccountState[]>)) return; // ticks walk assets' and markets' lists only
    let ix = this.holderIx.get(list);
    if (!ix) this.holderIx.set(list, (ix = { a: new Int32Array(16), n: 0 }));
    if (ix.n === ix.a.length) {
      const a = new Int32Array(ix.n * 2);
      a.set(ix.a);
      ix.a = a;
    }
    ix.a[ix.n++] = st.ix;
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

  /** Assets the account holds whose price is stale at `at` (the book's time), each once. */
  private stalePricesOf(account: string, at = this.ctx.now): string[] {
    const s = this.accounts.get(account);
    return s ? this.priceAge.staleHeld(s.holdings.values(), this.prices, at) : [];
  }

  /** A holding's in-flight amounts as margin and the planner read them (see flight.ts). */
  private flight(h: Holding): Flight {
    return h.pending === null ? NO_FLIGHT : flightOf(h.qty, h.pending, this.undecided);
  }

  /** Moves the book's clock (event time never goes back) and re-judges chains turning stale. */
  private advance(time: bigint): void {
    if (time <= this.ctx.now) return;
    this.ctx.now = time;
    // orders expire only once the time passes their deadline: most events skip this
    if (this.deadlines.size > 0 && this.deadlines.peek() < time) this.expireDue();
    if (this.forgetAt.size > 0 && this.forgetAt.peek() < time) this.forgetDone();
    // Time alone only turns fresh chains stale, at lastReportAt + staleAfter: before the earliest
    // such moment no chain can change, so most events skip the loop.
    if (time < this.nextStale) return;
    let next = NEVER;
    for (const chain of this.chainIds) {
      this.restale(chain);
      const c = this.ctx.chains[chain]!;
      const at = c.lastReportAt + c.staleAfter;
      if (at > time && at < next) next = at;
    }
    this.nextStale = next;
  }

  private report(chain: number, time: bigint): void {
    const last = this.lastReport.get(chain);
    if (last !== undefined && time <= last) return;
    this.lastReport.set(chain, time);
    const c = (this.ctx.chains[chain] = { ...this.ctx.chains[chain]!, lastReportAt: time });
    this.restale(chain);
    const at = time + c.staleAfter;
    if (at > this.ctx.now && at < this.nextStale) this.nextStale = at;
  }

  private restale(chain: number): void {
    const stale = staleFactor(this.ctx.chains[chain]!, this.ctx.now) !== WAD;
    if (this.staleNow.get(chain) === stale) return;
    this.staleNow.set(chain, stale);
    const holders = this.chainHolders.get(chain);
    if (holders) for (const a of holders) this.touch(a);
  }

  /** The current rate-limit window (−1 without rate limits). */
  private windowNow(): bigint {
    const rl = this.config.rateLimits;
    return rl ? this.ctx.now / rl.window : -1n;
  }

  private rollWindow(): void {
    if (!this.config.rateLimits) return;
    const w = this.windowNow();
    if (w !== this.window) {
      this.window = w;
      this.usedMarket.clear();
      this.usedChain.clear();
    }
  }
}

/** {@link MarginBook.snapshot} output. */
type Str<T> = {
  readonly [K in keyof T]: T[K] extends bigint
    ? string
    : T[K] extends bigint | null
      ? string | null
      : T[K] extends bigint | undefined
        ? string | undefined
        : T[K];
};

export interface BookSnapshot {
  readonly version: 4;
  readonly now: string;
  readonly accounts: ReadonlyArray<{
    readonly id: string;
    readonly realizedPnl: string;
    readonly holdings: ReadonlyArray<{
      readonly key: string;
      readonly qty: string;
      readonly seq: string;
      readonly pending: ReadonlyArray<[string, string]>;
    }>;
    readonly positions: ReadonlyArray<{
      readonly id: string;
      readonly seq: string | null;
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
    readonly orderId: string | null;
  }>;
  /** Ids of seizures in flight (their orders are in `orders`). */
  readonly seizures: readonly string[];
  readonly orders: ReadonlyArray<{
    readonly order: Str<SeizureOrder> | Str<WithdrawalDecision>;
    readonly status: OrderRecord['status'];
    readonly dispatched: boolean;
    readonly executed: string | null;
    readonly doneSeq: string | null;
    readonly doneAt: string | null;
    readonly outcome: WithdrawOutcome | null;
  }>;
  readonly deferredRequests: ReadonlyArray<{
    readonly eid: number;
    readonly account: string;
    readonly asset: string;
    readonly token: string;
    readonly amount: string;
    readonly requestId: string;
    readonly inputSeq: string;
    readonly time: string;
  }>;
  /** What each seizure not yet acknowledged credited: [id, debt repaid, liquidator, insurance] (with expiry only). */
  readonly credits: ReadonlyArray<[string, string, string, string]>;
  readonly sources: ReadonlyArray<{
    readonly eid: number;
    readonly contiguous: string;
    readonly above: readonly string[];
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

/** One holding in {@link AccountView}. */
export interface HoldingView {
  readonly asset: string;
  readonly chain: number;
  readonly token: string;
  /** Confirmed balance, base units (negative = debt). */
  readonly balance: bigint;
  /**
   * In flight out, base units: seizures ordered, withdrawals approved, and the requests not yet
   * decided that those leave standing (margin never counts any of it).
   */
  readonly pending: bigint;
  /**
   * What a liquidation may seize now, base units: balance − seizures ordered − withdrawals
   * approved and not yet done, at least 0 (requests not yet decided are seizable: the vault
   * shrinks them).
   */
  readonly seizable: bigint;
  /** Last oracle price (WAD USD), null before the first. */
  readonly price: bigint | null;
  /** balance × price, WAD USD, rounded down (0 without a price). */
  readonly value: bigint;
}

/** {@link MarginBook.accountView}: an account as an API shows it. */
export interface AccountView extends Omit<ExactAccountRisk, 'positions'> {
  readonly account: string;
  readonly holdings: readonly HoldingView[];
  readonly positions: ReadonlyArray<
    ExactAccountRisk['positions'][number] & { readonly id: string; readonly qty: bigint; readonly openCost: bigint }
  >;
  readonly missingPrices: readonly string[];
  /** Held assets whose price is older than their `maxPriceAge`: approvals and liquidations wait. */
  readonly stalePrices: readonly string[];
  readonly deferred: DeferReason | null;
}
