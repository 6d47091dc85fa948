import {
  createPublicClient,
  encodeDeployData,
  http,
  encodeFunctionData,
  getAddress,
  pad,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { createChainClients, defineLocalChain, type ChainClients } from '../clients.js';
import { DeploymentError } from '../errors.js';
import { clearingHubAbi, collateralVaultAbi, endpointV2Abi } from '../generated/abis.js';
import { clearingHubBytecode, collateralVaultBytecode } from '../generated/bytecode.js';
import { transactorFor, type Transactor } from '../transactor.js';
import { checkPathways } from './check.js';
import {
  chainPath,
  networkChains,
  type HubConfig,
  type NetworkConfig,
  type NetworkSecrets,
  type SpokeConfig,
} from './config.js';
import { NetworkVerificationError, type NetworkIssue } from './errors.js';
import {
  CONFIG_TYPE_EXECUTOR,
  CONFIG_TYPE_ULN,
  decodeExecutorConfig,
  decodeUlnConfig,
  encodeExecutorConfig,
  encodeUlnConfig,
  type UlnConfig,
} from './layerzero.js';
import { planPathways, type PlannedPathway } from './plan.js';

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
  /** Allow-listed collateral by symbol (spokes). */
  readonly tokens: Readonly<Record<string, { address: Address; decimals: number }>>;
}

/** What {@link deployNetwork} deployed: JSON-serializable (no RPC URLs: they may carry API keys). */
export interface NetworkDeployment {
  readonly hubEid: number;
  /** The OApps' owner and endpoint delegate once `acceptOwnership` is called (pending until then). */
  readonly owner: Address;
  /** True when ownership was offered to `owner` and awaits its `acceptOwnership` on every OApp. */
  readonly ownershipPending: boolean;
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

/**
 * The ClearingHub's constructor arguments: `(endpoint, owner, signers, threshold)`. The one place
 * that knows the constructor, so a change of it is a change here.
 */
export function hubConstructorArgs(
  endpoint: Address,
  owner: Address,
  hub: Pick<HubConfig, 'signers' | 'threshold'>,
): readonly [Address, Address, readonly Address[], number] {
  return [endpoint, owner, hub.signers, hub.threshold];
}

/** The CollateralVault's constructor arguments: `(endpoint, owner, hubEid, insuranceFund)`. */
export function vaultConstructorArgs(
  endpoint: Address,
  owner: Address,
  hubEid: number,
  spoke: Pick<SpokeConfig, 'insuranceFund'>,
): readonly [Address, Address, number, Address] {
  return [endpoint, owner, hubEid, spoke.insuranceFund];
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
}

/**
 * Deploys Omniclear onto real networks whose LayerZero stack already exists: the ClearingHub on the
 * hub and a CollateralVault on each spoke against the configured EndpointV2s; vault settings
 * (collateral, caps, rate limits, integrators, guardian, escape delay, ACK reserve); peers both ways;
 * per pathway the send and receive libraries (SendUln302/ReceiveUln302), the ULN config (DVNs,
 * confirmations) on both sides and the executor config on the send side, all through the endpoint;
 * the enforced options of every message type. Then reads every setting back from the endpoints and
 * OApps and compares it with the config, and only then offers ownership and the endpoint delegate to
 * `owner`.
 *
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

  await settled(
    plan.flatMap((p) => {
      const from = at(p.from);
      const to = at(p.to);
      return [
        oappCall(from, `set peer for eid ${p.toEid}`, 'setPeer', [p.toEid, pad(to.oapp!, { size: 32 })]),
        endpointCall(from, `set send library for eid ${p.toEid}`, 'setSendLibrary', [from.oapp!, p.toEid, p.sendLib]),
        endpointCall(from, `set executor and ULN config for eid ${p.toEid}`, 'setConfig', [
          from.oapp!,
          p.sendLib,
          [
            { eid: p.toEid, configType: CONFIG_TYPE_EXECUTOR, config: encodeExecutorConfig(p.executor) },
            { eid: p.toEid, configType: CONFIG_TYPE_ULN, config: encodeUlnConfig(p.sendUln) },
          ],
        ]),
        oappCall(from, `set enforced options for eid ${p.toEid}`, 'setEnforcedOptions', [
          p.options.map((o) => ({ eid: p.toEid, msgType: o.msgType, options: o.options })),
        ]),
        endpointCall(to, `set receive library for eid ${p.fromEid}`, 'setReceiveLibrary', [
          to.oapp!,
          p.fromEid,
          p.receiveLib,
          0n,
        ]),
        endpointCall(to, `set ULN config for eid ${p.fromEid}`, 'setConfig', [
          to.oapp!,
          p.receiveLib,
          [{ eid: p.fromEid, configType: CONFIG_TYPE_ULN, config: encodeUlnConfig(p.receiveUln) }],
        ]),
      ];
    }),
  );
  live.forEach((l) => onStep({ chain: l.name, step: 'configure pathways' }));

  const deployment: NetworkDeployment = {
    hubEid: config.hub.eid,
    owner: config.owner ?? deployer,
    ownershipPending: config.owner !== undefined && config.owner !== deployer,
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
      tokens: tokens.get(l.name) ?? {},
    })),
  };
  await verifyNetwork(config, deployment, secrets);
  live.forEach((l) => onStep({ chain: l.name, step: 'verify' }));

  if (deployment.ownershipPending) {
    await settled(
      live.flatMap((l) => [
        oappCall(l, `make ${deployment.owner} the endpoint delegate`, 'setDelegate', [deployment.owner]),
        oappCall(l, `offer ownership to ${deployment.owner}`, 'transferOwnership', [deployment.owner]),
      ]),
    );
    live.forEach((l) => onStep({ chain: l.name, step: 'offer ownership' }));
  }
  return deployment;
}

/**
 * Reads back, from the endpoints and the OApps, every pathway setting of a deployment and compares
 * it with the config: send and receive libraries (set explicitly, not LayerZero's defaults), the
 * effective ULN config on both sides (`getConfig`, type 2: DVNs, optional threshold,
 * confirmations), the executor config (`getConfig`, type 1), every enforced option, the peers.
 * @throws {NetworkVerificationError} listing every difference.
 */
export async function verifyNetwork(
  config: NetworkConfig,
  deployment: NetworkDeployment,
  secrets: Pick<NetworkSecrets, 'rpcUrls'>,
): Promise<void> {
  const mismatches: NetworkIssue[] = [];
  const chainOf = (name: string) => deployment.chains.find((c) => c.name === name)!;
  for (const c of networkChains(config)) {
    const d = deployment.chains.find((x) => x.name === c.name);
    const at = chainPath(config, c.name);
    if (!d) {
      mismatches.push({ path: at, message: `chain ${c.name} is not in the deployment` });
      continue;
    }
    for (const key of ['eid', 'chainId', 'endpoint', 'sendLib', 'receiveLib'] as const) {
      if (d[key] !== c[key])
        mismatches.push({ path: `${at}.${key}`, message: `the deployment has ${d[key]}, the config ${c[key]}` });
    }
  }
  if (mismatches.length > 0) throw new NetworkVerificationError(mismatches);
  const pubOf = new Map(
    networkChains(config).map((c) => {
      const rpcUrl = secrets.rpcUrls[c.name]!;
      const chain = defineLocalChain({ chainId: c.chainId, rpcUrl, name: c.name });
      return [c.name, createPublicClient({ chain, transport: http(rpcUrl, { retryCount: 0, timeout: 10_000 }) })];
    }),
  );
  const oappAbi = (name: string) => (chainOf(name).role === 'hub' ? clearingHubAbi : collateralVaultAbi) as Abi;
  const read = async <T>(chain: string, what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (cause) {
      mismatches.push({ path: chain, message: `cannot read ${what}: ${(cause as Error).message.split('\n')[0]}` });
      return undefined;
    }
  };

  await Promise.all(
    planPathways(config).map(async (p) => {
      const from = chainOf(p.from);
      const to = chainOf(p.to);
      const fromPub = pubOf.get(p.from)!;
      const toPub = pubOf.get(p.to)!;
      const mismatch = (path: string, message: string) =>
        mismatches.push({ path: path ? `${p.path}.${path}` : p.path, message });
      const endpointRead = (pub: typeof fromPub, endpoint: Address, functionName: string, args: readonly unknown[]) =>
        pub.readContract({ address: endpoint, abi: endpointAbi, functionName, args }) as Promise<unknown>;

      const [sendLib, sendIsDefault, execRaw, sendUlnRaw, receiveLibRaw, receiveUlnRaw, peer] = await Promise.all([
        read(p.from, 'the send library', () =>
          endpointRead(fromPub, from.endpoint, 'getSendLibrary', [from.oapp, p.toEid]),
        ),
        read(p.from, 'isDefaultSendLibrary', () =>
          endpointRead(fromPub, from.endpoint, 'isDefaultSendLibrary', [from.oapp, p.toEid]),
        ),
        read(p.from, 'the executor config', () =>
          endpointRead(fromPub, from.endpoint, 'getConfig', [from.oapp, p.sendLib, p.toEid, CONFIG_TYPE_EXECUTOR]),
        ),
        read(p.from, 'the send ULN config', () =>
          endpointRead(fromPub, from.endpoint, 'getConfig', [from.oapp, p.sendLib, p.toEid, CONFIG_TYPE_ULN]),
        ),
        read(p.to, 'the receive library', () =>
          endpointRead(toPub, to.endpoint, 'getReceiveLibrary', [to.oapp, p.fromEid]),
        ),
        read(p.to, 'the receive ULN config', () =>
          endpointRead(toPub, to.endpoint, 'getConfig', [to.oapp, p.receiveLib, p.fromEid, CONFIG_TYPE_ULN]),
        ),
        read(p.from, 'the peer', () =>
          fromPub.readContract({ address: from.oapp, abi: oappAbi(p.from), functionName: 'peers', args: [p.toEid] }),
        ),
      ]);

      if (sendLib !== undefined && (getAddress(sendLib as Address) !== p.sendLib || sendIsDefault !== false)) {
        mismatch(
          'send',
          `${p.from}: send library for eid ${p.toEid} is ${sendLib}${sendIsDefault ? ' (the default)' : ''}, configured ${p.sendLib}`,
        );
      }
      if (receiveLibRaw !== undefined) {
        const [lib, isDefault] = receiveLibRaw as readonly [Address, boolean];
        if (getAddress(lib) !== p.receiveLib || isDefault) {
          mismatch(
            'receive',
            `${p.to}: receive library for eid ${p.fromEid} is ${lib}${isDefault ? ' (the default)' : ''}, configured ${p.receiveLib}`,
          );
        }
      }
      if (execRaw !== undefined) {
        const exec = decodeExecutorConfig(execRaw as Hex);
        if (exec.executor !== p.executor.executor || exec.maxMessageSize !== p.executor.maxMessageSize) {
          mismatch(
            'send',
            `${p.from}: executor config for eid ${p.toEid} is ${exec.executor} / ${exec.maxMessageSize} bytes, configured ${p.executor.executor} / ${p.executor.maxMessageSize} bytes`,
          );
        }
      }
      if (sendUlnRaw !== undefined)
        compareUln(decodeUlnConfig(sendUlnRaw as Hex), p.sendUln, `${p.from} send ULN config for eid ${p.toEid}`, (m) =>
          mismatch('send', m),
        );
      if (receiveUlnRaw !== undefined)
        compareUln(
          decodeUlnConfig(receiveUlnRaw as Hex),
          p.receiveUln,
          `${p.to} receive ULN config for eid ${p.fromEid}`,
          (m) => mismatch('receive', m),
        );
      if (peer !== undefined && (peer as Hex).toLowerCase() !== pad(to.oapp, { size: 32 }).toLowerCase()) {
        mismatch('', `${p.from}: peer for eid ${p.toEid} is ${peer}, expected ${to.oapp}`);
      }
      await Promise.all(
        p.options.map(async (o) => {
          const actual = await read(p.from, `the enforced option of ${o.type}`, () =>
            fromPub.readContract({
              address: from.oapp,
              abi: oappAbi(p.from),
              functionName: 'enforcedOptions',
              args: [p.toEid, o.msgType],
            }),
          );
          if (actual !== undefined && (actual as Hex).toLowerCase() !== o.options.toLowerCase()) {
            mismatch(
              `enforcedOptions.${o.type}`,
              `${p.from}: enforced options for eid ${p.toEid} are ${actual}, configured ${o.options} (${o.gas} gas)`,
            );
          }
        }),
      );
    }),
  );
  if (mismatches.length > 0) throw new NetworkVerificationError(mismatches);
}

/**
 * Compares an effective ULN config read back with the one set. An empty optional set is written
 * with the NIL count and reads back as count 0; everything else must be equal.
 */
function compareUln(actual: UlnConfig, expected: UlnConfig, what: string, report: (message: string) => void): void {
  const norm = (c: UlnConfig) => ({
    confirmations: c.confirmations,
    required: c.requiredDVNs.map((a) => a.toLowerCase()).join(','),
    optional: c.optionalDVNs.map((a) => a.toLowerCase()).join(','),
    threshold: c.optionalDVNs.length === 0 ? 0 : c.optionalDVNThreshold,
  });
  const a = norm(actual);
  const e = norm(expected);
  const describe = (c: UlnConfig) =>
    `required [${c.requiredDVNs.join(', ')}], optional [${c.optionalDVNs.join(', ')}] threshold ${c.optionalDVNThreshold}, ${c.confirmations} confirmations`;
  if (
    a.confirmations !== e.confirmations ||
    a.required !== e.required ||
    a.optional !== e.optional ||
    a.threshold !== e.threshold
  ) {
    report(`${what} is ${describe(actual)}, configured ${describe(expected)}`);
  }
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

async function deployed(receipt: Promise<TransactionReceipt>, contract: string, chain: string): Promise<Address> {
  const { contractAddress } = await receipt;
  if (!contractAddress || contractAddress === zeroAddress) {
    throw new DeploymentError({
      step: `deploy ${contract}`,
      chain,
      contract,
      reason: 'receipt has no contract address',
    });
  }
  return getAddress(contractAddress);
}
