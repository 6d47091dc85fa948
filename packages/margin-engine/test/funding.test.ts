import fc from 'fast-check';
import {
  FIXED_ONE as W,
  accrueFunding,
  fundingRate,
  initialFunding,
  initialVolatility,
  premiumOf,
  updateVolatility,
  volScale,
  wad,
  type FundingParams,
  type VolatilityParams,
} from '../src/index.js';

const params: FundingParams = {
  interval: 28_800n,
  interestRate: wad('0.0001'),
  clampBand: wad('0.0005'),
  cap: wad('0.0075'),
};

describe('funding', () => {
  it('rate = P + clamp(I − P, ±0.05%), capped (Binance/Orderly formula)', () => {
    expect(fundingRate(wad('0.0002'), params)).toBe(wad('0.0001')); // I − P = −0.01% inside the band
    expect(fundingRate(0n, params)).toBe(wad('0.0001')); // flat market pays the interest term
    expect(fundingRate(wad('0.003'), params)).toBe(wad('0.0025')); // band binds
    expect(fundingRate(wad('0.02'), params)).toBe(wad('0.0075')); // cap binds
    expect(fundingRate(wad('-0.02'), params)).toBe(wad('-0.0075'));
  });

  it('time-averages the premium over an interval and accrues F = Σ rate × mark × dt / interval', () => {
    let s = initialFunding();
    s = accrueFunding(s, params, { time: 0n, mark: 1010n * W, index: 1000n * W }); // premium 1%
    s = accrueFunding(s, params, { time: 14_400n, mark: 1000n * W, index: 1000n * W }); // premium 0
    expect(s.cumFunding).toBe(0n); // no rate in force yet
    s = accrueFunding(s, params, { time: 28_800n, mark: 1000n * W, index: 1000n * W });
    // average premium 0.5% → rate 0.5% − 0.05% = 0.45%
    expect(s.rate).toBe(wad('0.0045'));
    s = accrueFunding(s, params, { time: 43_200n, mark: 1000n * W, index: 1000n * W });
    expect(s.cumFunding).toBe(wad('2.25')); // 0.45% × 1000 × half an interval
  });

  it('rejects a zero index and time going backwards, naming the field', () => {
    expect(() => premiumOf(W, 0n)).toThrow(/indexPrice/);
    const s = accrueFunding(initialFunding(), params, { time: 10n, mark: W, index: W });
    expect(() =>
      accrueFunding(accrueFunding(s, params, { time: 20n, mark: W, index: W }), params, {
        time: 5n,
        mark: W,
        index: W,
      }),
    ).toThrow(/time/);
  });

  it('the rate always lies within ±cap', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -W, max: W }), (p) => {
        const r = fundingRate(p, params);
        expect(r <= params.cap && r >= -params.cap).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('volatility-adaptive margin', () => {
  const vp: VolatilityParams = { lambda: wad('0.94'), refVol: wad('0.01'), maxScale: 3n * W };

  it('scale is 1 in a calm market and rises with volatility, clamped to the maximum', () => {
    let s = initialVolatility;
    for (const p of [100n, 100n, 100n, 100n]) s = updateVolatility(s, vp, p * W);
    expect(volScale(s, vp)).toBe(W);
    let v = s;
    for (const p of [100n, 105n, 100n, 105n, 100n]) v = updateVolatility(v, vp, p * W);
    const scale = volScale(v, vp);
    expect(scale > W && scale <= 3n * W).toBe(true);
    let wild = s;
    for (const p of [100n, 200n, 100n, 200n]) wild = updateVolatility(wild, vp, p * W);
    expect(volScale(wild, vp)).toBe(3n * W);
  });

  it('EWMA of squared log returns matches the float formula', () => {
    let s = updateVolatility(initialVolatility, vp, 100n * W);
    s = updateVolatility(s, vp, 110n * W);
    expect(Number(s.variance) / 1e18).toBeCloseTo(0.06 * Math.log(1.1) ** 2, 12);
  });

  it('the scale is never below 1 nor above the cap', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 10n ** 24n }), { maxLength: 20 }), (prices) => {
        let s = initialVolatility;
        for (const p of prices) s = updateVolatility(s, vp, p);
        const k = volScale(s, vp);
        expect(k >= W && k <= 3n * W).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
