import { Module } from '@nestjs/common';

import { LedgerModule } from '../ledger/ledger.module.js';
import { AccountsController } from './accounts.controller.js';
import { RpcController } from './rpc.controller.js';

/** The query edge: HTTP and NATS request/reply controllers over the ledger. */
@Module({
  imports: [LedgerModule],
  controllers: [AccountsController, RpcController],
})
export class ApiModule {}
