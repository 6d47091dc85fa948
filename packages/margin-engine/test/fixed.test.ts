import fc from 'fast-check';
import {
  FIXED_ONE as W,
  FOUR_FIFTHS,
  divCeil,
  divFloor,
  irootFloor,
  lnWad,
  mulDown,
  mulUp,
  powDown,
  powUp,
  wad,
} from '../src/index.js';

describe('fixed point rounding', () => {
  it('floors toward −∞ and ceils toward +∞ for every sign', () => {
    expect([divFloor(7n, 2n), divFloor(-7n, 2n), divFloor(7n, -2n), divFloor(-8n, 2n)]).toEqual([3n, -4n, -4n, -4n]);
    expect([divCeil(7n, 2n), divCeil(-7n, 2n), divCeil(7n, -2n), divCeil(8n, 2n)]).toEqual([4n, -3n, -3n, 4n]);
  });

  it('mulDown ≤ exact product ≤ mulUp, one unit apart at most', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        (a, b) => {
          const lo = mulDown(a, b);
          const hi = mulUp(a, b);
          expect(lo * W <= a * b && a * b <= hi * W).toBe(true);
          expect(hi - lo <= 1n).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parses decimals exactly', () => {
    expect(wad('0.0000002512')).toBe(251_200_000_000n);
    expect(wad('-1.5')).toBe(-15n * 10n ** 17n);
    expect(() => wad('1e5')).toThrow(RangeError);
  });
});

describe('integer roots and the 4/5 power', () => {
  it('irootFloor is the exact floor root: r^k ≤ n < (r+1)^k', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 200n }), fc.integer({ min: 2, max: 7 }), (n, k) => {
        const r = irootFloor(n, k);
        const K = BigInt(k);
        expect(r ** K <= n && (r + 1n) ** K > n).toBe(true);
      }),
      { numRuns: 400 },
    );
    expect(irootFloor(10n ** 400n, 5)).toBe(10n ** 80n); // beyond float range: bit-length seed
  });

  it('powDown ≤ x^(4/5) ≤ powUp ≤ powDown + 1 (checked on the fifth powers, exactly)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), (x) => {
        const lo = powDown(x);
        const hi = powUp(x);
        // y = W·(x/W)^(4/5)  ⇔  y^5 = x^4·W
        const t = x ** 4n * W;
        expect(lo ** 5n <= t).toBe(true);
        expect((lo + 1n) ** 5n > t).toBe(true);
        expect(hi ** 5n >= t).toBe(true);
        expect(hi - lo <= 1n).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('is exact on perfect powers and close to Math.pow elsewhere', () => {
    expect(powDown(32n * W, FOUR_FIFTHS)).toBe(16n * W);
    expect(powUp(32n * W)).toBe(16n * W);
    expect(powDown(W)).toBe(W);
    const x = wad('5197.24');
    expect(Number(powDown(x)) / 1e18).toBeCloseTo(Math.pow(5197.24, 0.8), 9);
  });

  it('is monotone', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 36n }), fc.bigInt({ min: 0n, max: 10n ** 20n }), (x, d) => {
        expect(powDown(x + d) >= powDown(x)).toBe(true);
        expect(powUp(x + d) >= powUp(x)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('lnWad', () => {
  it('matches Math.log to ~1e-15 over a wide range, and ln 1 = 0', () => {
    expect(lnWad(W)).toBe(0n);
    for (const x of [0.001, 0.5, 0.9, 1.01, 2, 3.5, 1000, 123456.789]) {
      const got = Number(lnWad(BigInt(Math.round(x * 1e6)) * 10n ** 12n)) / 1e18;
      expect(Math.abs(got - Math.log(x))).toBeLessThan(1e-12);
    }
  });
});
