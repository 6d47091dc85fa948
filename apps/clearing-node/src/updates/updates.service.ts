import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Subject, filter, type Observable } from 'rxjs';

import type { AccountDto, OrderDto } from '../api/views.js';

/** An order the node published (`emitted`) or whose acknowledgement it booked (`acknowledged`). */
export interface OrderUpdate {
  type: 'order';
  event: 'emitted' | 'acknowledged';
  /** OMNI_IN sequence of the input that caused the update, decimal. */
  inputSeq: string;
  order: OrderDto;
}

/** An account after an input changed it. */
export interface AccountUpdate {
  type: 'account';
  inputSeq: string;
  account: AccountDto;
}

/** What `GET /events` streams; amounts are decimal strings, as in the query API. */
export type NodeUpdate = OrderUpdate | AccountUpdate;

/**
 * The node's live updates: the ledger side publishes, `GET /events` subscribes. Hot and
 * unbuffered: a subscriber sees what happens after it subscribed (the query API serves the state).
 */
@Injectable()
export class UpdatesService implements OnModuleDestroy {
  private readonly subject = new Subject<NodeUpdate>();

  /**
   * True while someone listens. Publishers check it before building views, so a start-up replay
   * with nobody connected costs nothing.
   */
  get listening(): boolean {
    return this.subject.observed;
  }

  orderEmitted(order: OrderDto, inputSeq: bigint): void {
    this.subject.next({ type: 'order', event: 'emitted', inputSeq: inputSeq.toString(), order });
  }

  orderAcknowledged(order: OrderDto, inputSeq: bigint): void {
    this.subject.next({ type: 'order', event: 'acknowledged', inputSeq: inputSeq.toString(), order });
  }

  accountChanged(account: AccountDto, inputSeq: bigint): void {
    this.subject.next({ type: 'account', inputSeq: inputSeq.toString(), account });
  }

  /**
   * The updates from now on, optionally only those of one account (lower-case address).
   * @example updates.stream({ account: '0x…' }).subscribe((u) => …);
   */
  stream(opts: { account?: string } = {}): Observable<NodeUpdate> {
    const account = opts.account?.toLowerCase();
    const all = this.subject.asObservable();
    if (account === undefined) return all;
    return all.pipe(filter((u) => accountOf(u).toLowerCase() === account));
  }

  /** Ends every stream, so open `/events` responses finish and the HTTP server can close. */
  onModuleDestroy(): void {
    this.subject.complete();
  }
}

function accountOf(u: NodeUpdate): string {
  return u.type === 'order' ? u.order.account : u.account.account;
}
