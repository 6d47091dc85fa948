import 'reflect-metadata';

import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from '@omniclear/config';

import { AppModule } from './app.module.js';
import { loadGatewayConfig, type GatewayConfig } from './config.js';

// The one place that reads process.env: everything else receives the validated GatewayConfig.
let config: GatewayConfig;
try {
  config = loadGatewayConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`chain-gateway: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: false });
// SIGTERM/SIGINT → onModuleDestroy (follower stops polling, consumer stops pulling and finishes the
// order in hand) → onApplicationShutdown (NATS drains) → exit.
app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
new Logger('chain-gateway').log(
  `started: hub ${config.hub.address} on chain ${config.hub.chainId}, consumer ${config.executor.consumer}`,
);
