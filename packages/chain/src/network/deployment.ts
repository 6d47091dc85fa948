import { getAddress, isAddress } from 'viem';
import { z } from 'zod';
import { formatPath } from './config.js';
import type { NetworkDeployment } from './deploy.js';
import { NetworkConfigError } from './errors.js';

const zAddress = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), { message: 'not an EVM address' })
  .transform((s) => getAddress(s));

/** Validates a {@link NetworkDeployment} read back from the JSON `deploy:network --out` wrote. */
export const networkDeploymentSchema = z.object({
  hubEid: z.number().int().positive(),
  deployer: zAddress,
  timelock: z.object({
    minDelaySeconds: z.number().int().positive(),
    proposers: z.array(zAddress).min(1),
    executors: z.array(zAddress).min(1),
  }),
  signers: z.array(zAddress),
  threshold: z.number().int().positive(),
  chains: z
    .array(
      z.object({
        name: z.string().min(1),
        role: z.enum(['hub', 'spoke']),
        chainId: z.number().int().positive(),
        eid: z.number().int().positive(),
        endpoint: zAddress,
        sendLib: zAddress,
        receiveLib: zAddress,
        oapp: zAddress,
        timelock: zAddress,
        tokens: z.record(z.string(), z.object({ address: zAddress, decimals: z.number().int().min(0).max(255) })),
      }),
    )
    .min(2),
});

/**
 * Reads a deployment written by `deploy:network --out` (JSON text or a parsed object).
 * @throws {NetworkConfigError} listing every bad field by its path.
 */
export function parseNetworkDeployment(input: unknown, source?: string): NetworkDeployment {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new NetworkConfigError([{ path: '', message: `not JSON: ${(cause as Error).message}` }], { source, cause });
    }
  }
  const parsed = networkDeploymentSchema.safeParse(value);
  if (!parsed.success) {
    throw new NetworkConfigError(
      parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
      { source },
    );
  }
  return parsed.data;
}
