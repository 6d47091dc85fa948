import 'reflect-metadata';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AckStatus, encodeInputEvent, msgIds, subjects, type DispatchEvent } from '@omniclear/protocol';
import { startNats, type NatsServer } from '@omniclear/testkit';
import type { Hex } from 'viem';

import { createApp, startApp } from '../src/app.js';
import type { OrderDto } from '../src/api/views.js';
import type { ConsumerStatus } from '../src/ledger/input-consumer.js';
import {
  ALICE,
  ASSETS,
  EID_A,
  EID_B,
  getJson,
  HUB_CHAIN_ID,
  Inputs,
  ORDER_TTL,
  reportAlice,
  testConfig,
  WAD,
  waitFor,
  WETH_A,
} from './helpers.js';

// Orders the hub never dispatched expire in the book, on a real nats-server: the node's time (the
// stream's) passing an order's expiry + grace releases it and the node plans again under a new
// id; an order whose dispatch reached the stream in time is never planned again.

const GRACE = 600n;
const T0 = 1_764_000_000n;
const DROP = T0 + 60n; // the price that liquidates Alice
const LATE = DROP + ORDER_TTL + GRACE + 1n; // the first time past its orders' expiry + grace

let dispatchTx = 0;

/** The gateway's hub follower publishing an `OrderDispatched` log. */
async function dispatch(inputs: Inputs, orderId: string, dstEid: number, blockTimestamp: bigint): Promise<bigint> {
  const n = ++dispatchTx;
  const txHash = `0x${(0xd15c0000 + n).toString(16).padStart(64, '0')}` as Hex;
  const event: DispatchEvent = {
    kind: 'dispatch',
    chainId: HUB_CHAIN_ID,
    blockNumber: 1_000_000n + BigInt(n),
    blockTimestamp,
    txHash,
    logIndex: 1,
    orderId: orderId.toLowerCase() as Hex,
    dstEid,
    guid: `0x${(0x9000 + n).toString(16).padStart(64, '0')}` as Hex,
  };
  const ack = await inputs.js.publish(subjects.hubEvent(HUB_CHAIN_ID), encodeInputEvent(event), {
    msgID: msgIds.hubEvent(HUB_CHAIN_ID, txHash, 1),
  });
  return BigInt(ack.seq);
}

/** A node on its own broker; WETH counts at 80 % so that a seizure that never happens matters. */
async function node(env: Record<string, string> = {}): Promise<{
  nats: NatsServer;
  app: NestFastifyApplication;
  url: string;
  inputs: Inputs;
  caughtUp: (seq: bigint) => Promise<ConsumerStatus>;
}> {
  const nats = await startNats();
  const assets = ASSETS.map((a) => ({ ...a, initialWeight: '0.8', maintenanceWeight: '0.8' }));
  const config = testConfig(nats.url, 'expiry-node', {
    OMNI_ASSETS: JSON.stringify(assets),
    OMNI_ORDER_EXPIRY_GRACE_SECONDS: String(GRACE),
    ...env,
  });
  const app = await createApp(config, { logger: ['error'] });
  const url = await startApp(app, config);
  const inputs = await Inputs.connect(nats.url);
  const caughtUp = (seq: bigint) =>
    waitFor(`node at OMNI_IN#${seq}`, async () => {
      const input = (await getJson<{ input: ConsumerStatus }>(`${url}/health`)).body.input;
      return BigInt(input.lastInputSeq) >= seq ? input : null;
    });
  return { nats, app, url, inputs, caughtUp };
}

type Node = Awaited<ReturnType<typeof node>>;

/** A node of its own for the suite, started before its tests and stopped after them: `n()` is it. */
function nodePerSuite(env: Record<string, string> = {}): () => Node {
  let started: Node | undefined;
  beforeAll(async () => {
    started = await node(env);
  }, 30_000);
  afterAll(async () => {
    await started?.app.close();
    await started?.inputs.close();
    await started?.nats.stop();
  });
  return () => {
    if (!started) throw new Error('the suite node has not started');
    return started;
  };
}

/** Alice: 1 WETH on A, 2 on B, long 20 ETH-PERP at 2000; the price halves: two seizure orders. */
async function liquidateAlice(inputs: Inputs): Promise<{ priceSeq: bigint; ids: string[] }> {
  await reportAlice(inputs);
  await inputs.price('WETH', 2000n * WAD, T0 + 30n);
  const priceSeq = await inputs.price('WETH', 1000n * WAD, DROP);
  const outs = await waitFor('two orders', async () => {
    const o = await inputs.outputs();
    return o.length === 2 ? o : null;
  });
  for (const o of outs) expect(o.body).toMatchObject({ inputSeq: priceSeq.toString(), expiry: `${DROP + ORDER_TTL}` });
  return { priceSeq, ids: outs.map((o) => o.orderId!) };
}

/** The node's orders (`GET /orders`). */
async function listedOrders(url: string): Promise<OrderDto[]> {
  return (await getJson<{ orders: OrderDto[] }>(`${url}/orders`)).body.orders;
}

/** Alice's balances per chain, as the node reports them (`GET /accounts/:address`). */
async function aliceBalances(url: string): Promise<Array<{ eid: number; balance: string; pending: string }>> {
  return (
    await getJson<{ balances: Array<{ eid: number; balance: string; pending: string }> }>(`${url}/accounts/${ALICE}`)
  ).body.balances;
}

/** Vault A's acknowledgement (its message 3) of seizure `order`, all of it taken, `balance` left. */
function ackOnA(inputs: Inputs, order: OrderDto, balance: bigint): Promise<bigint> {
  return inputs.hub(EID_A, {
    type: 'ORDER_ACK',
    orderId: order.orderId as Hex,
    account: ALICE,
    token: WETH_A,
    seized: BigInt(order.amount),
    balance,
    status: AckStatus.EXECUTED,
    seq: 3n,
  });
}

describe('orders the hub never dispatched', () => {
  const n = nodePerSuite();

  it('expire once the stream’s time passes expiry + grace, and the node plans again under new ids', async () => {
    const { ids } = await liquidateAlice(n().inputs);
    // at expiry + grace exactly: nothing happens
    const atDeadline = await n().inputs.price('WETH', 1000n * WAD, LATE - 1n);
    await n().caughtUp(atDeadline);
    expect(await n().inputs.outputs()).toHaveLength(2);
    let orders = await listedOrders(n().url);
    expect(orders.map((o) => [o.orderId, o.status, o.dispatched])).toEqual(ids.map((id) => [id, 'pending', false]));

    // one second later: both expire, their collateral counts again, and Alice is liquidated anew
    const lateSeq = await n().inputs.price('WETH', 1000n * WAD, LATE);
    await waitFor('the new orders', async () => ((await n().inputs.outputs()).length > 2 ? true : null));
    await n().caughtUp(lateSeq);
    // every order of an input is in OMNI_OUT once the node counts the input handled
    const fresh = (await n().inputs.outputs()).slice(2);
    for (const o of fresh) {
      expect(ids).not.toContain(o.orderId);
      expect(o.body).toMatchObject({
        kind: 'liquidate',
        inputSeq: lateSeq.toString(),
        expiry: `${LATE + ORDER_TTL}`,
      });
    }
    orders = await listedOrders(n().url);
    expect(orders.filter((o) => ids.includes(o.orderId)).map((o) => [o.status, o.expiry])).toEqual([
      ['expired', `${DROP + ORDER_TTL}`],
      ['expired', `${DROP + ORDER_TTL}`],
    ]);
    expect(orders.filter((o) => o.status === 'pending').map((o) => o.orderId)).toEqual(fresh.map((o) => o.orderId));
    // operators see it: one order expired undispatched on each spoke
    const metrics = await (await globalThis.fetch(`${n().url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^omniclear_node_orders_expired\\{chain="${EID_A}"[^}]*\\} 1$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^omniclear_node_orders_expired\\{chain="${EID_B}"[^}]*\\} 1$`, 'm'));
    // in flight now: the new orders only
    for (const b of await aliceBalances(n().url)) {
      const inFlight = fresh
        .filter((o) => o.body.dstEid === b.eid)
        .reduce((s, o) => s + BigInt(o.body.amount as string), 0n);
      expect(b.pending).toBe(inFlight.toString());
    }
  });
});

describe('orders the vaults acknowledged', () => {
  const RETENTION = 1000n;
  const n = nodePerSuite({ OMNI_ORDER_RETENTION_SECONDS: String(RETENTION) });

  it('leave GET /orders once the stream’s time is past their done time + OMNI_ORDER_RETENTION_SECONDS', async () => {
    const { ids } = await liquidateAlice(n().inputs);
    const listed = () => listedOrders(n().url);
    const onA = (await listed()).find((o) => o.dstEid === EID_A)!;
    const ackSeq = await ackOnA(n().inputs, onA, WAD - BigInt(onA.amount));
    await n().caughtUp(ackSeq);
    // done at the stream's time then (the drop's): kept for the retention
    const within = await n().inputs.price('WETH', 1000n * WAD, DROP + RETENTION - 100n);
    await n().caughtUp(within);
    expect((await listed()).map((o) => [o.orderId, o.status, o.doneAt])).toEqual(
      ids.map((id) => (id === onA.orderId ? [id, 'done', DROP.toString()] : [id, 'pending', null])),
    );
    const past = await n().inputs.price('WETH', 1000n * WAD, DROP + RETENTION + 500n);
    const status = await n().caughtUp(past);
    expect(status.deadLettered).toBe(0);
    // forgotten: the other order (still pending) stays, and so does what the ack booked
    expect((await listed()).map((o) => [o.orderId, o.status])).toEqual(
      ids.filter((id) => id !== onA.orderId).map((id) => [id, 'pending']),
    );
    expect((await getJson(`${n().url}/orders/${onA.orderId}`)).status).toBe(404);
    expect((await aliceBalances(n().url)).find((b) => b.eid === EID_A)).toMatchObject({
      balance: (WAD - BigInt(onA.amount)).toString(),
      pending: '0',
    });
  });
});

describe('a seizure that expired and was forgotten', () => {
  const RETENTION = 1000n;
  const n = nodePerSuite({ OMNI_ORDER_RETENTION_SECONDS: String(RETENTION) });

  it('leaves GET /orders the retention past its deadline; its late acknowledgement still books the balance', async () => {
    const { ids } = await liquidateAlice(n().inputs);
    const listed = () => listedOrders(n().url);
    const onA = (await listed()).find((o) => o.dstEid === EID_A)!;
    // both expire undispatched (Alice is liquidated anew), and are kept for the retention after
    // their deadline (expiry + grace = LATE - 1)
    await n().caughtUp(await n().inputs.price('WETH', 1000n * WAD, LATE));
    const fresh = (await n().inputs.outputs()).slice(2);
    expect(fresh.length).toBeGreaterThan(0);
    await n().caughtUp(await n().inputs.price('WETH', 1000n * WAD, LATE - 1n + RETENTION));
    expect((await listed()).filter((o) => ids.includes(o.orderId)).map((o) => o.status)).toEqual([
      'expired',
      'expired',
    ]);
    await n().caughtUp(await n().inputs.price('WETH', 1000n * WAD, LATE + RETENTION));
    expect((await listed()).map((o) => o.orderId)).toEqual(fresh.map((o) => o.orderId));
    expect((await getJson(`${n().url}/orders/${onA.orderId}`)).status).toBe(404);
    // the hub had dispatched it just before its expiry after all: the vault's acknowledgement
    // arrives now, and what the vault reports is booked (not dead-lettered); what is in flight on
    // the holding (the new order) never counts for more than the balance
    const left = WAD - BigInt(onA.amount);
    const ackSeq = await ackOnA(n().inputs, onA, left);
    const status = await n().caughtUp(ackSeq);
    expect(status.deadLettered).toBe(0);
    const onAFresh = fresh
      .filter((o) => o.body.dstEid === EID_A)
      .reduce((sum, o) => sum + BigInt(o.body.amount as string), 0n);
    expect((await aliceBalances(n().url)).find((b) => b.eid === EID_A)).toMatchObject({
      balance: left.toString(),
      pending: (onAFresh < left ? onAFresh : left).toString(),
    });
    expect((await getJson(`${n().url}/orders/${onA.orderId}`)).status).toBe(404);
  });
});

describe('orders the hub dispatched in time', () => {
  const n = nodePerSuite();

  it('stay in flight past their expiry: nothing is planned again; a dispatch of an unknown order is ignored', async () => {
    const { ids } = await liquidateAlice(n().inputs);
    await dispatch(n().inputs, ids[0]!, EID_A, DROP + 100n);
    await dispatch(n().inputs, ids[1]!, EID_B, DROP + ORDER_TTL); // at the expiry: still valid on the hub
    // another shard's order: ignored, not dead-lettered
    await dispatch(n().inputs, `0x${'ab'.repeat(32)}`, EID_A, DROP + 200n);
    const lateSeq = await n().inputs.price('WETH', 1000n * WAD, LATE + 10_000n);
    const status = await n().caughtUp(lateSeq);
    expect(status.deadLettered).toBe(0);
    expect((await n().inputs.outputs()).map((o) => o.orderId)).toEqual(ids);
    const orders = await listedOrders(n().url);
    expect(orders.map((o) => [o.orderId, o.status, o.dispatched])).toEqual(ids.map((id) => [id, 'pending', true]));
  });
});

describe('a withdrawal decision the hub never dispatched', () => {
  const n = nodePerSuite();

  it('is decided again once its expiry + grace has passed: the same request, a new order id', async () => {
    await n().inputs.price('WETH', 2000n * WAD, T0);
    await n().inputs.hub(EID_A, {
      type: 'BALANCE',
      account: ALICE,
      token: WETH_A,
      balance: 5n * WAD,
      delta: 5n * WAD,
      seq: 1n,
    });
    const requestSeq = await n().inputs.hub(EID_A, {
      type: 'WITHDRAW_REQUEST',
      account: ALICE,
      token: WETH_A,
      amount: WAD,
      requestId: 9n,
      seq: 2n,
    });
    const [first] = await waitFor('the decision', async () => {
      const o = await n().inputs.outputs();
      return o.length === 1 ? o : null;
    });
    const requestTime = await n().inputs.inputTime(requestSeq);
    expect(first!.body).toMatchObject({ kind: 'withdraw-decision', requestId: '9', approved: true });
    expect(first!.body).toMatchObject({ expiry: `${requestTime + ORDER_TTL}` });
    // nothing dispatches it; the stream's time passes its expiry + grace
    const late = requestTime + ORDER_TTL + GRACE + 1n;
    const lateSeq = await n().inputs.price('WETH', 2000n * WAD, late);
    const outs = await waitFor('the decision again', async () => {
      const o = await n().inputs.outputs();
      return o.length === 2 ? o : null;
    });
    await n().caughtUp(lateSeq);
    const again = outs[1]!;
    expect(again.orderId).not.toBe(first!.orderId);
    expect(again.body).toMatchObject({
      kind: 'withdraw-decision',
      requestId: '9',
      approved: true,
      inputSeq: lateSeq.toString(),
      expiry: `${late + ORDER_TTL}`,
    });
    const orders = await listedOrders(n().url);
    expect(orders.map((o) => [o.orderId, o.status])).toEqual([
      [first!.orderId, 'expired'],
      [again.orderId, 'pending'],
    ]);
    // the request stayed in flight throughout (frozen on the vault): 1 WETH pending on A
    expect((await aliceBalances(n().url)).find((b) => b.eid === EID_A)?.pending).toBe(WAD.toString());
  });
});

describe('orders a vault acknowledged EXPIRED (delivered after their expiry)', () => {
  const n = nodePerSuite();

  it('releases the seizure, books the balance, plans again under a new id', async () => {
    const { ids } = await liquidateAlice(n().inputs);
    const onA = (await listedOrders(n().url)).find((o) => o.dstEid === EID_A)!;
    await n().caughtUp(await dispatch(n().inputs, onA.orderId, EID_A, DROP + 1n));
    // the delivery came after the expiry: the vault changed nothing and says so
    const ackSeq = await n().inputs.hub(EID_A, {
      type: 'ORDER_ACK',
      orderId: onA.orderId as Hex,
      account: ALICE,
      token: WETH_A,
      seized: 0n,
      balance: WAD,
      status: AckStatus.EXPIRED,
      seq: 3n,
    });
    const status = await n().caughtUp(ackSeq);
    expect(status.deadLettered).toBe(0);
    const orders = await listedOrders(n().url);
    expect(orders.find((o) => o.orderId === onA.orderId)).toMatchObject({
      status: 'expired',
      dispatched: true,
      executed: '0',
    });
    // Alice is still liquidatable: the collateral on A is seized again, under a new id
    const again = (await n().inputs.outputs()).slice(2);
    expect(again.length).toBeGreaterThan(0);
    for (const o of again) {
      expect(ids).not.toContain(o.orderId);
      expect(o.body).toMatchObject({ kind: 'liquidate', inputSeq: ackSeq.toString() });
    }
    const onAAgain = again.filter((o) => o.body.dstEid === EID_A);
    expect(onAAgain.map((o) => o.body.amount)).toEqual([WAD.toString()]);
    expect((await aliceBalances(n().url)).find((b) => b.eid === EID_A)).toMatchObject({
      balance: WAD.toString(),
      pending: WAD.toString(),
    });
  });
});
