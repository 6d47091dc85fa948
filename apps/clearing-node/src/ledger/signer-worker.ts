/**
 * The signer thread's entry (a `node:worker_threads` Worker, see {@link SignerThread}): signs the
 * 32-byte digests it is sent with the clearing signer's key, one reply per request, in the order
 * asked, on {@link signingCurve} (`@noble/curves` with a faster field and node:crypto's HMAC), so
 * the thread starts in milliseconds and holds little; its signatures are `@omniclear/protocol`'s
 * `signDigest` bytes (RFC 6979, low-s, `r ‖ s ‖ v`), which the tests hold it to.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { signWithCurve, signingCurve } from './signing-curve.js';

/** A request to the thread: sign `digest` (0x-prefixed, 32 bytes). */
export interface SignRequest {
  readonly id: number;
  readonly digest: string;
}

/** The thread's reply to request `id`: the 65-byte signature as 0x-hex, or why it could not sign. */
export type SignReply =
  { readonly id: number; readonly signature: string } | { readonly id: number; readonly error: string };

/** What the thread is started with. */
export interface SignerWorkerData {
  /** The clearing signer's private key, 0x-hex. */
  readonly privateKey: string;
}

/**
 * Window of the generator's precomputed multiples, in bits. A signature is mostly one k·G; with
 * 2^11 multiples per 12-bit window (~14 MB, ~0.3 s to build at start) instead of the library's
 * 8-bit default, it takes fewer point additions: a signature costs ~15–45 % less on the bench
 * machine. The signature itself does not change (RFC 6979 fixes k).
 */
const SIGNER_PRECOMPUTE_WINDOW = 12;

const port = parentPort;
if (port) {
  // built before the first request is read: requests wait in the port meanwhile
  signingCurve.utils.precompute(SIGNER_PRECOMPUTE_WINDOW);
  const key = (workerData as SignerWorkerData).privateKey;
  port.on('message', ({ id, digest }: SignRequest) => {
    let reply: SignReply;
    try {
      reply = { id, signature: signWithCurve(digest, key) };
    } catch (error) {
      reply = { id, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
}
