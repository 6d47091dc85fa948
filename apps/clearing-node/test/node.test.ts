import 'reflect-metadata';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startNats, type NatsServer } from '@omniclear/testkit';
import { liquidationOrderId, subjects } from '@omniclear/protocol';

import { createApp, startApp } from '../src/app.js';
import type { NodeConfig } from '../src/config.js';
import type { AccountDto, OrderDto } from '../src/api/views.js';
import type { ConsumerStatus } from '../src/ledger/input-consumer.js';
import {
  ALICE,
  ASSETS,
  EID_A,
  EID_B,
  Inputs,
  PERP,
  RECIPIENT,
  WAD,
  WETH_A,
  WETH_B,
  getJson,
  waitFor,
} from './helpers.js';

// The whole ledger path in-process, on a real nats-server: inputs into OMNI_IN with the protocol
// codec, orders out of OMNI_OUT, queries over HTTP and NATS request/reply.

type Health = { status: string; nodeId: string; stateHash: string; input: ConsumerStatus };

let nats: NatsServer;
let inputs: Inputs;
let app: NestFastifyApplication | undefined;
let url: string;
let config: NodeConfig;

async function boot(): Promise<void> {
  app = await createApp(config, { logger: ['error'] });
  url = await startApp(app, config);
}

async function caughtUp(seq: bigint): Promise<void> {
  await waitFor(
    `node at OMNI_IN#${seq}`,
    async () => BigInt((await getJson<Health>(`${url}/health`)).body.input.lastInputSeq) >= seq,
  );
}

beforeAll(async () => {
  nats = await startNats();
  config = {
    natsServers: [nats.url],
    httpPort: 0,
    httpHost: '127.0.0.1',
    assets: ASSETS,
    liquidationRecipient: RECIPIENT.toLowerCase(),
    nodeId: 'test-node',
  };
  await boot(); // creates the streams
  inputs = await Inputs.connect(nats.url);
}, 30_000);

afterAll(async () => {
  await app?.close();
  await inputs?.close();
  await nats?.stop();
});

describe('clearing node', () => {
  const expected: { orderIds: string[]; priceSeq: bigint } = { orderIds: [], priceSeq: 0n };

  it('emits one liquidation order per chain with the deterministic order id when the price drops', async () => {
    await inputs.hub(EID_A, {
      type: 'BALANCE',
      account: ALICE,
      token: WETH_A,
      balance: 1n * WAD,
      delta: 1n * WAD,
      seq: 1n,
    });
    await inputs.hub(EID_B, {
      type: 'BALANCE',
      account: ALICE,
      token: WETH_B,
      balance: 2n * WAD,
      delta: 2n * WAD,
      seq: 1n,
    });
    await inputs.hub(EID_A, { type: 'EXPOSURE', account: ALICE, protocol: PERP, exposure: 5000n * WAD, seq: 2n });
    const healthySeq = await inputs.price('WETH', 2000n * WAD, 1_764_000_000n); // 3 WETH × $2000 > $5000
    await caughtUp(healthySeq);
    const healthy = (await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body;
    expect(healthy).toMatchObject({
      exposure: (5000n * WAD).toString(),
      value: (6000n * WAD).toString(),
      liquidatable: false,
    });
    expect(await inputs.outputs()).toEqual([]);

    const priceSeq = await inputs.price('WETH', 1000n * WAD, 1_764_000_060n); // $3000 < $5000
    const outs = await waitFor('two orders', async () =>
      (await inputs.outputs()).length === 2 ? inputs.outputs() : null,
    );
    const ids = [
      liquidationOrderId({
        dstEid: EID_A,
        account: ALICE,
        token: WETH_A,
        amount: 1n * WAD,
        recipient: RECIPIENT,
        inputSeq: priceSeq,
      }),
      liquidationOrderId({
        dstEid: EID_B,
        account: ALICE,
        token: WETH_B,
        amount: 2n * WAD,
        recipient: RECIPIENT,
        inputSeq: priceSeq,
      }),
    ];
    expect(outs.map((o) => [o.subject, o.msgId, o.body])).toEqual([
      [
        subjects.order(EID_A),
        ids[0],
        {
          kind: 'liquidate',
          orderId: ids[0],
          dstEid: EID_A,
          account: ALICE,
          token: WETH_A,
          amount: (1n * WAD).toString(),
          recipient: RECIPIENT,
          inputSeq: priceSeq.toString(),
        },
      ],
      [
        subjects.order(EID_B),
        ids[1],
        {
          kind: 'liquidate',
          orderId: ids[1],
          dstEid: EID_B,
          account: ALICE,
          token: WETH_B,
          amount: (2n * WAD).toString(),
          recipient: RECIPIENT,
          inputSeq: priceSeq.toString(),
        },
      ],
    ]);
    expected.orderIds = ids;
    expected.priceSeq = priceSeq;

    const view = (await getJson<AccountDto>(`${url}/accounts/${ALICE.toLowerCase()}`)).body;
    expect(view.liquidatable).toBe(true);
    expect(view.balances.map((b) => [b.eid, b.symbol, b.balance, b.pending])).toEqual([
      [EID_A, 'WETH', (1n * WAD).toString(), (1n * WAD).toString()],
      [EID_B, 'WETH', (2n * WAD).toString(), (2n * WAD).toString()],
    ]);
    const orders = (await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body.orders;
    expect(orders.map((o) => [o.orderId, o.status, o.seized])).toEqual([
      [ids[0], 'pending', null],
      [ids[1], 'pending', null],
    ]);
  });

  it('books the vaults’ acknowledgements: new balances on both chains, orders acknowledged', async () => {
    const [onA, onB] = expected.orderIds as [`0x${string}`, `0x${string}`];
    await inputs.hub(EID_A, {
      type: 'ORDER_ACK',
      orderId: onA,
      account: ALICE,
      token: WETH_A,
      seized: 1n * WAD,
      balance: 0n,
      seq: 3n,
    });
    const last = await inputs.hub(EID_B, {
      type: 'ORDER_ACK',
      orderId: onB,
      account: ALICE,
      token: WETH_B,
      seized: 2n * WAD,
      balance: 0n,
      seq: 2n,
    });
    await caughtUp(last);
    const view = (await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body;
    expect(view.balances.map((b) => [b.eid, b.token, b.balance, b.pending])).toEqual([
      [EID_A, WETH_A, '0', '0'],
      [EID_B, WETH_B, '0', '0'],
    ]);
    expect(view).toMatchObject({ value: '0', liquidatable: true }); // still under water, nothing left to seize
    const orders = (await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body.orders;
    expect(orders.map((o) => [o.status, o.seized])).toEqual([
      ['acknowledged', (1n * WAD).toString()],
      ['acknowledged', (2n * WAD).toString()],
    ]);
    expect(await inputs.outputs()).toHaveLength(2);
  });

  it('dead-letters a malformed input with reason and position, and keeps going', async () => {
    const dlq = inputs.nc.subscribe(subjects.dlq('clearing-node'), { max: 1 });
    const badSeq = await inputs.raw(
      subjects.hubEvent(31337),
      JSON.stringify({ kind: 'hub', chainId: 31337, message: { type: 'BALANCE' } }),
    );
    const letter = await (async () => {
      for await (const m of dlq) return m.json<Record<string, string>>();
      throw new Error('no dead letter');
    })();
    expect(letter).toMatchObject({
      service: 'clearing-node',
      error: 'EventSchemaError',
      stream: 'OMNI_IN',
      seq: badSeq.toString(),
      subject: 'omni.in.hub.31337',
    });
    expect(letter.reason).toMatch(/blockNumber/);

    // Valid on the wire, but an asset this node is not configured for.
    const unknownAsset = inputs.nc.subscribe(subjects.dlq('clearing-node'), { max: 1 });
    const dogeSeq = await inputs.price('DOGE', WAD, 1n);
    for await (const m of unknownAsset)
      expect(m.json()).toMatchObject({ error: 'InvalidInputError', seq: dogeSeq.toString() });

    const next = await inputs.hub(EID_A, {
      type: 'BALANCE',
      account: ALICE,
      token: WETH_A,
      balance: 7n,
      delta: 7n,
      seq: 4n,
    });
    await caughtUp(next);
    expect((await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body.balances[0]?.balance).toBe('7');
    const health = (await getJson<Health>(`${url}/health`)).body;
    expect(health).toMatchObject({ status: 'ok', nodeId: 'test-node', input: { state: 'live', deadLettered: 2 } });
  });

  it('answers 400 with a clear message for a malformed address', async () => {
    for (const bad of ['0x1234', 'alice', `0x${'g'.repeat(40)}`, '0x00000000000000000000000000000000000a11Ce']) {
      const res = await getJson<{ statusCode: number; error: string; message: string }>(`${url}/accounts/${bad}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'InvalidAddressError' });
      expect(res.body.message).toMatch(/invalid address .*expected 0x followed by 40 hex digits/);
    }
    expect((await getJson(`${url}/nope`)).status).toBe(404);
  });

  it('answers account queries over NATS request/reply', async () => {
    const http = (await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body;
    const reply = await inputs.nc.request('omni.rpc.account-get', JSON.stringify({ address: ALICE }), {
      timeout: 5000,
    });
    expect(reply.json()).toMatchObject({ response: http, isDisposed: true });
    const bad = await inputs.nc.request('omni.rpc.account-get', JSON.stringify({ address: '0x12' }), { timeout: 5000 });
    expect(bad.json()).toMatchObject({ err: { status: 'bad-request', error: 'InvalidAddressError' } });
    // Nest's own envelope works too (a ClientProxy sends this).
    const envelope = await inputs.nc.request(
      'omni.rpc.account-get',
      JSON.stringify({ pattern: 'omni.rpc.account-get', data: { address: ALICE }, id: 'x1' }),
      { timeout: 5000 },
    );
    expect(envelope.json()).toMatchObject({ id: 'x1', response: http });
  });

  it('rebuilds the same state by replay after a restart and publishes no duplicate order', async () => {
    const before = {
      health: (await getJson<Health>(`${url}/health`)).body,
      view: (await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body,
      orders: (await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body,
    };
    const outBefore = await inputs.outputs();
    await app!.close();
    app = undefined;
    await boot();
    await caughtUp(BigInt(before.health.input.lastInputSeq));
    const health = (await getJson<Health>(`${url}/health`)).body;
    expect(health.stateHash).toBe(before.health.stateHash);
    expect(health.input).toMatchObject({ state: 'live', replayTarget: before.health.input.lastInputSeq });
    expect((await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body).toEqual(before.view);
    expect((await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body).toEqual(before.orders);
    expect(await inputs.outputs()).toEqual(outBefore);
  });
});
