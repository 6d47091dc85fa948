import type { PriceEvent } from '@omniclear/protocol';

import { aggregate, type RefusalReason } from './aggregate.js';
import { AggregatorReader } from './aggregators.js';
import type { AggregatedAsset, FeedSource, PriceFeedConfig } from './config.js';
import { formatPrice } from './decimal.js';
import { PublishError } from './errors.js';
import { silentLogger, type Logger } from '@omniclear/observability';
import { PricePublisher, type LastPrice } from './publisher.js';
import { randomWalk } from './simulate.js';

/** What the feed has done since it started. */
export interface PriceFeedStats {
  /** Prices the stream stored. */
  published: number;
  /** Prices the stream acknowledged as duplicates of a stored msg id (not stored again). */
  duplicates: number;
  /** Prices not sent because the stream already holds a price of that asset at or after their time. */
  skipped: number;
  /** Ticks that published nothing, by reason. */
  refused: Record<RefusalReason, number>;
  /** Publishes the stream did not acknowledge. */
  publishFailures: number;
}

/** Options of a {@link PriceFeed}: its configuration, plus a logger and a clock for tests. */
export interface PriceFeedOptions extends PriceFeedConfig {
  readonly logger?: Logger;
  /** Wall clock in unix seconds (staleness checks, the simulated walk's default start). */
  readonly now?: () => bigint;
}

const MAX_SOURCE_LENGTH = 64;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function assetsOf(source: FeedSource): string[] {
  switch (source.kind) {
    case 'chainlink':
      return source.assets.map((a) => a.asset);
    case 'simulate':
      return source.assets.map((a) => a.asset);
    case 'replay':
      return [...new Set(source.rows.map((r) => r.asset))];
  }
}

/**
 * The price feed service: publishes `PriceEvent`s (USD, 18 decimals) into `OMNI_IN` from one of
 * three sources — Chainlink-style aggregators (bounded by staleness, deviation and step checks), a
 * seeded random walk, or a recorded series. Each asset's prices only move forward in time: on start
 * it reads the newest price of every asset from the stream and sends nothing at or before it (the
 * stream's msg-id dedupe covers the rest), so a restart republishes nothing.
 *
 * @example
 * const feed = new PriceFeed({ ...loadPriceFeedConfig(process.env), logger: jsonLogger('price-feed') });
 * await feed.start();
 * // … later
 * await feed.stop();
 */
export class PriceFeed {
  private readonly log: Logger;
  private readonly now: () => bigint;
  private readonly abort = new AbortController();
  private readonly last = new Map<string, LastPrice>();
  private publisher?: PricePublisher;
  private loop?: Promise<void>;
  private readonly counters: PriceFeedStats = {
    published: 0,
    duplicates: 0,
    skipped: 0,
    refused: {
      'read-failed': 0,
      'incomplete-round': 0,
      'non-positive': 0,
      stale: 0,
      'too-few-sources': 0,
      deviation: 0,
      step: 0,
    },
    publishFailures: 0,
  };

  constructor(private readonly options: PriceFeedOptions) {
    this.log = options.logger ?? silentLogger;
    this.now = options.now ?? (() => BigInt(Math.floor(Date.now() / 1000)));
  }

  /** A copy of the counters. */
  stats(): PriceFeedStats {
    return { ...this.counters, refused: { ...this.counters.refused } };
  }

  /**
   * Connects to NATS (creating `OMNI_IN` if missing), reads each asset's last price from the stream
   * and starts publishing in the background.
   */
  async start(): Promise<void> {
    if (this.publisher) throw new Error('price feed already started');
    this.publisher = await PricePublisher.connect(this.options.natsServers, this.log);
    for (const asset of assetsOf(this.options.source)) {
      const last = await this.publisher.lastPrice(asset);
      if (last) this.last.set(asset, last);
    }
    this.log.info('price feed started', {
      source: this.options.source.kind,
      assets: assetsOf(this.options.source),
      resumeAfter: Object.fromEntries([...this.last].map(([a, l]) => [a, l.publishTime])),
    });
    this.loop = this.run().catch((err: unknown) => {
      this.log.error('price feed loop failed', { error: err instanceof Error ? err.message : String(err) });
      throw err;
    });
  }

  /** Resolves when the source is exhausted (a replay's last row) or the feed is stopped. */
  get done(): Promise<void> {
    if (!this.loop) throw new Error('price feed not started');
    return this.loop;
  }

  /** Stops publishing (a publish in flight completes), drains NATS and logs the counters. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop?.catch(() => undefined);
    await this.publisher?.close();
    this.log.info('price feed stopped', { ...this.stats() });
  }

  private async run(): Promise<void> {
    const source = this.options.source;
    switch (source.kind) {
      case 'chainlink':
        return this.runChainlink(source);
      case 'simulate':
        return this.runSimulate(source);
      case 'replay':
        return this.runReplay(source);
    }
  }

  private async runChainlink(source: Extract<FeedSource, { kind: 'chainlink' }>): Promise<void> {
    const reader = new AggregatorReader(source.rpcUrls);
    const signal = this.abort.signal;
    while (!signal.aborted) {
      for (const asset of source.assets) {
        if (signal.aborted) break;
        await this.chainlinkTick(reader, asset);
      }
      await sleep(this.options.intervalMs, signal);
    }
  }

  private async chainlinkTick(reader: AggregatorReader, asset: AggregatedAsset): Promise<void> {
    const readings = await reader.read(asset.sources);
    const reference = this.last.get(asset.asset)?.price ?? asset.referencePrice;
    const verdict = aggregate(readings, asset, this.now(), reference);
    if (!verdict.ok) {
      this.counters.refused[verdict.reason]++;
      this.log.warn('price refused', { asset: asset.asset, reason: verdict.reason, detail: verdict.message });
      return;
    }
    if (verdict.unbounded && !this.isStale(asset.asset, verdict.publishTime)) {
      this.log.warn('single-source price accepted without a reference to bound it (first price of the asset)', {
        asset: asset.asset,
        price: formatPrice(verdict.price),
      });
    }
    await this.emit(
      {
        kind: 'price',
        asset: asset.asset,
        price: verdict.price,
        publishTime: verdict.publishTime,
        source: 'chainlink',
      },
      false,
    );
  }

  private async runSimulate(source: Extract<FeedSource, { kind: 'simulate' }>): Promise<void> {
    const walk = randomWalk({
      seed: source.seed,
      startTime: source.startTime ?? this.now(),
      stepSec: source.stepSec,
      assets: source.assets,
    });
    const label = `simulate:seed=${source.seed}`;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      for (const point of walk.next().value) {
        await this.emit(
          { kind: 'price', asset: point.asset, price: point.price, publishTime: point.publishTime, source: label },
          true,
        );
      }
      await sleep(this.options.intervalMs, signal);
    }
  }

  private async runReplay(source: Extract<FeedSource, { kind: 'replay' }>): Promise<void> {
    const signal = this.abort.signal;
    let previous: bigint | undefined;
    let played = 0;
    for (const row of source.rows) {
      if (signal.aborted) return;
      if (this.isStale(row.asset, row.publishTime)) {
        this.counters.skipped++;
        continue;
      }
      // Keep the recorded spacing, compressed by the speed-up.
      if (previous !== undefined) await sleep((Number(row.publishTime - previous) * 1000) / source.speed, signal);
      if (signal.aborted) return;
      previous = row.publishTime;
      const label = `replay:${row.file}`.slice(0, MAX_SOURCE_LENGTH);
      await this.emit(
        { kind: 'price', asset: row.asset, price: row.price, publishTime: row.publishTime, source: label },
        true,
      );
      played++;
    }
    this.log.info('replay finished', { rows: source.rows.length, played, skipped: this.counters.skipped });
  }

  /** Whether the stream already holds a price of `asset` at or after `publishTime`. */
  private isStale(asset: string, publishTime: bigint): boolean {
    const last = this.last.get(asset);
    return last !== undefined && publishTime <= last.publishTime;
  }

  /**
   * Publishes one price unless the asset already has one at or after its time. With `retry`, an
   * unacknowledged publish is retried (backing off) until it lands or the feed stops — a recorded
   * or simulated point is never dropped; without, the next tick simply reads afresh.
   */
  private async emit(event: PriceEvent, retry: boolean): Promise<void> {
    if (this.isStale(event.asset, event.publishTime)) {
      this.counters.skipped++;
      return;
    }
    let backoff = RETRY_MIN_MS;
    for (;;) {
      try {
        const ack = await this.publisher!.publish(event);
        this.last.set(event.asset, { price: event.price, publishTime: event.publishTime });
        if (ack.duplicate) this.counters.duplicates++;
        else this.counters.published++;
        this.log.info('price published', {
          asset: event.asset,
          price: formatPrice(event.price),
          publishTime: event.publishTime,
          seq: ack.seq,
          duplicate: ack.duplicate,
          source: event.source,
        });
        return;
      } catch (err) {
        if (!(err instanceof PublishError)) throw err;
        this.counters.publishFailures++;
        this.log.warn('price not acknowledged', {
          asset: event.asset,
          publishTime: event.publishTime,
          error: err.message,
          cause: err.cause instanceof Error ? err.cause.message : undefined,
        });
        if (!retry || this.abort.signal.aborted) return;
        await sleep(backoff, this.abort.signal);
        if (this.abort.signal.aborted) return;
        backoff = Math.min(backoff * 2, RETRY_MAX_MS);
      }
    }
  }
}
