import { MessageType, type MessageTypeName } from '@omniclear/protocol';
import { zeroAddress } from 'viem';
import { chainPath, networkChains, type NetworkConfig, type PathwayConfig, type UlnSideConfig } from './config.js';
import { PathwayCheckError, type NetworkIssue } from './errors.js';

/** Message types the hub sends to a vault. */
export const HUB_TO_SPOKE_TYPES = ['LIQUIDATE', 'WITHDRAW_DECISION'] as const satisfies readonly MessageTypeName[];
/** Message types a vault sends to the hub. */
export const SPOKE_TO_HUB_TYPES = [
  'BALANCE',
  'WITHDRAW_REQUEST',
  'EXPOSURE',
  'ORDER_ACK',
  'WITHDRAW_DONE',
] as const satisfies readonly MessageTypeName[];

/** `CollateralVault.MAX_INTEGRATORS`: the most integrators one account may approve. */
export const MAX_INTEGRATORS = 8;

/** `CollateralVault.INTEGRATOR_CALLBACK_GAS`: the stipend each approved integrator's callback gets. */
export const INTEGRATOR_CALLBACK_GAS = 40_000;

/**
 * The LIQUIDATE receive path's worst case, measured (contracts/README.md, `GasTest`): the seizure,
 * the insurance and liquidator transfers, the ORDER_ACK and {@link MAX_INTEGRATORS} callbacks that
 * each burn their whole {@link INTEGRATOR_CALLBACK_GAS} stipend. A vault refuses to start a callback
 * without its stipend left (`InsufficientCallbackGas`, the delivery reverts), so a gas sized for one
 * callback makes every liquidation of an account that approved several integrators fail.
 */
export const LIQUIDATE_WORST_CASE_GAS = 679_000;

/**
 * The least executor `lzReceive` gas an enforced option may give each message type: the gas its
 * receive path was measured to spend in its worst case (contracts/README.md, `GasTest`), rounded up
 * to the next thousand. Below it a delivery can fail for certain; the contracts' defaults (700k
 * LIQUIDATE, 300k WITHDRAW_DECISION, 100k every hub-bound type) leave room for credited transfers
 * and are what the example config uses.
 */
export const EXECUTOR_GAS_FLOOR: Readonly<Record<MessageTypeName, number>> = {
  LIQUIDATE: LIQUIDATE_WORST_CASE_GAS, // MAX_INTEGRATORS callbacks, each burning its stipend
  WITHDRAW_DECISION: 190_000, // 189,771: approved, transfer + WITHDRAW_DONE
  BALANCE: 59_000, // 58,303: a vault's first message (fresh sequence slots)
  WITHDRAW_REQUEST: 59_000, // 58,291
  EXPOSURE: 60_000, // 59,419
  ORDER_ACK: 61_000, // 60,640
  WITHDRAW_DONE: 61_000, // 60,677
};

/** The smallest number of required DVNs a pathway may have: one compromised or halted DVN must not be enough. */
export const MIN_REQUIRED_DVNS = 2;

/**
 * The largest Omniclear payload in bytes: WITHDRAW_DONE, nine ABI words (`OmniCodec.sol`). An
 * executor whose `maxMessageSize` is smaller makes every such send revert.
 */
export const MAX_PAYLOAD_BYTES = 9 * 32;

/** The message types sent from `from` to `to`, by their roles. */
export function typesSent(config: NetworkConfig, from: string, to: string): readonly MessageTypeName[] {
  const spokes = new Set(config.spokes.map((s) => s.name));
  if (from === config.hub.name && spokes.has(to)) return HUB_TO_SPOKE_TYPES;
  if (spokes.has(from) && to === config.hub.name) return SPOKE_TO_HUB_TYPES;
  return [];
}

/**
 * Checks every LayerZero pathway of a deployment config, without any I/O, and refuses an unsafe or
 * incomplete one. Problems (each reported with its path in the file):
 * - a chain name, eid or chain id used twice; an executor whose `maxMessageSize` is below
 *   {@link MAX_PAYLOAD_BYTES}; a pathway between unknown chains, between two spokes, or listed
 *   twice; a spoke without both pathways (hub → spoke and spoke → hub);
 * - a side (send or receive) with fewer than {@link MIN_REQUIRED_DVNS} required DVNs, a DVN name the
 *   chain does not define, a DVN listed twice (also across required and optional, or two names
 *   with one address), an optional threshold of 0 or above the optional set (or set without one),
 *   zero confirmations (an OApp's 0 means "LayerZero's default", not "none");
 * - the receive side disagreeing with the send side (other DVNs, threshold or confirmations), which
 *   would leave every packet unverifiable on the destination;
 * - an enforced option missing for a message type sent on the pathway, one below
 *   {@link EXECUTOR_GAS_FLOOR}, or one for a type never sent that way.
 * @throws {PathwayCheckError} listing every problem.
 * @example checkPathways(parseNetworkConfig(json)); // throws, or returns the checked config
 */
export function checkPathways(config: NetworkConfig): NetworkConfig {
  const problems = pathwayProblems(config);
  if (problems.length > 0) throw new PathwayCheckError(problems);
  return config;
}

/** What {@link checkPathways} would refuse, as a list (empty when the config passes). */
export function pathwayProblems(config: NetworkConfig): NetworkIssue[] {
  const problems: NetworkIssue[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const chains = networkChains(config);
  const byName = new Map(chains.map((c) => [c.name, c]));

  for (const key of ['name', 'eid', 'chainId'] as const) {
    const seen = new Map<string | number, string>();
    for (const chain of chains) {
      const first = seen.get(chain[key]);
      if (first !== undefined) {
        add(`${chainPath(config, chain.name)}.${key}`, `${key} ${chain[key]} is also used by ${first}`);
      } else {
        seen.set(chain[key], chainPath(config, chain.name));
      }
    }
  }

  for (const chain of chains) {
    if (chain.executor.maxMessageSize < MAX_PAYLOAD_BYTES) {
      add(
        `${chainPath(config, chain.name)}.executor.maxMessageSize`,
        `${chain.executor.maxMessageSize} bytes is below the largest payload (${MAX_PAYLOAD_BYTES} bytes)`,
      );
    }
  }

  const listed = new Map<string, number>();
  config.pathways.forEach((p, i) => {
    const at = `pathways[${i}]`;
    const known = [p.from, p.to].every((name) => {
      if (byName.has(name)) return true;
      add(`${at}.${name === p.from ? 'from' : 'to'}`, `no chain named "${name}"`);
      return false;
    });
    if (!known) return;
    const key = `${p.from}→${p.to}`;
    if (listed.has(key)) {
      add(at, `pathway ${p.from} → ${p.to} is also listed at pathways[${listed.get(key)}]`);
      return;
    }
    listed.set(key, i);
    const types = typesSent(config, p.from, p.to);
    if (types.length === 0) {
      add(at, `no message travels ${p.from} → ${p.to}: pathways join the hub and a spoke`);
      return;
    }
    checkSide(config, p, 'send', at, add);
    checkSide(config, p, 'receive', at, add);
    checkSidesAgree(p, at, add);
    checkEnforcedOptions(p, types, at, add);
  });

  for (const spoke of config.spokes) {
    for (const [from, to] of [
      [config.hub.name, spoke.name],
      [spoke.name, config.hub.name],
    ] as const) {
      if (!listed.has(`${from}→${to}`)) add('pathways', `no pathway ${from} → ${to}`);
    }
  }
  return problems;
}

function checkSide(
  config: NetworkConfig,
  p: PathwayConfig,
  side: 'send' | 'receive',
  at: string,
  add: (path: string, message: string) => void,
): void {
  const uln = p[side];
  const chainName = side === 'send' ? p.from : p.to;
  const chain = networkChains(config).find((c) => c.name === chainName)!;
  const base = `${at}.${side}`;

  if (uln.requiredDVNs.length < MIN_REQUIRED_DVNS) {
    add(
      `${base}.requiredDVNs`,
      `${uln.requiredDVNs.length} required DVN(s); at least ${MIN_REQUIRED_DVNS} are needed so that no single DVN can forge or block a message`,
    );
  }
  const seenNames = new Set<string>();
  const seenAddresses = new Map<string, string>();
  for (const list of ['requiredDVNs', 'optionalDVNs'] as const) {
    uln[list].forEach((name, j) => {
      const path = `${base}.${list}[${j}]`;
      if (seenNames.has(name)) {
        add(path, `DVN "${name}" is listed twice (a DVN counts once: list it as required or optional, not both)`);
        return;
      }
      seenNames.add(name);
      const address = chain.dvns[name];
      if (address === undefined) {
        const known = Object.keys(chain.dvns);
        add(
          path,
          `DVN "${name}" is not defined on chain ${chainName} (${chainPath(config, chainName)}.dvns has ${known.length ? known.join(', ') : 'none'})`,
        );
        return;
      }
      if (address === zeroAddress) add(path, `DVN "${name}" has the zero address on chain ${chainName}`);
      const other = seenAddresses.get(address.toLowerCase());
      if (other !== undefined) {
        add(path, `DVN "${name}" has the same address on chain ${chainName} as "${other}" (${address})`);
      } else {
        seenAddresses.set(address.toLowerCase(), name);
      }
    });
  }
  const optional = uln.optionalDVNs.length;
  if (optional === 0 && uln.optionalDVNThreshold !== 0) {
    add(`${base}.optionalDVNThreshold`, `threshold ${uln.optionalDVNThreshold} without optional DVNs; use 0`);
  } else if (optional > 0 && (uln.optionalDVNThreshold < 1 || uln.optionalDVNThreshold > optional)) {
    add(
      `${base}.optionalDVNThreshold`,
      `threshold ${uln.optionalDVNThreshold} must be between 1 and the ${optional} optional DVN(s)`,
    );
  }
  if (uln.confirmations === 0) {
    add(
      `${base}.confirmations`,
      'zero confirmations: LayerZero reads an OApp’s 0 as "use the default", and a reorg can undo a verified message',
    );
  }
}

function describeSide(uln: UlnSideConfig): string {
  const sorted = (names: readonly string[]) => [...names].sort().join(', ');
  return `required [${sorted(uln.requiredDVNs)}], optional [${sorted(uln.optionalDVNs)}] threshold ${uln.optionalDVNThreshold}, ${uln.confirmations} confirmations`;
}

function checkSidesAgree(p: PathwayConfig, at: string, add: (path: string, message: string) => void): void {
  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
  const { send, receive } = p;
  const differs: string[] = [];
  if (!sameSet(send.requiredDVNs, receive.requiredDVNs)) differs.push('requiredDVNs');
  if (!sameSet(send.optionalDVNs, receive.optionalDVNs)) differs.push('optionalDVNs');
  if (send.optionalDVNThreshold !== receive.optionalDVNThreshold) differs.push('optionalDVNThreshold');
  if (send.confirmations !== receive.confirmations) differs.push('confirmations');
  for (const field of differs) {
    add(
      `${at}.receive.${field}`,
      `the receive side on ${p.to} (${describeSide(receive)}) differs from the send side on ${p.from} (${describeSide(send)}): packets would never verify, or verify with fewer DVNs than the sender paid for`,
    );
  }
}

function checkEnforcedOptions(
  p: PathwayConfig,
  types: readonly MessageTypeName[],
  at: string,
  add: (path: string, message: string) => void,
): void {
  for (const type of types) {
    const gas = p.enforcedOptions[type];
    const path = `${at}.enforcedOptions.${type}`;
    if (gas === undefined) {
      add(
        path,
        `missing: ${type} (type ${MessageType[type]}) is sent ${p.from} → ${p.to} and needs an enforced lzReceive gas`,
      );
    } else if (gas < EXECUTOR_GAS_FLOOR[type]) {
      add(
        path,
        `${gas} gas is below the floor of ${EXECUTOR_GAS_FLOOR[type]} for ${type} (its receive path was measured to spend more)`,
      );
    }
  }
  for (const type of Object.keys(p.enforcedOptions)) {
    if (!(types as readonly string[]).includes(type)) {
      add(
        `${at}.enforcedOptions.${type}`,
        `${type} is not a message type sent ${p.from} → ${p.to} (expected ${types.join(', ')})`,
      );
    }
  }
}
