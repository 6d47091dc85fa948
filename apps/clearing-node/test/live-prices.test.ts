import 'reflect-metadata';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { encodeInputEvent, marketToBytes32, msgIds, subjects } from '@omniclear/protocol';
import { startNats, type NatsServer } from '@omniclear/testkit';
import type { Address } from 'viem';

import { createApp, startApp } from '../src/app.js';
import type { AccountDto } from '../src/api/views.js';
import { readNodeConfig, type NodeConfig } from '../src/config.js';
import { OMNI_IN_STREAM } from '../src/nats/streams.js';
import { UpdatesService, type AccountUpdate, type NodeUpdate } from '../src/updates/updates.service.js';
import {
  ALICE,
  ASSETS,
  BOB,
  EID_A,
  EID_B,
  Inputs,
  PERP,
  RECIPIENT,
  SIGNING_ENV,
  WAD,
  WETH_A,
  WETH_B,
  getJson,
  waitFor,
} from './helpers.js';

// `GET /events` when the market moves, on a real nats-server: a client watching an account gets
// its figures after every price or mark that moves them, and nothing for the others; an
// unfiltered client gets one `market` event per price or mark, not one update per holder.

const USDC_A: Address = '0x0000000000000000000000000000000000005dc0';
const CAROL: Address = '0x000000000000000000000000000000000000ca01';
const USDC = 10n ** 6n;

function nodeConfig(natsUrl: string): NodeConfig {
  const env = {
    OMNI_NATS_URL: natsUrl,
    OMNI_HTTP_HOST: '127.0.0.1',
    OMNI_ASSETS: JSON.stringify([...ASSETS, { symbol: 'USDC', decimals: 6, tokens: [{ eid: EID_A, token: USDC_A }] }]),
    OMNI_MARKETS: JSON.stringify([
      // follows the WETH price; BTC-PERP has a mark feed of its own
      { symbol: 'ETH-PERP', indexAsset: 'WETH', baseIMR: '0.05', baseMMR: '0.025', imrFactor: '0', maxLeverage: '20' },
      { symbol: 'BTC-PERP', baseIMR: '0.05', baseMMR: '0.025', imrFactor: '0', maxLeverage: '20' },
    ]),
    OMNI_LIQUIDATION_RECIPIENT: RECIPIENT,
    OMNI_NODE_ID: 'live-prices-node',
    ...SIGNING_ENV,
  };
  return { ...readNodeConfig(env), httpPort: 0 };
}

/** One Server-Sent Events client, collecting every event it receives (as in interfaces.test.ts). */
interface EventClient {
  events: Array<{ type: string; data: NodeUpdate }>;
  close(): void;
}

async function openEvents(url: string): Promise<EventClient> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  expect(res.status).toBe(200);
  const client: EventClient = { events: [], close: () => abort.abort() };
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
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
            if (line.startsWith('event: ')) type = line.slice(7);
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
let vaultSeq = 0n;

async function balance(account: Address, token: Address, amount: bigint, delta = amount): Promise<bigint> {
  return inputs.hub(EID_A, { type: 'BALANCE', account, token, balance: amount, delta, seq: ++vaultSeq });
}

async function exposure(account: Address, market: string, size: bigint, entryPrice: bigint): Promise<bigint> {
  return inputs.hub(EID_A, {
    type: 'EXPOSURE',
    account,
    protocol: PERP,
    market: marketToBytes32(market),
    size,
    entryPrice,
    seq: ++vaultSeq,
  });
}

async function mark(market: string, markPrice: bigint, publishTime: bigint): Promise<bigint> {
  const ack = await inputs.js.publish(
    subjects.mark(market),
    encodeInputEvent({ kind: 'mark', market, markPrice, indexPrice: markPrice, publishTime, source: 'test' }),
    { msgID: msgIds.mark(market, publishTime) },
  );
  return BigInt(ack.seq);
}

async function account(address: Address): Promise<AccountDto> {
  return (await getJson<AccountDto>(`${url}/accounts/${address}`)).body;
}

/** The `account` events of `client` about `address`. */
function accountEvents(client: EventClient, address: Address): AccountUpdate[] {
  return client.events
    .map((e) => e.data)
    .filter(
      (u): u is AccountUpdate => u.type === 'account' && u.account.account.toLowerCase() === address.toLowerCase(),
    );
}

/**
 * Sends an unchanged balance of `address` (`amount` of `token`) through the node and waits until
 * `client` has its account event: everything the node streamed before that input has reached the
 * client by then.
 */
async function sync(client: EventClient, address: Address, token: Address, amount: bigint): Promise<bigint> {
  const seq = await balance(address, token, amount, 0n);
  await waitFor(`the sync event of ${address}`, () =>
    accountEvents(client, address).some((u) => u.inputSeq === seq.toString()),
  );
  return seq;
}

beforeAll(async () => {
  nats = await startNats();
  inputs = await Inputs.connect(nats.url);
  await inputs.jsm.streams.add(OMNI_IN_STREAM);
  // Alice holds WETH only; Bob USDC, long 1 ETH-PERP (follows WETH) and 0.1 BTC-PERP; Carol WETH.
  await inputs.price('WETH', 2000n * WAD, 1n);
  await inputs.price('USDC', WAD, 1n);
  await mark('BTC-PERP', 60_000n * WAD, 1n);
  await balance(ALICE, WETH_A, 2n * WAD);
  await balance(BOB, USDC_A, 10_000n * USDC);
  await exposure(BOB, 'ETH-PERP', WAD, 2000n * WAD);
  await exposure(BOB, 'BTC-PERP', WAD / 10n, 60_000n * WAD);
  await inputs.hub(EID_B, { type: 'BALANCE', account: CAROL, token: WETH_B, balance: WAD, delta: WAD, seq: 1n });
  const config = nodeConfig(nats.url);
  app = await createApp(config, { logger: ['error'] });
  url = await startApp(app, config);
  await waitFor('readiness', async () => (await getJson(`${url}/health/ready`)).status === 200);
}, 30_000);

afterAll(async () => {
  await app?.close();
  await inputs?.close();
  await nats?.stop();
});

describe('live updates when the market moves', () => {
  it('sends the watched holders their figures after a price, the others nothing, and unfiltered clients one market event', async () => {
    const aliceBefore = await account(ALICE);
    const bobBefore = await account(BOB);
    const all = await openEvents(`${url}/events`);
    const alice = await openEvents(`${url}/events?account=${ALICE}`);
    const bob = await openEvents(`${url}/events?account=${BOB.toLowerCase()}`);
    try {
      const updates = app!.get(UpdatesService);
      await waitFor('both watched', () => updates.watched.size === 2);

      const wethSeq = await inputs.price('WETH', 1900n * WAD, 100n);
      const market = {
        type: 'market',
        kind: 'price',
        inputSeq: wethSeq.toString(),
        asset: 'WETH',
        price: (1900n * WAD).toString(),
        markets: ['ETH-PERP'],
        time: '100',
      };
      // Alice's collateral lost 2 × 100 USD; her stream has the tick, then her account.
      await waitFor("alice's repriced account", () => alice.events.length === 2);
      expect(alice.events).toEqual([
        { type: 'market', data: market },
        { type: 'account', data: { type: 'account', inputSeq: wethSeq.toString(), account: await account(ALICE) } },
      ]);
      const aliceAfter = accountEvents(alice, ALICE)[0]!.account;
      expect(BigInt(aliceAfter.totalCollateral)).toBe(BigInt(aliceBefore.totalCollateral) - 200n * WAD);
      expect(aliceAfter.balances[0]!.price).toBe((1900n * WAD).toString());

      // Bob holds no WETH, but his ETH-PERP position follows it: his PnL and health moved.
      await waitFor("bob's repriced account", () => bob.events.length === 2);
      expect(bob.events[0]).toEqual({ type: 'market', data: market });
      const bobAfter = accountEvents(bob, BOB)[0]!;
      expect(bobAfter.inputSeq).toBe(wethSeq.toString());
      expect(bobAfter.account).toEqual(await account(BOB));
      expect(BigInt(bobAfter.account.unsettledPnl)).toBe(BigInt(bobBefore.unsettledPnl) - 100n * WAD);
      expect(bobAfter.account.healthFactor).not.toBe(bobBefore.healthFactor);
      expect(bobAfter.account.positions.find((p) => p.market === 'ETH-PERP')!.notional).not.toBe(
        bobBefore.positions.find((p) => p.market === 'ETH-PERP')!.notional,
      );

      // A USDC price moves Bob's collateral and not Alice's: nothing on her stream.
      const usdcSeq = await inputs.price('USDC', (WAD * 99n) / 100n, 100n);
      await waitFor("bob's account after the USDC price", () =>
        accountEvents(bob, BOB).some((u) => u.inputSeq === usdcSeq.toString()),
      );
      expect(BigInt(accountEvents(bob, BOB).at(-1)!.account.totalCollateral)).toBe(
        BigInt(bobAfter.account.totalCollateral) - 100n * WAD,
      );

      // A BTC-PERP mark moves Bob's position: a `mark` market event, then his account.
      const markSeq = await mark('BTC-PERP', 55_000n * WAD, 100n);
      await waitFor("bob's account after the mark", () =>
        accountEvents(bob, BOB).some((u) => u.inputSeq === markSeq.toString()),
      );
      expect(bob.events.slice(-2)).toEqual([
        {
          type: 'market',
          data: {
            type: 'market',
            kind: 'mark',
            inputSeq: markSeq.toString(),
            market: 'BTC-PERP',
            markPrice: (55_000n * WAD).toString(),
            indexPrice: (55_000n * WAD).toString(),
            time: '100',
          },
        },
        expect.objectContaining({ type: 'account' }),
      ]);
      expect(BigInt(accountEvents(bob, BOB).at(-1)!.account.unsettledPnl)).toBe(
        BigInt(bobAfter.account.unsettledPnl) - 500n * WAD,
      );

      // A WETH price older than the last is ignored by the ledger: no event for anyone.
      await inputs.price('WETH', 1500n * WAD, 50n);
      const aliceSync = await sync(alice, ALICE, WETH_A, 2n * WAD);
      expect(alice.events.map((e) => [e.type, e.data.inputSeq])).toEqual([
        ['market', wethSeq.toString()],
        ['account', wethSeq.toString()],
        ['account', aliceSync.toString()],
      ]);
      const bobSync = await sync(bob, BOB, USDC_A, 10_000n * USDC);
      expect(bob.events.map((e) => [e.type, e.data.inputSeq])).toEqual([
        ['market', wethSeq.toString()],
        ['account', wethSeq.toString()],
        ['market', usdcSeq.toString()],
        ['account', usdcSeq.toString()],
        ['market', markSeq.toString()],
        ['account', markSeq.toString()],
        ['account', bobSync.toString()],
      ]);

      // The unfiltered stream: one market event per applied price or mark (Carol holds WETH too,
      // and no account update of a repriced holder), and the accounts hub events changed.
      await waitFor('all', () => all.events.length === 5);
      expect(all.events.map((e) => [e.type, e.data.inputSeq])).toEqual([
        ['market', wethSeq.toString()],
        ['market', usdcSeq.toString()],
        ['market', markSeq.toString()],
        ['account', aliceSync.toString()],
        ['account', bobSync.toString()],
      ]);
      expect(all.events[0]!.data).toEqual(market);
    } finally {
      for (const c of [all, alice, bob]) c.close();
    }
  });

  it('forgets a watched account once its last client disconnects', async () => {
    const updates = app!.get(UpdatesService);
    await waitFor('the earlier clients gone', () => updates.watched.size === 0);
    const first = await openEvents(`${url}/events?account=${ALICE}`);
    const second = await openEvents(`${url}/events?account=${ALICE.toLowerCase()}`);
    await waitFor('two clients on alice', () => updates.watched.get(ALICE.toLowerCase()) === 2);
    first.close();
    await waitFor('one client left', () => updates.watched.get(ALICE.toLowerCase()) === 1);
    second.close();
    await waitFor('none left', () => updates.watched.size === 0);
    expect(updates.listening).toBe(false);
  });
});
