import {
  concat,
  decodeAbiParameters,
  encodeAbiParameters,
  encodePacked,
  getAddress,
  toHex,
  type Address,
  type Hex,
} from 'viem';

/** `SendUln302.setConfig` / `getConfig` config type of an `ExecutorConfig`. */
export const CONFIG_TYPE_EXECUTOR = 1;
/** `SendUln302` / `ReceiveUln302` config type of a `UlnConfig`. */
export const CONFIG_TYPE_ULN = 2;
/**
 * `UlnConfig` count meaning "none" (`NIL_DVN_COUNT` in `UlnBase.sol`): an OApp's count of 0 means
 * "use LayerZero's default DVNs", so an OApp that wants no optional DVNs must say NIL, or it
 * silently inherits whatever the default is.
 */
export const NIL_DVN_COUNT = 255;

/** `UlnConfig` of `@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/UlnBase.sol`, field for field. */
export interface UlnConfig {
  readonly confirmations: bigint;
  readonly requiredDVNCount: number;
  readonly optionalDVNCount: number;
  readonly optionalDVNThreshold: number;
  /** Ascending, no duplicates (the library refuses anything else with `LZ_ULN_Unsorted`). */
  readonly requiredDVNs: readonly Address[];
  readonly optionalDVNs: readonly Address[];
}

/** `ExecutorConfig` of `@layerzerolabs/lz-evm-messagelib-v2/contracts/SendLibBase.sol`. */
export interface ExecutorConfig {
  readonly maxMessageSize: number;
  readonly executor: Address;
}

const ulnConfigAbi = [
  {
    type: 'tuple',
    components: [
      { name: 'confirmations', type: 'uint64' },
      { name: 'requiredDVNCount', type: 'uint8' },
      { name: 'optionalDVNCount', type: 'uint8' },
      { name: 'optionalDVNThreshold', type: 'uint8' },
      { name: 'requiredDVNs', type: 'address[]' },
      { name: 'optionalDVNs', type: 'address[]' },
    ],
  },
] as const;

const executorConfigAbi = [
  {
    type: 'tuple',
    components: [
      { name: 'maxMessageSize', type: 'uint32' },
      { name: 'executor', type: 'address' },
    ],
  },
] as const;

/** Sorts addresses ascending as the ULN requires (numeric order = lower-case hex order). */
export function sortAddresses(addresses: readonly Address[]): Address[] {
  return [...addresses].map((a) => getAddress(a)).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
}

/**
 * The `UlnConfig` an OApp sets for explicit DVN sets: DVNs sorted, counts set, and an empty
 * optional set written as NIL so that LayerZero's defaults never fill it in.
 */
export function ulnConfig(opts: {
  confirmations: number | bigint;
  requiredDVNs: readonly Address[];
  optionalDVNs?: readonly Address[];
  optionalDVNThreshold?: number;
}): UlnConfig {
  const optional = opts.optionalDVNs ?? [];
  return {
    confirmations: BigInt(opts.confirmations),
    requiredDVNCount: opts.requiredDVNs.length === 0 ? NIL_DVN_COUNT : opts.requiredDVNs.length,
    optionalDVNCount: optional.length === 0 ? NIL_DVN_COUNT : optional.length,
    optionalDVNThreshold: optional.length === 0 ? 0 : (opts.optionalDVNThreshold ?? 0),
    requiredDVNs: sortAddresses(opts.requiredDVNs),
    optionalDVNs: sortAddresses(optional),
  };
}

/** `abi.encode(UlnConfig)`, the `config` bytes of a `SetConfigParam` with config type 2. */
export function encodeUlnConfig(config: UlnConfig): Hex {
  return encodeAbiParameters(ulnConfigAbi, [
    {
      ...config,
      requiredDVNs: [...config.requiredDVNs],
      optionalDVNs: [...config.optionalDVNs],
    },
  ]);
}

/**
 * Decodes what `EndpointV2.getConfig(oapp, lib, eid, 2)` returns: the effective config (the OApp's
 * own values, defaults filled in where it left them unset; NIL counts read back as 0).
 */
export function decodeUlnConfig(data: Hex): UlnConfig {
  const [c] = decodeAbiParameters(ulnConfigAbi, data);
  return {
    ...c,
    requiredDVNs: c.requiredDVNs.map((a) => getAddress(a)),
    optionalDVNs: c.optionalDVNs.map((a) => getAddress(a)),
  };
}

/** `abi.encode(ExecutorConfig)`, the `config` bytes of a `SetConfigParam` with config type 1. */
export function encodeExecutorConfig(config: ExecutorConfig): Hex {
  return encodeAbiParameters(executorConfigAbi, [config]);
}

/** Decodes what `EndpointV2.getConfig(oapp, sendLib, eid, 1)` returns. */
export function decodeExecutorConfig(data: Hex): ExecutorConfig {
  const [c] = decodeAbiParameters(executorConfigAbi, data);
  return { maxMessageSize: c.maxMessageSize, executor: getAddress(c.executor) };
}

/**
 * Type-3 options with one executor `lzReceive` option, byte for byte what
 * `OptionsBuilder.newOptions().addExecutorLzReceiveOption(gas, value)` builds:
 * `uint16 3 ‖ uint8 workerId 1 ‖ uint16 size ‖ uint8 optionType 1 ‖ uint128 gas [‖ uint128 value]`.
 * @example executorLzReceiveOption(200_000n) // '0x00030100110100000000000000000000000000030d40'
 */
export function executorLzReceiveOption(gas: bigint | number, value: bigint | number = 0n): Hex {
  const option =
    BigInt(value) === 0n
      ? encodePacked(['uint128'], [BigInt(gas)])
      : encodePacked(['uint128', 'uint128'], [BigInt(gas), BigInt(value)]);
  const optionSize = (option.length - 2) / 2 + 1; // + the option-type byte
  return concat(['0x0003', '0x01', toHex(optionSize, { size: 2 }), '0x01', option]);
}
