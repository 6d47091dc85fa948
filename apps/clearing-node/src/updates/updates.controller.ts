import { Controller, Inject, Query, Sse, UseFilters, type MessageEvent } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { endWith, ignoreElements, interval, map, merge, share, takeUntil, type Observable } from 'rxjs';

import { OptionalAddressPipe } from '../api/address.js';
import { HttpErrorFilter } from '../api/filters.js';
import { ErrorSchema } from '../api/openapi.js';
import { CONFIG_DEFAULTS, NODE_CONFIG, type NodeConfig } from '../config.js';
import { UpdatesService } from './updates.service.js';

/** `GET /events`: the live stream of order, account and market updates as Server-Sent Events. */
@ApiTags('live')
@Controller()
@UseFilters(HttpErrorFilter)
export class UpdatesController {
  constructor(
    private readonly updates: UpdatesService,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  @Sse('events')
  @ApiOperation({
    summary: 'Live order, account and market updates (Server-Sent Events)',
    description:
      'Events `order` (data: `{ type: "order", event: "emitted" | "acknowledged", inputSeq, order }`, order as in `GET /orders`), ' +
      '`account` (data: `{ type: "account", inputSeq, account }`, account as in `GET /accounts/{address}`) ' +
      'and `market` (data: `{ type: "market", kind: "price", inputSeq, asset, price, markets, time }` or ' +
      '`{ type: "market", kind: "mark", inputSeq, market, markPrice, indexPrice, time }`: a price or mark the node applied, ' +
      'prices USD with 18 decimals, `time` its publish time in unix seconds, `markets` those whose mark follows the asset), ' +
      'JSON with amounts as decimal strings; a `: keep-alive` comment at a fixed interval. ' +
      'Without `account`: every order, every account a hub event or an order changed, and one `market` event per price or mark ' +
      "(not the accounts it repriced). With `account`: that account's orders and updates, including an `account` update after " +
      'every price or mark that moves its figures (it holds the asset, or has a position in the market or in one following the asset), ' +
      'preceded by that `market` event; nothing for prices it is not exposed to. ' +
      'Events of one input come in this order: `order` events, then `market`, then `account`. ' +
      'Only what happens after the client connects is sent.',
  })
  @ApiQuery({
    name: 'account',
    required: false,
    description:
      'Only the updates of this account (0x + 40 hex digits, lower case or EIP-55), repriced figures and the markets it is exposed to included',
    schema: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream', schema: { type: 'string' } })
  @ApiBadRequestResponse({ description: 'Malformed `account`', type: ErrorSchema })
  events(@Query('account', OptionalAddressPipe) account: string | undefined): Observable<MessageEvent> {
    const updates = this.updates.stream({ account }).pipe(share());
    // The keep-alive stops with the updates (node shutdown), so the response ends.
    const keepAlive = interval(this.config.sseHeartbeatMs ?? CONFIG_DEFAULTS.sseHeartbeatMs).pipe(
      map((): MessageEvent => ({ comment: 'keep-alive' })),
      takeUntil(updates.pipe(ignoreElements(), endWith(null))),
    );
    return merge(updates.pipe(map((u): MessageEvent => ({ type: u.type, data: u }))), keepAlive);
  }
}
