import { Module } from '@nestjs/common';

import { HubModule } from '../hub/hub.module.js';
import { NatsModule } from '../nats/nats.module.js';
import { OrderExecutor } from './order-executor.js';
import { OrderConsumerService } from './order-consumer.service.js';
import { SignerSetCache } from './signer-set.js';

/**
 * `OMNI_OUT` → hub chain: collects the clearing signers' signed copies of each order and
 * dispatches it, from the submitter key, once `threshold` of them signed.
 */
@Module({
  imports: [HubModule, NatsModule],
  providers: [SignerSetCache, OrderExecutor, OrderConsumerService],
  exports: [OrderConsumerService],
})
export class ExecutorModule {}
