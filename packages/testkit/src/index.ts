export { ProcessStartError } from './errors.js';
export { freePort, waitForPort } from './ports.js';
export { startProcess, type ManagedProcess } from './process.js';
export { startAnvil, anvilBinary, ANVIL_KEYS, type AnvilChain } from './anvil.js';
export { startNats, natsServerBinary, type NatsServer } from './nats.js';
