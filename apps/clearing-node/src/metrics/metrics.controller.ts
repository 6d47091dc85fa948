import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';

import { HttpErrorFilter } from '../api/filters.js';
import { NodeMetrics } from './node-metrics.js';

/** Prometheus scrape endpoint. */
@ApiTags('operations')
@Controller()
@UseFilters(HttpErrorFilter)
export class MetricsController {
  constructor(private readonly nodeMetrics: NodeMetrics) {}

  @Get('metrics')
  // prom-client's Registry.contentType for the text format 0.0.4.
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format), every name prefixed omniclear_node_' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4', schema: { type: 'string' } })
  scrape(): Promise<string> {
    return this.nodeMetrics.render();
  }
}
