import {
  createPublicClient,
  encodeDeployData,
  http,
  encodeFunctionData,
  pad,
  zeroAddress,
  zeroHash,
  type Abi,
  type Address,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import { createChainClients, defineLocalChain, type ChainClients } from '../clients.js';
import {
  deployed,
  hubConstructorArgs,
  TIMELOCK_ROLES,
  timelockConstructorArgs,
  vaultConstructorArgs,
} from '../contracts.js';
import { DeploymentError } from '../errors.js';
import { clearingHubAbi, collateralVaultAbi, endpointV2Abi, omniTimelockAbi } from '../generated/abis.js';
import { clearingHubBytecode, collateralVaultBytecode, omniTimelockBytecode } from '../generated/bytecode.js';
import { transactorFor, type Transactor } from '../transactor.js';
import { checkPathways } from './check.js';
import {
  chainPath,
  networkChains,
  type HubConfig,
  type NetworkConfig,
  type NetworkSecrets,
  type SpokeConfig,
  type TimelockConfig,
} from './config.js';
import { NetworkVerificationError, type NetworkIssue } from './errors.js';
import { CONFIG_TYPE_EXECUTOR, CONFIG_TYPE_ULN, encodeExecutorConfig, encodeUlnConfig } from './layerzero.js';
import { planPathways, type PlannedPathway } from './plan.js';
import { pathwayDiffs, readPathwayState, type PathwayEndState } from './state.js';

/** One chain of a {@link NetworkDeployment}. */
export interface NetworkDeployedChain {
  readonly name: string;
  readonly role: 'hub' | 'spoke';
  readonly chainId: number;
  readonly eid: number;
  readonly endpoint: Address;
  readonly sendLib: Address;
  readonly receiveLib: Address;
  /** ClearingHub (hub) or CollateralVault (spoke). */
  readonly oapp: Address;
  /** The OmniTimelock that owns `oapp` and is its endpoint delegate. */
  readonly timelock: Address;
  /** Allow-listed collateral by symbol (spokes). */
  readonly tokens: Readonly<Record<string, { address: Address; decimals: number }>>;
}

/** What {@link deployNetwork} deployed: JSON-serializable (no RPC URLs: they may carry API keys). */
export interface NetworkDeployment {
  readonly hubEid: number;
  /** The account that deployed and configured everything; it keeps no power once the timelocks took over. */
  readonly deployer: Address;
  /** The timelocks' settings (the same on every chain). */
  readonly timelock: TimelockConfig;
  readonly signers: readonly Address[];
  readonly threshold: number;
  readonly chains: readonly NetworkDeployedChain[];
}

/** Options of {@link deployNetwork}. */
export interface DeployNetworkOptions {
  readonly config: NetworkConfig;
  /** The deployer's key and the RPC URLs, resolved from the environment (`resolveNetworkSecrets`). */
  readonly secrets: NetworkSecrets;
  /**
   * Progress callback, called once per completed step; deployments carry the new contract's address,
   * so that a run that fails later still tells what it left on chain.
   */
  readonly onStep?: (event: { chain: string; step: string; address?: Address }) => void;
}

const endpointAbi = endpointV2Abi as Abi;
const messageLibAbi = [
  {
    type: 'function',
    name: 'messageLibType',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint8' }],
  },
  {
    type: 'function',
    name: 'isSupportedEid',
    stateMutability: 'view',
    inputs: [{ name: 'eid', type: 'uint32' }],
    outputs: [{ name: '', type: 'bool' }],
  },
] as const;
/** `MessageLibType` of `IMessageLib.sol`. */
const LIB_SEND = 0;
const LIB_RECEIVE = 1;
const LIB_SEND_AND_RECEIVE = 2;

interface Live {
  readonly name: string;
  readonly role: 'hub' | 'spoke';
  readonly config: HubConfig | SpokeConfig;
  readonly clients: ChainClients;
  readonly tx: Transactor;
  oapp?: Address;
  timelock?: Address;
}

/**
 * Deploys Omniclear onto real networks whose LayerZero stack already exists: the ClearingHub on the
 * hub and a CollateralVault on each spoke against the configured EndpointV2s; vault settings
 * (collateral, caps, rate limits, integrators, guardian, escape delay, ACK reserve); peers both ways;
 * per pathway the send and receive libraries (SendUln302/ReceiveUln302), the ULN config (DVNs,
 * confirmations) on both sides and the executor config on the send side, all through the endpoint;
 * the enforced options of every message type. Then reads every setting back from the endpoints and
 * OApps and compares it with the config, and only then hands the OApps over: on every chain it
 * deploys an OmniTimelock (`config.timelock`), makes it the endpoint delegate and the owner (the
 * two-step accept executed by the timelock itself) and leaves the deployer no role; then checks
 * that governance back. *
 * Nothing is sent unless `checkPathways` accepts the config and a read-only preflight finds each RPC
 * on its chain id, each endpoint with its eid, and each library registered, of the right kind, and
 * supporting the remote eid.
 * @throws {PathwayCheckError} before any I/O; {@link DeploymentError} naming the step, chain and
 *   contract of a failure; {@link NetworkVerificationError} listing what was read back different.
 * @example
 * const config = parseNetworkConfig(fs.readFileSync(file, 'utf8'), file);
 * const deployment = await deployNetwork({ config, secrets: resolveNetworkSecrets(config, process.env) });
 */
export async function deployNetwork(opts: DeployNetworkOptions): Promise<NetworkDeployment> {
  const { config, secrets } = opts;
  checkPathways(config);
  const plan = planPathways(config);
  const onStep = opts.onStep ?? (() => undefined);

  const live = await connect(config, secrets);
  const byName = new Map(live.map((l) => [l.name, l]));
  const at = (name: string): Live => byName.get(name)!;
  await preflight(config, plan, at);
  live.forEach((l) => onStep({ chain: l.name, step: 'preflight' }));

  const deployer = live[0]!.clients.account.address;
  const hub = at(config.hub.name);
  const hubDeploy = deployed(
    hub.tx.send({
      step: 'deploy ClearingHub',
      contract: 'ClearingHub',
      abi: clearingHubAbi as Abi,
      data: encodeDeployData({
        abi: clearingHubAbi,
        bytecode: clearingHubBytecode,
        args: hubConstructorArgs(config.hub.endpoint, deployer, config.hub),
      }),
    }),
    'ClearingHub',
    hub.name,
  ).then((address) => {
    hub.oapp = address;
    onStep({ chain: hub.name, step: 'deploy ClearingHub', address });
  });
  const tokens = new Map<string, NetworkDeployedChain['tokens']>();
  const vaultDeploys = config.spokes.map(async (spoke) => {
    const l = at(spoke.name);
    l.oapp = await deployed(
      l.tx.send({
        step: 'deploy CollateralVault',
        contract: 'CollateralVault',
        abi: collateralVaultAbi as Abi,
        data: encodeDeployData({
          abi: collateralVaultAbi,
          bytecode: collateralVaultBytecode,
          args: vaultConstructorArgs(spoke.endpoint, deployer, config.hub.eid, spoke),
        }),
      }),
      'CollateralVault',
      spoke.name,
    );
    onStep({ chain: spoke.name, step: 'deploy CollateralVault', address: l.oapp });
    tokens.set(spoke.name, await configureVault(l, spoke));
    onStep({ chain: spoke.name, step: 'configure CollateralVault' });
  });
  await settled([hubDeploy, ...vaultDeploys]);

  await applyPathways(plan, at);
  live.forEach((l) => onStep({ chain: l.name, step: 'configure pathways' }));

  const deploymentOf = (): NetworkDeployment => ({
    hubEid: config.hub.eid,
    deployer,
    timelock: config.timelock,
    signers: config.hub.signers,
    threshold: config.hub.threshold,
    chains: live.map((l) => ({
      name: l.name,
      role: l.role,
      chainId: l.config.chainId,
      eid: l.config.eid,
      endpoint: l.config.endpoint,
      sendLib: l.config.sendLib,
      receiveLib: l.config.receiveLib,
      oapp: l.oapp!,
      timelock: l.timelock ?? zeroAddress,
      tokens: tokens.get(l.name) ?? {},
    })),
  });
  // Every pathway setting is read back while the deployer can still correct it without a delay...
  await verifyNetwork(config, deploymentOf(), secrets, { governance: false });
  live.forEach((l) => onStep({ chain: l.name, step: 'verify' }));
  // ...then the timelocks take over (last, so that a run that fails earlier leaves none behind).
  await settled(live.map((l) => handOver(l, config.timelock, deployer, onStep)));
  const deployment = deploymentOf();
  await verifyNetwork(config, deployment, secrets, { pathways: false });
  live.forEach((l) => onStep({ chain: l.name, step: 'verify governance' }));
  return deployment;
}

/**
 * Deploys the chain's OmniTimelock and makes it owner and endpoint delegate of the chain's OApp. The
 * timelock starts with no delay and the deployer as an extra proposer and executor, so that it can
 * accept the ownership (Ownable2Step) at once; in the same executed batch the timelock raises its own
 * delay to `minDelaySeconds` (`updateDelay` may only be called by the timelock itself), and then the
 * deployer renounces the roles the config does not give it. From then on every owner action waits the
 * delay. While the deployment runs the deployer owns the OApps anyway, so the zero delay grants it
 * nothing more.
 */
async function handOver(
  l: Live,
  timelock: TimelockConfig,
  deployer: Address,
  onStep: NonNullable<DeployNetworkOptions['onStep']>,
): Promise<void> {
  l.timelock = await deployed(
    l.tx.send({
      step: 'deploy OmniTimelock',
      contract: 'OmniTimelock',
      abi: omniTimelockAbi as Abi,
      data: encodeDeployData({
        abi: omniTimelockAbi,
        bytecode: omniTimelockBytecode,
        args: timelockConstructorArgs(deployer, timelock),
      }),
    }),
    'OmniTimelock',
    l.name,
  );
  onStep({ chain: l.name, step: 'deploy OmniTimelock', address: l.timelock });
  const tl = l.timelock;
  const accept = encodeFunctionData({ abi: clearingHubAbi, functionName: 'acceptOwnership' });
  const updateDelay = encodeFunctionData({
    abi: omniTimelockAbi,
    functionName: 'updateDelay',
    args: [BigInt(timelock.minDelaySeconds)],
  });
  const batch = [[l.oapp!, tl], [0n, 0n], [accept, updateDelay], zeroHash, zeroHash] as const;
  const steps = [
    oappCall(l, 'make the timelock the endpoint delegate', 'setDelegate', [tl]),
    oappCall(l, 'offer ownership to the timelock', 'transferOwnership', [tl]),
    timelockCall(l, 'schedule acceptOwnership and the delay', 'scheduleBatch', [...batch, 0n]),
    timelockCall(l, 'execute acceptOwnership and the delay', 'executeBatch', batch),
  ];
  for (const role of TIMELOCK_ROLE_NAMES) {
    if (!configuredHolders(timelock, role).includes(deployer)) {
      steps.push(timelockCall(l, `renounce the deployer's ${role}`, 'renounceRole', [TIMELOCK_ROLES[role], deployer]));
    }
  }
  await settled(steps);
  onStep({ chain: l.name, step: 'hand over to OmniTimelock' });
}

const TIMELOCK_ROLE_NAMES = ['PROPOSER_ROLE', 'CANCELLER_ROLE', 'EXECUTOR_ROLE'] as const;

/** Who the config gives a timelock role: proposers also cancel (as OpenZeppelin's constructor grants). */
function configuredHolders(timelock: TimelockConfig, role: (typeof TIMELOCK_ROLE_NAMES)[number]): readonly Address[] {
  return role === 'EXECUTOR_ROLE' ? timelock.executors : timelock.proposers;
}

function timelockCall(
  l: Live,
  step: string,
  functionName: string,
  args: readonly unknown[],
): Promise<TransactionReceipt> {
  return l.tx.send({
    step,
    contract: 'OmniTimelock',
    // The batch's calls revert with the OApp's errors, which the timelock passes on.
    abi: [...(omniTimelockAbi as Abi), ...(clearingHubAbi as Abi), ...(collateralVaultAbi as Abi)],
    to: l.timelock!,
    data: encodeFunctionData({ abi: omniTimelockAbi as Abi, functionName, args }),
  });
}

/**
 * Applies the config's pathway settings to an existing deployment, sending only what differs from
 * what the chains report (a second run sends nothing): peers, send and receive libraries, executor
 * and ULN configs, enforced options. Then reads everything back like {@link verifyNetwork}. Use it
 * to finish a deployment a failure interrupted, or to apply a changed config (more DVNs, other
 * confirmations or gas), signed by the OApps' endpoint delegate (and owner, for peers and enforced
 * options). After `deployNetwork` both are the chain's timelock, which holds no key: schedule through
 * it a `setDelegate` of an operator key for the maintenance (it waits the delay like any owner
 * action), and the pathway settings this sends are then the delegate's. Reads back the pathways
 * only (the governance check of {@link verifyNetwork} would report that delegate). Refuses what
 * `checkPathways` refuses, and a deployment of other chains than the config's, before any I/O.
 * @returns the number of transactions sent.
 * @throws {PathwayCheckError}, {@link DeploymentError}, {@link NetworkVerificationError}.
 */
export async function configureNetwork(
  opts: DeployNetworkOptions & { deployment: NetworkDeployment },
): Promise<number> {
  const { config, secrets, deployment } = opts;
  checkPathways(config);
  assertDeploymentMatches(config, deployment);
  const plan = planPathways(config);
  const live = await connect(config, secrets);
  const byName = new Map(live.map((l) => [l.name, l]));
  const at = (name: string): Live => byName.get(name)!;
  await preflight(config, plan, at);
  for (const l of live) l.oapp = deployment.chains.find((c) => c.name === l.name)!.oapp;
  const sent = await applyPathways(plan, at);
  live.forEach((l) => opts.onStep?.({ chain: l.name, step: 'configure pathways' }));
  await verifyNetwork(config, deployment, secrets, { governance: false });
  live.forEach((l) => opts.onStep?.({ chain: l.name, step: 'verify' }));
  return sent;
}

/**
 * Reads back, from the endpoints and the OApps, every pathway setting of a deployment and compares
 * it with the config: send and receive libraries (set explicitly, not LayerZero's defaults), the
 * effective ULN config on both sides (`getConfig`, type 2: DVNs, optional threshold,
 * confirmations), the executor config (`getConfig`, type 1), every enforced option, the peers; and
 * the governance of every chain: the OApp owned by the chain's timelock (nothing pending), which is
 * its endpoint delegate, with the configured delay and roles and no role left to the deployer.
 * `parts` limits the check to the pathways or to the governance.
 * @throws {NetworkVerificationError} listing every difference (and every setting it could not read).
 */
export async function verifyNetwork(
  config: NetworkConfig,
  deployment: NetworkDeployment,
  secrets: Pick<NetworkSecrets, 'rpcUrls'>,
  parts: { readonly pathways?: boolean; readonly governance?: boolean } = {},
): Promise<void> {
  const { pathways = true, governance = true } = parts;
  assertDeploymentMatches(config, deployment);
  const ends = new Map(
    networkChains(config).map((c) => {
      const rpcUrl = secrets.rpcUrls[c.name]!;
      const chain = defineLocalChain({ chainId: c.chainId, rpcUrl, name: c.name });
      const d = deployment.chains.find((x) => x.name === c.name)!;
      const end: PathwayEndState = {
        name: c.name,
        role: d.role,
        oapp: d.oapp,
        endpoint: d.endpoint,
        pub: createPublicClient({ chain, transport: http(rpcUrl, { retryCount: 0, timeout: 10_000 }) }) as PublicClient,
      };
      return [c.name, end];
    }),
  );
  const mismatches: NetworkIssue[] = [];
  await Promise.all(
    networkChains(config).map(async (c) => {
      if (!governance) return;
      const d = deployment.chains.find((x) => x.name === c.name)!;
      mismatches.push(...(await governanceDiffs(config, deployment, d, ends.get(c.name)!.pub)));
    }),
  );
  await Promise.all(
    (pathways ? planPathways(config) : []).map(async (p) => {
      const state = await readPathwayState(p, ends.get(p.from)!, ends.get(p.to)!);
      mismatches.push(...state.unreadable);
      mismatches.push(...pathwayDiffs(p, state, ends.get(p.to)!.oapp).map(({ path, message }) => ({ path, message })));
    }),
  );
  if (mismatches.length > 0) {
    const order = (path: string) => Number(/^pathways\[(\d+)\]/.exec(path)?.[1] ?? -1);
    throw new NetworkVerificationError(mismatches.sort((a, b) => order(a.path) - order(b.path)));
  }
}

/**
 * What differs from the governance a deployment must have on one chain: the OApp owned by the
 * chain's timelock (no transfer pending) which is also its endpoint delegate; the timelock's delay
 * and roles as configured, and the deployer holding none it was not given.
 */
async function governanceDiffs(
  config: NetworkConfig,
  deployment: NetworkDeployment,
  d: NetworkDeployedChain,
  pub: PublicClient,
): Promise<NetworkIssue[]> {
  const at = chainPath(config, d.name);
  const issues: NetworkIssue[] = [];
  const oappAbi = (d.role === 'hub' ? clearingHubAbi : collateralVaultAbi) as Abi;
  try {
    const read = (address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) =>
      pub.readContract({ address, abi, functionName, args }) as Promise<unknown>;
    const [owner, pending, delegate, delay] = await Promise.all([
      read(d.oapp, oappAbi, 'owner'),
      read(d.oapp, oappAbi, 'pendingOwner'),
      read(d.endpoint, endpointAbi, 'delegates', [d.oapp]),
      read(d.timelock, omniTimelockAbi as Abi, 'getMinDelay'),
    ]);
    const name = d.role === 'hub' ? 'ClearingHub' : 'CollateralVault';
    if (owner !== d.timelock)
      issues.push({
        path: at,
        message: `${d.name}: ${name} is owned by ${String(owner)}, not its timelock ${d.timelock}`,
      });
    if (pending !== zeroAddress)
      issues.push({ path: at, message: `${d.name}: ${name} has an ownership transfer pending to ${String(pending)}` });
    if (delegate !== d.timelock)
      issues.push({
        path: at,
        message: `${d.name}: the endpoint delegate of ${name} is ${String(delegate)}, not its timelock ${d.timelock}`,
      });
    if (delay !== BigInt(config.timelock.minDelaySeconds)) {
      issues.push({
        path: 'timelock.minDelaySeconds',
        message: `${d.name}: the timelock's delay is ${String(delay)} s, configured ${config.timelock.minDelaySeconds}`,
      });
    }
    // Every configured holder must hold its role; the deployer must hold none it was not given.
    const wanted = TIMELOCK_ROLE_NAMES.flatMap((role) => {
      const holders = configuredHolders(config.timelock, role);
      const checks = holders.map((who) => ({ role, who, should: true }));
      return holders.includes(deployment.deployer)
        ? checks
        : [...checks, { role, who: deployment.deployer, should: false }];
    });
    const held = await Promise.all(
      wanted.map(({ role, who }) => read(d.timelock, omniTimelockAbi as Abi, 'hasRole', [TIMELOCK_ROLES[role], who])),
    );
    wanted.forEach(({ role, who, should }, i) => {
      if (held[i] !== should) {
        issues.push({
          path: 'timelock',
          message: `${d.name}: ${who} ${should ? 'lacks' : 'still holds'} the timelock's ${role}`,
        });
      }
    });
  } catch (cause) {
    issues.push({
      path: at,
      message: `${d.name}: could not read the governance: ${(cause as Error).message.split('\n')[0]}`,
    });
  }
  return issues;
}

/** Refuses a deployment whose chains are not the config's (by name, eid, chain id, endpoint and libraries). */
function assertDeploymentMatches(config: NetworkConfig, deployment: NetworkDeployment): void {
  const mismatches: NetworkIssue[] = [];
  for (const c of networkChains(config)) {
    const d = deployment.chains.find((x) => x.name === c.name);
    const at = chainPath(config, c.name);
    if (!d) {
      mismatches.push({ path: at, message: `chain ${c.name} is not in the deployment` });
      continue;
    }
    for (const key of ['eid', 'chainId', 'endpoint', 'sendLib', 'receiveLib'] as const) {
      if (d[key] !== c[key]) {
        mismatches.push({ path: `${at}.${key}`, message: `the deployment has ${d[key]}, the config ${c[key]}` });
      }
    }
  }
  if (mismatches.length > 0) throw new NetworkVerificationError(mismatches);
}

function endOf(l: Live): PathwayEndState {
  return {
    name: l.name,
    role: l.role,
    oapp: l.oapp!,
    endpoint: l.config.endpoint,
    pub: l.clients.public as PublicClient,
  };
}

/**
 * Reads every pathway's settings and sends, per chain in order, only the transactions that put a
 * differing one right. Returns how many it sent.
 */
async function applyPathways(plan: readonly PlannedPathway[], at: (name: string) => Live): Promise<number> {
  const states = await Promise.all(plan.map((p) => readPathwayState(p, endOf(at(p.from)), endOf(at(p.to)))));
  const unreadable = states.flatMap((s) => s.unreadable);
  if (unreadable.length > 0) {
    throw new DeploymentError({
      step: 'read pathway settings',
      chain: [...new Set(unreadable.map((u) => u.message.split(':')[0]))].join(', '),
      reason: unreadable.map((u) => `${u.path}: ${u.message}`).join('; '),
    });
  }
  const sends = plan.flatMap((p, i) => {
    const from = at(p.from);
    const to = at(p.to);
    const diffs = pathwayDiffs(p, states[i]!, to.oapp!);
    const fixes = new Set(diffs.map((d) => d.fix.kind));
    const options = diffs.flatMap((d) => (d.fix.kind === 'option' ? [d.fix.option] : []));
    const txs: Promise<TransactionReceipt>[] = [];
    if (fixes.has('peer')) {
      txs.push(oappCall(from, `set peer for eid ${p.toEid}`, 'setPeer', [p.toEid, pad(to.oapp!, { size: 32 })]));
    }
    if (fixes.has('sendLib')) {
      txs.push(
        endpointCall(from, `set send library for eid ${p.toEid}`, 'setSendLibrary', [from.oapp!, p.toEid, p.sendLib]),
      );
    }
    const sendParams = [
      ...(fixes.has('executor')
        ? [{ eid: p.toEid, configType: CONFIG_TYPE_EXECUTOR, config: encodeExecutorConfig(p.executor) }]
        : []),
      ...(fixes.has('sendUln')
        ? [{ eid: p.toEid, configType: CONFIG_TYPE_ULN, config: encodeUlnConfig(p.sendUln) }]
        : []),
    ];
    if (sendParams.length > 0) {
      txs.push(
        endpointCall(from, `set executor/ULN config for eid ${p.toEid}`, 'setConfig', [
          from.oapp!,
          p.sendLib,
          sendParams,
        ]),
      );
    }
    if (options.length > 0) {
      txs.push(
        oappCall(from, `set enforced options for eid ${p.toEid}`, 'setEnforcedOptions', [
          options.map((o) => ({ eid: p.toEid, msgType: o.msgType, options: o.options })),
        ]),
      );
    }
    if (fixes.has('receiveLib')) {
      txs.push(
        endpointCall(to, `set receive library for eid ${p.fromEid}`, 'setReceiveLibrary', [
          to.oapp!,
          p.fromEid,
          p.receiveLib,
          0n,
        ]),
      );
    }
    if (fixes.has('receiveUln')) {
      txs.push(
        endpointCall(to, `set ULN config for eid ${p.fromEid}`, 'setConfig', [
          to.oapp!,
          p.receiveLib,
          [{ eid: p.fromEid, configType: CONFIG_TYPE_ULN, config: encodeUlnConfig(p.receiveUln) }],
        ]),
      );
    }
    return txs;
  });
  await settled(sends);
  return sends.length;
}

async function connect(config: NetworkConfig, secrets: NetworkSecrets): Promise<Live[]> {
  return settled(
    networkChains(config).map(async (chain, i) => {
      const rpcUrl = secrets.rpcUrls[chain.name]!;
      const clients = createChainClients({
        rpcUrl,
        chainId: chain.chainId,
        privateKey: secrets.deployerKey,
        name: chain.name,
      });
      let actual: number;
      try {
        actual = await clients.public.getChainId();
      } catch (cause) {
        // The URL is not echoed: it may embed an API key.
        throw new DeploymentError(
          { step: 'connect', chain: chain.name, reason: `RPC unreachable: ${(cause as Error).message.split('\n')[0]}` },
          cause,
        );
      }
      if (actual !== chain.chainId) {
        throw new DeploymentError({
          step: 'connect',
          chain: chain.name,
          reason: `RPC reports chain id ${actual}, expected ${chain.chainId}`,
        });
      }
      return {
        name: chain.name,
        role: i === 0 ? 'hub' : 'spoke',
        config: chain,
        clients,
        tx: transactorFor(clients, chain.name),
      } satisfies Live;
    }),
  );
}

/** Read-only checks that the configured LayerZero contracts are what they claim, before any transaction. */
async function preflight(
  config: NetworkConfig,
  plan: readonly PlannedPathway[],
  at: (name: string) => Live,
): Promise<void> {
  const remotes = new Map<string, { send: Set<number>; receive: Set<number> }>();
  for (const p of plan) {
    const get = (n: string) => remotes.get(n) ?? remotes.set(n, { send: new Set(), receive: new Set() }).get(n)!;
    get(p.from).send.add(p.toEid);
    get(p.to).receive.add(p.fromEid);
  }
  const failures = await failuresOf(
    networkChains(config).map(async (chain) => {
      const l = at(chain.name);
      const pub = l.clients.public;
      const problems: string[] = [];
      const step = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
        try {
          return await fn();
        } catch (cause) {
          problems.push(`${what}: ${(cause as Error).message.split('\n')[0]}`);
          return undefined;
        }
      };
      const code = await step('read the endpoint code', () => pub.getCode({ address: chain.endpoint }));
      if (code === undefined || code === '0x') {
        throw new DeploymentError({
          step: 'preflight',
          chain: chain.name,
          contract: 'EndpointV2',
          reason: `no contract at endpoint ${chain.endpoint}`,
        });
      }
      const eid = await step('read the endpoint eid', () =>
        pub.readContract({ address: chain.endpoint, abi: endpointV2Abi, functionName: 'eid' }),
      );
      if (eid !== undefined && eid !== chain.eid)
        problems.push(`endpoint ${chain.endpoint} has eid ${eid}, configured ${chain.eid}`);
      for (const [role, lib, eids] of [
        ['sendLib', chain.sendLib, remotes.get(chain.name)?.send ?? new Set<number>()],
        ['receiveLib', chain.receiveLib, remotes.get(chain.name)?.receive ?? new Set<number>()],
      ] as const) {
        const registered = await step(`ask whether ${role} is registered`, () =>
          pub.readContract({
            address: chain.endpoint,
            abi: endpointV2Abi,
            functionName: 'isRegisteredLibrary',
            args: [lib],
          }),
        );
        if (registered === false) {
          problems.push(`${role} ${lib} is not a library registered in endpoint ${chain.endpoint}`);
          continue;
        }
        const kind = await step(`read the type of ${role}`, () =>
          pub.readContract({ address: lib, abi: messageLibAbi, functionName: 'messageLibType' }),
        );
        const wanted = role === 'sendLib' ? LIB_SEND : LIB_RECEIVE;
        if (kind !== undefined && kind !== wanted && kind !== LIB_SEND_AND_RECEIVE) {
          problems.push(`${role} ${lib} is a ${['send', 'receive', 'send-and-receive'][kind] ?? kind} library`);
        }
        for (const remote of eids) {
          const supported = await step(`ask whether ${role} supports eid ${remote}`, () =>
            pub.readContract({ address: lib, abi: messageLibAbi, functionName: 'isSupportedEid', args: [remote] }),
          );
          if (supported === false)
            problems.push(`${role} ${lib} does not support eid ${remote} (no default ULN config for it)`);
        }
      }
      if (problems.length > 0) {
        throw new DeploymentError({
          step: 'preflight',
          chain: chain.name,
          contract: 'EndpointV2',
          reason: problems.join('; '),
        });
      }
    }),
  );
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const errors = failures.map((f) =>
      f instanceof DeploymentError ? f : new DeploymentError({ step: 'preflight', chain: '?', reason: String(f) }),
    );
    throw new DeploymentError(
      {
        step: 'preflight',
        chain: errors.map((e) => e.chain).join(', '),
        reason: errors.map((e) => `${e.chain}: ${e.details.reason}`).join(' | '),
      },
      failures,
    );
  }
}

async function configureVault(l: Live, spoke: SpokeConfig): Promise<NetworkDeployedChain['tokens']> {
  const vault = l.oapp!;
  const call = (step: string, functionName: string, args: readonly unknown[]) =>
    l.tx.send({
      step,
      contract: 'CollateralVault',
      abi: collateralVaultAbi as Abi,
      to: vault,
      data: encodeFunctionData({ abi: collateralVaultAbi as Abi, functionName, args }),
    });
  const tokens: Record<string, { address: Address; decimals: number }> = {};
  const steps: Promise<TransactionReceipt>[] = [];
  for (const token of spoke.tokens) {
    steps.push(call(`allow ${token.symbol} as collateral`, 'setCollateral', [token.address, true]));
    if (token.depositCap !== undefined || token.accountCap !== undefined) {
      steps.push(
        call(`set ${token.symbol} caps`, 'setCaps', [token.address, token.depositCap ?? 0n, token.accountCap ?? 0n]),
      );
    }
    if (token.rateLimit) {
      steps.push(
        call(`set ${token.symbol} rate limit`, 'setRateLimit', [
          token.address,
          BigInt(token.rateLimit.windowSeconds),
          token.rateLimit.maxAmount,
        ]),
      );
    }
    tokens[token.symbol] = { address: token.address, decimals: token.decimals };
  }
  for (const integrator of spoke.integrators) {
    steps.push(call(`allow integrator ${integrator}`, 'setIntegrator', [integrator, true]));
  }
  if (spoke.guardian) steps.push(call('set guardian', 'setGuardian', [spoke.guardian]));
  if (spoke.escapeDelaySeconds !== undefined) {
    steps.push(call('set escape delay', 'setEscapeDelay', [BigInt(spoke.escapeDelaySeconds)]));
  }
  if (spoke.ackReserveWei > 0n) {
    steps.push(
      l.tx.send({
        step: 'fund ACK reserve',
        contract: 'CollateralVault',
        abi: collateralVaultAbi as Abi,
        to: vault,
        data: '0x',
        value: spoke.ackReserveWei,
      }),
    );
  }
  await settled(steps);
  return tokens;
}

function oappCall(l: Live, step: string, functionName: string, args: readonly unknown[]): Promise<TransactionReceipt> {
  const abi = (l.role === 'hub' ? clearingHubAbi : collateralVaultAbi) as Abi;
  return l.tx.send({
    step,
    contract: l.role === 'hub' ? 'ClearingHub' : 'CollateralVault',
    abi,
    to: l.oapp!,
    data: encodeFunctionData({ abi, functionName, args }),
  });
}

function endpointCall(
  l: Live,
  step: string,
  functionName: string,
  args: readonly unknown[],
): Promise<TransactionReceipt> {
  return l.tx.send({
    step,
    contract: 'EndpointV2',
    // Reverts of the endpoint may come from the library behind it (LZ_ULN_*): decode with both.
    abi: [...endpointAbi, ...ulnErrorsAbi] as Abi,
    to: l.config.endpoint,
    data: encodeFunctionData({ abi: endpointAbi, functionName, args }),
  });
}

/** The ULN302 errors a `setConfig` through the endpoint can revert with (`UlnBase.sol`, `SendUln302.sol`). */
const ulnErrorsAbi: Abi = [
  ...[
    'LZ_ULN_Unsorted',
    'LZ_ULN_InvalidRequiredDVNCount',
    'LZ_ULN_InvalidOptionalDVNCount',
    'LZ_ULN_AtLeastOneDVN',
    'LZ_ULN_InvalidOptionalDVNThreshold',
    'LZ_ULN_InvalidConfirmations',
  ].map((name) => ({ type: 'error' as const, name, inputs: [] })),
  ...['LZ_ULN_InvalidConfigType', 'LZ_ULN_UnsupportedEid'].map((name) => ({
    type: 'error' as const,
    name,
    inputs: [{ name: 'value', type: 'uint32' }],
  })),
];

/** Waits for every step, so that none is left running, then throws the first failure. */
async function settled<T>(steps: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Waits for every check and returns the errors of those that failed. */
async function failuresOf(checks: readonly Promise<unknown>[]): Promise<unknown[]> {
  const results = await Promise.allSettled(checks);
  return results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
}
