import fc from 'fast-check';
import { stringToHex, type Hex } from 'viem';

import { MalformedPayloadError, bytes32ToMarket, marketToBytes32 } from '../src/index.js';

describe('market symbols as bytes32', () => {
  it('pads the ASCII symbol with zero bytes, as viem stringToHex(s, { size: 32 })', () => {
    expect(marketToBytes32('ETH-PERP')).toBe(`0x4554482d50455250${'00'.repeat(24)}`);
    expect(bytes32ToMarket(`0x4554482d50455250${'00'.repeat(24)}`)).toBe('ETH-PERP');
  });

  it('round-trips every valid symbol', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z0-9_-]{1,31}$/), (symbol) => {
        const hex = marketToBytes32(symbol);
        expect(hex).toBe(stringToHex(symbol, { size: 32 }));
        expect(bytes32ToMarket(hex)).toBe(symbol);
        expect(bytes32ToMarket(hex.toUpperCase().replace('0X', '0x') as Hex)).toBe(symbol);
      }),
    );
  });

  it.each(['', 'eth-perp', 'ETH PERP', 'ETH.PERP', 'A'.repeat(32), 'ÉTH'])('refuses the symbol %j', (symbol) => {
    expect(() => marketToBytes32(symbol)).toThrow(MalformedPayloadError);
    expect(() => marketToBytes32(symbol)).toThrow(/expected 1-31 of A-Z, 0-9, _, -$/);
  });

  it.each<[string, string]>([
    ['all zero', `0x${'00'.repeat(32)}`],
    ['a byte after the padding', `0x41${'00'.repeat(30)}42`],
    ['no zero byte at all', `0x${'41'.repeat(32)}`],
    ['lowercase letters', stringToHex('eth', { size: 32 })],
    ['a dot', stringToHex('A.B', { size: 32 })],
    ['too short', '0x4142'],
  ])('refuses a bytes32 with %s', (_name, hex) => {
    expect(() => bytes32ToMarket(hex as Hex)).toThrow(MalformedPayloadError);
  });
});
