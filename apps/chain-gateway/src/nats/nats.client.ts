import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type Consumer,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StoredMsg,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@omniclear/protocol';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { PublishError } from '../errors.js';

/** JetStream API error code: a stream of that name exists with a different configuration. */
const STREAM_NAME_IN_USE = 10058;

/**
 * The two streams, defined as the clearing node defines them: whoever starts first creates them,
 * and an identical `add` is a no-op. `OMNI_IN` dedupes republished chain events for 2 minutes
 * (a gateway restart re-reads at most its last block); `OMNI_OUT` dedupes an order id for an hour.
 */
export const STREAM_DEFINITIONS = [STREAMS.IN, STREAMS.OUT] as const;

/** What a dead letter says: the reason, and enough of the original to replay it by hand. */
export interface DeadLetter {
  readonly service: 'chain-gateway';
  readonly reason: string;
  readonly [key: string]: unknown;
}

/**
 * All of the gateway's NATS I/O: one connection (reconnecting forever), stream bootstrap,
 * acknowledged publishes with a message id, stream reads, the executor's consumer and dead letters.
 */
@Injectable()
export class NatsClient implements OnApplicationShutdown {
  private readonly logger = new Logger(NatsClient.name);
  private connection?: Promise<NatsConnection>;
  private js?: JetStreamClient;
  private jsm?: JetStreamManager;
  private connected = false;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /**
   * Connects once and then reconnects forever on its own. A failed first connection is not cached:
   * the caller's retry loop (with backoff, and abortable at shutdown) simply calls again.
   */
  private async nc(): Promise<NatsConnection> {
    this.connection ??= connect({
      servers: this.config.natsServers,
      name: 'chain-gateway',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    }).then(
      (nc) => {
        void this.watchStatus(nc);
        return nc;
      },
      (err: unknown) => {
        this.connection = undefined;
        throw err;
      },
    );
    return this.connection;
  }

  private async manager(): Promise<JetStreamManager> {
    this.jsm ??= await jetstreamManager(await this.nc(), { timeout: 5_000 });
    return this.jsm;
  }

  private async client(): Promise<JetStreamClient> {
    this.js ??= jetstream(await this.nc(), { timeout: 5_000 });
    return this.js;
  }

  /** Whether the connection is currently up (for `/health`). */
  isConnected(): boolean {
    return this.connected;
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    this.connected = true;
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.connected = false;
        this.logger.warn(`NATS disconnected from ${s.server}`);
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.logger.log(`NATS reconnected to ${s.server}`);
      }
    }
    this.connected = false;
  }

  /** Creates `OMNI_IN` and `OMNI_OUT` if missing; an existing stream is left as its creator configured it. */
  async ensureStreams(): Promise<void> {
    const jsm = await this.manager();
    for (const def of STREAM_DEFINITIONS) {
      try {
        await jsm.streams.add({
          name: def.name,
          subjects: [...def.subjects],
          duplicate_window: nanos(def.duplicateWindowMs),
        });
      } catch (err) {
        // 10058: the name is taken by a stream with another configuration (e.g. more replicas in production).
        if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
        this.logger.log(`stream ${def.name} exists with its own configuration; using it as is`);
      }
    }
  }

  /**
   * Publishes `data` to a stream subject and waits for the stream's acknowledgement; a repeat of
   * `msgId` within the duplicate window is acknowledged as a duplicate and stored once.
   * @returns the stream sequence and whether the server saw it as a duplicate.
   */
  async publish(
    subject: string,
    data: string | Uint8Array,
    msgId: string,
  ): Promise<{ seq: number; duplicate: boolean }> {
    const js = await this.client();
    try {
      const ack = await js.publish(subject, data, { msgID: msgId });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (cause) {
      throw new PublishError(`publish to ${subject} (${msgId}) was not acknowledged`, {
        cause,
        details: { subject, msgId },
      });
    }
  }

  /** The last message stored on `subject` in `stream`, or undefined when there is none. */
  async lastMessage(stream: string, subject: string): Promise<StoredMsg | undefined> {
    const jsm = await this.manager();
    try {
      return (await jsm.streams.getMessage(stream, { last_by_subj: subject })) ?? undefined;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) return undefined;
      throw err;
    }
  }

  /**
   * Creates (or updates) the executor's durable pull consumer: explicit acks, bounded deliveries,
   * an ack wait long enough to cover a dispatch and its receipt.
   */
  async durableConsumer(opts: {
    stream: string;
    durable: string;
    filterSubject: string;
    maxDeliver: number;
    ackWaitMs: number;
  }): Promise<Consumer> {
    const jsm = await this.manager();
    const config = {
      durable_name: opts.durable,
      filter_subject: opts.filterSubject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: opts.maxDeliver,
      ack_wait: nanos(opts.ackWaitMs),
    };
    try {
      await jsm.consumers.add(opts.stream, config);
    } catch (err) {
      // The durable exists with older settings: keep its position, bring its settings up to date.
      if (!(err instanceof JetStreamApiError)) throw err;
      const { durable_name: _unused, ...updatable } = config;
      await jsm.consumers.update(opts.stream, opts.durable, updatable);
    }
    return (await this.client()).consumers.get(opts.stream, opts.durable);
  }

  /** The state of durable consumer `durable` on `stream` (delivered and ack floor sequences…). */
  async consumerInfo(stream: string, durable: string) {
    return (await this.manager()).consumers.info(stream, durable);
  }

  /**
   * The messages of `stream` stored since `since`, up to stream sequence `toSeq`, in order (an
   * ephemeral ordered consumer, closed when done). Unfiltered: a subject filter on an ordered
   * consumer needs nats-server 2.10; callers skip the subjects they do not want.
   */
  async *readRange(stream: string, since: Date, toSeq: number): AsyncGenerator<JsMsg> {
    const consumer = await (
      await this.client()
    ).consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
    });
    if ((await consumer.info()).num_pending === 0) return;
    const messages = await consumer.consume();
    try {
      for await (const m of messages) {
        if (m.seq > toSeq) return;
        yield m;
        if (m.seq === toSeq || m.info.pending === 0) return;
      }
    } finally {
      await messages.close();
    }
  }

  /** Publishes a dead letter on core NATS (`omni.dlq.<service>`); best effort, never blocks the caller's progress. */
  async deadLetter(subject: string, letter: DeadLetter): Promise<void> {
    const nc = await this.nc();
    nc.publish(
      subject,
      JSON.stringify(letter, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    );
    this.logger.error(`dead letter on ${subject}: ${letter.reason}`);
  }

  /** Drains the connection (in-flight publishes and acks complete) once every consumer of it has stopped. */
  async onApplicationShutdown(): Promise<void> {
    const nc = await this.connection?.catch(() => undefined);
    if (nc && !nc.isClosed()) await nc.drain();
  }
}
