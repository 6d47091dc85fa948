import { Inject, Injectable, Logger } from '@nestjs/common';
import { hashOrder, type OrderDomain, type OutputOrder } from '@omniclear/protocol';
import { recoverAddress, type Hex } from 'viem';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { DispatchFailedError, HubRevertError } from '../errors.js';
import { HubClient, type OrderCall } from '../hub/hub.client.js';
import { SignatureBook } from './signature-book.js';
import { SignerSetCache } from './signer-set.js';

/**
 * What became of one signed copy of an order:
 * - `dispatched`: it completed the threshold and the hub dispatched the order now;
 * - `already-dispatched`: the hub has the order already (from us earlier, or another submitter);
 * - `collected`: valid, held until `threshold` distinct signers signed the same order;
 * - `refused`: never dispatchable — expired, a bad signature, or not a registered signer (`reason`).
 */
export type ExecutionOutcome =
  | { readonly status: 'dispatched'; readonly txHash: Hex; readonly guid: Hex | undefined; readonly fee: bigint }
  | { readonly status: 'already-dispatched' }
  | { readonly status: 'collected'; readonly signatures: number; readonly threshold: number }
  | { readonly status: 'refused'; readonly reason: string };

/** The hub's struct of an order (`LiquidationOrder` / `WithdrawDecisionOrder`) with the call's kind. */
export function orderCall(order: OutputOrder): OrderCall {
  const common = {
    dstEid: order.dstEid,
    orderId: order.orderId,
    account: order.account,
    token: order.token,
    amount: order.amount,
  };
  return order.kind === 'liquidate'
    ? {
        kind: 'liquidate',
        ...common,
        recipient: order.recipient,
        insuranceAmount: order.insuranceAmount,
        expiry: order.expiry,
      }
    : {
        kind: 'withdraw-decision',
        ...common,
        requestId: order.requestId,
        approved: order.approved,
        expiry: order.expiry,
      };
}

/** Hub errors that say the signatures we sent do not meet the signer set the hub has now. */
const SIGNER_SET_REVERTS = new Set(['SignerNotRegistered', 'InsufficientSignatures', 'SignaturesNotAscending']);

/**
 * The executor's use case: collect the clearing signers' signed copies of each order and get the
 * order dispatched by the hub exactly once, as soon as `threshold` distinct registered signers
 * signed it. Each copy is verified here first (its signature recovers to its `signer`, a member of
 * the hub's set), so a bad copy is refused with its reason instead of spoiling a dispatch.
 * Idempotent: the hub's `dispatched(orderId)` is the source of truth, checked before collecting
 * and after a revert. Throws on anything that may succeed on retry (RPC errors, other reverts).
 */
@Injectable()
export class OrderExecutor {
  private readonly logger = new Logger(OrderExecutor.name);
  private readonly domain: OrderDomain;
  private readonly book = new SignatureBook();
  private lastSweep = 0;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly hub: HubClient,
    private readonly signerSet: SignerSetCache,
  ) {
    this.domain = { chainId: config.hub.chainId, verifyingContract: config.hub.address };
  }

  /** Orders with signatures held, waiting for more. */
  get collecting(): number {
    return this.book.size;
  }

  /**
   * Verifies and collects one signed copy of `order`, and dispatches the order when it completes
   * the threshold — unless `collectOnly` (re-reading copies consumed before a restart: an order
   * that had its signatures then was dispatched, or failed for good, then).
   */
  async execute(order: OutputOrder, opts: { collectOnly?: boolean } = {}): Promise<ExecutionOutcome> {
    if (await this.hub.isDispatched(order.orderId)) {
      this.book.forget(order.orderId);
      return { status: 'already-dispatched' };
    }
    const now = await this.hub.time();
    this.sweep(now);
    if (now > order.expiry) {
      this.book.forget(order.orderId);
      return { status: 'refused', reason: expired(order, now) };
    }

    const digest = hashOrder(order, this.domain);
    const recovered = await recoverAddress({ hash: digest, signature: order.signature }).catch(() => null);
    if (recovered?.toLowerCase() !== order.signer.toLowerCase()) {
      return {
        status: 'refused',
        reason: `bad signature: the copy of order ${order.orderId} from ${order.signer} ${recovered ? `recovers to ${recovered}` : 'does not parse'}`,
      };
    }
    let known = await this.signerSet.current();
    if (!known.signers.has(recovered.toLowerCase())) known = await this.signerSet.refresh();
    if (!known.signers.has(recovered.toLowerCase())) {
      return {
        status: 'refused',
        reason: `not a signer: ${recovered} is not in the hub's signer set (copy of order ${order.orderId})`,
      };
    }

    const collected = this.book.add(order, digest, known.signers);
    if (collected.signatures.length < known.threshold || opts.collectOnly) {
      this.logger.log(
        `order ${order.orderId}: ${collected.signatures.length} of ${known.threshold} signatures (${order.signer})`,
      );
      return { status: 'collected', signatures: collected.signatures.length, threshold: known.threshold };
    }
    const signatures = collected.signatures.slice(0, known.threshold);
    const outcome = await this.dispatch(
      collected.order,
      signatures.map((s) => s.signature),
      now,
    );
    this.book.forget(order.orderId);
    return outcome;
  }

  private async dispatch(order: OutputOrder, signatures: Hex[], now: bigint): Promise<ExecutionOutcome> {
    const call = orderCall(order);
    let quote: bigint;
    let receipt;
    try {
      quote = await this.hub.quote(call);
      // The hub forwards all of msg.value and the endpoint refunds what the fee did not use, so a margin
      // over the quote costs nothing and absorbs a fee change between the quote and inclusion.
      const value = quote + (quote * BigInt(this.config.executor.feeMarginBps)) / 10_000n;
      receipt = await this.hub.dispatch(call, signatures, value);
    } catch (err) {
      if (!(err instanceof HubRevertError)) throw err;
      if (err.errorName === 'OrderAlreadyDispatched') return { status: 'already-dispatched' };
      if (err.errorName === 'OrderExpired') return { status: 'refused', reason: expired(order, now) };
      // the set changed under us: the next delivery of this copy counts again against the new set
      if (SIGNER_SET_REVERTS.has(err.errorName)) await this.signerSet.refresh();
      throw err;
    }
    if (receipt.status === 'success') {
      this.logger.log(
        `dispatched ${order.kind} order ${order.orderId} to eid ${order.dstEid} with ${signatures.length} signatures in ${receipt.txHash}`,
      );
      return { status: 'dispatched', txHash: receipt.txHash, guid: receipt.guid, fee: quote };
    }
    // Reverted on chain although the simulation passed: most likely another sender won the race.
    if (await this.hub.isDispatched(order.orderId)) return { status: 'already-dispatched' };
    throw new DispatchFailedError(`dispatch of order ${order.orderId} reverted in ${receipt.txHash}`, {
      details: { orderId: order.orderId, txHash: receipt.txHash },
    });
  }

  /** Drops held orders that expired (at most every 10 s: the walk is over every held order). */
  private sweep(now: bigint): void {
    if (Date.now() - this.lastSweep < 10_000) return;
    this.lastSweep = Date.now();
    const dropped = this.book.sweepExpired(now);
    if (dropped > 0) this.logger.warn(`dropped ${dropped} orders that expired before collecting enough signatures`);
  }
}

function expired(order: OutputOrder, now: bigint): string {
  return `expired: order ${order.orderId} expired at ${order.expiry} (hub time ${now}); the hub would refuse it`;
}
