// Volatility-adaptive margin (README, "The model"): an EWMA of squared log returns from the
// price events; a market's IMR and MMR are scaled by realised volatility over a reference
// volatility, never below 1 and clamped to a maximum. Integer math (lnWad, integer root) only.

import { InvalidInputError } from './errors.js';
import { WAD, divCeil, irootCeil, lnWad, max, min, mulDown } from './fixed.js';

export interface VolatilityParams {
  /** EWMA decay per price event (e.g. 0.94), WAD in [0, 1). */
  readonly lambda: bigint;
  /** Reference volatility per event (standard deviation of the log return), WAD > 0. */
  readonly refVol: bigint;
  /** Largest scale (≥ 1), WAD. */
  readonly maxScale: bigint;
}

export interface VolatilityState {
  /** EWMA of squared log returns, WAD. */
  readonly variance: bigint;
  readonly lastPrice: bigint | null;
}

export const initialVolatility: VolatilityState = { variance: 0n, lastPrice: null };

/** Folds one price into the EWMA: σ² ← λσ² + (1 − λ)·ln(p / p_prev)², rounded down. */
export function updateVolatility(s: VolatilityState, p: VolatilityParams, price: bigint): VolatilityState {
  if (price <= 0n) throw new InvalidInputError('price', 'must be > 0');
  if (s.lastPrice === null) return { variance: s.variance, lastPrice: price };
  const r = lnWad((price * WAD) / s.lastPrice || 1n);
  const variance = mulDown(p.lambda, s.variance) + mulDown(WAD - p.lambda, mulDown(r, r));
  return { variance, lastPrice: price };
}

/** Margin scale: clamp(σ / refVol, 1, maxScale), rounded up (requirements up). */
export function volScale(s: VolatilityState, p: VolatilityParams): bigint {
  if (p.refVol <= 0n) throw new InvalidInputError('refVol', 'must be > 0');
  const sigma = irootCeil(s.variance * WAD, 2);
  return min(max(WAD, divCeil(sigma * WAD, p.refVol)), max(WAD, p.maxScale));
}
