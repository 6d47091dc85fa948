import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { collateralVaultAbi, createChainClients, demoTokenAbi, type Deployment } from '@omniclear/chain';
import { encodeInputEvent, msgIds, subjects } from '@omniclear/protocol';
import type { Address, Hex } from 'viem';

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

/** An integrated protocol on a spoke reports an account's exposure (USD, 18 decimals). */
export async function reportExposure(opts: {
  deployment: Deployment;
  chain: string;
  protocolKey: Hex;
  account: Address;
  exposure: bigint;
}) {
  const chain = spoke(opts.deployment, opts.chain);
  const { public: client, wallet } = createChainClients({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    privateKey: opts.protocolKey,
  });
  const fee = await client.readContract({
    address: chain.vault,
    abi: collateralVaultAbi,
    functionName: 'quoteExposure',
    args: [opts.account, opts.exposure],
  });
  const hash = await wallet.writeContract({
    address: chain.vault,
    abi: collateralVaultAbi,
    functionName: 'reportExposure',
    args: [opts.account, opts.exposure],
    value: fee.nativeFee,
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`exposure report ${hash} reverted on ${opts.chain}`);
  return receipt;
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
