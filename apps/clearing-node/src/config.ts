import {
  ConfigError,
  loadConfig,
  zAddress,
  zBool,
  zJson,
  zNatsUrl,
  zPort,
  zPositiveInt,
  zPrivateKey,
} from '@omniclear/config';
import { wad, type BookConfig } from '@omniclear/margin-engine';
import type { Address, Hex } from 'viem';
import { z } from 'zod';

const zEid = z
  .number()
  .int()
  .min(1)
  .max(2 ** 32 - 1);

/** A non-negative decimal ratio or amount, e.g. "0.85", parsed to 18-decimal fixed point. */
const zRatio = z
  .string()
  .regex(/^(0|[1-9][0-9]*)(\.[0-9]{1,18})?$/, 'expected a non-negative decimal string with at most 18 decimals')
  .transform((d) => wad(d));

const ONE = '1';

/**
 * One collateral asset: its price symbol, decimals, its token on each spoke chain, and its risk
 * parameters (weights default to 1: full value).
 */
const zAsset = z
  .object({
    symbol: z.string().regex(/^[A-Z0-9_]{1,32}$/, 'expected 1-32 of A-Z, 0-9, _ (the price subject token)'),
    decimals: z.number().int().min(0).max(36),
    tokens: z.array(z.object({ eid: zEid, token: zAddress })).min(1),
    initialWeight: zRatio.prefault(ONE),
    maintenanceWeight: zRatio.prefault(ONE),
    /** Largest quantity (whole units) that counts as collateral. */
    cap: zRatio.optional(),
    discountFactor: zRatio.optional(),
    /**
     * Maximum age of the asset's price (seconds): older than that at the stream's time, it holds
     * back the withdrawal approvals and liquidations of the asset's holders. Default
     * OMNI_MAX_PRICE_AGE_SECONDS (none if that is unset).
     */
    maxPriceAgeSeconds: z.number().int().min(1).optional(),
  })
  .refine((a) => a.initialWeight <= a.maintenanceWeight && a.maintenanceWeight <= 10n ** 18n, {
    message: 'expected initialWeight ≤ maintenanceWeight ≤ 1',
  });

/** A perpetual market that integrated protocols report positions in (margin-engine README, "The model"). */
const zMarket = z.object({
  symbol: z.string().regex(/^[A-Z0-9_-]{1,31}$/, 'expected 1-31 of A-Z, 0-9, _, -'),
  /**
   * An oracle asset whose price events also move this market's mark and index (for a deployment
   * without a mark feed, e.g. the devnet: ETH-PERP follows WETH).
   */
  indexAsset: z
    .string()
    .regex(/^[A-Z0-9_]{1,32}$/, 'expected an asset symbol')
    .optional(),
  baseIMR: zRatio,
  baseMMR: zRatio,
  imrFactor: zRatio,
  maxLeverage: zRatio,
  funding: z
    .object({ intervalSeconds: z.number().int().min(1), interestRate: zRatio, clampBand: zRatio, cap: zRatio })
    .optional(),
  volatility: z.object({ lambda: zRatio, refVol: zRatio, maxScale: zRatio }).optional(),
});

/** A spoke vault (CollateralVault): where a seizure must never be sent. */
const zVault = z.object({ eid: zEid, address: zAddress });

/** A chain's staleness rule: its collateral counts at `staleWeight` once its last report is old. */
const zChain = z.object({ eid: zEid, staleAfterSeconds: z.number().int().min(1), staleWeight: zRatio });

/** Every key the clearing node reads, validated at boot. `.env.example` documents each one. */
export const nodeConfigSchema = z.object({
  OMNI_NATS_URL: zNatsUrl,
  OMNI_HTTP_PORT: zPort.default(8080),
  OMNI_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  OMNI_ASSETS: zJson(z.array(zAsset).min(1)),
  OMNI_MARKETS: zJson(z.array(zMarket)).default([]),
  /** Per-chain staleness; chains not listed get OMNI_STALE_AFTER_SECONDS / OMNI_STALE_WEIGHT. */
  OMNI_CHAINS: zJson(z.array(zChain)).default([]),
  OMNI_STALE_AFTER_SECONDS: z.coerce.number().int().min(1).default(86_400),
  OMNI_STALE_WEIGHT: zRatio.prefault('0.5'),
  OMNI_TARGET_HEALTH: zRatio.prefault('1.05'),
  OMNI_LIQUIDATION_PENALTY: zRatio.prefault('0.02'),
  OMNI_LIQUIDATOR_SHARE: zRatio.prefault('0.5'),
  /** Never the zero address or a vault of OMNI_VAULTS (checked at boot). */
  OMNI_LIQUIDATION_RECIPIENT: zAddress,
  /** The spoke vaults, so the liquidation recipient can be checked against them (default none). */
  OMNI_VAULTS: zJson(z.array(zVault)).default([]),
  /** Maximum price age (seconds) of every asset without a `maxPriceAgeSeconds` of its own; unset: none. */
  OMNI_MAX_PRICE_AGE_SECONDS: zPositiveInt.optional(),
  /** Accounts are split by hash into this many shards; this node owns OMNI_SHARDS of them. */
  OMNI_SHARD_COUNT: z.coerce.number().int().min(1).max(1024).default(1),
  /** Comma-separated shard indexes this node owns (default: all). */
  OMNI_SHARDS: z
    .string()
    .regex(/^[0-9]+(,[0-9]+)*$/, 'expected comma-separated shard indexes, e.g. "0,2"')
    .optional(),
  /** Snapshot the book to KV every this many inputs (0: never; a start is then a full replay). */
  OMNI_SNAPSHOT_EVERY: z.coerce.number().int().min(0).default(10_000),
  OMNI_SNAPSHOT_BUCKET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 of A-Z, a-z, 0-9, _, -')
    .default('OMNI_SNAPSHOTS'),
  // A single NATS subject token: it names the connection and the node in logs and health.
  OMNI_NODE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 of A-Z, a-z, 0-9, _, -'),
  OMNI_DOCS_ENABLED: zBool.default(true),
  OMNI_METRICS_PROCESS: zBool.default(true),
  OMNI_SSE_HEARTBEAT_MS: zPositiveInt.default(15_000),
  /** This node's clearing signer key: it signs (EIP-712) every order it publishes. */
  OMNI_SIGNER_KEY: zPrivateKey,
  /** An order expires this long after the time of the input that triggered it. */
  OMNI_ORDER_TTL_SECONDS: zPositiveInt.default(3600),
  /**
   * An order neither dispatched nor acknowledged this long after its expiry (by the stream's time)
   * expires in the book: what it held in flight counts again (a dispatch can reach the stream a
   * little after the expiry it was made before).
   */
  OMNI_ORDER_EXPIRY_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 32)
    .default(600),
  /**
   * A done order (acknowledged by its vault) is forgotten by the book — gone from /orders and from
   * every snapshot — once the stream's time is this long past the moment it became done; OMNI_OUT
   * keeps every order. Pending and expired orders are kept.
   */
  OMNI_ORDER_RETENTION_SECONDS: zPositiveInt.default(604_800),
  /** The hub the orders are signed for (the EIP-712 domain's chainId and verifyingContract). */
  OMNI_HUB_CHAIN_ID: zPositiveInt,
  OMNI_HUB_ADDRESS: zAddress,
});

/**
 * Defaults of the optional settings, for a {@link NodeConfig} built in code (tests, embedders)
 * without them; `readNodeConfig` always sets every key.
 */
export const CONFIG_DEFAULTS = {
  docs: true,
  processMetrics: true,
  sseHeartbeatMs: 15_000,
} as const;

/** The node's validated configuration. */
export interface NodeConfig {
  readonly natsServers: string[];
  readonly httpPort: number;
  readonly httpHost: string;
  readonly assets: ReadonlyArray<{
    symbol: string;
    decimals: number;
    tokens: ReadonlyArray<{ eid: number; token: string }>;
  }>;
  /** The margin engine's configuration (order ids are injected by the ledger). */
  readonly risk: Omit<BookConfig, 'orderId'>;
  /** Sharding: the shard count and the shards this node owns. */
  readonly shards?: { readonly count: number; readonly owned: readonly number[] };
  /** Snapshot cadence (inputs; 0 = off) and KV bucket. */
  readonly snapshotEvery?: number;
  readonly snapshotBucket?: string;
  /** Markets whose mark follows an oracle asset's price: asset → markets. */
  readonly indexAssets: Readonly<Record<string, readonly string[]>>;
  readonly liquidationRecipient: string;
  readonly nodeId: string;
  /** Serve the OpenAPI document (`/docs/json`) and its UI (`/docs`). */
  readonly docs?: boolean;
  /** Export the default Node.js process metrics (CPU, memory, event loop lag, GC) on `/metrics`. */
  readonly processMetrics?: boolean;
  /** Interval of the keep-alive comment on `/events` (proxies close idle streams). */
  readonly sseHeartbeatMs?: number;
  /**
   * How the node signs its orders: its clearing signer key, the hub's EIP-712 domain, and the TTL
   * added to the triggering input's time to make an order's expiry.
   */
  readonly signing: {
    readonly key: Hex;
    readonly hub: { readonly chainId: number; readonly address: Address };
    readonly orderTtlSeconds: bigint;
  };
  /**
   * How long past its expiry an order neither dispatched nor acknowledged stays in flight in the
   * book before it expires there (default {@link DEFAULT_ORDER_EXPIRY_GRACE_SECONDS}).
   */
  readonly orderExpiryGraceSeconds?: bigint;
  /**
   * How long past the moment it became done the book keeps a done order, and past its deadline
   * (expiry + grace) an expired one (default {@link DEFAULT_ORDER_RETENTION_SECONDS}).
   */
  readonly orderRetentionSeconds?: bigint;
}

/** The default of {@link NodeConfig.orderRetentionSeconds}: seven days. */
export const DEFAULT_ORDER_RETENTION_SECONDS = 604_800n;

/** The default of {@link NodeConfig.orderExpiryGraceSeconds}. */
export const DEFAULT_ORDER_EXPIRY_GRACE_SECONDS = 600n;

/** Injection token of {@link NodeConfig}. */
export const NODE_CONFIG = Symbol('NODE_CONFIG');

/**
 * Reads and validates the node's configuration from `env` (the only place that sees it).
 * @throws ConfigError naming each bad key.
 * @example const config = readNodeConfig(process.env);
 */
export function readNodeConfig(env: Record<string, string | undefined>): NodeConfig {
  const c = loadConfig(nodeConfigSchema, env);
  checkRecipient(c.OMNI_LIQUIDATION_RECIPIENT, c.OMNI_VAULTS);
  const eids = new Set(c.OMNI_ASSETS.flatMap((a) => a.tokens.map((t) => t.eid)));
  for (const ch of c.OMNI_CHAINS) eids.add(ch.eid);
  const chains: Record<number, { staleAfter: bigint; staleWeight: bigint }> = {};
  for (const eid of [...eids].sort((a, b) => a - b)) {
    const ch = c.OMNI_CHAINS.find((x) => x.eid === eid);
    chains[eid] = {
      staleAfter: BigInt(ch?.staleAfterSeconds ?? c.OMNI_STALE_AFTER_SECONDS),
      staleWeight: ch?.staleWeight ?? c.OMNI_STALE_WEIGHT,
    };
  }
  const risk: Omit<BookConfig, 'orderId'> = {
    assets: Object.fromEntries(
      c.OMNI_ASSETS.map((a) => [
        a.symbol,
        {
          decimals: a.decimals,
          initialWeight: a.initialWeight,
          maintenanceWeight: a.maintenanceWeight,
          ...(a.cap !== undefined ? { cap: a.cap } : {}),
          ...(a.discountFactor !== undefined ? { discountFactor: a.discountFactor } : {}),
          ...maxPriceAge(a.maxPriceAgeSeconds ?? c.OMNI_MAX_PRICE_AGE_SECONDS),
          tokens: Object.fromEntries(a.tokens.map((t) => [t.eid, t.token.toLowerCase()])),
        },
      ]),
    ),
    markets: Object.fromEntries(
      c.OMNI_MARKETS.map((m) => [
        m.symbol,
        {
          baseIMR: m.baseIMR,
          baseMMR: m.baseMMR,
          imrFactor: m.imrFactor,
          maxLeverage: m.maxLeverage,
          ...(m.funding
            ? {
                funding: {
                  interval: BigInt(m.funding.intervalSeconds),
                  interestRate: m.funding.interestRate,
                  clampBand: m.funding.clampBand,
                  cap: m.funding.cap,
                },
              }
            : {}),
          ...(m.volatility ? { volatility: m.volatility } : {}),
        },
      ]),
    ),
    chains,
    planner: {
      targetHealth: c.OMNI_TARGET_HEALTH,
      penalty: c.OMNI_LIQUIDATION_PENALTY,
      liquidatorShare: c.OMNI_LIQUIDATOR_SHARE,
    },
    liquidator: c.OMNI_LIQUIDATION_RECIPIENT.toLowerCase(),
  };
  return {
    natsServers: c.OMNI_NATS_URL,
    httpPort: c.OMNI_HTTP_PORT,
    httpHost: c.OMNI_HTTP_HOST,
    assets: c.OMNI_ASSETS,
    risk,
    shards: { count: c.OMNI_SHARD_COUNT, owned: ownedShards(c.OMNI_SHARDS, c.OMNI_SHARD_COUNT) },
    snapshotEvery: c.OMNI_SNAPSHOT_EVERY,
    snapshotBucket: c.OMNI_SNAPSHOT_BUCKET,
    indexAssets: c.OMNI_MARKETS.reduce<Record<string, string[]>>((acc, m) => {
      if (m.indexAsset) (acc[m.indexAsset] ??= []).push(m.symbol);
      return acc;
    }, {}),
    liquidationRecipient: c.OMNI_LIQUIDATION_RECIPIENT,
    nodeId: c.OMNI_NODE_ID,
    docs: c.OMNI_DOCS_ENABLED,
    processMetrics: c.OMNI_METRICS_PROCESS,
    sseHeartbeatMs: c.OMNI_SSE_HEARTBEAT_MS,
    signing: {
      key: c.OMNI_SIGNER_KEY,
      hub: { chainId: c.OMNI_HUB_CHAIN_ID, address: c.OMNI_HUB_ADDRESS },
      orderTtlSeconds: BigInt(c.OMNI_ORDER_TTL_SECONDS),
    },
    orderExpiryGraceSeconds: BigInt(c.OMNI_ORDER_EXPIRY_GRACE_SECONDS),
    orderRetentionSeconds: BigInt(c.OMNI_ORDER_RETENTION_SECONDS),
  };
}

function maxPriceAge(seconds: number | undefined): { maxPriceAge?: bigint } {
  return seconds === undefined ? {} : { maxPriceAge: BigInt(seconds) };
}

/**
 * A seizure sent to the zero address or to a vault itself is locked there as a credit nobody can
 * claim (the codec and the hub refuse such orders too): such a recipient is refused at boot.
 */
function checkRecipient(recipient: string, vaults: ReadonlyArray<{ eid: number; address: string }>): void {
  const r = recipient.toLowerCase();
  if (/^0x0{40}$/.test(r))
    throw new ConfigError([
      { key: 'OMNI_LIQUIDATION_RECIPIENT', message: 'the zero address cannot receive seized collateral' },
    ]);
  const vault = vaults.find((v) => v.address.toLowerCase() === r);
  if (vault)
    throw new ConfigError([
      {
        key: 'OMNI_LIQUIDATION_RECIPIENT',
        message: `${recipient} is the vault of eid ${vault.eid} (OMNI_VAULTS): a seizure sent to a vault is locked there`,
      },
    ]);
}

function ownedShards(list: string | undefined, count: number): number[] {
  if (list === undefined) return Array.from({ length: count }, (_, i) => i);
  const owned = [...new Set(list.split(',').map(Number))].sort((a, b) => a - b);
  const bad = owned.filter((i) => i >= count);
  if (bad.length > 0)
    throw new ConfigError([{ key: 'OMNI_SHARDS', message: `shard ${bad.join(', ')} ≥ OMNI_SHARD_COUNT (${count})` }]);
  return owned;
}
