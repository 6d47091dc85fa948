export { createChainClients, defineLocalChain, type ChainClients, type ChainClientOptions } from './clients.js';
export {
  deployLayerZero,
  connectPathway,
  deployOmniclear,
  addressToBytes32,
  type LayerZeroDeployment,
  type PathwayEnd,
  type ChainTarget,
  type DeployOmniclearOptions,
} from './deploy.js';
export { deploymentSchema, parseDeployment, hubChain, type Deployment, type DeployedChain } from './deployment.js';
export { DeploymentError, type DeploymentErrorDetails } from './errors.js';
export { describeRevert, revertData } from './revert.js';
export {
  clearingHubAbi,
  collateralVaultAbi,
  demoTokenAbi,
  demoAggregatorAbi,
  endpointV2Abi,
  simpleMessageLibAbi,
} from './generated/abis.js';
export {
  clearingHubBytecode,
  collateralVaultBytecode,
  demoTokenBytecode,
  demoAggregatorBytecode,
  endpointV2Bytecode,
  simpleMessageLibBytecode,
} from './generated/bytecode.js';
