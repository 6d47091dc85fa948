import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { EventSchemaError, STREAMS, parseInputEvent, type InputEvent } from '@omniclear/protocol';

import { InputStreamError } from '../errors.js';
import { NatsClient } from '../nats/nats.client.js';
import { DeadLetters } from './dead-letters.js';
import { LedgerService } from './ledger.service.js';
import { LedgerTelemetry } from './ledger-telemetry.js';
import { OrderPublisher } from './order-publisher.js';

/** What the consumer has done so far (for /health). */
export interface ConsumerStatus {
  state: 'starting' | 'replaying' | 'live' | 'stopped' | 'failed';
  /** OMNI_IN sequence of the last message handled (applied or dead-lettered). */
  lastInputSeq: string;
  /** OMNI_IN's last sequence when the node started: the replay is done once it is reached. */
  replayTarget: string;
  processed: number;
  deadLettered: number;
  error: string | null;
}

/**
 * Follows OMNI_IN from its first message, in order, and applies each event to the ledger; the
 * node's state is a pure function of the stream, so a start is a full replay. Each decision is
 * published before the next input is taken, so orders leave in input order. Malformed inputs go
 * to the dead-letter subject and are skipped.
 */
@Injectable()
export class InputConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InputConsumer.name);
  private messages: ConsumerMessages | undefined;
  private stopping = false;
  private status: ConsumerStatus = {
    state: 'starting',
    lastInputSeq: '0',
    replayTarget: '0',
    processed: 0,
    deadLettered: 0,
    error: null,
  };
  private target = 0;
  private finishedPromise: Promise<void> = Promise.resolve();

  constructor(
    private readonly nats: NatsClient,
    private readonly ledger: LedgerService,
    private readonly orders: OrderPublisher,
    private readonly deadLetters: DeadLetters,
    private readonly telemetry: LedgerTelemetry,
  ) {}

  /** Settles when consumption ends: resolves on shutdown, rejects when the stream cannot be followed. */
  get finished(): Promise<void> {
    return this.finishedPromise;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.target = (await this.nats.streamInfo(STREAMS.IN.name)).state.last_seq;
    this.status = { ...this.status, state: this.target > 0 ? 'replaying' : 'live', replayTarget: String(this.target) };
    const consumer = await this.nats.orderedConsumer(STREAMS.IN.name);
    this.messages = await consumer.consume();
    void this.watch(this.messages);
    this.logger.log(`following ${STREAMS.IN.name} from the start (replaying ${this.target} messages)`);
    this.finishedPromise = this.run(this.messages).then(
      () => {
        this.status = { ...this.status, state: 'stopped' };
      },
      (error: Error) => {
        this.status = { ...this.status, state: 'failed', error: error.message };
        this.logger.error(`input consumer failed: ${error.message}`, error.stack);
        throw error;
      },
    );
    // Observed through /health and by main.ts; keep an unobserved failure from crashing tests.
    this.finishedPromise.catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.orders.stop();
    await this.messages?.close();
    await this.finishedPromise.catch(() => undefined);
  }

  getStatus(): ConsumerStatus {
    return { ...this.status, deadLettered: this.deadLetters.count };
  }

  /** Logs what the library does to keep the ordered consumer going (resets after a reconnect…). */
  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const s of messages.status()) {
      // 'next' (a pull) and 'heartbeat' are routine; the rest (resets, missed heartbeats…) matter.
      if (s.type === 'next' || s.type === 'heartbeat') this.logger.debug(`${STREAMS.IN.name} consumer: ${s.type}`);
      else this.logger.warn(`${STREAMS.IN.name} consumer: ${JSON.stringify(s)}`);
    }
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      try {
        await this.handle(msg);
      } catch (error) {
        // A publish abandoned because the node is stopping: the replay at the next start redoes it.
        if (this.stopping) return;
        throw error;
      }
      if (this.stopping) return;
    }
    if (!this.stopping) throw new InputStreamError(`${STREAMS.IN.name} consumer ended unexpectedly`);
  }

  private async handle(msg: JsMsg): Promise<void> {
    const receivedAt = this.telemetry.received();
    const seq = msg.seq;
    let event: InputEvent;
    try {
      event = parseInputEvent(msg.data);
    } catch (error) {
      if (!(error instanceof EventSchemaError)) throw error;
      return this.skip(msg, error);
    }
    // A rejected event (valid on the wire, not for this book) is dead-lettered after the orders
    // it still released (a vault number that closed a sequence gap) are published.
    const applyStart = this.telemetry.now();
    const { orders, rejected } = this.ledger.apply(event, BigInt(seq));
    if (!rejected) this.telemetry.applied(event, applyStart);
    for (const order of orders) {
      const duplicates = this.orders.stats().duplicates;
      try {
        await this.orders.publish(order);
        this.telemetry.orderPublished(order.id, order.kind, BigInt(seq), this.orders.stats().duplicates === duplicates);
      } catch (error) {
        // an order the wire format refuses is a bug: keep it visible, keep the node going
        if (!(error instanceof EventSchemaError)) throw error;
        this.deadLetters.send({ stream: STREAMS.IN.name, seq: msg.seq, subject: msg.subject, data: msg.data }, error);
      }
    }
    this.telemetry.decided(
      event,
      BigInt(seq),
      orders.map((o) => o.account),
      receivedAt,
    );
    if (rejected) return this.skip(msg, rejected);
    this.advance(seq);
  }

  private skip(msg: JsMsg, error: Error): void {
    this.deadLetters.send({ stream: STREAMS.IN.name, seq: msg.seq, subject: msg.subject, data: msg.data }, error);
    this.advance(msg.seq);
  }

  private advance(seq: number): void {
    this.status.processed += 1;
    this.status.lastInputSeq = String(seq);
    if (this.status.state === 'replaying' && seq >= this.target) {
      this.status.state = 'live';
      this.logger.log(`replay done at ${STREAMS.IN.name}#${seq}; state ${this.ledger.stateHash()}`);
    }
  }
}
