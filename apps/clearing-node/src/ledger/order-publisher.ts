import { Injectable, Logger } from '@nestjs/common';
import type { LiquidateAction } from '@omniclear/margin-engine';
import { STREAMS, encodeOrder, subjects, type LiquidationOrder } from '@omniclear/protocol';
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
   * Publishes `action` as a LiquidationOrder to `omni.out.order.<dstEid>` with
   * `Nats-Msg-Id` = order id, and waits for the stream's ack. A failed publish is retried with
   * backoff until it succeeds or the node stops: an order must not be lost, and a retry of the
   * same id is deduplicated by the stream.
   */
  async publish(action: LiquidateAction): Promise<void> {
    const order: LiquidationOrder = {
      kind: 'liquidate',
      orderId: action.orderId as Hex,
      dstEid: action.dstEid,
      account: action.account as Address,
      token: action.token as Address,
      amount: action.amount,
      recipient: action.recipient as Address,
      inputSeq: action.inputSeq,
    };
    const data = encodeOrder(order);
    const subject = subjects.order(order.dstEid);
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await this.nats.publish(subject, data, { msgID: order.orderId, stream: STREAMS.OUT.name });
        if (ack.duplicate) this.duplicates += 1;
        else this.published += 1;
        this.logger.log(
          `order ${order.orderId} → ${subject}: seize ${order.amount} of ${order.token} from ${order.account}` +
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
