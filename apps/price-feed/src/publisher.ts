import {
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  encodeInputEvent,
  msgIds,
  parseInputEvent,
  STREAMS,
  subjects,
  type InputEvent,
  type MarkEvent,
  type PriceEvent,
} from '@omniclear/protocol';

import { PublishError } from './errors.js';
import type { Logger } from '@omniclear/observability';

/** JetStream API error code: a stream of that name exists with a different configuration. */
const STREAM_NAME_IN_USE = 10058;

/** The last price of an asset found in the stream. */
export interface LastPrice {
  readonly price: bigint;
  readonly publishTime: bigint;
}

/** The last mark event of a market found in the stream. */
export interface LastMark {
  readonly markPrice: bigint;
  readonly publishTime: bigint;
}

/**
 * All of the feed's NATS I/O: one connection (reconnecting forever), the `OMNI_IN` stream created
 * if missing, acknowledged publishes with the event's message id, and the last price per asset and
 * mark per market.
 */
export class PricePublisher {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly log: Logger,
  ) {}

  /** Connects and makes sure `OMNI_IN` exists (an identical definition is a no-op). */
  static async connect(servers: string[], log: Logger): Promise<PricePublisher> {
    const nc = await connect({ servers, name: 'price-feed', maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    try {
      const publisher = new PricePublisher(
        nc,
        jetstream(nc, { timeout: 5_000 }),
        await jetstreamManager(nc, { timeout: 5_000 }),
        log,
      );
      await publisher.ensureStream();
      return publisher;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  private async ensureStream(): Promise<void> {
    const def = STREAMS.IN;
    try {
      await this.jsm.streams.add({
        name: def.name,
        subjects: [...def.subjects],
        duplicate_window: nanos(def.duplicateWindowMs),
      });
    } catch (err) {
      // Another service created it with its own settings (e.g. replicas in production): use it as is.
      if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
      this.log.info('stream exists with its own configuration; using it as is', { stream: def.name });
    }
  }

  /**
   * Publishes a price to `omni.in.price.<ASSET>` with msg id `price:<ASSET>:<publishTime>`, or a
   * mark to `omni.in.mark.<MARKET>` with msg id `mark:<MARKET>:<publishTime>`, and waits for the
   * stream's acknowledgement; a repeat within the duplicate window is stored once.
   * @throws {PublishError} when the stream does not acknowledge.
   */
  async publish(event: PriceEvent | MarkEvent): Promise<{ seq: number; duplicate: boolean }> {
    const subject = event.kind === 'price' ? subjects.price(event.asset) : subjects.mark(event.market);
    const msgId =
      event.kind === 'price'
        ? msgIds.price(event.asset, event.publishTime)
        : msgIds.mark(event.market, event.publishTime);
    const data = encodeInputEvent(event);
    try {
      const ack = await this.js.publish(subject, data, { msgID: msgId });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (cause) {
      throw new PublishError(`publish to ${subject} (${msgId}) was not acknowledged`, {
        cause,
        details: { subject, msgId },
      });
    }
  }

  /**
   * The newest price of `asset` in the stream, so a restart resumes after it (and a single source
   * stays bounded by it); undefined when there is none.
   */
  async lastPrice(asset: string): Promise<LastPrice | undefined> {
    const event = await this.lastOn(subjects.price(asset));
    return event?.kind === 'price' ? { price: event.price, publishTime: event.publishTime } : undefined;
  }

  /**
   * The newest mark event of `market` in the stream, so a restart resumes after it (and a
   * single-source mark stays bounded by it); undefined when there is none.
   */
  async lastMark(market: string): Promise<LastMark | undefined> {
    const event = await this.lastOn(subjects.mark(market));
    return event?.kind === 'mark' ? { markPrice: event.markPrice, publishTime: event.publishTime } : undefined;
  }

  private async lastOn(subject: string): Promise<InputEvent | undefined> {
    try {
      const msg = await this.jsm.streams.getMessage(STREAMS.IN.name, { last_by_subj: subject });
      return msg ? parseInputEvent(msg.data) : undefined;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) return undefined;
      throw err;
    }
  }

  /** Drains the connection: in-flight publishes complete first. */
  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
