import { hexToString, stringToHex, type Hex } from 'viem';

import { MalformedPayloadError } from './errors.js';

/** A market symbol: 1-31 of A-Z, 0-9, `_`, `-` (31 so that the padded bytes32 always ends in a zero byte). */
export const MARKET_SYMBOL = /^[A-Z0-9_-]{1,31}$/;

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * A market symbol as the `bytes32` EXPOSURE payloads carry: the ASCII bytes right-padded with zero
 * bytes (viem `stringToHex(symbol, { size: 32 })`).
 *
 * @throws MalformedPayloadError for a symbol outside {@link MARKET_SYMBOL}.
 * @example
 * marketToBytes32('ETH-PERP'); // '0x4554482d50455250000000…00'
 */
export function marketToBytes32(symbol: string): Hex {
  if (typeof symbol !== 'string' || !MARKET_SYMBOL.test(symbol)) {
    throw new MalformedPayloadError(
      `invalid market symbol ${JSON.stringify(String(symbol))}: expected 1-31 of A-Z, 0-9, _, -`,
      {
        details: { symbol },
      },
    );
  }
  return stringToHex(symbol, { size: 32 });
}

/**
 * The market symbol of a `bytes32` market: the ASCII bytes before the zero padding.
 *
 * @throws MalformedPayloadError unless the bytes are a valid symbol followed only by zero bytes.
 * @example
 * bytes32ToMarket(marketToBytes32('BTC-PERP')); // 'BTC-PERP'
 */
export function bytes32ToMarket(market: Hex): string {
  if (typeof market !== 'string' || !BYTES32.test(market)) {
    throw new MalformedPayloadError('invalid market: expected 32 bytes of 0x-prefixed hex', { details: { market } });
  }
  const hex = market.slice(2).toLowerCase();
  // where the trailing zero bytes start (always at a byte boundary: the rest has an even length)
  const end = hex.search(/(00)*$/);
  const symbol = end === 0 ? '' : hexToString(`0x${hex.slice(0, end)}`);
  if (!MARKET_SYMBOL.test(symbol)) {
    throw new MalformedPayloadError(`invalid market ${market}: not a zero-padded symbol of A-Z, 0-9, _, -`, {
      details: { market },
    });
  }
  return symbol;
}
