import {
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  pad,
  parseEther,
  type Abi,
  type Address,
  type Hex,
} from 'viem';
import { createChainClients, type ChainClients } from './clients.js';
import { deployed, hubConstructorArgs, vaultConstructorArgs } from './contracts.js';
import type { DeployedChain, Deployment } from './deployment.js';
import { DeploymentError } from './errors.js';
import {
  clearingHubAbi,
  collateralVaultAbi,
  demoTokenAbi,
  endpointV2Abi,
  simpleMessageLibAbi,
} from './generated/abis.js';
import {
  clearingHubBytecode,
  collateralVaultBytecode,
  demoTokenBytecode,
  endpointV2Bytecode,
  simpleMessageLibBytecode,
} from './generated/bytecode.js';
import { transactorFor } from './transactor.js';

/** The LayerZero stack deployed on one chain. */
export interface LayerZeroDeployment {
  /** EndpointV2. */
  readonly endpoint: Address;
  /** SimpleMessageLib, registered in the endpoint. */
  readonly messageLib: Address;
}

/** One side of a pathway: a chain's clients and its LayerZero stack. */
export interface PathwayEnd extends LayerZeroDeployment {
  readonly clients: ChainClients;
  readonly eid: number;
  /** Name used in error reports; defaults to the viem chain's name. */
  readonly name?: string;
}

/** A chain to deploy onto. */
export interface ChainTarget {
  readonly name: string;
  readonly chainId: number;
  readonly eid: number;
  readonly rpcUrl: string;
}

/** What {@link deployOmniclear} deploys and how it configures it. */
export interface DeployOmniclearOptions {
  readonly hub: ChainTarget;
  readonly spokes: readonly ChainTarget[];
  /** Deploys, owns and configures everything (and is the LayerZero treasury). */
  readonly deployerKey: Hex;
  /**
   * The hub's clearing signer set: an order is dispatched (by anyone) only with the EIP-712
   * signatures of `threshold` of them.
   */
  readonly signers: readonly Address[];
  /** How many distinct signers must sign an order (1..signers.length). */
  readonly threshold: number;
  /** Demo collateral tokens, deployed on every spoke and allow-listed in its vault. */
  readonly tokens: ReadonlyArray<{ readonly symbol: string; readonly decimals: number }>;
  /**
   * Integrated protocols allow-listed (`setIntegrator`) in every vault: an account that approves one
   * lets it report the account's positions and hear of its liquidations.
   */
  readonly protocols?: readonly Address[];
  /**
   * Each vault's insurance fund (receives the insurance part of liquidations), by spoke name;
   * a spoke not listed gets the deployer's address.
   */
  readonly insuranceFunds?: Readonly<Record<string, Address>>;
  /** Seconds a withdrawal request waits for a decision before its escape hatch opens; the vault's default (3 days) when unset. */
  readonly escapeDelaySeconds?: number;
  /** Native currency sent to each vault's ORDER_ACK reserve, in wei. Defaults to 0.1 ether. */
  readonly ackReserveWei?: bigint;
  /** Progress callback, called once per completed step. */
  readonly onStep?: (event: { chain: string; step: string }) => void;
}

const endpointAbi = endpointV2Abi as Abi;
const libAbi = [...simpleMessageLibAbi, ...endpointV2Abi] as Abi;

/**
 * Deploys LayerZero's real EndpointV2 (`eid`, owned by the clients' account) and a
 * SimpleMessageLib on one chain and registers the library in the endpoint.
 * @example const { endpoint, messageLib } = await deployLayerZero(clients, { eid: 40101 });
 */
export async function deployLayerZero(
  clients: ChainClients,
  opts: { eid: number; treasury?: Address; name?: string },
): Promise<LayerZeroDeployment> {
  const tx = transactorFor(clients, opts.name);
  const owner = clients.account.address;
  const endpoint = await deployed(
    tx.send({
      step: 'deploy EndpointV2',
      contract: 'EndpointV2',
      abi: endpointAbi,
      data: encodeDeployData({ abi: endpointV2Abi, bytecode: endpointV2Bytecode, args: [opts.eid, owner] }),
    }),
    'EndpointV2',
    tx.chainName,
  );
  const messageLib = await deployed(
    tx.send({
      step: 'deploy SimpleMessageLib',
      contract: 'SimpleMessageLib',
      abi: libAbi,
      data: encodeDeployData({
        abi: simpleMessageLibAbi,
        bytecode: simpleMessageLibBytecode,
        args: [endpoint, opts.treasury ?? owner],
      }),
    }),
    'SimpleMessageLib',
    tx.chainName,
  );
  await tx.send({
    step: 'register SimpleMessageLib',
    contract: 'EndpointV2',
    abi: endpointAbi,
    to: endpoint,
    data: encodeFunctionData({ abi: endpointV2Abi, functionName: 'registerLibrary', args: [messageLib] }),
  });
  return { endpoint, messageLib };
}

/**
 * Makes each side's SimpleMessageLib the default send and receive library towards the other
 * side's eid, so messages flow both ways. Idempotent: settings already in place are skipped
 * (the endpoint refuses to set the same value twice).
 */
export async function connectPathway(a: PathwayEnd, b: PathwayEnd): Promise<void> {
  await Promise.all([useLibraryTowards(a, b.eid), useLibraryTowards(b, a.eid)]);
}

async function useLibraryTowards(local: PathwayEnd, remoteEid: number): Promise<void> {
  const tx = transactorFor(local.clients, local.name);
  const pub = local.clients.public;
  const [send, receive] = await tx.read(`read default libraries for eid ${remoteEid}`, 'EndpointV2', endpointAbi, () =>
    Promise.all([
      pub.readContract({
        address: local.endpoint,
        abi: endpointV2Abi,
        functionName: 'defaultSendLibrary',
        args: [remoteEid],
      }),
      pub.readContract({
        address: local.endpoint,
        abi: endpointV2Abi,
        functionName: 'defaultReceiveLibrary',
        args: [remoteEid],
      }),
    ]),
  );
  const steps: Promise<unknown>[] = [];
  if (send.toLowerCase() !== local.messageLib.toLowerCase()) {
    steps.push(
      tx.send({
        step: `set default send library for eid ${remoteEid}`,
        contract: 'EndpointV2',
        abi: endpointAbi,
        to: local.endpoint,
        data: encodeFunctionData({
          abi: endpointV2Abi,
          functionName: 'setDefaultSendLibrary',
          args: [remoteEid, local.messageLib],
        }),
      }),
    );
  }
  if (receive.toLowerCase() !== local.messageLib.toLowerCase()) {
    steps.push(
      tx.send({
        step: `set default receive library for eid ${remoteEid}`,
        contract: 'EndpointV2',
        abi: endpointAbi,
        to: local.endpoint,
        data: encodeFunctionData({
          abi: endpointV2Abi,
          functionName: 'setDefaultReceiveLibrary',
          args: [remoteEid, local.messageLib, 0n],
        }),
      }),
    );
  }
  await Promise.all(steps);
}

/**
 * Deploys Omniclear end to end: the LayerZero stack on every chain, pathways hub ↔ spoke, the
 * ClearingHub on the hub, a CollateralVault and one DemoToken per symbol on each spoke (tokens
 * allow-listed, integrators allowed, insurance fund and escape delay set, the ACK reserve funded),
 * peers set both ways, the clearing signer set and its threshold registered.
 * Chains are deployed concurrently; each chain's transactions go one by one.
 * The deployer stays the plain owner and endpoint delegate of every contract: this is the devnet
 * (local chains, throw-away keys, tests and scenarios that change settings at will), where a
 * timelock's delay would only slow things down. A real network goes through `deployNetwork`, which
 * hands every OApp to an OmniTimelock.
 * @throws {DeploymentError} naming the step, chain and contract of the first failure.
 * @example
 * const deployment = await deployOmniclear({
 *   hub: { name: 'hub', chainId: 31337, eid: 40101, rpcUrl: 'http://127.0.0.1:8545' },
 *   spokes: [{ name: 'spoke-a', chainId: 31338, eid: 40102, rpcUrl: 'http://127.0.0.1:8546' }],
 *   deployerKey, signers: [nodeSigner], threshold: 1, tokens: [{ symbol: 'USDC', decimals: 6 }],
 * });
 * fs.writeFileSync('deployment.json', JSON.stringify(deployment, null, 2));
 */
export async function deployOmniclear(opts: DeployOmniclearOptions): Promise<Deployment> {
  const targets = [opts.hub, ...opts.spokes];
  assertDistinct(targets);
  const onStep = opts.onStep ?? (() => undefined);

  const clientsOf = new Map<ChainTarget, ChainClients>();
  await Promise.all(
    targets.map(async (t) => {
      const clients = createChainClients({
        rpcUrl: t.rpcUrl,
        chainId: t.chainId,
        privateKey: opts.deployerKey,
        name: t.name,
      });
      let actual: number;
      try {
        actual = await clients.public.getChainId();
      } catch (cause) {
        throw new DeploymentError(
          {
            step: 'connect',
            chain: t.name,
            reason: `RPC ${t.rpcUrl} unreachable: ${(cause as Error).message.split('\n')[0]}`,
          },
          cause,
        );
      }
      if (actual !== t.chainId) {
        throw new DeploymentError({
          step: 'connect',
          chain: t.name,
          reason: `RPC reports chain id ${actual}, expected ${t.chainId}`,
        });
      }
      clientsOf.set(t, clients);
      onStep({ chain: t.name, step: 'connect' });
    }),
  );
  const clients = (t: ChainTarget): ChainClients => clientsOf.get(t)!;

  const lz = new Map<ChainTarget, PathwayEnd>();
  await Promise.all(
    targets.map(async (t) => {
      const stack = await deployLayerZero(clients(t), { eid: t.eid, name: t.name });
      lz.set(t, { ...stack, clients: clients(t), eid: t.eid, name: t.name });
      onStep({ chain: t.name, step: 'deploy LayerZero' });
    }),
  );
  const end = (t: ChainTarget): PathwayEnd => lz.get(t)!;

  await Promise.all(opts.spokes.map((s) => connectPathway(end(opts.hub), end(s))));
  targets.forEach((t) => onStep({ chain: t.name, step: 'connect pathways' }));

  const hubTx = transactorFor(clients(opts.hub));
  const owner = clients(opts.hub).account.address;
  const hubPromise = deployed(
    hubTx.send({
      step: 'deploy ClearingHub',
      contract: 'ClearingHub',
      abi: clearingHubAbi as Abi,
      data: encodeDeployData({
        abi: clearingHubAbi,
        bytecode: clearingHubBytecode,
        args: hubConstructorArgs(end(opts.hub).endpoint, owner, opts),
      }),
    }),
    'ClearingHub',
    opts.hub.name,
  );

  const spokePromises = opts.spokes.map(async (s) => {
    const tx = transactorFor(clients(s));
    const insuranceFund = getAddress(opts.insuranceFunds?.[s.name] ?? clients(s).account.address);
    const vault = await deployed(
      tx.send({
        step: 'deploy CollateralVault',
        contract: 'CollateralVault',
        abi: collateralVaultAbi as Abi,
        data: encodeDeployData({
          abi: collateralVaultAbi,
          bytecode: collateralVaultBytecode,
          args: vaultConstructorArgs(end(s).endpoint, clients(s).account.address, opts.hub.eid, { insuranceFund }),
        }),
      }),
      'CollateralVault',
      s.name,
    );
    if (opts.escapeDelaySeconds !== undefined) {
      await tx.send({
        step: 'set escape delay',
        contract: 'CollateralVault',
        abi: collateralVaultAbi as Abi,
        to: vault,
        data: encodeFunctionData({
          abi: collateralVaultAbi,
          functionName: 'setEscapeDelay',
          args: [BigInt(opts.escapeDelaySeconds)],
        }),
      });
    }
    const tokens: DeployedChain['tokens'] = {};
    for (const token of opts.tokens) {
      const address = await deployed(
        tx.send({
          step: `deploy DemoToken ${token.symbol}`,
          contract: 'DemoToken',
          abi: demoTokenAbi as Abi,
          data: encodeDeployData({
            abi: demoTokenAbi,
            bytecode: demoTokenBytecode,
            args: [`Demo ${token.symbol}`, token.symbol, token.decimals],
          }),
        }),
        'DemoToken',
        s.name,
      );
      await tx.send({
        step: `allow ${token.symbol} as collateral`,
        contract: 'CollateralVault',
        abi: collateralVaultAbi as Abi,
        to: vault,
        data: encodeFunctionData({ abi: collateralVaultAbi, functionName: 'setCollateral', args: [address, true] }),
      });
      tokens[token.symbol] = { address, decimals: token.decimals };
    }
    for (const protocol of opts.protocols ?? []) {
      await tx.send({
        step: `allow integrator ${protocol}`,
        contract: 'CollateralVault',
        abi: collateralVaultAbi as Abi,
        to: vault,
        data: encodeFunctionData({ abi: collateralVaultAbi, functionName: 'setIntegrator', args: [protocol, true] }),
      });
    }
    const reserve = opts.ackReserveWei ?? parseEther('0.1');
    if (reserve > 0n) {
      await tx.send({
        step: 'fund ACK reserve',
        contract: 'CollateralVault',
        abi: collateralVaultAbi as Abi,
        to: vault,
        data: '0x',
        value: reserve,
      });
    }
    onStep({ chain: s.name, step: 'deploy CollateralVault' });
    return { target: s, vault, tokens, insuranceFund };
  });

  const [hub, spokes] = await Promise.all([hubPromise, Promise.all(spokePromises)]);
  onStep({ chain: opts.hub.name, step: 'deploy ClearingHub' });

  await Promise.all(
    spokes.flatMap(({ target, vault }) => [
      hubTx.send({
        step: `set peer for eid ${target.eid}`,
        contract: 'ClearingHub',
        abi: clearingHubAbi as Abi,
        to: hub,
        data: encodeFunctionData({
          abi: clearingHubAbi,
          functionName: 'setPeer',
          args: [target.eid, addressToBytes32(vault)],
        }),
      }),
      transactorFor(clients(target)).send({
        step: `set peer for eid ${opts.hub.eid}`,
        contract: 'CollateralVault',
        abi: collateralVaultAbi as Abi,
        to: vault,
        data: encodeFunctionData({
          abi: collateralVaultAbi,
          functionName: 'setPeer',
          args: [opts.hub.eid, addressToBytes32(hub)],
        }),
      }),
    ]),
  );
  targets.forEach((t) => onStep({ chain: t.name, step: 'set peers' }));

  const base = (t: ChainTarget, role: 'hub' | 'spoke'): DeployedChain => ({
    name: t.name,
    role,
    chainId: t.chainId,
    eid: t.eid,
    rpcUrl: t.rpcUrl,
    endpoint: end(t).endpoint,
    messageLib: end(t).messageLib,
    tokens: {},
  });
  return {
    hubEid: opts.hub.eid,
    signers: opts.signers.map((s) => getAddress(s)),
    threshold: opts.threshold,
    chains: [
      { ...base(opts.hub, 'hub'), hub },
      ...spokes.map(({ target, vault, tokens, insuranceFund }) => ({
        ...base(target, 'spoke'),
        vault,
        insuranceFund,
        tokens,
      })),
    ],
  };
}

/**
 * Left-pads an EVM address to the bytes32 form LayerZero uses for peers and packet senders.
 * @example addressToBytes32('0x5FbDB2315678afecb367f032d93F642f64180aa3')
 */
export function addressToBytes32(address: Address): Hex {
  return pad(address, { size: 32 });
}

function assertDistinct(targets: readonly ChainTarget[]): void {
  for (const key of ['name', 'chainId', 'eid'] as const) {
    const seen = new Set(targets.map((t) => t[key]));
    if (seen.size !== targets.length) {
      throw new DeploymentError({ step: 'validate targets', chain: '*', reason: `duplicate ${key} among chains` });
    }
  }
}
