import type { Address, Hex } from 'viem';

/**
 * vault → hub: the account's new absolute balance of `token` (its total in the vault, including any
 * amount frozen for a pending withdrawal) and the signed change that produced it.
 */
export interface BalanceMessage {
  type: 'BALANCE';
  account: Address;
  token: Address;
  balance: bigint;
  delta: bigint;
  seq: bigint;
}

/**
 * vault → hub: the vault froze `amount` (still part of the account's balance) and asks the hub to
 * approve the withdrawal; `requestId` is the vault's own counter of requests, from 1.
 */
export interface WithdrawRequestMessage {
  type: 'WITHDRAW_REQUEST';
  account: Address;
  token: Address;
  amount: bigint;
  requestId: bigint;
  seq: bigint;
}

/**
 * vault → hub: an integrated protocol's absolute perp position of the account. `market` is the
 * ASCII symbol right-padded with zero bytes (see `marketToBytes32`); `size` is signed, in
 * 1e18 units of the base asset (0 closes the position); `entryPrice` is USD per unit, 1e18.
 */
export interface ExposureMessage {
  type: 'EXPOSURE';
  account: Address;
  protocol: Address;
  market: Hex;
  size: bigint;
  entryPrice: bigint;
  seq: bigint;
}

/**
 * vault → hub: what the vault did with order `orderId` — `status` 1 (EXECUTED: for a seizure,
 * `seized` is what it really took, liquidator and insurance parts together) or 2 (EXPIRED: the
 * order arrived after its expiry and changed nothing; `seized` is 0) — and the account's total
 * balance after it. See `AckStatus`.
 */
export interface OrderAckMessage {
  type: 'ORDER_ACK';
  orderId: Hex;
  account: Address;
  token: Address;
  seized: bigint;
  balance: bigint;
  status: number;
  seq: bigint;
}

/**
 * hub → vault: seize `amount` of `token` from `account`. The vault seizes
 * `s = min(amount, balance − amounts of approved payouts still queued)`, taking from pending
 * withdrawal requests (newest first) what the unfrozen balance does not cover; the insurance fund
 * gets `ceil(insuranceAmount × s / amount)` and `recipient` (the liquidator, never the zero address)
 * the rest. `insuranceAmount ≤ amount`. Delivered after `expiry` (unix seconds) it changes nothing
 * and is acknowledged EXPIRED.
 */
export interface LiquidateMessage {
  type: 'LIQUIDATE';
  orderId: Hex;
  account: Address;
  token: Address;
  amount: bigint;
  recipient: Address;
  insuranceAmount: bigint;
  expiry: bigint;
}

/**
 * hub → vault: pay (approved) or unfreeze (rejected) the withdrawal request `requestId`. Delivered
 * after `expiry` (unix seconds) it changes nothing and is acknowledged EXPIRED (ORDER_ACK).
 */
export interface WithdrawDecisionMessage {
  type: 'WITHDRAW_DECISION';
  orderId: Hex;
  account: Address;
  token: Address;
  amount: bigint;
  requestId: bigint;
  approved: boolean;
  expiry: bigint;
}

/**
 * vault → hub: the vault closed withdrawal request `requestId` with `outcome` (1 PAID, 2 REJECTED,
 * 3 ESCAPED, see `WithdrawOutcome`); `paid` left the account's balance (0 when rejected),
 * `balance` is the account's total after.
 */
export interface WithdrawDoneMessage {
  type: 'WITHDRAW_DONE';
  account: Address;
  token: Address;
  requestId: bigint;
  paid: bigint;
  balance: bigint;
  outcome: number;
  seq: bigint;
}

export type HubBoundMessage =
  BalanceMessage | WithdrawRequestMessage | ExposureMessage | OrderAckMessage | WithdrawDoneMessage;

export type SpokeBoundMessage = LiquidateMessage | WithdrawDecisionMessage;

export type OmniMessage = HubBoundMessage | SpokeBoundMessage;
