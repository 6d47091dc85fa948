import path from 'node:path';

import { silentLogger } from '@omniclear/observability';
import { msgIds, subjects } from '@omniclear/protocol';
import { startNats, type NatsServer } from '@omniclear/testkit';

import { loadPriceFeedConfig, type MarketFeed } from '../src/config.js';
import { PriceFeed } from '../src/feed.js';
import { applyPremium, premiumWalk } from '../src/premium.js';
import { randomWalk } from '../src/simulate.js';
import { readAll, readMarks, readStream, streamCount, waitFor } from './helpers.js';

const E18 = 10n ** 18n;

/**
 * |mark − index| ≤ index × maxBps / 10000, in integers, up to the rounding: a mark is rounded down,
 * so a negative premium may sit less than 1 wei beyond the bound.
 */
function withinBps(mark: bigint, index: bigint, maxBps: number): boolean {
  const d = mark > index ? mark - index : index - mark;
  return d * 10_000n < index * BigInt(maxBps) + 10_000n;
}

describe('mark events of perp markets (real nats-server)', () => {
  let nats: NatsServer;

  beforeEach(async () => {
    nats = await startNats();
  });
  afterEach(async () => {
    await nats.stop();
  });

  const assets = [
    { asset: 'WETH', startPrice: 2000n * E18, driftBps: 0, volatilityBps: 40 },
    { asset: 'WBTC', startPrice: 60_000n * E18, driftBps: 0, volatilityBps: 60 },
  ];
  const premium = { kind: 'simulate' as const, startPremiumBps: 0, maxPremiumBps: 15, premiumStepBps: 4 };
  const markets = (seed: number): MarketFeed[] => [
    { market: 'ETH-PERP', indexAsset: 'WETH', mark: { ...premium, seed } },
    { market: 'ETH-PERP-2', indexAsset: 'WETH', mark: { ...premium, seed, maxPremiumBps: 5 } },
    { market: 'BTC-PERP', indexAsset: 'WBTC', mark: { ...premium, seed } },
  ];

  async function simulate(seed: number, steps: number) {
    const source = { kind: 'simulate' as const, seed, startTime: 1_750_000_000n, stepSec: 10n, assets };
    const feed = new PriceFeed({
      natsServers: [nats.url],
      intervalMs: 5,
      source,
      markets: markets(seed),
      logger: silentLogger,
    });
    await feed.start();
    await waitFor(`${steps} steps`, () => feed.stats().marks.published >= steps * 3);
    await feed.stop();
    return { feed, source };
  }

  it('simulate: one mark per market with each index price, same publishTime, premium within its bounds', async () => {
    const { feed, source } = await simulate(7, 30);
    const all = await readAll(nats.url);
    const prices = await readStream(nats.url);
    const marks = await readMarks(nats.url);
    expect(feed.stats().marks).toMatchObject({ duplicates: 0, skipped: 0, publishFailures: 0 });
    expect(marks.length).toBe(feed.stats().marks.published);
    // Stream order: each price, then the marks that follow its asset.
    expect(all.slice(0, 5).map((s) => s.subject)).toEqual([
      subjects.price('WETH'),
      subjects.mark('ETH-PERP'),
      subjects.mark('ETH-PERP-2'),
      subjects.price('WBTC'),
      subjects.mark('BTC-PERP'),
    ]);
    const byKey = new Map(prices.map((p) => [`${p.event.asset}:${p.event.publishTime}`, p.event]));
    for (const m of marks) {
      const index = m.event.market === 'BTC-PERP' ? 'WBTC' : 'WETH';
      const price = byKey.get(`${index}:${m.event.publishTime}`);
      expect(price).toBeDefined();
      expect(m.event.indexPrice).toBe(price!.price);
      expect(m.subject).toBe(subjects.mark(m.event.market));
      expect(m.msgId).toBe(msgIds.mark(m.event.market, m.event.publishTime));
      expect(m.event.source).toBe('simulate:seed=7:premium');
      expect(withinBps(m.event.markPrice, m.event.indexPrice, m.event.market === 'ETH-PERP-2' ? 5 : 15)).toBe(true);
    }
    // Exactly the walk: index from the price walk, premium from each market's own seeded walk.
    const walk = randomWalk(source);
    const walks = Object.fromEntries(
      markets(7).map((m) => [m.market, premiumWalk(7, m.market, m.mark as typeof premium & { seed: number })]),
    );
    // whole steps only: the feed may have stopped between one step's marks
    const steps = Array.from({ length: Math.floor(marks.length / 3) }, () => walk.next().value);
    const expected = steps.flatMap(([weth, wbtc]) =>
      [
        ['ETH-PERP', weth!],
        ['ETH-PERP-2', weth!],
        ['BTC-PERP', wbtc!],
      ].map(([market, point]) => {
        const p = point as (typeof steps)[number][number];
        return {
          kind: 'mark',
          market: market as string,
          markPrice: applyPremium(p.price, walks[market as string]!()),
          indexPrice: p.price,
          publishTime: p.publishTime,
          source: 'simulate:seed=7:premium',
        };
      }),
    );
    const sorted = [...marks].sort((a, b) => a.seq - b.seq).map((m) => m.event);
    expect(sorted.slice(0, expected.length)).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(90);
    // The premium really moves (not stuck at 0) and the first one is the start premium.
    expect(sorted[0]!.markPrice).toBe(sorted[0]!.indexPrice);
    expect(
      new Set(sorted.filter((m) => m.market === 'ETH-PERP').map((m) => m.markPrice - m.indexPrice)).size,
    ).toBeGreaterThan(3);
  }, 30_000);

  it('simulate: the same seed gives the same marks, another seed other ones', async () => {
    await simulate(5, 10);
    const first = (await readMarks(nats.url)).slice(0, 30).map((m) => m.event);
    await nats.stop();
    nats = await startNats();
    await simulate(5, 10);
    const again = (await readMarks(nats.url)).slice(0, 30).map((m) => m.event);
    expect(again).toEqual(first);
    await nats.stop();
    nats = await startNats();
    await simulate(6, 10);
    const other = (await readMarks(nats.url)).slice(0, 30).map((m) => m.event);
    expect(other.map((m) => m.markPrice)).not.toEqual(first.map((m) => m.markPrice));
  }, 60_000);

  it('simulate: a restart continues the marks where the stream stops, without a duplicate or a gap', async () => {
    const { source } = await simulate(9, 8);
    const before = await readMarks(nats.url);
    // Restarted with the same start time: every point up to the last in the stream is skipped.
    const restarted = new PriceFeed({
      natsServers: [nats.url],
      intervalMs: 5,
      source,
      markets: markets(9),
      logger: silentLogger,
    });
    await restarted.start();
    await waitFor('new marks', () => restarted.stats().marks.published >= 15);
    await restarted.stop();
    expect(restarted.stats().marks.skipped).toBeGreaterThanOrEqual(before.length);
    expect(restarted.stats().marks.duplicates).toBe(0);

    const marks = (await readMarks(nats.url)).map((m) => m.event);
    const ids = marks.map((m) => `${m.market}:${m.publishTime}`);
    expect(new Set(ids).size).toBe(ids.length);
    // The stitched series is the uninterrupted one.
    const reference = premiumWalk(9, 'ETH-PERP', premium);
    const walk = randomWalk(source);
    const eth = marks.filter((m) => m.market === 'ETH-PERP');
    expect(eth.map((m) => m.markPrice)).toEqual(eth.map(() => applyPremium(walk.next().value[0]!.price, reference())));
    expect(eth.map((m) => m.publishTime)).toEqual(eth.map((_, i) => 1_750_000_000n + BigInt(i) * 10n));
  }, 30_000);

  it('replay: recorded marks and a simulated premium; marks missing behind stored prices are caught up; a finished replay republishes nothing', async () => {
    const env = {
      OMNI_NATS_URL: nats.url,
      OMNI_FEED_SOURCE: 'replay',
      OMNI_FEED_REPLAY_FILES: ['perp-marks.csv', 'perp-btc.csv'].map((f) => path.resolve('test/fixtures', f)).join(','),
      OMNI_FEED_REPLAY_SPEED: '3600000',
      OMNI_FEED_ASSET_MAP: '{"ETH":"WETH","BTC":"WBTC"}',
      OMNI_FEED_SIM_SEED: '4',
    };
    // A first run without markets: the prices are in the stream, no marks.
    const pricesOnly = new PriceFeed({ ...loadPriceFeedConfig(env), logger: silentLogger });
    await pricesOnly.start();
    await pricesOnly.done;
    await pricesOnly.stop();
    expect(pricesOnly.stats().published).toBe(9);

    const withMarkets = {
      ...env,
      OMNI_FEED_MARKETS: JSON.stringify([
        { market: 'ETH-PERP', indexAsset: 'WETH', mark: { kind: 'recorded' } },
        { market: 'BTC-PERP', indexAsset: 'WBTC', mark: { kind: 'simulate', maxPremiumBps: 30, premiumStepBps: 10 } },
      ]),
    };
    const feed = new PriceFeed({ ...loadPriceFeedConfig(withMarkets), logger: silentLogger });
    await feed.start();
    await feed.done;
    await feed.stop();
    expect(feed.stats()).toMatchObject({ published: 0, skipped: 9, marks: { published: 9, skipped: 0 } });

    const eth = await readMarks(nats.url, subjects.mark('ETH-PERP'));
    expect(eth.map((m) => [m.event.indexPrice, m.event.markPrice, m.event.publishTime, m.event.source])).toEqual([
      [3400_500000000000000000n, 3401_250000000000000000n, 1621382400n, 'replay:perp-marks.csv'],
      [3300n * E18, 3296_700000000000000000n, 1621386000n, 'replay:perp-marks.csv'],
      [2900_123456789000000000n, 2890_000000001000000000n, 1621389600n, 'replay:perp-marks.csv'],
      [2700n * E18, 2712_500000000000000000n, 1621393200n, 'replay:perp-marks.csv'],
      [3050_750000000000000000n, 3049n * E18, 1621396800n, 'replay:perp-marks.csv'],
    ]);
    expect(eth[0]!.msgId).toBe('mark:ETH-PERP:1621382400');
    const btc = await readMarks(nats.url, subjects.mark('BTC-PERP'));
    const walk = premiumWalk(4, 'BTC-PERP', { startPremiumBps: 0, maxPremiumBps: 30, premiumStepBps: 10 });
    const btcPrices = await readStream(nats.url, subjects.price('WBTC'));
    expect(btc.map((m) => m.event)).toEqual(
      btcPrices.map((p) => ({
        kind: 'mark',
        market: 'BTC-PERP',
        markPrice: applyPremium(p.event.price, walk()),
        indexPrice: p.event.price,
        publishTime: p.event.publishTime,
        source: 'replay:perp-btc.csv:premium',
      })),
    );
    expect(btc.every((m) => withinBps(m.event.markPrice, m.event.indexPrice, 30))).toBe(true);

    // Finished: a restart sends nothing at all.
    const count = await streamCount(nats.url);
    const again = new PriceFeed({ ...loadPriceFeedConfig(withMarkets), logger: silentLogger });
    await again.start();
    await again.done;
    await again.stop();
    expect(again.stats()).toMatchObject({
      published: 0,
      skipped: 9,
      marks: { published: 0, skipped: 9, duplicates: 0 },
    });
    expect(await streamCount(nats.url)).toBe(count);
  }, 30_000);
});
