import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { encodeDeployData, encodeFunctionData, getAddress, type Abi, type Address, type Hex } from 'viem';
import { createChainClients, endpointV2Abi, endpointV2Bytecode, type ChainClients } from '../../src/index.js';

/**
 * LayerZero's own ULN302 artifacts (SendUln302, ReceiveUln302) as shipped in
 * `@layerzerolabs/lz-evm-messagelib-v2`: the audited bytecode real networks run, not recompiled.
 * Resolved through the contracts package, which depends on LayerZero.
 */
function artifact(name: 'SendUln302' | 'ReceiveUln302'): { abi: Abi; bytecode: Hex } {
  const requireFromChain = createRequire(import.meta.url);
  const contractsDir = path.dirname(requireFromChain.resolve('@omniclear/contracts/package.json'));
  const requireFromContracts = createRequire(path.join(contractsDir, 'package.json'));
  const messagelib = path.dirname(requireFromContracts.resolve('@layerzerolabs/lz-evm-messagelib-v2/package.json'));
  const file = path.join(messagelib, `artifacts/contracts/uln/uln302/${name}.sol/${name}.json`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { abi: Abi; bytecode: Hex };
  return { abi: json.abi, bytecode: json.bytecode };
}

export const sendUln302 = artifact('SendUln302');
export const receiveUln302 = artifact('ReceiveUln302');

/** The LayerZero stack of one chain as LayerZero runs it on a real network. */
export interface Uln302Stack {
  readonly endpoint: Address;
  readonly sendLib: Address;
  readonly receiveLib: Address;
}

async function send(clients: ChainClients, tx: { to?: Address; data: Hex }): Promise<Address | undefined> {
  const hash = await clients.wallet.sendTransaction({ to: tx.to ?? null, data: tx.data });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  return receipt.contractAddress ? getAddress(receipt.contractAddress) : undefined;
}

/**
 * Plays LayerZero on a local chain: deploys the real EndpointV2, SendUln302 and ReceiveUln302,
 * registers both libraries, makes them the endpoint's defaults towards every remote eid, and gives
 * them default ULN and executor configs (so they support those eids, as on a live network).
 * The defaults use `defaultDvn`, one confirmation and `defaultExecutor`: an OApp that configured
 * nothing would get these, so reading back anything else proves the OApp's own config took.
 */
export async function deployUln302Stack(opts: {
  rpcUrl: string;
  chainId: number;
  key: Hex;
  eid: number;
  remoteEids: readonly number[];
  defaultDvn: Address;
  defaultExecutor: Address;
}): Promise<Uln302Stack> {
  const clients = createChainClients({ rpcUrl: opts.rpcUrl, chainId: opts.chainId, privateKey: opts.key });
  const endpoint = (await send(clients, {
    data: encodeDeployData({
      abi: endpointV2Abi,
      bytecode: endpointV2Bytecode,
      args: [opts.eid, clients.account.address],
    }),
  }))!;
  const sendLib = (await send(clients, {
    data: encodeDeployData({ abi: sendUln302.abi, bytecode: sendUln302.bytecode, args: [endpoint, 100_000n, 0n] }),
  }))!;
  const receiveLib = (await send(clients, {
    data: encodeDeployData({ abi: receiveUln302.abi, bytecode: receiveUln302.bytecode, args: [endpoint] }),
  }))!;
  const defaults = opts.remoteEids.map((eid) => ({
    eid,
    config: {
      confirmations: 1n,
      requiredDVNCount: 1,
      optionalDVNCount: 0,
      optionalDVNThreshold: 0,
      requiredDVNs: [opts.defaultDvn],
      optionalDVNs: [],
    },
  }));
  for (const [lib, abi] of [
    [sendLib, sendUln302.abi],
    [receiveLib, receiveUln302.abi],
  ] as const) {
    await send(clients, {
      to: endpoint,
      data: encodeFunctionData({ abi: endpointV2Abi, functionName: 'registerLibrary', args: [lib] }),
    });
    await send(clients, {
      to: lib,
      data: encodeFunctionData({ abi, functionName: 'setDefaultUlnConfigs', args: [defaults] }),
    });
  }
  await send(clients, {
    to: sendLib,
    data: encodeFunctionData({
      abi: sendUln302.abi,
      functionName: 'setDefaultExecutorConfigs',
      args: [
        opts.remoteEids.map((eid) => ({ eid, config: { maxMessageSize: 10_000, executor: opts.defaultExecutor } })),
      ],
    }),
  });
  for (const eid of opts.remoteEids) {
    await send(clients, {
      to: endpoint,
      data: encodeFunctionData({ abi: endpointV2Abi, functionName: 'setDefaultSendLibrary', args: [eid, sendLib] }),
    });
    await send(clients, {
      to: endpoint,
      data: encodeFunctionData({
        abi: endpointV2Abi,
        functionName: 'setDefaultReceiveLibrary',
        args: [eid, receiveLib, 0n],
      }),
    });
  }
  return { endpoint, sendLib, receiveLib };
}
