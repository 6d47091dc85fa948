import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort, startNats, startProcess, type ManagedProcess, type NatsServer } from '@omniclear/testkit';

import {
  ALICE,
  ASSETS,
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
  marketId,
  waitFor,
} from './helpers.js';

// The built node as an operator runs it: `node dist/main.js` with its environment.

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

function env(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  // Only the keys under test: the parent's OMNI_* must not leak in.
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...overrides };
}

/** Runs the node to completion and returns its exit code and output. */
function runToExit(e: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], { env: e, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

beforeAll(() => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` first (turbo's test task does)`);
});

describe('configuration', () => {
  it('exits non-zero naming every bad key', async () => {
    const { code, stderr } = await runToExit(
      env({
        OMNI_NATS_URL: 'http://localhost:4222',
        OMNI_ASSETS: '[{"symbol":"WETH","decimals":18,"tokens":[{"eid":40102,"token":"0x12"}]}]',
        OMNI_LIQUIDATION_RECIPIENT: RECIPIENT,
      }),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/invalid configuration/);
    expect(stderr).toMatch(/OMNI_NATS_URL: expected a nats:\/\/ URL/);
    expect(stderr).toMatch(/OMNI_ASSETS\[0\]\.tokens\[0\]\.token/);
    expect(stderr).toMatch(/OMNI_NODE_ID: required/);
    expect(stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace
  });
});

describe('the node process', () => {
  let nats: NatsServer;
  let inputs: Inputs;
  let node: ManagedProcess | undefined;
  let url: string;

  async function startNode(): Promise<void> {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    node = await startProcess({
      name: 'clearing-node',
      command: process.execPath,
      args: [MAIN],
      port,
      readyTimeoutMs: 20_000,
      env: env({
        OMNI_NATS_URL: nats.url,
        OMNI_HTTP_PORT: String(port),
        OMNI_HTTP_HOST: '127.0.0.1',
        OMNI_ASSETS: JSON.stringify(ASSETS),
        OMNI_MARKETS: JSON.stringify([
          {
            symbol: 'ETH-PERP',
            indexAsset: 'WETH',
            baseIMR: '0.05',
            baseMMR: '0.025',
            imrFactor: '0',
            maxLeverage: '20',
          },
        ]),
        OMNI_LIQUIDATION_RECIPIENT: RECIPIENT,
        OMNI_NODE_ID: 'proc-node',
        ...SIGNING_ENV,
      }),
    });
  }

  beforeAll(async () => {
    nats = await startNats();
    await startNode();
    inputs = await Inputs.connect(nats.url);
  }, 30_000);

  afterAll(async () => {
    await node?.stop();
    await inputs?.close();
    await nats?.stop();
  });

  it('liquidates, stops cleanly on SIGTERM, and replays to the same state without duplicate orders', async () => {
    await inputs.hub(EID_A, {
      type: 'BALANCE',
      account: ALICE,
      token: WETH_A,
      balance: 3n * WAD,
      delta: 3n * WAD,
      seq: 1n,
    });
    await inputs.hub(EID_B, {
      type: 'BALANCE',
      account: ALICE,
      token: WETH_B,
      balance: 1n * WAD,
      delta: 1n * WAD,
      seq: 1n,
    });
    await inputs.price('WETH', 2000n * WAD, 1n);
    // long 40 ETH at 2000: at 1500 the loss (20,000) exceeds the collateral (6,000): all is seized
    await inputs.hub(EID_B, {
      type: 'EXPOSURE',
      account: ALICE,
      protocol: PERP,
      market: marketId('ETH-PERP'),
      size: 40n * WAD,
      entryPrice: 2000n * WAD,
      seq: 2n,
    });
    const last = await inputs.price('WETH', 1500n * WAD, 2n);
    const outs = await waitFor('two orders', async () =>
      (await inputs.outputs()).length === 2 ? inputs.outputs() : null,
    );
    // the planner takes the freshest chain first (B reported last); compare per chain
    expect(outs.map((o) => [o.subject, o.body.amount, o.body.inputSeq]).sort()).toEqual([
      ['omni.out.order.40102', (3n * WAD).toString(), last.toString()],
      ['omni.out.order.40103', (1n * WAD).toString(), last.toString()],
    ]);
    await waitFor(
      'caught up',
      async () =>
        (await getJson<{ stateHash: string; input: { state: string; lastInputSeq: string } }>(`${url}/health`)).body
          .input.lastInputSeq === last.toString(),
    );
    const before = {
      health: (await getJson<{ stateHash: string; input: { state: string; lastInputSeq: string } }>(`${url}/health`))
        .body,
      view: (await getJson(`${url}/accounts/${ALICE}`)).body,
    };

    await node!.stop();
    expect(await node!.exited).toBe(0);

    const started = Date.now();
    await startNode();
    await waitFor(
      'replayed',
      async () =>
        (await getJson<{ stateHash: string; input: { state: string; lastInputSeq: string } }>(`${url}/health`)).body
          .input.state === 'live',
    );
    const replayMs = Date.now() - started;
    const health = (
      await getJson<{ stateHash: string; input: { state: string; lastInputSeq: string } }>(`${url}/health`)
    ).body;
    expect(health.stateHash).toBe(before.health.stateHash);
    expect((await getJson(`${url}/accounts/${ALICE}`)).body).toEqual(before.view);
    expect(await inputs.outputs()).toEqual(outs);
    process.stdout.write(`restart to live (spawn + replay of ${last} inputs): ${replayMs} ms\n`);
  }, 60_000);
});
