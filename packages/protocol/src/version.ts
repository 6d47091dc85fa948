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
} as const;

export type MessageTypeName = keyof typeof MessageType;
