import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { subjects } from '@omniclear/protocol';

import { InvalidQueryError } from '../errors.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { parseAddress } from './address.js';
import { RpcErrorFilter } from './filters.js';
import { toAccountDto, type AccountDto } from './views.js';

/** `omni.rpc.account-get` (protocol subject names are single tokens, so no dot in the name). */
export const ACCOUNT_GET = subjects.rpc('account-get');

/** NATS request/reply queries of the ledger, answering the same views as HTTP. */
@Controller()
@UseFilters(RpcErrorFilter)
export class RpcController {
  constructor(private readonly ledger: LedgerService) {}

  /** Request `{ "address": "0x…" }`; reply: the account view (as `GET /accounts/:address`). */
  @MessagePattern(ACCOUNT_GET)
  account(@Payload() payload: unknown): AccountDto {
    if (typeof payload !== 'object' || payload === null || !('address' in payload)) {
      throw new InvalidQueryError('invalid account query: expected { "address": "0x…" }');
    }
    return toAccountDto(this.ledger.account(parseAddress(payload.address)));
  }
}
