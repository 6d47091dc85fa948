import type { AccountView, OrderRecord } from '@omniclear/margin-engine';
import { getAddress, type Address } from 'viem';

// JSON shapes of the query API: amounts as decimal strings (bigints do not survive JSON),
// addresses checksummed.

/** An account as served by `GET /accounts/:address` and `omni.rpc.account-get`. */
export interface AccountDto {
  account: Address;
  balances: Array<{
    eid: number;
    token: Address;
    symbol: string | null;
    balance: string;
    pending: string;
    value: string;
    unvalued: string | null;
  }>;
  exposures: Array<{ eid: number; protocol: Address; exposure: string }>;
  /** USD, 18 decimals. */
  exposure: string;
  /** USD, 18 decimals, rounded down. */
  value: string;
  liquidatable: boolean;
  /** Held assets without a price yet: valued at zero, and liquidation is deferred until priced. */
  missingPrices: string[];
}

export interface OrderDto {
  orderId: string;
  kind: 'liquidate';
  dstEid: number;
  account: Address;
  token: Address;
  amount: string;
  recipient: Address;
  inputSeq: string;
  status: 'pending' | 'acknowledged';
  seized: string | null;
}

export function toAccountDto(view: AccountView): AccountDto {
  return {
    account: getAddress(view.account),
    balances: view.holdings.map((h) => ({
      eid: h.eid,
      token: getAddress(h.token),
      symbol: h.symbol,
      balance: h.balance.toString(),
      pending: h.pending.toString(),
      value: h.value.toString(),
      unvalued: h.unvalued,
    })),
    exposures: view.exposures.map((e) => ({
      eid: e.eid,
      protocol: getAddress(e.protocol),
      exposure: e.exposure.toString(),
    })),
    exposure: view.exposure.toString(),
    value: view.value.toString(),
    liquidatable: view.liquidatable,
    missingPrices: [...view.missingPrices],
  };
}

export function toOrderDto(o: OrderRecord): OrderDto {
  return {
    orderId: o.orderId,
    kind: 'liquidate',
    dstEid: o.dstEid,
    account: getAddress(o.account),
    token: getAddress(o.token),
    amount: o.amount.toString(),
    recipient: getAddress(o.recipient),
    inputSeq: o.inputSeq.toString(),
    status: o.status,
    seized: o.seized === null ? null : o.seized.toString(),
  };
}
