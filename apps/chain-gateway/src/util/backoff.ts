/**
 * Sleeps `ms`, waking early (without throwing) when `signal` aborts, so shutdown never waits out
 * a retry delay.
 * @example await sleep(1_000, controller.signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Capped exponential backoff with full jitter: a flapping RPC or broker is retried quickly at
 * first and then at most every `maxMs`, without several gateways retrying in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  /** The delay before the next retry; each call doubles the ceiling up to `maxMs`. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.max(this.baseMs, Math.round(Math.random() * ceiling));
  }

  /** Number of consecutive failures since the last {@link reset}. */
  get failures(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A short, single-line description of any thrown value, for logs and dead letters. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const short = (err as { shortMessage?: unknown }).shortMessage;
    const text = typeof short === 'string' ? short : err.message;
    return `${err.name}: ${text.split('\n')[0]}`;
  }
  return String(err);
}
