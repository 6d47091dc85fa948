import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Order } from '@omniclear/margin-engine';
import {
  EventSchemaError,
  MalformedPayloadError,
  OrderSigningKey,
  STREAMS,
  encodeOrder,
  hashOrder,
  msgIds,
  orderDomainSeparator,
  subjects,
  type OrderDomain,
  type OutputOrder,
  type UnsignedOrder,
} from '@omniclear/protocol';
import type { Address, Hex } from 'viem';

import { NODE_CONFIG, type NodeConfig } from '../config.js';
import { NatsClient } from '../nats/nats.client.js';
import { SignerThread, type SignerThreadOptions } from './signer-thread.js';

/** Injection token of the signer thread's options (optional: the defaults suit a node). */
export const SIGNER_THREAD_OPTIONS = Symbol('SIGNER_THREAD_OPTIONS');

/** An order signed by this node, encoded, with where it goes: ready for {@link OrderPublisher.publishSigned}. */
export interface SignedOrder {
  readonly order: OutputOrder;
  readonly data: Uint8Array;
  readonly subject: string;
  readonly msgID: string;
}

/**
 * Publishes the node's decisions to OMNI_OUT, one signed copy per order: this node's clearing
 * signer signs the order's EIP-712 digest, and the copy's msg id is `<orderId>:<signer>`, so the
 * copies of every signer land while this node's own re-publish is dropped.
 *
 * The digest is computed here; the signature is made on a {@link SignerThread}, so the thread
 * that applies inputs only hands digests over. Signing is split from publishing ({@link sign},
 * then {@link publishSigned}) so that a caller publishing orders one after another can start
 * signing each as soon as it is decided, overlapping the broker round-trips of the orders ahead
 * of it. Should the signer thread fail, the order is signed in this thread instead (the same
 * bytes: RFC 6979 signatures are deterministic).
 */
@Injectable()
export class OrderPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderPublisher.name);
  private stopping = false;
  private published = 0;
  private duplicates = 0;
  private signedInThread = 0;
  private readonly key: OrderSigningKey;
  private readonly thread: SignerThread;
  private readonly domain: OrderDomain;
  /** The last signer-thread failure logged (one thread failure rejects many requests at once). */
  private lastThreadError: unknown = null;

  constructor(
    private readonly nats: NatsClient,
    @Inject(NODE_CONFIG) config: NodeConfig,
    @Optional() @Inject(SIGNER_THREAD_OPTIONS) threadOptions?: SignerThreadOptions,
  ) {
    this.key = new OrderSigningKey(config.signing.key);
    this.domain = { chainId: config.signing.hub.chainId, verifyingContract: config.signing.hub.address };
    orderDomainSeparator(this.domain); // a bad hub domain fails at boot, not at the first order
    this.thread = new SignerThread(config.signing.key, threadOptions);
  }

  /** Starts the signer thread at boot, so the first order does not wait for it to start. */
  onApplicationBootstrap(): void {
    this.thread.warm();
  }

  /** The address of this node's clearing signer. */
  get signerAddress(): Address {
    return this.key.address;
  }

  /**
   * Signs `decision` (a liquidation or a withdrawal decision) and publishes it to
   * `omni.out.order.<dstEid>` with `Nats-Msg-Id` = `<orderId>:<signer>`, and waits for the
   * stream's ack: {@link sign} then {@link publishSigned}. Resolves to whether the stream stored
   * it (false: it already held that copy).
   * @throws EventSchemaError when the order cannot be signed or encoded (a bug, never retried).
   */
  async publish(decision: Order): Promise<boolean> {
    return this.publishSigned(await this.sign(decision));
  }

  /**
   * Starts signing `decision` at once (the signature is made on the signer thread) and resolves
   * to the signed, encoded copy. Call it as soon as the order is decided and
   * {@link publishSigned} the copies in order: the signing of later orders then overlaps the
   * publishing of earlier ones. A rejection is already observed, so a copy never awaited (the
   * node stopping) is no unhandled rejection.
   *
   * The expiry signed is the book's (`order.expiry`: the time of the input the order id names plus
   * the TTL, the deadline the book also expires it by): a pure function of the stream, so every
   * node — and this one re-publishing after a restart — signs the same order.
   * @throws EventSchemaError when the order has no expiry or cannot be signed or encoded (a bug,
   *   never retried).
   */
  sign(decision: Order): Promise<SignedOrder> {
    const signing = this.signNow(decision);
    signing.catch(() => undefined);
    return signing;
  }

  /**
   * Publishes a copy made by {@link sign} and waits for the stream's ack; resolves to whether the
   * stream stored it (false: it already held that copy). A failed publish is retried with backoff
   * until it succeeds or the node stops: an order must not be lost, and a retry of the same copy is
   * deduplicated by the stream.
   */
  async publishSigned({ order, data, subject, msgID }: SignedOrder): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await this.nats.publish(subject, data, { msgID, stream: STREAMS.OUT.name });
        if (ack.duplicate) this.duplicates += 1;
        else this.published += 1;
        this.logger.log(
          `order ${order.orderId} → ${subject}: ${describe(order)}` +
            (ack.duplicate ? ' (already published)' : ` (OMNI_OUT seq ${ack.seq})`),
        );
        return !ack.duplicate;
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

  private async signNow(decision: Order): Promise<SignedOrder> {
    if (decision.expiry === undefined)
      throw new EventSchemaError(`order ${decision.id} has no expiry (the book dates every order it issues)`);
    const unsigned = toOutputOrder(decision, decision.expiry);
    let digest: Hex;
    try {
      digest = hashOrder(unsigned, this.domain);
    } catch (error) {
      if (!(error instanceof MalformedPayloadError)) throw error;
      throw new EventSchemaError(`order ${unsigned.orderId} cannot be signed: ${error.message}`, {
        details: error.details,
        cause: error,
      });
    }
    const signature = await this.signDigest(digest, unsigned.orderId);
    const order = { ...unsigned, signer: this.key.address, signature } as OutputOrder;
    return {
      order,
      data: encodeOrder(order),
      subject: subjects.order(order.dstEid),
      msgID: msgIds.order(order.orderId, order.signer),
    };
  }

  /** `digest` signed on the signer thread, or in this thread when that one is unavailable or failed. */
  private async signDigest(digest: Hex, orderId: Hex): Promise<Hex> {
    if (this.thread.available) {
      try {
        return await this.thread.sign(digest);
      } catch (error) {
        // stopping: abandoned like a publish (the replay at the next start redoes it)
        if (this.stopping) throw error;
        if (error !== this.lastThreadError) {
          this.lastThreadError = error;
          this.logger.warn(
            `signer thread: ${(error as Error).message} (order ${orderId} and any others it held are signed in this thread` +
              (this.thread.available
                ? '; a new thread starts with the next order)'
                : '; no new thread: it failed too often)'),
          );
        }
      }
    }
    this.signedInThread += 1;
    return this.key.signDigest(digest);
  }

  /** Stops retrying (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  /** Terminates the signer thread, once the consumers that publish have stopped. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.thread.close();
  }

  /** Orders published, publishes the stream dropped as duplicates, and orders signed in this thread (not the signer thread). */
  stats(): { published: number; duplicates: number; signedInThread: number } {
    return { published: this.published, duplicates: this.duplicates, signedInThread: this.signedInThread };
  }
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
