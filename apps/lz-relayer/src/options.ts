import { hexToBigInt, hexToNumber, size, sliceHex, type Hex } from 'viem';
import { OptionsDecodeError } from './errors.js';

/** What the executor must provide to `lzReceive`, summed over every lzReceive option of a packet. */
export interface ExecutorLzReceive {
  /** Gas for the receiving OApp's `lzReceive`. */
  readonly gas: bigint;
  /** Native value passed along with `lzReceive`. */
  readonly value: bigint;
}

const WORKER_EXECUTOR = 1;
const WORKER_DVN = 2;
const OPTION_LZRECEIVE = 1;

/**
 * Extracts the executor's lzReceive gas and value from LayerZero message options: type 3
 * (`OptionsBuilder`: worker id, size, option type, option; several lzReceive options add up, as
 * enforced and caller options are concatenated) or the legacy types 1 and 2 (gas as uint256).
 * Returns `undefined` when the options carry no lzReceive gas at all (empty options).
 * @throws {OptionsDecodeError} on a truncated or unknown options encoding.
 * @example parseExecutorOptions('0x00030100110100000000000000000000000000030d40') // { gas: 200000n, value: 0n }
 */
export function parseExecutorOptions(options: Hex): ExecutorLzReceive | undefined {
  const len = size(options);
  if (len === 0) return undefined;
  if (len < 2) throw new OptionsDecodeError('options shorter than their type', { details: { options } });
  const type = hexToNumber(sliceHex(options, 0, 2));
  if (type === 1 || type === 2) {
    if (len < 34) throw new OptionsDecodeError(`legacy type ${type} options are truncated`, { details: { options } });
    return { gas: hexToBigInt(sliceHex(options, 2, 34)), value: 0n };
  }
  if (type !== 3) throw new OptionsDecodeError(`unknown options type ${type}`, { details: { options } });

  let gas = 0n;
  let value = 0n;
  let found = false;
  let cursor = 2;
  while (cursor < len) {
    if (cursor + 3 > len) throw new OptionsDecodeError('truncated option header', { details: { options, cursor } });
    const worker = hexToNumber(sliceHex(options, cursor, cursor + 1));
    const optionSize = hexToNumber(sliceHex(options, cursor + 1, cursor + 3));
    const start = cursor + 3;
    const end = start + optionSize;
    if (optionSize === 0 || end > len)
      throw new OptionsDecodeError('truncated option', { details: { options, cursor } });
    if (worker === WORKER_EXECUTOR) {
      const optionType = hexToNumber(sliceHex(options, start, start + 1));
      const body = end > start + 1 ? sliceHex(options, start + 1, end) : '0x';
      if (optionType === OPTION_LZRECEIVE) {
        const bodySize = size(body);
        if (bodySize !== 16 && bodySize !== 32) {
          throw new OptionsDecodeError(`lzReceive option of ${bodySize} bytes`, { details: { options, cursor } });
        }
        gas += hexToBigInt(sliceHex(body, 0, 16));
        if (bodySize === 32) value += hexToBigInt(sliceHex(body, 16, 32));
        found = true;
      }
      // Native drops, lzCompose and ordered execution are not served by this devnet executor.
    } else if (worker !== WORKER_DVN) {
      throw new OptionsDecodeError(`unknown worker id ${worker}`, { details: { options, cursor } });
    }
    cursor = end;
  }
  return found ? { gas, value } : undefined;
}
