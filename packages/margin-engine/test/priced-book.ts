import { FIXED_ONE as W, MarginBook, evaluateExactUnchecked, type BookConfig } from '../src/index.js';

/** What a test tick moves: an asset's oracle price, or the ETH-PERP mark. */
export type Priced = 'WETH' | 'USDC' | 'MARK';

/**
 * A book whose USDC (1), WETH (2,000) and ETH-PERP mark (2,000) are priced at time 1, moved by
 * ticks one second apart, with the exact list of liquidatable accounts to hold the book's list to
 * (the slack and tick properties share it).
 */
export class PricedBook {
  readonly book: MarginBook;
  readonly price: Record<Priced, bigint> = { WETH: 2000n * W, USDC: W, MARK: 2000n * W };
  time = 1n;

  constructor(config: BookConfig) {
    this.book = new MarginBook(config);
    this.book.applyPrice({ asset: 'USDC', price: this.price.USDC, time: this.time });
    this.book.applyPrice({ asset: 'WETH', price: this.price.WETH, time: this.time });
    this.book.applyMark({
      market: 'ETH-PERP',
      markPrice: this.price.MARK,
      indexPrice: this.price.MARK,
      time: this.time,
    });
  }

  /**
   * Moves `what` by `bps` basis points one second later; a mark's index lies `indexBps` below it
   * (a premium, so funding accrues).
   */
  move(what: Priced, bps: number, indexBps = 0): void {
    this.time += 1n;
    const p = (this.price[what] = (this.price[what] * BigInt(10_000 + bps)) / 10_000n);
    if (what === 'MARK')
      this.book.applyMark({
        market: 'ETH-PERP',
        markPrice: p,
        indexPrice: (p * BigInt(10_000 - indexBps)) / 10_000n,
        time: this.time,
      });
    else this.book.applyPrice({ asset: what, price: p, time: this.time });
  }

  /** The accounts of `ids` an exact evaluation finds liquidatable, sorted. */
  exact(ids: readonly string[]): string[] {
    const b = this.book;
    return ids
      .filter((id) => evaluateExactUnchecked(b.exactAccount(id), b.context(), { details: false }).liquidatable)
      .sort();
  }
}
