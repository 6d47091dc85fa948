export {
  OmniError,
  PayloadError,
  UnsupportedVersionError,
  UnknownMessageTypeError,
  MalformedPayloadError,
  EventSchemaError,
  SubjectError,
} from './errors.js';
export { PROTOCOL_VERSION, MessageType, type MessageTypeName } from './version.js';
export type {
  BalanceMessage,
  WithdrawRequestMessage,
  ExposureMessage,
  OrderAckMessage,
  LiquidateMessage,
  WithdrawDecisionMessage,
  HubBoundMessage,
  SpokeBoundMessage,
  OmniMessage,
} from './messages.js';
export { encodeMessage, decodeMessage, decodeHubBoundMessage } from './codec.js';
export { liquidationOrderId } from './order-id.js';
export { STREAMS, subjects, msgIds } from './subjects.js';
export {
  encodeInputEvent,
  parseInputEvent,
  encodeOrder,
  parseOrder,
  type HubEvent,
  type PriceEvent,
  type InputEvent,
  type LiquidationOrder,
  type OutputOrder,
} from './events.js';
export { toJson } from './json.js';
