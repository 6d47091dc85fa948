import { Controller, Get, Param, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';

import { LedgerService } from '../ledger/ledger.service.js';
import { AddressPipe } from './address.js';
import { HttpErrorFilter } from './filters.js';
import { AccountSchema, ErrorSchema, MarketsSchema, OrdersSchema, RiskSchema } from './openapi.js';
import {
  toAccountDto,
  toMarketDto,
  toOrderDto,
  toRiskDto,
  type AccountDto,
  type MarketDto,
  type OrderDto,
  type RiskDto,
} from './views.js';

/** HTTP queries of the ledger. */
@ApiTags('ledger')
@Controller()
@UseFilters(HttpErrorFilter)
export class AccountsController {
  constructor(private readonly ledger: LedgerService) {}

  /** Collateral per chain, positions, margins, health, liquidation prices and max withdrawals. */
  @Get('accounts/:address')
  @ApiOperation({
    summary:
      'One account: collateral per chain (in flight included), positions with liquidation prices, margins, health factor, max withdrawals',
  })
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

  /** Every configured market: mark, funding, volatility scale, holders. */
  @Get('markets')
  @ApiOperation({ summary: 'Markets: mark price, cumulative funding, volatility scale, holders' })
  @ApiOkResponse({ type: MarketsSchema })
  markets(): { markets: MarketDto[] } {
    return { markets: this.ledger.markets().map(toMarketDto) };
  }

  /** The book as a whole. */
  @Get('risk')
  @ApiOperation({
    summary: 'Risk summary: accounts, liquidatable and queued accounts, insurance fund, bad debt, pending orders',
  })
  @ApiOkResponse({ type: RiskSchema })
  risk(): RiskDto {
    return toRiskDto(this.ledger.risk());
  }

  /** Orders this node emitted (liquidations and withdrawal decisions), with what the vault did. */
  @Get('orders')
  @ApiOperation({
    summary: 'Orders this node emitted (liquidations, withdrawal decisions), pending or done (with what the vault did)',
  })
  @ApiOkResponse({ type: OrdersSchema })
  orders(): { orders: OrderDto[] } {
    return { orders: this.ledger.orders().map(toOrderDto) };
  }
}
