import { Injectable, Logger } from '@nestjs/common';
import type { Order } from '@omniclear/margin-engine';
import { EventSchemaError, STREAMS, encodeOrder, subjects, type OutputOrder } from '@omniclear/protocol';
import type { Address, Hex } from 'viem';

import { NatsClient } from '../nats/nats.client.js';

/** Publishes the node's decisions to OMNI_OUT, one message per order, deduplicated by order id. */
@Injectable()
export class OrderPublisher {
  private readonly logger = new Logger(OrderPublisher.name);
  private stopping = false;
  private published = 0;
  private duplicates = 0;

  constructor(private readonly nats: NatsClient) {}

  /**
   * Publishes `order` (a liquidation or a withdrawal decision) to `omni.out.order.<dstEid>` with
   * `Nats-Msg-Id` = order id, and waits for the stream's ack. A failed publish is retried with
   * backoff until it succeeds or the node stops: an order must not be lost, and a retry of the
   * same id is deduplicated by the stream.
   * @throws EventSchemaError when the order cannot be encoded (a bug, never retried).
   */
  async publish(decision: Order): Promise<void> {
    const order = toOutputOrder(decision);
    const data = encodeOrder(order);
    const subject = subjects.order(order.dstEid);
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await this.nats.publish(subject, data, { msgID: order.orderId, stream: STREAMS.OUT.name });
        if (ack.duplicate) this.duplicates += 1;
        else this.published += 1;
        this.logger.log(
          `order ${order.orderId} → ${subject}: ${describe(order)}` +
            (ack.duplicate ? ' (already published)' : ` (OMNI_OUT seq ${ack.seq})`),
        );
        return;
      } catch (error) {
        if (this.stopping) throw error;
        const delayMs = Math.min(5000, 100 * 2 ** attempt);
        this.logger.warn(
          `publish of order ${order.orderId} failed (${(error as Error).message}); retrying in ${delayMs} ms`,
        );
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  }

  /** Stops retrying (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  stats(): { published: number; duplicates: number } {
    return { published: this.published, duplicates: this.duplicates };
  }
}

/** The wire form of an engine order. */
export function toOutputOrder(o: Order): OutputOrder {
  const common = {
    orderId: o.id as Hex,
    dstEid: o.chain,
    account: o.account as Address,
    token: o.token as Address,
    amount: o.amount,
    inputSeq: o.inputSeq,
  };
  if (o.kind === 'liquidate')
    return {
      kind: 'liquidate',
      ...common,
      recipient: o.recipient as Address,
      insuranceAmount: o.insuranceAmount,
    };
  if (o.requestId === null) throw new EventSchemaError(`withdrawal decision ${o.id} has no vault request id`);
  return {
    kind: 'withdraw-decision',
    ...common,
    requestId: o.requestId,
    approved: o.approved,
  };
}

function describe(o: OutputOrder): string {
  return o.kind === 'liquidate'
    ? `seize ${o.amount} of ${o.token} from ${o.account} (${o.insuranceAmount} to insurance)`
    : `${o.approved ? 'approve' : 'reject'} withdrawal ${o.requestId} of ${o.amount} ${o.token} for ${o.account}`;
}
