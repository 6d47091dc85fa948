import { getAddress, keccak256, stringToHex, zeroAddress, type Address, type Hex, type TransactionReceipt } from 'viem';
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
 * The OmniTimelock's constructor arguments for a deployment: `(minDelay, proposers, executors)`
 * with a zero delay and the deployer added to both roles, so that the deployment can make the
 * timelock accept ownership at once; the deployment then sets the configured delay through the
 * timelock and renounces the deployer's roles (`deployNetwork`).
 */
export function timelockConstructorArgs(
  deployer: Address,
  timelock: { readonly proposers: readonly Address[]; readonly executors: readonly Address[] },
): readonly [bigint, readonly Address[], readonly Address[]] {
  const withDeployer = (list: readonly Address[]) => [deployer, ...list.filter((a) => a !== deployer)];
  return [0n, withDeployer(timelock.proposers), withDeployer(timelock.executors)];
}

/** OpenZeppelin TimelockController's role identifiers (`keccak256` of their names). */
export const TIMELOCK_ROLES: Readonly<Record<'PROPOSER_ROLE' | 'CANCELLER_ROLE' | 'EXECUTOR_ROLE', Hex>> = {
  PROPOSER_ROLE: keccak256(stringToHex('PROPOSER_ROLE')),
  CANCELLER_ROLE: keccak256(stringToHex('CANCELLER_ROLE')),
  EXECUTOR_ROLE: keccak256(stringToHex('EXECUTOR_ROLE')),
};

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
