/**
 * What the metrics need from the ledger to fill the gauges that describe the book (read on each
 * scrape of `/metrics`). The ledger provides it under {@link LEDGER_GAUGES}; the metrics module
 * does not depend on the ledger module.
 */
export interface LedgerGauges {
  /** Accounts whose health factor is below 1 right now. */
  liquidatableCount(): number;
  /** Orders emitted and not yet acknowledged, by destination chain (LayerZero eid). */
  pendingOrdersByChain(): Map<number, number>;
  /**
   * Orders that expired undispatched (the hub never executed them before their expiry + grace),
   * by destination chain: a rising count means the gateway or the hub is not dispatching.
   */
  expiredOrdersByChain(): Map<number, number>;
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
