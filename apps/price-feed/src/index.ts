export {
  PriceFeed,
  type PriceFeedOptions,
  type PriceFeedStats,
  type MarkStats,
  type MarkRefusalReason,
} from './feed.js';
export {
  loadPriceFeedConfig,
  priceFeedEnvSchema,
  type PriceFeedConfig,
  type FeedSource,
  type AggregatedAsset,
  type MarketFeed,
  type MarkSource,
} from './config.js';
export {
  aggregate,
  median,
  type AggregatePolicy,
  type SourceReading,
  type RefusalReason,
  type Verdict,
} from './aggregate.js';
export { AggregatorReader, type AggregatorRef } from './aggregators.js';
export { PricePublisher, type LastPrice, type LastMark } from './publisher.js';
export { premiumWalk, applyPremium, type PremiumWalkParams } from './premium.js';
export { randomWalk, type WalkAsset, type WalkPoint } from './simulate.js';
export { parseSeries, mergeSeries, parseIsoUtc, type RecordedPrice } from './replay.js';
export { parseDecimal18, scaleTo18, formatPrice, diffBps, PRICE_DECIMALS } from './decimal.js';
export { CsvFormatError, DecimalFormatError, PublishError } from './errors.js';
