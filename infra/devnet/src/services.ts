import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type ManagedProcess } from '@omniclear/testkit';

// infra/devnet/{src,dist}/ → the workspace's apps/ folder.
const APPS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'apps');

/** The workspace's apps the devnet runs as processes. */
export type AppName = 'clearing-node' | 'chain-gateway' | 'lz-relayer' | 'price-feed';

/** The folder of one of the workspace's apps (its data files live there too). */
export function appDir(app: AppName): string {
  return path.join(APPS_DIR, app);
}

/** The built entry point (`dist/main.js`) of one of the workspace's apps. */
export function appEntry(app: AppName): string {
  const entry = path.join(appDir(app), 'dist', 'main.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: build the workspace first (pnpm build)`);
  return entry;
}

/**
 * Starts an app as its own Node process with the given environment (its whole configuration:
 * the apps read nothing else). Resolves once `readyLine` appears in its output, or `port` listens.
 */
export async function startApp(opts: {
  app: AppName;
  env: Record<string, string>;
  readyLine?: RegExp;
  port?: number;
  echo?: boolean;
  name?: string;
}): Promise<ManagedProcess> {
  return startProcess({
    name: opts.name ?? opts.app,
    command: process.execPath,
    args: ['--enable-source-maps', appEntry(opts.app)],
    // The child gets its configuration explicitly; only PATH (to find tools) is inherited.
    // eslint-disable-next-line no-restricted-properties
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...opts.env },
    readyLine: opts.readyLine,
    port: opts.port,
    readyTimeoutMs: 30_000,
    echo: opts.echo,
  });
}
