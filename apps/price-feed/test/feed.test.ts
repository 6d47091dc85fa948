import fs from 'node:fs';
import path from 'node:path';

import { msgIds, subjects } from '@omniclear/protocol';
import { startNats, type NatsServer } from '@omniclear/testkit';

import { loadPriceFeedConfig } from '../src/config.js';
import { parseDecimal18 } from '../src/decimal.js';
import { PriceFeed } from '../src/feed.js';
import { silentLogger } from '@omniclear/observability';
import { PricePublisher } from '../src/publisher.js';
import { randomWalk } from '../src/simulate.js';
import { readStream, streamCount, waitFor } from './helpers.js';

const E18 = 10n ** 18n;
const dataDir = path.resolve('data');

describe('simulate and replay sources (real nats-server)', () => {
  let nats: NatsServer;

  beforeEach(async () => {
    nats = await startNats();
  });
  afterEach(async () => {
    await nats.stop();
  });

  it('simulate publishes the seeded walk exactly, advancing publishTime by the step', async () => {
    const assets = [
      { asset: 'WETH', startPrice: 2000n * E18, driftBps: 0, volatilityBps: 40 },
      { asset: 'WBTC', startPrice: 60_000n * E18, driftBps: -3, volatilityBps: 60 },
    ];
    const source = { kind: 'simulate' as const, seed: 7, startTime: 1_750_000_000n, stepSec: 5n, assets };
    const feed = new PriceFeed({ natsServers: [nats.url], intervalMs: 5, source, logger: silentLogger });
    await feed.start();
    await waitFor('20 steps', () => feed.stats().published >= 40);
    await feed.stop();

    const stored = await readStream(nats.url);
    const walk = randomWalk(source);
    const expected = Array.from({ length: stored.length / 2 }, () => walk.next().value).flat();
    expect(stored.map((s) => s.event)).toEqual(
      expected.map((p) => ({
        kind: 'price',
        asset: p.asset,
        price: p.price,
        publishTime: p.publishTime,
        source: 'simulate:seed=7',
      })),
    );
    expect(stored[2]!.event.publishTime).toBe(1_750_000_005n);
    expect(stored[0]!.msgId).toBe(msgIds.price('WETH', 1_750_000_000n));
  }, 30_000);

  it('replay publishes the recorded rows in order with their timestamps; a restart republishes nothing', async () => {
    const files = ['2021-05-19-BTC-1h.csv', '2021-05-19-ETH-1h.csv'].map((f) => path.join(dataDir, f));
    const env = {
      OMNI_NATS_URL: nats.url,
      OMNI_FEED_SOURCE: 'replay',
      OMNI_FEED_REPLAY_FILES: files.join(','),
      OMNI_FEED_REPLAY_SPEED: '3600000', // one recorded hour per millisecond
      OMNI_FEED_ASSET_MAP: '{"BTC":"WBTC","ETH":"WETH"}',
    };
    const config = loadPriceFeedConfig(env);
    const feed = new PriceFeed({ ...config, logger: silentLogger });
    const started = Date.now();
    await feed.start();
    await feed.done;
    const elapsed = Date.now() - started;
    await feed.stop();
    expect(feed.stats()).toMatchObject({ published: 96, duplicates: 0, skipped: 0 });
    // 47 recorded hours at one hour per ms: paced, but not slower than it should be.
    expect(elapsed).toBeGreaterThanOrEqual(47);

    const csvRows = (file: string, asset: string) =>
      fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => {
          const [ts, , price] = line.split(',') as [string, string, string];
          return { asset, price: parseDecimal18(price), publishTime: BigInt(Date.parse(ts) / 1000) };
        });
    const expected = [...csvRows(files[0]!, 'WBTC'), ...csvRows(files[1]!, 'WETH')].sort((a, b) =>
      a.publishTime === b.publishTime ? (a.asset === 'WBTC' ? -1 : 1) : a.publishTime < b.publishTime ? -1 : 1,
    );
    const stored = await readStream(nats.url);
    expect(
      stored.map((s) => ({ asset: s.event.asset, price: s.event.price, publishTime: s.event.publishTime })),
    ).toEqual(expected);
    expect(stored[0]).toMatchObject({
      subject: subjects.price('WBTC'),
      msgId: 'price:WBTC:1621342800', // 2021-05-18T13:00:00Z
      event: { price: 43955_470000000000000000n, source: 'replay:2021-05-19-BTC-1h.csv' },
    });

    // Restart: every row is at or before what the stream holds, so nothing is sent.
    const count = await streamCount(nats.url);
    const again = new PriceFeed({ ...loadPriceFeedConfig(env), logger: silentLogger });
    await again.start();
    await again.done;
    await again.stop();
    expect(again.stats()).toMatchObject({ published: 0, skipped: 96 });
    expect(await streamCount(nats.url)).toBe(count);

    // And a row sent again anyway (a crash between publish and ack) is deduplicated by its msg id.
    const publisher = await PricePublisher.connect([nats.url], silentLogger);
    const ack = await publisher.publish(stored[5]!.event);
    await publisher.close();
    expect(ack).toEqual({ seq: stored[5]!.seq, duplicate: true });
    expect(await streamCount(nats.url)).toBe(count);
  }, 30_000);
});
