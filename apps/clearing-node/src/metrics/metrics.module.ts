import { Module } from '@nestjs/common';

import { MetricsController } from './metrics.controller.js';
import { NodeMetrics } from './node-metrics.js';

/**
 * Prometheus metrics: the {@link NodeMetrics} service the rest of the node reports to, and
 * `GET /metrics`. A leaf module: it imports nothing of the node, the ledger reports into it.
 */
@Module({
  providers: [NodeMetrics],
  controllers: [MetricsController],
  exports: [NodeMetrics],
})
export class MetricsModule {}
