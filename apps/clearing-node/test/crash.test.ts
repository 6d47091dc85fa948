import 'reflect-metadata';

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { freePort, startNats, startProcess, type ManagedProcess, type NatsServer } from '@omniclear/testkit';

import { createApp, startApp } from '../src/app.js';
import type { OrderDto } from '../src/api/views.js';
import type { ConsumerStatus } from '../src/ledger/input-consumer.js';
import { parseOrder, recoverOrderSigner } from '@omniclear/protocol';
import { ANVIL_KEYS } from '@omniclear/testkit';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { HUB_ADDRESS, HUB_CHAIN_ID, Inputs, SIGNER, getJson, testConfig, testEnv, waitFor } from './helpers.js';
import { publishAll, rng, scenario } from './scenario.js';

// The node is killed with SIGKILL at random points of a long input, many times, and restarted
// (from its latest KV snapshot plus the tail of OMNI_IN). Its final state and the orders in
// OMNI_OUT must be those of a node that never stopped: none lost, none duplicated. The reference
// node signs with another key: its copy of every order must be the crashed node's but for the
// signer (expiry included — the crashed node dated many of its copies by reading OMNI_IN back).

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const SEED = 0x5eed_c0de;
const KILLS = 8;
const REFERENCE_KEY = ANVIL_KEYS[8] as Hex;
const REFERENCE_SIGNER = privateKeyToAccount(REFERENCE_KEY).address;

type Health = { stateHash: string; input: ConsumerStatus };

let nats: NatsServer;
let inputs: Inputs;
let reference: NestFastifyApplication | undefined;
let node: ManagedProcess | undefined;

beforeAll(async () => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` first (turbo's test task does)`);
  nats = await startNats();
  inputs = await Inputs.connect(nats.url);
}, 30_000);

afterAll(async () => {
  await node?.kill();
  await reference?.close();
  await inputs?.close();
  await nats?.stop();
});

async function startNode(): Promise<{ proc: ManagedProcess; url: string }> {
  const port = await freePort();
  const proc = await startProcess({
    name: 'clearing-node',
    command: process.execPath,
    args: [MAIN],
    port,
    readyTimeoutMs: 20_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...testEnv(nats.url, 'crashy'),
      OMNI_HTTP_PORT: String(port),
      OMNI_SNAPSHOT_EVERY: '25',
    },
  });
  return { proc, url: `http://127.0.0.1:${port}` };
}

it('SIGKILLed at random points and restarted, ends where an uninterrupted node ends, no order lost or doubled', async () => {
  const rand = rng(SEED);
  const all = scenario(rand);
  const chunk = Math.ceil(all.length / KILLS);
  for (let k = 0; k < KILLS; k++) {
    const { proc } = await startNode();
    node = proc;
    // publish while it runs, then crash it a random moment later (mid-replay or mid-stream)
    await publishAll(inputs, all.slice(k * chunk, (k + 1) * chunk));
    await new Promise((r) => setTimeout(r, Math.floor(rand() * 300)));
    await proc.kill();
    node = undefined;
  }
  const last = BigInt((await inputs.jsm.streams.info('OMNI_IN')).state.last_seq);
  const { proc, url } = await startNode();
  node = proc;
  const health = await waitFor(
    'the restarted node caught up',
    async () => {
      const h = (await getJson<Health>(`${url}/health`)).body;
      return BigInt(h.input.lastInputSeq) === last && h.input.state === 'live' ? h : null;
    },
    30_000,
  );
  const crashedOrders = (await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body.orders;

  // the reference: a node that never stopped (no snapshot, full replay of the same stream)
  const config = testConfig(nats.url, 'reference', { OMNI_SNAPSHOT_EVERY: '0', OMNI_SIGNER_KEY: REFERENCE_KEY });
  const outBefore = await inputs.outputs();
  reference = await createApp(config, { logger: ['error'] });
  const refUrl = await startApp(reference, config);
  const ref = await waitFor(
    'the reference caught up',
    async () => {
      const h = (await getJson<Health>(`${refUrl}/health`)).body;
      return BigInt(h.input.lastInputSeq) === last && h.input.state === 'live' ? h : null;
    },
    30_000,
  );
  const refOrders = (await getJson<{ orders: OrderDto[] }>(`${refUrl}/orders`)).body.orders;

  expect(health.stateHash).toBe(ref.stateHash);
  expect(crashedOrders).toEqual(refOrders);
  expect(refOrders.filter((o) => o.kind === 'liquidate').length).toBeGreaterThan(3);
  expect(refOrders.filter((o) => o.kind === 'withdraw-decision').length).toBeGreaterThan(3);
  // OMNI_OUT holds each of the reference's orders exactly once per signer: the crashed runs lost
  // none and doubled none; the reference added its own copy of each, identical but for the signer
  const ids = outBefore.map((o) => o.msgId);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(refOrders.map((o) => `${o.orderId}:${SIGNER.toLowerCase()}`).sort());
  await waitFor('the reference re-published its pending orders', async () => {
    const h = (await getJson<Health>(`${refUrl}/health`)).body;
    return h.input.reemitted === 0 ? h : null;
  });
  const outAfter = await inputs.outputs();
  expect(outAfter).toHaveLength(outBefore.length + refOrders.length);
  const copies = new Map<string, ReturnType<typeof parseOrder>[]>();
  for (const o of outAfter) {
    const order = parseOrder(JSON.stringify(o.body));
    expect(o.msgId).toBe(`${order.orderId}:${order.signer.toLowerCase()}`);
    expect(await recoverOrderSigner(order, { chainId: HUB_CHAIN_ID, verifyingContract: HUB_ADDRESS })).toBe(
      order.signer,
    );
    copies.set(order.orderId, [...(copies.get(order.orderId) ?? []), order]);
  }
  expect(copies.size).toBe(refOrders.length);
  for (const [, pair] of copies) {
    expect(pair.map((c) => c.signer).sort()).toEqual([SIGNER, REFERENCE_SIGNER].sort());
    const [a, b] = pair.map(({ signer: _s, signature: _sig, ...order }) => order);
    expect(a).toEqual(b);
  }
  // the final start came from a snapshot and replayed only the tail
  expect(BigInt(health.input.snapshotSeq)).toBeGreaterThan(0n);
  process.stdout.write(
    `crash test: ${all.length} inputs, ${KILLS} SIGKILLs, final start from snapshot #${health.input.snapshotSeq} of ${last}; ` +
      `${refOrders.length} orders, state ${health.stateHash.slice(0, 12)}\n`,
  );
}, 180_000);
