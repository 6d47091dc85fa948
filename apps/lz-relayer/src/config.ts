import fs from 'node:fs';
import { parseDeployment } from '@omniclear/chain';
import {
  ConfigError,
  loadConfig,
  zAddress,
  zBigintString,
  zHttpUrl,
  zJson,
  zPositiveInt,
  zPrivateKey,
} from '@omniclear/config';
import type { Hex } from 'viem';
import { z } from 'zod';
import { relayerChainsFromDeployment, type RelayerChain } from './relayer.js';

const chainSchema = z.object({
  name: z.string().min(1).optional(),
  chainId: z.number().int().positive(),
  eid: z.number().int().positive(),
  rpcUrl: zHttpUrl,
  endpoint: zAddress,
  messageLib: zAddress,
});

/**
 * The relayer's environment. The chains come from exactly one of two sources:
 * `OMNI_DEPLOYMENT_FILE` (the Deployment JSON `@omniclear/chain` writes — what the devnet uses) or
 * `OMNI_RELAYER_CHAINS` (an inline JSON array, for chains deployed some other way).
 */
export const relayerEnvSchema = z
  .object({
    OMNI_RELAYER_KEY: zPrivateKey,
    OMNI_DEPLOYMENT_FILE: z.string().min(1).optional(),
    OMNI_RELAYER_CHAINS: zJson(z.array(chainSchema).min(2)).optional(),
    OMNI_RELAYER_POLL_MS: zPositiveInt.default(500),
    OMNI_RELAYER_DEFAULT_GAS: zPositiveInt.default(200_000),
    OMNI_RELAYER_START_BLOCK: zBigintString.default(0n),
    OMNI_RELAYER_MAX_ATTEMPTS: zPositiveInt.default(6),
  })
  .superRefine((env, ctx) => {
    const given = [env.OMNI_DEPLOYMENT_FILE, env.OMNI_RELAYER_CHAINS].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['OMNI_DEPLOYMENT_FILE'],
        message: `set exactly one of OMNI_DEPLOYMENT_FILE and OMNI_RELAYER_CHAINS (${given} given)`,
      });
    }
  });

/** The relayer's validated configuration. */
export interface RelayerConfig {
  readonly chains: RelayerChain[];
  readonly privateKey: Hex;
  readonly pollMs: number;
  readonly defaultGas: bigint;
  readonly startBlock: bigint;
  readonly maxAttempts: number;
}

/**
 * Reads and validates the relayer's configuration once, at boot (the deployment file included).
 * @throws {ConfigError} naming every bad key.
 * @example const config = loadRelayerConfig(process.env);
 */
export function loadRelayerConfig(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (p) => fs.readFileSync(p, 'utf8'),
): RelayerConfig {
  const raw = loadConfig(relayerEnvSchema, env);
  let chains: RelayerChain[];
  if (raw.OMNI_DEPLOYMENT_FILE !== undefined) {
    try {
      chains = relayerChainsFromDeployment(parseDeployment(readFile(raw.OMNI_DEPLOYMENT_FILE)));
    } catch (cause) {
      const why =
        cause instanceof z.ZodError
          ? cause.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join(', ')
          : (cause as Error).message;
      throw new ConfigError([{ key: 'OMNI_DEPLOYMENT_FILE', message: `unusable deployment file (${why})` }], { cause });
    }
  } else {
    chains = raw.OMNI_RELAYER_CHAINS!;
  }
  return {
    chains,
    privateKey: raw.OMNI_RELAYER_KEY,
    pollMs: raw.OMNI_RELAYER_POLL_MS,
    defaultGas: BigInt(raw.OMNI_RELAYER_DEFAULT_GAS),
    startBlock: raw.OMNI_RELAYER_START_BLOCK,
    maxAttempts: raw.OMNI_RELAYER_MAX_ATTEMPTS,
  };
}
