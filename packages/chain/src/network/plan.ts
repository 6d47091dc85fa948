import { MessageType, type MessageTypeName } from '@omniclear/protocol';
import type { Address, Hex } from 'viem';
import { typesSent } from './check.js';
import { networkChains, type NetworkChainConfig, type NetworkConfig, type UlnSideConfig } from './config.js';
import { executorLzReceiveOption, ulnConfig, type ExecutorConfig, type UlnConfig } from './layerzero.js';

/** One enforced option an OApp sets: executor `lzReceive` gas for a message type towards an eid. */
export interface PlannedOption {
  readonly type: MessageTypeName;
  readonly msgType: number;
  readonly gas: number;
  /** Type-3 options bytes, as `OptionsBuilder` encodes them. */
  readonly options: Hex;
}

/**
 * Everything one pathway sets in the endpoints, DVN names resolved to each side's addresses:
 * `from`'s OApp sends through `sendLib` with `sendUln` and `executor`, enforcing `options`;
 * `to`'s OApp receives through `receiveLib` with `receiveUln`.
 */
export interface PlannedPathway {
  /** Where the pathway is in the config, e.g. `pathways[0]`. */
  readonly path: string;
  readonly from: string;
  readonly to: string;
  readonly fromEid: number;
  readonly toEid: number;
  readonly sendLib: Address;
  readonly receiveLib: Address;
  readonly sendUln: UlnConfig;
  readonly receiveUln: UlnConfig;
  readonly executor: ExecutorConfig;
  readonly options: readonly PlannedOption[];
}

function resolveUln(side: UlnSideConfig, chain: NetworkChainConfig): UlnConfig {
  const address = (name: string): Address => chain.dvns[name]!;
  return ulnConfig({
    confirmations: side.confirmations,
    requiredDVNs: side.requiredDVNs.map(address),
    optionalDVNs: side.optionalDVNs.map(address),
    optionalDVNThreshold: side.optionalDVNThreshold,
  });
}

/**
 * Turns a config's pathways into the endpoint settings to send (and read back). Call on a config
 * `checkPathways` accepted: DVN names and chains are assumed to resolve.
 */
export function planPathways(config: NetworkConfig): PlannedPathway[] {
  const chain = (name: string) => networkChains(config).find((c) => c.name === name)!;
  return config.pathways.map((p, i) => {
    const from = chain(p.from);
    const to = chain(p.to);
    return {
      path: `pathways[${i}]`,
      from: p.from,
      to: p.to,
      fromEid: from.eid,
      toEid: to.eid,
      sendLib: from.sendLib,
      receiveLib: to.receiveLib,
      sendUln: resolveUln(p.send, from),
      receiveUln: resolveUln(p.receive, to),
      executor: { maxMessageSize: from.executor.maxMessageSize, executor: from.executor.address },
      options: typesSent(config, p.from, p.to).map((type) => {
        const gas = p.enforcedOptions[type]!;
        return { type, msgType: MessageType[type], gas, options: executorLzReceiveOption(gas) };
      }),
    };
  });
}
