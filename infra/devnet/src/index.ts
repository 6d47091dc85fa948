export { startDevnet, connectNats, type Devnet, type DevnetOptions } from './devnet.js';
export { DEVNET_ACTORS, DEVNET_ASSET, DEVNET_CHAINS, type DevnetChainSpec } from './topology.js';
export {
  mintAndDeposit,
  approveIntegrator,
  reportExposure,
  requestWithdrawal,
  publishPrice,
  vaultBalance,
  tokenBalance,
} from './actions.js';
export { eventually } from './wait.js';
