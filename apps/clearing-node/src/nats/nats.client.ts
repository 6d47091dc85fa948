import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type Consumer,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
  type StreamInfo,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { STREAM_CONFIGS } from './streams.js';

/**
 * The broker as the node sees it. `syncIntervalSupported`: the server is 2.10+, whose
 * `sync_interval: always` fsyncs every JetStream write before the ack. Whether it is set is the
 * server's configuration, which a client cannot read (the server's `/varz` shows it); on older
 * servers writes are always acknowledged before they are fsynced.
 */
export interface BrokerInfo {
  readonly version: string;
  readonly syncIntervalSupported: boolean;
}

/** Reads `major.minor` from a server's version string (`2.9.10`, `2.11.0-RC.1`). */
export function brokerInfo(version: string | undefined): BrokerInfo {
  const match = /^v?(\d+)\.(\d+)\./.exec(version ?? '');
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  return { version: version ?? 'unknown', syncIntervalSupported: major > 2 || (major === 2 && minor >= 10) };
}

/** What {@link NatsClient.onConnectionEvent} reports. */
export type ConnectionEvent = 'connected' | 'disconnected' | 'reconnected' | 'closed';

/**
 * The node's one NATS connection and its JetStream handles. All broker I/O of the ledger goes
 * through here; the RPC transport of `@nestjs/microservices` keeps its own connection.
 */
export class NatsClient implements OnApplicationShutdown {
  private readonly logger = new Logger(NatsClient.name);
  private up = true;
  private readonly listeners: Array<(event: ConnectionEvent) => void> = [];

  private constructor(
    readonly connection: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {
    void this.watchStatus();
  }

  /**
   * Connects and makes sure the streams exist with the settings of `streams.ts` (created when
   * missing, updated otherwise: safe to run on every start, by every node).
   * @example const nats = await NatsClient.connect(['nats://127.0.0.1:4222'], 'node-1');
   */
  static async connect(servers: string[], name: string): Promise<NatsClient> {
    const nc = await connect({ servers, name, maxReconnectAttempts: -1 });
    try {
      const jsm = await jetstreamManager(nc);
      const client = new NatsClient(nc, jetstream(nc), jsm);
      const broker = client.broker;
      client.logger.log(
        broker.syncIntervalSupported
          ? `nats-server ${broker.version}: sync_interval: always available (2.10+); the server's config decides whether writes are fsynced before the ack`
          : `nats-server ${broker.version}: no sync_interval before 2.10, writes are acknowledged before fsync; orders missing from OMNI_OUT are re-emitted on restart`,
      );
      await client.ensureStreams();
      return client;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** Creates or updates OMNI_IN and OMNI_OUT. */
  async ensureStreams(): Promise<void> {
    for (const config of STREAM_CONFIGS) {
      try {
        await this.jsm.streams.info(config.name);
        await this.jsm.streams.update(config.name, config);
      } catch (error) {
        if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.StreamNotFound) throw error;
        await this.jsm.streams.add(config);
        this.logger.log(`created stream ${config.name}`);
      }
    }
  }

  /** Current state of a stream (last sequence, message count). */
  streamInfo(stream: string): Promise<StreamInfo> {
    return this.jsm.streams.info(stream);
  }

  /**
   * An ordered consumer of the stream from sequence `fromSeq` (the first message by default):
   * ephemeral, flow-controlled, pulled in batches, and reset by the library at the right sequence
   * after a disconnect.
   */
  orderedConsumer(stream: string, fromSeq = 1): Promise<Consumer> {
    return fromSeq <= 1
      ? this.js.consumers.get(stream, { deliver_policy: DeliverPolicy.All })
      : this.js.consumers.get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq });
  }

  /** A KV bucket (created when missing; one value per key kept). */
  kv(bucket: string): Promise<KV> {
    return new Kvm(this.js).create(bucket, { history: 1 });
  }

  /** Publishes to JetStream with a dedup id and waits for the stream's ack. */
  publish(
    subject: string,
    data: Uint8Array,
    opts: { msgID: string; stream: string; timeoutMs?: number },
  ): Promise<PubAck> {
    return this.js.publish(subject, data, {
      msgID: opts.msgID,
      expect: { streamName: opts.stream },
      timeout: opts.timeoutMs ?? 5000,
    });
  }

  /** The body of the message at `seq` in `stream`, or null when the stream has no such message. */
  async messageAt(stream: string, seq: number): Promise<Uint8Array | null> {
    return (await this.jsm.streams.getMessage(stream, { seq }))?.data ?? null;
  }

  /** Fire-and-forget publish on core NATS (dead letters). */
  publishCore(subject: string, data: Uint8Array): void {
    this.connection.publish(subject, data);
  }

  /** The server currently connected to: its version and whether it can fsync every write. */
  get broker(): BrokerInfo {
    return brokerInfo(this.connection.info?.version);
  }

  /** True while connected to a server (false while reconnecting, and once closed). */
  get isConnected(): boolean {
    return this.up && !this.connection.isClosed();
  }

  /**
   * Calls `listener` with the current state now (`connected` or `disconnected`), then on each
   * change (metrics and readiness follow the connection through it).
   */
  onConnectionEvent(listener: (event: ConnectionEvent) => void): void {
    this.listeners.push(listener);
    listener(this.isConnected ? 'connected' : 'disconnected');
  }

  private async watchStatus(): Promise<void> {
    const emit = (event: ConnectionEvent) => {
      for (const listener of this.listeners) listener(event);
    };
    void this.connection.closed().then(() => {
      this.up = false;
      emit('closed');
    });
    for await (const s of this.connection.status()) {
      if (s.type === 'disconnect') {
        this.up = false;
        this.logger.warn(`disconnected from ${s.server}; reconnecting`);
        emit('disconnected');
      } else if (s.type === 'reconnect') {
        this.up = true;
        this.logger.log(`reconnected to ${s.server}`);
        emit('reconnected');
      }
    }
  }

  /** Drains (lets in-flight publishes finish) and closes; runs after every module has stopped. */
  async onApplicationShutdown(): Promise<void> {
    if (this.connection.isClosed()) return;
    try {
      await this.connection.drain();
    } catch (error) {
      this.logger.warn(`drain failed, closing: ${(error as Error).message}`);
      await this.connection.close();
    }
  }
}
