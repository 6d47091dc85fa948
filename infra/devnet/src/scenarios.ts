import fs from 'node:fs';
import path from 'node:path';
import { parseEther } from 'viem';
import { appDir } from './services.js';
import { DEVNET_ASSET } from './topology.js';

/** How the devnet's WETH price moves: the price feed's configuration and where it starts. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** USD, 18 decimals: the first price the feed publishes. */
  readonly startPrice: bigint;
  /** `OMNI_FEED_*` configuration of apps/price-feed. */
  readonly feed: Record<string, string>;
  /** Clearing-node configuration the scenario needs beyond the devnet's. */
  readonly node?: Record<string, string>;
}

/** How long a replayed scenario's orders stay valid past the end of the replay, in seconds. */
const REPLAY_ORDER_MARGIN_SECONDS = 7 * 24 * 3600;

export const SCENARIOS = ['walk', 'crash'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const CRASH_FILE = '2020-03-12-ETH-1h.csv';

/**
 * - `walk`: a seeded random walk from 2000 USD drifting down 0.6% a step (one step per interval).
 * - `crash`: ETH's hourly closes around 12 March 2020 ("Black Thursday", 196 → 97 USD), replayed
 *   as WETH at one candle every 2 seconds.
 */
export function scenario(
  name: ScenarioName,
  opts: { intervalMs: number; seed: number; nowSeconds?: number },
): Scenario {
  if (name === 'walk') {
    return {
      name,
      description: 'seeded random walk from 2000 USD with a downward drift (about -0.6% a step)',
      startPrice: parseEther('2000'),
      feed: {
        OMNI_FEED_SOURCE: 'simulate',
        OMNI_FEED_INTERVAL_MS: String(opts.intervalMs),
        OMNI_FEED_SIM_SEED: String(opts.seed),
        OMNI_FEED_SIM_ASSETS: JSON.stringify([
          { asset: DEVNET_ASSET.symbol, startPrice: '2000', driftBps: -60, volatilityBps: 100 },
        ]),
      },
    };
  }
  const file = path.join(appDir('price-feed'), 'data', CRASH_FILE);
  const firstRow = fs.readFileSync(file, 'utf8').split('\n')[1] ?? '';
  const [firstTime, , firstPrice] = firstRow.split(',');
  const firstSeconds = Math.floor(Date.parse(firstTime ?? '') / 1000);
  if (!firstPrice || !Number.isFinite(firstSeconds)) throw new Error(`${file}: no first price row`);
  // An order expires one TTL after the input that triggered it, and the hub judges expiry by its
  // block time (now). Replayed prices carry their recorded 2020 times, so the node's TTL must
  // reach from the first candle to today (plus a margin) or every order would be born expired.
  const nowSeconds = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  return {
    name,
    description: `replay of ${CRASH_FILE} (ETH hourly closes, 11–14 March 2020) as WETH, one candle every 2 s`,
    startPrice: parseEther(firstPrice),
    feed: {
      OMNI_FEED_SOURCE: 'replay',
      OMNI_FEED_REPLAY_FILES: file,
      OMNI_FEED_ASSET_MAP: JSON.stringify({ ETH: DEVNET_ASSET.symbol }),
      OMNI_FEED_REPLAY_SPEED: '1800',
    },
    node: { OMNI_ORDER_TTL_SECONDS: String(nowSeconds - firstSeconds + REPLAY_ORDER_MARGIN_SECONDS) },
  };
}
