// The engine's own vocabulary. Plain strings, numbers and bigints: the engine imports no other
// workspace package, so the node translates wire types (protocol) into these at its edge.

/** A lower-case 0x-prefixed 20-byte hex address. */
export type Address = string;
/** A lower-case 0x-prefixed 32-byte hex order id. */
export type OrderId = string;

/** One collateral asset and the token that represents it on each chain. */
export interface AssetConfig {
  /** Price key, e.g. `WETH`; prices arrive per symbol. */
  readonly symbol: string;
  /** Decimals of the token's base units on every chain (the skeleton assumes one value). */
  readonly decimals: number;
  readonly tokens: ReadonlyArray<{ readonly eid: number; readonly token: Address }>;
}

/** The fields an order id is derived from (the node hashes them with `liquidationOrderId`). */
export interface LiquidationFields {
  readonly dstEid: number;
  readonly account: Address;
  readonly token: Address;
  readonly amount: bigint;
  readonly recipient: Address;
  readonly inputSeq: bigint;
}

/** Derives the deterministic id of an order; must be a pure function of its fields. */
export type OrderIdFn = (fields: LiquidationFields) => OrderId;

export interface BookConfig {
  readonly assets: ReadonlyArray<AssetConfig>;
  /** Where seized collateral goes (liquidator or insurance fund). */
  readonly liquidationRecipient: Address;
  /** Injected so the engine stays free of hashing libraries (keccak lives in protocol). */
  readonly orderId: OrderIdFn;
}

/** A vault's report of an account's new absolute balance of a token. */
export interface BalanceReport {
  readonly eid: number;
  readonly account: Address;
  readonly token: Address;
  readonly balance: bigint;
  readonly seq: bigint;
}

/** An integrated protocol's report of an account's exposure (USD, 18 decimals), via a vault. */
export interface ExposureReport {
  readonly eid: number;
  readonly account: Address;
  readonly protocol: Address;
  readonly exposure: bigint;
  readonly seq: bigint;
}

/** A vault's acknowledgement of a liquidation order: what it really seized and the new balance. */
export interface OrderAckReport {
  readonly eid: number;
  readonly orderId: OrderId;
  readonly account: Address;
  readonly token: Address;
  readonly seized: bigint;
  readonly balance: bigint;
  readonly seq: bigint;
}

/** An oracle price: USD per whole unit of `asset`, 18-decimal fixed point. */
export interface PriceUpdate {
  readonly asset: string;
  readonly price: bigint;
  readonly publishTime: bigint;
}

/** A detected hole in a source chain's sequence (reported, not fatal in the skeleton). */
export interface SeqGap {
  readonly eid: number;
  readonly expected: bigint;
  readonly received: bigint;
}

/** Outcome of applying a chain report. A replay (seq ≤ last applied for its eid) changes nothing. */
export type ReportResult =
  | { readonly applied: true; readonly account: Address; readonly gap: SeqGap | null }
  | { readonly applied: false; readonly reason: 'replay'; readonly lastSeq: bigint };

/** Outcome of an acknowledgement; `order` is null when the id is not one this book issued. */
export type AckResult =
  | {
      readonly applied: true;
      readonly account: Address;
      readonly gap: SeqGap | null;
      readonly order: OrderRecord | null;
    }
  | { readonly applied: false; readonly reason: 'replay'; readonly lastSeq: bigint };

/** Outcome of a price; `holders` are the accounts whose collateral value it changes. */
export type PriceResult =
  | { readonly applied: true; readonly holders: readonly Address[] }
  | { readonly applied: false; readonly reason: 'stale'; readonly lastPublishTime: bigint };

/** A decision to seize `amount` of `token` on chain `dstEid` from `account`. */
export interface LiquidateAction extends LiquidationFields {
  readonly kind: 'LIQUIDATE';
  readonly orderId: OrderId;
}

export type OrderStatus = 'pending' | 'acknowledged';

/** An order the book issued, and what became of it. */
export interface OrderRecord extends LiquidateAction {
  readonly status: OrderStatus;
  /** What the vault really seized (set on acknowledgement). */
  readonly seized: bigint | null;
  /** Source sequence of the acknowledgement. */
  readonly ackSeq: bigint | null;
}

/** Why a holding counts as zero collateral. */
export type UnvaluedReason = 'unknown-token' | 'missing-price';

export interface HoldingView {
  readonly eid: number;
  readonly token: Address;
  /** Asset symbol, null for a token that is not configured collateral. */
  readonly symbol: string | null;
  readonly balance: bigint;
  /** Seizures ordered but not yet acknowledged. */
  readonly pending: bigint;
  /** USD value (18 decimals), rounded down; 0 when `unvalued` is set. */
  readonly value: bigint;
  readonly unvalued: UnvaluedReason | null;
}

export interface ExposureView {
  readonly eid: number;
  readonly protocol: Address;
  readonly exposure: bigint;
}

export interface AccountView {
  readonly account: Address;
  /** Sorted by eid, then token. */
  readonly holdings: readonly HoldingView[];
  readonly exposures: readonly ExposureView[];
  /** Σ of the latest exposure per (eid, protocol), USD 18 decimals. */
  readonly exposure: bigint;
  /** Σ of holding values, each rounded down. */
  readonly value: bigint;
  /** exposure > 0 and value < exposure (with unvalued holdings counted as zero). */
  readonly liquidatable: boolean;
  /** Configured assets the account holds for which no price has been applied yet. */
  readonly missingPrices: readonly string[];
}

/** Outcome of evaluating an account after an input. */
export interface Evaluation {
  readonly account: Address;
  readonly value: bigint;
  readonly exposure: bigint;
  readonly liquidatable: boolean;
  /**
   * Set when a liquidatable account is left alone because an asset it holds has no price yet:
   * its value is then a lower bound, and seizing on a price-feed gap would punish the account
   * for missing data. The decision is taken on the first input after the price arrives.
   */
  readonly deferred: { readonly reason: 'missing-price'; readonly assets: readonly string[] } | null;
  /** New actions only (already-pending seizures are not repeated), sorted by eid then token. */
  readonly actions: readonly LiquidateAction[];
}
