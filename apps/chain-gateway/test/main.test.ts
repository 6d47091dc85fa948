import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ANVIL_KEYS, freePort, startAnvil, startNats, type AnvilChain, type NatsServer } from '@omniclear/testkit';

import { loadGatewayConfig } from '../src/config.js';
import { SUBMITTER, SUBMITTER_KEY, startDevnet, type Devnet } from './helpers.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

const VALID = {
  OMNI_NATS_URL: 'nats://127.0.0.1:4222',
  OMNI_HUB_RPC_URL: 'http://127.0.0.1:8545',
  OMNI_HUB_CHAIN_ID: '31337',
  OMNI_HUB_ADDRESS: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  OMNI_SUBMITTER_KEY: ANVIL_KEYS[1],
};

/** Runs the built gateway with exactly `env` (plus PATH); resolves with its exit code and output. */
function runMain(
  env: Record<string, string>,
  opts: { untilStdout?: RegExp; then?: (pid: number) => void | Promise<void>; timeoutMs?: number } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` first (turbo's test task does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    let triggered = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not exit in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!triggered && opts.untilStdout?.test(stdout)) {
        triggered = true;
        void Promise.resolve(opts.then?.(child.pid!)).catch(reject);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadGatewayConfig(VALID);
    expect(config.natsServers).toEqual(['nats://127.0.0.1:4222']);
    expect(config.follower).toEqual({
      confirmations: 0,
      pollMs: 1_000,
      startBlock: 0n,
      blockRange: 1_000,
      reorgDepth: 12,
    });
    expect(config.executor).toEqual({
      consumer: 'chain-gateway-executor',
      maxDeliver: 5,
      retryDelayMs: 2_000,
      feeMarginBps: 1_000,
      signersRefreshMs: 30_000,
      recollectSeconds: 3_600,
    });
    expect(config.healthPort).toBeUndefined();
  });

  it('refuses a bad value naming the key', () => {
    expect(() => loadGatewayConfig({ ...VALID, OMNI_GATEWAY_CONFIRMATIONS: '-1' })).toThrow(
      /OMNI_GATEWAY_CONFIRMATIONS/,
    );
    expect(() => loadGatewayConfig({ ...VALID, OMNI_GATEWAY_CONSUMER: 'has.dot' })).toThrow(/OMNI_GATEWAY_CONSUMER/);
  });

  it('reads the submitter key from OMNI_SUBMITTER_KEY, or from its former name OMNI_OPERATOR_KEY', () => {
    const { OMNI_SUBMITTER_KEY: key, ...rest } = VALID;
    expect(loadGatewayConfig(VALID).submitterKey).toBe(key);
    expect(loadGatewayConfig({ ...rest, OMNI_OPERATOR_KEY: key }).submitterKey).toBe(key);
    expect(loadGatewayConfig({ ...VALID, OMNI_OPERATOR_KEY: ANVIL_KEYS[2] }).submitterKey).toBe(key);
    expect(() => loadGatewayConfig(rest)).toThrow(/OMNI_SUBMITTER_KEY: required/);
    expect(() => loadGatewayConfig({ ...rest, OMNI_OPERATOR_KEY: '0x12' })).toThrow(/OMNI_OPERATOR_KEY/);
  });

  it('exits non-zero naming the key when the configuration is invalid', async () => {
    const { OMNI_HUB_ADDRESS: _missing, ...rest } = VALID;
    const missing = await runMain(rest);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('OMNI_HUB_ADDRESS');

    const bad = await runMain({ ...VALID, OMNI_SUBMITTER_KEY: '0x1234' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('OMNI_SUBMITTER_KEY');
  });
});

describe('process', () => {
  let nats: NatsServer | undefined;
  let hub: AnvilChain | undefined;

  beforeAll(async () => {
    [nats, hub] = await Promise.all([startNats(), startAnvil({ chainId: 31337 })]);
  });
  afterAll(async () => {
    await Promise.allSettled([nats?.stop(), hub?.stop()]);
  });

  it('serves /health and shuts down cleanly on SIGTERM', async () => {
    const healthPort = await freePort();
    let health: { status: number; body: { status: string; nats: boolean } } | undefined;
    const result = await runMain(
      {
        ...VALID,
        OMNI_NATS_URL: nats!.url,
        OMNI_HUB_RPC_URL: hub!.rpcUrl,
        OMNI_GATEWAY_POLL_MS: '100',
        OMNI_GATEWAY_HEALTH_PORT: String(healthPort),
      },
      {
        untilStdout: /executing orders from OMNI_OUT/,
        then: async (pid) => {
          const res = await fetch(`http://127.0.0.1:${healthPort}/health`);
          health = { status: res.status, body: (await res.json()) as { status: string; nats: boolean } };
          process.kill(pid, 'SIGTERM');
        },
      },
    );
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', nats: true } });
    // Nest runs the shutdown hooks, then re-raises the signal to end the process with it.
    expect(String(result.signal ?? result.code)).toMatch(/^(SIGTERM|0)$/);
    expect(result.stdout).toMatch(/follower stopped; next block \d+/);
    expect(result.stdout).toContain('executor stopped');
    expect(result.stderr).toBe('');
  });
});

describe('signer set at start-up', () => {
  let devnet: Devnet | undefined;

  beforeAll(async () => {
    devnet = await startDevnet();
  });
  afterAll(async () => {
    await devnet?.stop();
  });

  const run = (key: string) =>
    runMain(
      {
        ...VALID,
        OMNI_NATS_URL: devnet!.nats.url,
        OMNI_HUB_RPC_URL: devnet!.hubChain.rpcUrl,
        OMNI_HUB_ADDRESS: devnet!.hub,
        OMNI_SUBMITTER_KEY: key,
      },
      {
        untilStdout: /executing orders from OMNI_OUT/,
        then: (pid) => void setTimeout(() => process.kill(pid, 'SIGTERM'), 500),
      },
    );

  it("reads the hub's signer set and threshold, and says who submits", async () => {
    const out = await run(SUBMITTER_KEY);
    expect(out.stdout).toContain(`submitting as ${SUBMITTER}; orders need 2 of 3 hub signers`);
    expect(out.stdout).toContain('executor stopped');
  });
});
