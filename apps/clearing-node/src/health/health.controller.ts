import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

import { HttpErrorFilter } from '../api/filters.js';
import { NodeHealthSchema } from '../api/openapi.js';
import { NODE_CONFIG, type NodeConfig } from '../config.js';
import { InputConsumer } from '../ledger/input-consumer.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { NatsClient } from '../nats/nats.client.js';

/**
 * Liveness (`/health/live`: the process serves), readiness (`/health/ready`: NATS connected and
 * the start-up replay of OMNI_IN done: 503 until then), and `/health`, the node's progress.
 */
@ApiTags('operations')
@Controller('health')
@UseFilters(HttpErrorFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly consumer: InputConsumer,
    private readonly ledger: LedgerService,
    private readonly nats: NatsClient,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP' })
  live() {
    return this.health.check([() => this.indicator.check('process').up({ nodeId: this.config.nodeId })]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: "Readiness: 200 once NATS is connected and the start-up replay has reached OMNI_IN's last sequence",
  })
  ready() {
    return this.health.check([
      () => {
        const nats = this.indicator.check('nats');
        return this.nats.isConnected ? nats.up() : nats.down({ message: 'not connected to NATS' });
      },
      () => {
        const input = this.indicator.check('input');
        const s = this.consumer.getStatus();
        const details = { state: s.state, lastInputSeq: s.lastInputSeq, replayTarget: s.replayTarget };
        if (s.state === 'live') return input.up(details);
        return input.down({ ...details, ...(s.error === null ? {} : { error: s.error }) });
      },
    ]);
  }

  /** Progress: `input.state` is `live` once the start-up replay is done. */
  @Get()
  @ApiOperation({
    summary:
      'Progress: input consumer state and position, dead letters, state hash, per-chain sequences, stale prices, broker version',
    description: 'Always 200 while the process serves; `status` is `failing` once the input stream cannot be followed.',
  })
  @ApiOkResponse({ type: NodeHealthSchema })
  progress(): NodeHealthSchema {
    const input = this.consumer.getStatus();
    return {
      status: input.state === 'failed' || input.state === 'stopped' ? 'failing' : 'ok',
      nodeId: this.config.nodeId,
      broker: this.nats.broker,
      input,
      stateHash: this.ledger.stateHash(),
      sources: this.ledger.sources().map((s) => ({
        eid: s.eid,
        lastSeq: s.lastSeq.toString(),
        contiguous: s.contiguous.toString(),
        gaps: s.gaps,
        missing: (s.gap?.missing ?? 0n).toString(),
      })),
      stalePrices: this.ledger
        .priceAges()
        .filter((p) => p.stale)
        .map((p) => ({
          asset: p.asset,
          publishTime: p.time.toString(),
          ageSeconds: p.age.toString(),
          maxAgeSeconds: p.maxAge.toString(),
          waiting: ['liquidations', 'withdrawal approvals'],
        })),
    };
  }
}
