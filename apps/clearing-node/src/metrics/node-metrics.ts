import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import { CONFIG_DEFAULTS, NODE_CONFIG, type NodeConfig } from '../config.js';

/** Prefix of every metric of the node. */
export const METRIC_PREFIX = 'omniclear_node_';

/** Runs before each exposition, to refresh the gauges that are computed rather than counted. */
export type ScrapeHook = () => void | Promise<void>;

/**
 * The node's Prometheus metrics, on a registry of their own (never prom-client's global one, so
 * two nodes in one process, as in the tests, do not mix). The rest of the node calls the methods
 * below; nothing else touches prom-client.
 *
 * @example
 * metrics.eventApplied('balance');
 * metrics.observeDecision((performance.now() - receivedAt) / 1000);
 * const text = await metrics.render(); // the body of GET /metrics
 */
@Injectable()
export class NodeMetrics {
  readonly registry = new Registry();
  private readonly logger = new Logger(NodeMetrics.name);
  private readonly hooks: ScrapeHook[] = [];
  private readonly pendingChains = new Set<number>();

  private readonly eventsApplied = new Counter({
    name: `${METRIC_PREFIX}events_applied_total`,
    help: 'Input events applied to the book, by kind (price, balance, exposure, order_ack, withdraw_request).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({
    name: `${METRIC_PREFIX}dead_letters_total`,
    help: 'Input messages sent to the dead-letter subject and skipped, by reason (the error class).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly ordersEmitted = new Counter({
    name: `${METRIC_PREFIX}orders_emitted_total`,
    help: 'Orders published to OMNI_OUT for the first time (re-publications deduplicated by the stream are not counted), by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly streamLag = new Gauge({
    name: `${METRIC_PREFIX}stream_lag`,
    help: "Messages in OMNI_IN not handled yet: the stream's last sequence minus the last one applied (read at scrape).",
    registers: [this.registry],
  });
  private readonly lastInputSeq = new Gauge({
    name: `${METRIC_PREFIX}input_last_sequence`,
    help: 'OMNI_IN sequence of the last input handled (applied or dead-lettered).',
    registers: [this.registry],
  });
  private readonly liquidatable = new Gauge({
    name: `${METRIC_PREFIX}liquidatable_accounts`,
    help: 'Accounts whose health factor is below 1.',
    registers: [this.registry],
  });
  private readonly ordersPending = new Gauge({
    name: `${METRIC_PREFIX}orders_pending`,
    help: 'Orders emitted and not yet acknowledged by the vault, by destination chain (LayerZero eid).',
    labelNames: ['chain'] as const,
    registers: [this.registry],
  });
  private readonly ordersExpired = new Gauge({
    name: `${METRIC_PREFIX}orders_expired`,
    help: 'Orders that expired: undispatched past their expiry + grace, or delivered after it and acknowledged EXPIRED by the vault (nothing executed), by destination chain (LayerZero eid).',
    labelNames: ['chain'] as const,
    registers: [this.registry],
  });
  private readonly reportAge = new Gauge({
    name: `${METRIC_PREFIX}report_age_seconds`,
    help: "Seconds since the block time of the last report applied from each source chain (LayerZero eid), against the node's clock.",
    labelNames: ['chain'] as const,
    registers: [this.registry],
  });
  private readonly seqMissing = new Gauge({
    name: `${METRIC_PREFIX}sequence_gap_missing`,
    help: 'Vault sequence numbers missing per source chain (LayerZero eid); decisions for the chain wait while > 0.',
    labelNames: ['chain'] as const,
    registers: [this.registry],
  });
  private readonly priceAge = new Gauge({
    name: `${METRIC_PREFIX}price_age_seconds`,
    help: "Age of each asset's last price at the stream's time (the latest input's, not the node's clock), for assets with a maximum price age.",
    labelNames: ['asset'] as const,
    registers: [this.registry],
  });
  private readonly priceStale = new Gauge({
    name: `${METRIC_PREFIX}price_stale`,
    help: "1 while an asset's last price is older than its maximum age: liquidations and withdrawal approvals of its holders wait for a fresh price; else 0.",
    labelNames: ['asset'] as const,
    registers: [this.registry],
  });
  private readonly natsConnected = new Gauge({
    name: `${METRIC_PREFIX}nats_connected`,
    help: "1 while the ledger's NATS connection is up, 0 while it is reconnecting or closed.",
    registers: [this.registry],
  });
  private readonly natsReconnects = new Counter({
    name: `${METRIC_PREFIX}nats_reconnects_total`,
    help: "Reconnections of the ledger's NATS connection.",
    registers: [this.registry],
  });
  private readonly decisionLatency = new Histogram({
    name: `${METRIC_PREFIX}decision_latency_seconds`,
    help: 'From an input being received by the node to the orders it triggered being acknowledged by OMNI_OUT (inputs that triggered orders only).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly applySeconds = new Histogram({
    name: `${METRIC_PREFIX}event_apply_seconds`,
    help: 'Time to apply one input event to the book and evaluate the accounts it touches.',
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1],
    registers: [this.registry],
  });

  private readonly snapshotCapture = new Histogram({
    name: `${METRIC_PREFIX}snapshot_capture_seconds`,
    help: 'Time input handling stops to capture a snapshot (the book serialized and hashed); the write to the KV bucket runs in the background.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly snapshots = new Counter({
    name: `${METRIC_PREFIX}snapshots_total`,
    help: 'Snapshots captured, by outcome: written to the KV bucket, or failed (not written: a restart replays from the last one written).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly snapshotBytes = new Gauge({
    name: `${METRIC_PREFIX}snapshot_bytes`,
    help: "Size of the last snapshot written: the book's canonical JSON, in bytes.",
    registers: [this.registry],
  });
  private readonly snapshotSeq = new Gauge({
    name: `${METRIC_PREFIX}snapshot_last_sequence`,
    help: 'OMNI_IN sequence covered by the last snapshot written (a restart replays only what follows it).',
    registers: [this.registry],
  });

  constructor(@Inject(NODE_CONFIG) config: NodeConfig) {
    this.registry.setDefaultLabels({ node: config.nodeId });
    if (config.processMetrics ?? CONFIG_DEFAULTS.processMetrics) {
      collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    }
    this.natsConnected.set(0);
    this.snapshots.inc({ outcome: 'written' }, 0);
    this.snapshots.inc({ outcome: 'failed' }, 0);
  }

  /** One input event applied; `kind` is `price` or the hub message type in lower case. */
  eventApplied(kind: string): void {
    this.eventsApplied.inc({ kind });
  }

  /** One input dead-lettered; `reason` must be low-cardinality (an error class, not a message). */
  deadLetter(reason: string): void {
    this.deadLetters.inc({ reason });
  }

  /** One order published for the first time. */
  orderEmitted(kind: string): void {
    this.ordersEmitted.inc({ kind });
  }

  /** Input received → its orders published, in seconds. */
  observeDecision(seconds: number): void {
    this.decisionLatency.observe(seconds);
  }

  /** Applying one event to the book, in seconds. */
  observeApply(seconds: number): void {
    this.applySeconds.observe(seconds);
  }

  /** A snapshot was captured in `seconds` (the consumer's pause; its write follows). */
  observeSnapshotCapture(seconds: number): void {
    this.snapshotCapture.observe(seconds);
  }

  /** The snapshot covering OMNI_IN `seq` is written: `bytes` of state. */
  snapshotWritten(seq: number, bytes: number): void {
    this.snapshots.inc({ outcome: 'written' });
    this.snapshotSeq.set(seq);
    this.snapshotBytes.set(bytes);
  }

  /** A snapshot captured was not written. */
  snapshotFailed(): void {
    this.snapshots.inc({ outcome: 'failed' });
  }

  setStreamLag(messages: number): void {
    this.streamLag.set(Math.max(0, messages));
  }

  setLastInputSeq(seq: number): void {
    this.lastInputSeq.set(seq);
  }

  setLiquidatable(accounts: number): void {
    this.liquidatable.set(accounts);
  }

  setOrdersPending(chain: number, orders: number): void {
    this.pendingChains.add(chain);
    this.ordersPending.set({ chain: String(chain) }, orders);
  }

  /** Sets every chain's pending count; a chain seen before and absent now drops to 0. */
  setOrdersPendingByChain(byChain: ReadonlyMap<number, number>): void {
    for (const chain of this.pendingChains) if (!byChain.has(chain)) this.setOrdersPending(chain, 0);
    for (const [chain, n] of byChain) this.setOrdersPending(chain, n);
  }

  /** Sets every chain's count of orders that expired undispatched. */
  setOrdersExpiredByChain(byChain: ReadonlyMap<number, number>): void {
    for (const [chain, n] of byChain) this.ordersExpired.set({ chain: String(chain) }, n);
  }

  setReportAge(chain: number, seconds: number): void {
    this.reportAge.set({ chain: String(chain) }, Math.max(0, seconds));
  }

  setSequenceGap(chain: number, missing: number): void {
    this.seqMissing.set({ chain: String(chain) }, missing);
  }

  /** An asset's price age (seconds, stream time) and whether it is past its maximum. */
  setPriceAge(asset: string, seconds: number, stale: boolean): void {
    this.priceAge.set({ asset }, Math.max(0, seconds));
    this.priceStale.set({ asset }, stale ? 1 : 0);
  }

  natsStatus(event: 'connected' | 'disconnected' | 'reconnected' | 'closed'): void {
    this.natsConnected.set(event === 'connected' || event === 'reconnected' ? 1 : 0);
    if (event === 'reconnected') this.natsReconnects.inc();
  }

  /** Registers a hook run before each exposition (e.g. to read the stream's last sequence). */
  onScrape(hook: ScrapeHook): void {
    this.hooks.push(hook);
  }

  /** Content type of {@link render}'s output (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * The exposition: runs the scrape hooks (a failing hook leaves its gauges at their last value
   * and is logged), then renders every metric.
   */
  async render(): Promise<string> {
    await Promise.all(
      this.hooks.map(async (hook) => {
        try {
          await hook();
        } catch (error) {
          this.logger.warn(`metrics scrape hook failed: ${(error as Error).message}`);
        }
      }),
    );
    return this.registry.metrics();
  }
}
