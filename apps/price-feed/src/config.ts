import fs from 'node:fs';

import { ConfigError, loadConfig, zAddress, zBool, zHttpUrl, zJson, zNatsUrl, zPositiveInt } from '@omniclear/config';
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
  const base = { natsServers: raw.OMNI_NATS_URL, intervalMs: raw.OMNI_FEED_INTERVAL_MS };
  switch (raw.OMNI_FEED_SOURCE) {
    case 'chainlink':
      return {
        ...base,
        source: {
          kind: 'chainlink',
          rpcUrls: raw.OMNI_FEED_RPC_URLS!,
          assets: raw.OMNI_FEED_AGGREGATORS!.map((a) => {
            const step = a.maxStepBps ?? raw.OMNI_FEED_MAX_STEP_BPS;
            return {
              asset: a.asset,
              sources: a.sources,
              maxAgeSec: BigInt(a.maxAgeSec ?? raw.OMNI_FEED_MAX_AGE_SEC),
              maxDeviationBps: BigInt(a.maxDeviationBps ?? raw.OMNI_FEED_MAX_DEVIATION_BPS),
              minSources: a.minSources ?? a.sources.length,
              ...(step === undefined ? {} : { maxStepBps: BigInt(step) }),
              ...(a.referencePrice === undefined ? {} : { referencePrice: a.referencePrice }),
            };
          }),
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
      return {
        ...base,
        source: {
          kind: 'replay',
          files,
          speed: raw.OMNI_FEED_REPLAY_SPEED,
          exitWhenDone: raw.OMNI_FEED_REPLAY_EXIT,
          rows: mergeSeries(series),
        },
      };
    }
  }
}
