import { Inject, Injectable } from '@nestjs/common';
import type { AccountView } from '@omniclear/margin-engine';
import type { InputEvent, MarkEvent, PriceEvent } from '@omniclear/protocol';
import { performance } from 'node:perf_hooks';

import { toAccountDto, toOrderDto } from '../api/views.js';
import { NODE_CONFIG, type NodeConfig } from '../config.js';
import { NodeMetrics } from '../metrics/node-metrics.js';
import { UpdatesService, type MarketUpdate } from '../updates/updates.service.js';
import { LedgerService } from './ledger.service.js';

/**
 * What the input consumer reports at each step of an input, turned into metrics and live
 * updates. One seam, so the consumer stays a loop: parse → apply → publish → advance.
 *
 * @example
 * const t = telemetry.received();
 * const applyStart = telemetry.now(); const r = ledger.apply(event, seq); telemetry.applied(event, applyStart, r.repriced);
 * await publisher.publish(order); telemetry.orderPublished(order.orderId, order.kind, seq, !duplicate);
 * telemetry.decided(event, seq, orders.map((o) => o.account), t);
 */
@Injectable()
export class LedgerTelemetry {
  private readonly indexAssets: NodeConfig['indexAssets'];
  /** Price and mark inputs that moved the book, from {@link applied} to {@link decided}. */
  private readonly repriced = new WeakSet<InputEvent>();

  constructor(
    private readonly metrics: NodeMetrics,
    private readonly updates: UpdatesService,
    private readonly ledger: LedgerService,
    @Inject(NODE_CONFIG) config: NodeConfig,
  ) {
    this.indexAssets = config.indexAssets;
  }

  /** A monotonic timestamp (ms) to pass back to {@link applied} / {@link decided}. */
  now(): number {
    return performance.now();
  }

  /** An input was received; returns its receipt time. */
  received(): number {
    return performance.now();
  }

  /**
   * The ledger applied `event`; `applyStart` is {@link now} just before `apply`, `repriced` what
   * `apply` said: a price or mark the book applied (not one it ignored as older than its last).
   */
  applied(event: InputEvent, applyStart: number, repriced = false): void {
    this.metrics.observeApply((performance.now() - applyStart) / 1000);
    this.metrics.eventApplied(eventKind(event));
    if (repriced) this.repriced.add(event);
  }

  /** A snapshot was captured, `captureStart` being {@link now} before it began. */
  snapshotCaptured(captureStart: number): void {
    this.metrics.observeSnapshotCapture((performance.now() - captureStart) / 1000);
  }

  /** The snapshot covering OMNI_IN `seq` (`bytes` of state) is written, or (`bytes` null) was not. */
  snapshotSaved(seq: number, bytes: number | null): void {
    if (bytes === null) this.metrics.snapshotFailed();
    else this.metrics.snapshotWritten(seq, bytes);
  }

  /** Order `orderId` is in OMNI_OUT; `first` is false when the stream deduplicated it (a replay). */
  orderPublished(orderId: string, kind: string, inputSeq: bigint, first: boolean): void {
    if (first) this.metrics.orderEmitted(kind.toLowerCase());
    if (!this.updates.listening) return;
    const record = this.ledger.order(orderId);
    if (record) this.updates.orderEmitted(toOrderDto(record), inputSeq);
  }

  /**
   * Every order of `event` is published (`orderAccounts`: the account of each): the decision
   * latency (inputs with orders only), then the live updates: acknowledged orders and the accounts
   * the event changed (the reporting account of a hub event and the accounts of its orders).
   *
   * A price or mark the book applied also moves every holder's figures. Those go to the watched
   * accounts only (the accounts a filtered `/events` stream is open on) that it moved, so the cost
   * is one account view per watched account, however many hold the asset; every stream gets one
   * `market` event instead (a filtered one only when its account is among those moved).
   */
  decided(event: InputEvent, inputSeq: bigint, orderAccounts: readonly string[], receivedAt: number): void {
    if (orderAccounts.length > 0) this.metrics.observeDecision((performance.now() - receivedAt) / 1000);
    if (!this.updates.listening) return;
    const accounts = new Set(orderAccounts.map((a) => a.toLowerCase()));
    if (event.kind === 'hub') {
      const m = event.message;
      accounts.add(m.account.toLowerCase());
      if (m.type === 'ORDER_ACK') {
        const acked = this.ledger.order(m.orderId);
        // executed (done), or refused by the vault as delivered after its expiry (expired, with the ack's number)
        if (acked && (acked.status === 'done' || (acked.status === 'expired' && acked.doneSeq !== null)))
          this.updates.orderAcknowledged(toOrderDto(acked), inputSeq);
      }
    }
    if ((event.kind !== 'price' && event.kind !== 'mark') || !this.repriced.has(event)) {
      for (const account of accounts) this.updates.accountChanged(toAccountDto(this.ledger.account(account)), inputSeq);
      return;
    }
    // The figures that move: the asset's holdings and positions in the markets that follow it,
    // or positions in the marked market.
    const asset = event.kind === 'price' ? event.asset : null;
    const markets =
      event.kind === 'price' ? (event.price > 0n ? (this.indexAssets[event.asset] ?? []) : []) : [event.market];
    const exposed = new Set<string>();
    const views = new Map<string, AccountView>();
    for (const account of this.updates.watched.keys()) {
      if (!movedBy(this.ledger.exposure(account), asset, markets)) continue;
      const view = this.ledger.account(account);
      exposed.add(account);
      views.set(account, view);
    }
    this.updates.marketMoved(marketUpdate(event, inputSeq, markets), exposed);
    // the accounts the input liquidated go to every stream, as before; the others to their own
    for (const account of accounts)
      this.updates.accountChanged(toAccountDto(views.get(account) ?? this.ledger.account(account)), inputSeq);
    for (const [account, view] of views)
      if (!accounts.has(account)) this.updates.accountRepriced(toAccountDto(view), inputSeq);
  }
}

/** Whether an account exposed to these assets and markets holds `asset` or has a position in one of `markets`. */
function movedBy(
  exposure: { assets: ReadonlySet<string>; markets: ReadonlySet<string> },
  asset: string | null,
  markets: readonly string[],
): boolean {
  return (asset !== null && exposure.assets.has(asset)) || markets.some((m) => exposure.markets.has(m));
}

function marketUpdate(event: PriceEvent | MarkEvent, inputSeq: bigint, markets: readonly string[]): MarketUpdate {
  return event.kind === 'price'
    ? {
        type: 'market',
        kind: 'price',
        inputSeq: inputSeq.toString(),
        asset: event.asset,
        price: event.price.toString(),
        markets: [...markets],
        time: event.publishTime.toString(),
      }
    : {
        type: 'market',
        kind: 'mark',
        inputSeq: inputSeq.toString(),
        market: event.market,
        markPrice: event.markPrice.toString(),
        indexPrice: event.indexPrice.toString(),
        time: event.publishTime.toString(),
      };
}

/** Metric label of an input: `price`, `mark`, or the hub message type in lower case (`order_ack`…). */
function eventKind(event: InputEvent): string {
  return event.kind === 'hub' ? event.message.type.toLowerCase() : event.kind;
}
