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

// ---- the full risk model (DESIGN.md "Margin model")
export {
  WAD as FIXED_ONE,
  RATIO_INFINITY,
  divCeil,
  divFloor,
  irootCeil,
  irootFloor,
  isqrt,
  lnWad,
  mulDown,
  mulUp,
  powDown,
  powUp,
  toNumber,
  wad,
  wdivDown,
  wdivUp,
  FOUR_FIFTHS,
  type Exponent,
} from './fixed.js';
export {
  DEFAULT_DISCOUNT_K,
  discountedValue,
  evaluateAccountExact,
  evaluateExactUnchecked,
  exactLiquidationPrice,
  marginRates,
  notionalOf,
  staleFactor,
  unsettledPnl,
  weightedValue,
} from './evaluate.js';
export { evaluateAccount, floatLiquidationPrice } from './evaluate-float.js';
export { checkExactAccount, checkExactContext } from './model/check.js';
export type * from './model/types.js';
export { toFloatInputs } from './model/convert.js';
export {
  accrueFunding,
  fundingRate,
  initialFunding,
  premiumOf,
  type FundingParams,
  type FundingState,
} from './funding.js';
export {
  initialVolatility,
  updateVolatility,
  volScale,
  type VolatilityParams,
  type VolatilityState,
} from './volatility.js';
export {
  planLiquidation,
  planUnchecked,
  type LiquidationPlan,
  type PlanBudget,
  type PlannedClose,
  type PlannedRepayment,
  type PlannedSeizure,
  type PlannerConfig,
} from './planner.js';
export {
  FastScreen,
  SCREEN_ABS_TOLERANCE,
  SCREEN_REL_TOLERANCE,
  type FastAssetParams,
  type FastMarketParams,
  type FastUniverse,
} from './fast/screen.js';
export {
  RiskBook,
  type LiquidationResult,
  type RiskAssetConfig,
  type RiskBookConfig,
  type RiskBookSnapshot,
  type RiskChainConfig,
  type RiskMarketConfig,
  type SeizureOrder,
  type WithdrawalDecision,
} from './risk-book.js';
