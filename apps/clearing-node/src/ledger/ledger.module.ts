import { Module } from '@nestjs/common';

import { NatsModule } from '../nats/nats.module.js';
import { DeadLetters } from './dead-letters.js';
import { InputConsumer } from './input-consumer.js';
import { LedgerService } from './ledger.service.js';
import { OrderPublisher } from './order-publisher.js';

/** The clearing ledger: the margin book, the input stream that drives it, and the orders it emits. */
@Module({
  imports: [NatsModule.forRoot()],
  providers: [LedgerService, InputConsumer, OrderPublisher, DeadLetters],
  exports: [LedgerService, InputConsumer],
})
export class LedgerModule {}
