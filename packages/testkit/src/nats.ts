import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProcessStartError } from './errors.js';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './process.js';

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

/** Finds nats-server: an explicit path, then $PATH, then Debian's install locations. */
export function natsServerBinary(override?: string): string {
  if (override) return override;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'nats-server');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  for (const candidate of CANDIDATES) if (fs.existsSync(candidate)) return candidate;
  throw new ProcessStartError(
    'nats-server not found: install it with `apt-get install -y nats-server` (Debian) or set NATS_SERVER_BIN',
  );
}

export interface NatsServer {
  readonly port: number;
  readonly url: string;
  readonly storeDir: string;
  readonly process: ManagedProcess;
  /** Stops the server and deletes its JetStream store (unless `keepStore`). */
  stop(): Promise<void>;
  /** Kills the server abruptly, keeping its store, and starts it again on the same port. */
  restart(): Promise<NatsServer>;
}

/**
 * Starts a real nats-server with JetStream on a free port and a fresh store directory.
 * @example const nats = await startNats(); … await nats.stop();
 */
export async function startNats(
  opts: { port?: number; storeDir?: string; binary?: string; echo?: boolean; keepStore?: boolean } = {},
): Promise<NatsServer> {
  const port = opts.port ?? (await freePort());
  const storeDir = opts.storeDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'omni-nats-'));
  const proc = await startProcess({
    name: `nats-${port}`,
    command: natsServerBinary(opts.binary),
    args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    port,
    readyLine: /Server is ready/,
    echo: opts.echo,
  });
  const server: NatsServer = {
    port,
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    process: proc,
    async stop() {
      await proc.stop();
      if (!opts.keepStore && opts.storeDir === undefined) fs.rmSync(storeDir, { recursive: true, force: true });
    },
    async restart() {
      await proc.kill();
      return startNats({ ...opts, port, storeDir });
    },
  };
  return server;
}
