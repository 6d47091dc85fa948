import { randomBytes } from 'node:crypto';

import type { Order } from '@omniclear/margin-engine';
import {
  OrderSigningKey,
  STREAMS,
  encodeOrder,
  parseOrder,
  recoverOrderSigner,
  signDigest,
  signOrder,
  type OrderDomain,
} from '@omniclear/protocol';
import { startNats, type NatsServer } from '@omniclear/testkit';
import type { Hex } from 'viem';

import { SignerThreadError } from '../src/errors.js';
import { NatsClient } from '../src/nats/nats.client.js';
import { OrderPublisher, toOutputOrder } from '../src/ledger/order-publisher.js';
import { SignerThread } from '../src/ledger/signer-thread.js';
import {
  ALICE,
  BOB,
  EID_A,
  EID_B,
  HUB_ADDRESS,
  HUB_CHAIN_ID,
  RECIPIENT,
  SIGNER,
  SIGNER_KEY,
  WETH_A,
  WETH_B,
  testConfig,
} from './helpers.js';

/** The real signer thread until its third answer, which it dies instead of giving. */
const DIES_AT_THIRD = new URL('./fixtures/signer-worker-dies-at-third.mjs', import.meta.url);
const key = new OrderSigningKey(SIGNER_KEY);
const digest = (): Hex => `0x${randomBytes(32).toString('hex')}`;

describe('SignerThread', () => {
  let thread: SignerThread;
  afterEach(async () => thread.close());

  it('signs on the worker thread exactly what the key signs in this thread', async () => {
    thread = new SignerThread(SIGNER_KEY);
    const digests = Array.from({ length: 50 }, digest);
    const signatures = await Promise.all(digests.map((d) => thread.sign(d)));
    expect(signatures).toEqual(digests.map((d) => key.signDigest(d)));
    expect(signatures).toEqual(digests.map((d) => signDigest(d, SIGNER_KEY)));
    expect(thread.stats()).toEqual({ starts: 1, failuresInARow: 0, pending: 0 });
  });

  it('warm starts the thread before any request, and the first request is answered by it', async () => {
    thread = new SignerThread(SIGNER_KEY);
    thread.warm();
    thread.warm(); // a thread already running is left alone
    expect(thread.stats()).toEqual({ starts: 1, failuresInARow: 0, pending: 0 });
    const d = digest();
    expect(await thread.sign(d)).toBe(key.signDigest(d));
    expect(thread.stats()).toEqual({ starts: 1, failuresInARow: 0, pending: 0 });
    await thread.close();
    thread.warm(); // closed: no new thread
    expect(thread.stats().starts).toBe(1);
  });

  it('answers many concurrent requests in the order they were asked', async () => {
    thread = new SignerThread(SIGNER_KEY);
    const digests = Array.from({ length: 1000 }, digest);
    const settled: number[] = [];
    const signatures = await Promise.all(
      digests.map((d, i) =>
        thread.sign(d).then((s) => {
          settled.push(i);
          return s;
        }),
      ),
    );
    expect(settled).toEqual(digests.map((_, i) => i));
    expect(signatures).toEqual(digests.map((d) => key.signDigest(d)));
  });

  it('rejects every request a dying thread held with a SignerThreadError; the next request starts a new thread', async () => {
    thread = new SignerThread(SIGNER_KEY, { workerUrl: DIES_AT_THIRD });
    const digests = Array.from({ length: 10 }, digest);
    const results = await Promise.allSettled(digests.map((d) => thread.sign(d)));
    expect(results.slice(0, 2)).toEqual(
      digests.slice(0, 2).map((d) => ({ status: 'fulfilled', value: key.signDigest(d) })),
    );
    for (const r of results.slice(2)) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(SignerThreadError);
      expect(reason.message).toMatch(/exited \(code 7\) before answering/);
    }
    expect(thread.stats()).toEqual({ starts: 1, failuresInARow: 1, pending: 0 });

    const again = digest();
    await expect(thread.sign(again)).resolves.toBe(key.signDigest(again));
    expect(thread.stats()).toEqual({ starts: 2, failuresInARow: 0, pending: 0 });
    expect(thread.available).toBe(true);
  });

  it('is not restarted after maxFailures failures in a row (e.g. a missing script)', async () => {
    thread = new SignerThread(SIGNER_KEY, {
      workerUrl: new URL('./no-such-worker.js', import.meta.url),
      maxFailures: 2,
    });
    await expect(thread.sign(digest())).rejects.toThrow(/signer thread failed: .*no-such-worker/);
    await expect(thread.sign(digest())).rejects.toThrow(SignerThreadError);
    expect(thread.available).toBe(false);
    await expect(thread.sign(digest())).rejects.toThrow(/failed 2 times in a row; not restarted/);
    expect(thread.stats().starts).toBe(2);
  });

  it('close() rejects what it still held and refuses later requests', async () => {
    thread = new SignerThread(SIGNER_KEY);
    const held = Promise.allSettled(Array.from({ length: 200 }, () => thread.sign(digest())));
    await thread.close();
    const results = await held;
    // whatever was answered before the close is right; the rest is refused, never lost silently
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as Error).message).toMatch(/signer thread is stopped/);
    }
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    await expect(thread.sign(digest())).rejects.toThrow(/signer thread is stopped/);
    expect(thread.available).toBe(false);
  });
});

describe('OrderPublisher on a real broker', () => {
  let server: NatsServer;
  let nats: NatsClient;
  const domain: OrderDomain = { chainId: HUB_CHAIN_ID, verifyingContract: HUB_ADDRESS };
  const TIME = 1_764_000_000n;

  beforeAll(async () => {
    server = await startNats();
    nats = await NatsClient.connect([server.url], 'signer-thread-test');
  });
  afterAll(async () => {
    await nats.onApplicationShutdown();
    await server.stop();
  });

  /**
   * `count` engine orders, liquidations and withdrawal decisions in turn, with unique ids, dated
   * as the book dates them (their input at TIME + inputSeq, expiring `ttl` later).
   */
  function orders(count: number, firstSeq: bigint, ttl: bigint): Order[] {
    return Array.from({ length: count }, (_, i): Order => {
      const inputSeq = firstSeq + BigInt(i);
      const expiry = TIME + inputSeq + ttl;
      const id = `0x${inputSeq.toString(16).padStart(64, '0')}`;
      return i % 2 === 0
        ? {
            kind: 'liquidate',
            id,
            account: ALICE,
            asset: 'WETH',
            chain: EID_A,
            token: WETH_A,
            amount: 10n ** 18n + inputSeq,
            insuranceAmount: inputSeq,
            recipient: RECIPIENT,
            inputSeq,
            expiry,
          }
        : {
            kind: 'withdraw-decision',
            id,
            account: BOB,
            asset: 'WETH',
            chain: EID_B,
            token: WETH_B,
            amount: inputSeq,
            requestId: inputSeq,
            approved: i % 4 === 1,
            reason: 'approved',
            maxWithdraw: 0n,
            inputSeq,
            expiry,
          };
    });
  }

  /** The bytes in-thread signing gives the order (what the node published before the signer thread). */
  async function inThreadBytes(o: Order): Promise<Uint8Array> {
    return encodeOrder(await signOrder(key, toOutputOrder(o, o.expiry!), domain));
  }

  /** Signs every order at once (as the consumer does on hand-off), then publishes them in order. */
  async function pipeline(publisher: OrderPublisher, batch: Order[]): Promise<void> {
    const signed = batch.map((o) => publisher.sign(o));
    for (const s of signed) await publisher.publishSigned(await s);
  }

  /** OMNI_OUT's messages from `from` on. */
  async function published(from: number, count: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let seq = from; seq < from + count; seq++) out.push((await nats.messageAt(STREAMS.OUT.name, seq))!);
    return out;
  }

  it('publishes, in order, the bytes in-thread signing gives, the signatures made on the signer thread', async () => {
    const config = testConfig(server.url);
    const publisher = new OrderPublisher(nats, config);
    try {
      expect(publisher.signerAddress).toBe(SIGNER);
      const batch = orders(40, 1_000n, config.signing.orderTtlSeconds);
      await pipeline(publisher, batch);
      const data = await published(1, batch.length);
      expect(data).toEqual(await Promise.all(batch.map((o) => inThreadBytes(o))));
      const first = parseOrder(data[0]!);
      expect(await recoverOrderSigner(first, domain)).toBe(SIGNER);
      expect(publisher.stats()).toEqual({ published: 40, duplicates: 0, signedInThread: 0 });
    } finally {
      await publisher.onApplicationShutdown();
    }
  });

  it('loses no order when the signer thread dies mid-way: the rest are signed in this thread, same bytes, same order', async () => {
    const config = testConfig(server.url);
    const publisher = new OrderPublisher(nats, config, { workerUrl: DIES_AT_THIRD });
    try {
      const before = (await nats.streamInfo(STREAMS.OUT.name)).state.last_seq;
      const batch = orders(30, 2_000n, config.signing.orderTtlSeconds);
      await pipeline(publisher, batch);
      // a second batch after the failure goes to a new thread (which dies again at its third)
      const more = orders(10, 3_000n, config.signing.orderTtlSeconds);
      await pipeline(publisher, more);
      const all = [...batch, ...more];
      const data = await published(before + 1, all.length);
      expect(data).toEqual(await Promise.all(all.map((o) => inThreadBytes(o))));
      const stats = publisher.stats();
      expect(stats.published).toBe(all.length);
      // the first thread signed two orders of the first batch, the second two of the second
      expect(stats.signedInThread).toBe(all.length - 4);
      expect((await nats.streamInfo(STREAMS.OUT.name)).state.last_seq).toBe(before + all.length);
    } finally {
      await publisher.onApplicationShutdown();
    }
  });
});
