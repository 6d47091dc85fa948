import { getAddress, zeroAddress, type Address, type TransactionReceipt } from 'viem';
import { DeploymentError } from './errors.js';

// What both deployment paths (the devnet's `deployOmniclear` and a real network's `deployNetwork`)
// need to know of the contracts they deploy.

/**
 * The ClearingHub's constructor arguments: `(endpoint, owner, signers, threshold)`. The one place
 * that knows the constructor, so a change of it is a change here.
 */
export function hubConstructorArgs(
  endpoint: Address,
  owner: Address,
  hub: { readonly signers: readonly Address[]; readonly threshold: number },
): readonly [Address, Address, readonly Address[], number] {
  return [endpoint, owner, hub.signers, hub.threshold];
}

/** The CollateralVault's constructor arguments: `(endpoint, owner, hubEid, insuranceFund)`. */
export function vaultConstructorArgs(
  endpoint: Address,
  owner: Address,
  hubEid: number,
  spoke: { readonly insuranceFund: Address },
): readonly [Address, Address, number, Address] {
  return [endpoint, owner, hubEid, spoke.insuranceFund];
}

/**
 * The address a deployment's receipt created; a {@link DeploymentError} naming the contract and
 * the chain when it created none.
 * @internal
 */
export async function deployed(
  receipt: Promise<TransactionReceipt>,
  contract: string,
  chain: string,
): Promise<Address> {
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
