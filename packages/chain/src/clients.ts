import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** A viem public client, a wallet client bound to one local account, and the chain they share. */
export interface ChainClients {
  readonly public: PublicClient<Transport, Chain>;
  readonly wallet: WalletClient<Transport, Chain, Account>;
  readonly account: Account;
  readonly chain: Chain;
}

/** Where and as whom to connect. */
export interface ChainClientOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly privateKey: Hex;
  /** Display name of the chain; defaults to `chain-<chainId>`. */
  readonly name?: string;
  /** Polling interval of the clients (receipts, watchers), in ms. Defaults to 250: local chains mine instantly. */
  readonly pollingInterval?: number;
}

/**
 * Defines a viem chain for an arbitrary EVM RPC endpoint (devnets have no entry in `viem/chains`).
 * @example const chain = defineLocalChain({ chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' });
 */
export function defineLocalChain(opts: { chainId: number; rpcUrl: string; name?: string }): Chain {
  return defineChain({
    id: opts.chainId,
    name: opts.name ?? `chain-${opts.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [opts.rpcUrl] } },
  });
}

/**
 * Creates the public and wallet clients for one chain, signing locally with `privateKey`.
 * @example
 * const { public: pub, wallet, account } = createChainClients({ rpcUrl, chainId: 31337, privateKey });
 * await wallet.sendTransaction({ to: account.address, value: 0n });
 */
export function createChainClients(opts: ChainClientOptions): ChainClients {
  const chain = defineLocalChain(opts);
  const account = privateKeyToAccount(opts.privateKey);
  const pollingInterval = opts.pollingInterval ?? 250;
  // No retries at the transport: a dead RPC should surface at once as a typed error of the caller.
  const transport = http(opts.rpcUrl, { retryCount: 0, timeout: 10_000 });
  return {
    public: createPublicClient({ chain, transport, pollingInterval }),
    wallet: createWalletClient({ chain, transport, account, pollingInterval }),
    account,
    chain,
  };
}
