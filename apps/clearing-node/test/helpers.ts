import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  encodeInputEvent,
  msgIds,
  parseInputEvent,
  subjects,
  type HubBoundMessage,
  type InputEvent,
} from '@omniclear/protocol';
import { ANVIL_KEYS } from '@omniclear/testkit';
import { getAddress, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { readNodeConfig, type NodeConfig } from '../src/config.js';

export const WAD = 10n ** 18n;
export const HUB_CHAIN_ID = 31337;
export const EID_A = 40102;
export const EID_B = 40103;
export const ALICE: Address = getAddress('0x00000000000000000000000000000000000a11ce');
export const BOB: Address = getAddress('0x0000000000000000000000000000000000000b0b');
export const PERP: Address = getAddress('0x000000000000000000000000000000000000beef');
export const RECIPIENT: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
export const WETH_A: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const WETH_B: Address = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';

/** The node's clearing signer in the tests (an anvil dev key) and the hub it signs orders for. */
export const SIGNER_KEY = ANVIL_KEYS[7] as Hex;
export const SIGNER: Address = privateKeyToAccount(SIGNER_KEY).address;
export const HUB_ADDRESS: Address = '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9';
export const ORDER_TTL = 3600n;
export const SIGNING_ENV = {
  OMNI_SIGNER_KEY: SIGNER_KEY,
  OMNI_HUB_CHAIN_ID: String(HUB_CHAIN_ID),
  OMNI_HUB_ADDRESS: HUB_ADDRESS,
} as const;

export const ASSETS = [
  {
    symbol: 'WETH',
    decimals: 18,
    tokens: [
      { eid: EID_A, token: WETH_A.toLowerCase() },
      { eid: EID_B, token: WETH_B.toLowerCase() },
    ],
  },
];

/** The node's environment for a test against the NATS server at `natsUrl`. */
export function testEnv(natsUrl: string, nodeId = 'test-node'): Record<string, string> {
  return {
    OMNI_NATS_URL: natsUrl,
    OMNI_HTTP_PORT: '8080',
    OMNI_HTTP_HOST: '127.0.0.1',
    OMNI_ASSETS: JSON.stringify(ASSETS),
    // ETH-PERP follows the WETH oracle price (no separate mark feed in the tests)
    OMNI_MARKETS: JSON.stringify([
      {
        symbol: 'ETH-PERP',
        indexAsset: 'WETH',
        baseIMR: '0.05',
        baseMMR: '0.025',
        imrFactor: '0.0000003754',
        maxLeverage: '20',
      },
    ]),
    OMNI_LIQUIDATION_RECIPIENT: RECIPIENT,
    OMNI_NODE_ID: nodeId,
    ...SIGNING_ENV,
  };
}

/** The node's configuration for a test (as read from {@link testEnv}), on any free HTTP port. */
export function testConfig(natsUrl: string, nodeId = 'test-node', env: Record<string, string> = {}): NodeConfig {
  return { ...readNodeConfig({ ...testEnv(natsUrl, nodeId), ...env }), httpPort: 0 };
}

/** `stringToHex(symbol, { size: 32 })`: a market id as vaults report it. */
export function marketId(symbol: string): Hex {
  return `0x${Buffer.from(symbol, 'ascii').toString('hex').padEnd(64, '0')}` as Hex;
}

/** A test client: publishes inputs the way the gateway and price feed do. */
// Shared by every Inputs instance so that a reconnected client does not reuse a tx hash (the
// stream would drop the event as a duplicate of the earlier one).
let txCounter = 0;

export class Inputs {
  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {}

  static async connect(url: string): Promise<Inputs> {
    const nc = await connect({ servers: url });
    return new Inputs(nc, jetstream(nc), await jetstreamManager(nc));
  }

  /** Publishes a hub event carrying `message` from `srcEid`; returns its OMNI_IN sequence. */
  async hub(srcEid: number, message: HubBoundMessage): Promise<bigint> {
    const n = ++txCounter;
    const txHash = `0x${n.toString(16).padStart(64, '0')}` as Hex;
    const event: InputEvent = {
      kind: 'hub',
      chainId: HUB_CHAIN_ID,
      blockNumber: BigInt(n),
      blockTimestamp: 1_764_000_000n + BigInt(n),
      txHash,
      logIndex: 0,
      srcEid,
      nonce: BigInt(n),
      guid: `0x${(0xab00 + n).toString(16).padStart(64, '0')}` as Hex,
      message,
    };
    const ack = await this.js.publish(subjects.hubEvent(HUB_CHAIN_ID), encodeInputEvent(event), {
      msgID: msgIds.hubEvent(HUB_CHAIN_ID, txHash, 0),
    });
    if (ack.duplicate) throw new Error(`test input ${txHash} was dropped as a duplicate`);
    return BigInt(ack.seq);
  }

  async price(asset: string, price: bigint, publishTime: bigint): Promise<bigint> {
    const ack = await this.js.publish(
      subjects.price(asset),
      encodeInputEvent({ kind: 'price', asset, price, publishTime, source: 'test' }),
      {
        msgID: msgIds.price(asset, publishTime),
      },
    );
    return BigInt(ack.seq);
  }

  /** The event time (block timestamp or publish time) of the input at OMNI_IN `seq`. */
  async inputTime(seq: bigint): Promise<bigint> {
    const m = await this.jsm.streams.getMessage('OMNI_IN', { seq: Number(seq) });
    if (!m) throw new Error(`no input at OMNI_IN#${seq}`);
    const e = parseInputEvent(m.data);
    return e.kind === 'hub' || e.kind === 'dispatch' ? e.blockTimestamp : e.publishTime;
  }

  async raw(subject: string, body: string): Promise<bigint> {
    return BigInt((await this.js.publish(subject, new TextEncoder().encode(body))).seq);
  }

  /** Every message in OMNI_OUT, in order. */
  async outputs(): Promise<
    Array<{
      seq: number;
      subject: string;
      msgId: string | undefined;
      /** The order id, from the msg id `<orderId>:<signer>`. */
      orderId: string | undefined;
      body: Record<string, unknown>;
    }>
  > {
    const info = await this.jsm.streams.info('OMNI_OUT').catch(() => undefined);
    if (!info) return [];
    const out = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await this.jsm.streams.getMessage('OMNI_OUT', { seq });
      if (!m) continue;
      out.push({
        seq,
        subject: m.subject,
        msgId: m.header?.get('Nats-Msg-Id'),
        orderId: m.header?.get('Nats-Msg-Id')?.split(':')[0],
        body: m.json<Record<string, unknown>>(),
      });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

/**
 * The node tests' trader: Alice reports 1 WETH on vault A and 2 on vault B (each vault's first
 * message), and a perp DEX on A reports her long 20 ETH-PERP at 2000 (vault A's second): against
 * 3 WETH, a fall of WETH to 1000 loses more than her collateral.
 */
export async function reportAlice(inputs: Inputs): Promise<void> {
  await inputs.hub(EID_A, { type: 'BALANCE', account: ALICE, token: WETH_A, balance: WAD, delta: WAD, seq: 1n });
  await inputs.hub(EID_B, {
    type: 'BALANCE',
    account: ALICE,
    token: WETH_B,
    balance: 2n * WAD,
    delta: 2n * WAD,
    seq: 1n,
  });
  await inputs.hub(EID_A, {
    type: 'EXPOSURE',
    account: ALICE,
    protocol: PERP,
    market: marketId('ETH-PERP'),
    size: 20n * WAD,
    entryPrice: 2000n * WAD,
    seq: 2n,
  });
}

/** Polls `probe` until it returns a truthy value (returned), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GETs `url` and parses the JSON body (typed by the caller: the tests assert on its content). */
export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/** The value of one sample of a Prometheus exposition (`name`, with those labels), or undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
