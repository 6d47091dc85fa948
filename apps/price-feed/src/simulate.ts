/** One simulated asset: where its walk starts and how it moves per step. */
export interface WalkAsset {
  readonly asset: string;
  /** USD, 18 decimals. */
  readonly startPrice: bigint;
  /** Mean move per step in basis points (negative drifts down). */
  readonly driftBps: number;
  /** Standard deviation of a step's move, in basis points. */
  readonly volatilityBps: number;
}

/** A point of the walk. */
export interface WalkPoint {
  readonly asset: string;
  readonly price: bigint;
  readonly publishTime: bigint;
  readonly step: number;
}

/** mulberry32: a tiny 32-bit PRNG, fully determined by its seed and identical on every platform. */
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

const TWO_32 = 2n ** 32n;
const SCALE = 10_000n * TWO_32;

/**
 * A seeded random walk in integer arithmetic only (so every machine produces the same prices):
 * each step multiplies the price by 1 + drift + volatility·z, where z ~ N(0, 1) is approximated by
 * the sum of twelve uniforms minus six. Step 0 is the start price at `startTime`; step k is at
 * `startTime + k·stepSec`. Assets draw from one generator in the order given.
 *
 * @example
 * const walk = randomWalk({ seed: 7, startTime: 1_700_000_000n, stepSec: 1n,
 *   assets: [{ asset: 'WETH', startPrice: 2000n * 10n ** 18n, driftBps: 0, volatilityBps: 50 }] });
 * walk.next().value; // [{ asset: 'WETH', price: 2000…n, publishTime: 1700000000n, step: 0 }]
 */
export function* randomWalk(opts: {
  seed: number;
  startTime: bigint;
  stepSec: bigint;
  assets: readonly WalkAsset[];
}): Generator<WalkPoint[], never, undefined> {
  const next = mulberry32(opts.seed);
  const prices = opts.assets.map((a) => a.startPrice);
  for (let step = 0; ; step++) {
    if (step > 0) {
      opts.assets.forEach((a, i) => {
        let z = -6n * TWO_32; // z · 2^32
        for (let k = 0; k < 12; k++) z += BigInt(next());
        const factor = SCALE + BigInt(a.driftBps) * TWO_32 + BigInt(a.volatilityBps) * z;
        // A 6-sigma crash of a huge volatility could make the factor non-positive: floor at 1 wei.
        const moved = factor > 0n ? (prices[i]! * factor) / SCALE : 0n;
        prices[i] = moved > 0n ? moved : 1n;
      });
    }
    const publishTime = opts.startTime + BigInt(step) * opts.stepSec;
    yield opts.assets.map((a, i) => ({ asset: a.asset, price: prices[i]!, publishTime, step }));
  }
}
