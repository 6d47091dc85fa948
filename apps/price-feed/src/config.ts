import fs from 'node:fs';

import { ConfigError, loadConfig, zAddress, zBool, zHttpUrl, zJson, zNatsUrl, zPositiveInt } from '@omniclear/config';
import { MARKET_SYMBOL } from '@omniclear/protocol';
import type { Address } from 'viem';
import { z } from 'zod';

import { parseDecimal18 } from './decimal.js';
import { mergeSeries, parseSeries, type RecordedPrice } from './replay.js';
import type { WalkAsset } from './simulate.js';

const ASSET = /^[A-Z0-9_]{1,32}$/;
const zAsset = z.string().regex(ASSET, { error: 'expected 1-32 of A-Z, 0-9, _ (the price subject token)' });
const zBps = z.number().int().min(0).max(1_000_000);
const zPrice = z.string().transform((s, ctx) => {
  try {
    const p = parseDecimal18(s);
    if (p > 0n) return p;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a positive decimal USD price string, e.g. "2000.5"' });
  return z.NEVER;
});
const zSeconds = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, { error: 'expected unix seconds' })
  .transform((s) => BigInt(s));
const zPositiveNumber = z
  .string()
  .refine((s) => /^[0-9]+(\.[0-9]+)?$/.test(s) && Number(s) > 0, { error: 'expected a positive number' })
  .transform(Number);

const aggregatorSchema = z.strictObject({
  asset: zAsset,
  sources: z.array(z.strictObject({ rpc: z.string().min(1), address: zAddress })).min(1),
  maxAgeSec: z.number().int().positive().optional(),
  maxDeviationBps: zBps.optional(),
  maxStepBps: zBps.optional(),
  minSources: z.number().int().positive().optional(),
  referencePrice: zPrice.optional(),
});

/** A premium of 50 % either way is far outside any sane perp market and keeps every mark positive. */
const MAX_PREMIUM_BPS = 5_000;
const zPremiumBps = z.number().int().min(0).max(MAX_PREMIUM_BPS);

const markSourceSchema = z.discriminatedUnion(
  'kind',
  [
    // simulate and replay: a seeded, bounded random walk of the premium
    z
      .strictObject({
        kind: z.literal('simulate'),
        maxPremiumBps: zPremiumBps,
        premiumStepBps: zPremiumBps,
        startPremiumBps: z.number().int().min(-MAX_PREMIUM_BPS).max(MAX_PREMIUM_BPS).default(0),
      })
      .refine((m) => Math.abs(m.startPremiumBps) <= m.maxPremiumBps, {
        error: 'startPremiumBps must lie within ±maxPremiumBps',
        path: ['startPremiumBps'],
      }),
    // replay: the `mark` column of the index asset's rows
    z.strictObject({ kind: z.literal('recorded') }),
    // chainlink: the market's own mark aggregators, checked like a price
    z.strictObject({
      kind: z.literal('chainlink'),
      sources: z.array(z.strictObject({ rpc: z.string().min(1), address: zAddress })).min(1),
      maxAgeSec: z.number().int().positive().optional(),
      maxDeviationBps: zBps.optional(),
      maxStepBps: zBps.optional(),
      minSources: z.number().int().positive().optional(),
      referencePrice: zPrice.optional(),
      maxPremiumBps: zPremiumBps.optional(),
    }),
  ],
  { error: 'expected mark.kind simulate, recorded or chainlink' },
);

const marketSchema = z.strictObject({
  market: z.string().regex(MARKET_SYMBOL, { error: 'expected 1-31 of A-Z, 0-9, _, - (the mark subject token)' }),
  indexAsset: zAsset,
  mark: markSourceSchema,
});

const walkSchema = z.strictObject({
  asset: zAsset,
  startPrice: zPrice,
  driftBps: z.number().int().min(-10_000).max(10_000).default(0),
  volatilityBps: zBps,
});

/** The price feed's environment; which keys are required depends on `OMNI_FEED_SOURCE`. */
export const priceFeedEnvSchema = z
  .object({
    OMNI_NATS_URL: zNatsUrl,
    OMNI_FEED_SOURCE: z.enum(['chainlink', 'simulate', 'replay'], {
      error: (i) => (i.input === undefined ? 'required' : 'expected chainlink, simulate or replay'),
    }),
    OMNI_FEED_INTERVAL_MS: zPositiveInt.default(1_000),
    // chainlink
    OMNI_FEED_RPC_URLS: zJson(z.record(z.string().min(1), zHttpUrl)).optional(),
    OMNI_FEED_AGGREGATORS: zJson(z.array(aggregatorSchema).min(1)).optional(),
    OMNI_FEED_MAX_AGE_SEC: zPositiveInt.default(3_600),
    OMNI_FEED_MAX_DEVIATION_BPS: zPositiveInt.default(100),
    OMNI_FEED_MAX_STEP_BPS: zPositiveInt.optional(),
    // simulate
    OMNI_FEED_SIM_ASSETS: zJson(z.array(walkSchema).min(1)).optional(),
    OMNI_FEED_SIM_SEED: zPositiveInt.default(1),
    OMNI_FEED_SIM_START_TIME: zSeconds.optional(),
    OMNI_FEED_SIM_STEP_SEC: zPositiveInt.optional(),
    // replay
    OMNI_FEED_REPLAY_FILES: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f !== ''),
      )
      .refine((files) => files.length > 0, { error: 'expected comma-separated CSV paths' })
      .optional(),
    OMNI_FEED_REPLAY_SPEED: zPositiveNumber.default(60),
    OMNI_FEED_REPLAY_EXIT: zBool.default(false),
    OMNI_FEED_ASSET_MAP: zJson(z.record(zAsset, zAsset)).default({}),
    // perp markets
    OMNI_FEED_MARKETS: zJson(z.array(marketSchema)).default([]),
  })
  .superRefine((env, ctx) => {
    const need = (key: keyof typeof env & string): void => {
      if (env[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `required when OMNI_FEED_SOURCE=${env.OMNI_FEED_SOURCE}`,
        });
      }
    };
    if (env.OMNI_FEED_SOURCE === 'chainlink') {
      need('OMNI_FEED_RPC_URLS');
      need('OMNI_FEED_AGGREGATORS');
      const seen = new Set<string>();
      env.OMNI_FEED_AGGREGATORS?.forEach((a, i) => {
        const at = (message: string): void =>
          ctx.addIssue({ code: 'custom', path: ['OMNI_FEED_AGGREGATORS', i], message: `${a.asset}: ${message}` });
        if (seen.has(a.asset)) at('listed twice');
        seen.add(a.asset);
        a.sources.forEach((s) => {
          if (env.OMNI_FEED_RPC_URLS && !(s.rpc in env.OMNI_FEED_RPC_URLS)) {
            at(`rpc ${JSON.stringify(s.rpc)} is not a key of OMNI_FEED_RPC_URLS`);
          }
        });
        const minSources = a.minSources ?? a.sources.length;
        if (minSources > a.sources.length) at(`minSources ${minSources} exceeds its ${a.sources.length} sources`);
        if (minSources === 1 && a.maxStepBps === undefined && env.OMNI_FEED_MAX_STEP_BPS === undefined) {
          at('a price resting on a single source needs maxStepBps (or OMNI_FEED_MAX_STEP_BPS)');
        }
      });
    } else if (env.OMNI_FEED_SOURCE === 'simulate') {
      need('OMNI_FEED_SIM_ASSETS');
    } else {
      need('OMNI_FEED_REPLAY_FILES');
    }
    // Markets: each follows an asset this feed publishes, with a mark source its source can give.
    const allowed = { chainlink: ['chainlink'], simulate: ['simulate'], replay: ['simulate', 'recorded'] }[
      env.OMNI_FEED_SOURCE
    ];
    const published =
      env.OMNI_FEED_SOURCE === 'chainlink'
        ? env.OMNI_FEED_AGGREGATORS?.map((a) => a.asset)
        : env.OMNI_FEED_SOURCE === 'simulate'
          ? env.OMNI_FEED_SIM_ASSETS?.map((a) => a.asset)
          : undefined; // replay: checked against the parsed rows in loadPriceFeedConfig
    const markets = new Set<string>();
    env.OMNI_FEED_MARKETS.forEach((m, i) => {
      const at = (message: string): void =>
        ctx.addIssue({ code: 'custom', path: ['OMNI_FEED_MARKETS', i], message: `${m.market}: ${message}` });
      if (markets.has(m.market)) at('listed twice');
      markets.add(m.market);
      if (published && !published.includes(m.indexAsset)) {
        at(`indexAsset ${m.indexAsset} is not an asset this feed publishes (${published.join(', ')})`);
      }
      if (!allowed.includes(m.mark.kind)) {
        at(
          `mark.kind ${m.mark.kind} needs another OMNI_FEED_SOURCE (${env.OMNI_FEED_SOURCE} allows ${allowed.join(', ')})`,
        );
      }
      if (m.mark.kind === 'chainlink') {
        const mark = m.mark;
        mark.sources.forEach((s) => {
          if (env.OMNI_FEED_RPC_URLS && !(s.rpc in env.OMNI_FEED_RPC_URLS)) {
            at(`rpc ${JSON.stringify(s.rpc)} is not a key of OMNI_FEED_RPC_URLS`);
          }
        });
        const minSources = mark.minSources ?? mark.sources.length;
        if (minSources > mark.sources.length) at(`minSources ${minSources} exceeds its ${mark.sources.length} sources`);
        if (minSources === 1 && mark.maxStepBps === undefined && env.OMNI_FEED_MAX_STEP_BPS === undefined) {
          at('a mark resting on a single source needs maxStepBps (or OMNI_FEED_MAX_STEP_BPS)');
        }
      }
    });
  });

/** One asset read from Chainlink-style aggregators. */
export interface AggregatedAsset {
  readonly asset: string;
  readonly sources: readonly { readonly rpc: string; readonly address: Address }[];
  readonly maxAgeSec: bigint;
  readonly maxDeviationBps: bigint;
  readonly minSources: number;
  readonly maxStepBps?: bigint;
  /** Bounds the first single-source price when the stream holds none yet. */
  readonly referencePrice?: bigint;
}

/** Where a market's mark price comes from. */
export type MarkSource =
  | {
      /** A seeded, bounded random walk of the premium over the index, in whole bps. */
      readonly kind: 'simulate';
      /** The walk's seed (OMNI_FEED_SIM_SEED); each market derives its own generator from it. */
      readonly seed: number;
      readonly startPremiumBps: number;
      readonly maxPremiumBps: number;
      readonly premiumStepBps: number;
    }
  | { readonly kind: 'recorded' }
  | {
      /** The market's mark aggregators (`asset` is the market symbol, for logs), checked like a price. */
      readonly kind: 'chainlink';
      readonly aggregators: AggregatedAsset;
      /** Refuse a mark further than this from the index price (bps). */
      readonly maxPremiumBps?: bigint;
    };

/** A perp market the feed publishes mark events for, each time its index asset's price is published. */
export interface MarketFeed {
  readonly market: string;
  readonly indexAsset: string;
  readonly mark: MarkSource;
}

/** Where prices come from: exactly one of the three sources. */
export type FeedSource =
  | {
      readonly kind: 'chainlink';
      readonly rpcUrls: Readonly<Record<string, string>>;
      readonly assets: readonly AggregatedAsset[];
    }
  | {
      readonly kind: 'simulate';
      readonly seed: number;
      /** Unix seconds of step 0; undefined = the wall clock at start. */
      readonly startTime?: bigint;
      readonly stepSec: bigint;
      readonly assets: readonly WalkAsset[];
    }
  | {
      readonly kind: 'replay';
      readonly files: readonly string[];
      /** Recorded seconds played per wall-clock second. */
      readonly speed: number;
      readonly exitWhenDone: boolean;
      readonly rows: readonly RecordedPrice[];
    };

/** The price feed's validated configuration. */
export interface PriceFeedConfig {
  readonly natsServers: string[];
  readonly intervalMs: number;
  readonly source: FeedSource;
  /** Perp markets whose mark events accompany their index asset's prices (none when absent). */
  readonly markets?: readonly MarketFeed[];
}

/**
 * Reads and validates the configuration once, at boot; for a replay the CSV files are read and
 * parsed here too, so a bad file stops the service before it publishes anything.
 *
 * @throws {ConfigError} naming every bad key (an unreadable replay file names OMNI_FEED_REPLAY_FILES).
 * @throws {CsvFormatError} naming the file and line of a malformed row.
 * @example const config = loadPriceFeedConfig(process.env);
 */
export function loadPriceFeedConfig(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (p) => fs.readFileSync(p, 'utf8'),
): PriceFeedConfig {
  const raw = loadConfig(priceFeedEnvSchema, env);
  const aggregated = (asset: string, a: Omit<z.infer<typeof aggregatorSchema>, 'asset'>): AggregatedAsset => {
    const step = a.maxStepBps ?? raw.OMNI_FEED_MAX_STEP_BPS;
    return {
      asset,
      sources: a.sources,
      maxAgeSec: BigInt(a.maxAgeSec ?? raw.OMNI_FEED_MAX_AGE_SEC),
      maxDeviationBps: BigInt(a.maxDeviationBps ?? raw.OMNI_FEED_MAX_DEVIATION_BPS),
      minSources: a.minSources ?? a.sources.length,
      ...(step === undefined ? {} : { maxStepBps: BigInt(step) }),
      ...(a.referencePrice === undefined ? {} : { referencePrice: a.referencePrice }),
    };
  };
  const markets: MarketFeed[] = raw.OMNI_FEED_MARKETS.map((m) => ({
    market: m.market,
    indexAsset: m.indexAsset,
    mark:
      m.mark.kind === 'chainlink'
        ? {
            kind: 'chainlink',
            aggregators: aggregated(m.market, m.mark),
            ...(m.mark.maxPremiumBps === undefined ? {} : { maxPremiumBps: BigInt(m.mark.maxPremiumBps) }),
          }
        : m.mark.kind === 'simulate'
          ? { ...m.mark, seed: raw.OMNI_FEED_SIM_SEED }
          : m.mark,
  }));
  const base = { natsServers: raw.OMNI_NATS_URL, intervalMs: raw.OMNI_FEED_INTERVAL_MS, markets };
  switch (raw.OMNI_FEED_SOURCE) {
    case 'chainlink':
      return {
        ...base,
        source: {
          kind: 'chainlink',
          rpcUrls: raw.OMNI_FEED_RPC_URLS!,
          assets: raw.OMNI_FEED_AGGREGATORS!.map((a) => aggregated(a.asset, a)),
        },
      };
    case 'simulate':
      return {
        ...base,
        source: {
          kind: 'simulate',
          seed: raw.OMNI_FEED_SIM_SEED,
          ...(raw.OMNI_FEED_SIM_START_TIME === undefined ? {} : { startTime: raw.OMNI_FEED_SIM_START_TIME }),
          stepSec: BigInt(raw.OMNI_FEED_SIM_STEP_SEC ?? Math.max(1, Math.round(raw.OMNI_FEED_INTERVAL_MS / 1000))),
          assets: raw.OMNI_FEED_SIM_ASSETS!,
        },
      };
    case 'replay': {
      const files = raw.OMNI_FEED_REPLAY_FILES!;
      const series = files.map((file) => {
        let text: string;
        try {
          text = readFile(file);
        } catch (cause) {
          throw new ConfigError(
            [{ key: 'OMNI_FEED_REPLAY_FILES', message: `cannot read ${file} (${(cause as Error).message})` }],
            { cause },
          );
        }
        return parseSeries(file, text, raw.OMNI_FEED_ASSET_MAP);
      });
      const rows = mergeSeries(series);
      checkReplayMarkets(markets, rows);
      return {
        ...base,
        source: {
          kind: 'replay',
          files,
          speed: raw.OMNI_FEED_REPLAY_SPEED,
          exitWhenDone: raw.OMNI_FEED_REPLAY_EXIT,
          rows,
        },
      };
    }
  }
}

/**
 * A replayed market must follow an asset of the files, and a `recorded` mark needs the `mark`
 * column on every row of that asset (a mark missing halfway would silently stop its funding).
 * @throws {ConfigError} naming OMNI_FEED_MARKETS[i] (and the first row without a mark).
 */
function checkReplayMarkets(markets: readonly MarketFeed[], rows: readonly RecordedPrice[]): void {
  const issues: { key: string; message: string }[] = [];
  const assets = [...new Set(rows.map((r) => r.asset))];
  markets.forEach((m, i) => {
    const key = `OMNI_FEED_MARKETS[${i}]`;
    if (!assets.includes(m.indexAsset)) {
      issues.push({
        key,
        message: `${m.market}: indexAsset ${m.indexAsset} is not an asset of OMNI_FEED_REPLAY_FILES (${assets.join(', ')})`,
      });
    } else if (m.mark.kind === 'recorded') {
      const missing = rows.find((r) => r.asset === m.indexAsset && r.mark === undefined);
      if (missing) {
        issues.push({
          key,
          message: `${m.market}: mark.kind recorded needs a mark column value on every ${m.indexAsset} row; ${missing.origin} has none`,
        });
      }
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);
}
