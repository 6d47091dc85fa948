import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { parseOrder, STREAMS, subjects, type OutputOrder } from '@omniclear/protocol';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { HubRevertError } from '../errors.js';
import { NatsClient } from '../nats/nats.client.js';
import { Backoff, describeError, sleep } from '../util/backoff.js';
import { HubClient } from '../hub/hub.client.js';
import { OrderExecutor } from './order-executor.js';

const SERVICE = 'chain-gateway';
/** Longer than a dispatch takes (simulate, send, 60 s receipt timeout), so a slow order is not redelivered mid-flight. */
const ACK_WAIT_MS = 90_000;

/** Counters of what the consumer did, for `/health` and the tests. */
export interface ExecutorStats {
  dispatched: number;
  alreadyDispatched: number;
  retried: number;
  deadLettered: number;
}

/**
 * The executor's message handler: a durable, explicitly acknowledged pull consumer on `OMNI_OUT`
 * orders, one order at a time (one operator key, so sends are serial anyway). Maps each outcome of
 * {@link OrderExecutor} to the JetStream verdict: done → ack; retryable → nak with a delay,
 * up to `maxDeliver` deliveries; malformed or out of deliveries → dead letter and term.
 */
@Injectable()
export class OrderConsumerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OrderConsumerService.name);
  private readonly abort = new AbortController();
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  readonly stats: ExecutorStats = { dispatched: 0, alreadyDispatched: 0, retried: 0, deadLettered: 0 };

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly nats: NatsClient,
    private readonly executor: OrderExecutor,
    private readonly hub: HubClient,
  ) {}

  onApplicationBootstrap(): void {
    void this.checkOperator();
    this.loop = this.run(this.abort.signal);
  }

  /**
   * A gateway whose key is not the hub's operator would see every order refused (NotOperator)
   * only after its retries ran out: say so at once. Advisory: the hub stays the authority, and an
   * unreachable RPC at start-up must not stop the gateway.
   */
  private async checkOperator(): Promise<void> {
    try {
      const expected = await this.hub.hubOperator();
      const actual = this.hub.operator;
      if (expected.toLowerCase() !== actual.toLowerCase()) {
        this.logger.error(
          `the hub's operator is ${expected} but this gateway signs as ${actual}: orders will be refused`,
        );
      }
    } catch (err) {
      this.logger.warn(`could not read the hub's operator (${describeError(err)})`);
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
      if (outcome.status === 'dispatched') this.stats.dispatched += 1;
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
