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
   * yet acknowledged (`pending`), and orders that expired (`expired`: acknowledged EXPIRED by the
   * vault, or never dispatched by their expiry + grace; a rising count means the gateway or the
   * hub is not dispatching in time).
   */
  orderCountsByChain(): { pending: Map<number, number>; expired: Map<number, number> };
  /**
   * Time (unix seconds, the hub block's timestamp) of the last report applied from each source
   * chain (LayerZero eid); `/metrics` turns it into an age against the wall clock.
   */
  lastReportTimeByChain(): Map<number, bigint>;
  /** Sequence numbers missing per source chain (0 once its gap closed; absent if never seen). */
  sequenceGapsByChain(): Map<number, bigint>;
  /** Each asset with a maximum price age and a price: its age (stream time) and whether it is stale. */
  priceAges(): PriceAge[];
}

/** An asset's price age (seconds, at the stream's time) against its configured maximum. */
export interface PriceAge {
  readonly asset: string;
  /** Publish time of the last price (unix seconds). */
  readonly time: bigint;
  readonly age: bigint;
  readonly maxAge: bigint;
  /** Older than `maxAge`: the asset's holders' liquidations and withdrawal approvals wait. */
  readonly stale: boolean;
}

/** Injection token of the {@link LedgerGauges} provider. */
export const LEDGER_GAUGES = Symbol('LEDGER_GAUGES');
