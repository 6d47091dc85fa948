/** The payload version every component speaks; a payload with another version is refused. */
export const PROTOCOL_VERSION = 1;

/** LayerZero payload message types (the `msgType` byte). */
export const MessageType = {
  BALANCE: 1,
  WITHDRAW_REQUEST: 2,
  EXPOSURE: 3,
  ORDER_ACK: 4,
  LIQUIDATE: 5,
  WITHDRAW_DECISION: 6,
  WITHDRAW_DONE: 7,
} as const;

/** WITHDRAW_DONE outcomes: how a vault closed a withdrawal request. */
export const WithdrawOutcome = {
  /** Approved: the amount left the account's balance (transferred, or credited to its claimable bucket). */
  PAID: 1,
  /** Rejected: nothing paid, the amount unfrozen. */
  REJECTED: 2,
  /** Paid unilaterally through the vault's escape hatch. */
  ESCAPED: 3,
} as const;

export type WithdrawOutcomeName = keyof typeof WithdrawOutcome;

/** ORDER_ACK statuses: what a vault did with an order. */
export const AckStatus = {
  /** Executed: for a seizure, `seized` is what the vault really took. */
  EXECUTED: 1,
  /** Delivered after its expiry: the vault did nothing but mark the order id used. */
  EXPIRED: 2,
} as const;

export type AckStatusName = keyof typeof AckStatus;

export type MessageTypeName = keyof typeof MessageType;
