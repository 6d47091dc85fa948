export { ProcessStartError, NatsVersionError, NatsConfigError } from './errors.js';
export { freePort, waitForPort } from './ports.js';
export { startProcess, type ManagedProcess } from './process.js';
export { startAnvil, anvilBinary, ANVIL_KEYS, type AnvilChain } from './anvil.js';
export {
  startNats,
  natsServerBinary,
  natsServerVersion,
  parseNatsServerVersion,
  natsServerConfig,
  versionAtLeast,
  formatVersion,
  SYNC_ALWAYS_SINCE,
  type NatsServer,
  type NatsServerVersion,
  type NatsServerConfigInput,
} from './nats.js';
