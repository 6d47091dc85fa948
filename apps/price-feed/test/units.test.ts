import { aggregate, median, type SourceReading } from '../src/aggregate.js';
import { diffBps, formatPrice, parseDecimal18, scaleTo18 } from '../src/decimal.js';
import { DecimalFormatError } from '../src/errors.js';
import { randomWalk } from '../src/simulate.js';

const E18 = 10n ** 18n;

describe('decimals', () => {
  it('parses CSV decimals exactly into 18 decimals', () => {
    expect(parseDecimal18('43955.47000000')).toBe(43955_470000000000000000n);
    expect(parseDecimal18('3706.96')).toBe(3706_960000000000000000n);
    expect(parseDecimal18('0.000000000000000001')).toBe(1n);
    expect(parseDecimal18('117050.0')).toBe(117050n * E18);
    expect(parseDecimal18('1.1234567890123456780000')).toBe(1_123456789012345678n);
  });

  it('refuses what it cannot represent exactly', () => {
    for (const bad of ['', '1e3', '-1', '1.', '.5', '1,5', ' 1', '0.0000000000000000001', 'NaN']) {
      expect(() => parseDecimal18(bad)).toThrow(DecimalFormatError);
    }
  });

  it('rescales aggregator answers to 18 decimals exactly', () => {
    expect(scaleTo18(200012345678n, 8)).toBe(2000_123456780000000000n);
    expect(scaleTo18(5n, 18)).toBe(5n);
    expect(scaleTo18(-1n, 0)).toBe(-E18);
    expect(scaleTo18(123n, 20)).toBe(1n);
    expect(formatPrice(2000_123456780000000000n)).toBe('2000.12345678');
    expect(diffBps(101n, 100n, 100n)).toBe(100n);
    expect(diffBps(1001n, 1000n, 1000n)).toBe(10n);
    expect(diffBps(10001n, 10000n, 10000n)).toBe(1n);
    expect(diffBps(100001n, 100000n, 100000n)).toBe(1n); // rounded up: a bound is never passed by rounding
  });
});

describe('aggregate', () => {
  const now = 1_000_000n;
  const good = (label: string, answer: bigint, updatedAt = now - 10n): SourceReading & { ok: true } => ({
    label,
    ok: true,
    decimals: 8,
    roundId: 3n,
    answer,
    updatedAt,
    answeredInRound: 3n,
  });
  const policy = { maxAgeSec: 60n, maxDeviationBps: 100n, minSources: 3 };

  it('takes the median and the newest update time', () => {
    const v = aggregate(
      [good('a', 2000_00000000n), good('b', 2010_00000000n, now), good('c', 2001_00000000n)],
      policy,
      now,
      undefined,
    );
    expect(v).toEqual({ ok: true, price: 2001n * E18, publishTime: now, used: 3 });
    expect(median([4n, 1n, 3n, 2n])).toBe(2n);
  });

  it('refuses each bad answer with its reason', () => {
    const cases: [SourceReading, string][] = [
      [good('x', 2000_00000000n, now - 61n), 'stale'],
      [good('x', 0n), 'non-positive'],
      [good('x', -5n), 'non-positive'],
      [{ ...good('x', 2000_00000000n), updatedAt: 0n }, 'incomplete-round'],
      [{ ...good('x', 2000_00000000n), answeredInRound: 2n }, 'incomplete-round'],
      [{ label: 'x', ok: false, error: 'HTTP 500' }, 'read-failed'],
    ];
    for (const [bad, reason] of cases) {
      const v = aggregate([good('a', 2000_00000000n), good('b', 2000_00000000n), bad], policy, now, undefined);
      expect(v).toMatchObject({ ok: false, reason });
    }
  });

  it('uses the passing sources when a quorum below all of them is configured', () => {
    const v = aggregate(
      [good('a', 2000_00000000n), good('b', 2002_00000000n), good('c', 0n)],
      { ...policy, minSources: 2 },
      now,
      undefined,
    );
    expect(v).toMatchObject({ ok: true, price: 2001n * E18, used: 2 });
  });

  it('refuses sources that disagree beyond the bound, naming the outlier', () => {
    const v = aggregate(
      [good('a', 2000_00000000n), good('b', 2000_00000000n), good('c', 2100_00000000n)],
      policy,
      now,
      undefined,
    );
    expect(v).toMatchObject({ ok: false, reason: 'deviation' });
    expect(!v.ok && v.message).toContain('c at 2100 (500 bps)');
  });

  it('bounds a single source by the last published price', () => {
    const single = { maxAgeSec: 60n, maxDeviationBps: 100n, minSources: 1, maxStepBps: 500n };
    expect(aggregate([good('a', 2100_00000000n)], single, now, 2000n * E18)).toMatchObject({ ok: true });
    expect(aggregate([good('a', 2100_00000001n)], single, now, 2000n * E18)).toMatchObject({
      ok: false,
      reason: 'step',
    });
    expect(aggregate([good('a', 1900_00000000n)], single, now, 2000n * E18)).toMatchObject({ ok: true });
    expect(aggregate([good('a', 2100_00000000n)], single, now, undefined)).toMatchObject({ ok: true, unbounded: true });
    const { maxStepBps: _unused, ...unbounded } = single;
    expect(aggregate([good('a', 2000_00000000n)], unbounded, now, undefined)).toMatchObject({ ok: false });
  });
});

describe('randomWalk', () => {
  const opts = {
    seed: 42,
    startTime: 1_700_000_000n,
    stepSec: 60n,
    assets: [
      { asset: 'WETH', startPrice: 2000n * E18, driftBps: 0, volatilityBps: 50 },
      { asset: 'WBTC', startPrice: 60_000n * E18, driftBps: -5, volatilityBps: 80 },
    ],
  };
  const take = (n: number, o = opts) => {
    const walk = randomWalk(o);
    return Array.from({ length: n }, () => walk.next().value).flat();
  };

  it('is a pure function of its seed', () => {
    const a = take(200);
    expect(take(200)).toEqual(a);
    expect(a[0]).toEqual({ asset: 'WETH', price: 2000n * E18, publishTime: 1_700_000_000n, step: 0 });
    expect(a.at(-1)).toMatchObject({ asset: 'WBTC', publishTime: 1_700_000_000n + 199n * 60n, step: 199 });
    expect(take(200, { ...opts, seed: 43 })).not.toEqual(a);
  });

  it('moves by about the configured volatility per step', () => {
    const points = take(2_001).filter((p) => p.asset === 'WETH');
    const moves = points.slice(1).map((p, i) => Number(p.price - points[i]!.price) / Number(points[i]!.price));
    const sd = Math.sqrt(moves.reduce((s, m) => s + m * m, 0) / moves.length);
    expect(sd).toBeGreaterThan(0.004);
    expect(sd).toBeLessThan(0.006);
  });
});
