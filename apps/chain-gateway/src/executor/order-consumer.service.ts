import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { parseOrder, STREAMS, subjects, type OutputOrder } from '@omniclear/protocol';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { HubRevertError } from '../errors.js';
import { NatsClient } from '../nats/nats.client.js';
import { Backoff, describeError, sleep } from '../util/backoff.js';
import { HubClient } from '../hub/hub.client.js';
import { OrderExecutor } from './order-executor.js';
import { SignerSetCache } from './signer-set.js';

const SERVICE = 'chain-gateway';
const ORDER_SUBJECT_PREFIX = subjects.allOrders.slice(0, -1);
/** Longer than a dispatch takes (simulate, send, 60 s receipt timeout), so a slow order is not redelivered mid-flight. */
const ACK_WAIT_MS = 90_000;

/** Counters of what the consumer did, for `/health` and the tests. */
export interface ExecutorStats {
  dispatched: number;
  alreadyDispatched: number;
  /** Valid signed copies held until their order has `threshold` signatures. */
  collected: number;
  /** Copies refused for good (expired, bad signature, not a signer), each dead-lettered. */
  refused: number;
  /** Copies re-read from OMNI_OUT at start (consumed before a restart). */
  recollected: number;
  retried: number;
  deadLettered: number;
}

/**
 * The executor's message handler: a durable, explicitly acknowledged pull consumer on `OMNI_OUT`
 * signed copies, one at a time (one submitter key, so sends are serial anyway). Maps each outcome
 * of {@link OrderExecutor} to the JetStream verdict: dispatched, already dispatched or collected
 * (held for more signatures) → ack; retryable → nak with a delay, up to `maxDeliver` deliveries;
 * malformed, refused (expired, bad signature, not a signer) or out of deliveries → dead letter
 * with the reason, and term.
 */
@Injectable()
export class OrderConsumerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OrderConsumerService.name);
  private readonly abort = new AbortController();
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private recollected = false;
  readonly stats: ExecutorStats = {
    dispatched: 0,
    alreadyDispatched: 0,
    collected: 0,
    refused: 0,
    recollected: 0,
    retried: 0,
    deadLettered: 0,
  };

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly nats: NatsClient,
    private readonly executor: OrderExecutor,
    private readonly hub: HubClient,
    private readonly signers: SignerSetCache,
  ) {}

  onApplicationBootstrap(): void {
    void this.readSigners();
    this.loop = this.run(this.abort.signal);
  }

  /**
   * Reads the hub's signer set at start (logged), so a hub without the expected signers shows at
   * once. Advisory: an unreachable RPC at start-up must not stop the gateway; the first order
   * reads the set again.
   */
  private async readSigners(): Promise<void> {
    try {
      const known = await this.signers.current();
      this.logger.log(
        `submitting as ${this.hub.submitter}; orders need ${known.threshold} of ${known.signers.size} hub signers`,
      );
    } catch (err) {
      this.logger.warn(`could not read the hub's signer set (${describeError(err)})`);
    }
  }

  /** Stops pulling, lets the order in hand finish (and be acked), then returns. */
  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await this.messages?.close();
    await this.loop;
    this.logger.log('executor stopped');
  }

  private async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(250, 15_000);
    while (!signal.aborted) {
      try {
        await this.nats.ensureStreams();
        const consumer = await this.nats.durableConsumer({
          stream: STREAMS.OUT.name,
          durable: this.config.executor.consumer,
          filterSubject: subjects.allOrders,
          maxDeliver: this.config.executor.maxDeliver,
          ackWaitMs: ACK_WAIT_MS,
        });
        if (signal.aborted) return;
        await this.recollect(signal);
        this.messages = await consumer.consume({ max_messages: 1 });
        this.logger.log(`executing orders from ${STREAMS.OUT.name} as ${this.config.executor.consumer}`);
        backoff.reset();
        for await (const msg of this.messages) {
          await this.handle(msg);
          if (signal.aborted) break;
        }
      } catch (err) {
        if (signal.aborted) return;
        const delay = backoff.next();
        this.logger.warn(`order consumer failed (${describeError(err)}); restarting in ${delay} ms`);
        await sleep(delay, signal);
      }
    }
  }

  /**
   * Once per process, before consuming: re-reads the copies the durable consumer had already been
   * delivered (within `recollectSeconds`) and collects them again, so the signatures held in
   * memory before a restart still count towards their orders' thresholds. Dispatches nothing and
   * refuses nothing: each of these copies was handled (acked or dead-lettered) when it first came.
   */
  private async recollect(signal: AbortSignal): Promise<void> {
    if (this.recollected) return;
    const info = await this.nats.consumerInfo(STREAMS.OUT.name, this.config.executor.consumer);
    const upTo = info.delivered.stream_seq;
    if (upTo > 0) {
      const since = new Date(Date.now() - this.config.executor.recollectSeconds * 1000);
      let copies = 0;
      for await (const m of this.nats.readRange(STREAMS.OUT.name, since, upTo)) {
        if (signal.aborted) return;
        if (!m.subject.startsWith(ORDER_SUBJECT_PREFIX)) continue;
        let order: OutputOrder;
        try {
          order = parseOrder(m.data);
        } catch {
          continue;
        }
        copies += 1;
        await this.executor.execute(order, { collectOnly: true });
      }
      this.stats.recollected = copies;
      if (copies > 0) {
        this.logger.log(
          `re-read ${copies} copies already consumed (up to ${STREAMS.OUT.name}#${upTo}); ${this.executor.collecting} orders wait for more signatures`,
        );
      }
    }
    this.recollected = true;
  }

  /** Handles one delivery; never throws (every path ends in ack, nak or term). */
  async handle(msg: JsMsg): Promise<void> {
    let order: OutputOrder;
    try {
      order = parseOrder(msg.data);
    } catch (err) {
      return this.deadLetter(msg, `malformed order: ${describeError(err)}`);
    }
    try {
      const outcome = await this.executor.execute(order);
      if (outcome.status === 'refused') {
        this.stats.refused += 1;
        return this.deadLetter(msg, outcome.reason);
      }
      if (outcome.status === 'dispatched') this.stats.dispatched += 1;
      else if (outcome.status === 'collected') this.stats.collected += 1;
      else {
        this.stats.alreadyDispatched += 1;
        this.logger.log(`order ${order.orderId} already dispatched; acknowledging`);
      }
      msg.ack();
    } catch (err) {
      const reason = err instanceof HubRevertError ? `hub reverted: ${err.errorName}` : describeError(err);
      if (msg.info.deliveryCount >= this.config.executor.maxDeliver) {
        return this.deadLetter(msg, `order ${order.orderId} failed ${msg.info.deliveryCount} times, last: ${reason}`);
      }
      this.stats.retried += 1;
      this.logger.warn(
        `order ${order.orderId} failed (delivery ${msg.info.deliveryCount}/${this.config.executor.maxDeliver}): ${reason}`,
      );
      msg.nak(this.config.executor.retryDelayMs);
    }
  }

  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    this.stats.deadLettered += 1;
    const letter = {
      service: SERVICE,
      reason,
      stream: msg.info.stream,
      streamSeq: msg.seq,
      subject: msg.subject,
      deliveryCount: msg.info.deliveryCount,
      msgId: msg.headers?.get('Nats-Msg-Id') ?? null,
      data: new TextDecoder().decode(msg.data),
    } as const;
    try {
      await this.nats.deadLetter(subjects.dlq(SERVICE), letter);
    } catch (err) {
      // The order itself is still in OMNI_OUT at streamSeq; the log keeps the reason.
      this.logger.error(`could not publish dead letter (${describeError(err)}): ${JSON.stringify(letter)}`);
    }
    // The reason travels in the dead letter: `+TERM <reason>` needs nats-server ≥ 2.10 and an older server
    // silently ignores it (the message would stay pending), so terminate plainly.
    msg.term();
  }
}
