import { Inject, Injectable } from '@nestjs/common';
import { clearingHubAbi } from '@omniclear/chain';
import {
  BaseError,
  BlockNotFoundError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAbiItem,
  http,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { nonceManager, privateKeyToAccount } from 'viem/accounts';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { HubRevertError } from '../errors.js';

/** One `MessageReceived` log of the hub, as read from the chain (payload not yet decoded). */
export interface HubMessageLog {
  readonly event: 'MessageReceived';
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly txHash: Hex;
  readonly logIndex: number;
  readonly srcEid: number;
  readonly guid: Hex;
  readonly nonce: bigint;
  readonly msgType: number;
  readonly payload: Hex;
}

/** One `OrderDispatched` log of the hub: order `orderId` sent to the vault at `dstEid` as packet `guid`. */
export interface HubDispatchLog {
  readonly event: 'OrderDispatched';
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly txHash: Hex;
  readonly logIndex: number;
  readonly orderId: Hex;
  readonly dstEid: number;
  readonly guid: Hex;
}

/** A hub log the follower publishes into `OMNI_IN`. */
export type HubLog = HubMessageLog | HubDispatchLog;

/** The events the follower reads, fetched together so their logs come in one chain order. */
const FOLLOWED_EVENTS = [
  getAbiItem({ abi: clearingHubAbi, name: 'MessageReceived' }),
  getAbiItem({ abi: clearingHubAbi, name: 'OrderDispatched' }),
] as const;

/** The hub's `LiquidationOrder` struct (`quoteLiquidation` / `dispatchLiquidation`). */
export interface LiquidationCall {
  readonly kind: 'liquidate';
  readonly dstEid: number;
  readonly orderId: Hex;
  readonly account: Address;
  readonly token: Address;
  readonly amount: bigint;
  readonly recipient: Address;
  readonly insuranceAmount: bigint;
  readonly expiry: bigint;
}

/** The hub's `WithdrawDecisionOrder` struct (`quoteWithdrawDecision` / `dispatchWithdrawDecision`). */
export interface WithdrawDecisionCall {
  readonly kind: 'withdraw-decision';
  readonly dstEid: number;
  readonly orderId: Hex;
  readonly account: Address;
  readonly token: Address;
  readonly amount: bigint;
  readonly requestId: bigint;
  readonly approved: boolean;
  readonly expiry: bigint;
}

/** The hub's clearing signer set and how many of them must sign an order. */
export interface SignerSet {
  readonly signers: readonly Address[];
  readonly threshold: number;
}

/** An order the hub dispatches: a liquidation or a withdrawal decision. */
export type OrderCall = LiquidationCall | WithdrawDecisionCall;

/** A mined dispatch transaction. */
export interface DispatchReceipt {
  readonly txHash: Hex;
  readonly status: 'success' | 'reverted';
  readonly blockNumber: bigint;
  /** The LayerZero guid from `OrderDispatched`, when the transaction succeeded. */
  readonly guid: Hex | undefined;
}

/**
 * All of the gateway's hub-chain I/O (viem): reading blocks and `MessageReceived` and
 * `OrderDispatched` logs for the follower; reading the signer set and quoting/sending signed orders
 * from the submitter key for the executor (dispatch is permissionless: the signatures authorize an
 * order, the submitter only pays). The submitter account carries viem's nonce manager, so nonces are assigned locally and
 * released when a send fails.
 */
@Injectable()
export class HubClient {
  readonly address: Address;
  readonly chainId: number;
  private readonly publicClient: PublicClient<Transport, Chain>;
  private readonly walletClient: WalletClient<Transport, Chain, Account>;
  private readonly account: Account;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.address = config.hub.address;
    this.chainId = config.hub.chainId;
    const chain = defineChain({
      id: config.hub.chainId,
      name: `hub-${config.hub.chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [config.hub.rpcUrl] } },
    });
    // No transport retries: the follower and the executor own the retry policy (backoff, keep the cursor, nak).
    const transport = http(config.hub.rpcUrl, { retryCount: 0, timeout: 10_000 });
    this.account = privateKeyToAccount(config.submitterKey, { nonceManager });
    this.publicClient = createPublicClient({ chain, transport, pollingInterval: 250 });
    this.walletClient = createWalletClient({ chain, transport, account: this.account, pollingInterval: 250 });
  }

  /** The address that sends and pays for dispatch transactions. */
  get submitter(): Address {
    return this.account.address;
  }

  /** The latest block number. */
  async head(): Promise<bigint> {
    return this.publicClient.getBlockNumber({ cacheTime: 0 });
  }

  /** Hash of block `blockNumber`, or undefined when the chain has no such block (any other failure throws). */
  async blockHash(blockNumber: bigint): Promise<Hex | undefined> {
    try {
      return (await this.publicClient.getBlock({ blockNumber })).hash;
    } catch (err) {
      if (err instanceof BlockNotFoundError) return undefined;
      throw err;
    }
  }

  /** Timestamp of the block with `blockHash` (by hash, so a reorg cannot hand us another block's time). */
  async blockTimestamp(blockHash: Hex): Promise<bigint> {
    return (await this.publicClient.getBlock({ blockHash })).timestamp;
  }

  /**
   * The hub's `MessageReceived` and `OrderDispatched` logs in `[fromBlock, toBlock]`, in chain order
   * (by block, then log index): one `eth_getLogs` with both event topics, so a range is read at one
   * state of the chain and the two kinds interleave exactly as the hub emitted them.
   */
  async logs(fromBlock: bigint, toBlock: bigint): Promise<HubLog[]> {
    const logs = await this.publicClient.getLogs({
      address: this.address,
      events: FOLLOWED_EVENTS,
      fromBlock,
      toBlock,
      strict: true,
    });
    return logs
      .map((l): HubLog => {
        const at = {
          blockNumber: l.blockNumber,
          blockHash: l.blockHash,
          txHash: l.transactionHash,
          logIndex: l.logIndex,
        };
        return l.eventName === 'MessageReceived'
          ? {
              event: 'MessageReceived',
              ...at,
              srcEid: l.args.srcEid,
              guid: l.args.guid,
              nonce: l.args.nonce,
              msgType: l.args.msgType,
              payload: l.args.payload,
            }
          : { event: 'OrderDispatched', ...at, orderId: l.args.orderId, dstEid: l.args.dstEid, guid: l.args.guid };
      })
      .sort((a, b) =>
        a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
      );
  }

  /** The hub's registered clearing signers and threshold, as of the latest block. */
  async signerSet(): Promise<SignerSet> {
    const [signers, threshold] = await Promise.all([
      this.publicClient.readContract({ address: this.address, abi: clearingHubAbi, functionName: 'signers' }),
      this.publicClient.readContract({ address: this.address, abi: clearingHubAbi, functionName: 'threshold' }),
    ]).catch(rethrowRevert);
    return { signers, threshold };
  }

  /** Whether the hub emitted `SignersSet` (its signer set changed) in `[fromBlock, toBlock]`. */
  async signersChanged(fromBlock: bigint, toBlock: bigint): Promise<boolean> {
    const logs = await this.publicClient
      .getContractEvents({ address: this.address, abi: clearingHubAbi, eventName: 'SignersSet', fromBlock, toBlock })
      .catch(rethrowRevert);
    return logs.length > 0;
  }

  /** Timestamp of the latest block: the clock the hub judges an order's expiry by. */
  async time(): Promise<bigint> {
    return (await this.publicClient.getBlock({ blockTag: 'latest' })).timestamp;
  }

  /** Whether the hub has already dispatched `orderId`. */
  async isDispatched(orderId: Hex): Promise<boolean> {
    return this.publicClient
      .readContract({ address: this.address, abi: clearingHubAbi, functionName: 'dispatched', args: [orderId] })
      .catch(rethrowRevert);
  }

  /** The native LayerZero fee of dispatching `call` (`quoteLiquidation` or `quoteWithdrawDecision`). */
  async quote(call: OrderCall): Promise<bigint> {
    const fee = await (
      call.kind === 'liquidate'
        ? this.publicClient.readContract({
            address: this.address,
            abi: clearingHubAbi,
            functionName: 'quoteLiquidation',
            args: liquidationArgs(call),
          })
        : this.publicClient.readContract({
            address: this.address,
            abi: clearingHubAbi,
            functionName: 'quoteWithdrawDecision',
            args: decisionArgs(call),
          })
    ).catch(rethrowRevert);
    return fee.nativeFee;
  }

  /**
   * Simulates, then sends `dispatchLiquidation` or `dispatchWithdrawDecision` with `signatures`
   * (65 bytes each, ascending by signer) and `value` from the submitter, and waits for the receipt.
   * A simulated revert throws {@link HubRevertError} with the decoded custom error and sends nothing.
   */
  async dispatch(call: OrderCall, signatures: readonly Hex[], value: bigint): Promise<DispatchReceipt> {
    const txHash =
      call.kind === 'liquidate'
        ? await this.sendLiquidation(call, signatures, value)
        : await this.sendDecision(call, signatures, value);
    const receipt = await this.publicClient.waitForTransactionReceipt({ hash: txHash, timeout: 60_000 });
    const [dispatched] = parseEventLogs({ abi: clearingHubAbi, logs: receipt.logs, eventName: 'OrderDispatched' });
    return { txHash, status: receipt.status, blockNumber: receipt.blockNumber, guid: dispatched?.args.guid };
  }

  private async sendLiquidation(call: LiquidationCall, signatures: readonly Hex[], value: bigint): Promise<Hex> {
    const { request } = await this.publicClient
      .simulateContract({
        address: this.address,
        abi: clearingHubAbi,
        functionName: 'dispatchLiquidation',
        args: [...liquidationArgs(call), signatures],
        value,
        account: this.account,
      })
      .catch(rethrowRevert);
    return this.walletClient.writeContract(request);
  }

  private async sendDecision(call: WithdrawDecisionCall, signatures: readonly Hex[], value: bigint): Promise<Hex> {
    const { request } = await this.publicClient
      .simulateContract({
        address: this.address,
        abi: clearingHubAbi,
        functionName: 'dispatchWithdrawDecision',
        args: [...decisionArgs(call), signatures],
        value,
        account: this.account,
      })
      .catch(rethrowRevert);
    return this.walletClient.writeContract(request);
  }
}

function liquidationArgs(c: LiquidationCall) {
  const { kind: _kind, ...order } = c;
  return [order] as const;
}

function decisionArgs(c: WithdrawDecisionCall) {
  const { kind: _kind, ...order } = c;
  return [order] as const;
}

function rethrowRevert(err: unknown): never {
  throw asHubRevert(err) ?? err;
}

/** The decoded custom error of a contract revert, or undefined when `err` is not one (RPC down, timeout…). */
export function asHubRevert(err: unknown): HubRevertError | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined;
  const errorName = revert.data?.errorName ?? revert.reason ?? 'unknown revert';
  return new HubRevertError(errorName, revert.data?.args ?? [], { cause: err });
}
