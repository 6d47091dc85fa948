import { BaseError, type Abi, type Address, type Hash, type Hex, type TransactionReceipt } from 'viem';
import type { ChainClients } from './clients.js';
import { DeploymentError } from './errors.js';
import { describeRevert } from './revert.js';

/** One transaction of a deployment, named for error reports. */
export interface TxStep {
  readonly step: string;
  readonly contract?: string;
  /** The ABI used to decode a revert of this step. */
  readonly abi: Abi;
  readonly to?: Address;
  readonly data: Hex;
  readonly value?: bigint;
}

/**
 * Sends one chain's deployment transactions strictly one after another with a locally tracked
 * nonce, waiting for each receipt, and turns every failure into a {@link DeploymentError}.
 * Callers may fire steps concurrently: they are queued, so steps of different chains overlap
 * while each chain's nonces stay gapless.
 */
export class Transactor {
  private tail: Promise<unknown> = Promise.resolve();
  private nonce: number | undefined;

  constructor(
    readonly clients: ChainClients,
    readonly chainName: string,
  ) {}

  /** Sends `tx` after every previously queued step of this chain; resolves with its successful receipt. */
  send(tx: TxStep): Promise<TransactionReceipt> {
    const run = this.tail.then(() => this.sendNow(tx));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Runs a read-only call as part of a named step, with the same error reporting. */
  async read<T>(step: string, contract: string | undefined, abi: Abi, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw this.fail({ step, contract, abi }, cause);
    }
  }

  private async sendNow(tx: TxStep): Promise<TransactionReceipt> {
    const { public: pub, wallet, account } = this.clients;
    let hash: Hash;
    try {
      this.nonce ??= await pub.getTransactionCount({ address: account.address, blockTag: 'pending' });
      hash = await wallet.sendTransaction({
        account,
        chain: wallet.chain,
        to: tx.to ?? null,
        data: tx.data,
        value: tx.value,
        nonce: this.nonce,
      });
      this.nonce += 1;
    } catch (cause) {
      // The nonce may or may not have been consumed (e.g. a timeout after broadcast): ask again next time.
      this.nonce = undefined;
      throw this.fail(tx, cause);
    }
    let receipt: TransactionReceipt;
    try {
      receipt = await pub.waitForTransactionReceipt({ hash, timeout: 60_000 });
    } catch (cause) {
      this.nonce = undefined;
      throw this.fail(tx, cause);
    }
    if (receipt.status !== 'success') {
      throw new DeploymentError({
        step: tx.step,
        chain: this.chainName,
        contract: tx.contract,
        reason: `transaction ${hash} reverted on-chain`,
      });
    }
    return receipt;
  }

  private fail(tx: Pick<TxStep, 'step' | 'contract' | 'abi'>, cause: unknown): DeploymentError {
    if (cause instanceof DeploymentError) return cause;
    const reason = cause instanceof BaseError || cause instanceof Error ? describeRevert(cause, tx.abi) : String(cause);
    return new DeploymentError({ step: tx.step, chain: this.chainName, contract: tx.contract, reason }, cause);
  }
}

const transactors = new WeakMap<ChainClients, Transactor>();

/** The one transactor of a set of clients, so every caller shares its queue and nonce. */
export function transactorFor(clients: ChainClients, chainName?: string): Transactor {
  let t = transactors.get(clients);
  if (!t) {
    t = new Transactor(clients, chainName ?? clients.chain.name);
    transactors.set(clients, t);
  }
  return t;
}
