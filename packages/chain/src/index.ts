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
  omniTimelockAbi,
} from './generated/abis.js';
export {
  clearingHubBytecode,
  collateralVaultBytecode,
  demoTokenBytecode,
  demoAggregatorBytecode,
  endpointV2Bytecode,
  simpleMessageLibBytecode,
  omniTimelockBytecode,
} from './generated/bytecode.js';
export {
  networkConfigSchema,
  parseNetworkConfig,
  resolveNetworkSecrets,
  resolveRpcUrls,
  type NetworkConfig,
  type NetworkSecrets,
  type HubConfig,
  type SpokeConfig,
  type PathwayConfig,
  type UlnSideConfig,
  type TimelockConfig,
  MIN_TIMELOCK_DELAY_SECONDS,
} from './network/config.js';
export {
  checkPathways,
  pathwayProblems,
  typesSent,
  EXECUTOR_GAS_FLOOR,
  LIQUIDATE_WORST_CASE_GAS,
  MAX_INTEGRATORS,
  INTEGRATOR_CALLBACK_GAS,
  MAX_PAYLOAD_BYTES,
  MIN_REQUIRED_DVNS,
  HUB_TO_SPOKE_TYPES,
  SPOKE_TO_HUB_TYPES,
} from './network/check.js';
export {
  deployNetwork,
  configureNetwork,
  verifyNetwork,
  type DeployNetworkOptions,
  type NetworkDeployment,
  type NetworkDeployedChain,
} from './network/deploy.js';
export { hubConstructorArgs, vaultConstructorArgs, timelockConstructorArgs, TIMELOCK_ROLES } from './contracts.js';
export { planPathways, type PlannedPathway, type PlannedOption } from './network/plan.js';
export { networkDeploymentSchema, parseNetworkDeployment } from './network/deployment.js';
export {
  ulnConfig,
  encodeUlnConfig,
  decodeUlnConfig,
  encodeExecutorConfig,
  decodeExecutorConfig,
  executorLzReceiveOption,
  CONFIG_TYPE_EXECUTOR,
  CONFIG_TYPE_ULN,
  NIL_DVN_COUNT,
  type UlnConfig,
  type ExecutorConfig,
} from './network/layerzero.js';
export {
  NetworkConfigError,
  PathwayCheckError,
  NetworkVerificationError,
  type NetworkIssue,
} from './network/errors.js';
export { runNetworkCli, type CliIo } from './network/cli.js';
