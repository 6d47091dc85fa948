import { getAddress, isAddress, zeroAddress, type Hex } from 'viem';
import { z } from 'zod';
import { NetworkConfigError, type NetworkIssue } from './errors.js';

const zAddress = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), { message: 'not an EVM address (0x + 40 hex digits)' })
  .transform((s) => getAddress(s));

const zContract = zAddress.refine((a) => a !== zeroAddress, { message: 'must not be the zero address' });

const zUint = z
  .union([z.string().regex(/^\d+$/, 'a decimal integer'), z.number().int().nonnegative()])
  .transform((v) => BigInt(v));

const zName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

/** How a chain's RPC URL is given: literally, or by the name of the environment variable that holds it. */
const zRpc = {
  /** The RPC URL itself (fine for public endpoints). */
  rpcUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The name of an environment variable holding the RPC URL (for URLs that embed an API key). */
  rpcUrlEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
    .optional(),
};

const zChain = z.strictObject({
  $comment: z.string().optional(),
  name: zName,
  chainId: z.number().int().positive(),
  ...zRpc,
  /** LayerZero endpoint id of the chain (e.g. 40161 for Sepolia). */
  eid: z.number().int().positive(),
  /** LayerZero's EndpointV2 already deployed on the chain. */
  endpoint: zContract,
  /** LayerZero's SendUln302 on the chain (registered in the endpoint). */
  sendLib: zContract,
  /** LayerZero's ReceiveUln302 on the chain (registered in the endpoint). */
  receiveLib: zContract,
  /** The executor that delivers messages sent from this chain, and the largest payload it is asked to carry. */
  executor: z.strictObject({
    address: zContract,
    maxMessageSize: z.number().int().positive().max(0xffffffff),
  }),
  /** DVNs by a name shared across chains (a DVN has a different address on every chain). */
  dvns: z.record(z.string().min(1), zContract),
});

const zToken = z.strictObject({
  symbol: z.string().min(1),
  address: zContract,
  decimals: z.number().int().min(0).max(255),
  /** `setCaps`: the vault-wide and per-account deposit caps in base units (0 = no cap). */
  depositCap: zUint.optional(),
  accountCap: zUint.optional(),
  /** `setRateLimit`: at most `maxAmount` base units leave the vault per `windowSeconds`. */
  rateLimit: z.strictObject({ windowSeconds: z.number().int().positive(), maxAmount: zUint }).optional(),
});

const zHub = zChain.extend({
  /** The clearing signer set: an order executes with signatures of `threshold` of them. */
  signers: z.array(zContract).min(1).max(32),
  threshold: z.number().int().min(1).max(255),
});

const zSpoke = zChain.extend({
  /** Receives the insurance part of every liquidation on this chain. */
  insuranceFund: zContract,
  tokens: z.array(zToken).min(1),
  /** Integrated protocols allowed to report exposures (`setIntegrator`). */
  integrators: z.array(zContract).default([]),
  /** May pause either direction of the vault (`setGuardian`). */
  guardian: zContract.optional(),
  /** Seconds before a withdrawal request without a decision may escape; the vault's default when unset. */
  escapeDelaySeconds: z.number().int().positive().optional(),
  /** Native currency (wei) sent to the vault to pay for ORDER_ACK and WITHDRAW_DONE replies. */
  ackReserveWei: zUint.default(0n),
});

/**
 * The shortest timelock delay accepted: an owner action (a new signer set, peer or DVN config)
 * must be visible long enough for users to react — the vaults' escape delay is at least a day.
 */
export const MIN_TIMELOCK_DELAY_SECONDS = 86_400;

/** `CollateralVault.DEFAULT_ESCAPE_DELAY`: a vault's escape delay when the config sets none. */
export const DEFAULT_ESCAPE_DELAY_SECONDS = 3 * 86_400;

const zTimelock = z.strictObject({
  $comment: z.string().optional(),
  /** Seconds between scheduling an operation and its earliest execution (`getMinDelay`). */
  minDelaySeconds: z
    .number()
    .int()
    .min(MIN_TIMELOCK_DELAY_SECONDS)
    .max(30 * 86_400),
  /** May schedule (and cancel) operations, e.g. the operators' multisig on each chain. */
  proposers: z.array(zContract).min(1),
  /** May execute ready operations; the zero address opens execution to anyone. */
  executors: z.array(zAddress).min(1),
});

const zUln = z.strictObject({
  /** Block confirmations the DVNs wait for on the source chain before verifying. */
  confirmations: z.number().int().nonnegative(),
  /** DVN names (keys of the chain's `dvns`) that must all verify every packet. */
  requiredDVNs: z.array(z.string()),
  /** DVN names of which `optionalDVNThreshold` must verify, on top of the required ones. */
  optionalDVNs: z.array(z.string()).default([]),
  optionalDVNThreshold: z.number().int().nonnegative().max(255).default(0),
});

const zPathway = z.strictObject({
  $comment: z.string().optional(),
  /** The sending chain's name. */
  from: zName,
  /** The receiving chain's name. */
  to: zName,
  /** ULN config of `from`'s SendUln302 towards `to` (DVN names resolve on `from`). */
  send: zUln,
  /** ULN config of `to`'s ReceiveUln302 from `from` (DVN names resolve on `to`). Must match `send`. */
  receive: zUln,
  /** Executor `lzReceive` gas per message type sent on this pathway, enforced by the sending OApp. */
  enforcedOptions: z.record(z.string(), z.number().int().positive().max(30_000_000)),
});

/** The schema of a network deployment config file (see `infra/deploy/example.testnet.json`). */
export const networkConfigSchema = z
  .strictObject({
    $comment: z.string().optional(),
    /** Environment variable holding the deployer's private key (never the key itself). */
    deployerKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
      .default('OMNI_DEPLOYER_KEY'),
    /**
     * The OmniTimelock (OpenZeppelin TimelockController) deployed on every chain, which ends up owner
     * and endpoint delegate of that chain's hub or vault: every owner action is scheduled by a
     * proposer and executes `minDelaySeconds` later.
     */
    timelock: zTimelock,
    hub: zHub,
    spokes: z.array(zSpoke).min(1),
    pathways: z.array(zPathway),
  })
  .superRefine((c, ctx) => {
    for (const [i, spoke] of [c.hub, ...c.spokes].entries()) {
      const at = i === 0 ? ['hub'] : ['spokes', i - 1];
      if ((spoke.rpcUrl === undefined) === (spoke.rpcUrlEnv === undefined)) {
        ctx.addIssue({ code: 'custom', path: [...at, 'rpcUrl'], message: 'give exactly one of rpcUrl and rpcUrlEnv' });
      }
    }
    c.hub.signers.forEach((s, i) => {
      if (c.hub.signers.indexOf(s) !== i) {
        ctx.addIssue({ code: 'custom', path: ['hub', 'signers', i], message: `signer ${s} is listed twice` });
      }
    });
    // A user who sees a harmful change scheduled must be able to get out before it executes: request a
    // withdrawal and, if no decision comes, escape it — which takes the vault's escape delay.
    c.spokes.forEach((spoke) => {
      const escape = spoke.escapeDelaySeconds ?? DEFAULT_ESCAPE_DELAY_SECONDS;
      if (c.timelock.minDelaySeconds < escape) {
        ctx.addIssue({
          code: 'custom',
          path: ['timelock', 'minDelaySeconds'],
          message: `${c.timelock.minDelaySeconds} s is shorter than ${spoke.name}'s escape delay (${escape} s): users could not escape before a scheduled change executes`,
        });
      }
    });
    for (const key of ['proposers', 'executors'] as const) {
      c.timelock[key].forEach((a, i) => {
        if (c.timelock[key].indexOf(a) !== i) {
          ctx.addIssue({ code: 'custom', path: ['timelock', key, i], message: `${a} is listed twice` });
        }
      });
    }
    if (c.hub.threshold > c.hub.signers.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['hub', 'threshold'],
        message: `threshold ${c.hub.threshold} is above the number of signers (${c.hub.signers.length})`,
      });
    }
  });

/** A network deployment config, validated. */
export type NetworkConfig = z.output<typeof networkConfigSchema>;
export type NetworkChainConfig = z.output<typeof zChain>;
export type HubConfig = z.output<typeof zHub>;
export type SpokeConfig = z.output<typeof zSpoke>;
export type PathwayConfig = z.output<typeof zPathway>;
export type UlnSideConfig = z.output<typeof zUln>;
export type TimelockConfig = z.output<typeof zTimelock>;

/** Formats a zod path as it reads in the file: `spokes[0].tokens[1].address`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/**
 * Validates a network deployment config (a parsed object or JSON text).
 * @throws {NetworkConfigError} listing every bad field by its path, e.g.
 *   `spokes[0].executor.address: not an EVM address (0x + 40 hex digits)`.
 * @example const config = parseNetworkConfig(fs.readFileSync('infra/deploy/example.testnet.json', 'utf8'));
 */
export function parseNetworkConfig(input: unknown, source?: string): NetworkConfig {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new NetworkConfigError([{ path: '', message: `not JSON: ${(cause as Error).message}` }], {
        source,
        cause,
      });
    }
  }
  const parsed = networkConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issues: NetworkIssue[] = parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    throw new NetworkConfigError(issues, { source });
  }
  return parsed.data;
}

/** What the config leaves to the environment, resolved: every chain's RPC URL and the deployer's key. */
export interface NetworkSecrets {
  readonly deployerKey: Hex;
  /** RPC URL by chain name. */
  readonly rpcUrls: Readonly<Record<string, string>>;
}

/**
 * Resolves the values a config names by environment variable (`deployerKeyEnv`, each chain's
 * `rpcUrlEnv`) from `env`, the environment read once by the caller at start-up.
 * @throws {NetworkConfigError} naming the field and the variable that is unset or malformed (never its value).
 */
export function resolveNetworkSecrets(
  config: NetworkConfig,
  env: Readonly<Record<string, string | undefined>>,
): NetworkSecrets {
  const issues: NetworkIssue[] = [];
  const key = env[config.deployerKeyEnv];
  if (!key) {
    issues.push({ path: 'deployerKeyEnv', message: `environment variable ${config.deployerKeyEnv} is not set` });
  } else if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    issues.push({
      path: 'deployerKeyEnv',
      message: `environment variable ${config.deployerKeyEnv} is not a 0x-prefixed 32-byte hex private key`,
    });
  }
  const rpcUrls = rpcUrlsOf(config, env, issues);
  if (issues.length > 0) throw new NetworkConfigError(issues);
  return { deployerKey: key as Hex, rpcUrls };
}

/**
 * Resolves every chain's RPC URL (literal, or from the variable its `rpcUrlEnv` names): all that
 * reading a deployment back needs.
 * @throws {NetworkConfigError} naming each chain whose variable is unset or not a URL.
 */
export function resolveRpcUrls(
  config: NetworkConfig,
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string>> {
  const issues: NetworkIssue[] = [];
  const rpcUrls = rpcUrlsOf(config, env, issues);
  if (issues.length > 0) throw new NetworkConfigError(issues);
  return rpcUrls;
}

function rpcUrlsOf(
  config: NetworkConfig,
  env: Readonly<Record<string, string | undefined>>,
  issues: NetworkIssue[],
): Record<string, string> {
  const rpcUrls: Record<string, string> = {};
  for (const [i, chain] of [config.hub, ...config.spokes].entries()) {
    const at = i === 0 ? 'hub' : `spokes[${i - 1}]`;
    if (chain.rpcUrl !== undefined) {
      rpcUrls[chain.name] = chain.rpcUrl;
      continue;
    }
    const name = chain.rpcUrlEnv!;
    const url = env[name];
    if (!url) {
      issues.push({ path: `${at}.rpcUrlEnv`, message: `environment variable ${name} is not set` });
    } else if (!z.url({ protocol: /^https?$/ }).safeParse(url).success) {
      issues.push({ path: `${at}.rpcUrlEnv`, message: `environment variable ${name} is not an http(s) URL` });
    } else {
      rpcUrls[chain.name] = url;
    }
  }
  return rpcUrls;
}

/** Every chain of a config, the hub first. */
export function networkChains(config: NetworkConfig): ReadonlyArray<HubConfig | SpokeConfig> {
  return [config.hub, ...config.spokes];
}

/** The config's path of a chain by name (`hub`, `spokes[1]`), for error reports. */
export function chainPath(config: NetworkConfig, name: string): string {
  if (config.hub.name === name) return 'hub';
  const i = config.spokes.findIndex((s) => s.name === name);
  return i === -1 ? name : `spokes[${i}]`;
}
