import { spawn } from 'node:child_process';
import path from 'node:path';

import { startNats, type NatsServer } from '@omniclear/testkit';

import { readStream } from './helpers.js';

// Runs the built service (`pnpm build` first; turbo's test task depends on build).
const mainJs = path.resolve('dist/main.js');

function run(env: Record<string, string>, stopWhen?: (line: Record<string, unknown>) => boolean) {
  const child = spawn(process.execPath, [mainJs], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const part of parts) {
      const line = JSON.parse(part) as Record<string, unknown>;
      lines.push(line);
      if (stopWhen?.(line)) child.kill('SIGTERM');
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { lines, exited };
}

describe('the price feed service (dist/main.js)', () => {
  let nats: NatsServer | undefined;
  afterAll(async () => {
    await nats?.stop();
  });

  it('exits 1 naming the bad key when the configuration is invalid', async () => {
    const { lines, exited } = run({
      OMNI_NATS_URL: 'nats://127.0.0.1:1',
      OMNI_FEED_SOURCE: 'simulate',
      OMNI_FEED_INTERVAL_MS: '0',
    });
    expect(await exited).toBe(1);
    expect(lines.at(-1)).toMatchObject({ level: 'error', msg: 'price feed failed to start', errorName: 'ConfigError' });
    expect(lines.at(-1)!.error).toMatch(/OMNI_FEED_INTERVAL_MS: expected a positive integer/);
  });

  it('exits 1 naming the market key when OMNI_FEED_MARKETS is invalid', async () => {
    const { lines, exited } = run({
      OMNI_NATS_URL: 'nats://127.0.0.1:1',
      OMNI_FEED_SOURCE: 'simulate',
      OMNI_FEED_SIM_ASSETS: '[{"asset":"WETH","startPrice":"2000","volatilityBps":30}]',
      OMNI_FEED_MARKETS: '[{"market":"ETH-PERP","indexAsset":"WETH","mark":{"kind":"simulate","maxPremiumBps":10}}]',
    });
    expect(await exited).toBe(1);
    expect(lines.at(-1)).toMatchObject({ level: 'error', msg: 'price feed failed to start', errorName: 'ConfigError' });
    expect(lines.at(-1)!.error).toMatch(/OMNI_FEED_MARKETS\[0\]\.mark\.premiumStepBps: required/);
  });

  it('exits 1 naming the file and line of a malformed replay row', async () => {
    const { lines, exited } = run({
      OMNI_NATS_URL: 'nats://127.0.0.1:1',
      OMNI_FEED_SOURCE: 'replay',
      OMNI_FEED_REPLAY_FILES: path.resolve('test/fixtures/bad-row.csv'),
    });
    expect(await exited).toBe(1);
    expect(lines.at(-1)).toMatchObject({ errorName: 'CsvFormatError' });
    expect(lines.at(-1)!.error).toMatch(/bad-row\.csv:4: invalid price/);
  });

  it('publishes a simulated walk and stops cleanly on SIGTERM', async () => {
    nats = await startNats();
    const { lines, exited } = run(
      {
        OMNI_NATS_URL: nats.url,
        OMNI_FEED_SOURCE: 'simulate',
        OMNI_FEED_INTERVAL_MS: '20',
        OMNI_FEED_SIM_ASSETS: '[{"asset":"WETH","startPrice":"2000","volatilityBps":30}]',
        OMNI_FEED_SIM_SEED: '3',
      },
      (line) =>
        line.msg === 'price published' &&
        line.publishTime !== undefined &&
        lines.filter((l) => l.msg === 'price published').length >= 5,
    );
    expect(await exited).toBe(0);
    expect(lines[0]).toMatchObject({ msg: 'price feed started', source: 'simulate', service: 'price-feed' });
    const stopped = lines.at(-1)!;
    expect(stopped).toMatchObject({ msg: 'price feed stopped' });
    const stored = await readStream(nats.url);
    expect(stored.length).toBe(stopped.published);
    expect(stored[0]!.event).toMatchObject({ asset: 'WETH', price: 2000n * 10n ** 18n, source: 'simulate:seed=3' });
  }, 30_000);
});
