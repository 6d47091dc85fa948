import type { MarkEvent, PriceEvent } from '@omniclear/protocol';

import { aggregate, type RefusalReason } from './aggregate.js';
import { AggregatorReader } from './aggregators.js';
import type { AggregatedAsset, FeedSource, MarketFeed, PriceFeedConfig } from './config.js';
import { diffBps, formatPrice } from './decimal.js';
import { PublishError } from './errors.js';
import { silentLogger, type Logger } from '@omniclear/observability';
import { applyPremium, premiumWalk } from './premium.js';
import { PricePublisher, type LastMark, type LastPrice } from './publisher.js';
import type { RecordedPrice } from './replay.js';
import { randomWalk } from './simulate.js';

/** Why a market's tick published no mark: a price refusal reason, or a mark too far from its index. */
export type MarkRefusalReason = RefusalReason | 'premium';

/** What the feed has done with mark events since it started. */
export interface MarkStats {
  /** Marks the stream stored. */
  published: number;
  /** Marks the stream acknowledged as duplicates of a stored msg id. */
  duplicates: number;
  /** Marks not sent because the stream already holds a mark of that market at or after their time. */
  skipped: number;
  /** Chainlink marks refused by the checks, by reason. */
  refused: Partial<Record<MarkRefusalReason, number>>;
  /** Mark publishes the stream did not acknowledge. */
  publishFailures: number;
}

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
  /** Mark events of the configured perp markets. */
  marks: MarkStats;
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
  private readonly lastMarks = new Map<string, LastMark>();
  /** The markets following each index asset, in configuration order. */
  private readonly marketsByAsset = new Map<string, MarketFeed[]>();
  /** The premium walk of each simulated market, advanced once per price point of its index asset. */
  private readonly premiums = new Map<string, () => number>();
  private reader?: AggregatorReader;
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
    marks: { published: 0, duplicates: 0, skipped: 0, refused: {}, publishFailures: 0 },
  };

  constructor(private readonly options: PriceFeedOptions) {
    this.log = options.logger ?? silentLogger;
    this.now = options.now ?? (() => BigInt(Math.floor(Date.now() / 1000)));
    for (const market of options.markets ?? []) {
      const list = this.marketsByAsset.get(market.indexAsset) ?? [];
      list.push(market);
      this.marketsByAsset.set(market.indexAsset, list);
      if (market.mark.kind === 'simulate') {
        this.premiums.set(market.market, premiumWalk(market.mark.seed, market.market, market.mark));
      }
    }
  }

  /** A copy of the counters. */
  stats(): PriceFeedStats {
    return {
      ...this.counters,
      refused: { ...this.counters.refused },
      marks: { ...this.counters.marks, refused: { ...this.counters.marks.refused } },
    };
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
    const markets = (this.options.markets ?? []).map((m) => m.market);
    for (const market of markets) {
      const last = await this.publisher.lastMark(market);
      if (last) this.lastMarks.set(market, last);
    }
    this.log.info('price feed started', {
      source: this.options.source.kind,
      assets: assetsOf(this.options.source),
      markets,
      resumeAfter: Object.fromEntries([...this.last].map(([a, l]) => [a, l.publishTime])),
      marksResumeAfter: Object.fromEntries([...this.lastMarks].map(([m, l]) => [m, l.publishTime])),
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
    this.reader = reader;
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
    const stored = await this.emit(
      {
        kind: 'price',
        asset: asset.asset,
        price: verdict.price,
        publishTime: verdict.publishTime,
        source: 'chainlink',
      },
      false,
    );
    await this.emitMarks(asset.asset, verdict.price, verdict.publishTime, stored, 'chainlink');
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
        const stored = await this.emit(
          { kind: 'price', asset: point.asset, price: point.price, publishTime: point.publishTime, source: label },
          true,
        );
        await this.emitMarks(point.asset, point.price, point.publishTime, stored, label);
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
      const label = `replay:${row.file}`.slice(0, MAX_SOURCE_LENGTH);
      if (this.isStale(row.asset, row.publishTime)) {
        this.counters.skipped++;
        // The price is in the stream; its marks may not be (a stop between the two publishes).
        await this.emitMarks(row.asset, row.price, row.publishTime, true, label, row);
        continue;
      }
      // Keep the recorded spacing, compressed by the speed-up.
      if (previous !== undefined) await sleep((Number(row.publishTime - previous) * 1000) / source.speed, signal);
      if (signal.aborted) return;
      previous = row.publishTime;
      const stored = await this.emit(
        { kind: 'price', asset: row.asset, price: row.price, publishTime: row.publishTime, source: label },
        true,
      );
      await this.emitMarks(row.asset, row.price, row.publishTime, stored, label, row);
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
   * or simulated point is never dropped; without, the next tick simply reads afresh. Resolves to
   * whether the stream holds the asset's price at this time (stored now, a duplicate, or skipped
   * because it already had it), i.e. whether its marks may follow.
   */
  private async emit(event: PriceEvent, retry: boolean): Promise<boolean> {
    if (this.isStale(event.asset, event.publishTime)) {
      this.counters.skipped++;
      return true;
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
        return true;
      } catch (err) {
        if (!(err instanceof PublishError)) throw err;
        this.counters.publishFailures++;
        this.log.warn('price not acknowledged', {
          asset: event.asset,
          publishTime: event.publishTime,
          error: err.message,
          cause: err.cause instanceof Error ? err.cause.message : undefined,
        });
        if (!retry || this.abort.signal.aborted) return false;
        await sleep(backoff, this.abort.signal);
        if (this.abort.signal.aborted) return false;
        backoff = Math.min(backoff * 2, RETRY_MAX_MS);
      }
    }
  }

  /**
   * Publishes one mark event per market that follows `asset`, with the price's `publishTime` and
   * the price as index. A simulated premium advances on every price point of its index asset, also
   * when nothing is sent (a restart replays the walk from its start and must land on the same
   * premiums); nothing is sent while the price is not in the stream (`priceStored` false) or when
   * the market already has a mark at or after this time.
   */
  private async emitMarks(
    asset: string,
    index: bigint,
    publishTime: bigint,
    priceStored: boolean,
    priceLabel: string,
    row?: RecordedPrice,
  ): Promise<void> {
    for (const market of this.marketsByAsset.get(asset) ?? []) {
      const premium = this.premiums.get(market.market)?.();
      if (!priceStored || this.abort.signal.aborted) continue;
      const last = this.lastMarks.get(market.market);
      if (last !== undefined && publishTime <= last.publishTime) {
        this.counters.marks.skipped++;
        continue;
      }
      let markPrice: bigint | undefined;
      let source: string;
      switch (market.mark.kind) {
        case 'simulate':
          markPrice = applyPremium(index, premium!);
          source = `${priceLabel}:premium`.slice(0, MAX_SOURCE_LENGTH);
          break;
        case 'recorded':
          // loadPriceFeedConfig checked that every row of the index asset has a mark
          markPrice = row?.mark;
          source = priceLabel;
          break;
        case 'chainlink':
          markPrice = await this.readMark(market.market, market.mark, index, last);
          source = 'chainlink';
          break;
      }
      if (markPrice === undefined) continue;
      await this.emitMark(
        { kind: 'mark', market: market.market, markPrice, indexPrice: index, publishTime, source },
        market.mark.kind !== 'chainlink',
      );
    }
  }

  /**
   * Reads a market's mark aggregators with the same checks as a price (completeness, positivity,
   * staleness, deviation, single-source step vs the last mark), then bounds the mark by
   * `maxPremiumBps` from the index; undefined (counted and logged) when refused.
   */
  private async readMark(
    market: string,
    mark: Extract<MarketFeed['mark'], { kind: 'chainlink' }>,
    index: bigint,
    last: LastMark | undefined,
  ): Promise<bigint | undefined> {
    const refuse = (reason: MarkRefusalReason, detail: string): undefined => {
      this.counters.marks.refused[reason] = (this.counters.marks.refused[reason] ?? 0) + 1;
      this.log.warn('mark refused', { market, reason, detail });
      return undefined;
    };
    const readings = await this.reader!.read(mark.aggregators.sources);
    const reference = last?.markPrice ?? mark.aggregators.referencePrice;
    const verdict = aggregate(readings, mark.aggregators, this.now(), reference);
    if (!verdict.ok) return refuse(verdict.reason, verdict.message);
    if (mark.maxPremiumBps !== undefined) {
      const premium = diffBps(verdict.price, index, index);
      if (premium > mark.maxPremiumBps) {
        return refuse(
          'premium',
          `mark ${formatPrice(verdict.price)} is ${premium} bps from the index ${formatPrice(index)} (max ${mark.maxPremiumBps} bps)`,
        );
      }
    }
    if (verdict.unbounded) {
      this.log.warn('single-source mark accepted without a reference to bound it (first mark of the market)', {
        market,
        markPrice: formatPrice(verdict.price),
      });
    }
    return verdict.price;
  }

  /** Publishes one mark event, like {@link emit} a price (retrying for simulated and recorded marks). */
  private async emitMark(event: MarkEvent, retry: boolean): Promise<void> {
    let backoff = RETRY_MIN_MS;
    for (;;) {
      try {
        const ack = await this.publisher!.publish(event);
        this.lastMarks.set(event.market, { markPrice: event.markPrice, publishTime: event.publishTime });
        if (ack.duplicate) this.counters.marks.duplicates++;
        else this.counters.marks.published++;
        this.log.info('mark published', {
          market: event.market,
          markPrice: formatPrice(event.markPrice),
          indexPrice: formatPrice(event.indexPrice),
          publishTime: event.publishTime,
          seq: ack.seq,
          duplicate: ack.duplicate,
          source: event.source,
        });
        return;
      } catch (err) {
        if (!(err instanceof PublishError)) throw err;
        this.counters.marks.publishFailures++;
        this.log.warn('mark not acknowledged', {
          market: event.market,
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
