export {
  Relayer,
  RelayerStartError,
  relayerChainsFromDeployment,
  type RelayerChain,
  type RelayerOptions,
  type RelayerStats,
  type DeliveryReport,
  type DeliveryOutcome,
  type PacketPath,
} from './relayer.js';
export { decodePacket, PACKET_VERSION, type Packet } from './packet.js';
export { parseExecutorOptions, type ExecutorLzReceive } from './options.js';
export { PacketDecodeError, OptionsDecodeError } from './errors.js';
export { loadRelayerConfig, relayerEnvSchema, type RelayerConfig } from './config.js';
