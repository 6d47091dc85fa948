import 'reflect-metadata';

import { Logger } from '@nestjs/common';
import { ConfigError } from '@omniclear/config';

import { readNodeConfig, type NodeConfig } from './config.js';

async function main(): Promise<void> {
  let config: NodeConfig;
  try {
    config = readNodeConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`clearing-node: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  // Loaded only once the configuration is valid, so a bad config fails fast.
  const { createApp, startApp } = await import('./app.js');
  const { InputConsumer } = await import('./ledger/input-consumer.js');
  const app = await createApp(config);
  // useProcessExit: exit 0 after a clean close instead of re-raising the signal.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await startApp(app, config);

  // A node that can no longer follow its input must not keep answering with stale state.
  app.get(InputConsumer).finished.catch(async (error: Error) => {
    new Logger('ClearingNode').error(`stopping: ${error.message}`);
    await app.close().catch(() => undefined);
    process.exit(1);
  });
}

main().catch((error: Error) => {
  process.stderr.write(`clearing-node: failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
