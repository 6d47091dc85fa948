/** Raised when a local process (anvil, nats-server) cannot be found, started or reached. */
export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError' as const;
  readonly details: Record<string, unknown>;

  constructor(message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.details = opts.details ?? {};
  }
}

/** Raised when the version of a nats-server binary cannot be run or read from `--version`. */
export class NatsVersionError extends Error {
  override readonly name = 'NatsVersionError' as const;
  readonly details: Record<string, unknown>;

  constructor(message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.details = opts.details ?? {};
  }
}

/** Raised when a nats-server configuration cannot be rendered from the values given. */
export class NatsConfigError extends Error {
  override readonly name = 'NatsConfigError' as const;
  readonly details: Record<string, unknown>;

  constructor(message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.details = opts.details ?? {};
  }
}
