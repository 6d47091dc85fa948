import { loadConfig, zAddress, zBool, zJson, zNatsUrl, zPort, zPositiveInt } from '@omniclear/config';
import { z } from 'zod';

const zEid = z
  .number()
  .int()
  .min(1)
  .max(2 ** 32 - 1);

/** One collateral asset: its price symbol, decimals, and its token on each spoke chain. */
const zAsset = z.object({
  symbol: z.string().regex(/^[A-Z0-9_]{1,32}$/, 'expected 1-32 of A-Z, 0-9, _ (the price subject token)'),
  decimals: z.number().int().min(0).max(36),
  tokens: z.array(z.object({ eid: zEid, token: zAddress })).min(1),
});

/** Every key the clearing node reads, validated at boot. `.env.example` documents each one. */
export const nodeConfigSchema = z.object({
  OMNI_NATS_URL: zNatsUrl,
  OMNI_HTTP_PORT: zPort.default(8080),
  OMNI_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  OMNI_ASSETS: zJson(z.array(zAsset).min(1)),
  OMNI_LIQUIDATION_RECIPIENT: zAddress,
  // A single NATS subject token: it names the connection and the node in logs and health.
  OMNI_NODE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 of A-Z, a-z, 0-9, _, -'),
  OMNI_DOCS_ENABLED: zBool.default(true),
  OMNI_METRICS_PROCESS: zBool.default(true),
  OMNI_SSE_HEARTBEAT_MS: zPositiveInt.default(15_000),
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
  readonly liquidationRecipient: string;
  readonly nodeId: string;
  /** Serve the OpenAPI document (`/docs/json`) and its UI (`/docs`). */
  readonly docs?: boolean;
  /** Export the default Node.js process metrics (CPU, memory, event loop lag, GC) on `/metrics`. */
  readonly processMetrics?: boolean;
  /** Interval of the keep-alive comment on `/events` (proxies close idle streams). */
  readonly sseHeartbeatMs?: number;
}

/** Injection token of {@link NodeConfig}. */
export const NODE_CONFIG = Symbol('NODE_CONFIG');

/**
 * Reads and validates the node's configuration from `env` (the only place that sees it).
 * @throws ConfigError naming each bad key.
 * @example const config = readNodeConfig(process.env);
 */
export function readNodeConfig(env: Record<string, string | undefined>): NodeConfig {
  const c = loadConfig(nodeConfigSchema, env);
  return {
    natsServers: c.OMNI_NATS_URL,
    httpPort: c.OMNI_HTTP_PORT,
    httpHost: c.OMNI_HTTP_HOST,
    assets: c.OMNI_ASSETS,
    liquidationRecipient: c.OMNI_LIQUIDATION_RECIPIENT,
    nodeId: c.OMNI_NODE_ID,
    docs: c.OMNI_DOCS_ENABLED,
    processMetrics: c.OMNI_METRICS_PROCESS,
    sseHeartbeatMs: c.OMNI_SSE_HEARTBEAT_MS,
  };
}
