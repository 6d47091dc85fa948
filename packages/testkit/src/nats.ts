import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NatsConfigError, NatsVersionError, ProcessStartError } from './errors.js';
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

/** A nats-server release, as `nats-server --version` prints it. */
export interface NatsServerVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * The first release whose `jetstream {}` block accepts `sync_interval` (and its `always` value,
 * an fsync after every write). Older servers refuse the whole file over the unknown field.
 */
export const SYNC_ALWAYS_SINCE: NatsServerVersion = { major: 2, minor: 10, patch: 0 };

/** True when `version` is `since` or later. */
export function versionAtLeast(version: NatsServerVersion, since: NatsServerVersion): boolean {
  if (version.major !== since.major) return version.major > since.major;
  if (version.minor !== since.minor) return version.minor > since.minor;
  return version.patch >= since.patch;
}

/** `2.9.10` */
export function formatVersion(v: NatsServerVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/**
 * Parses the output of `nats-server --version` (`nats-server: v2.9.10`; a pre-release or build
 * suffix such as `v2.11.0-RC.1` is ignored).
 * @throws {NatsVersionError} when the text names no version.
 * @example parseNatsServerVersion('nats-server: v2.10.4') // { major: 2, minor: 10, patch: 4 }
 */
export function parseNatsServerVersion(output: string): NatsServerVersion {
  const match = /^nats-server:?\s+v?(\d+)\.(\d+)\.(\d+)\b/m.exec(output.trim());
  if (!match) {
    throw new NatsVersionError(`cannot read a nats-server version from ${JSON.stringify(output.slice(0, 120))}`, {
      details: { output },
    });
  }
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

const versions = new Map<string, Promise<NatsServerVersion>>();

/**
 * The version of a nats-server binary (`<binary> --version`), asked once per binary and process.
 * @throws {NatsVersionError} when the binary cannot be run or its output names no version.
 * @example const { major, minor } = await natsServerVersion('/usr/sbin/nats-server');
 */
export function natsServerVersion(binary: string = natsServerBinary()): Promise<NatsServerVersion> {
  let version = versions.get(binary);
  if (!version) {
    version = (async () => {
      let stdout: string;
      try {
        ({ stdout } = await promisify(execFile)(binary, ['--version'], { timeout: 10_000 }));
      } catch (cause) {
        throw new NatsVersionError(`could not run ${binary} --version`, { cause, details: { binary } });
      }
      return parseNatsServerVersion(stdout);
    })();
    // A failure is not cached: the binary may be installed or fixed in the meantime.
    version.catch(() => versions.delete(binary));
    versions.set(binary, version);
  }
  return version;
}

/**
 * A double-quoted string of the nats-server configuration format. Its lexer knows the escapes
 * `\\`, `\"`, `\t`, `\n` and `\r`; any other control character is refused rather than guessed.
 */
function quote(value: string, key: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
    throw new NatsConfigError(`${key} contains a control character the config format cannot carry`, {
      details: { key, value },
    });
  }
  const escaped = value
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('\t', '\\t')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r');
  return `"${escaped}"`;
}

/** What {@link natsServerConfig} renders. */
export interface NatsServerConfigInput {
  readonly host: string;
  readonly port: number;
  /** JetStream's store directory (the server keeps its files in `<storeDir>/jetstream`). */
  readonly storeDir: string;
  /** The server that will read the file: `sync_interval` is written only for 2.10 and later. */
  readonly version: NatsServerVersion;
  /** Serves the monitoring endpoints (`/varz`, `/jsz`) on this port when given. */
  readonly httpPort?: number;
}

/**
 * Renders a nats-server configuration file for one JetStream server. JetStream acknowledges a
 * write before it reaches the disk by default; on 2.10 and later the file sets
 * `sync_interval: always` (fsync after every write), which older servers would refuse.
 * @example natsServerConfig({ host: '127.0.0.1', port: 4222, storeDir: '/var/lib/nats', version })
 */
export function natsServerConfig(input: NatsServerConfigInput): string {
  for (const [key, port] of [
    ['port', input.port],
    ['httpPort', input.httpPort],
  ] as const) {
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      // Port 0 would not mean "any": nats-server reads it as its default, 4222.
      throw new NatsConfigError(`${key} must be an integer in 1..65535 (got ${port})`, { details: { key, port } });
    }
  }
  const syncAlways = versionAtLeast(input.version, SYNC_ALWAYS_SINCE);
  const lines = [
    `# Written for nats-server ${formatVersion(input.version)}.`,
    `host: ${quote(input.host, 'host')}`,
    `port: ${input.port}`,
    ...(input.httpPort === undefined ? [] : [`http_port: ${input.httpPort}`]),
    '',
    'jetstream {',
    `  store_dir: ${quote(input.storeDir, 'storeDir')}`,
    ...(syncAlways
      ? [
          '  # fsync after every write, before the ack (2.10+): an acknowledged message survives a power loss.',
          '  sync_interval: always',
        ]
      : [
          `  # nats-server ${formatVersion(input.version)} has no sync_interval (2.10+): writes are acknowledged before`,
          '  # they are fsynced.',
        ]),
    '}',
    '',
  ];
  return lines.join('\n');
}

export interface NatsServer {
  readonly port: number;
  readonly url: string;
  readonly storeDir: string;
  /** The configuration file the server was started with (`-c`). */
  readonly configFile: string;
  /** The server's release. */
  readonly version: NatsServerVersion;
  /** True when the server fsyncs every JetStream write before acknowledging it (2.10+). */
  readonly syncAlways: boolean;
  readonly process: ManagedProcess;
  /** Stops the server and deletes its JetStream store (unless `keepStore`). */
  stop(): Promise<void>;
  /** Kills the server abruptly, keeping its store, and starts it again on the same port. */
  restart(): Promise<NatsServer>;
}

/**
 * Starts a real nats-server with JetStream on a free port and a fresh store directory, from a
 * configuration file rendered by {@link natsServerConfig} for the installed server's version.
 * @example const nats = await startNats(); … await nats.stop();
 */
export async function startNats(
  opts: { port?: number; storeDir?: string; binary?: string; echo?: boolean; keepStore?: boolean } = {},
): Promise<NatsServer> {
  const binary = natsServerBinary(opts.binary);
  const version = await natsServerVersion(binary);
  const port = opts.port ?? (await freePort());
  const storeDir = opts.storeDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'omni-nats-'));
  // The file lives apart from the store: a caller's store directory holds only JetStream's data.
  const confDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-nats-conf-'));
  const removeConf = () => fs.rmSync(confDir, { recursive: true, force: true });
  const configFile = path.join(confDir, 'nats-server.conf');
  let proc: ManagedProcess;
  try {
    fs.writeFileSync(configFile, natsServerConfig({ host: '127.0.0.1', port, storeDir, version }));
    proc = await startProcess({
      name: `nats-${port}`,
      command: binary,
      args: ['-c', configFile],
      port,
      readyLine: /Server is ready/,
      echo: opts.echo,
    });
  } catch (error) {
    removeConf();
    throw error;
  }
  const server: NatsServer = {
    port,
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    configFile,
    version,
    syncAlways: versionAtLeast(version, SYNC_ALWAYS_SINCE),
    process: proc,
    async stop() {
      await proc.stop();
      removeConf();
      if (!opts.keepStore && opts.storeDir === undefined) fs.rmSync(storeDir, { recursive: true, force: true });
    },
    async restart() {
      await proc.kill();
      removeConf();
      return startNats({ ...opts, port, storeDir });
    },
  };
  return server;
}
