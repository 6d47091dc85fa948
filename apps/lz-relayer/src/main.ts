import { loadRelayerConfig } from './config.js';
import { jsonLogger } from '@omniclear/observability';
import { Relayer } from './relayer.js';

// Entry point: `node dist/main.js`. The only place that touches process.env and signals.
const log = jsonLogger('lz-relayer');

async function main(): Promise<void> {
  const config = loadRelayerConfig(process.env);
  const relayer = new Relayer({ ...config, logger: log });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    relayer.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  await relayer.start();
}

main().catch((err: unknown) => {
  log.error('relayer failed to start', {
    error: err instanceof Error ? err.message : String(err),
    errorName: err instanceof Error ? err.name : undefined,
  });
  process.exit(1);
});
