import { createServer, type Server } from 'node:http';

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

import { GATEWAY_CONFIG, type GatewayConfig } from './config.js';
import { OrderConsumerService } from './executor/order-consumer.service.js';
import { HubFollowerService } from './follower/hub-follower.service.js';
import { NatsClient } from './nats/nats.client.js';

/**
 * `GET /health` on `OMNI_GATEWAY_HEALTH_PORT` (when set): 200 while NATS is connected and the follower
 * is not stuck retrying, else 503; the body shows the follower's cursor and the executor's counters.
 * A bare node:http server: the gateway has no other HTTP surface worth a Nest HTTP adapter.
 */
@Injectable()
export class HealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HealthServer.name);
  private server?: Server;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly nats: NatsClient,
    private readonly follower: HubFollowerService,
    private readonly executor: OrderConsumerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.healthPort;
    if (port === undefined) return;
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/health') {
        res.writeHead(404).end();
        return;
      }
      const follower = this.follower.status();
      const healthy = this.nats.isConnected() && follower.consecutiveFailures < 5;
      const body = JSON.stringify(
        { status: healthy ? 'ok' : 'degraded', nats: this.nats.isConnected(), follower, executor: this.executor.stats },
        (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
      );
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject).listen(port, '0.0.0.0', () => resolve());
    });
    this.logger.log(`health on :${port}/health`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
