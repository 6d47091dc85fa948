import { getAddress, isAddress, type Address } from 'viem';
import { z } from 'zod';
import { DeploymentError } from './errors.js';

const zAddr = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), { message: 'not an EVM address' })
  .transform((s) => getAddress(s));

const zToken = z.object({ address: zAddr, decimals: z.number().int().min(0).max(255) });

const zChain = z.object({
  name: z.string().min(1),
  role: z.enum(['hub', 'spoke']),
  chainId: z.number().int().positive(),
  eid: z.number().int().positive(),
  rpcUrl: z.string().url(),
  endpoint: zAddr,
  messageLib: zAddr,
  hub: zAddr.optional(),
  vault: zAddr.optional(),
  insuranceFund: zAddr.optional(),
  tokens: z.record(z.string(), zToken),
});

/** Validates a {@link Deployment} read from JSON (addresses are checksummed on the way in). */
export const deploymentSchema = z
  .object({
    hubEid: z.number().int().positive(),
    /** The hub's clearing signer set and how many of them must sign an order. */
    signers: z.array(zAddr).min(1),
    threshold: z.number().int().min(1).max(255),
    chains: z.array(zChain).min(1),
  })
  .superRefine((d, ctx) => {
    const hubs = d.chains.filter((c) => c.role === 'hub');
    if (hubs.length !== 1 || hubs[0]?.eid !== d.hubEid || !hubs[0]?.hub) {
      ctx.addIssue({
        code: 'custom',
        path: ['chains'],
        message: 'exactly one hub chain with a hub address and eid = hubEid',
      });
    }
    d.chains.forEach((c, i) => {
      if (c.role === 'spoke' && !c.vault)
        ctx.addIssue({ code: 'custom', path: ['chains', i, 'vault'], message: 'spoke without vault' });
    });
    if (d.threshold > d.signers.length) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'exceeds the number of signers' });
    }
    if (new Set(d.chains.map((c) => c.eid)).size !== d.chains.length) {
      ctx.addIssue({ code: 'custom', path: ['chains'], message: 'duplicate eid' });
    }
  });

/** One chain of a deployment: its LayerZero stack and the Omniclear contracts on it. */
export interface DeployedChain {
  name: string;
  role: 'hub' | 'spoke';
  chainId: number;
  eid: number;
  rpcUrl: string;
  /** LayerZero EndpointV2. */
  endpoint: Address;
  /** SimpleMessageLib, the default send and receive library towards every connected eid. */
  messageLib: Address;
  /** ClearingHub (hub chain only). */
  hub?: Address;
  /** CollateralVault (spoke chains only). */
  vault?: Address;
  /** The vault's insurance fund (spoke chains only). */
  insuranceFund?: Address;
  /** Demo collateral tokens by symbol (spoke chains only), allow-listed in the vault. */
  tokens: Record<string, { address: Address; decimals: number }>;
}

/** Where everything was deployed; plain JSON (write it with `JSON.stringify`, read it with {@link parseDeployment}). */
export interface Deployment {
  hubEid: number;
  /** The hub's clearing signer set (orders need `threshold` of their EIP-712 signatures). */
  signers: Address[];
  threshold: number;
  chains: DeployedChain[];
}

/**
 * Parses and validates a deployment (a JSON string or an already parsed value); throws a `ZodError` naming the bad path.
 * @example const deployment = parseDeployment(fs.readFileSync('.devnet/deployment.json', 'utf8'));
 */
export function parseDeployment(json: string | unknown): Deployment {
  const value: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  return deploymentSchema.parse(value) as Deployment;
}

/** The hub chain of a deployment. */
export function hubChain(deployment: Deployment): DeployedChain & { hub: Address } {
  const hub = deployment.chains.find((c) => c.role === 'hub');
  if (!hub?.hub) throw new DeploymentError({ step: 'read deployment', chain: 'hub', reason: 'no hub chain' });
  return hub as DeployedChain & { hub: Address };
}
