import { applyPremium, premiumWalk } from '../src/premium.js';
import { parseSeries } from '../src/replay.js';

const E18 = 10n ** 18n;

describe('premium walk', () => {
  const params = { startPremiumBps: 3, maxPremiumBps: 20, premiumStepBps: 7 };

  it('starts at startPremiumBps, moves at most premiumStepBps per step and never leaves ±maxPremiumBps', () => {
    const next = premiumWalk(11, 'ETH-PERP', params);
    const series = Array.from({ length: 5_000 }, () => next());
    expect(series[0]).toBe(3);
    expect(series.every((p) => Number.isInteger(p) && Math.abs(p) <= 20)).toBe(true);
    const steps = series.slice(1).map((p, i) => Math.abs(p - series[i]!));
    expect(Math.max(...steps)).toBe(7);
    // It actually explores the band: both bounds are reached in 5000 steps of up to 7 bps.
    expect(Math.max(...series)).toBe(20);
    expect(Math.min(...series)).toBe(-20);
  });

  it('is a pure function of the seed and the market', () => {
    const take = (seed: number, market: string) => {
      const next = premiumWalk(seed, market, params);
      return Array.from({ length: 50 }, () => next());
    };
    expect(take(11, 'ETH-PERP')).toEqual(take(11, 'ETH-PERP'));
    expect(take(11, 'ETH-PERP')).not.toEqual(take(12, 'ETH-PERP'));
    expect(take(11, 'ETH-PERP')).not.toEqual(take(11, 'BTC-PERP'));
    // A zero step keeps the premium where it starts.
    const flat = premiumWalk(1, 'X', { startPremiumBps: -4, maxPremiumBps: 10, premiumStepBps: 0 });
    expect(Array.from({ length: 10 }, () => flat())).toEqual(Array(10).fill(-4));
  });

  it('applies a premium exactly, rounding down to the wei, never below 1 wei', () => {
    expect(applyPremium(2000n * E18, 25)).toBe(2005n * E18);
    expect(applyPremium(2000n * E18, -25)).toBe(1995n * E18);
    expect(applyPremium(2000n * E18, 0)).toBe(2000n * E18);
    // 12345 wei × 1.0001 = 12346.2345 → 12346; × 0.9999 = 12343.7655 → 12343 (down, not to nearest)
    expect(applyPremium(12_345n, 1)).toBe(12_346n);
    expect(applyPremium(12_345n, -1)).toBe(12_343n);
    expect(applyPremium(1n, -5_000)).toBe(1n);
    for (let p = -50; p <= 50; p++) {
      const index = 1_987_654321987654321987n;
      const mark = applyPremium(index, p);
      // floor: mark ≤ exact < mark + 1 wei
      expect(mark * 10_000n).toBeLessThanOrEqual(index * BigInt(10_000 + p));
      expect((mark + 1n) * 10_000n).toBeGreaterThan(index * BigInt(10_000 + p));
    }
    expect(() => applyPremium(E18, 0.5)).toThrow(RangeError);
  });
});

describe('recorded mark column', () => {
  it('parses an optional mark per row exactly', () => {
    const rows = parseSeries(
      'perp.csv',
      'timestamp,asset,price,mark\n2021-05-19T00:00:00Z,ETH,3400.5,3401.25\n2021-05-19T01:00:00Z,ETH,3300,\n',
    );
    expect(rows.map((r) => [r.price, r.mark])).toEqual([
      [3400_500000000000000000n, 3401_250000000000000000n],
      [3300n * E18, undefined],
    ]);
  });

  it('names the file and line of a bad mark', () => {
    const bad = (row: string) => () =>
      parseSeries('perp.csv', `timestamp,asset,price,mark\n2021-05-19T00:00:00Z,ETH,1,1\n${row}\n`);
    expect(bad('2021-05-19T01:00:00Z,ETH,1,0')).toThrow('perp.csv:3: invalid mark "0": expected a positive number');
    expect(bad('2021-05-19T01:00:00Z,ETH,1,x')).toThrow('perp.csv:3: invalid mark: not a decimal number: "x"');
    expect(bad('2021-05-19T01:00:00Z,ETH,1')).toThrow(
      'perp.csv:3: expected 4 fields (timestamp,asset,price,mark), got 3',
    );
  });
});
