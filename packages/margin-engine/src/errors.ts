/**
 * Base class of every error the engine throws. The engine is pure, so its errors only ever
 * describe bad input or bad configuration handed to it; callers map them to 4xx at their edges.
 */
export class MarginEngineError extends Error {
  override name: string = 'MarginEngineError';
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.details = opts.details ?? {};
  }
}

/**
 * Thrown when an input (a report, a price, a configuration entry) is malformed: a non-bigint or
 * negative amount, an unknown asset, an invalid address… `field` names the offending field so the
 * message can be traced back to the producer. Nothing is applied when this is thrown.
 * @example
 * try { book.applyPrice({ asset: 'DOGE', price: 1n, publishTime: 1n }); }
 * catch (e) { if (e instanceof InvalidInputError) console.log(e.field); } // "asset"
 */
export class InvalidInputError extends MarginEngineError {
  override name = 'InvalidInputError' as const;
  readonly field: string;

  constructor(field: string, reason: string, details: Record<string, unknown> = {}) {
    super(`invalid ${field}: ${reason}`, { details: { field, ...details } });
    this.field = field;
  }
}
