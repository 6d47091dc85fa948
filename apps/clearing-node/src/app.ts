import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IncomingRequestDeserializer } from '@nestjs/microservices';

import { setupOpenApi } from './api/openapi.js';
import { AppModule } from './app.module.js';
import { CONFIG_DEFAULTS, type NodeConfig } from './config.js';

/**
 * Accepts plain JSON requests (`nats req omni.rpc.account-get '{"address":"0x…"}'`) as well as
 * Nest's own `{ pattern, data, id }` envelope: a plain request is answered on its reply subject.
 */
class PlainJsonRequestDeserializer extends IncomingRequestDeserializer {
  override deserialize(value: { json(): unknown }, options?: { channel: string; replyTo?: string }) {
    const decoded = super.deserialize(value.json(), options) as { pattern: unknown; data: unknown; id?: string };
    if (decoded.id === undefined && options?.replyTo) return { ...decoded, id: options.replyTo };
    return decoded;
  }
}

/**
 * Builds the node: the HTTP app (fastify) with the NATS request/reply microservice attached, and
 * the OpenAPI document at `/docs/json` unless `config.docs` is false.
 * Nothing listens until {@link startApp}.
 * @example const app = await createApp(config); await startApp(app, config); … await app.close();
 */
export async function createApp(
  config: NodeConfig,
  opts: { logger?: false | Array<'log' | 'error' | 'warn' | 'debug' | 'verbose'> } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    logger: opts.logger ?? ['log', 'error', 'warn'],
  });
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.NATS,
    options: {
      servers: config.natsServers,
      name: `clearing-node-rpc:${config.nodeId}`,
      deserializer: new PlainJsonRequestDeserializer(),
    },
  });
  if (config.docs ?? CONFIG_DEFAULTS.docs) setupOpenApi(app, { nodeId: config.nodeId });
  return app;
}

/** Starts the RPC microservice and the HTTP server; returns the HTTP URL. */
export async function startApp(app: NestFastifyApplication, config: NodeConfig): Promise<string> {
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.httpHost);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.httpPort;
  const url = `http://${config.httpHost === '0.0.0.0' ? '127.0.0.1' : config.httpHost}:${port}`;
  new Logger('ClearingNode').log(`node ${config.nodeId} listening on ${url}`);
  return url;
}
