import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject, filter, map } from 'rxjs';

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

/** An oracle price the ledger applied (`kind: 'price'`). */
export interface PriceMarketUpdate {
  type: 'market';
  kind: 'price';
  inputSeq: string;
  asset: string;
  /** USD per whole unit, 18 decimals. */
  price: string;
  /** Markets configured to follow the asset: their mark and index moved to the same price. */
  markets: string[];
  /** The price's publish time, unix seconds. */
  time: string;
}

/** A market's mark and index price the ledger applied (`kind: 'mark'`). */
export interface MarkMarketUpdate {
  type: 'market';
  kind: 'mark';
  inputSeq: string;
  market: string;
  /** USD per unit, 18 decimals. */
  markPrice: string;
  indexPrice: string;
  /** The mark's publish time, unix seconds. */
  time: string;
}

/** A price or mark input that repriced the book: one compact event per input, not per holder. */
export type MarketUpdate = PriceMarketUpdate | MarkMarketUpdate;

/** What `GET /events` streams; amounts are decimal strings, as in the query API. */
export type NodeUpdate = OrderUpdate | AccountUpdate | MarketUpdate;

/**
 * One update and who gets it: unfiltered streams when `toAll`, the streams of `account`, and the
 * streams of every account in `accounts`. Addresses lower case.
 */
interface Delivery {
  readonly update: NodeUpdate;
  readonly toAll: boolean;
  readonly account: string | null;
  readonly accounts: ReadonlySet<string> | null;
}

/**
 * The node's live updates: the ledger side publishes, `GET /events` subscribes. Hot and
 * unbuffered: a subscriber sees what happens after it subscribed (the query API serves the state).
 *
 * Besides the updates every stream sees (orders, and accounts a hub event or an order changed),
 * it keeps the set of *watched* accounts — those with at least one filtered stream open — so the
 * ledger side can send those accounts, and only those, their figures after a price or mark moved
 * them ({@link accountRepriced}); unfiltered streams get one {@link marketMoved} event instead.
 */
@Injectable()
export class UpdatesService implements OnModuleDestroy {
  private readonly subject = new Subject<Delivery>();
  /** Lower-case account → number of filtered streams open on it. */
  private readonly watchers = new Map<string, number>();

  /**
   * True while someone listens. Publishers check it before building views, so a start-up replay
   * with nobody connected costs nothing.
   */
  get listening(): boolean {
    return this.subject.observed;
  }

  /**
   * The accounts with at least one filtered stream open (lower case) → how many. A price tick
   * costs one account view per entry, whatever the number of holders.
   */
  get watched(): ReadonlyMap<string, number> {
    return this.watchers;
  }

  orderEmitted(order: OrderDto, inputSeq: bigint): void {
    const update: OrderUpdate = { type: 'order', event: 'emitted', inputSeq: inputSeq.toString(), order };
    this.subject.next({ update, toAll: true, account: order.account.toLowerCase(), accounts: null });
  }

  orderAcknowledged(order: OrderDto, inputSeq: bigint): void {
    const update: OrderUpdate = { type: 'order', event: 'acknowledged', inputSeq: inputSeq.toString(), order };
    this.subject.next({ update, toAll: true, account: order.account.toLowerCase(), accounts: null });
  }

  /** `account` after an input changed its holdings, positions or orders: to every stream of it and to all. */
  accountChanged(account: AccountDto, inputSeq: bigint): void {
    const update: AccountUpdate = { type: 'account', inputSeq: inputSeq.toString(), account };
    this.subject.next({ update, toAll: true, account: account.account.toLowerCase(), accounts: null });
  }

  /**
   * `account` after a price or mark moved its figures: only to the streams filtered on it (an
   * unfiltered stream gets the {@link marketMoved} event, not one update per holder).
   */
  accountRepriced(account: AccountDto, inputSeq: bigint): void {
    const update: AccountUpdate = { type: 'account', inputSeq: inputSeq.toString(), account };
    this.subject.next({ update, toAll: false, account: account.account.toLowerCase(), accounts: null });
  }

  /**
   * A price or mark input was applied: to every unfiltered stream, and to the streams of the
   * watched accounts it moved (`exposed`, lower case), ahead of their repriced account updates.
   */
  marketMoved(update: MarketUpdate, exposed: ReadonlySet<string>): void {
    this.subject.next({ update, toAll: true, account: null, accounts: exposed });
  }

  /**
   * The updates from now on, optionally only those of one account (lower-case address). While a
   * filtered stream is subscribed its account is in {@link watched}.
   * @example updates.stream({ account: '0x…' }).subscribe((u) => …);
   */
  stream(opts: { account?: string } = {}): Observable<NodeUpdate> {
    const account = opts.account?.toLowerCase();
    if (account === undefined)
      return this.subject.pipe(
        filter((d) => d.toAll),
        map((d) => d.update),
      );
    const own = this.subject.pipe(
      filter((d) => d.account === account || d.accounts?.has(account) === true),
      map((d) => d.update),
    );
    return new Observable<NodeUpdate>((subscriber) => {
      this.watchers.set(account, (this.watchers.get(account) ?? 0) + 1);
      const subscription = own.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        const n = this.watchers.get(account)! - 1;
        if (n > 0) this.watchers.set(account, n);
        else this.watchers.delete(account);
      };
    });
  }

  /** Ends every stream, so open `/events` responses finish and the HTTP server can close. */
  onModuleDestroy(): void {
    this.subject.complete();
  }
}
