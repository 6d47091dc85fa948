/** Raised when a local process (anvil, nats-server) cannot be found, started or reached. */
export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError' as const;
  readonly details: Record<string, unknown>;

  constructor(message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.details = opts.details ?? {};
  }
}
