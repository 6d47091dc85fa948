import { loadPriceFeedConfig } from './config.js';
import { PriceFeed } from './feed.js';
import { jsonLogger } from '@omniclear/observability';

// Entry point: `node dist/main.js`. The only place that touches process.env and signals.
const log = jsonLogger('price-feed');

async function main(): Promise<void> {
  const config = loadPriceFeedConfig(process.env);
  const feed = new PriceFeed({ ...config, logger: log });

  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { reason });
    feed.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  await feed.start();
  if (config.source.kind === 'replay' && config.source.exitWhenDone) {
    await feed.done;
    shutdown('replay finished');
  }
}

main().catch((err: unknown) => {
  log.error('price feed failed to start', {
    error: err instanceof Error ? err.message : String(err),
    errorName: err instanceof Error ? err.name : undefined,
  });
  process.exit(1);
});
