import { Module } from '@nestjs/common';

import { LEDGER_GAUGES } from '../metrics/ledger-gauges.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { NatsModule } from '../nats/nats.module.js';
import { UpdatesModule } from '../updates/updates.module.js';
import { DeadLetters } from './dead-letters.js';
import { InputConsumer } from './input-consumer.js';
import { LedgerMetrics } from './ledger-metrics.js';
import { LedgerTelemetry } from './ledger-telemetry.js';
import { LedgerService } from './ledger.service.js';
import { OrderPublisher } from './order-publisher.js';

const natsModule = NatsModule.forRoot();

/**
 * The clearing ledger: the margin book, the input stream that drives it, and the orders it emits;
 * it reports to the metrics and publishes live updates.
 */
@Module({
  imports: [natsModule, MetricsModule, UpdatesModule],
  providers: [
    LedgerService,
    InputConsumer,
    OrderPublisher,
    DeadLetters,
    { provide: LEDGER_GAUGES, useExisting: LedgerService },
    LedgerMetrics,
    LedgerTelemetry,
  ],
  // The NATS connection too: health reports on it.
  exports: [LedgerService, InputConsumer, natsModule],
})
export class LedgerModule {}
