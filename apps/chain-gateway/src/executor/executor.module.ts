import { Module } from '@nestjs/common';

import { HubModule } from '../hub/hub.module.js';
import { NatsModule } from '../nats/nats.module.js';
import { OrderExecutor } from './order-executor.js';
import { OrderConsumerService } from './order-consumer.service.js';

/** `OMNI_OUT` → hub chain: consumes orders and dispatches them from the operator key. */
@Module({
  imports: [HubModule, NatsModule],
  providers: [OrderExecutor, OrderConsumerService],
  exports: [OrderConsumerService],
})
export class ExecutorModule {}
