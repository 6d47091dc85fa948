import { jestConfig } from '../../jest.config.base.js';

// The end-to-end suite starts three chains, a broker and every service.
export default jestConfig({ testTimeout: 300_000 });
