import { RATIO_INFINITY, type AccountView, type OrderRecord } from '@omniclear/margin-engine';
import { getAddress, type Address } from 'viem';

import type { LedgerService } from '../ledger/ledger.service.js';

// JSON shapes of the query API: amounts as decimal strings (bigints do not survive JSON),
// addresses checksummed. USD figures and ratios are 18-decimal fixed point; a health factor or
// margin ratio with nothing to divide by is "Infinity".

const ratio = (v: bigint) => (v >= RATIO_INFINITY ? 'Infinity' : v.toString());
const checksum = (a: string) => (/^0x[0-9a-fA-F]{40}$/.test(a) ? getAddress(a) : a);

/** An account as served by `GET /accounts/:address` and `omni.rpc.account-get`. */
export interface AccountDto {
  account: Address;
  /** Collateral per (asset, chain): confirmed balance, in flight out, and USD value. */
  balances: Array<{
    asset: string;
    eid: number;
    token: string;
    balance: string;
    pending: string;
    seizable: string;
    price: string | null;
    value: string;
  }>;
  positions: Array<{
    id: string;
    market: string;
    mode: string;
    qty: string;
    openCost: string;
    notional: string;
    imr: string;
    mmr: string;
    maintenanceMargin: string;
    unsettledPnl: string;
    liquidationPrice: string | null;
  }>;
  totalCollateral: string;
  weightedCollateral: string;
  debt: string;
  unsettledPnl: string;
  initialMargin: string;
  maintenanceMargin: string;
  freeCollateral: string;
  marginRatio: string;
  healthFactor: string;
  liquidatable: boolean;
  /** Largest approvable withdrawal per (asset, chain), base units. */
  maxWithdraw: Array<{ asset: string; eid: number; amount: string }>;
  /** Held assets or markets without a price yet: decisions about the account wait. */
  missingPrices: string[];
  /** Held assets whose price is older than their maximum age: decisions about the account wait. */
  stalePrices: string[];
  /** Why a decision about the account waits now (`missing-price`, `stale-price`, `sequence-gap`), or null. */
  deferred: string | null;
}

export interface OrderDto {
  orderId: string;
  kind: 'liquidate' | 'withdraw-decision';
  dstEid: number;
  account: Address;
  asset: string;
  token: string;
  amount: string;
  inputSeq: string;
  /** Liquidations: who receives the seizure, and the insurance fund's part of it. */
  recipient: string | null;
  insuranceAmount: string | null;
  /** Withdrawal decisions: the vault's request id and the verdict. */
  requestId: string | null;
  approved: boolean | null;
  reason: string | null;
  /**
   * `pending` until the vault acknowledges it (`done`); `expired` when the hub never dispatched it
   * by its expiry (plus the node's grace), or when it reached the vault after its expiry and the
   * vault acknowledged it EXPIRED (then `executed` is 0): what it held counts again, a withdrawal
   * request is decided anew. An order expired undispatched still becomes `done` if the vault
   * acknowledges it after all.
   */
  status: 'pending' | 'done' | 'expired';
  /** The hub dispatched it to its vault. */
  dispatched: boolean;
  /** Unix seconds after which the hub refuses it (null: the book does not date its orders). */
  expiry: string | null;
  /** What really left the account, from the vault's acknowledgement. */
  executed: string | null;
  outcome: string | null;
  /**
   * The stream's time (unix seconds) when the vault's acknowledgement closed it; a done order is
   * listed until this + the node's order retention.
   */
  doneAt: string | null;
}

export function toAccountDto(view: AccountView): AccountDto {
  return {
    account: checksum(view.account) as Address,
    balances: view.holdings.map((h) => ({
      asset: h.asset,
      eid: h.chain,
      token: checksum(h.token),
      balance: h.balance.toString(),
      pending: h.pending.toString(),
      seizable: h.seizable.toString(),
      price: h.price === null ? null : h.price.toString(),
      value: h.value.toString(),
    })),
    positions: view.positions.map((p) => ({
      id: p.id,
      market: p.market,
      mode: p.mode,
      qty: p.qty.toString(),
      openCost: p.openCost.toString(),
      notional: p.notional.toString(),
      imr: p.imr.toString(),
      mmr: p.mmr.toString(),
      maintenanceMargin: p.maintenanceMargin.toString(),
      unsettledPnl: p.unsettledPnl.toString(),
      liquidationPrice: p.liquidationPrice === null ? null : p.liquidationPrice.toString(),
    })),
    totalCollateral: view.totalCollateral.toString(),
    weightedCollateral: view.weightedCollateral.toString(),
    debt: view.debt.toString(),
    unsettledPnl: view.unsettledPnl.toString(),
    initialMargin: view.initialMargin.toString(),
    maintenanceMargin: view.maintenanceMargin.toString(),
    freeCollateral: view.freeCollateral.toString(),
    marginRatio: ratio(view.marginRatio),
    healthFactor: ratio(view.healthFactor),
    liquidatable: view.liquidatable,
    maxWithdraw: view.maxWithdraw.map((w) => ({ asset: w.asset, eid: w.chain, amount: w.amount.toString() })),
    missingPrices: [...view.missingPrices],
    stalePrices: [...view.stalePrices],
    deferred: view.deferred,
  };
}

export function toOrderDto(r: OrderRecord): OrderDto {
  const o = r.order;
  return {
    orderId: o.id,
    kind: o.kind,
    dstEid: o.chain,
    account: checksum(o.account) as Address,
    asset: o.asset,
    token: checksum(o.token),
    amount: o.amount.toString(),
    inputSeq: o.inputSeq.toString(),
    recipient: o.kind === 'liquidate' ? checksum(o.recipient) : null,
    insuranceAmount: o.kind === 'liquidate' ? o.insuranceAmount.toString() : null,
    requestId: o.kind === 'withdraw-decision' && o.requestId !== null ? o.requestId.toString() : null,
    approved: o.kind === 'withdraw-decision' ? o.approved : null,
    reason: o.kind === 'withdraw-decision' ? o.reason : null,
    status: r.status,
    dispatched: r.dispatched,
    expiry: o.expiry === undefined ? null : o.expiry.toString(),
    executed: r.executed === null ? null : r.executed.toString(),
    outcome: r.outcome,
    doneAt: r.doneAt === null ? null : r.doneAt.toString(),
  };
}

/** `GET /markets`. */
export interface MarketDto {
  market: string;
  /** Last mark price (USD, 18 decimals), null before the first. */
  markPrice: string | null;
  /** Cumulative funding per unit (USD, 18 decimals). */
  cumFunding: string;
  /** Volatility scale on IMR/MMR (≥ 1, 18 decimals). */
  volScale: string;
  /** Accounts with a position in the market. */
  holders: number;
}

/** `GET /risk`. */
export interface RiskDto {
  accounts: number;
  liquidatable: string[];
  /** Accounts with liquidation actions held back by rate limits. */
  queued: string[];
  insuranceFund: string;
  socializedLoss: string;
  badDebt: string;
  penaltiesToInsurance: string;
  penaltiesToLiquidators: string;
  pendingOrders: Array<{ eid: number; pending: number }>;
  /** Assets whose price is older than their maximum age: their holders' decisions wait. */
  stalePrices: Array<{ asset: string; publishTime: string; ageSeconds: string; maxAgeSeconds: string }>;
  /** The book's clock: the latest event time applied (unix seconds). */
  now: string;
}

export function toMarketDto(m: ReturnType<LedgerService['markets']>[number]): MarketDto {
  return {
    market: m.market,
    markPrice: m.markPrice === null ? null : m.markPrice.toString(),
    cumFunding: m.cumFunding.toString(),
    volScale: m.volScale.toString(),
    holders: m.holders,
  };
}

export function toRiskDto(r: ReturnType<LedgerService['risk']>): RiskDto {
  return {
    accounts: r.accounts,
    liquidatable: r.liquidatable.map(checksum),
    queued: r.queued.map(checksum),
    insuranceFund: r.ledger.insuranceFund.toString(),
    socializedLoss: r.ledger.socializedLoss.toString(),
    badDebt: r.ledger.badDebt.toString(),
    penaltiesToInsurance: r.ledger.penaltiesToInsurance.toString(),
    penaltiesToLiquidators: r.ledger.penaltiesToLiquidators.toString(),
    pendingOrders: [...r.pendingOrdersByChain].sort(([a], [b]) => a - b).map(([eid, pending]) => ({ eid, pending })),
    stalePrices: r.stalePrices.map((p) => ({
      asset: p.asset,
      publishTime: p.time.toString(),
      ageSeconds: p.age.toString(),
      maxAgeSeconds: p.maxAge.toString(),
    })),
    now: r.now.toString(),
  };
}
