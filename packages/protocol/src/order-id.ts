import { encodeAbiParameters, isAddress, keccak256, parseAbiParameters, type Address, type Hex } from 'viem';

import { MalformedPayloadError } from './errors.js';
import { MessageType } from './version.js';

const ORDER_ID_PARAMS = parseAbiParameters(
  'uint8 msgType, uint32 dstEid, address account, address token, uint256 amount, address recipient, uint64 inputSeq',
);

const MAX_UINT32 = 2 ** 32 - 1;
const MAX_UINT64 = 2n ** 64n - 1n;
const MAX_UINT256 = 2n ** 256n - 1n;

/**
 * The id of a liquidation order:
 * `keccak256(abi.encode(uint8 5, uint32 dstEid, address account, address token, uint256 amount,
 * address recipient, uint64 inputSeq))`, where `inputSeq` is the `OMNI_IN` stream sequence of the
 * triggering event. Every clearing node that processes the same stream computes the same id.
 *
 * @throws MalformedPayloadError when a field is out of range for its ABI type.
 */
export function liquidationOrderId(o: {
  dstEid: number;
  account: Address;
  token: Address;
  amount: bigint;
  recipient: Address;
  inputSeq: bigint;
}): Hex {
  const problems: string[] = [];
  if (!Number.isInteger(o.dstEid) || o.dstEid < 0 || o.dstEid > MAX_UINT32) {
    problems.push(`dstEid: ${o.dstEid} out of range for uint32`);
  }
  for (const key of ['account', 'token', 'recipient'] as const) {
    if (typeof o[key] !== 'string' || !isAddress(o[key])) {
      problems.push(`${key}: expected a 20-byte address (checksummed or lowercase)`);
    }
  }
  if (typeof o.amount !== 'bigint' || o.amount < 0n || o.amount > MAX_UINT256) {
    problems.push(`amount: ${String(o.amount)} out of range for uint256`);
  }
  if (typeof o.inputSeq !== 'bigint' || o.inputSeq < 0n || o.inputSeq > MAX_UINT64) {
    problems.push(`inputSeq: ${String(o.inputSeq)} out of range for uint64`);
  }
  if (problems.length > 0) {
    throw new MalformedPayloadError(`cannot compute liquidation order id: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return keccak256(
    encodeAbiParameters(ORDER_ID_PARAMS, [
      MessageType.LIQUIDATE,
      o.dstEid,
      o.account,
      o.token,
      o.amount,
      o.recipient,
      o.inputSeq,
    ]),
  );
}
