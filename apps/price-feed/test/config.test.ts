import path from 'node:path';

import { ConfigError } from '@omniclear/config';

import { loadPriceFeedConfig } from '../src/config.js';
import { CsvFormatError } from '../src/errors.js';

const NATS = { OMNI_NATS_URL: 'nats://127.0.0.1:4222' };
const AGG = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

function configError(env: Record<string, string>, readFile?: (p: string) => string): string {
  try {
    loadPriceFeedConfig(env, readFile);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CsvFormatError) return err.message;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadPriceFeedConfig', () => {
  it('names a missing or invalid key', () => {
    expect(configError({ ...NATS })).toMatch(/OMNI_FEED_SOURCE: required/);
    expect(configError({ ...NATS, OMNI_FEED_SOURCE: 'pyth' })).toMatch(
      /OMNI_FEED_SOURCE: expected chainlink, simulate or replay/,
    );
    expect(configError({ ...NATS, OMNI_FEED_SOURCE: 'simulate' })).toMatch(
      /OMNI_FEED_SIM_ASSETS: required when OMNI_FEED_SOURCE=simulate/,
    );
    expect(
      configError({
        ...NATS,
        OMNI_FEED_SOURCE: 'simulate',
        OMNI_FEED_SIM_ASSETS: '[{"asset":"WETH","startPrice":"-1","volatilityBps":5}]',
      }),
    ).toMatch(/OMNI_FEED_SIM_ASSETS\[0\]\.startPrice: expected a positive decimal USD price string/);
  });

  it('refuses a single-source asset without a step bound, and an unknown rpc', () => {
    const env = {
      ...NATS,
      OMNI_FEED_SOURCE: 'chainlink',
      OMNI_FEED_RPC_URLS: '{"hub":"http://127.0.0.1:8545"}',
      OMNI_FEED_AGGREGATORS: JSON.stringify([
        { asset: 'WETH', sources: [{ rpc: 'hub', address: AGG }] },
        {
          asset: 'WBTC',
          sources: [
            { rpc: 'spoke', address: AGG },
            { rpc: 'hub', address: AGG },
          ],
        },
      ]),
    };
    const message = configError(env);
    expect(message).toMatch(/OMNI_FEED_AGGREGATORS\[0\]: WETH: a price resting on a single source needs maxStepBps/);
    expect(message).toMatch(/OMNI_FEED_AGGREGATORS\[1\]: WBTC: rpc "spoke" is not a key of OMNI_FEED_RPC_URLS/);

    const ok = loadPriceFeedConfig({
      ...env,
      OMNI_FEED_MAX_STEP_BPS: '300',
      OMNI_FEED_RPC_URLS: '{"hub":"http://a:1","spoke":"http://b:2"}',
    });
    expect(ok.source).toMatchObject({
      kind: 'chainlink',
      assets: [
        { asset: 'WETH', minSources: 1, maxStepBps: 300n, maxAgeSec: 3600n, maxDeviationBps: 100n },
        { asset: 'WBTC', minSources: 2, maxStepBps: 300n },
      ],
    });
  });

  it('ships the crash series, which all parse', () => {
    const files = [
      '2020-03-12-BTC-1h.csv',
      '2020-03-12-BTC-1m.csv',
      '2020-03-12-ETH-1h.csv',
      '2021-05-19-BTC-1h.csv',
      '2021-05-19-BTC-1m.csv',
      '2021-05-19-ETH-1h.csv',
      '2025-10-10-BTC-1m.csv',
    ].map((f) => path.resolve('data', f));
    const config = loadPriceFeedConfig({
      ...NATS,
      OMNI_FEED_SOURCE: 'replay',
      OMNI_FEED_REPLAY_FILES: files.join(','),
      OMNI_FEED_ASSET_MAP: '{"BTC":"WBTC","ETH":"WETH"}',
    });
    expect(config.source.kind === 'replay' && config.source.rows.length).toBe(72 + 1603 + 72 + 48 + 406 + 48 + 263);
  });

  it('names the file and line of a malformed CSV row', () => {
    const env = { ...NATS, OMNI_FEED_SOURCE: 'replay', OMNI_FEED_REPLAY_FILES: 'crash.csv' };
    const csv =
      (...rows: string[]) =>
      () =>
        ['timestamp,asset,price', ...rows].join('\n');
    const good = '2020-03-12T02:50:00Z,BTC,7691.49';
    expect(configError(env, csv(good, '2020-03-12T02:51:00Z,BTC,7669.99.1'))).toBe(
      'crash.csv:3: invalid price: not a decimal number: "7669.99.1"',
    );
    expect(configError(env, csv(good, '2020-03-12 02:51,BTC,7669.99'))).toMatch(
      /^crash\.csv:3: invalid timestamp "2020-03-12 02:51"/,
    );
    expect(configError(env, csv('2021-02-30T00:00:00Z,BTC,1'))).toMatch(/^crash\.csv:2: invalid timestamp/);
    expect(configError(env, csv(good, '2020-03-12T02:51:00Z,BTC'))).toBe(
      'crash.csv:3: expected 3 fields (timestamp,asset,price), got 2',
    );
    expect(configError(env, csv(good, '2020-03-12T02:50:00Z,BTC,7000'))).toMatch(
      /^crash\.csv:3: timestamp .* does not advance/,
    );
    expect(configError(env, csv(good, '2020-03-12T02:51:00Z,btc,1'))).toMatch(/^crash\.csv:3: invalid asset "btc"/);
    expect(configError(env, csv(good, '2020-03-12T02:51:00Z,BTC,0'))).toMatch(
      /^crash\.csv:3: invalid price "0": expected a positive number/,
    );
    expect(configError(env, csv(good, '', good))).toBe('crash.csv:3: empty line');
    expect(configError(env, () => 'time,asset,price\n')).toMatch(/^crash\.csv:1: expected the header/);
    expect(
      configError(env, () => {
        throw new Error('ENOENT');
      }),
    ).toMatch(/OMNI_FEED_REPLAY_FILES: cannot read crash\.csv \(ENOENT\)/);
    // Trailing blank lines are fine.
    expect(loadPriceFeedConfig(env, () => `timestamp,asset,price\n${good}\n\n`).source).toMatchObject({
      rows: [{ asset: 'BTC' }],
    });
  });

  describe('OMNI_FEED_MARKETS', () => {
    const SIM = {
      ...NATS,
      OMNI_FEED_SOURCE: 'simulate',
      OMNI_FEED_SIM_ASSETS: '[{"asset":"WETH","startPrice":"2000","volatilityBps":5}]',
      OMNI_FEED_SIM_SEED: '3',
    };
    const markets = (...list: unknown[]) => ({ ...SIM, OMNI_FEED_MARKETS: JSON.stringify(list) });
    const sim = { kind: 'simulate', maxPremiumBps: 20, premiumStepBps: 2 };

    it('reads the markets, with the walk seeded by OMNI_FEED_SIM_SEED; none by default', () => {
      expect(loadPriceFeedConfig(SIM).markets).toEqual([]);
      expect(loadPriceFeedConfig(markets({ market: 'ETH-PERP', indexAsset: 'WETH', mark: sim })).markets).toEqual([
        {
          market: 'ETH-PERP',
          indexAsset: 'WETH',
          mark: { kind: 'simulate', seed: 3, startPremiumBps: 0, maxPremiumBps: 20, premiumStepBps: 2 },
        },
      ]);
    });

    it('names the key of a bad market', () => {
      expect(configError({ ...SIM, OMNI_FEED_MARKETS: '{' })).toMatch(/^invalid configuration: OMNI_FEED_MARKETS: /);
      expect(configError(markets({ market: 'eth-perp', indexAsset: 'WETH', mark: sim }))).toMatch(
        /OMNI_FEED_MARKETS\[0\]\.market: expected 1-31 of A-Z, 0-9, _, -/,
      );
      expect(configError(markets({ market: 'ETH-PERP', indexAsset: 'WBTC', mark: sim }))).toMatch(
        /OMNI_FEED_MARKETS\[0\]: ETH-PERP: indexAsset WBTC is not an asset this feed publishes \(WETH\)/,
      );
      expect(
        configError(markets({ market: 'ETH-PERP', indexAsset: 'WETH', mark: { ...sim, maxPremiumBps: 6_000 } })),
      ).toMatch(/OMNI_FEED_MARKETS\[0\]\.mark\.maxPremiumBps: /);
      expect(
        configError(markets({ market: 'ETH-PERP', indexAsset: 'WETH', mark: { ...sim, startPremiumBps: 21 } })),
      ).toMatch(/OMNI_FEED_MARKETS\[0\]\.mark\.startPremiumBps: startPremiumBps must lie within ±maxPremiumBps/);
      expect(configError(markets({ market: 'ETH-PERP', indexAsset: 'WETH', mark: { kind: 'pyth' } }))).toMatch(
        /OMNI_FEED_MARKETS\[0\]\.mark(\.kind)?: expected mark\.kind simulate, recorded or chainlink/,
      );
      expect(configError(markets({ market: 'ETH-PERP', indexAsset: 'WETH', mark: { kind: 'recorded' } }))).toMatch(
        /OMNI_FEED_MARKETS\[0\]: ETH-PERP: mark\.kind recorded needs another OMNI_FEED_SOURCE \(simulate allows simulate\)/,
      );
      expect(
        configError(
          markets(
            { market: 'ETH-PERP', indexAsset: 'WETH', mark: sim },
            { market: 'ETH-PERP', indexAsset: 'WETH', mark: sim },
          ),
        ),
      ).toMatch(/OMNI_FEED_MARKETS\[1\]: ETH-PERP: listed twice/);
    });

    it('checks chainlink marks like chainlink prices', () => {
      const env = {
        ...NATS,
        OMNI_FEED_SOURCE: 'chainlink',
        OMNI_FEED_RPC_URLS: '{"hub":"http://127.0.0.1:8545"}',
        OMNI_FEED_AGGREGATORS: JSON.stringify([
          {
            asset: 'WETH',
            sources: [
              { rpc: 'hub', address: AGG },
              { rpc: 'hub', address: AGG },
            ],
          },
        ]),
      };
      const chainlinkMarket = (mark: Record<string, unknown>) => ({
        ...env,
        OMNI_FEED_MARKETS: JSON.stringify([
          { market: 'ETH-PERP', indexAsset: 'WETH', mark: { kind: 'chainlink', ...mark } },
        ]),
      });
      const message = configError(chainlinkMarket({ sources: [{ rpc: 'spoke', address: AGG }] }));
      expect(message).toMatch(/OMNI_FEED_MARKETS\[0\]: ETH-PERP: rpc "spoke" is not a key of OMNI_FEED_RPC_URLS/);
      expect(message).toMatch(
        /OMNI_FEED_MARKETS\[0\]: ETH-PERP: a mark resting on a single source needs maxStepBps \(or OMNI_FEED_MAX_STEP_BPS\)/,
      );
      expect(
        configError({
          ...env,
          OMNI_FEED_MARKETS: JSON.stringify([{ market: 'ETH-PERP', indexAsset: 'WETH', mark: sim }]),
        }),
      ).toMatch(
        /OMNI_FEED_MARKETS\[0\]: ETH-PERP: mark\.kind simulate needs another OMNI_FEED_SOURCE \(chainlink allows chainlink\)/,
      );
      const ok = loadPriceFeedConfig(
        chainlinkMarket({
          sources: [{ rpc: 'hub', address: AGG }],
          maxStepBps: 200,
          maxPremiumBps: 300,
          maxAgeSec: 60,
        }),
      );
      expect(ok.markets).toEqual([
        {
          market: 'ETH-PERP',
          indexAsset: 'WETH',
          mark: {
            kind: 'chainlink',
            maxPremiumBps: 300n,
            aggregators: {
              asset: 'ETH-PERP',
              sources: [{ rpc: 'hub', address: AGG }],
              maxAgeSec: 60n,
              maxDeviationBps: 100n,
              minSources: 1,
              maxStepBps: 200n,
            },
          },
        },
      ]);
    });

    it('checks replayed markets against the files: a known asset, and a mark on every row for recorded marks', () => {
      const env = {
        ...NATS,
        OMNI_FEED_SOURCE: 'replay',
        OMNI_FEED_REPLAY_FILES: 'perp.csv',
      };
      const csv = () =>
        'timestamp,asset,price,mark\n2021-05-19T00:00:00Z,ETH,3400,3401\n2021-05-19T01:00:00Z,ETH,3300,\n';
      const replayMarket = (indexAsset: string, mark: unknown) => ({
        ...env,
        OMNI_FEED_MARKETS: JSON.stringify([{ market: 'ETH-PERP', indexAsset, mark }]),
      });
      expect(configError(replayMarket('WETH', sim), csv)).toMatch(
        /OMNI_FEED_MARKETS\[0\]: ETH-PERP: indexAsset WETH is not an asset of OMNI_FEED_REPLAY_FILES \(ETH\)/,
      );
      expect(configError(replayMarket('ETH', { kind: 'recorded' }), csv)).toMatch(
        /OMNI_FEED_MARKETS\[0\]: ETH-PERP: mark\.kind recorded needs a mark column value on every ETH row; perp\.csv:3 has none/,
      );
      expect(loadPriceFeedConfig(replayMarket('ETH', sim), csv).markets).toMatchObject([
        { mark: { kind: 'simulate', seed: 1 } },
      ]);
    });
  });
});
