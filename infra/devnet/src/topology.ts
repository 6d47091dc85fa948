import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_KEYS } from '@omniclear/testkit';
import type { Hex } from 'viem';

/** One chain of the devnet: the hub or a spoke. */
export interface DevnetChainSpec {
  readonly name: string;
  readonly role: 'hub' | 'spoke';
  readonly chainId: number;
  readonly eid: number;
}

/** Hub plus two spokes, each with its own chain id and LayerZero endpoint id. */
export const DEVNET_CHAINS: readonly DevnetChainSpec[] = [
  { name: 'hub', role: 'hub', chainId: 31337, eid: 40101 },
  { name: 'spoke-a', role: 'spoke', chainId: 31338, eid: 40102 },
  { name: 'spoke-b', role: 'spoke', chainId: 31339, eid: 40103 },
];

/** The single collateral asset of the skeleton: a demo WETH on every spoke. */
export const DEVNET_ASSET = { symbol: 'WETH', decimals: 18 } as const;

function actor(index: number) {
  const key = ANVIL_KEYS[index] as Hex;
  return { key, address: privateKeyToAccount(key).address };
}

/**
 * Who is who on the devnet (anvil's well-known dev keys; never use them anywhere else).
 * Each role has its own key so that services never race each other for nonces.
 */
export const DEVNET_ACTORS = {
  deployer: actor(0),
  /** The gateway's submitter: sends the dispatch transactions and pays their LayerZero fees. */
  submitter: actor(1),
  /** The clearing node's signer key, the hub's single registered signer (threshold 1). */
  clearingSigner: actor(7),
  relayer: actor(2),
  trader: actor(3),
  protocol: actor(4),
  insuranceFund: actor(5),
  /** Receives seized collateral less the insurance fund's part of the penalty. */
  liquidator: actor(6),
} as const;
