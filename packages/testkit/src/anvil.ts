import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { ProcessStartError } from './errors.js';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './process.js';

/** The anvil binary shipped by the npm package `@foundry-rs/anvil` (or `ANVIL_BIN` when passed). */
export function anvilBinary(override?: string): string {
  if (override) return override;
  const require = createRequire(import.meta.url);
  const wrapper = path.dirname(require.resolve('@foundry-rs/anvil/package.json'));
  const platformPkg = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
  const requireFromWrapper = createRequire(path.join(wrapper, 'package.json'));
  let binary: string;
  try {
    binary = path.join(path.dirname(requireFromWrapper.resolve(`${platformPkg}/package.json`)), 'bin', 'anvil');
  } catch (cause) {
    throw new ProcessStartError(`anvil binary package ${platformPkg} is not installed (run pnpm install)`, { cause });
  }
  if (!fs.existsSync(binary)) throw new ProcessStartError(`anvil binary missing at ${binary}`);
  return binary;
}

/** Well-known anvil dev accounts (mnemonic "test test … junk"); devnet and tests only. */
export const ANVIL_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
] as const;

export interface AnvilChain {
  readonly chainId: number;
  readonly port: number;
  readonly rpcUrl: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts a real anvil node on a free port.
 * @example const hub = await startAnvil({ chainId: 31337 }); … await hub.stop();
 */
export async function startAnvil(opts: {
  chainId: number;
  port?: number;
  blockTime?: number;
  binary?: string;
  echo?: boolean;
  extraArgs?: string[];
}): Promise<AnvilChain> {
  const port = opts.port ?? (await freePort());
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(opts.chainId), '--silent'];
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
  args.push(...(opts.extraArgs ?? []));
  const proc = await startProcess({
    name: `anvil-${opts.chainId}`,
    command: anvilBinary(opts.binary),
    args,
    port,
    echo: opts.echo,
  });
  return { chainId: opts.chainId, port, rpcUrl: `http://127.0.0.1:${port}`, process: proc, stop: () => proc.stop() };
}
