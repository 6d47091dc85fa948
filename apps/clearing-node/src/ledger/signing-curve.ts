/**
 * secp256k1 for the signer thread: `@noble/curves`' curve with two of its parts replaced, and the
 * same signatures (RFC 6979 fixes the nonce, so "the same" is byte for byte; the tests hold it to
 * `@omniclear/protocol`'s `signDigest` on random keys and digests and on edge digests).
 *
 * - Field products are reduced with the prime's form p = 2^256 − 2^32 − 977 (two folds of the
 *   high half, times 2^32 + 977, and one conditional subtraction) instead of a bigint division;
 *   sums and differences of reduced elements by one conditional correction.
 * - RFC 6979's HMAC-SHA256 is node:crypto's instead of the JavaScript one.
 *
 * On the bench machine a signature went from ~270 to ~225 µs. Kept to `@noble/curves` and
 * node:crypto, so the thread stays quick to start.
 */
import { createHmac, randomBytes } from 'node:crypto';

import { weierstrass } from '@noble/curves/abstract/weierstrass';
import { secp256k1 } from '@noble/curves/secp256k1';

const base = secp256k1.CURVE;
const P = base.Fp.ORDER;
const LOW = (1n << 256n) - 1n;
/** 2^256 mod p. */
const FOLD = (1n << 32n) + 977n;

/** `x mod p` for 0 ≤ x < 2^512 (a product of two reduced elements). */
function reduce(x: bigint): bigint {
  let r = (x & LOW) + (x >> 256n) * FOLD; // < 2^256 + 2^289
  r = (r & LOW) + (r >> 256n) * FOLD; // < 2^256 + 2^66 < 2p
  return r >= P ? r - P : r;
}

/** The base field, with multiplication, squaring, addition and subtraction of reduced elements replaced. */
const Fp = Object.freeze({
  ...base.Fp,
  mul: (a: bigint, b: bigint): bigint => reduce(a * b),
  sqr: (a: bigint): bigint => reduce(a * a),
  add: (a: bigint, b: bigint): bigint => {
    const r = a + b;
    return r >= P ? r - P : r;
  },
  sub: (a: bigint, b: bigint): bigint => {
    const r = a - b;
    return r < 0n ? r + P : r;
  },
});

/** HMAC-SHA256 of the concatenated messages (RFC 6979's DRBG), by node:crypto. */
function hmac(key: Uint8Array, ...messages: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const m of messages) h.update(m);
  return new Uint8Array(h.digest());
}

/** The signer thread's secp256k1: see the module's description. */
export const signingCurve = weierstrass({
  ...base,
  Fp,
  hmac,
  randomBytes: (n?: number) => new Uint8Array(randomBytes(n ?? 32)),
});

/**
 * `digest` (0x-hex, 32 bytes) signed with `privateKey` (0x-hex): the 65-byte `r ‖ s ‖ v` (low-s,
 * `v` = 27 + y parity), as `signDigest` gives it.
 */
export function signWithCurve(digest: string, privateKey: string): string {
  const sig = signingCurve.sign(digest.slice(2), privateKey.slice(2), { lowS: true, extraEntropy: false });
  return `0x${sig.toCompactHex()}${sig.recovery === 0 ? '1b' : '1c'}`;
}
