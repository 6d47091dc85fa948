import { createChainClients, demoAggregatorAbi, demoAggregatorBytecode } from '@omniclear/chain';
import { msgIds, subjects } from '@omniclear/protocol';
import { ANVIL_KEYS, startAnvil, startNats, type AnvilChain, type NatsServer } from '@omniclear/testkit';
import type { Address, Hex } from 'viem';

import type { AggregatedAsset, MarketFeed } from '../src/config.js';
import { PriceFeed } from '../src/feed.js';
import type { LogFields, Logger } from '@omniclear/observability';
import { readMarks, readStream, streamCount, waitFor } from './helpers.js';

const E18 = 10n ** 18n;
const NOW = 1_800_000_000n;

/** Collects log lines so tests can assert what was reported. */
function memoryLogger(): Logger & { lines: { level: string; msg: string; fields: LogFields }[] } {
  const lines: { level: string; msg: string; fields: LogFields }[] = [];
  const push =
    (level: string) =>
    (msg: string, fields: LogFields = {}) =>
      void lines.push({ level, msg, fields });
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}

describe('chainlink source (real anvil with DemoAggregators, real nats-server)', () => {
  let anvil: AnvilChain;
  let anvil2: AnvilChain;
  let nats: NatsServer;
  const feeds: PriceFeed[] = [];
  let deployer: ReturnType<typeof createChainClients>;
  let deployer2: ReturnType<typeof createChainClients>;

  beforeAll(async () => {
    [anvil, anvil2, nats] = await Promise.all([
      startAnvil({ chainId: 31337 }),
      startAnvil({ chainId: 31338 }),
      startNats(),
    ]);
    deployer = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: 31337, privateKey: ANVIL_KEYS[0] as Hex });
    deployer2 = createChainClients({ rpcUrl: anvil2.rpcUrl, chainId: 31338, privateKey: ANVIL_KEYS[0] as Hex });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(feeds.map((f) => f.stop()));
    await Promise.all([anvil?.stop(), anvil2?.stop(), nats?.stop()]);
  });

  async function deploy(clients = deployer, decimals = 8): Promise<Address> {
    const hash = await clients.wallet.deployContract({
      abi: demoAggregatorAbi,
      bytecode: demoAggregatorBytecode,
      args: [clients.account.address, decimals, 'TEST / USD'],
    });
    const receipt = await clients.public.waitForTransactionReceipt({ hash });
    return receipt.contractAddress!;
  }

  async function setAnswer(address: Address, answer: bigint, updatedAt: bigint, clients = deployer): Promise<void> {
    const hash = await clients.wallet.writeContract({
      address,
      abi: demoAggregatorAbi,
      functionName: 'setAnswer',
      args: [answer, updatedAt],
    });
    await clients.public.waitForTransactionReceipt({ hash });
  }

  function startFeed(assets: AggregatedAsset[], log: Logger, markets: MarketFeed[] = []): Promise<PriceFeed> {
    const feed = new PriceFeed({
      natsServers: [nats.url],
      intervalMs: 50,
      source: { kind: 'chainlink', rpcUrls: { hub: anvil.rpcUrl, spoke: anvil2.rpcUrl }, assets },
      markets,
      logger: log,
      now: () => NOW,
    });
    feeds.push(feed);
    return feed.start().then(() => feed);
  }

  const policy = { maxAgeSec: 3_600n, maxDeviationBps: 100n };

  it('publishes the exact median of three aggregators on two chains, and refuses stale, non-positive, incomplete and disagreeing sources', async () => {
    // One aggregator per asset and case, each with its own answers.
    const med = [await deploy(), await deploy(), await deploy(deployer2)];
    await setAnswer(med[0]!, 2000_00000001n, NOW - 30n);
    await setAnswer(med[1]!, 2001_50000000n, NOW - 20n);
    await setAnswer(med[2]!, 2002_00000000n, NOW - 25n, deployer2);

    const cases = {
      STALE: [2000_00000000n, 2000_00000000n, 2000_00000000n],
      NEG: [2000_00000000n, 0n, 2000_00000000n],
      INC: [2000_00000000n, 2000_00000000n, 2000_00000000n],
      DISAGREE: [2000_00000000n, 2000_00000000n, 2100_00000000n],
    } as const;
    const addresses: Record<string, Address[]> = {};
    for (const [asset, answers] of Object.entries(cases)) {
      addresses[asset] = [];
      for (const [i, answer] of answers.entries()) {
        const a = await deploy();
        addresses[asset].push(a);
        const updatedAt = asset === 'STALE' && i === 1 ? NOW - 3_601n : asset === 'INC' && i === 2 ? 0n : NOW - 5n;
        await setAnswer(a, answer, updatedAt);
      }
    }

    const log = memoryLogger();
    const sources = (list: Address[], rpcs = ['hub', 'hub', 'hub']) =>
      list.map((address, i) => ({ rpc: rpcs[i]!, address }));
    const feed = await startFeed(
      [
        { asset: 'MED', sources: sources(med, ['hub', 'hub', 'spoke']), minSources: 3, ...policy },
        ...Object.keys(cases).map((asset) => ({
          asset,
          sources: sources(addresses[asset]!),
          minSources: 3,
          ...policy,
        })),
      ],
      log,
    );
    await waitFor('a publish and every refusal', () => {
      const s = feed.stats();
      return (
        s.published >= 1 &&
        s.refused.stale >= 2 &&
        s.refused['non-positive'] >= 2 &&
        s.refused['incomplete-round'] >= 2 &&
        s.refused.deviation >= 2
      );
    });

    const stored = await readStream(nats.url);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      subject: subjects.price('MED'),
      msgId: msgIds.price('MED', NOW - 20n),
      event: {
        kind: 'price',
        asset: 'MED',
        price: 2001_500000000000000000n,
        publishTime: NOW - 20n,
        source: 'chainlink',
      },
    });
    // Unchanged rounds are not republished tick after tick.
    expect(feed.stats().published).toBe(1);

    const refusals = log.lines.filter((l) => l.msg === 'price refused');
    const byAsset = (asset: string) => refusals.find((l) => l.fields.asset === asset)!.fields;
    expect(byAsset('STALE')).toMatchObject({ reason: 'stale' });
    expect(String(byAsset('STALE').detail)).toContain('3601 s ago (max 3600 s)');
    expect(byAsset('NEG')).toMatchObject({ reason: 'non-positive' });
    expect(byAsset('INC')).toMatchObject({ reason: 'incomplete-round' });
    expect(byAsset('DISAGREE')).toMatchObject({ reason: 'deviation' });
    expect(String(byAsset('DISAGREE').detail)).toContain('at 2100 (500 bps)');
    expect(refusals.some((l) => l.fields.asset === 'MED')).toBe(false);

    // A new round of one source moves the median: published once, with that round's time.
    await setAnswer(med[0]!, 2003_00000000n, NOW - 1n);
    await waitFor('the second median', () => feed.stats().published >= 2);
    const again = await readStream(nats.url, subjects.price('MED'));
    expect(again.map((s) => [s.event.price, s.event.publishTime])).toEqual([
      [2001_500000000000000000n, NOW - 20n],
      [2002n * E18, NOW - 1n],
    ]);
    await feed.stop();
  }, 60_000);

  it('converts 8 decimals to 18 exactly, and holds back a single-source jump beyond maxStepBps', async () => {
    const agg = await deploy();
    await setAnswer(agg, 123456789_12345678n, NOW - 100n);
    const log = memoryLogger();
    const feed = await startFeed(
      [{ asset: 'SOLO', sources: [{ rpc: 'hub', address: agg }], minSources: 1, maxStepBps: 500n, ...policy }],
      log,
    );
    await waitFor('the first price', () => feed.stats().published === 1);
    expect(
      log.lines.some((l) => l.level === 'warn' && l.msg.startsWith('single-source price accepted without a reference')),
    ).toBe(true);

    // +5.01 %: held back and reported; the reference stays the last published price.
    const jump = (123456789_12345678n * 10_501n) / 10_000n;
    await setAnswer(agg, jump, NOW - 50n);
    await waitFor('the jump to be held back', () => feed.stats().refused.step >= 2);
    const held = log.lines.find((l) => l.msg === 'price refused')!;
    expect(held.fields).toMatchObject({ asset: 'SOLO', reason: 'step' });
    expect(String(held.fields.detail)).toMatch(
      /501 bps from the last published 123456789\.12345678 \(max 500 bps\): held back/,
    );

    // Back within the bound (+4.99 % of the last published): published.
    const within = (123456789_12345678n * 10_499n) / 10_000n;
    await setAnswer(agg, within, NOW - 10n);
    await waitFor('the bounded move', () => feed.stats().published === 2);

    const stored = await readStream(nats.url, subjects.price('SOLO'));
    expect(stored.map((s) => [s.event.price, s.event.publishTime])).toEqual([
      [123456789_123456780000000000n, NOW - 100n],
      [within * 10n ** 10n, NOW - 10n],
    ]);
    await feed.stop();

    // A restarted feed is bounded by the last price in the stream, not by nothing.
    await setAnswer(agg, within * 2n, NOW - 5n);
    const log2 = memoryLogger();
    const restarted = await startFeed(
      [{ asset: 'SOLO', sources: [{ rpc: 'hub', address: agg }], minSources: 1, maxStepBps: 500n, ...policy }],
      log2,
    );
    await waitFor('the restarted feed to hold back', () => restarted.stats().refused.step >= 1);
    expect(restarted.stats().published).toBe(0);
    expect((await readStream(nats.url, subjects.price('SOLO'))).length).toBe(2);
    await restarted.stop();
  }, 60_000);

  it('publishes a mark per market with the index price and its publishTime, read from mark aggregators with the same checks; a restart republishes nothing', async () => {
    const index = [await deploy(), await deploy(deployer2)];
    await setAnswer(index[0]!, 3000_00000000n, NOW - 12n);
    await setAnswer(index[1]!, 3000_20000000n, NOW - 10n, deployer2);
    const [good, stale, far] = [await deploy(), await deploy(), await deploy()];
    await setAnswer(good!, 3001_23456789n, NOW - 8n);
    await setAnswer(stale!, 3000_00000000n, NOW - 3_601n);
    await setAnswer(far!, 3061_00000000n, NOW - 8n); // 2 % over the index
    const mark = (market: string, address: Address): MarketFeed => ({
      market,
      indexAsset: 'PERPIDX',
      mark: {
        kind: 'chainlink',
        maxPremiumBps: 100n,
        aggregators: { asset: market, sources: [{ rpc: 'hub', address }], minSources: 1, maxStepBps: 500n, ...policy },
      },
    });
    const markets = [mark('GOOD-PERP', good!), mark('STALE-PERP', stale!), mark('FAR-PERP', far!)];
    const assets = [
      {
        asset: 'PERPIDX',
        sources: [
          { rpc: 'hub', address: index[0]! },
          { rpc: 'spoke', address: index[1]! },
        ],
        minSources: 2,
        ...policy,
      },
    ];
    const log = memoryLogger();
    const feed = await startFeed(assets, log, markets);
    await waitFor('a mark and both refusals', () => {
      const s = feed.stats().marks;
      return s.published >= 1 && (s.refused.stale ?? 0) >= 2 && (s.refused.premium ?? 0) >= 2;
    });
    // The index: the median of the two, at the newer round's time.
    const indexPrice = 3000_100000000000000000n;
    expect((await readStream(nats.url, subjects.price('PERPIDX'))).map((p) => p.event.price)).toEqual([indexPrice]);
    const stored = await readMarks(nats.url);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      subject: subjects.mark('GOOD-PERP'),
      msgId: msgIds.mark('GOOD-PERP', NOW - 10n),
      event: {
        kind: 'mark',
        market: 'GOOD-PERP',
        markPrice: 3001_234567890000000000n,
        indexPrice,
        publishTime: NOW - 10n,
        source: 'chainlink',
      },
    });
    const refusals = log.lines.filter((l) => l.msg === 'mark refused');
    expect(refusals.find((l) => l.fields.market === 'STALE-PERP')!.fields).toMatchObject({ reason: 'stale' });
    const farRefusal = refusals.find((l) => l.fields.market === 'FAR-PERP')!;
    expect(String(farRefusal.fields.detail)).toBe('mark 3061 is 203 bps from the index 3000.1 (max 100 bps)');
    // The first mark of a single-source market has no reference: accepted with a warning, as a price is.
    expect(log.lines.some((l) => l.msg.startsWith('single-source mark accepted without a reference'))).toBe(true);

    // The far mark comes back within bounds while the index round is unchanged: its mark for that
    // index time is published then, once.
    await setAnswer(far!, 3020_00000000n, NOW - 5n);
    await waitFor('the far market catching up', () => feed.stats().marks.published >= 2);
    expect(
      (await readMarks(nats.url, subjects.mark('FAR-PERP'))).map((m) => [m.event.markPrice, m.event.publishTime]),
    ).toEqual([[3020n * E18, NOW - 10n]]);
    await feed.stop();

    // Restart with everything unchanged: the stream already holds every price and mark.
    const count = await streamCount(nats.url);
    const restarted = await startFeed(assets, memoryLogger(), markets);
    await waitFor('a few ticks', () => restarted.stats().marks.skipped >= 4);
    await restarted.stop();
    expect(restarted.stats()).toMatchObject({ published: 0, marks: { published: 0, duplicates: 0 } });
    expect(await streamCount(nats.url)).toBe(count);
  }, 60_000);
});
