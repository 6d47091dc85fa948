export {
  OmniError,
  PayloadError,
  UnsupportedVersionError,
  UnknownMessageTypeError,
  MalformedPayloadError,
  EventSchemaError,
  SubjectError,
} from './errors.js';
export {
  PROTOCOL_VERSION,
  MessageType,
  WithdrawOutcome,
  AckStatus,
  type AckStatusName,
  type MessageTypeName,
  type WithdrawOutcomeName,
} from './version.js';
export type {
  BalanceMessage,
  WithdrawRequestMessage,
  ExposureMessage,
  OrderAckMessage,
  LiquidateMessage,
  WithdrawDecisionMessage,
  WithdrawDoneMessage,
  HubBoundMessage,
  SpokeBoundMessage,
  OmniMessage,
} from './messages.js';
export { encodeMessage, decodeMessage, decodeHubBoundMessage } from './codec.js';
export { liquidationOrderId, withdrawDecisionOrderId } from './order-id.js';
export {
  ORDER_DOMAIN_NAME,
  ORDER_DOMAIN_VERSION,
  ORDER_TYPES,
  hashLiquidationOrder,
  hashWithdrawDecisionOrder,
  hashOrder,
  orderDomainSeparator,
  signDigest,
  signOrder,
  OrderSigningKey,
  recoverOrderSigner,
  type OrderDomain,
  type LiquidationOrderBody,
  type WithdrawDecisionOrderBody,
  type UnsignedOrder,
} from './eip712.js';
export { marketToBytes32, bytes32ToMarket, MARKET_SYMBOL } from './market.js';
export { STREAMS, subjects, msgIds } from './subjects.js';
export {
  encodeInputEvent,
  parseInputEvent,
  encodeOrder,
  parseOrder,
  type HubEvent,
  type PriceEvent,
  type MarkEvent,
  type DispatchEvent,
  type InputEvent,
  type LiquidationOrder,
  type WithdrawDecisionOrder,
  type OutputOrder,
} from './events.js';
export { toJson } from './json.js';
