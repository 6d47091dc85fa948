import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OutputOrder } from '@omniclear/protocol';
import type { Hex } from 'viem';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { DispatchFailedError, HubRevertError } from '../errors.js';
import { HubClient, type OrderCall } from '../hub/hub.client.js';

/** How an order ended: dispatched now, or found already dispatched (by us earlier, or by another executor). */
export type ExecutionOutcome =
  | { readonly status: 'dispatched'; readonly txHash: Hex; readonly guid: Hex | undefined; readonly fee: bigint }
  | { readonly status: 'already-dispatched' };

/** The hub call of an order: `dispatchLiquidation` or `dispatchWithdrawDecision` arguments. */
export function orderCall(order: OutputOrder): OrderCall {
  const common = {
    dstEid: order.dstEid,
    orderId: order.orderId,
    account: order.account,
    token: order.token,
    amount: order.amount,
  };
  return order.kind === 'liquidate'
    ? { kind: 'liquidate', ...common, recipient: order.recipient, insuranceAmount: order.insuranceAmount }
    : { kind: 'withdraw-decision', ...common, requestId: order.requestId, approved: order.approved };
}

/**
 * The executor's use case: get one order (a liquidation or a withdrawal decision) dispatched by the
 * hub exactly once. Idempotent: the hub's `dispatched(orderId)` — shared by both kinds — is the
 * source of truth, checked before sending and after a revert. Throws on anything that may succeed
 * on retry (RPC errors, other reverts).
 */
@Injectable()
export class OrderExecutor {
  private readonly logger = new Logger(OrderExecutor.name);

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly hub: HubClient,
  ) {}

  async execute(order: OutputOrder): Promise<ExecutionOutcome> {
    if (await this.hub.isDispatched(order.orderId)) return { status: 'already-dispatched' };

    const call = orderCall(order);
    const quote = await this.hub.quote(call);
    // The hub forwards all of msg.value and the endpoint refunds what the fee did not use, so a margin
    // over the quote costs nothing and absorbs a fee change between the quote and inclusion.
    const value = quote + (quote * BigInt(this.config.executor.feeMarginBps)) / 10_000n;

    let receipt;
    try {
      receipt = await this.hub.dispatch(call, value);
    } catch (err) {
      if (err instanceof HubRevertError && err.errorName === 'OrderAlreadyDispatched') {
        return { status: 'already-dispatched' };
      }
      throw err;
    }
    if (receipt.status === 'success') {
      this.logger.log(`dispatched ${order.kind} order ${order.orderId} to eid ${order.dstEid} in ${receipt.txHash}`);
      return { status: 'dispatched', txHash: receipt.txHash, guid: receipt.guid, fee: quote };
    }
    // Reverted on chain although the simulation passed: most likely another sender won the race.
    if (await this.hub.isDispatched(order.orderId)) return { status: 'already-dispatched' };
    throw new DispatchFailedError(`dispatch of order ${order.orderId} reverted in ${receipt.txHash}`, {
      details: { orderId: order.orderId, txHash: receipt.txHash },
    });
  }
}
