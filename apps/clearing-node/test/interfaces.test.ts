import 'reflect-metadata';

import fs from 'node:fs';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@omniclear/config';
import { AckStatus, subjects } from '@omniclear/protocol';
import { startNats, type NatsServer } from '@omniclear/testkit';

import { createApp, startApp } from '../src/app.js';
import { readNodeConfig, type NodeConfig } from '../src/config.js';
import { OMNI_IN_STREAM } from '../src/nats/streams.js';
import type { NodeUpdate } from '../src/updates/updates.service.js';
import {
  ALICE,
  ASSETS,
  EID_A,
  EID_B,
  getJson,
  Inputs,
  RECIPIENT,
  reportAlice,
  sample,
  SIGNING_ENV,
  WAD,
  waitFor,
  WETH_A,
  WETH_B,
} from './helpers.js';

// The operator- and client-facing interfaces of a node on a real nats-server: readiness after
// the start-up replay, Prometheus metrics, the OpenAPI document, and the live update stream.

// The OpenAPI document and terminus bodies are walked as untyped JSON; the assertions check them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const BOB = '0x0000000000000000000000000000000000000b0b';
const SEEDED_PRICES = 300;

/** The node's configuration as read from its environment (only the HTTP port differs: any free one). */
function nodeConfig(natsUrl: string, overrides: Record<string, string> = {}): NodeConfig {
  const env = {
    OMNI_NATS_URL: natsUrl,
    OMNI_HTTP_PORT: '8080',
    OMNI_HTTP_HOST: '127.0.0.1',
    OMNI_ASSETS: JSON.stringify(ASSETS),
    OMNI_MARKETS: JSON.stringify([
      { symbol: 'ETH-PERP', indexAsset: 'WETH', baseIMR: '0.05', baseMMR: '0.025', imrFactor: '0', maxLeverage: '20' },
    ]),
    OMNI_LIQUIDATION_RECIPIENT: RECIPIENT,
    OMNI_NODE_ID: 'iface-node',
    ...SIGNING_ENV,
    ...overrides,
  };
  return { ...readNodeConfig(env), httpPort: 0 };
}

/** One Server-Sent Events client, collecting every event it receives. */
interface EventClient {
  status: number;
  contentType: string | null;
  events: Array<{ type: string; data: NodeUpdate }>;
  comments: number;
  ended: Promise<void>;
  close(): void;
}

async function openEvents(url: string): Promise<EventClient> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  const client: EventClient = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events: [],
    comments: 0,
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (!res.ok || !res.body) return client;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  client.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments += 1;
            else if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) client.events.push({ type, data: JSON.parse(data.join('\n')) as NodeUpdate });
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  })();
  return client;
}

let nats: NatsServer;
let inputs: Inputs;
let app: NestFastifyApplication | undefined;
let url: string;
const storeDirs: string[] = [];

async function metrics(): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

beforeAll(async () => {
  nats = await startNats();
  storeDirs.push(nats.storeDir);
  inputs = await Inputs.connect(nats.url);
  await inputs.jsm.streams.add(OMNI_IN_STREAM);
}, 30_000);

afterAll(async () => {
  await app?.close();
  await inputs?.close();
  await nats?.stop();
  for (const dir of storeDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('node interfaces', () => {
  const orderIds: string[] = [];

  it('turns ready once the start-up replay reaches the last sequence OMNI_IN had at start', async () => {
    // A healthy account and a history of prices for the node to replay before it is ready.
    // long 20 ETH at 2000 against 3 WETH: a fall to 1000 loses more than the collateral
    await reportAlice(inputs);
    let last = 0n;
    for (let i = 0; i < SEEDED_PRICES; i++)
      last = await inputs.price('WETH', (2000n + BigInt(i % 7)) * WAD, BigInt(i + 1));

    const config = nodeConfig(nats.url, { OMNI_SSE_HEARTBEAT_MS: '200' });
    app = await createApp(config, { logger: ['error'] });
    url = await startApp(app, config);

    const seen: Array<{ status: number; body: Json }> = [];
    const ready = await waitFor('readiness', async () => {
      const res = await getJson<Json>(`${url}/health/ready`);
      seen.push(res);
      return res.status === 200 ? res.body : null;
    });
    expect(ready).toEqual({
      status: 'ok',
      info: {
        nats: { status: 'up' },
        input: { status: 'up', state: 'live', lastInputSeq: last.toString(), replayTarget: last.toString() },
      },
      error: {},
      details: expect.any(Object),
    });
    // Every answer before that was a 503 naming the input as still replaying (or starting).
    for (const res of seen.slice(0, -1)) {
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'error', error: { input: { status: 'down' } } });
      expect(['starting', 'replaying']).toContain(res.body.error.input.state);
    }
    // /health keeps its shape (devnet and tests wait on it).
    expect((await getJson(`${url}/health`)).body).toMatchObject({
      status: 'ok',
      nodeId: 'iface-node',
      input: { state: 'live', lastInputSeq: last.toString(), processed: SEEDED_PRICES + 3 },
      stateHash: expect.any(String),
    });
  }, 30_000);

  it('answers liveness with 200', async () => {
    const live = await getJson(`${url}/health/live`);
    expect(live).toEqual({
      status: 200,
      body: {
        status: 'ok',
        info: { process: { status: 'up', nodeId: 'iface-node' } },
        error: {},
        details: expect.any(Object),
      },
    });
  });

  it('serves a valid OpenAPI 3 document listing every route, and Swagger UI from local assets', async () => {
    const { status, body: doc } = await getJson<Json>(`${url}/docs/json`);
    expect(status).toBe(200);
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Omniclear clearing node', version: expect.any(String) });
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/accounts/{address}',
        '/events',
        '/health',
        '/health/live',
        '/health/ready',
        '/markets',
        '/metrics',
        '/orders',
        '/risk',
      ].sort(),
    );
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      expect(Object.keys(item)).toEqual(['get']);
      expect(Object.keys(item.get.responses).length).toBeGreaterThan(0);
      expect(typeof item.get.summary).toBe('string');
      expect(path.startsWith('/')).toBe(true);
    }
    const account = doc.paths['/accounts/{address}'].get;
    expect(account.parameters).toEqual([
      expect.objectContaining({
        name: 'address',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ pattern: '^0x[0-9a-fA-F]{40}$' }),
      }),
    ]);
    expect(account.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/AccountSchema',
    });
    expect(account.responses['400'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorSchema',
    });
    expect(doc.paths['/events'].get.parameters).toEqual([
      expect.objectContaining({ name: 'account', in: 'query', required: false }),
    ]);
    expect(Object.keys(doc.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
    expect(doc.components.schemas.AccountSchema.required).toEqual(
      expect.arrayContaining([
        'account',
        'balances',
        'positions',
        'healthFactor',
        'weightedCollateral',
        'liquidatable',
        'missingPrices',
      ]),
    );
    expect(doc.components.schemas.OrderSchema.properties.status).toMatchObject({
      enum: ['pending', 'done', 'expired'],
    });
    // Every reference resolves.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) {
      const name = ref.slice('"$ref":"#/components/schemas/'.length, -1);
      expect(doc.components.schemas[name]).toBeDefined();
    }

    const ui = await fetch(`${url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger-ui/);
    const css = await fetch(`${url}/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect((await css.text()).length).toBeGreaterThan(1000);
  });

  it('streams the liquidation as order and account events, only to the clients of that account', async () => {
    const all = await openEvents(`${url}/events`);
    const alice = await openEvents(`${url}/events?account=${ALICE.toLowerCase()}`);
    const bob = await openEvents(`${url}/events?account=${BOB}`);
    try {
      expect([all.status, alice.status, bob.status]).toEqual([200, 200, 200]);
      expect(alice.contentType).toMatch(/^text\/event-stream/);

      // the position loses 20,000 > 3,000 of WETH; the price is dated on the hub's clock (the
      // stream's time), or its orders would be born past their expiry and expire at the next input
      const priceSeq = await inputs.price('WETH', 1000n * WAD, 1_764_000_100n);
      const emitted = await waitFor('two order events', () =>
        alice.events.filter((e) => e.type === 'order').length === 2 ? alice.events : null,
      );
      const outs = await inputs.outputs();
      expect(outs).toHaveLength(2);
      expect(emitted.filter((e) => e.type === 'order').map((e) => e.data)).toEqual(
        outs.map((o) => ({
          type: 'order',
          event: 'emitted',
          inputSeq: priceSeq.toString(),
          order: expect.objectContaining({
            orderId: o.orderId,
            dstEid: o.body.dstEid,
            account: ALICE,
            amount: o.body.amount,
            status: 'pending',
            executed: null,
          }),
        })),
      );
      orderIds.push(...outs.map((o) => o.orderId!));
      const accountEvent = await waitFor('the account event', () => alice.events.find((e) => e.type === 'account'));
      expect(accountEvent.data).toMatchObject({
        type: 'account',
        inputSeq: priceSeq.toString(),
        // the plan closed the position; what is left of the loss was written off as bad debt
        account: { account: ALICE, positions: [], liquidatable: false },
      });

      // The vault acknowledges on A: an `acknowledged` order event and the account after it.
      const ackSeq = await inputs.hub(EID_A, {
        type: 'ORDER_ACK',
        orderId: orderIds[0] as `0x${string}`,
        account: ALICE,
        token: WETH_A,
        seized: WAD,
        balance: 0n,
        status: AckStatus.EXECUTED,
        seq: 3n,
      });
      const acked = await waitFor('the acknowledged order event', () =>
        alice.events.find((e) => e.data.type === 'order' && e.data.event === 'acknowledged'),
      );
      expect(acked.data).toEqual({
        type: 'order',
        event: 'acknowledged',
        inputSeq: ackSeq.toString(),
        order: expect.objectContaining({ orderId: orderIds[0], status: 'done', executed: WAD.toString() }),
      });

      await waitFor('the account after the acknowledgement', () => alice.events.length === 6);
      // the price Alice is exposed to comes as a `market` event, after its orders, before her account
      expect(alice.events.map((e) => [e.type, e.data.inputSeq])).toEqual([
        ['order', priceSeq.toString()],
        ['order', priceSeq.toString()],
        ['market', priceSeq.toString()],
        ['account', priceSeq.toString()],
        ['order', ackSeq.toString()],
        ['account', ackSeq.toString()],
      ]);
      await waitFor('a keep-alive comment (every 200 ms here)', () => alice.comments > 0);

      // Bob's stream saw none of it: his own update comes after Alice's in the stream's order.
      await inputs.hub(EID_B, {
        type: 'BALANCE',
        account: BOB as `0x${string}`,
        token: WETH_B,
        balance: 5n,
        delta: 5n,
        seq: 2n,
      });
      await waitFor('bob', () => bob.events.length > 0);
      expect(
        bob.events.map((e) => [e.type, e.data.type === 'account' ? e.data.account.account.toLowerCase() : null]),
      ).toEqual([['account', BOB]]);
      // The unfiltered stream saw everything, in order.
      await waitFor('all', () => all.events.length === 7);
      expect(all.events.slice(0, 6)).toEqual(alice.events);
    } finally {
      for (const c of [all, alice, bob]) c.close();
    }
  });

  it('answers 400 with a clear message for a malformed ?account=', async () => {
    for (const bad of ['0x1234', 'alice', '', `0x${'g'.repeat(40)}`, '0x00000000000000000000000000000000000a11Ce']) {
      const res = await getJson<{ statusCode: number; error: string; message: string }>(
        `${url}/events?account=${encodeURIComponent(bad)}`,
      );
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'InvalidAddressError' });
      expect(res.body.message).toMatch(/invalid address .*expected 0x followed by 40 hex digits/);
    }
  });

  it('exposes counters, gauges and histograms at /metrics after events flowed', async () => {
    const text = await metrics();
    const node = { node: 'iface-node' };
    expect(sample(text, 'omniclear_node_events_applied_total', { ...node, kind: 'price' })).toBe(SEEDED_PRICES + 1);
    expect(sample(text, 'omniclear_node_events_applied_total', { kind: 'balance' })).toBe(3);
    expect(sample(text, 'omniclear_node_events_applied_total', { kind: 'exposure' })).toBe(1);
    expect(sample(text, 'omniclear_node_events_applied_total', { kind: 'order_ack' })).toBe(1);
    expect(sample(text, 'omniclear_node_orders_emitted_total', { kind: 'liquidate' })).toBe(2);
    expect(sample(text, 'omniclear_node_orders_pending', { chain: String(EID_A) })).toBe(0);
    expect(sample(text, 'omniclear_node_orders_pending', { chain: String(EID_B) })).toBe(1);
    // the plan closed Alice's position and wrote the rest of the loss off: nobody is liquidatable
    expect(sample(text, 'omniclear_node_liquidatable_accounts')).toBe(0);
    expect(sample(text, 'omniclear_node_stream_lag')).toBe(0);
    expect(sample(text, 'omniclear_node_nats_connected')).toBe(1);
    // The test hub's block times are in November 2025: their age is large and positive.
    expect(sample(text, 'omniclear_node_report_age_seconds', { chain: String(EID_A) })).toBeGreaterThan(0);
    expect(sample(text, 'omniclear_node_report_age_seconds', { chain: String(EID_B) })).toBeGreaterThan(0);
    // every vault number arrived: no chain waits on a gap
    expect(sample(text, 'omniclear_node_sequence_gap_missing', { chain: String(EID_A) })).toBe(0);
    expect(sample(text, 'omniclear_node_sequence_gap_missing', { chain: String(EID_B) })).toBe(0);
    expect(sample(text, 'omniclear_node_decision_latency_seconds_count')).toBe(1);
    expect(sample(text, 'omniclear_node_decision_latency_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(sample(text, 'omniclear_node_event_apply_seconds_count')).toBe(SEEDED_PRICES + 6);
    expect(text).toMatch(/^# TYPE omniclear_node_decision_latency_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE omniclear_node_events_applied_total counter$/m);
    expect(sample(text, 'omniclear_node_process_cpu_user_seconds_total')).toBeGreaterThan(0);

    // The lag is read from the stream at scrape time: inputs the node has not handled yet count.
    expect(sample(text, 'omniclear_node_input_last_sequence')).toBe(
      Number((await inputs.jsm.streams.info('OMNI_IN')).state.last_seq),
    );
  });

  it('counts a dead letter with its reason', async () => {
    const before = await metrics();
    const schema = sample(before, 'omniclear_node_dead_letters_total', { reason: 'EventSchemaError' }) ?? 0;
    const dlq = inputs.nc.subscribe(subjects.dlq('clearing-node'), { max: 2 });
    await inputs.raw(subjects.hubEvent(31337), '{"kind":"hub"}');
    await inputs.price('DOGE', WAD, 1n); // valid on the wire, not an asset of this node
    for await (const _ of dlq);
    await waitFor('the counters', async () => {
      const text = await metrics();
      return (
        sample(text, 'omniclear_node_dead_letters_total', { reason: 'EventSchemaError' }) === schema + 1 &&
        sample(text, 'omniclear_node_dead_letters_total', { reason: 'InvalidInputError' }) === 1
      );
    });
  });

  it('is not ready while NATS is away, and ready again once it is back', async () => {
    const { port, storeDir } = nats;
    await nats.process.kill();
    const down = await waitFor('not ready', async () => {
      const res = await getJson<Json>(`${url}/health/ready`);
      return res.status === 503 ? res.body : null;
    });
    expect(down).toMatchObject({
      status: 'error',
      error: { nats: { status: 'down', message: 'not connected to NATS' } },
    });
    expect((await getJson(`${url}/health/live`)).status).toBe(200);
    expect(sample(await metrics(), 'omniclear_node_nats_connected')).toBe(0);

    nats = await startNats({ port, storeDir });
    await waitFor('ready again', async () => (await getJson(`${url}/health/ready`)).status === 200, 20_000);
    const text = await metrics();
    expect(sample(text, 'omniclear_node_nats_connected')).toBe(1);
    expect(sample(text, 'omniclear_node_nats_reconnects_total')).toBe(1);
  }, 30_000);

  it('ends open event streams when the node shuts down', async () => {
    const client = await openEvents(`${url}/events`);
    expect(client.status).toBe(200);
    await app!.close();
    app = undefined;
    await client.ended; // the response finished: the HTTP server could close
  });
});

describe('interface configuration', () => {
  const base = {
    OMNI_NATS_URL: 'nats://127.0.0.1:4222',
    OMNI_ASSETS: JSON.stringify(ASSETS),
    OMNI_LIQUIDATION_RECIPIENT: RECIPIENT,
    OMNI_NODE_ID: 'n1',
    ...SIGNING_ENV,
  };

  it('defaults the docs, process metrics and keep-alive settings', () => {
    expect(readNodeConfig(base)).toMatchObject({ docs: true, processMetrics: true, sseHeartbeatMs: 15_000 });
    expect(
      readNodeConfig({ ...base, OMNI_DOCS_ENABLED: 'false', OMNI_METRICS_PROCESS: '0', OMNI_SSE_HEARTBEAT_MS: '500' }),
    ).toMatchObject({ docs: false, processMetrics: false, sseHeartbeatMs: 500 });
  });

  it('reads the signing settings: a valid signer key (never echoed), the hub, a positive order TTL', () => {
    expect(readNodeConfig(base).signing).toEqual({
      key: SIGNING_ENV.OMNI_SIGNER_KEY,
      hub: { chainId: Number(SIGNING_ENV.OMNI_HUB_CHAIN_ID), address: SIGNING_ENV.OMNI_HUB_ADDRESS },
      orderTtlSeconds: 3600n,
    });
    expect(readNodeConfig({ ...base, OMNI_ORDER_TTL_SECONDS: '60' }).signing.orderTtlSeconds).toBe(60n);
    const { OMNI_SIGNER_KEY: _key, OMNI_HUB_ADDRESS: _hub, ...unsigned } = base;
    expect(() => readNodeConfig(unsigned)).toThrow(/OMNI_SIGNER_KEY: required/);
    expect(() => readNodeConfig(unsigned)).toThrow(/OMNI_HUB_ADDRESS: required/);
    const bad = `0x${'0'.repeat(64)}`;
    const read = () => readNodeConfig({ ...base, OMNI_SIGNER_KEY: bad, OMNI_ORDER_TTL_SECONDS: '0' });
    expect(read).toThrow(/OMNI_SIGNER_KEY: not a valid secp256k1 private key/);
    expect(read).toThrow(/OMNI_ORDER_TTL_SECONDS: expected a positive integer/);
    expect(read).not.toThrow(new RegExp(bad));
  });

  it('reads how long done orders are kept: seven days by default, a positive number of seconds', () => {
    expect(readNodeConfig(base).orderRetentionSeconds).toBe(604_800n);
    expect(readNodeConfig({ ...base, OMNI_ORDER_RETENTION_SECONDS: '3600' }).orderRetentionSeconds).toBe(3600n);
    for (const bad of ['0', '-5', '1.5', 'a week'])
      expect(() => readNodeConfig({ ...base, OMNI_ORDER_RETENTION_SECONDS: bad })).toThrow(
        /OMNI_ORDER_RETENTION_SECONDS: expected a positive integer/,
      );
  });

  it('refuses bad values naming each key', () => {
    const read = () => readNodeConfig({ ...base, OMNI_DOCS_ENABLED: 'yes', OMNI_SSE_HEARTBEAT_MS: '0' });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/OMNI_DOCS_ENABLED: expected true, false, 1 or 0/);
    expect(read).toThrow(/OMNI_SSE_HEARTBEAT_MS: expected a positive integer/);
  });
});
