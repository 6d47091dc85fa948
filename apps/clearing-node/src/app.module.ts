import { Global, Module, type DynamicModule } from '@nestjs/common';

import { ApiModule } from './api/api.module.js';
import { NODE_CONFIG, type NodeConfig } from './config.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { UpdatesModule } from './updates/updates.module.js';

/** Makes the validated configuration injectable everywhere (it is read once, in main.ts). */
@Global()
@Module({})
class ConfigModule {
  static forRoot(config: NodeConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: NODE_CONFIG, useValue: config }], exports: [NODE_CONFIG] };
  }
}

/** The clearing node: queries, health, metrics and the live stream, around the ledger. */
@Module({})
export class AppModule {
  static forRoot(config: NodeConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), ApiModule, HealthModule, MetricsModule, UpdatesModule],
    };
  }
}
