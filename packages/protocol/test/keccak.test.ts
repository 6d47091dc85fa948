import { keccak_256 } from '@noble/hashes/sha3';
import fc from 'fast-check';
import { getAddress } from 'viem';

import { checksumDigits, keccak256 } from '../src/keccak.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('keccak256', () => {
  it('hashes the empty input and a short text to their well-known digests', () => {
    expect(hex(keccak256(new Uint8Array()))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    // keccak256("transfer(address,uint256)"): its first four bytes are the ERC-20 selector
    const digest = keccak256(new TextEncoder().encode('transfer(address,uint256)'));
    expect(hex(digest).slice(0, 8)).toBe('a9059cbb');
  });

  it('agrees with @noble/hashes on every length around the block boundaries (rate 136 bytes)', () => {
    for (let n = 0; n <= 3 * 136 + 1; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff);
      expect(hex(keccak256(data))).toBe(hex(keccak_256(data)));
    }
  });

  it('property: agrees with @noble/hashes on random inputs, and leaves its input untouched', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (data) => {
        const before = hex(data);
        expect(hex(keccak256(data))).toBe(hex(keccak_256(data)));
        expect(hex(data)).toBe(before);
      }),
      { numRuns: 1500 },
    );
  });

  it('returns a new array each time', () => {
    const a = keccak256(new Uint8Array([1]));
    const b = keccak256(new Uint8Array([2]));
    expect(a).not.toBe(b);
    expect(hex(a)).toBe(hex(keccak_256(new Uint8Array([1]))));
  });
});

describe('checksumDigits', () => {
  it("property: is viem's getAddress (EIP-55) of the lower-case address", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        const digits = Buffer.from(bytes).toString('hex');
        expect(checksumDigits(digits)).toBe(getAddress(`0x${digits}`));
      }),
      { numRuns: 2000 },
    );
  });
});
