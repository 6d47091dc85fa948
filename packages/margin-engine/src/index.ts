/**
 * @omniclear/margin-engine — the clearinghouse's risk math. Pure: no I/O, no clock, integer fixed
 * point only, so every clearing node reaches bit-identical state and decisions.
 */
export { MarginBook } from './book.js';
export { MarginEngineError, InvalidInputError } from './errors.js';
export { AssetRegistry, type Asset } from './assets.js';
export { WAD, collateralValue, isLiquidatable, planSeizures, type Seizable } from './rules.js';
export { sha256Hex } from './sha256.js';
export { parseSnapshot, type BookSnapshot, type ParsedSnapshot } from './snapshot.js';
export type { SourceSeq } from './sequence.js';
export type {
  AccountView,
  AckResult,
  Address,
  AssetConfig,
  BalanceReport,
  BookConfig,
  Evaluation,
  ExposureReport,
  ExposureView,
  HoldingView,
  LiquidateAction,
  LiquidationFields,
  OrderAckReport,
  OrderId,
  OrderIdFn,
  OrderRecord,
  OrderStatus,
  PriceResult,
  PriceUpdate,
  ReportResult,
  SeqGap,
  UnvaluedReason,
} from './types.js';
