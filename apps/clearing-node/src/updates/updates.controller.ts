import { Controller, Inject, Query, Sse, UseFilters, type MessageEvent } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { endWith, ignoreElements, interval, map, merge, share, takeUntil, type Observable } from 'rxjs';

import { OptionalAddressPipe } from '../api/address.js';
import { HttpErrorFilter } from '../api/filters.js';
import { ErrorSchema } from '../api/openapi.js';
import { CONFIG_DEFAULTS, NODE_CONFIG, type NodeConfig } from '../config.js';
import { UpdatesService } from './updates.service.js';

/** `GET /events`: the live stream of order and account updates as Server-Sent Events. */
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
    summary: 'Live order and account updates (Server-Sent Events)',
    description:
      'Events `order` (data: `{ type: "order", event: "emitted" | "acknowledged", inputSeq, order }`, order as in `GET /orders`) ' +
      'and `account` (data: `{ type: "account", inputSeq, account }`, account as in `GET /accounts/{address}`), ' +
      'JSON with amounts as decimal strings; a `: keep-alive` comment at a fixed interval. ' +
      'Only what happens after the client connects is sent.',
  })
  @ApiQuery({
    name: 'account',
    required: false,
    description: 'Only the updates of this account (0x + 40 hex digits, lower case or EIP-55)',
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
