import 'reflect-metadata';

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HubBoundMessage } from '@omniclear/protocol';
import { freePort, startNats, startProcess, type ManagedProcess, type NatsServer } from '@omniclear/testkit';
import type { Address } from 'viem';

import { createApp, startApp } from '../src/app.js';
import type { OrderDto } from '../src/api/views.js';
import type { ConsumerStatus } from '../src/ledger/input-consumer.js';
import {
  EID_A,
  EID_B,
  Inputs,
  PERP,
  WAD,
  WETH_A,
  WETH_B,
  getJson,
  marketId,
  testConfig,
  testEnv,
  waitFor,
} from './helpers.js';

// The node is killed with SIGKILL at random points of a long input, many times, and restarted
// (from its latest KV snapshot plus the tail of OMNI_IN). Its final state and the orders in
// OMNI_OUT must be those of a node that never stopped: none lost, none duplicated.

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const SEED = 0x5eed_c0de;
const KILLS = 8;

type Health = { stateHash: string; input: ConsumerStatus };

/** Deterministic PRNG (mulberry32): the run is reproducible from SEED. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Input = { kind: 'hub'; eid: number; message: HubBoundMessage } | { kind: 'price'; price: bigint; time: bigint };

/** A long, liquidation-rich input: deposits, positions, withdrawal requests, a price walk, replays. */
function scenario(rand: () => number): Input[] {
  const accounts = Array.from({ length: 12 }, (_, i) => `0x${(0xacc00 + i).toString(16).padStart(40, '0')}` as Address);
  const seq: Record<number, bigint> = { [EID_A]: 0n, [EID_B]: 0n };
  const requestId: Record<number, bigint> = { [EID_A]: 0n, [EID_B]: 0n };
  const balances = new Map<string, bigint>();
  const sent: Input[] = [];
  const out: Input[] = [];
  const hub = (eid: number, body: Record<string, unknown>) => {
    seq[eid] = seq[eid]! + 1n;
    const input: Input = { kind: 'hub', eid, message: { ...body, seq: seq[eid]! } as unknown as HubBoundMessage };
    out.push(input);
    sent.push(input);
  };
  let time = 1_764_000_000n;
  let price = 2000n;
  const tick = () => {
    price += BigInt(Math.round((rand() - 0.55) * 80));
    if (price < 900n) price = 900n;
    out.push({ kind: 'price', price: price * WAD, time: (time += 5n) });
  };
  tick();
  accounts.forEach((account, i) => {
    const eid = i % 2 === 0 ? EID_A : EID_B;
    const token = eid === EID_A ? WETH_A : WETH_B;
    const amount = BigInt(1 + Math.floor(rand() * 5)) * WAD;
    balances.set(`${eid}:${account}`, amount);
    hub(eid, { type: 'BALANCE', account, token, balance: amount, delta: amount });
    if (i % 3 !== 2)
      hub(eid, {
        type: 'EXPOSURE',
        account,
        protocol: PERP,
        market: marketId('ETH-PERP'),
        size: BigInt(10 + Math.floor(rand() * 40)) * WAD,
        entryPrice: 2000n * WAD,
      });
  });
  for (let step = 0; step < 300; step++) {
    const r = rand();
    if (r < 0.5) tick();
    else if (r < 0.7) {
      const i = Math.floor(rand() * accounts.length);
      const eid = i % 2 === 0 ? EID_A : EID_B;
      const token = eid === EID_A ? WETH_A : WETH_B;
      const add = BigInt(Math.floor(rand() * 3)) * WAD;
      const key = `${eid}:${accounts[i]}`;
      balances.set(key, balances.get(key)! + add);
      hub(eid, { type: 'BALANCE', account: accounts[i], token, balance: balances.get(key)!, delta: add });
    } else if (r < 0.85) {
      const i = Math.floor(rand() * accounts.length);
      const eid = i % 2 === 0 ? EID_A : EID_B;
      requestId[eid] = requestId[eid]! + 1n;
      hub(eid, {
        type: 'WITHDRAW_REQUEST',
        account: accounts[i],
        token: eid === EID_A ? WETH_A : WETH_B,
        amount: BigInt(1 + Math.floor(rand() * 2)) * WAD,
        requestId: requestId[eid]!,
      });
    } else {
      // the gateway re-publishing an old hub message (another tx): a replay the node must ignore
      out.push(sent[Math.floor(rand() * sent.length)]!);
    }
  }
  return out;
}

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

async function publish(list: Input[]): Promise<bigint> {
  let last = 0n;
  for (const x of list)
    last = x.kind === 'hub' ? await inputs.hub(x.eid, x.message) : await inputs.price('WETH', x.price, x.time);
  return last;
}

it('SIGKILLed at random points and restarted, ends where an uninterrupted node ends, no order lost or doubled', async () => {
  const rand = rng(SEED);
  const all = scenario(rand);
  const chunk = Math.ceil(all.length / KILLS);
  for (let k = 0; k < KILLS; k++) {
    const { proc } = await startNode();
    node = proc;
    // publish while it runs, then crash it a random moment later (mid-replay or mid-stream)
    await publish(all.slice(k * chunk, (k + 1) * chunk));
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
  const config = testConfig(nats.url, 'reference', { OMNI_SNAPSHOT_EVERY: '0' });
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
  // OMNI_OUT holds each of the reference's orders exactly once: the crashed runs lost none
  // (the reference's re-publication added nothing) and doubled none
  const ids = outBefore.map((o) => o.msgId);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(refOrders.map((o) => o.orderId).sort());
  await waitFor('the reference re-published its pending orders', async () => {
    const h = (await getJson<Health>(`${refUrl}/health`)).body;
    return h.input.reemitted === 0 ? h : null;
  });
  expect((await inputs.outputs()).length).toBe(outBefore.length);
  // the final start came from a snapshot and replayed only the tail
  expect(BigInt(health.input.snapshotSeq)).toBeGreaterThan(0n);
  process.stdout.write(
    `crash test: ${all.length} inputs, ${KILLS} SIGKILLs, final start from snapshot #${health.input.snapshotSeq} of ${last}; ` +
      `${refOrders.length} orders, state ${health.stateHash.slice(0, 12)}\n`,
  );
}, 180_000);
