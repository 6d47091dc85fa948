import { diffBps, formatPrice, scaleTo18 } from './decimal.js';

/** One aggregator's `latestRoundData`, with its decimals, or the reason it could not be read. */
export type SourceReading =
  | {
      readonly label: string;
      readonly ok: true;
      readonly decimals: number;
      readonly roundId: bigint;
      readonly answer: bigint;
      readonly updatedAt: bigint;
      readonly answeredInRound: bigint;
    }
  | { readonly label: string; readonly ok: false; readonly error: string };

/** Why a tick published nothing. Each is counted in the feed's stats. */
export type RefusalReason =
  'read-failed' | 'incomplete-round' | 'non-positive' | 'stale' | 'too-few-sources' | 'deviation' | 'step';

/** The bounds one asset's answer must satisfy. */
export interface AggregatePolicy {
  /** An answer older than this (seconds, vs `now`) is refused. */
  readonly maxAgeSec: bigint;
  /** Every used source must lie within this of the median (basis points). */
  readonly maxDeviationBps: bigint;
  /** How many sources must pass the per-source checks. */
  readonly minSources: number;
  /** Bound on the move vs the last published price when the answer rests on one source. */
  readonly maxStepBps?: bigint;
}

export type Verdict =
  | {
      readonly ok: true;
      /** USD, 18 decimals. */
      readonly price: bigint;
      /** The newest `updatedAt` among the sources used: a new round of any of them is a new event. */
      readonly publishTime: bigint;
      readonly used: number;
      /** Set when a single-source price had no reference to be bounded by (the first ever price). */
      readonly unbounded?: true;
    }
  | { readonly ok: false; readonly reason: RefusalReason; readonly message: string };

/** The median of a non-empty list; the mean of the two middle values (rounded down) for an even count. */
export function median(values: readonly bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2n;
}

/**
 * Turns one tick's readings into a price or a refusal, never both: each source must be readable,
 * complete (`updatedAt > 0`, `answeredInRound ≥ roundId`), positive and fresh; at least
 * `minSources` must pass; the median is taken and every used source must lie within
 * `maxDeviationBps` of it; an answer resting on one source must lie within `maxStepBps` of the last
 * published price. Pure: `now` and the reference are arguments.
 *
 * @example
 * aggregate(readings, { maxAgeSec: 3600n, maxDeviationBps: 100n, minSources: 3 }, nowSec, lastPrice);
 */
export function aggregate(
  readings: readonly SourceReading[],
  policy: AggregatePolicy,
  now: bigint,
  lastPublished: bigint | undefined,
): Verdict {
  const problems: { reason: RefusalReason; message: string }[] = [];
  const good: { label: string; price: bigint; updatedAt: bigint }[] = [];
  for (const r of readings) {
    if (!r.ok) {
      problems.push({ reason: 'read-failed', message: `${r.label}: read failed (${r.error})` });
    } else if (r.updatedAt === 0n || r.answeredInRound < r.roundId) {
      problems.push({
        reason: 'incomplete-round',
        message: `${r.label}: round ${r.roundId} incomplete (updatedAt ${r.updatedAt}, answeredInRound ${r.answeredInRound})`,
      });
    } else if (r.answer <= 0n) {
      problems.push({ reason: 'non-positive', message: `${r.label}: non-positive answer ${r.answer}` });
    } else if (now - r.updatedAt > policy.maxAgeSec) {
      problems.push({
        reason: 'stale',
        message: `${r.label}: answer updated ${now - r.updatedAt} s ago (max ${policy.maxAgeSec} s)`,
      });
    } else {
      good.push({ label: r.label, price: scaleTo18(r.answer, r.decimals), updatedAt: r.updatedAt });
    }
  }
  if (good.length < policy.minSources || good.length === 0) {
    const first = problems[0];
    return {
      ok: false,
      reason: first?.reason ?? 'too-few-sources',
      message: `${good.length} of ${readings.length} sources usable, ${policy.minSources} required: ${problems.map((p) => p.message).join('; ')}`,
    };
  }
  const price = median(good.map((g) => g.price));
  const outliers = good
    .map((g) => ({ ...g, bps: diffBps(g.price, price, price) }))
    .filter((g) => g.bps > policy.maxDeviationBps);
  if (outliers.length > 0) {
    return {
      ok: false,
      reason: 'deviation',
      message: `sources disagree beyond ${policy.maxDeviationBps} bps of the median ${formatPrice(price)}: ${outliers
        .map((o) => `${o.label} at ${formatPrice(o.price)} (${o.bps} bps)`)
        .join(', ')}`,
    };
  }
  const publishTime = good.reduce((t, g) => (g.updatedAt > t ? g.updatedAt : t), 0n);
  if (good.length === 1) {
    // "Never a single venue without a bound": one source may move the price only so far per publish.
    if (policy.maxStepBps === undefined) {
      return { ok: false, reason: 'too-few-sources', message: 'a single source needs maxStepBps' };
    }
    if (lastPublished === undefined) return { ok: true, price, publishTime, used: 1, unbounded: true };
    const step = diffBps(price, lastPublished, lastPublished);
    if (step > policy.maxStepBps) {
      return {
        ok: false,
        reason: 'step',
        message: `${good[0]!.label}: ${formatPrice(price)} is ${step} bps from the last published ${formatPrice(lastPublished)} (max ${policy.maxStepBps} bps): held back`,
      };
    }
  }
  return { ok: true, price, publishTime, used: good.length };
}
