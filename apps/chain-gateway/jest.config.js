import { jestConfig } from '../../jest.config.base.js';

// Integration tests start anvil chains, deploy the LayerZero stack and a nats-server per suite.
export default jestConfig({ testTimeout: 120_000 });
