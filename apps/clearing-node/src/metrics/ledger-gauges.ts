/**
 * What the metrics need from the ledger to fill the gauges that describe the book (read on each
 * scrape of `/metrics`). The ledger provides it under {@link LEDGER_GAUGES}; the metrics module
 * does not depend on the ledger module.
 */
export interface LedgerGauges {
  /** Accounts whose health factor is below 1 right now. */
  liquidatableCount(): number;
  /**
   * By destination chain (LayerZero eid), in one pass over the order log: orders emitted and not
   * yet acknowledged (`pending`), and orders that expired undispatched (`expired`: the hub never
   * executed them before their expiry + grace; a rising count means the gateway or the hub is not
   * dispatching).
   */
  orderCountsByChain(): { pending: Map<number, number>; expired: Map<number, number> };
  /**
   * Time (unix seconds, the hub block's timestamp) of the last report applied from each source
   * chain (LayerZero eid); `/metrics` turns it into an age against the wall clock.
   */
  lastReportTimeByChain(): Map<number, bigint>;
  /** Sequence numbers missing per source chain (0 once its gap closed; absent if never seen). */
  sequenceGapsByChain(): Map<number, bigint>;
}

/** Injection token of the {@link LedgerGauges} provider. */
export const LEDGER_GAUGES = Symbol('LEDGER_GAUGES');
