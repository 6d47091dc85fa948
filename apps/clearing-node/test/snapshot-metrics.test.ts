import 'reflect-metadata';

import { Kvm } from '@nats-io/kv';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startNats, type NatsServer } from '@omniclear/testkit';

import { createApp, startApp } from '../src/app.js';
import type { ConsumerStatus } from '../src/ledger/input-consumer.js';
import { OMNI_IN_STREAM } from '../src/nats/streams.js';
import { Inputs, WAD, getJson, reportAlice, sample, testConfig, waitFor } from './helpers.js';

// The snapshot metrics on a real nats-server: each snapshot's capture time, the outcome of its
// write, and the size and sequence of the last one written — checked against the KV bucket — and a
// write that fails (its bucket deleted under the running node) counted as failed while the node
// keeps applying inputs.

const NODE_ID = 'snap-node';
const EVERY = 4;

let nats: NatsServer;
let inputs: Inputs;
let app: NestFastifyApplication | undefined;
let url: string;
let priceTime = 0n;

type Health = { input: ConsumerStatus };

async function metrics(): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** Publishes `n` WETH prices; returns the OMNI_IN sequence of the last. */
async function prices(n: number): Promise<bigint> {
  let last = 0n;
  for (let i = 0; i < n; i++) last = await inputs.price('WETH', 2000n * WAD, (priceTime += 1n));
  return last;
}

beforeAll(async () => {
  nats = await startNats();
  inputs = await Inputs.connect(nats.url);
  await inputs.jsm.streams.add(OMNI_IN_STREAM);
  const config = testConfig(nats.url, NODE_ID, { OMNI_SNAPSHOT_EVERY: String(EVERY) });
  app = await createApp(config, { logger: ['error'] });
  url = await startApp(app, config);
}, 30_000);

afterAll(async () => {
  await app?.close();
  await inputs?.close();
  await nats?.stop();
});

describe('snapshot metrics', () => {
  it('count each snapshot written, with the size and sequence of the last, as the KV bucket holds it', async () => {
    const before = await metrics();
    expect(sample(before, 'omniclear_node_snapshots_total', { outcome: 'written' })).toBe(0);
    expect(sample(before, 'omniclear_node_snapshots_total', { outcome: 'failed' })).toBe(0);

    await reportAlice(inputs); // inputs 1–3
    const last = await prices(2 * EVERY - 3); // up to input 8: snapshots at 4 and 8
    expect(last).toBe(BigInt(2 * EVERY));
    await waitFor('the second snapshot', async () => {
      const h = (await getJson<Health>(`${url}/health`)).body;
      return h.input.lastSnapshotSeq === String(last);
    });

    const text = await metrics();
    expect(sample(text, 'omniclear_node_snapshots_total', { node: NODE_ID, outcome: 'written' })).toBe(2);
    expect(sample(text, 'omniclear_node_snapshots_total', { outcome: 'failed' })).toBe(0);
    expect(sample(text, 'omniclear_node_snapshot_capture_seconds_count')).toBe(2);
    expect(sample(text, 'omniclear_node_snapshot_capture_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, 'omniclear_node_snapshot_last_sequence')).toBe(Number(last));
    // the size is what the bucket's head records for the snapshot it points at
    const kv = await new Kvm(inputs.nc).open('OMNI_SNAPSHOTS');
    const head = (await kv.get(`${NODE_ID}.head`))!.json<{ seq: number; bytes: number }>();
    expect(head.seq).toBe(Number(last));
    expect(head.bytes).toBeGreaterThan(0);
    expect(sample(text, 'omniclear_node_snapshot_bytes')).toBe(head.bytes);
    expect(text).toMatch(/^# TYPE omniclear_node_snapshot_capture_seconds histogram$/m);
  });

  it('count a snapshot that cannot be written as failed, and the node keeps going', async () => {
    const written = Number(sample(await metrics(), 'omniclear_node_snapshot_last_sequence'));
    await inputs.jsm.streams.delete('KV_OMNI_SNAPSHOTS'); // the bucket is gone: the next write fails
    const last = await prices(EVERY);
    await waitFor('the failed write counted', async () => {
      const text = await metrics();
      return sample(text, 'omniclear_node_snapshots_total', { outcome: 'failed' }) === 1 ? text : null;
    });
    const h = (await getJson<Health>(`${url}/health`)).body;
    expect(h.input).toMatchObject({ state: 'live', lastInputSeq: String(last), lastSnapshotSeq: String(written) });
    const text = await metrics();
    expect(sample(text, 'omniclear_node_snapshots_total', { outcome: 'written' })).toBe(2);
    expect(sample(text, 'omniclear_node_snapshot_capture_seconds_count')).toBe(3);
    expect(sample(text, 'omniclear_node_snapshot_last_sequence')).toBe(written);
    // inputs after it are still applied
    const next = await prices(1);
    await waitFor('the next input', async () => {
      const s = (await getJson<Health>(`${url}/health`)).body;
      return s.input.lastInputSeq === String(next);
    });
  }, 30_000);
});
