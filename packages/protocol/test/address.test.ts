import fc from 'fast-check';
import { getAddress, isAddress } from 'viem';

import { checksummedAddress } from '../src/address.js';

describe('checksummedAddress', () => {
  /** An address spelled as the wire may carry it: lowercase, checksummed, upper case, one letter's case flipped, or cut short. */
  const spelling = fc
    .tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 0, max: 4 }), fc.nat())
    .map(([bytes, how, at]) => {
      const lower = `0x${Buffer.from(bytes).toString('hex')}`;
      const sum = getAddress(lower);
      if (how === 0) return lower;
      if (how === 1) return sum;
      if (how === 2) return `0x${lower.slice(2).toUpperCase()}`;
      if (how === 3) {
        const i = 2 + (at % 40);
        const c = sum[i]!;
        const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
        return sum.slice(0, i) + flipped + sum.slice(i + 1);
      }
      return lower.slice(0, 41);
    });

  it("property: is viem's strict isAddress then getAddress, also the second time an address is seen", () => {
    fc.assert(
      fc.property(spelling, (v) => {
        const expected = isAddress(v) ? getAddress(v) : undefined;
        expect(checksummedAddress(v)).toBe(expected);
        expect(checksummedAddress(v)).toBe(expected); // from the cache
      }),
      { numRuns: 2000 },
    );
  });
});
