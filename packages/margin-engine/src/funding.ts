// Funding (README, "The model"): a market's rate per interval is the time-averaged premium
// (mark − index) / index plus a clamped interest term, itself clamped to a cap, and is accrued
// into the cumulative funding per unit F from events in the stream (no clock).

import { InvalidInputError } from './errors.js';
import { WAD, divFloor, max, min } from './fixed.js';

/** Funding parameters of a market; rates are WAD per interval. */
export interface FundingParams {
  /** Funding interval in seconds (e.g. 28800 for 8 h). */
  readonly interval: bigint;
  /** Interest rate per interval (e.g. 0.01% = wad('0.0001')). */
  readonly interestRate: bigint;
  /** Band the interest term (I − P) is clamped to, ± (e.g. 0.05%). */
  readonly clampBand: bigint;
  /** Cap on the rate, ± (e.g. 0.75%). */
  readonly cap: bigint;
}

/** A market's funding state; a pure value, replaced by {@link accrueFunding}. */
export interface FundingState {
  /** Cumulative funding per unit of position (WAD USD): longs pay F − F0 per unit. */
  readonly cumFunding: bigint;
  /** Rate in force for the current interval (WAD per interval). */
  readonly rate: bigint;
  /** Σ premium × dt over the current interval, and Σ dt. */
  readonly premiumTime: bigint;
  readonly sampledTime: bigint;
  /** Latest premium sample, mark and time (null before the first event). */
  readonly lastPremium: bigint;
  readonly lastMark: bigint;
  readonly lastTime: bigint | null;
  /** Start of the current interval. */
  readonly intervalStart: bigint;
}

export const initialFunding = (cumFunding = 0n): FundingState => ({
  cumFunding,
  rate: 0n,
  premiumTime: 0n,
  sampledTime: 0n,
  lastPremium: 0n,
  lastMark: 0n,
  lastTime: null,
  intervalStart: 0n,
});

/** Premium of a sample: (mark − index) / index, WAD, rounded down. */
export function premiumOf(mark: bigint, index: bigint): bigint {
  if (index <= 0n) throw new InvalidInputError('indexPrice', 'must be > 0');
  return divFloor((mark - index) * WAD, index);
}

const clamp = (x: bigint, lo: bigint, hi: bigint): bigint => max(lo, min(hi, x));

/**
 * Funding rate from the average premium P: clamp(P + clamp(I − P, −band, band), −cap, cap).
 * @example fundingRate(wad('0.0002'), params) // P = 0.02%, I = 0.01%: 0.02% − 0.01% = 0.01%
 */
export function fundingRate(avgPremium: bigint, p: FundingParams): bigint {
  return clamp(avgPremium + clamp(p.interestRate - avgPremium, -p.clampBand, p.clampBand), -p.cap, p.cap);
}

/**
 * Applies a mark/index observation at `time` (seconds, non-decreasing). Funding accrues at the
 * rate in force since the previous event on the previous mark — F += rate × mark × dt / interval,
 * rounded down — and the previous premium is weighted by the time it held. When the event
 * closes an interval, the next rate is the time-weighted average premium of the closing one.
 */
export function accrueFunding(
  s: FundingState,
  p: FundingParams,
  obs: { readonly time: bigint; readonly mark: bigint; readonly index: bigint },
): FundingState {
  if (p.interval <= 0n) throw new InvalidInputError('interval', 'must be > 0');
  if (obs.mark < 0n) throw new InvalidInputError('markPrice', 'must not be negative');
  const premium = premiumOf(obs.mark, obs.index);
  if (s.lastTime === null) {
    return { ...s, lastPremium: premium, lastMark: obs.mark, lastTime: obs.time, intervalStart: obs.time };
  }
  if (obs.time < s.lastTime) throw new InvalidInputError('time', 'earlier than the last funding observation');
  const dt = obs.time - s.lastTime;
  const cumFunding = s.cumFunding + divFloor(s.rate * s.lastMark * dt, WAD * p.interval);
  let premiumTime = s.premiumTime + s.lastPremium * dt;
  let sampledTime = s.sampledTime + dt;
  let rate = s.rate;
  let intervalStart = s.intervalStart;
  if (obs.time - s.intervalStart >= p.interval) {
    rate = fundingRate(sampledTime > 0n ? divFloor(premiumTime, sampledTime) : premium, p);
    intervalStart += ((obs.time - s.intervalStart) / p.interval) * p.interval;
    premiumTime = 0n;
    sampledTime = 0n;
  }
  return {
    cumFunding,
    rate,
    premiumTime,
    sampledTime,
    lastPremium: premium,
    lastMark: obs.mark,
    lastTime: obs.time,
    intervalStart,
  };
}
