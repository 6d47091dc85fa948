// Canonical fixed-point arithmetic: signed bigints scaled by 10^18 ("WAD"). Every operation that
// loses precision says which way it rounds, so callers can round in the protocol's favour:
// collateral and equity down (toward −∞), requirements and debt up (toward +∞).

/** 1.0 in 18-decimal fixed point. */
export const WAD = 10n ** 18n;

/** Sentinel for an unbounded ratio (health factor or margin ratio with nothing to divide by). */
export const RATIO_INFINITY = 2n ** 255n;

/** ⌊a / b⌋ for signed a and b ≠ 0 (rounds toward −∞, unlike bigint `/` which truncates). */
export function divFloor(a: bigint, b: bigint): bigint {
  // same signs: truncation is the floor (the common case, one division)
  if (a >= 0n ? b > 0n : b < 0n) return a / b;
  const q = a / b;
  return q * b === a ? q : q - 1n;
}

/** ⌈a / b⌉ for signed a and b ≠ 0 (rounds toward +∞). */
export function divCeil(a: bigint, b: bigint): bigint {
  if (a > 0n && b > 0n) return (a + b - 1n) / b;
  const q = a / b;
  return q * b !== a && a < 0n === b < 0n ? q + 1n : q;
}

/** a × b in WAD, rounded down. @example mulDown(3n * WAD / 2n, 2n * WAD) // 3n * WAD */
export const mulDown = (a: bigint, b: bigint): bigint => divFloor(a * b, WAD);
/** a × b in WAD, rounded up. */
export const mulUp = (a: bigint, b: bigint): bigint => divCeil(a * b, WAD);
/** a / b in WAD, rounded down. */
export const wdivDown = (a: bigint, b: bigint): bigint => divFloor(a * WAD, b);
/** a / b in WAD, rounded up. */
export const wdivUp = (a: bigint, b: bigint): bigint => divCeil(a * WAD, b);

export const abs = (a: bigint): bigint => (a < 0n ? -a : a);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

const TEN = 10n;
const SCALES: bigint[] = Array.from({ length: 78 }, (_, i) => TEN ** BigInt(i));

/** 10^decimals, from a table for the common range. */
export function scaleOf(decimals: number): bigint {
  return SCALES[decimals] ?? TEN ** BigInt(decimals);
}

/** Base units of a token with `decimals` to WAD whole units, rounded down. */
export function toWadDown(amount: bigint, decimals: number): bigint {
  if (decimals === 18) return amount;
  return decimals < 18 ? amount * scaleOf(18 - decimals) : divFloor(amount, scaleOf(decimals - 18));
}

/** Base units of a token with `decimals` to WAD whole units, rounded up. */
export function toWadUp(amount: bigint, decimals: number): bigint {
  if (decimals === 18) return amount;
  return decimals < 18 ? amount * scaleOf(18 - decimals) : divCeil(amount, scaleOf(decimals - 18));
}

/**
 * ⌊n^(1/k)⌋ for n ≥ 0 and integer k ≥ 1, exactly. A float64 estimate seeds Newton's iteration
 * from above, y ← ((k−1)·y + ⌊n / y^(k−1)⌋) / k, which decreases monotonically to the floor root
 * (the integer Newton step never undershoots it: by AM-GM the real step is ≥ the root and the two
 * floors keep it ≥ ⌊root⌋); the loop stops at the first non-decreasing step. A final check
 * enforces r^k ≤ n < (r+1)^k whatever the seed was.
 */
export function irootFloor(n: bigint, k: number): bigint {
  if (n < 0n) throw new RangeError('irootFloor of a negative number');
  if (k === 1 || n < 2n) return n;
  const K = BigInt(k);
  const K1 = K - 1n;
  const f = Number(n);
  let y: bigint;
  if (Number.isFinite(f)) {
    const est = BigInt(Math.floor(Math.pow(f, 1 / k)));
    y = est + (est >> 30n) + 2n; // comfortably above the true root (float error is ~2^-52)
  } else {
    y = 1n << BigInt(Math.ceil((n.toString(16).length * 4) / k) + 1);
  }
  for (;;) {
    const next = (K1 * y + n / y ** K1) / K;
    if (next >= y) break;
    y = next;
  }
  while (y ** K > n) y -= 1n;
  while ((y + 1n) ** K <= n) y += 1n;
  return y;
}

/** ⌈n^(1/k)⌉ for n ≥ 0. */
export function irootCeil(n: bigint, k: number): bigint {
  const r = irootFloor(n, k);
  return r ** BigInt(k) === n ? r : r + 1n;
}

/** A rational exponent num/den with 0 < num ≤ den ≤ 16 (the size exponent, 4/5 by default). */
export interface Exponent {
  readonly num: number;
  readonly den: number;
}

export const FOUR_FIFTHS: Exponent = { num: 4, den: 5 };

/**
 * x^(num/den) for x ≥ 0 in WAD, rounded down: with X = x/10^18 the result is
 * ⌊10^18 · X^(num/den)⌋ = ⌊(x^num · 10^(18·(den−num)))^(1/den)⌋, an exact integer root, so the
 * result is identical on every machine. Bound: powDown(x) ≤ 10^18·X^e < powDown(x) + 1.
 * @example powDown(32n * WAD, FOUR_FIFTHS) // 16n * WAD (32^0.8 = 16)
 */
export function powDown(x: bigint, e: Exponent = FOUR_FIFTHS): bigint {
  if (x <= 0n) return 0n;
  if (e.num === e.den) return x;
  return irootFloor(x ** BigInt(e.num) * WAD ** BigInt(e.den - e.num), e.den);
}

/** x^(num/den) in WAD rounded up: powDown(x) ≤ powUp(x) ≤ powDown(x) + 1, equal when exact. */
export function powUp(x: bigint, e: Exponent = FOUR_FIFTHS): bigint {
  if (x <= 0n) return 0n;
  if (e.num === e.den) return x;
  return irootCeil(x ** BigInt(e.num) * WAD ** BigInt(e.den - e.num), e.den);
}

/** Integer square root, rounded down. */
export function isqrt(n: bigint): bigint {
  return irootFloor(n, 2);
}

/**
 * Natural logarithm of a positive WAD number, deterministic (no Math.log): ln x = 2·atanh(z) with
 * z = (x − 1)/(x + 1), summed in WAD until the terms vanish, after halving/doubling x into
 * [0.5, 2) by powers of two (ln 2 is a constant). Truncation error ≤ a few units of 10^-18.
 */
export function lnWad(x: bigint): bigint {
  if (x <= 0n) throw new RangeError('lnWad of a non-positive number');
  let k = 0n;
  while (x >= 2n * WAD) {
    x = x / 2n;
    k += 1n;
  }
  while (x < WAD / 2n) {
    x = x * 2n;
    k -= 1n;
  }
  const z = divFloor((x - WAD) * WAD, x + WAD);
  const z2 = divFloor(z * z, WAD);
  let term = z;
  let sum = 0n;
  for (let i = 1n; term !== 0n; i += 2n) {
    sum += term / i;
    term = (term * z2) / WAD; // truncates toward 0, so the series terminates for either sign
  }
  return 2n * sum + k * LN2_WAD;
}

/** ln 2 in WAD (rounded down). */
export const LN2_WAD = 693147180559945309n;

/** Parses a decimal string like "0.0000002512" into WAD exactly (throws beyond 18 decimals). */
export function wad(decimal: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,18}))?$/.exec(decimal);
  if (!m) throw new RangeError(`not a decimal with at most 18 fraction digits: ${decimal}`);
  const v = BigInt(m[2]!) * WAD + BigInt((m[3] ?? '').padEnd(18, '0'));
  return m[1] ? -v : v;
}

/** WAD to a float64 (for display and the float path's inputs). */
export function toNumber(x: bigint, decimals = 18): number {
  const s = scaleOf(decimals);
  const i = x / s;
  return Number(i) + Number(x - i * s) / Number(s);
}
