import { createHash } from 'node:crypto';

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { EventSchemaError, STREAMS, parseInputEvent, type InputEvent } from '@omniclear/protocol';

import { NODE_CONFIG, type NodeConfig } from '../config.js';
import { InputStreamError } from '../errors.js';
import { NatsClient } from '../nats/nats.client.js';
import { DeadLetters } from './dead-letters.js';
import { LedgerService } from './ledger.service.js';
import { LedgerTelemetry } from './ledger-telemetry.js';
import { OrderPublisher } from './order-publisher.js';
import { SnapshotStore } from './snapshot-store.js';

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
  /** OMNI_IN sequence of the snapshot the node started from (0: a full replay). */
  snapshotSeq: string;
  /** OMNI_IN sequence of the last snapshot written. */
  lastSnapshotSeq: string;
  /** Pending orders re-published once live that the output stream lacked (null until done). */
  reemitted: number | null;
}

/**
 * Follows OMNI_IN from its first message, in order, and applies each event to the ledger; the
 * node's state is a pure function of the stream, so a start is a full replay. Orders are
 * published one after another on one chain, each after the previous one's ack, so they leave in
 * input order; the next inputs are applied meanwhile (up to {@link MAX_UNSETTLED} inputs ahead),
 * and each order's signing starts as soon as it is decided, overlapping the publishes ahead of it.
 * An input counts as handled (`lastInputSeq`, a snapshot covering it) only once its orders and
 * all earlier ones are in OMNI_OUT. Malformed inputs go to the dead-letter subject and are skipped.
 */
/** Inputs applied but not yet settled (their orders or earlier ones still being published), at most. */
const MAX_UNSETTLED = 1024;
/**
 * Messages asked for per pull of the ordered consumer (the client pulls again when three
 * quarters are delivered): ten times the client's default, a tenth of the pulls — each a socket
 * write and a server round trip — during a replay (~8 % more inputs/s in the bench).
 */
const INPUT_PULL = 1000;

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
    snapshotSeq: '0',
    lastSnapshotSeq: '0',
    reemitted: null,
  };
  private target = 0;
  private snapshots: SnapshotStore | null = null;
  private readonly snapshotEvery: number;
  private sinceSnapshot = 0;
  private snapshotWrite: Promise<void> = Promise.resolve();
  /** The tail of the chain that publishes orders and settles inputs, in input order. */
  private settling: Promise<void> = Promise.resolve();
  /** Inputs applied and not yet settled. */
  private unsettled = 0;
  /** Why the settling chain stopped (a publish that failed for good): the consumer fails with it. */
  private settleError: Error | null = null;
  private finishedPromise: Promise<void> = Promise.resolve();

  constructor(
    private readonly nats: NatsClient,
    private readonly ledger: LedgerService,
    private readonly orders: OrderPublisher,
    private readonly deadLetters: DeadLetters,
    private readonly telemetry: LedgerTelemetry,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {
    this.snapshotEvery = config.snapshotEvery ?? 0;
  }

  /** Settles when consumption ends: resolves on shutdown, rejects when the stream cannot be followed. */
  get finished(): Promise<void> {
    return this.finishedPromise;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.target = (await this.nats.streamInfo(STREAMS.IN.name)).state.last_seq;
    let from = 0;
    if (this.snapshotEvery > 0) {
      this.snapshots = new SnapshotStore(
        await this.nats.kv(this.config.snapshotBucket ?? 'OMNI_SNAPSHOTS'),
        this.config.nodeId,
      );
      from = await this.restore(this.snapshots);
    }
    this.status = {
      ...this.status,
      state: this.target > from ? 'replaying' : 'live',
      replayTarget: String(this.target),
      lastInputSeq: String(from),
      snapshotSeq: String(from),
      lastSnapshotSeq: String(from),
    };
    const consumer = await this.nats.orderedConsumer(STREAMS.IN.name, from + 1);
    this.messages = await consumer.consume({ max_messages: INPUT_PULL });
    void this.watch(this.messages);
    this.logger.log(
      from > 0
        ? `following ${STREAMS.IN.name} from the snapshot at #${from} (replaying ${Math.max(0, this.target - from)} messages)`
        : `following ${STREAMS.IN.name} from the start (replaying ${this.target} messages)`,
    );
    if (this.status.state === 'live') void this.reemit();
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
    await this.snapshotWrite;
  }

  /** Loads the latest snapshot into the ledger; returns the OMNI_IN sequence it covers (0: none). */
  private async restore(store: SnapshotStore): Promise<number> {
    const snap = await store.load(this.ledger.configHash).catch((error: Error) => {
      this.logger.warn(`snapshot unreadable (${error.message}): replaying in full`);
      return null;
    });
    // a snapshot past the stream's end belongs to another stream (e.g. a reset broker)
    if (!snap || snap.seq > this.target) return 0;
    try {
      this.ledger.importState(snap.state);
    } catch (error) {
      this.logger.warn(`snapshot at #${snap.seq} does not restore (${(error as Error).message}): replaying in full`);
      return 0;
    }
    if (this.ledger.stateHash() !== snap.stateHash) {
      this.logger.warn(`snapshot at #${snap.seq} restores to another state hash: replaying in full`);
      this.ledger.reset();
      return 0;
    }
    this.logger.log(`restored the snapshot at ${STREAMS.IN.name}#${snap.seq} (state ${snap.stateHash})`);
    return snap.seq;
  }

  /**
   * Once live: publishes again every order still pending. JetStream drops the ones OMNI_OUT
   * already holds (same msg id, within its window), so what it lacked — lost with an unsynced
   * broker write, or decided before a snapshot and never published — is there again; the hub
   * executes each id at most once anyway.
   */
  private async reemit(): Promise<void> {
    const pending = this.ledger.pendingOrders();
    let added = 0;
    for (const order of pending) {
      if (this.stopping) return;
      try {
        if (await this.orders.publish(order)) added += 1;
      } catch (error) {
        if (this.stopping) return;
        this.logger.error(`re-emitting order ${order.id} failed: ${(error as Error).message}`);
      }
    }
    this.status.reemitted = added;
    if (pending.length > 0)
      this.logger.log(`re-published ${pending.length} pending orders once live; ${added} were missing from OMNI_OUT`);
  }

  /**
   * Every `snapshotEvery` inputs: captures the state now (just after input `seq` is applied) and
   * writes it in the background, in order, once every order of the inputs it covers is published
   * (never, if one fails: the next start replays them).
   */
  private maybeSnapshot(seq: number): void {
    if (!this.snapshots || ++this.sinceSnapshot < this.snapshotEvery) return;
    this.sinceSnapshot = 0;
    const store = this.snapshots;
    const captureStart = this.telemetry.now();
    // one serialization: the state hash is the SHA-256 of this canonical JSON (node:crypto's, the
    // same digest as the engine's pure-JS one, which costs ~10x more over a book this size)
    const state = this.ledger.exportState();
    const stateHash = createHash('sha256').update(state).digest('hex');
    const snap = { seq, state, configHash: this.ledger.configHash, stateHash };
    this.telemetry.snapshotCaptured(captureStart);
    const settled = this.settling;
    this.snapshotWrite = Promise.all([this.snapshotWrite, settled]).then(
      () =>
        store.save(snap).then(
          (bytes) => {
            this.status.lastSnapshotSeq = String(seq);
            this.telemetry.snapshotSaved(seq, bytes);
          },
          (error: Error) => {
            this.logger.warn(`snapshot at #${seq} not written: ${error.message}`);
            this.telemetry.snapshotSaved(seq, null);
          },
        ),
      // its orders were not all published: not written (the failure stops the consumer)
      () => this.telemetry.snapshotSaved(seq, null),
    );
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
        this.handle(msg);
        if (this.unsettled >= MAX_UNSETTLED) await this.settling;
        if (this.settleError) throw this.settleError;
      } catch (error) {
        // A publish abandoned because the node is stopping: the replay at the next start redoes it.
        if (this.stopping) return;
        throw error;
      }
      if (this.stopping) return;
    }
    if (!this.stopping) throw new InputStreamError(`${STREAMS.IN.name} consumer ended unexpectedly`);
  }

  /**
   * Runs `settle` (publishing an input's orders, then marking it handled) after everything settling
   * before it: at once when nothing is, else at the end of the chain.
   */
  private settle(settle: () => void | Promise<void>): void {
    if (this.unsettled === 0) {
      const r = settle();
      if (!r) return;
      this.unsettled += 1;
      this.settling = r;
    } else {
      this.unsettled += 1;
      this.settling = this.settling.then(settle);
    }
    this.settling = this.settling.then(
      () => {
        this.unsettled -= 1;
      },
      (error: Error) => {
        this.settleError ??= error;
        throw error;
      },
    );
    this.settling.catch(() => undefined); // observed through settleError
  }

  private handle(msg: JsMsg): void {
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
    const { orders, rejected, repriced } = this.ledger.apply(event, BigInt(seq));
    if (!rejected) this.telemetry.applied(event, applyStart, repriced);
    const decided = () => {
      this.telemetry.decided(
        event,
        BigInt(seq),
        orders.map((o) => o.account),
        receivedAt,
      );
      if (rejected) this.deadLetters.send(deadLetterOf(msg), rejected);
      this.advance(seq);
    };
    // Signing starts now, on the signer thread, so it overlaps the publishes still ahead of these
    // orders; the copies are published below in input order.
    const signed = orders.map((order) => this.orders.sign(order));
    this.settle(
      orders.length === 0
        ? decided
        : async () => {
            for (const [i, order] of orders.entries()) {
              try {
                const first = await this.orders.publishSigned(await signed[i]!);
                this.telemetry.orderPublished(order.id, order.kind, BigInt(seq), first);
              } catch (error) {
                // an order the wire format refuses is a bug: keep it visible, keep the node going
                if (!(error instanceof EventSchemaError)) throw error;
                this.deadLetters.send(deadLetterOf(msg), error);
              }
            }
            decided();
          },
    );
    this.maybeSnapshot(seq);
  }

  private skip(msg: JsMsg, error: Error): void {
    this.settle(() => {
      this.deadLetters.send(deadLetterOf(msg), error);
      this.advance(msg.seq);
    });
    this.maybeSnapshot(msg.seq);
  }

  /** Input `seq` is handled: its orders, and every earlier one, are published. */
  private advance(seq: number): void {
    this.status.processed += 1;
    this.status.lastInputSeq = String(seq);
    if (this.status.state === 'replaying' && seq >= this.target) {
      this.status.state = 'live';
      this.logger.log(`replay done at ${STREAMS.IN.name}#${seq}; state ${this.ledger.stateHash()}`);
      void this.reemit();
    }
  }
}

function deadLetterOf(msg: JsMsg): { stream: string; seq: number; subject: string; data: Uint8Array } {
  return { stream: STREAMS.IN.name, seq: msg.seq, subject: msg.subject, data: msg.data };
}
