import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Order } from '@omniclear/margin-engine';
import {
  EventSchemaError,
  STREAMS,
  encodeOrder,
  msgIds,
  parseInputEvent,
  signOrder,
  subjects,
  type InputEvent,
  type OrderDomain,
  type OutputOrder,
  type UnsignedOrder,
} from '@omniclear/protocol';
import type { Address, Hex, PrivateKeyAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { NODE_CONFIG, type NodeConfig } from '../config.js';
import { NatsClient } from '../nats/nats.client.js';

/** The input an order was decided on: its OMNI_IN sequence and its event time. */
export interface Trigger {
  readonly seq: bigint;
  readonly time: bigint;
}

/**
 * Publishes the node's decisions to OMNI_OUT, one signed copy per order: this node's clearing
 * signer signs the order's EIP-712 digest, and the copy's msg id is `<orderId>:<signer>`, so the
 * copies of every signer land while this node's own re-publish is dropped.
 */
@Injectable()
export class OrderPublisher {
  private readonly logger = new Logger(OrderPublisher.name);
  private stopping = false;
  private published = 0;
  private duplicates = 0;
  private readonly signer: PrivateKeyAccount;
  private readonly domain: OrderDomain;
  private readonly ttl: bigint;

  constructor(
    private readonly nats: NatsClient,
    @Inject(NODE_CONFIG) config: NodeConfig,
  ) {
    this.signer = privateKeyToAccount(config.signing.key);
    this.domain = { chainId: config.signing.hub.chainId, verifyingContract: config.signing.hub.address };
    this.ttl = config.signing.orderTtlSeconds;
  }

  /** The address of this node's clearing signer. */
  get signerAddress(): Address {
    return this.signer.address;
  }

  /**
   * Signs `decision` (a liquidation or a withdrawal decision) and publishes it to
   * `omni.out.order.<dstEid>` with `Nats-Msg-Id` = `<orderId>:<signer>`, and waits for the
   * stream's ack. A failed publish is retried with backoff until it succeeds or the node stops:
   * an order must not be lost, and a retry of the same copy is deduplicated by the stream.
   *
   * The expiry is the time of the input the order id names (`inputSeq`) plus the TTL: a pure
   * function of the stream, so every node — and this one re-publishing after a restart — signs
   * the same order. `trigger` is that input when the caller holds it; otherwise (a re-publish, a
   * decision released later than its request) the input is read back from OMNI_IN.
   * @throws EventSchemaError when the order cannot be encoded (a bug, never retried).
   */
  async publish(decision: Order, trigger?: Trigger): Promise<void> {
    const time = trigger?.seq === decision.inputSeq ? trigger.time : await this.inputTime(decision.inputSeq);
    const order = await signOrder(this.signer, toOutputOrder(decision, time + this.ttl), this.domain);
    const data = encodeOrder(order);
    const subject = subjects.order(order.dstEid);
    const msgID = msgIds.order(order.orderId, order.signer);
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await this.nats.publish(subject, data, { msgID, stream: STREAMS.OUT.name });
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

  /** The event time of the OMNI_IN input at `seq` (read back from the stream, retried until it answers). */
  private async inputTime(seq: bigint): Promise<bigint> {
    for (let attempt = 0; ; attempt++) {
      let data: Uint8Array | null;
      try {
        data = await this.nats.messageAt(STREAMS.IN.name, Number(seq));
      } catch (error) {
        if (this.stopping) throw error;
        const delayMs = Math.min(5000, 100 * 2 ** attempt);
        this.logger.warn(
          `reading ${STREAMS.IN.name}#${seq} failed (${(error as Error).message}); retrying in ${delayMs} ms`,
        );
        await new Promise((r) => setTimeout(r, delayMs));
        continue;
      }
      if (data === null) throw new EventSchemaError(`no input at ${STREAMS.IN.name}#${seq} to date an order by`);
      return inputTimeOf(parseInputEvent(data));
    }
  }
}

/** The time an input carries: a chain event's block timestamp, a price's or mark's publish time. */
export function inputTimeOf(event: InputEvent): bigint {
  return event.kind === 'hub' ? event.blockTimestamp : event.publishTime;
}

/** The wire form of an engine order, unsigned, expiring at `expiry` (unix seconds). */
export function toOutputOrder(o: Order, expiry: bigint): UnsignedOrder {
  const common = {
    orderId: o.id as Hex,
    dstEid: o.chain,
    account: o.account as Address,
    token: o.token as Address,
    amount: o.amount,
    inputSeq: o.inputSeq,
    expiry,
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
  const until = ` until ${o.expiry}, signed by ${o.signer}`;
  return o.kind === 'liquidate'
    ? `seize ${o.amount} of ${o.token} from ${o.account} (${o.insuranceAmount} to insurance)${until}`
    : `${o.approved ? 'approve' : 'reject'} withdrawal ${o.requestId} of ${o.amount} ${o.token} for ${o.account}${until}`;
}
