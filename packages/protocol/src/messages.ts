import type { Address, Hex } from 'viem';

/** vault → hub: the account's new absolute balance of `token` and the signed change that produced it. */
export interface BalanceMessage {
  type: 'BALANCE';
  account: Address;
  token: Address;
  balance: bigint;
  delta: bigint;
  seq: bigint;
}

/** vault → hub: the vault locked `amount` and asks the hub to approve the withdrawal. */
export interface WithdrawRequestMessage {
  type: 'WITHDRAW_REQUEST';
  account: Address;
  token: Address;
  amount: bigint;
  seq: bigint;
}

/** vault → hub: the account's exposure reported by an integrated protocol (USD, 18 decimals). */
export interface ExposureMessage {
  type: 'EXPOSURE';
  account: Address;
  protocol: Address;
  exposure: bigint;
  seq: bigint;
}

/** vault → hub: what the vault really seized for `orderId`, and the balance after it. */
export interface OrderAckMessage {
  type: 'ORDER_ACK';
  orderId: Hex;
  account: Address;
  token: Address;
  seized: bigint;
  balance: bigint;
  seq: bigint;
}

/** hub → vault: seize `amount` of `token` from `account` to `recipient`. */
export interface LiquidateMessage {
  type: 'LIQUIDATE';
  orderId: Hex;
  account: Address;
  token: Address;
  amount: bigint;
  recipient: Address;
}

/** hub → vault: release (approved) or unlock (rejected) a requested withdrawal. */
export interface WithdrawDecisionMessage {
  type: 'WITHDRAW_DECISION';
  orderId: Hex;
  account: Address;
  token: Address;
  amount: bigint;
  approved: boolean;
}

export type HubBoundMessage = BalanceMessage | WithdrawRequestMessage | ExposureMessage | OrderAckMessage;

export type SpokeBoundMessage = LiquidateMessage | WithdrawDecisionMessage;

export type OmniMessage = HubBoundMessage | SpokeBoundMessage;
