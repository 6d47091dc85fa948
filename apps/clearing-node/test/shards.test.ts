import 'reflect-metadata';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startNats, type NatsServer } from '@omniclear/testkit';

import { createApp, startApp } from '../src/app.js';
import type { AccountDto, OrderDto } from '../src/api/views.js';
import { readNodeConfig } from '../src/config.js';
import type { ConsumerStatus } from '../src/ledger/input-consumer.js';
import { shardOf } from '../src/ledger/shards.js';
import { Inputs, getJson, testConfig, testEnv, waitFor } from './helpers.js';
import { publishAll, rng, scenario } from './scenario.js';

// Accounts split by hash over two nodes, each applying only its shard's vault messages (and
// every price): together they decide exactly what one unsharded node decides.

type Health = { stateHash: string; input: ConsumerStatus; sources: Array<{ eid: number; gaps: number }> };

let nats: NatsServer;
let inputs: Inputs;
const apps: NestFastifyApplication[] = [];

beforeAll(async () => {
  nats = await startNats();
  inputs = await Inputs.connect(nats.url);
}, 30_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await inputs?.close();
  await nats?.stop();
});

async function node(nodeId: string, env: Record<string, string>): Promise<string> {
  const config = testConfig(nats.url, nodeId, { OMNI_SNAPSHOT_EVERY: '0', ...env });
  const app = await createApp(config, { logger: ['error'] });
  apps.push(app);
  return startApp(app, config);
}

async function caughtUp(url: string, last: bigint): Promise<Health> {
  return waitFor(
    `${url} at OMNI_IN#${last}`,
    async () => {
      const h = (await getJson<Health>(`${url}/health`)).body;
      return BigInt(h.input.lastInputSeq) === last ? h : null;
    },
    30_000,
  );
}

it('two shards together decide exactly what one node decides, and see no sequence gaps', async () => {
  const all = scenario(rng(0x5a4d));
  const whole = await node('whole', {});
  const shard0 = await node('shard-0', { OMNI_SHARD_COUNT: '2', OMNI_SHARDS: '0' });
  const shard1 = await node('shard-1', { OMNI_SHARD_COUNT: '2', OMNI_SHARDS: '1' });
  const last = await publishAll(inputs, all);
  const [w, h0, h1] = await Promise.all([caughtUp(whole, last), caughtUp(shard0, last), caughtUp(shard1, last)]);
  // every vault number counts on every shard, owned or not
  for (const h of [w, h0, h1]) expect(h.sources.map((s) => s.gaps)).toEqual([0, 0]);

  const orders = async (url: string) => (await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body.orders;
  const [ow, o0, o1] = await Promise.all([orders(whole), orders(shard0), orders(shard1)]);
  expect(ow.length).toBeGreaterThan(5);
  expect(o0.length).toBeGreaterThan(0);
  expect(o1.length).toBeGreaterThan(0);
  expect([...o0, ...o1].map((o) => o.orderId).sort()).toEqual(ow.map((o) => o.orderId).sort());
  for (const o of o0) expect(shardOf(o.account, 2)).toBe(0);
  for (const o of o1) expect(shardOf(o.account, 2)).toBe(1);

  // each account reads the same on its owner as on the unsharded node; prices reached both
  const accounts = [...new Set(ow.map((o) => o.account))];
  for (const a of accounts) {
    const owner = shardOf(a, 2) === 0 ? shard0 : shard1;
    const [mine, ref] = await Promise.all([
      getJson<AccountDto>(`${owner}/accounts/${a}`),
      getJson<AccountDto>(`${whole}/accounts/${a}`),
    ]);
    expect(mine.body).toEqual(ref.body);
  }
  const outIds = (await inputs.outputs()).map((o) => o.msgId);
  expect(new Set(outIds).size).toBe(outIds.length);
  expect(outIds.length).toBe(ow.length);
}, 120_000);

it('refuses a shard index outside the shard count, naming the key', () => {
  expect(() =>
    readNodeConfig({ ...testEnv('nats://127.0.0.1:4222'), OMNI_SHARD_COUNT: '2', OMNI_SHARDS: '0,2' }),
  ).toThrow(/OMNI_SHARDS: shard 2 ≥ OMNI_SHARD_COUNT \(2\)/);
  expect(() => readNodeConfig({ ...testEnv('nats://127.0.0.1:4222'), OMNI_SHARDS: 'one' })).toThrow(/OMNI_SHARDS/);
});
