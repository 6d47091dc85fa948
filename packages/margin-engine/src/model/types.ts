// The risk model's inputs and outputs, in two flavours with the same field names: the canonical
// one (bigint, 18-decimal fixed point, exact and deterministic — decisions that move money) and
// the float one (number, whole units — screening, dashboards, what-ifs).

import type { Exponent } from '../fixed.js';

export type MarginMode = 'cross' | 'isolated';

// ---------------------------------------------------------------- canonical (bigint) inputs

/**
 * A collateral asset. Prices and ratios are WAD (10^18 = 1.0); `cap` is in WAD whole units.
 * Initial weight ≤ maintenance weight (the initial requirement is the stricter one).
 */
export interface ExactAssetParams {
  /** USD per whole unit, WAD. */
  readonly price: bigint;
  /** Decimals of the base units balances are reported in. */
  readonly decimals: number;
  readonly initialWeight: bigint;
  readonly maintenanceWeight: bigint;
  /** Largest quantity (WAD whole units) that counts as collateral; null = no cap. */
  readonly cap?: bigint | null;
  /** Size discount: weight = min(baseWeight, k / (1 + factor × value^(4/5))); factor 0 = none. */
  readonly discountFactor?: bigint;
  /** k of the size discount, WAD; 1.2 by default. */
  readonly discountK?: bigint;
}

/** A perpetual market. Ratios WAD; `exponent` defaults to 4/5; `volScale` (≥ 1, WAD) from volatility. */
export interface ExactMarketParams {
  readonly markPrice: bigint;
  readonly cumFunding: bigint;
  readonly baseIMR: bigint;
  readonly baseMMR: bigint;
  readonly imrFactor: bigint;
  readonly exponent?: Exponent;
  /** Max leverage in WAD (10x = 10n * WAD); IMR ≥ 1 / maxLeverage. */
  readonly maxLeverage: bigint;
  readonly volScale?: bigint;
}

/** A chain's liveness: collateral counts at `staleWeight` once its last report is `staleAfter` old. */
export interface ExactChainParams {
  /** Block time (seconds) of the chain's last confirmed report. */
  readonly lastReportAt: bigint;
  readonly staleAfter: bigint;
  readonly staleWeight: bigint;
}

export interface ExactContext {
  readonly assets: Readonly<Record<string, ExactAssetParams>>;
  readonly markets: Readonly<Record<string, ExactMarketParams>>;
  readonly chains: Readonly<Record<number, ExactChainParams>>;
  /** Event time (seconds) the account is judged at; the engine has no clock. */
  readonly now: bigint;
}

/** A balance of `asset` on `chain`, in base units; negative = debt. `pending` = in flight out. */
export interface ExactCollateral {
  readonly asset: string;
  readonly chain: number;
  readonly qty: bigint;
  /** Withdrawals and seizures requested but not acknowledged (≥ 0): gone from the moment asked. */
  readonly pending?: bigint;
  /**
   * The part of `pending` a seizure may still take (0 ≤ reclaimable ≤ pending): withdrawal
   * requests the vault holds frozen but nobody approved, which a LIQUIDATE shrinks once the
   * unfrozen balance is gone. Margin never counts it; the planner may seize it.
   */
  readonly reclaimable?: bigint;
}

/** A perp position: qty WAD (signed), openCost WAD USD (signed, qty × entry). */
export interface ExactPosition {
  readonly market: string;
  readonly qty: bigint;
  readonly openCost: bigint;
  readonly lastCumFunding: bigint;
  readonly mode?: MarginMode;
  /** Margin of an isolated position, WAD USD. */
  readonly isolatedMargin?: bigint;
  /** Opaque key a book files the position under (venue, mode); carried through plans unchanged. */
  readonly id?: string;
}

export interface ExactAccount {
  readonly collateral: readonly ExactCollateral[];
  readonly positions: readonly ExactPosition[];
  /**
   * Realized PnL (WAD USD, signed) booked by the clearinghouse but not yet settled on a chain
   * (closed positions, liquidation proceeds): counts like unsettled PnL, at full value.
   */
  readonly realizedPnl?: bigint;
}

// ---------------------------------------------------------------- float inputs

export interface AssetParams {
  readonly price: number;
  readonly initialWeight: number;
  readonly maintenanceWeight: number;
  readonly cap?: number | null;
  readonly discountFactor?: number;
  readonly discountK?: number;
}

export interface MarketParams {
  readonly markPrice: number;
  readonly cumFunding: number;
  readonly baseIMR: number;
  readonly baseMMR: number;
  readonly imrFactor: number;
  /** 0.8 by default. */
  readonly exponent?: number;
  readonly maxLeverage: number;
  readonly volScale?: number;
}

export interface ChainParams {
  readonly lastReportAt: number;
  readonly staleAfter: number;
  readonly staleWeight: number;
}

export interface RiskContext {
  readonly assets: Readonly<Record<string, AssetParams>>;
  readonly markets: Readonly<Record<string, MarketParams>>;
  readonly chains: Readonly<Record<number, ChainParams>>;
  readonly now: number;
}

/** Whole units (e.g. 1.5 WETH), negative = debt. */
export interface Collateral {
  readonly asset: string;
  readonly chain: number;
  readonly qty: number;
  readonly pending?: number;
}

export interface Position {
  readonly market: string;
  readonly qty: number;
  readonly openCost: number;
  readonly lastCumFunding: number;
  readonly mode?: MarginMode;
  readonly isolatedMargin?: number;
}

export interface Account {
  readonly collateral: readonly Collateral[];
  readonly positions: readonly Position[];
  readonly realizedPnl?: number;
}

// ---------------------------------------------------------------- outputs

/** Per-position figures (T = bigint on the canonical path, number on the float path). */
export interface PositionRisk<T> {
  readonly market: string;
  readonly mode: MarginMode;
  readonly notional: T;
  readonly imr: T;
  readonly mmr: T;
  readonly initialMargin: T;
  readonly maintenanceMargin: T;
  readonly unsettledPnl: T;
  /**
   * Long: the highest mark at which the account (or the isolated position) is liquidatable;
   * short: the lowest. Null when no positive mark price liquidates it.
   */
  readonly liquidationPrice: T | null;
  /** Isolated only: isolatedMargin + unsettled PnL, and whether it is below maintenance. */
  readonly isolatedEquity: T | null;
  readonly liquidatable: boolean;
}

/** Largest amount (base units on the canonical path, whole units on the float path). */
export interface MaxWithdraw<T> {
  readonly asset: string;
  readonly chain: number;
  readonly amount: T;
}

/**
 * An account's risk. `healthFactor` and `marginRatio` are `RATIO_INFINITY` (canonical, 2^255) or
 * `Infinity` (float) when there is nothing to divide by.
 */
export interface AccountRisk<T> {
  /** Weighted collateral (maintenance weights) − debt + Σ cross unsettled PnL. */
  readonly totalCollateral: T;
  readonly weightedCollateral: T;
  readonly weightedCollateralInitial: T;
  readonly debt: T;
  /** Σ unsettled PnL of cross positions + realized-but-unsettled PnL. */
  readonly unsettledPnl: T;
  readonly initialMargin: T;
  readonly maintenanceMargin: T;
  /** TC(initial weights) − IM (in-flight amounts are already gone from the balances). */
  readonly freeCollateral: T;
  /** TC / Σ cross notional. */
  readonly marginRatio: T;
  /** (weighted collateral + Σ cross unsettled PnL) / (debt + MM), floored at 0 (an underwater account). */
  readonly healthFactor: T;
  /** The cross account is below maintenance (HF < 1), or any isolated position is. */
  readonly liquidatable: boolean;
  readonly crossLiquidatable: boolean;
  readonly positions: readonly PositionRisk<T>[];
  /** Per (asset, chain) with a positive balance; empty unless details are requested. */
  readonly maxWithdraw: readonly MaxWithdraw<T>[];
}

export type ExactAccountRisk = AccountRisk<bigint>;
export type FloatAccountRisk = AccountRisk<number>;

export interface EvaluateOptions {
  /** Compute liquidation prices and max withdrawals (default true; costlier). */
  readonly details?: boolean;
}
