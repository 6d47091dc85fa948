import 'reflect-metadata';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@omniclear/config';
import { startNats, type NatsServer } from '@omniclear/testkit';

import { createApp, startApp } from '../src/app.js';
import type { AccountDto, RiskDto } from '../src/api/views.js';
import { readNodeConfig, type NodeConfig } from '../src/config.js';
import {
  ALICE,
  ASSETS,
  EID_A,
  Inputs,
  RECIPIENT,
  WAD,
  WETH_A,
  getJson,
  reportAlice,
  testConfig,
  testEnv,
  waitFor,
} from './helpers.js';

// A maximum price age on a real nats-server: a WETH price older than its maximum age at the
// stream's time holds Alice's liquidation back, /health and /metrics say so, and a fresh price
// lets the liquidation go. Then the configuration keys this needs, read at boot.

type Health = {
  input: { lastInputSeq: string };
  stalePrices: Array<{
    asset: string;
    publishTime: string;
    ageSeconds: string;
    maxAgeSeconds: string;
    waiting: string[];
  }>;
};

const MAX_AGE = 60n;
/** The test inputs' block times start here (helpers.ts `Inputs.hub`). */
const T0 = 1_764_000_000n;

let nats: NatsServer;
let inputs: Inputs;
let app: NestFastifyApplication | undefined;
let url: string;
let config: NodeConfig;

async function caughtUp(seq: bigint): Promise<Health> {
  return waitFor(`node at OMNI_IN#${seq}`, async () => {
    const h = (await getJson<Health>(`${url}/health`)).body;
    return BigInt(h.input.lastInputSeq) >= seq ? h : null;
  });
}

async function metric(name: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name));
}

beforeAll(async () => {
  nats = await startNats();
  const assets = ASSETS.map((a) => ({ ...a, maxPriceAgeSeconds: Number(MAX_AGE) }));
  config = testConfig(nats.url, 'stale-prices-node', { OMNI_ASSETS: JSON.stringify(assets) });
  app = await createApp(config, { logger: ['error'] });
  url = await startApp(app, config);
  inputs = await Inputs.connect(nats.url);
}, 30_000);

afterAll(async () => {
  await app?.close();
  await inputs?.close();
  await nats?.stop();
});

describe('stale prices', () => {
  it('hold a liquidation and a withdrawal decision back while the price is older than its maximum age, and let them go once fresh', async () => {
    await reportAlice(inputs); // block times T0 + n
    // WETH at 1000 (Alice's loss exceeds her collateral), but published long before the stream's time
    const staleSeq = await inputs.price('WETH', 1000n * WAD, T0 - 10_000n);
    const health = await caughtUp(staleSeq);
    expect(health.stalePrices).toHaveLength(1);
    const [stale] = health.stalePrices;
    expect(stale).toMatchObject({
      asset: 'WETH',
      publishTime: (T0 - 10_000n).toString(),
      maxAgeSeconds: MAX_AGE.toString(),
      waiting: ['liquidations', 'withdrawal approvals'],
    });
    expect(BigInt(stale!.ageSeconds)).toBeGreaterThan(10_000n);
    const view = (await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body;
    expect(view).toMatchObject({ liquidatable: true, deferred: 'stale-price', stalePrices: ['WETH'] });
    expect(await metric('omniclear_node_price_stale{')).toEqual([expect.stringMatching(/asset="WETH".* 1$/)]);
    expect(await metric('omniclear_node_price_age_seconds{')).toEqual([expect.stringMatching(/asset="WETH"/)]);
    // a withdrawal request meanwhile waits for its decision too (vault A's third message)
    const requestSeq = await inputs.hub(EID_A, {
      type: 'WITHDRAW_REQUEST',
      account: ALICE,
      token: WETH_A,
      amount: WAD / 10n,
      requestId: 1n,
      seq: 3n,
    });
    await caughtUp(requestSeq);
    expect(await inputs.outputs()).toEqual([]);
    const risk = (await getJson<RiskDto>(`${url}/risk`)).body;
    expect(risk.stalePrices).toMatchObject([{ asset: 'WETH', maxAgeSeconds: MAX_AGE.toString() }]);

    // a fresh price: the request is decided and the holder liquidated, nothing is stale any more
    const freshSeq = await inputs.price('WETH', 1000n * WAD, T0 + 100n);
    const outs = await waitFor('the liquidation orders', async () => {
      const o = await inputs.outputs();
      return o.length > 0 ? o : null;
    });
    const decision = outs.find((o) => o.body['kind'] === 'withdraw-decision');
    expect(decision?.body).toMatchObject({ requestId: '1', inputSeq: freshSeq.toString() });
    expect(outs.filter((o) => o.body['kind'] === 'liquidate').length).toBeGreaterThan(0);
    expect((await caughtUp(freshSeq)).stalePrices).toEqual([]);
    expect(await metric('omniclear_node_price_stale{')).toEqual([expect.stringMatching(/asset="WETH".* 0$/)]);
    const after = (await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body;
    expect(after).toMatchObject({ stalePrices: [], deferred: null });
    expect((await getJson<RiskDto>(`${url}/risk`)).body.stalePrices).toEqual([]);
  });
});

describe('configuration of price ages and the liquidation recipient', () => {
  const base = testEnv('nats://127.0.0.1:4222');

  it('reads a maximum price age per asset, or the default for every asset', () => {
    expect(readNodeConfig(base).risk.assets['WETH']).not.toHaveProperty('maxPriceAge');
    expect(readNodeConfig({ ...base, OMNI_MAX_PRICE_AGE_SECONDS: '300' }).risk.assets['WETH']).toMatchObject({
      maxPriceAge: 300n,
    });
    const own = JSON.stringify(ASSETS.map((a) => ({ ...a, maxPriceAgeSeconds: 30 })));
    expect(
      readNodeConfig({ ...base, OMNI_ASSETS: own, OMNI_MAX_PRICE_AGE_SECONDS: '300' }).risk.assets['WETH'],
    ).toMatchObject({ maxPriceAge: 30n });
    expect(() => readNodeConfig({ ...base, OMNI_MAX_PRICE_AGE_SECONDS: '0' })).toThrow(
      /OMNI_MAX_PRICE_AGE_SECONDS: expected a positive integer/,
    );
    const zero = JSON.stringify(ASSETS.map((a) => ({ ...a, maxPriceAgeSeconds: 0 })));
    expect(() => readNodeConfig({ ...base, OMNI_ASSETS: zero })).toThrow(/OMNI_ASSETS/);
  });

  it('refuses the zero address or a configured vault as the liquidation recipient, naming the key', () => {
    const zero = () => readNodeConfig({ ...base, OMNI_LIQUIDATION_RECIPIENT: `0x${'0'.repeat(40)}` });
    expect(zero).toThrow(ConfigError);
    expect(zero).toThrow(/OMNI_LIQUIDATION_RECIPIENT: the zero address cannot receive seized collateral/);
    const vaults = JSON.stringify([
      { eid: EID_A, address: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' },
      { eid: 40103, address: RECIPIENT.toLowerCase() },
    ]);
    const vault = () => readNodeConfig({ ...base, OMNI_VAULTS: vaults });
    expect(vault).toThrow(ConfigError);
    expect(vault).toThrow(/OMNI_LIQUIDATION_RECIPIENT: .* is the vault of eid 40103 \(OMNI_VAULTS\)/);
    // another vault list: fine
    const other = JSON.stringify([{ eid: EID_A, address: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' }]);
    expect(readNodeConfig({ ...base, OMNI_VAULTS: other }).liquidationRecipient).toBe(RECIPIENT);
    expect(() => readNodeConfig({ ...base, OMNI_VAULTS: '[{"eid":0}]' })).toThrow(/OMNI_VAULTS/);
  });
});
