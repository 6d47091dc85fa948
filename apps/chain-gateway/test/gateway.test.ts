import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { clearingHubAbi, endpointV2Abi } from '@omniclear/chain';
import {
  AckStatus,
  decodeMessage,
  encodeOrder,
  liquidationOrderId,
  msgIds,
  withdrawDecisionOrderId,
  parseInputEvent,
  signOrder,
  STREAMS,
  subjects,
  toJson,
  type DispatchEvent,
  type HubBoundMessage,
  type HubEvent,
  type InputEvent,
  type OutputOrder,
  type UnsignedOrder,
} from '@omniclear/protocol';
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  getAbiItem,
  getAddress,
  http,
  parseEventLogs,
  parseGwei,
  type Address,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_KEYS } from '@omniclear/testkit';

import { AppModule } from '../src/app.module.js';
import type { GatewayConfig } from '../src/config.js';
import { OrderConsumerService } from '../src/executor/order-consumer.service.js';
import { HubFollowerService } from '../src/follower/hub-follower.service.js';
import {
  balanceMessage,
  eventually,
  gatewayConfig,
  HubDeliverer,
  SIGNER_KEYS,
  SIGNERS,
  SPOKE_EID,
  STRANGER_KEY,
  startDevnet,
  type Devnet,
} from './helpers.js';

const ALICE: Address = '0x00000000000000000000000000000000000a11ce';
const LIQUIDATOR: Address = '0x0000000000000000000000000000000000001100';

type App = Awaited<ReturnType<typeof NestFactory.createApplicationContext>>;

let devnet: Devnet;
let config: GatewayConfig;
let nc: NatsConnection;
let jsm: JetStreamManager;
let deliverer: HubDeliverer;
let app: App | undefined;

async function startGateway(): Promise<App> {
  return NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
}

async function inCount(): Promise<number> {
  return (await jsm.streams.info(STREAMS.IN.name)).state.messages;
}

/** Every message on OMNI_IN with its subject and Nats-Msg-Id, in stream order. */
async function inEvents(): Promise<Array<{ msgId: string; subject: string; event: InputEvent }>> {
  const out = [];
  const last = (await jsm.streams.info(STREAMS.IN.name)).state.last_seq;
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage(STREAMS.IN.name, { seq });
    if (!m) continue;
    out.push({ msgId: m.header.get('Nats-Msg-Id'), subject: m.subject, event: parseInputEvent(m.data) });
  }
  return out;
}

/** The `hub` events on OMNI_IN (inbound vault messages) with their Nats-Msg-Id, in stream order. */
async function inMessages(): Promise<Array<{ msgId: string; event: HubEvent }>> {
  return (await inEvents()).flatMap(({ msgId, event }) => (event.kind === 'hub' ? [{ msgId, event }] : []));
}

/** The `dispatch` events on OMNI_IN of order `orderId`, with their subject and Nats-Msg-Id. */
async function dispatchEvents(orderId: Hex): Promise<Array<{ msgId: string; subject: string; event: DispatchEvent }>> {
  return (await inEvents()).flatMap(({ msgId, subject, event }) =>
    event.kind === 'dispatch' && event.orderId === orderId ? [{ msgId, subject, event }] : [],
  );
}

beforeAll(async () => {
  devnet = await startDevnet();
  config = gatewayConfig(devnet);
  nc = await connect({ servers: devnet.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  jsm = await jetstreamManager(nc);
  deliverer = new HubDeliverer(devnet);
});

afterAll(async () => {
  await app?.close();
  await nc?.close();
  await devnet?.stop();
});

describe('hub follower', () => {
  it('publishes exactly one HubEvent per MessageReceived log, with its msg id and decoded message', async () => {
    app = await startGateway();
    const single = await deliverer.deliver([balanceMessage(1n, ALICE, devnet.token, 100n)]);
    const pair = await deliverer.deliver(
      [balanceMessage(2n, ALICE, devnet.token, 250n), balanceMessage(3n, ALICE, devnet.token, 300n)],
      { sameBlock: true },
    );

    await eventually(async () => (await inCount()) === 3, '3 events on OMNI_IN');
    const published = await inMessages();
    const pub = createPublicClient({ transport: http(devnet.hubChain.rpcUrl) });
    const logs = await pub.getContractEvents({
      address: devnet.hub,
      abi: clearingHubAbi,
      eventName: 'MessageReceived',
      fromBlock: 0n,
    });
    expect(logs.map((l) => l.transactionHash)).toEqual([...single, ...pair]);
    expect(logs[1]!.blockNumber).toBe(logs[2]!.blockNumber);

    expect(published).toHaveLength(3);
    for (const [i, log] of logs.entries()) {
      const { msgId, event } = published[i]!;
      expect(msgId).toBe(msgIds.hubEvent(31337, log.transactionHash, log.logIndex));
      const block = await pub.getBlock({ blockNumber: log.blockNumber });
      expect(event).toEqual({
        kind: 'hub',
        chainId: 31337,
        blockNumber: log.blockNumber,
        blockTimestamp: block.timestamp,
        txHash: log.transactionHash,
        logIndex: log.logIndex,
        srcEid: SPOKE_EID,
        nonce: BigInt(i + 1),
        guid: log.args.guid,
        message: balanceMessage(BigInt(i + 1), getAddress(ALICE), devnet.token, [100n, 250n, 300n][i]!),
      });
    }
  });

  it('after a restart resumes after its last published event, publishing nothing twice', async () => {
    await app!.close();
    app = undefined;
    // A message arrives while the gateway is down.
    await deliverer.deliver([balanceMessage(4n, ALICE, devnet.token, 400n)]);

    app = await startGateway();
    await eventually(async () => (await inCount()) === 4, '4th event on OMNI_IN');
    // Let the restarted follower poll a few more times: the count must not move.
    await new Promise((r) => setTimeout(r, 5 * config.follower.pollMs));
    expect(await inCount()).toBe(4);
    // It did not even republish the last block for the stream to dedupe: it resumed after the last log.
    expect(app.get(HubFollowerService).status().published).toBe(1);
    const events = await inMessages();
    expect(new Set(events.map((e) => e.msgId)).size).toBe(4);
    expect(events.map((e) => (e.event.message as { seq: bigint }).seq)).toEqual([1n, 2n, 3n, 4n]);
  });

  it('re-reads the hub from a checkpoint block when told to; the stream keeps each event once', async () => {
    await app!.close();
    app = undefined;
    const before = await inMessages();
    config = { ...config, follower: { ...config.follower, rereadFromBlock: 0n } };
    try {
      app = await startGateway();
      await eventually(
        async () => app!.get(HubFollowerService).status().published === before.length,
        'every hub log re-read and re-published',
      );
      // all within the dedupe window: the stream stored none of them again
      expect(app.get(HubFollowerService).status().duplicates).toBe(before.length);
      expect(await inMessages()).toEqual(before);
    } finally {
      await app?.close();
      app = undefined;
      config = { ...config, follower: { ...config.follower, rereadFromBlock: undefined } };
      app = await startGateway();
    }
  });

  it('keeps its cursor through a NATS outage and publishes what arrived meanwhile', async () => {
    const restarted = devnet.nats.restart();
    await deliverer.deliver([balanceMessage(5n, ALICE, devnet.token, 500n)]);
    devnet.nats = await restarted;
    await eventually(async () => (await inCount()) === 5, '5th event after the NATS restart', 30_000);
    const events = await inMessages();
    expect(events.map((e) => (e.event.message as { seq: bigint }).seq)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });
});

describe('hub follower on a reorganised chain', () => {
  it('notices the last block changed, re-reads and publishes the new branch', async () => {
    const test = createTestClient({ mode: 'anvil', transport: http(devnet.hubChain.rpcUrl) });
    const before = await inCount();
    const snapshot = await test.snapshot();
    await deliverer.deliver([balanceMessage(6n, ALICE, devnet.token, 600n)]);
    await eventually(async () => (await inCount()) === before + 1, 'the event of the soon orphaned block');

    await test.revert({ id: snapshot });
    await test.mine({ blocks: 2 });
    await deliverer.deliver([balanceMessage(6n, ALICE, devnet.token, 650n)]);
    await eventually(async () => (await inCount()) === before + 2, 'the event of the new branch');
    expect(app!.get(HubFollowerService).status().reorgs).toBeGreaterThanOrEqual(1);
    // Re-reading the surviving blocks republished nothing new (same msg ids, deduped by the stream).
    await new Promise((r) => setTimeout(r, 5 * config.follower.pollMs));
    expect(await inCount()).toBe(before + 2);
    const balances = (await inMessages()).slice(-2).map((e) => (e.event.message as { balance: bigint }).balance);
    // Skeleton: the orphaned event is not retracted (a later issue), the new branch follows it.
    expect(balances).toEqual([600n, 650n]);
  });
});

describe('order executor', () => {
  let inputSeq = 100n;
  beforeAll(async () => {
    app ??= await startGateway();
    // The executor creates the streams and its durable in the background once the app is up.
    await eventually(() => jsm.consumers.info(STREAMS.OUT.name, config.executor.consumer), 'the durable consumer');
  });
  const pub = () => createPublicClient({ transport: http(devnet.hubChain.rpcUrl) });

  const domain = () => ({ chainId: 31337, verifyingContract: devnet.hub });
  /** An hour after the hub's current time. */
  async function inAnHour(): Promise<bigint> {
    return (await pub().getBlock()).timestamp + 3600n;
  }

  async function order(
    overrides: Partial<Extract<UnsignedOrder, { kind: 'liquidate' }>> = {},
  ): Promise<Extract<UnsignedOrder, { kind: 'liquidate' }>> {
    inputSeq += 1n;
    const fields = {
      dstEid: SPOKE_EID,
      account: getAddress(ALICE),
      token: devnet.token,
      amount: 40n,
      recipient: getAddress(LIQUIDATOR),
      insuranceAmount: 4n,
      inputSeq,
      expiry: await inAnHour(),
      ...overrides,
    };
    return { kind: 'liquidate', orderId: liquidationOrderId(fields), ...fields };
  }

  async function decision(
    overrides: Partial<Extract<UnsignedOrder, { kind: 'withdraw-decision' }>> = {},
  ): Promise<Extract<UnsignedOrder, { kind: 'withdraw-decision' }>> {
    inputSeq += 1n;
    const fields = {
      dstEid: SPOKE_EID,
      account: getAddress(ALICE),
      token: devnet.token,
      amount: 25n,
      requestId: 7n,
      approved: true,
      inputSeq,
      expiry: await inAnHour(),
      ...overrides,
    };
    return { kind: 'withdraw-decision', orderId: withdrawDecisionOrderId(fields), ...fields };
  }

  /** `key`'s signed copy of `o`. */
  function signed(o: UnsignedOrder, key: Hex): Promise<OutputOrder> {
    return signOrder(privateKeyToAccount(key), o, domain());
  }

  /** Publishes the copies of `o` signed by `keys`, each under its node's msg id `<orderId>:<signer>`. */
  async function publishSigned(o: UnsignedOrder, keys: readonly Hex[]): Promise<void> {
    for (const key of keys) await publishOrder(await signed(o, key));
  }

  async function publishOrder(o: OutputOrder, msgId: string = msgIds.order(o.orderId, o.signer)): Promise<void> {
    await jetstream(nc).publish(subjects.order(o.dstEid), encodeOrder(o), { msgID: msgId });
  }

  async function isDispatched(orderId: Hex): Promise<boolean> {
    return pub().readContract({
      address: devnet.hub,
      abi: clearingHubAbi,
      functionName: 'dispatched',
      args: [orderId],
    });
  }

  /** The next dead letter of the gateway. */
  function nextDeadLetter() {
    const dlq = nc.subscribe(subjects.dlq('chain-gateway'), { max: 1 });
    return eventually(async () => {
      for await (const m of dlq)
        return m.json<{ reason: string; data: string; msgId: string; deliveryCount: number }>();
      return undefined;
    }, 'a dead letter');
  }

  async function dispatchedLogs(orderId: `0x${string}`) {
    return pub().getContractEvents({
      address: devnet.hub,
      abi: clearingHubAbi,
      eventName: 'OrderDispatched',
      args: { orderId },
      fromBlock: 0n,
      strict: true,
    });
  }

  /** The durable consumer has nothing pending and nothing awaiting an ack. */
  async function consumerSettled(): Promise<boolean> {
    const info = await jsm.consumers.info(STREAMS.OUT.name, config.executor.consumer);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }

  it('holds one signature of a 2-of-3 order, and dispatches when the second signer’s copy arrives', async () => {
    const stats = app!.get(OrderConsumerService).stats;
    const before = { ...stats };
    const o = await order();
    await publishSigned(o, [SIGNER_KEYS[2]!]);
    await eventually(async () => stats.collected - before.collected === 1, 'the first copy collected');
    await eventually(consumerSettled, 'the first copy acked');
    expect(await isDispatched(o.orderId)).toBe(false);
    expect(await dispatchedLogs(o.orderId)).toHaveLength(0);

    await publishSigned(o, [SIGNER_KEYS[0]!]);
    await eventually(() => dispatchedLogs(o.orderId).then((l) => l.length === 1), 'OrderDispatched');
    await eventually(async () => stats.dispatched - before.dispatched === 1, 'the dispatch counted');
    // the transaction carried both signatures, ascending by signer address
    const [log] = await dispatchedLogs(o.orderId);
    const tx = await pub().getTransaction({ hash: log!.transactionHash });
    const sigs = await Promise.all([signed(o, SIGNER_KEYS[2]!), signed(o, SIGNER_KEYS[0]!)]);
    const ascending = sigs.sort((a, b) => (a.signer.toLowerCase() < b.signer.toLowerCase() ? -1 : 1));
    expect(tx.input).toContain(ascending[0]!.signature.slice(2) + '');
    expect(tx.input.indexOf(ascending[0]!.signature.slice(2))).toBeLessThan(
      tx.input.indexOf(ascending[1]!.signature.slice(2)),
    );
    expect(tx.from.toLowerCase()).toBe(privateKeyToAccount(config.submitterKey).address.toLowerCase());
    await eventually(consumerSettled, 'order acked');
  });

  it('refuses a copy signed by a key outside the signer set, dead-lettering it with the reason', async () => {
    const stats = app!.get(OrderConsumerService).stats;
    const before = { ...stats };
    const o = await order();
    const letter = nextDeadLetter();
    const stranger = privateKeyToAccount(STRANGER_KEY).address;
    await publishSigned(o, [STRANGER_KEY]);
    expect((await letter).reason).toBe(
      `not a signer: ${stranger} is not in the hub's signer set (copy of order ${o.orderId})`,
    );
    // a copy whose signature is not its signer's (claims signer #0, signed by #1)
    const forged = { ...(await signed(o, SIGNER_KEYS[1]!)), signer: SIGNERS[0]! };
    const letter2 = nextDeadLetter();
    await publishOrder(forged, `${o.orderId}:forged`);
    expect((await letter2).reason).toBe(
      `bad signature: the copy of order ${o.orderId} from ${SIGNERS[0]} recovers to ${SIGNERS[1]}`,
    );
    // one registered signer (the refused copies did not count): still held
    await publishSigned(o, [SIGNER_KEYS[2]!]);
    await eventually(async () => stats.collected - before.collected === 1, 'the valid copy collected');
    await eventually(consumerSettled, 'copies settled');
    expect(stats.refused - before.refused).toBe(2);
    expect(await isDispatched(o.orderId)).toBe(false);
  });

  it('dead-letters an expired order with the reason instead of retrying it', async () => {
    const stats = app!.get(OrderConsumerService).stats;
    const before = { ...stats };
    const now = (await pub().getBlock()).timestamp;
    const o = await order({ expiry: now - 10n });
    const letter = nextDeadLetter();
    await publishSigned(o, [SIGNER_KEYS[0]!]);
    const l = await letter;
    expect(l.reason).toMatch(
      new RegExp(`^expired: order ${o.orderId} expired at ${o.expiry} \\(hub time \\d+\\); the hub would refuse it$`),
    );
    expect(l.deliveryCount).toBe(1);
    await eventually(consumerSettled, 'expired order terminated');
    expect(stats.retried).toBe(before.retried);
    expect(await isDispatched(o.orderId)).toBe(false);
  });

  it('dispatches an order on the hub and acknowledges it', async () => {
    const o = await order();
    await publishSigned(o, SIGNER_KEYS.slice(0, 2));
    await eventually(() => dispatchedLogs(o.orderId).then((l) => l.length === 1), 'OrderDispatched');
    expect(
      await pub().readContract({
        address: devnet.hub,
        abi: clearingHubAbi,
        functionName: 'dispatched',
        args: [o.orderId],
      }),
    ).toBe(true);
    const [log] = await dispatchedLogs(o.orderId);
    expect(log!.args.dstEid).toBe(SPOKE_EID);
    await eventually(consumerSettled, 'order acked');
    const info = await jsm.consumers.info(STREAMS.OUT.name, config.executor.consumer);
    expect(info.ack_floor.stream_seq).toBe(info.delivered.stream_seq);
  });

  it('dispatches a withdrawal decision on the hub with its request id, once', async () => {
    const stats = app!.get(OrderConsumerService).stats;
    const before = { ...stats };
    const d = await decision({ approved: false, requestId: 11n });
    await publishSigned(d, SIGNER_KEYS);
    await eventually(() => dispatchedLogs(d.orderId).then((l) => l.length === 1), 'OrderDispatched');
    await eventually(
      async () => stats.dispatched + stats.alreadyDispatched - before.dispatched - before.alreadyDispatched === 2,
      'the second and third copies handled',
    );
    await eventually(consumerSettled, 'decision acked');
    expect(stats.collected - before.collected).toBe(1);
    expect(stats.dispatched - before.dispatched).toBe(1);
    expect(stats.alreadyDispatched - before.alreadyDispatched).toBe(1);

    // the packet the hub sent carries the decision exactly (its last words: `approved`, `expiry`)
    const [log] = await dispatchedLogs(d.orderId);
    const receipt = await pub().getTransactionReceipt({ hash: log!.transactionHash });
    const [sent] = parseEventLogs({ abi: endpointV2Abi, logs: receipt.logs, eventName: 'PacketSent' });
    // PacketV1: an 81-byte header and the 32-byte guid, then the OApp message
    const message = `0x${sent!.args.encodedPayload.slice(2 + 2 * (81 + 32))}` as const;
    expect(decodeMessage(message)).toEqual({
      type: 'WITHDRAW_DECISION',
      orderId: d.orderId,
      account: d.account,
      token: d.token,
      amount: 25n,
      requestId: 11n,
      approved: false,
      // the signed expiry travels in the payload: the vault refuses the order delivered after it
      expiry: d.expiry,
    });
  });

  it('counts a signer once: its copy published twice under two msg ids is not two signatures', async () => {
    const stats = app!.get(OrderConsumerService).stats;
    const before = { ...stats };
    const o = await order();
    const copy = await signed(o, SIGNER_KEYS[1]!);
    await publishOrder(copy);
    await publishOrder(copy, `${o.orderId}:again`);
    await eventually(async () => stats.collected - before.collected === 2, 'both copies handled');
    await eventually(consumerSettled, 'both acked');
    expect(await dispatchedLogs(o.orderId)).toHaveLength(0);
    await publishSigned(o, [SIGNER_KEYS[2]!]);
    await eventually(() => dispatchedLogs(o.orderId).then((l) => l.length === 1), 'OrderDispatched');
    await eventually(async () => stats.dispatched - before.dispatched === 1, 'the dispatch counted');
    expect(stats.deadLettered).toBe(before.deadLettered);
  });

  it('dead-letters a malformed order with the reason and terminates it', async () => {
    const dlq = nc.subscribe(subjects.dlq('chain-gateway'), { max: 1 });
    const { orderId: _drop, ...withoutId } = await signed(await order(), SIGNER_KEYS[0]!);
    await jetstream(nc).publish(subjects.order(SPOKE_EID), toJson(withoutId), { msgID: 'malformed-1' });
    const letter = await eventually(async () => {
      for await (const m of dlq) return m.json<{ reason: string; data: string; msgId: string }>();
      return undefined;
    }, 'a dead letter');
    expect(letter.reason).toMatch(/^malformed order: EventSchemaError: .*orderId/);
    expect(letter.msgId).toBe('malformed-1');
    await eventually(consumerSettled, 'malformed order terminated');
  });

  it('retries an order the hub keeps refusing, then dead-letters it with the decoded revert', async () => {
    const dlq = nc.subscribe(subjects.dlq('chain-gateway'), { max: 1 });
    const stats = app!.get(OrderConsumerService).stats;
    const retriedBefore = stats.retried;
    // No vault peer on this eid: quoteLiquidation reverts with OApp's NoPeer.
    const o = await order({ dstEid: 40199 });
    await publishSigned(o, SIGNER_KEYS.slice(0, 2));
    const letter = await eventually(async () => {
      for await (const m of dlq) return m.json<{ reason: string; deliveryCount: number }>();
      return undefined;
    }, 'a dead letter after max_deliver');
    expect(letter.reason).toContain('NoPeer');
    expect(letter.deliveryCount).toBe(config.executor.maxDeliver);
    expect(stats.retried - retriedBefore).toBe(config.executor.maxDeliver - 1);
    await eventually(consumerSettled, 'refused order terminated');
    expect(
      await pub().readContract({
        address: devnet.hub,
        abi: clearingHubAbi,
        functionName: 'dispatched',
        args: [o.orderId],
      }),
    ).toBe(false);
  });
  it('keeps the signatures it collected across a restart: the copy consumed before counts with the one after', async () => {
    const o = await order();
    await publishSigned(o, [SIGNER_KEYS[1]!]);
    await eventually(consumerSettled, 'the first copy acked');
    await app!.close();
    app = await startGateway();
    const stats = app.get(OrderConsumerService).stats;
    await eventually(async () => stats.recollected > 0, 'copies re-read at start');
    await publishSigned(o, [SIGNER_KEYS[0]!]);
    await eventually(() => dispatchedLogs(o.orderId).then((l) => l.length === 1), 'OrderDispatched');
    await eventually(consumerSettled, 'settled');
  });

  describe('and the follower publishes each dispatch into OMNI_IN', () => {
    /** The `DispatchEvent` the follower must publish for an `OrderDispatched` log, and its msg id. */
    async function expectedDispatch(log: {
      blockNumber: bigint;
      transactionHash: Hex;
      logIndex: number;
      args: { orderId: Hex; dstEid: number; guid: Hex };
    }) {
      const block = await pub().getBlock({ blockNumber: log.blockNumber });
      return {
        msgId: msgIds.hubEvent(31337, log.transactionHash, log.logIndex),
        subject: subjects.hubEvent(31337),
        event: {
          kind: 'dispatch',
          chainId: 31337,
          blockNumber: log.blockNumber,
          blockTimestamp: block.timestamp,
          txHash: log.transactionHash,
          logIndex: log.logIndex,
          orderId: log.args.orderId,
          dstEid: log.args.dstEid,
          guid: log.args.guid,
        } satisfies DispatchEvent,
      };
    }

    it('a signed order the executor dispatched shows up as one dispatch event, with its order id, dstEid, guid and msg id', async () => {
      const o = await order();
      await publishSigned(o, SIGNER_KEYS.slice(0, 2));
      await eventually(() => dispatchedLogs(o.orderId).then((l) => l.length === 1), 'OrderDispatched');
      const [log] = await dispatchedLogs(o.orderId);
      await eventually(async () => (await dispatchEvents(o.orderId)).length > 0, 'the dispatch event on OMNI_IN');
      await eventually(consumerSettled, 'order acked');
      // Let the follower poll a few more times: still exactly one.
      await new Promise((r) => setTimeout(r, 5 * config.follower.pollMs));
      const events = await dispatchEvents(o.orderId);
      expect(events).toEqual([await expectedDispatch(log!)]);
      expect(events[0]!.event.dstEid).toBe(SPOKE_EID);
      // the guid is the LayerZero packet's: the dispatch transaction's PacketSent carries it
      const receipt = await pub().getTransactionReceipt({ hash: log!.transactionHash });
      const [sent] = parseEventLogs({ abi: endpointV2Abi, logs: receipt.logs, eventName: 'PacketSent' });
      // PacketV1: version (1), nonce (8), srcEid (4), sender (32), dstEid (4), receiver (32), then the guid
      expect(`0x${sent!.args.encodedPayload.slice(2 + 2 * 81, 2 + 2 * (81 + 32))}`).toBe(events[0]!.event.guid);
    });

    it('interleaves dispatches with inbound messages of the same block in log order', async () => {
      const test = createTestClient({ mode: 'anvil', transport: http(devnet.hubChain.rpcUrl) });
      /** Sends `dispatchLiquidation` of a new order from anvil account `keyIndex` at these fees (not mined yet). */
      async function sendDispatch(
        keyIndex: number,
        fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
      ): Promise<{ orderId: Hex; hash: Hex }> {
        const o = await order();
        const copies = await Promise.all(SIGNER_KEYS.slice(0, 2).map((k) => signed(o, k)));
        const signatures = copies
          .sort((a, b) => (a.signer.toLowerCase() < b.signer.toLowerCase() ? -1 : 1))
          .map((c) => c.signature);
        const { kind: _kind, inputSeq: _seq, ...call } = o;
        const fee = await pub().readContract({
          address: devnet.hub,
          abi: clearingHubAbi,
          functionName: 'quoteLiquidation',
          args: [call],
        });
        const submitter = createWalletClient({
          account: privateKeyToAccount(ANVIL_KEYS[keyIndex] as Hex),
          transport: http(devnet.hubChain.rpcUrl),
        });
        const hash = await submitter.writeContract({
          chain: null,
          address: devnet.hub,
          abi: clearingHubAbi,
          functionName: 'dispatchLiquidation',
          args: [call, signatures],
          value: fee.nativeFee,
          gas: 1_000_000n,
          ...fees,
        });
        return { orderId: o.orderId, hash };
      }

      const before = (await inEvents()).length;
      // Held in the mempool, then mined in the block the deliverer mines with its two messages. anvil
      // orders a block by fee: the first dispatch pays far more than the messages (viem's estimate:
      // the base fee with a margin plus a 1 gwei tip), the second only the base fee, which cannot rise
      // after the nearly empty blocks before, so the messages fall between the two dispatches.
      const baseFee = (await pub().getBlock()).baseFeePerGas!;
      await test.setAutomine(false);
      let first, last;
      try {
        first = await sendDispatch(2, { maxFeePerGas: parseGwei('100'), maxPriorityFeePerGas: parseGwei('50') });
        last = await sendDispatch(3, { maxFeePerGas: baseFee, maxPriorityFeePerGas: 0n });
      } catch (err) {
        await test.setAutomine(true);
        throw err;
      }
      // (vault sequence numbers the earlier tests left unused: the hub ignores a seen one)
      const delivered = await deliverer.deliver(
        [balanceMessage(1000n, ALICE, devnet.token, 700n), balanceMessage(1001n, ALICE, devnet.token, 710n)],
        { sameBlock: true },
      );
      const receipts = await Promise.all(
        [first.hash, ...delivered, last.hash].map((hash) => pub().waitForTransactionReceipt({ hash })),
      );
      expect(receipts.map((r) => r.status)).toEqual(['success', 'success', 'success', 'success']);
      const block = receipts[0]!.blockNumber;
      expect(receipts.map((r) => r.blockNumber)).toEqual([block, block, block, block]);
      const inBlock = (
        await pub().getLogs({
          address: devnet.hub,
          events: [
            getAbiItem({ abi: clearingHubAbi, name: 'MessageReceived' }),
            getAbiItem({ abi: clearingHubAbi, name: 'OrderDispatched' }),
          ],
          fromBlock: block,
          toBlock: block,
          strict: true,
        })
      ).sort((a, b) => a.logIndex - b.logIndex);
      expect(inBlock.map((l) => l.eventName)).toEqual([
        'OrderDispatched',
        'MessageReceived',
        'MessageReceived',
        'OrderDispatched',
      ]);

      await eventually(async () => (await inEvents()).length === before + 4, 'the block’s four events on OMNI_IN');
      const published = (await inEvents()).slice(before);
      expect(published.map((p) => p.msgId)).toEqual(
        inBlock.map((l) => msgIds.hubEvent(31337, l.transactionHash, l.logIndex)),
      );
      expect(published.map((p) => p.event.kind)).toEqual(['dispatch', 'hub', 'hub', 'dispatch']);
      for (const [i, { orderId }] of [first, last].entries()) {
        const log = inBlock[i * 3]!;
        if (log.eventName !== 'OrderDispatched') throw new Error('expected an OrderDispatched log');
        expect(log.args.orderId).toBe(orderId);
        expect(await dispatchEvents(orderId)).toEqual([await expectedDispatch(log)]);
      }
    });

    it('publishes a vault’s ORDER_ACK with its status: an order delivered after its expiry is acknowledged EXPIRED', async () => {
      const before = (await inMessages()).length;
      const orderId = `0x${'e7'.repeat(32)}` as Hex;
      const ack = (seq: bigint, status: number): HubBoundMessage => ({
        type: 'ORDER_ACK',
        orderId,
        account: getAddress(ALICE),
        token: devnet.token,
        seized: 0n,
        balance: 700n,
        status,
        seq,
      });
      // (vault sequence numbers no other test uses)
      await deliverer.deliver([ack(2000n, AckStatus.EXPIRED), ack(2001n, AckStatus.EXECUTED)]);
      await eventually(async () => (await inMessages()).length === before + 2, 'the two acks on OMNI_IN');
      const published = (await inMessages()).slice(before).map((m) => m.event.message);
      expect(published).toEqual([ack(2000n, AckStatus.EXPIRED), ack(2001n, AckStatus.EXECUTED)]);
    });

    it('after a restart resumes after a dispatch event, the last on its subject, publishing nothing twice', async () => {
      const o = await order();
      await publishSigned(o, SIGNER_KEYS.slice(1, 3));
      await eventually(async () => (await dispatchEvents(o.orderId)).length === 1, 'the dispatch event on OMNI_IN');
      await eventually(consumerSettled, 'order acked');
      const before = await inEvents();
      // the follower's cursor in the stream is now a dispatch event
      expect(before.at(-1)!.event).toMatchObject({ kind: 'dispatch', orderId: o.orderId });

      await app!.close();
      app = await startGateway();
      await new Promise((r) => setTimeout(r, 5 * config.follower.pollMs));
      expect(app.get(HubFollowerService).status().cursor).toBeDefined();
      expect(app.get(HubFollowerService).status().published).toBe(0);
      expect(await inEvents()).toEqual(before);

      // and what comes next is published after it, once
      await deliverer.deliver([balanceMessage(1002n, ALICE, devnet.token, 800n)]);
      await eventually(async () => (await inEvents()).length === before.length + 1, 'the next event on OMNI_IN');
      await new Promise((r) => setTimeout(r, 5 * config.follower.pollMs));
      const after = await inEvents();
      expect(after.slice(0, -1)).toEqual(before);
      expect(after.at(-1)!.event).toMatchObject({ kind: 'hub', message: { balance: 800n } });
      expect(app.get(HubFollowerService).status().published).toBe(1);
      expect(await dispatchEvents(o.orderId)).toHaveLength(1);
    });
  });

  it('follows a change of the signer set (SignersSet): a new signer counts, a removed one is refused', async () => {
    const owner = createWalletClient({
      account: privateKeyToAccount(ANVIL_KEYS[0] as Hex),
      transport: http(devnet.hubChain.rpcUrl),
    });
    const stranger = privateKeyToAccount(STRANGER_KEY).address;
    const hash = await owner.writeContract({
      chain: null,
      address: devnet.hub,
      abi: clearingHubAbi,
      functionName: 'setSigners',
      args: [[SIGNERS[0]!, stranger], 2],
    });
    await pub().waitForTransactionReceipt({ hash });
    const o = await order();
    await publishSigned(o, [STRANGER_KEY, SIGNER_KEYS[0]!]);
    await eventually(() => dispatchedLogs(o.orderId).then((l) => l.length === 1), 'OrderDispatched');
    const removed = await order();
    const letter = nextDeadLetter();
    await publishSigned(removed, [SIGNER_KEYS[2]!]);
    expect((await letter).reason).toBe(
      `not a signer: ${SIGNERS[2]} is not in the hub's signer set (copy of order ${removed.orderId})`,
    );
    await eventually(consumerSettled, 'settled');
  });
});
