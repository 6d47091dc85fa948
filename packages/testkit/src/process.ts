import { spawn, type ChildProcess } from 'node:child_process';
import { ProcessStartError } from './errors.js';
import { waitForPort } from './ports.js';

/** A child process started by the kit; `stop()` is idempotent and waits for the exit. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Last lines the process wrote to stdout/stderr (for error messages). */
  output(): string;
  /** Sends SIGTERM (then SIGKILL after `graceMs`) and resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Sends SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

const live = new Set<ManagedProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // A test runner or launcher that dies must not leave chains or brokers behind.
  const killAll = () => {
    for (const p of live) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  process.once('exit', killAll);
  // A runner stopped by a signal (a CI timeout, Ctrl-C) must not orphan them either. Where the
  // host installed its own handler it owns the shutdown; otherwise we clean up and exit as the
  // signal would have.
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      killAll();
      process.exit(code);
    };
    process.on(signal, onSignal);
  }
}

/** Spawns `command`, keeps a ring of its output, and waits for `port` to accept connections. */
export async function startProcess(opts: {
  name: string;
  command: string;
  args: string[];
  port?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  readyTimeoutMs?: number;
  /** Resolves when the process's output says it is ready (used instead of, or with, `port`). */
  readyLine?: RegExp;
  echo?: boolean;
}): Promise<ManagedProcess> {
  hookExit();
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (cause) {
    throw new ProcessStartError(`could not start ${opts.name} (${opts.command})`, { cause });
  }
  const lines: string[] = [];
  let readyResolve: (() => void) | undefined;
  const readySeen = new Promise<void>((r) => (readyResolve = r));
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (opts.echo) process.stdout.write(`[${opts.name}] ${text}`);
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      lines.push(line);
      if (lines.length > 200) lines.shift();
      if (opts.readyLine?.test(line)) readyResolve?.();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (cause) =>
      reject(
        new ProcessStartError(`could not start ${opts.name}: ${cause.message}`, {
          cause,
          details: { command: opts.command },
        }),
      ),
    ),
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const managed: ManagedProcess = {
    name: opts.name,
    pid: child.pid ?? -1,
    output: () => lines.join('\n'),
    exited,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      live.delete(managed);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
      live.delete(managed);
    },
  };
  live.add(managed);
  const timeout = opts.readyTimeoutMs ?? 15_000;
  const earlyExit = exited.then((code) => {
    throw new ProcessStartError(`${opts.name} exited with code ${code} before it was ready:\n${managed.output()}`, {
      details: { code },
    });
  });
  const spawned = new Promise<void>((r) => child.once('spawn', () => r()));
  const ready = (async () => {
    await spawned;
    if (opts.readyLine) await Promise.race([readySeen, exited]);
    if (opts.port !== undefined)
      await waitForPort(opts.port, timeout, '127.0.0.1', () => child.exitCode !== null || child.signalCode !== null);
  })();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ProcessStartError(`${opts.name} not ready after ${timeout} ms:\n${managed.output()}`)),
      timeout,
    );
  });
  try {
    await Promise.race([ready, earlyExit, spawnError, timedOut]);
  } catch (error) {
    await managed.kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  earlyExit.catch(() => undefined);
  return managed;
}
