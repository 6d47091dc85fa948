import path from 'node:path';
import { z } from 'zod';
import { loadConfig, zPort, zPositiveInt, zBool } from '@omniclear/config';
import { SCENARIOS } from './scenarios.js';

/** The devnet launcher's settings; every one has a default so `pnpm devnet` needs none. */
const schema = z.object({
  OMNI_DEVNET_DIR: z.string().min(1).default('.devnet'),
  OMNI_DEVNET_HUB_PORT: zPort.default(8545),
  OMNI_DEVNET_SPOKE_A_PORT: zPort.default(8546),
  OMNI_DEVNET_SPOKE_B_PORT: zPort.default(8547),
  OMNI_DEVNET_NATS_PORT: zPort.default(4333),
  OMNI_DEVNET_HTTP_PORT: zPort.default(3000),
  /** `walk` (seeded random walk) or `crash` (replay of a recorded crash); see scenarios.ts. */
  OMNI_DEVNET_SCENARIO: z.enum(SCENARIOS).default('walk'),
  OMNI_DEVNET_PRICE_INTERVAL_MS: zPositiveInt.default(2000),
  OMNI_DEVNET_SEED: zPositiveInt.default(7),
  OMNI_DEVNET_ECHO: zBool.default(false),
});

export type DevnetConfig = z.infer<typeof schema>;

export function loadDevnetConfig(env: Record<string, string | undefined>, cwd: string): DevnetConfig {
  const config = loadConfig(schema, env);
  return { ...config, OMNI_DEVNET_DIR: path.resolve(cwd, config.OMNI_DEVNET_DIR) };
}
