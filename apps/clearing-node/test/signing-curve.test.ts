import { randomBytes } from 'node:crypto';

import { signDigest } from '@omniclear/protocol';
import type { Hex } from 'viem';

import { signWithCurve, signingCurve } from '../src/ledger/signing-curve.js';

// The signer thread's curve (a field reduction by the prime's form, node:crypto's HMAC) must sign
// exactly as the protocol's reference signDigest (@noble/curves' secp256k1): RFC 6979 fixes the
// nonce, so every signature is compared byte for byte.

const hex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString('hex')}`;
const N = signingCurve.CURVE.n;
const word = (x: bigint): Hex => `0x${x.toString(16).padStart(64, '0')}`;

describe('the signer thread curve', () => {
  it('signs 500 random digests under random keys exactly as signDigest does', () => {
    for (let i = 0; i < 500; i++) {
      const key = hex(randomBytes(32));
      const digest = hex(randomBytes(32));
      if (!signingCurve.utils.isValidPrivateKey(key.slice(2))) continue; // ≥ n: no key (about 2^-128)
      expect(signWithCurve(digest, key)).toBe(signDigest(digest, key));
    }
  });

  it('signs edge digests and keys exactly as signDigest does', () => {
    const digests = [0n, 1n, N - 1n, N, N + 1n, (1n << 256n) - 1n, signingCurve.CURVE.Fp.ORDER].map(word);
    const keys = [1n, 2n, N - 1n, N / 2n, (1n << 128n) + 1n].map(word);
    for (const key of keys)
      for (const digest of digests) expect(signWithCurve(digest, key)).toBe(signDigest(digest, key));
  });

  it("signs the same with the thread's window of precomputed multiples (built for the rest of the file)", () => {
    signingCurve.utils.precompute(12);
    for (let i = 0; i < 100; i++) {
      const key = hex(randomBytes(32));
      const digest = hex(randomBytes(32));
      if (!signingCurve.utils.isValidPrivateKey(key.slice(2))) continue;
      expect(signWithCurve(digest, key)).toBe(signDigest(digest, key));
    }
  });

  it('makes signatures the curve verifies and recovers to the key', () => {
    const key = hex(randomBytes(32));
    const digest = hex(randomBytes(32));
    const signature = signWithCurve(digest, key);
    const compact = signature.slice(2, 130);
    const recovery = signature.endsWith('1b') ? 0 : 1;
    const publicKey = signingCurve.getPublicKey(key.slice(2), false);
    expect(signingCurve.verify(compact, digest.slice(2), publicKey)).toBe(true);
    const sig = signingCurve.Signature.fromCompact(compact).addRecoveryBit(recovery);
    expect(sig.recoverPublicKey(digest.slice(2)).toHex(false)).toBe(Buffer.from(publicKey).toString('hex'));
  });
});
