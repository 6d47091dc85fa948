import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { collateralVaultAbi, createChainClients, demoTokenAbi, type Deployment } from '@omniclear/chain';
import { encodeInputEvent, marketToBytes32, msgIds, subjects } from '@omniclear/protocol';
import { parseEventLogs, type Address, type Hex } from 'viem';

type ChainEntry = Deployment['chains'][number];

function spoke(deployment: Deployment, name: string): ChainEntry & { vault: Address } {
  const chain = deployment.chains.find((c) => c.name === name);
  if (!chain || chain.role !== 'spoke' || !chain.vault)
    throw new Error(`no spoke chain named ${name} in the deployment`);
  return chain as ChainEntry & { vault: Address };
}

/**
 * Mints demo collateral to the user and deposits it into the spoke's vault, paying the
 * LayerZero fee the vault quotes. Resolves with the deposit's transaction receipt.
 */
export async function mintAndDeposit(opts: {
  deployment: Deployment;
  chain: string;
  userKey: Hex;
  asset: string;
  amount: bigint;
}) {
  const chain = spoke(opts.deployment, opts.chain);
  const token = chain.tokens[opts.asset];
  if (!token) throw new Error(`asset ${opts.asset} is not deployed on ${opts.chain}`);
  const {
    public: client,
    wallet,
    account,
  } = createChainClients({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    privateKey: opts.userKey,
  });
  const send = async (hash: Hex) => {
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted on ${opts.chain}`);
    return receipt;
  };
  await send(
    await wallet.writeContract({
      address: token.address,
      abi: demoTokenAbi,
      functionName: 'mint',
      args: [account.address, opts.amount],
    }),
  );
  await send(
    await wallet.writeContract({
      address: token.address,
      abi: demoTokenAbi,
      functionName: 'approve',
      args: [chain.vault, opts.amount],
    }),
  );
  const fee = await client.readContract({
    address: chain.vault,
    abi: collateralVaultAbi,
    functionName: 'quoteDeposit',
    args: [account.address, token.address, opts.amount],
  });
  return send(
    await wallet.writeContract({
      address: chain.vault,
      abi: collateralVaultAbi,
      functionName: 'deposit',
      args: [token.address, opts.amount],
      value: fee.nativeFee,
    }),
  );
}

/** Sends one transaction from `key` on a spoke and waits for it; throws naming `what` if it reverts. */
async function sendOnSpoke(
  chain: ChainEntry,
  key: Hex,
  what: string,
  write: (
    wallet: ReturnType<typeof createChainClients>['wallet'],
    client: ReturnType<typeof createChainClients>['public'],
  ) => Promise<Hex>,
) {
  const { public: client, wallet } = createChainClients({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    privateKey: key,
  });
  const hash = await write(wallet, client);
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${what} ${hash} reverted on ${chain.name}`);
  return receipt;
}

/**
 * An account approves (or revokes) an integrated protocol on a spoke's vault, so that the protocol
 * may report the account's positions there (the owner must have allow-listed it; the devnet's
 * deployment does).
 */
export async function approveIntegrator(opts: {
  deployment: Deployment;
  chain: string;
  userKey: Hex;
  integrator: Address;
  approved?: boolean;
}) {
  const chain = spoke(opts.deployment, opts.chain);
  return sendOnSpoke(chain, opts.userKey, 'integrator approval', (wallet) =>
    wallet.writeContract({
      address: chain.vault,
      abi: collateralVaultAbi,
      functionName: 'approveIntegrator',
      args: [opts.integrator, opts.approved ?? true],
    }),
  );
}

/**
 * An integrated protocol on a spoke reports an account's absolute position in a perp market: `size`
 * signed in 1e18 units of the base asset (0 closes it), `entryPrice` USD per unit (1e18). The
 * account must have approved the protocol ({@link approveIntegrator}).
 */
export async function reportExposure(opts: {
  deployment: Deployment;
  chain: string;
  protocolKey: Hex;
  account: Address;
  market: string;
  size: bigint;
  entryPrice: bigint;
}) {
  const chain = spoke(opts.deployment, opts.chain);
  const args = [opts.account, marketToBytes32(opts.market), opts.size, opts.entryPrice] as const;
  return sendOnSpoke(chain, opts.protocolKey, 'exposure report', async (wallet, client) => {
    const fee = await client.readContract({
      address: chain.vault,
      abi: collateralVaultAbi,
      functionName: 'quoteExposure',
      args,
      account: wallet.account,
    });
    return wallet.writeContract({
      address: chain.vault,
      abi: collateralVaultAbi,
      functionName: 'reportExposure',
      args,
      value: fee.nativeFee,
    });
  });
}

/**
 * A user asks a spoke's vault to withdraw `amount` of `asset`: the vault freezes it and sends
 * WITHDRAW_REQUEST to the hub; the clearing node's decision pays or unfreezes it. Resolves with the
 * vault's request id.
 */
export async function requestWithdrawal(opts: {
  deployment: Deployment;
  chain: string;
  userKey: Hex;
  asset: string;
  amount: bigint;
}): Promise<bigint> {
  const chain = spoke(opts.deployment, opts.chain);
  const token = chain.tokens[opts.asset];
  if (!token) throw new Error(`asset ${opts.asset} is not deployed on ${opts.chain}`);
  const receipt = await sendOnSpoke(chain, opts.userKey, 'withdrawal request', async (wallet, client) => {
    const fee = await client.readContract({
      address: chain.vault,
      abi: collateralVaultAbi,
      functionName: 'quoteWithdrawalRequest',
      args: [wallet.account.address, token.address, opts.amount],
    });
    return wallet.writeContract({
      address: chain.vault,
      abi: collateralVaultAbi,
      functionName: 'requestWithdrawal',
      args: [token.address, opts.amount],
      value: fee.nativeFee,
    });
  });
  const [requested] = parseEventLogs({ abi: collateralVaultAbi, logs: receipt.logs, eventName: 'WithdrawalRequested' });
  if (!requested) throw new Error(`withdrawal request on ${opts.chain} emitted no WithdrawalRequested`);
  return requested.args.requestId;
}

/** Publishes a price into the input stream, as the price feed does (USD, 18 decimals). */
export async function publishPrice(
  nc: NatsConnection,
  price: { asset: string; price: bigint; publishTime: bigint; source?: string },
): Promise<number> {
  const js = jetstream(nc);
  const ack = await js.publish(
    subjects.price(price.asset),
    encodeInputEvent({
      kind: 'price',
      asset: price.asset,
      price: price.price,
      publishTime: price.publishTime,
      source: price.source ?? 'devnet',
    }),
    { msgID: msgIds.price(price.asset, price.publishTime) },
  );
  return ack.seq;
}

/** A read-only client for a spoke (the key only satisfies the helper: nothing is signed). */
function reader(chain: ChainEntry) {
  return createChainClients({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, privateKey: `0x${'11'.repeat(32)}` })
    .public;
}

/** Reads an account's balance of a token in a spoke's vault, straight from the chain. */
export async function vaultBalance(deployment: Deployment, chainName: string, account: Address, asset: string) {
  const chain = spoke(deployment, chainName);
  return reader(chain).readContract({
    address: chain.vault,
    abi: collateralVaultAbi,
    functionName: 'balanceOf',
    args: [account, chain.tokens[asset]!.address],
  });
}

/** Reads a token balance of any address on a spoke. */
export async function tokenBalance(deployment: Deployment, chainName: string, holder: Address, asset: string) {
  const chain = spoke(deployment, chainName);
  return reader(chain).readContract({
    address: chain.tokens[asset]!.address,
    abi: demoTokenAbi,
    functionName: 'balanceOf',
    args: [holder],
  });
}
