import { Module, type DynamicModule } from '@nestjs/common';

import { NODE_CONFIG, type NodeConfig } from '../config.js';
import { NatsClient } from './nats.client.js';

/** Broker access: the NATS connection and JetStream handles, with the streams ensured at start. */
@Module({})
export class NatsModule {
  static forRoot(): DynamicModule {
    return {
      module: NatsModule,
      providers: [
        {
          provide: NatsClient,
          inject: [NODE_CONFIG],
          useFactory: (config: NodeConfig) => NatsClient.connect(config.natsServers, `clearing-node:${config.nodeId}`),
        },
      ],
      exports: [NatsClient],
    };
  }
}
