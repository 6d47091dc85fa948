/** Structured fields of a log line; bigints are written as decimal strings. */
export type LogFields = Record<string, unknown>;

/** The logging surface of the plain (non-Nest) services: one JSON object per line in production. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * A logger writing one JSON object per line:
 * `{"time":"…","level":"info","service":"lz-relayer","msg":"…",…}`.
 * @example const log = jsonLogger('price-feed'); log.info('published', { asset: 'WETH', price: 2000n });
 */
export function jsonLogger(service: string, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const emit = (level: string, msg: string, fields: LogFields = {}): void => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...fields }, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    write(`${line}\n`);
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
