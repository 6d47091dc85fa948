import { Injectable } from '@nestjs/common';
import type { InputEvent } from '@omniclear/protocol';
import { performance } from 'node:perf_hooks';

import { toAccountDto, toOrderDto } from '../api/views.js';
import { NodeMetrics } from '../metrics/node-metrics.js';
import { UpdatesService } from '../updates/updates.service.js';
import { LedgerService } from './ledger.service.js';

/**
 * What the input consumer reports at each step of an input, turned into metrics and live
 * updates. One seam, so the consumer stays a loop: parse → apply → publish → advance.
 *
 * @example
 * const t = telemetry.received();
 * const applyStart = telemetry.now(); const r = ledger.apply(event, seq); telemetry.applied(event, applyStart);
 * await publisher.publish(order); telemetry.orderPublished(order.orderId, order.kind, seq, !duplicate);
 * telemetry.decided(event, seq, orders.map((o) => o.account), t);
 */
@Injectable()
export class LedgerTelemetry {
  constructor(
    private readonly metrics: NodeMetrics,
    private readonly updates: UpdatesService,
    private readonly ledger: LedgerService,
  ) {}

  /** A monotonic timestamp (ms) to pass back to {@link applied} / {@link decided}. */
  now(): number {
    return performance.now();
  }

  /** An input was received; returns its receipt time. */
  received(): number {
    return performance.now();
  }

  /** The ledger applied `event`; `applyStart` is {@link now} just before `apply`. */
  applied(event: InputEvent, applyStart: number): void {
    this.metrics.observeApply((performance.now() - applyStart) / 1000);
    this.metrics.eventApplied(eventKind(event));
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
   * the event changed (the reporting account of a hub event and the accounts of its orders; the
   * holders a price touched are not known here: the ledger will publish those itself).
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
        if (acked?.status === 'done') this.updates.orderAcknowledged(toOrderDto(acked), inputSeq);
      }
    }
    for (const account of accounts) this.updates.accountChanged(toAccountDto(this.ledger.account(account)), inputSeq);
  }
}

/** Metric label of an input: `price`, `mark`, or the hub message type in lower case (`order_ack`…). */
function eventKind(event: InputEvent): string {
  return event.kind === 'hub' ? event.message.type.toLowerCase() : event.kind;
}
