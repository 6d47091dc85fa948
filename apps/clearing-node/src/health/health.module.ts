import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

import { LedgerModule } from '../ledger/ledger.module.js';
import { HealthController } from './health.controller.js';

/** Health, liveness and readiness (terminus) over the ledger's consumer and NATS connection. */
@Module({
  // Readiness is down during every replay: not an error worth a log line per probe.
  imports: [TerminusModule.forRoot({ logger: false }), LedgerModule],
  controllers: [HealthController],
})
export class HealthModule {}
