/**
 * @omniclear/margin-engine — the clearinghouse's risk math. Pure: no I/O, no clock, integer fixed
 * point only, so every clearing node reaches bit-identical state and decisions.
 */
export { MarginEngineError, InvalidInputError } from './errors.js';
export { sha256Hex } from './sha256.js';
export type { SeqGap, SourceSeq } from './sequence.js';

// ---- the full risk model (README, "The model")
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
export { flightOf, NO_FLIGHT, type Flight } from './flight.js';
export { PriceAgeRule, type PriceAge, type StalePrice } from './price-age.js';
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
  type PlannedTransfer,
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
  MarginBook,
  type AccountView,
  type AckStatus,
  type AssetConfig,
  type BookConfig,
  type BookSnapshot,
  type ChainConfig,
  type ChainMessage,
  type ChainResult,
  type DeferReason,
  type HoldingView,
  type LiquidationResult,
  type MarketConfig,
  type Order,
  type OrderFields,
  type OrderIdFn,
  type OrderRecord,
  type SeizureOrder,
  type WithdrawalDecision,
  type WithdrawalReason,
  type WithdrawOutcome,
} from './book.js';
