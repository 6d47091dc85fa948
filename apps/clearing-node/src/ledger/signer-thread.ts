import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { Hex } from 'viem';

import { SignerThreadError } from '../errors.js';
import type { SignReply, SignRequest, SignerWorkerData } from './signer-worker.js';

/** How a {@link SignerThread} is started. */
export interface SignerThreadOptions {
  /** The worker script (default: {@link signerWorkerUrl}). */
  readonly workerUrl?: URL;
  /**
   * Failures in a row (a crash or exit with no reply since the last one) after which no new thread
   * is started and {@link SignerThread.available} turns false. Default 3.
   */
  readonly maxFailures?: number;
}

/**
 * The signer thread's script: `signer-worker.js` beside this module when it runs from `dist/`.
 * From `src/` (the tests, whose TypeScript a worker thread cannot load) it is the built copy in
 * `dist/`, which `pnpm test` builds first.
 */
export function signerWorkerUrl(): URL {
  const beside = new URL('./signer-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../../dist/ledger/signer-worker.js', import.meta.url);
}

interface Pending {
  readonly id: number;
  readonly resolve: (signature: Hex) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Signs order digests with the clearing signer's key on one `node:worker_threads` Worker, so the
 * ~0.35 ms of a secp256k1 signature leaves the thread that applies inputs. Replies come back in
 * the order asked (one thread, a FIFO of requests keyed by a counter; a reply out of turn counts
 * as a failure). When the thread crashes or exits, every request it held is rejected with a
 * {@link SignerThreadError} and the next request starts a new thread — up to `maxFailures` in a
 * row, after which {@link available} is false and the caller signs in its own thread.
 *
 * The thread does not keep the process alive while idle; {@link close} terminates it.
 * @example
 * const thread = new SignerThread(key);
 * const signature = await thread.sign(hashOrder(order, domain)); // 0x r ‖ s ‖ v
 * await thread.close();
 */
export class SignerThread {
  private worker: Worker | null = null;
  private readonly pending: Pending[] = [];
  private nextId = 0;
  private failuresInARow = 0;
  private closed = false;
  private readonly workerUrl: URL;
  private readonly maxFailures: number;
  /** Threads started so far (the first, and one after each failure). */
  private starts = 0;

  constructor(
    private readonly privateKey: Hex,
    options: SignerThreadOptions = {},
  ) {
    this.workerUrl = options.workerUrl ?? signerWorkerUrl();
    this.maxFailures = options.maxFailures ?? 3;
  }

  /** False once closed, or once the thread failed `maxFailures` times in a row. */
  get available(): boolean {
    return !this.closed && this.failuresInARow < this.maxFailures;
  }

  /** Threads started so far and failures in a row (for tests and /health). */
  stats(): { starts: number; failuresInARow: number; pending: number } {
    return { starts: this.starts, failuresInARow: this.failuresInARow, pending: this.pending.length };
  }

  /**
   * The 65-byte signature (`r ‖ s ‖ v`, 0x-hex) of the 32-byte `digest` by the thread.
   * @throws SignerThreadError when the thread is unavailable, crashed or exited before it answered,
   *   or could not sign.
   */
  sign(digest: Hex): Promise<Hex> {
    if (this.closed) return Promise.reject(new SignerThreadError('the signer thread is stopped'));
    if (!this.available) {
      return Promise.reject(
        new SignerThreadError(`the signer thread failed ${this.failuresInARow} times in a row; not restarted`),
      );
    }
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<Hex>((resolve, reject) => {
      if (this.pending.length === 0) worker.ref(); // keep the process up until it answers
      this.pending.push({ id, resolve, reject });
      const request: SignRequest = { id, digest };
      worker.postMessage(request);
    });
  }

  /**
   * Starts the thread now, when it is not running, so it is ready (its tables built) by the first
   * order instead of starting with it. Does nothing once closed or given up on.
   */
  warm(): void {
    if (this.available && !this.worker) this.start();
  }

  /** Terminates the thread; requests it still held are rejected. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.rejectAll(new SignerThreadError('the signer thread is stopped'));
    await worker?.terminate();
  }

  private start(): Worker {
    const data: SignerWorkerData = { privateKey: this.privateKey };
    const worker = new Worker(this.workerUrl, { workerData: data, name: 'order-signer' });
    this.starts += 1;
    worker.unref();
    worker.on('message', (reply: SignReply) => this.onReply(worker, reply));
    worker.on('error', (error: Error) =>
      this.fail(worker, new SignerThreadError(`the signer thread failed: ${error.message}`, { cause: error })),
    );
    worker.on('exit', (code: number) =>
      this.fail(worker, new SignerThreadError(`the signer thread exited (code ${code}) before answering`)),
    );
    this.worker = worker;
    return worker;
  }

  private onReply(worker: Worker, reply: SignReply): void {
    if (worker !== this.worker) return;
    const head = this.pending[0];
    if (head?.id !== reply.id) {
      this.fail(
        worker,
        new SignerThreadError(`the signer thread answered request ${reply.id} out of turn`, {
          details: { expected: head?.id ?? null },
        }),
      );
      return;
    }
    this.pending.shift();
    if (this.pending.length === 0) worker.unref();
    this.failuresInARow = 0;
    if ('error' in reply) head.reject(new SignerThreadError(`the signer thread could not sign: ${reply.error}`));
    else head.resolve(reply.signature as Hex);
  }

  /** The thread `worker` is gone (or must go): its requests are rejected with `error`; the next request starts another. */
  private fail(worker: Worker, error: SignerThreadError): void {
    if (worker !== this.worker) return; // a late event of a thread already replaced or closed
    this.worker = null;
    this.failuresInARow += 1;
    void worker.terminate();
    this.rejectAll(error);
  }

  private rejectAll(error: SignerThreadError): void {
    const pending = this.pending.splice(0);
    for (const p of pending) p.reject(error);
  }
}
