import { Controller, Get, Param, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { LedgerService } from '../ledger/ledger.service.js';
import { AddressPipe } from './address.js';
import { HttpErrorFilter } from './filters.js';
import { AccountSchema, ErrorSchema, OrdersSchema } from './openapi.js';
import { toAccountDto, toOrderDto, type AccountDto, type OrderDto } from './views.js';

/** HTTP queries of the ledger. */
@ApiTags('ledger')
@Controller()
@UseFilters(HttpErrorFilter)
export class AccountsController {
  constructor(private readonly ledger: LedgerService) {}

  /** Balances per chain, pending seizures, exposure, value and verdict of one account. */
  @Get('accounts/:address')
  @ApiOperation({ summary: 'One account: balances per chain, pending seizures, exposures, value and verdict' })
  @ApiParam({
    name: 'address',
    description: '0x + 40 hex digits, lower case or EIP-55 checksummed',
    schema: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
  })
  @ApiOkResponse({ type: AccountSchema })
  @ApiBadRequestResponse({ description: 'Malformed address', type: ErrorSchema })
  account(@Param('address', AddressPipe) address: string): AccountDto {
    return toAccountDto(this.ledger.account(address));
  }

  /** Orders this node emitted, pending or acknowledged (with what was really seized). */
  @Get('orders')
  @ApiOperation({ summary: 'Orders this node emitted, pending or acknowledged (with what the vault really seized)' })
  @ApiOkResponse({ type: OrdersSchema })
  orders(): { orders: OrderDto[] } {
    return { orders: this.ledger.orders().map(toOrderDto) };
  }
}
