import 'reflect-metadata';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startNats, type NatsServer } from '@omniclear/testkit';

import type { AccountDto } from '../src/api/views.js';
import { createApp, startApp } from '../src/app.js';
import type { NodeConfig } from '../src/config.js';
import { ALICE, EID_A, Inputs, WETH_A, getJson, testConfig, waitFor } from './helpers.js';

// The broker goes away and comes back (same port, same store): the node reconnects and its
// ordered consumer resumes where it was, without re-applying or skipping inputs.

let nats: NatsServer;
let app: NestFastifyApplication | undefined;
let inputs: Inputs | undefined;

afterAll(async () => {
  await app?.close();
  await inputs?.close();
  await nats?.stop();
});

it('keeps following OMNI_IN across a nats-server restart', async () => {
  nats = await startNats();
  const config: NodeConfig = testConfig(nats.url, 'restart-node');
  app = await createApp(config, { logger: ['error'] });
  const url = await startApp(app, config);
  inputs = await Inputs.connect(nats.url);
  await inputs.hub(EID_A, { type: 'BALANCE', account: ALICE, token: WETH_A, balance: 5n, delta: 5n, seq: 1n });
  const balance = async () => (await getJson<AccountDto>(`${url}/accounts/${ALICE}`)).body.balances[0]?.balance;
  await waitFor('first balance', async () => (await balance()) === '5');

  await inputs.close();
  nats = await nats.restart();
  inputs = await Inputs.connect(nats.url);
  await inputs.hub(EID_A, { type: 'BALANCE', account: ALICE, token: WETH_A, balance: 9n, delta: 4n, seq: 2n });
  await waitFor('balance after the broker restart', async () => (await balance()) === '9', 20_000);
  const health = (await getJson<{ input: { processed: number; state: string } }>(`${url}/health`)).body;
  expect(health.input).toMatchObject({ processed: 2, state: 'live' });
}, 40_000);
