import { Module } from '@nestjs/common';

import { UpdatesController } from './updates.controller.js';
import { UpdatesService } from './updates.service.js';

/** The live stream: {@link UpdatesService} (published to by the ledger) and `GET /events`. */
@Module({
  providers: [UpdatesService],
  controllers: [UpdatesController],
  exports: [UpdatesService],
})
export class UpdatesModule {}
