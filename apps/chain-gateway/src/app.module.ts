import { Global, Module, type DynamicModule } from '@nestjs/common';

import { GATEWAY_CONFIG, type GatewayConfig } from './config.js';
import { ExecutorModule } from './executor/executor.module.js';
import { FollowerModule } from './follower/follower.module.js';
import { HealthServer } from './health.js';
import { NatsModule } from './nats/nats.module.js';

/** Provides the validated configuration to every module (read once in `main.ts`, never from `process.env` here). */
@Global()
@Module({})
class ConfigModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}

/**
 * The chain gateway: the hub follower and the order executor, two independent halves sharing one
 * NATS connection and one hub RPC client.
 * @example const app = await NestFactory.createApplicationContext(AppModule.forRoot(config));
 */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), NatsModule, FollowerModule, ExecutorModule],
      providers: [HealthServer],
    };
  }
}
