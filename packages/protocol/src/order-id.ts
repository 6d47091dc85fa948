import type { Address, Hex } from 'viem';

import { toHexString, WORD, writeAddress, writeUint } from './abi-words.js';
import { checksummedAddress } from './address.js';
import { MalformedPayloadError } from './errors.js';
import { keccak256 } from './keccak.js';
import { MessageType } from './version.js';

/**
 * `abi.encode(uint8 msgType, uint32 dstEid, address account, address token, uint256 amount,
 * address recipient, uint64 inputSeq)`: seven static words, written in place (reused).
 */
const encoded = new Uint8Array(7 * WORD);

const MAX_UINT32 = 2 ** 32 - 1;
const MAX_UINT64 = 2n ** 64n - 1n;
const MAX_UINT256 = 2n ** 256n - 1n;

interface OrderFields {
  dstEid: number;
  account: Address;
  token: Address;
  amount: bigint;
  recipient: Address;
  inputSeq: bigint;
}

function orderId(what: string, msgType: number, o: OrderFields): Hex {
  const problems: string[] = [];
  if (!Number.isInteger(o.dstEid) || o.dstEid < 0 || o.dstEid > MAX_UINT32) {
    problems.push(`dstEid: ${o.dstEid} out of range for uint32`);
  }
  for (const key of ['account', 'token', 'recipient'] as const) {
    if (typeof o[key] !== 'string' || checksummedAddress(o[key]) === undefined) {
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
    throw new MalformedPayloadError(`cannot compute ${what} order id: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  writeUint(encoded, 0, 'msgType', 32, msgType);
  writeUint(encoded, 1, 'dstEid', 32, o.dstEid);
  writeAddress(encoded, 2, 'account', o.account);
  writeAddress(encoded, 3, 'token', o.token);
  writeUint(encoded, 4, 'amount', 256, o.amount);
  writeAddress(encoded, 5, 'recipient', o.recipient);
  writeUint(encoded, 6, 'inputSeq', 64, o.inputSeq);
  return toHexString(keccak256(encoded));
}

/**
 * The id of a liquidation order:
 * `keccak256(abi.encode(uint8 5, uint32 dstEid, address account, address token, uint256 amount,
 * address recipient, uint64 inputSeq))`, where `inputSeq` is the `OMNI_IN` stream sequence of the
 * triggering event. Every clearing node that processes the same stream computes the same id.
 *
 * @throws MalformedPayloadError when a field is out of range for its ABI type.
 */
export function liquidationOrderId(o: OrderFields): Hex {
  return orderId('liquidation', MessageType.LIQUIDATE, o);
}

/**
 * The id of a withdrawal decision: the same formula with type 6 and the account itself as the
 * recipient, `keccak256(abi.encode(uint8 6, uint32 dstEid, address account, address token,
 * uint256 amount, address account, uint64 inputSeq))`. Mirrors Solidity
 * `OmniCodec.withdrawDecisionOrderId`.
 *
 * @throws MalformedPayloadError when a field is out of range for its ABI type.
 * @example
 * withdrawDecisionOrderId({ dstEid: 40102, account, token, amount: 50_000_000n, inputSeq: 23n });
 */
export function withdrawDecisionOrderId(o: Omit<OrderFields, 'recipient'>): Hex {
  return orderId('withdrawal decision', MessageType.WITHDRAW_DECISION, { ...o, recipient: o.account });
}
