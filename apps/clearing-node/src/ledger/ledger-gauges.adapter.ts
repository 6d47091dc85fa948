import { Injectable } from '@nestjs/common';
import type { InputEvent } from '@omniclear/protocol';

import type { LedgerGauges } from '../metrics/ledger-gauges.js';
import { LedgerService } from './ledger.service.js';

/**
 * Interim {@link LedgerGauges} over `LedgerService`'s public methods, until the ledger implements
 * the interface itself (then this file and the consumer's `noteApplied` call go away, and
 * `LEDGER_GAUGES` points at the ledger). What the ledger does not expose yet (which accounts
 * exist, when each chain last reported) is noted from the applied events.
 */
@Injectable()
export class LedgerServiceGauges implements LedgerGauges {
  private readonly accounts = new Set<string>();
  private readonly reportTimes = new Map<number, bigint>();

  constructor(private readonly ledger: LedgerService) {}

  /** Called by the input consumer after the ledger applied `event`. */
  noteApplied(event: InputEvent): void {
    if (event.kind !== 'hub') return;
    this.accounts.add(event.message.account.toLowerCase());
    const last = this.reportTimes.get(event.srcEid);
    if (last === undefined || event.blockTimestamp > last) this.reportTimes.set(event.srcEid, event.blockTimestamp);
  }

  /** Accounts liquidatable now (the book re-evaluates only accounts touched since the last call). */
  liquidatableCount(): number {
    return this.ledger.liquidatableCount();
  }

  /** Every chain the node ever sent an order to, 0 when none is pending there. */
  pendingOrdersByChain(): Map<number, number> {
    const byChain = new Map<number, number>();
    for (const o of this.ledger.orders()) {
      byChain.set(o.order.chain, (byChain.get(o.order.chain) ?? 0) + (o.status === 'pending' ? 1 : 0));
    }
    return byChain;
  }

  lastReportTimeByChain(): Map<number, bigint> {
    return new Map(this.reportTimes);
  }
}
