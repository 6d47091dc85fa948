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

export type MessageTypeName = keyof typeof MessageType;
