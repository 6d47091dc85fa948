import 'reflect-metadata';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startNats, type NatsServer } from '@omniclear/testkit';
import {
  AckStatus,
  hashLiquidationOrder,
  liquidationOrderId,
  parseOrder,
  recoverOrderSigner,
  subjects,
} from '@omniclear/protocol';
import { recoverAddress } from 'viem';

import { createApp, startApp } from '../src/app.js';
import type { NodeConfig } from '../src/config.js';
import type { AccountDto, MarketDto, OrderDto, RiskDto } from '../src/api/views.js';
import type { ConsumerStatus } from '../src/ledger/input-consumer.js';
import {
  ALICE,
  BOB,
  EID_A,
  EID_B,
  getJson,
  HUB_ADDRESS,
  HUB_CHAIN_ID,
  Inputs,
  ORDER_TTL,
  RECIPIENT,
  reportAlice,
  SIGNER,
  testConfig,
  WAD,
  waitFor,
  WETH_A,
  WETH_B,
} from './helpers.js';

// The whole ledger path in-process, on a real nats-server: inputs into OMNI_IN with the protocol
// codec, orders out of OMNI_OUT, queries over HTTP and NATS request/reply.

type Health = {
  status: string;
  nodeId: string;
  stateHash: string;
  input: ConsumerStatus;
  broker: { version: string; syncIntervalSupported: boolean };
};

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
  config = testConfig(nats.url);
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

  it('liquidates a reported position when the price drops: one order per chain, deterministic ids', async () => {
    // a perp DEX on chain A reports Alice long 20 ETH at 2000 against 3 WETH
    await reportAlice(inputs);
    const healthySeq = await inputs.price('WETH', 2000n * WAD, 1_764_000_000n);
    await caughtUp(healthySeq);
    const healthy = (await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body;
    // 3 WETH × 2000 = 6000 collateral; MM = 40,000 × 2.5 % = 1000
    expect(healthy).toMatchObject({
      weightedCollateral: (6000n * WAD).toString(),
      unsettledPnl: '0',
      maintenanceMargin: (1000n * WAD).toString(),
      healthFactor: (6n * WAD).toString(),
      liquidatable: false,
      deferred: null,
    });
    expect(healthy.positions).toMatchObject([{ market: 'ETH-PERP', qty: (20n * WAD).toString() }]);
    expect(BigInt(healthy.positions[0]!.liquidationPrice!)).toBeGreaterThan(1700n * WAD);
    expect(await inputs.outputs()).toEqual([]);

    // at 1000 the loss (20,000) exceeds the collateral (3,000): everything is closed and seized
    const priceSeq = await inputs.price('WETH', 1000n * WAD, 1_764_000_060n);
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
    expect(outs.map((o) => [o.subject, o.orderId, o.body.kind, o.body.dstEid, o.body.token, o.body.amount])).toEqual([
      [subjects.order(EID_A), ids[0], 'liquidate', EID_A, WETH_A, (1n * WAD).toString()],
      [subjects.order(EID_B), ids[1], 'liquidate', EID_B, WETH_B, (2n * WAD).toString()],
    ]);
    const domain = { chainId: HUB_CHAIN_ID, verifyingContract: HUB_ADDRESS };
    for (const o of outs) {
      // signed by the node's signer, expiring one TTL after the price that triggered it
      expect(o.msgId).toBe(`${o.orderId}:${SIGNER.toLowerCase()}`);
      expect(o.body).toMatchObject({
        orderId: o.orderId,
        account: ALICE,
        recipient: RECIPIENT,
        inputSeq: priceSeq.toString(),
        expiry: (1_764_000_060n + ORDER_TTL).toString(),
        signer: SIGNER,
      });
      const order = parseOrder(JSON.stringify(o.body));
      if (order.kind !== 'liquidate') throw new Error('expected a liquidation');
      expect(await recoverAddress({ hash: hashLiquidationOrder(order, domain), signature: order.signature })).toBe(
        SIGNER,
      );
      const insurance = BigInt(o.body.insuranceAmount as string);
      expect(insurance > 0n && insurance < BigInt(o.body.amount as string)).toBe(true);
    }
    expected.orderIds = ids;
    expected.priceSeq = priceSeq;

    const view = (await getJson<AccountDto>(`${url}/accounts/${ALICE.toLowerCase()}`)).body;
    expect(view.positions).toEqual([]); // closed by the plan
    expect(view.balances.map((b) => [b.eid, b.asset, b.balance, b.pending])).toEqual([
      [EID_A, 'WETH', (1n * WAD).toString(), (1n * WAD).toString()],
      [EID_B, 'WETH', (2n * WAD).toString(), (2n * WAD).toString()],
    ]);
    const orders = (await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body.orders;
    expect(orders.map((o) => [o.orderId, o.kind, o.status, o.executed, o.insuranceAmount])).toEqual(
      outs.map((o) => [o.orderId, 'liquidate', 'pending', null, o.body.insuranceAmount]),
    );
  });

  it('books the vaults’ acknowledgements: new balances on both chains, orders done', async () => {
    const [onA, onB] = expected.orderIds as [`0x${string}`, `0x${string}`];
    await inputs.hub(EID_A, {
      type: 'ORDER_ACK',
      orderId: onA,
      account: ALICE,
      token: WETH_A,
      seized: 1n * WAD,
      balance: 0n,
      status: AckStatus.EXECUTED,
      seq: 3n,
    });
    const last = await inputs.hub(EID_B, {
      type: 'ORDER_ACK',
      orderId: onB,
      account: ALICE,
      token: WETH_B,
      seized: 2n * WAD,
      balance: 0n,
      status: AckStatus.EXECUTED,
      seq: 2n,
    });
    await caughtUp(last);
    const view = (await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body;
    expect(view.balances.map((b) => [b.eid, b.token, b.balance, b.pending])).toEqual([
      [EID_A, WETH_A, '0', '0'],
      [EID_B, WETH_B, '0', '0'],
    ]);
    expect(view).toMatchObject({ weightedCollateral: '0', liquidatable: false });
    const orders = (await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body.orders;
    expect(orders.map((o) => [o.status, o.executed])).toEqual([
      ['done', (1n * WAD).toString()],
      ['done', (2n * WAD).toString()],
    ]);
    expect(await inputs.outputs()).toHaveLength(2);
  });

  it('summarizes markets and risk: the mark followed WETH, the loss past the collateral is bad debt', async () => {
    const markets = (await getJson<{ markets: MarketDto[] }>(`${url}/markets`)).body.markets;
    expect(markets).toEqual([
      {
        market: 'ETH-PERP',
        markPrice: (1000n * WAD).toString(),
        cumFunding: '0',
        volScale: WAD.toString(),
        holders: 0,
      },
    ]);
    const risk = (await getJson<RiskDto>(`${url}/risk`)).body;
    expect(risk).toMatchObject({
      accounts: 1,
      liquidatable: [],
      queued: [],
      pendingOrders: [
        { eid: EID_A, pending: 0 },
        { eid: EID_B, pending: 0 },
      ],
    });
    // 20 ETH long from 2000 to 1000 lost 20,000 against 3,000 of collateral
    expect(BigInt(risk.badDebt)).toBeGreaterThan(16_000n * WAD);
    // the insurance fund (empty at genesis) absorbed only the penalties it earned; the rest is socialized
    expect(risk.insuranceFund).toBe('0');
    expect(BigInt(risk.socializedLoss)).toBe(BigInt(risk.badDebt) - BigInt(risk.penaltiesToInsurance));
  });

  it('decides withdrawal requests: approved within free collateral, rejected beyond, in flight until done', async () => {
    const before = (await inputs.outputs()).length;
    await inputs.hub(EID_B, {
      type: 'BALANCE',
      account: BOB,
      token: WETH_B,
      balance: 5n * WAD,
      delta: 5n * WAD,
      seq: 3n,
    });
    const ok = await inputs.hub(EID_B, {
      type: 'WITHDRAW_REQUEST',
      account: BOB,
      token: WETH_B,
      amount: 2n * WAD,
      requestId: 1n,
      seq: 4n,
    });
    const no = await inputs.hub(EID_B, {
      type: 'WITHDRAW_REQUEST',
      account: BOB,
      token: WETH_B,
      amount: 4n * WAD,
      requestId: 2n,
      seq: 5n,
    });
    const outs = await waitFor('two decisions', async () => {
      const all = await inputs.outputs();
      return all.length === before + 2 ? all.slice(before) : null;
    });
    expect(outs.map((o) => [o.subject, o.body.kind, o.body.requestId, o.body.approved, o.body.inputSeq])).toEqual([
      [subjects.order(EID_B), 'withdraw-decision', '1', true, ok.toString()],
      [subjects.order(EID_B), 'withdraw-decision', '2', false, no.toString()],
    ]);
    const pending = (await getJson<AccountDto>(`${url}/accounts/${BOB}`)).body;
    // the approved request is in flight; the rejected one counts again at once
    expect(pending.balances[0]).toMatchObject({ balance: (5n * WAD).toString(), pending: (2n * WAD).toString() });
    await inputs.hub(EID_B, {
      type: 'WITHDRAW_DONE',
      account: BOB,
      token: WETH_B,
      requestId: 1n,
      paid: 2n * WAD,
      balance: 3n * WAD,
      outcome: 1,
      seq: 6n,
    });
    const last = await inputs.hub(EID_B, {
      type: 'WITHDRAW_DONE',
      account: BOB,
      token: WETH_B,
      requestId: 2n,
      paid: 0n,
      balance: 3n * WAD,
      outcome: 2,
      seq: 7n,
    });
    await caughtUp(last);
    const after = (await getJson<AccountDto>(`${url}/accounts/${BOB}`)).body;
    expect(after.balances[0]).toMatchObject({ balance: (3n * WAD).toString(), pending: '0' });
    const decided = (await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body.orders.filter(
      (o) => o.kind === 'withdraw-decision',
    );
    expect(decided.map((o) => [o.requestId, o.approved, o.reason, o.status, o.executed, o.outcome])).toEqual([
      ['1', true, 'approved', 'done', (2n * WAD).toString(), 'paid'],
      ['2', false, 'exceeds-balance', 'done', '0', 'rejected'],
    ]);
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
    // The broker the node is connected to: the testkit's server, fsync per write only from 2.10.
    expect(health.broker).toEqual({
      version: `${nats.version.major}.${nats.version.minor}.${nats.version.patch}`,
      syncIntervalSupported: nats.syncAlways,
    });
  });

  it('a missing vault number holds the chain’s decisions until it arrives (gap alerted in /health)', async () => {
    const before = (await inputs.outputs()).length;
    // chain A is at seq 4; seq 6 arrives first
    const req = await inputs.hub(EID_A, {
      type: 'WITHDRAW_REQUEST',
      account: ALICE,
      token: WETH_A,
      amount: 7n,
      requestId: 1n,
      seq: 6n,
    });
    await caughtUp(req);
    type Sources = { sources: Array<{ eid: number; lastSeq: string; contiguous: string; gaps: number }> };
    const held = (await getJson<Sources>(`${url}/health`)).body.sources.find((x) => x.eid === EID_A);
    expect(held).toMatchObject({ lastSeq: '6', contiguous: '4', gaps: 1 });
    expect((await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body.deferred).toBe('sequence-gap');
    expect(await inputs.outputs()).toHaveLength(before);
    // seq 5 closes the gap: the request is decided (with the id of the input that carried it)
    const fill = await inputs.hub(EID_A, {
      type: 'BALANCE',
      account: ALICE,
      token: WETH_A,
      balance: 7n,
      delta: 0n,
      seq: 5n,
    });
    const outs = await waitFor('the decision', async () => {
      const all = await inputs.outputs();
      return all.length === before + 1 ? all.slice(before) : null;
    });
    expect(outs[0]!.body).toMatchObject({
      kind: 'withdraw-decision',
      requestId: '1',
      approved: true,
      inputSeq: req.toString(),
      // dated by the request (the input the id names), not by the message that closed the gap
      expiry: ((await inputs.inputTime(req)) + ORDER_TTL).toString(),
    });
    expect(await inputs.inputTime(fill)).not.toBe(await inputs.inputTime(req));
    expect(
      await recoverOrderSigner(parseOrder(JSON.stringify(outs[0]!.body)), {
        chainId: HUB_CHAIN_ID,
        verifyingContract: HUB_ADDRESS,
      }),
    ).toBe(SIGNER);
    await caughtUp(fill);
    const after = (await getJson<Sources>(`${url}/health`)).body.sources.find((x) => x.eid === EID_A);
    expect(after).toMatchObject({ lastSeq: '6', contiguous: '6', gaps: 0 });
    await inputs.hub(EID_A, {
      type: 'WITHDRAW_DONE',
      account: ALICE,
      token: WETH_A,
      requestId: 1n,
      paid: 7n,
      balance: 0n,
      outcome: 1,
      seq: 7n,
    });
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
