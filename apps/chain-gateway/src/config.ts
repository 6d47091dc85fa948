import {
  ConfigError,
  loadConfig,
  zAddress,
  zBigintString,
  zHttpUrl,
  zNatsUrl,
  zPort,
  zPositiveInt,
  zPrivateKey,
} from '@omniclear/config';
import type { Address, Hex } from 'viem';
import { z } from 'zod';

/** Injection token of the validated {@link GatewayConfig}. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** A non-negative integer from its decimal string (0 is meaningful for confirmations and depths). */
const zNonNegativeInt = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, { error: 'expected a non-negative integer' })
  .transform(Number)
  .refine(Number.isSafeInteger, { error: 'expected a safe integer' });

/**
 * Every environment key the chain gateway reads. See `.env.example` for what each one means.
 * Confirmations default to 0 because devnet anvil chains never reorg; set it for a real chain.
 */
export const gatewayEnvSchema = z.object({
  OMNI_NATS_URL: zNatsUrl,
  OMNI_HUB_RPC_URL: zHttpUrl,
  OMNI_HUB_CHAIN_ID: zPositiveInt,
  OMNI_HUB_ADDRESS: zAddress,
  /** Pays for and sends the dispatch transactions (any funded account: dispatch is permissionless). */
  OMNI_SUBMITTER_KEY: zPrivateKey.optional(),
  /** The former name of OMNI_SUBMITTER_KEY, still read when that one is unset. */
  OMNI_OPERATOR_KEY: zPrivateKey.optional(),
  /** How often the executor re-reads the hub's signer set and threshold (also re-read on `SignersSet`). */
  OMNI_GATEWAY_SIGNERS_REFRESH_MS: zPositiveInt.default(30_000),
  /**
   * On start, the executor re-reads the signed copies it had already consumed from OMNI_OUT within
   * this many seconds, so signatures collected before a restart still count (≥ the nodes' order TTL).
   */
  OMNI_GATEWAY_RECOLLECT_SECONDS: zPositiveInt.default(3_600),
  OMNI_GATEWAY_CONFIRMATIONS: zNonNegativeInt.default(0),
  OMNI_GATEWAY_POLL_MS: zPositiveInt.default(1_000),
  OMNI_GATEWAY_START_BLOCK: zBigintString.default(0n),
  /**
   * Re-read the hub's logs from this block on start, even if the stream already holds later ones
   * (a checkpoint after a broker lost acknowledged writes). Republished events keep their msg ids;
   * past the stream's dedupe window the clearing node ignores them by their vault sequence numbers.
   */
  OMNI_GATEWAY_REREAD_FROM_BLOCK: zBigintString.optional(),
  OMNI_GATEWAY_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'a JetStream durable name: letters, digits, "_" and "-"')
    .default('chain-gateway-executor'),
  OMNI_GATEWAY_BLOCK_RANGE: zPositiveInt.default(1_000),
  OMNI_GATEWAY_REORG_DEPTH: zNonNegativeInt.default(12),
  OMNI_GATEWAY_MAX_DELIVER: zPositiveInt.default(5),
  OMNI_GATEWAY_RETRY_DELAY_MS: zPositiveInt.default(2_000),
  OMNI_GATEWAY_FEE_MARGIN_BPS: zNonNegativeInt
    .refine((n) => n <= 10_000, { error: 'expected basis points in 0..10000' })
    .default(1_000),
  OMNI_GATEWAY_HEALTH_PORT: zPort.optional(),
});

/** The gateway's validated configuration, with names that say what they are rather than where they came from. */
export interface GatewayConfig {
  readonly natsServers: string[];
  readonly hub: {
    readonly rpcUrl: string;
    readonly chainId: number;
    readonly address: Address;
  };
  /** Key of the account that sends (and pays the fees of) dispatch transactions. */
  readonly submitterKey: Hex;
  readonly follower: {
    /** Blocks below the head a block must be before its logs are published (0 = the head itself). */
    readonly confirmations: number;
    readonly pollMs: number;
    /** First block to read when the stream holds nothing from this hub yet. */
    readonly startBlock: bigint;
    /** Re-read from this block on start even if the stream holds later events (a checkpoint). */
    readonly rereadFromBlock?: bigint;
    /** Largest `eth_getLogs` range, in blocks. */
    readonly blockRange: number;
    /** How far back to re-read when the last processed block's hash changed. */
    readonly reorgDepth: number;
  };
  readonly executor: {
    /** Durable consumer name on `OMNI_OUT`. */
    readonly consumer: string;
    /** Deliveries of one order before it is dead-lettered. */
    readonly maxDeliver: number;
    /** Delay before a failed order is redelivered. */
    readonly retryDelayMs: number;
    /** Extra fee sent over the quote, in basis points (the hub forwards it all; the endpoint refunds the excess). */
    readonly feeMarginBps: number;
    /** Interval of re-reading the hub's signer set and threshold. */
    readonly signersRefreshMs: number;
    /** How far back (seconds) the executor re-reads already consumed copies on start. */
    readonly recollectSeconds: number;
  };
  /** Port of the `/health` HTTP endpoint; none when undefined. */
  readonly healthPort: number | undefined;
}

/**
 * Validates `env` and shapes it into a {@link GatewayConfig}. Throws `ConfigError` naming every bad key.
 * @example const config = loadGatewayConfig(process.env);
 */
export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const e = loadConfig(gatewayEnvSchema, env);
  const submitterKey = e.OMNI_SUBMITTER_KEY ?? e.OMNI_OPERATOR_KEY;
  if (submitterKey === undefined) throw new ConfigError([{ key: 'OMNI_SUBMITTER_KEY', message: 'required' }]);
  return {
    natsServers: e.OMNI_NATS_URL,
    hub: { rpcUrl: e.OMNI_HUB_RPC_URL, chainId: e.OMNI_HUB_CHAIN_ID, address: e.OMNI_HUB_ADDRESS },
    submitterKey,
    follower: {
      confirmations: e.OMNI_GATEWAY_CONFIRMATIONS,
      pollMs: e.OMNI_GATEWAY_POLL_MS,
      startBlock: e.OMNI_GATEWAY_START_BLOCK,
      ...(e.OMNI_GATEWAY_REREAD_FROM_BLOCK !== undefined ? { rereadFromBlock: e.OMNI_GATEWAY_REREAD_FROM_BLOCK } : {}),
      blockRange: e.OMNI_GATEWAY_BLOCK_RANGE,
      reorgDepth: e.OMNI_GATEWAY_REORG_DEPTH,
    },
    executor: {
      consumer: e.OMNI_GATEWAY_CONSUMER,
      maxDeliver: e.OMNI_GATEWAY_MAX_DELIVER,
      retryDelayMs: e.OMNI_GATEWAY_RETRY_DELAY_MS,
      feeMarginBps: e.OMNI_GATEWAY_FEE_MARGIN_BPS,
      signersRefreshMs: e.OMNI_GATEWAY_SIGNERS_REFRESH_MS,
      recollectSeconds: e.OMNI_GATEWAY_RECOLLECT_SECONDS,
    },
    healthPort: e.OMNI_GATEWAY_HEALTH_PORT,
  };
}
