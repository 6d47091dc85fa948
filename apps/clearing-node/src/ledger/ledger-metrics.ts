import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { STREAMS } from '@omniclear/protocol';

import { LEDGER_GAUGES, type LedgerGauges } from '../metrics/ledger-gauges.js';
import { NodeMetrics } from '../metrics/node-metrics.js';
import { NatsClient } from '../nats/nats.client.js';
import { InputConsumer } from './input-consumer.js';

/** How long a scrape waits for OMNI_IN's info before keeping the previous lag. */
const STREAM_INFO_TIMEOUT_MS = 2000;

/**
 * Feeds the gauges that are read rather than counted, at each scrape of `/metrics`: the book's
 * (through {@link LedgerGauges}), the stream lag (OMNI_IN's last sequence, asked of the server,
 * minus the consumer's position) and the NATS connection state.
 */
@Injectable()
export class LedgerMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: NodeMetrics,
    @Inject(LEDGER_GAUGES) private readonly gauges: LedgerGauges,
    private readonly nats: NatsClient,
    private readonly consumer: InputConsumer,
  ) {}

  onModuleInit(): void {
    this.nats.onConnectionEvent((event) => this.metrics.natsStatus(event));
    this.metrics.onScrape(() => this.refreshBook(Date.now()));
    this.metrics.onScrape(() => this.refreshLag());
  }

  /** Book gauges; `nowMs` is the wall clock the report ages are measured against. */
  refreshBook(nowMs: number): void {
    this.metrics.setLiquidatable(this.gauges.liquidatableCount());
    const orders = this.gauges.orderCountsByChain();
    this.metrics.setOrdersPendingByChain(orders.pending);
    this.metrics.setOrdersExpiredByChain(orders.expired);
    for (const [chain, time] of this.gauges.lastReportTimeByChain()) {
      this.metrics.setReportAge(chain, nowMs / 1000 - Number(time));
    }
    for (const [chain, missing] of this.gauges.sequenceGapsByChain())
      this.metrics.setSequenceGap(chain, Number(missing));
    for (const p of this.gauges.priceAges()) this.metrics.setPriceAge(p.asset, Number(p.age), p.stale);
  }

  async refreshLag(): Promise<void> {
    const handled = Number(this.consumer.getStatus().lastInputSeq);
    this.metrics.setLastInputSeq(handled);
    if (!this.nats.isConnected) throw new Error('stream lag not refreshed: NATS is not connected');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('stream lag not refreshed: OMNI_IN info timed out')),
        STREAM_INFO_TIMEOUT_MS,
      );
    });
    try {
      const info = await Promise.race([this.nats.streamInfo(STREAMS.IN.name), timeout]);
      this.metrics.setStreamLag(info.state.last_seq - handled);
    } finally {
      clearTimeout(timer);
    }
  }
}
