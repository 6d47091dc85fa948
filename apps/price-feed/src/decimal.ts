import { DecimalFormatError } from './errors.js';

/** Prices on the wire are USD with 18 decimals. */
export const PRICE_DECIMALS = 18;
const ONE = 10n ** 18n;
const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Parses a non-negative decimal string (e.g. a CSV close `43955.47000000`) into an 18-decimal
 * bigint, exactly: no floats, and a value with more than 18 significant decimals is refused rather
 * than rounded (trailing zeros beyond 18 are fine).
 *
 * @throws {DecimalFormatError} when the text is not a plain decimal or needs more than 18 decimals.
 * @example parseDecimal18('3706.96'); // 3706960000000000000000n
 */
export function parseDecimal18(text: string): bigint {
  const m = DECIMAL.exec(text);
  if (!m) throw new DecimalFormatError(`not a decimal number: ${JSON.stringify(text)}`, { details: { text } });
  const whole = m[1]!;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > PRICE_DECIMALS) {
    throw new DecimalFormatError(`more than ${PRICE_DECIMALS} decimals: ${JSON.stringify(text)}`, {
      details: { text },
    });
  }
  return BigInt(whole) * ONE + BigInt(fraction.padEnd(PRICE_DECIMALS, '0') || '0');
}

/**
 * Rescales an integer `answer` with `decimals` decimals to 18 decimals. Exact for decimals ≤ 18
 * (every Chainlink USD feed has 8); for more, the digits beyond 18 are truncated.
 *
 * @example scaleTo18(200012345678n, 8); // 2000.12345678 → 2000123456780000000000n
 */
export function scaleTo18(answer: bigint, decimals: number): bigint {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) {
    throw new DecimalFormatError(`invalid decimals ${decimals}`, { details: { decimals } });
  }
  return decimals <= PRICE_DECIMALS
    ? answer * 10n ** BigInt(PRICE_DECIMALS - decimals)
    : answer / 10n ** BigInt(decimals - PRICE_DECIMALS);
}

/** Formats an 18-decimal price for logs, e.g. `2000.5`. */
export function formatPrice(price: bigint): string {
  const sign = price < 0n ? '-' : '';
  const abs = price < 0n ? -price : price;
  const fraction = (abs % ONE).toString().padStart(PRICE_DECIMALS, '0').replace(/0+$/, '');
  return `${sign}${abs / ONE}${fraction ? `.${fraction}` : ''}`;
}

/**
 * The relative difference |a − b| / ref in basis points, rounded up so a bound is never passed by
 * rounding (ref > 0).
 */
export function diffBps(a: bigint, b: bigint, ref: bigint): bigint {
  const d = a > b ? a - b : b - a;
  return (d * 10_000n + ref - 1n) / ref;
}
