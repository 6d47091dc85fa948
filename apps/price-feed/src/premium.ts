/** How a simulated market's premium (mark vs index, in basis points) moves. */
export interface PremiumWalkParams {
  /** The premium of the first point, in bps (|start| ≤ maxPremiumBps). */
  readonly startPremiumBps: number;
  /** The premium never leaves [−maxPremiumBps, +maxPremiumBps]. */
  readonly maxPremiumBps: number;
  /** Each step moves the premium by a uniform integer in [−premiumStepBps, +premiumStepBps]. */
  readonly premiumStepBps: number;
}

const BPS = 10_000n;

/** mulberry32, as in the price walk: fully determined by its seed, identical on every platform. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** FNV-1a of `text`: a stable 32-bit seed per market, so markets walk independently of their order. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A seeded, bounded random walk of one market's premium in whole basis points: the first call
 * returns `startPremiumBps`, each later call adds a uniform integer step in
 * [−premiumStepBps, +premiumStepBps] and clamps the result to ±maxPremiumBps. The generator is
 * seeded from `seed` and the market symbol (not the price walk's generator), so adding a market
 * changes neither the prices nor another market's premiums, and a seed always gives the same series.
 *
 * @example
 * const next = premiumWalk(1, 'ETH-PERP', { startPremiumBps: 0, maxPremiumBps: 50, premiumStepBps: 5 });
 * next(); // 0
 * next(); // e.g. 3
 */
export function premiumWalk(seed: number, market: string, params: PremiumWalkParams): () => number {
  const random = mulberry32(fnv1a(`${seed >>> 0}:${market}`));
  const width = 2 * params.premiumStepBps + 1;
  let premium: number | undefined;
  return () => {
    if (premium === undefined) {
      premium = params.startPremiumBps;
    } else {
      // random() / 2^32 · width is uniform over 0..width−1 (a bias below 2^-20 for any step ≤ 4096 bps).
      const step = Math.floor((random() / 2 ** 32) * width) - params.premiumStepBps;
      premium = Math.max(-params.maxPremiumBps, Math.min(params.maxPremiumBps, premium + step));
    }
    return premium;
  };
}

/**
 * The mark price of an index price at a premium in basis points: `index × (10000 + premiumBps) / 10000`
 * in exact bigint arithmetic on 18-decimal prices, rounded down to the wei (toward zero; the
 * result differs from the exact product by less than 1 wei), and never below 1 wei (the margin
 * engine refuses a zero mark).
 *
 * @example applyPremium(2000n * 10n ** 18n, 25); // 2005 × 10^18 (+0.25 %)
 */
export function applyPremium(index: bigint, premiumBps: number): bigint {
  if (!Number.isInteger(premiumBps)) throw new RangeError(`premium must be whole bps, got ${premiumBps}`);
  const mark = (index * (BPS + BigInt(premiumBps))) / BPS;
  return mark > 0n ? mark : 1n;
}
