import { Controller, Get, Inject, Param, UseFilters } from '@nestjs/common';

import { NODE_CONFIG, type NodeConfig } from '../config.js';
import { InputConsumer, type ConsumerStatus } from '../ledger/input-consumer.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { AddressPipe } from './address.js';
import { HttpErrorFilter } from './filters.js';
import { toAccountDto, toOrderDto, type AccountDto, type OrderDto } from './views.js';

/** HTTP queries of the ledger. */
@Controller()
@UseFilters(HttpErrorFilter)
export class AccountsController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly consumer: InputConsumer,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  /** Balances per chain, pending seizures, exposure, value and verdict of one account. */
  @Get('accounts/:address')
  account(@Param('address', AddressPipe) address: string): AccountDto {
    return toAccountDto(this.ledger.account(address));
  }

  /** Orders this node emitted, pending or acknowledged (with what was really seized). */
  @Get('orders')
  orders(): { orders: OrderDto[] } {
    return { orders: this.ledger.orders().map(toOrderDto) };
  }

  /** Liveness and progress: `input.state` is `live` once the start-up replay is done. */
  @Get('health')
  health(): {
    status: 'ok' | 'failing';
    nodeId: string;
    input: ConsumerStatus;
    stateHash: string;
    sources: Array<{ eid: number; lastSeq: string; gaps: number }>;
  } {
    const input = this.consumer.getStatus();
    return {
      status: input.state === 'failed' || input.state === 'stopped' ? 'failing' : 'ok',
      nodeId: this.config.nodeId,
      input,
      stateHash: this.ledger.stateHash(),
      sources: this.ledger.sources().map((s) => ({ eid: s.eid, lastSeq: s.lastSeq.toString(), gaps: s.gaps })),
    };
  }
}
