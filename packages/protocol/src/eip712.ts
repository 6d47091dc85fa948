import { secp256k1 } from '@noble/curves/secp256k1';
import { recoverAddress, type Address, type Hex, type LocalAccount } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';

import { toHexString, WORD, writeAddress, writeBool, writeBytes32, writeHex, writeUint } from './abi-words.js';
import { checksummedAddress } from './address.js';
import { MalformedPayloadError } from './errors.js';
import type { LiquidationOrder, OutputOrder, WithdrawDecisionOrder } from './events.js';
import { keccak256 as keccak_256 } from './keccak.js';

/**
 * The hub's EIP-712 domain: `{ name: "Omniclear ClearingHub", version: "1", chainId, verifyingContract }`,
 * one per hub deployment, so a signature for one hub (or chain) is worthless on another.
 */
export interface OrderDomain {
  readonly chainId: number;
  readonly verifyingContract: Address;
}

/** The domain's fixed name and version (the contract's `EIP712("Omniclear ClearingHub", "1")`). */
export const ORDER_DOMAIN_NAME = 'Omniclear ClearingHub';
export const ORDER_DOMAIN_VERSION = '1';

/**
 * The EIP-712 types the hub verifies, as data (mirrors of the Solidity type strings
 * `LiquidationOrder(uint32 dstEid,bytes32 orderId,address account,address token,uint256 amount,address recipient,uint256 insuranceAmount,uint64 expiry)`
 * and `WithdrawDecisionOrder(uint32 dstEid,bytes32 orderId,address account,address token,uint256 amount,uint64 requestId,bool approved,uint64 expiry)`).
 */
export const ORDER_TYPES = {
  LiquidationOrder: [
    { name: 'dstEid', type: 'uint32' },
    { name: 'orderId', type: 'bytes32' },
    { name: 'account', type: 'address' },
    { name: 'token', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'recipient', type: 'address' },
    { name: 'insuranceAmount', type: 'uint256' },
    { name: 'expiry', type: 'uint64' },
  ],
  WithdrawDecisionOrder: [
    { name: 'dstEid', type: 'uint32' },
    { name: 'orderId', type: 'bytes32' },
    { name: 'account', type: 'address' },
    { name: 'token', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'requestId', type: 'uint64' },
    { name: 'approved', type: 'bool' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const;

/** The fields of a liquidation the signers sign (the hub's `LiquidationOrder` struct). */
export type LiquidationOrderBody = Pick<
  LiquidationOrder,
  'dstEid' | 'orderId' | 'account' | 'token' | 'amount' | 'recipient' | 'insuranceAmount' | 'expiry'
>;
/** The fields of a withdrawal decision the signers sign (the hub's `WithdrawDecisionOrder` struct). */
export type WithdrawDecisionOrderBody = Pick<
  WithdrawDecisionOrder,
  'dstEid' | 'orderId' | 'account' | 'token' | 'amount' | 'requestId' | 'approved' | 'expiry'
>;

/** An order as the node decides it, before it is signed. */
export type UnsignedOrder =
  Omit<LiquidationOrder, 'signer' | 'signature'> | Omit<WithdrawDecisionOrder, 'signer' | 'signature'>;

// ---------------------------------------------------------------------------------------------
// The digests, encoded by hand. Both structs are static (fixed 32-byte words, no arrays or
// strings), so EIP-712's `encodeData` is the type hash followed by one word per field, and the
// digest is two keccaks over buffers of fixed size: no generic typed-data walk per order. viem's
// `hashTypedData` gives the same bytes (a differential property test holds them together).

const utf8 = new TextEncoder();

/** `keccak256(utf8(text))`. */
const keccakText = (text: string): Uint8Array => keccak_256(utf8.encode(text));

/** The EIP-712 type string of a struct of static fields: `Name(type1 name1,type2 name2,…)`. */
function typeString(name: string, fields: readonly { name: string; type: string }[]): string {
  return `${name}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`;
}

const DOMAIN_TYPE_HASH = keccakText(
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)',
);
const DOMAIN_NAME_HASH = keccakText(ORDER_DOMAIN_NAME);
const DOMAIN_VERSION_HASH = keccakText(ORDER_DOMAIN_VERSION);
const LIQUIDATION_TYPE_HASH = keccakText(typeString('LiquidationOrder', ORDER_TYPES.LiquidationOrder));
const DECISION_TYPE_HASH = keccakText(typeString('WithdrawDecisionOrder', ORDER_TYPES.WithdrawDecisionOrder));

/** Type hash and eight fields: the `encodeData` of either order struct. */
const STRUCT_WORDS = 9;

/** Domain separators by `chainId:verifyingContract`, at most {@link DOMAIN_CACHE_SIZE} (a node signs for one hub). */
const domainSeparators = new Map<string, Uint8Array>();
const DOMAIN_CACHE_SIZE = 16;

/** The 32-byte domain separator of `domain`, computed once per domain. */
function domainSeparatorBytes(domain: OrderDomain): Uint8Array {
  const key = `${domain.chainId}:${domain.verifyingContract}`;
  const cached = domainSeparators.get(key);
  if (cached) return cached;
  if (
    !Number.isSafeInteger(domain.chainId) ||
    domain.chainId <= 0 ||
    checksummedAddress(domain.verifyingContract) === undefined
  ) {
    throw new MalformedPayloadError(
      `invalid order domain: expected a positive chainId and a hub address, got ${domain.chainId} / ${String(domain.verifyingContract)}`,
      { details: { chainId: domain.chainId, verifyingContract: domain.verifyingContract } },
    );
  }
  const encoded = new Uint8Array(5 * WORD);
  encoded.set(DOMAIN_TYPE_HASH, 0);
  encoded.set(DOMAIN_NAME_HASH, WORD);
  encoded.set(DOMAIN_VERSION_HASH, 2 * WORD);
  writeUint(encoded, 3, 'chainId', 256, domain.chainId);
  writeAddress(encoded, 4, 'verifyingContract', domain.verifyingContract);
  const separator = keccak_256(encoded);
  if (domainSeparators.size >= DOMAIN_CACHE_SIZE) {
    // the oldest entry goes (Map iterates in insertion order)
    domainSeparators.delete(domainSeparators.keys().next().value!);
  }
  domainSeparators.set(key, separator);
  return separator;
}

/**
 * The EIP-712 domain separator of the hub at `domain` (what `ClearingHub`'s `_domainSeparatorV4()`
 * returns there).
 * @throws MalformedPayloadError when `chainId` is not a positive integer or the hub not an address.
 * @example orderDomainSeparator({ chainId: 31337, verifyingContract: hub });
 */
export function orderDomainSeparator(domain: OrderDomain): Hex {
  return toHexString(domainSeparatorBytes(domain));
}

/** Reused by every digest: the struct's words, then `0x1901 ‖ domainSeparator ‖ structHash`. */
const structBuffer = new Uint8Array(STRUCT_WORDS * WORD);
const envelopeBuffer = new Uint8Array(2 + 2 * WORD);
envelopeBuffer[0] = 0x19;
envelopeBuffer[1] = 0x01;

/** `keccak256(0x1901 ‖ domainSeparator ‖ keccak256(structBuffer))`. */
function digestOfStruct(separator: Uint8Array): Uint8Array {
  envelopeBuffer.set(separator, 2);
  envelopeBuffer.set(keccak_256(structBuffer), 2 + WORD);
  return keccak_256(envelopeBuffer);
}

/** The common leading fields of both structs (words 1–5: dstEid, orderId, account, token, amount). */
function writeCommon(o: LiquidationOrderBody | WithdrawDecisionOrderBody): void {
  writeUint(structBuffer, 1, 'dstEid', 32, o.dstEid);
  writeBytes32(structBuffer, 2, 'orderId', o.orderId);
  writeAddress(structBuffer, 3, 'account', o.account);
  writeAddress(structBuffer, 4, 'token', o.token);
  writeUint(structBuffer, 5, 'amount', 256, o.amount);
}

function liquidationDigest(o: LiquidationOrderBody, domain: OrderDomain): Uint8Array {
  const separator = domainSeparatorBytes(domain);
  structBuffer.set(LIQUIDATION_TYPE_HASH, 0);
  writeCommon(o);
  writeAddress(structBuffer, 6, 'recipient', o.recipient);
  writeUint(structBuffer, 7, 'insuranceAmount', 256, o.insuranceAmount);
  writeUint(structBuffer, 8, 'expiry', 64, o.expiry);
  return digestOfStruct(separator);
}

function decisionDigest(o: WithdrawDecisionOrderBody, domain: OrderDomain): Uint8Array {
  const separator = domainSeparatorBytes(domain);
  structBuffer.set(DECISION_TYPE_HASH, 0);
  writeCommon(o);
  writeUint(structBuffer, 6, 'requestId', 64, o.requestId);
  writeBool(structBuffer, 7, 'approved', o.approved);
  writeUint(structBuffer, 8, 'expiry', 64, o.expiry);
  return digestOfStruct(separator);
}

/**
 * The EIP-712 digest of a liquidation order (what `ClearingHub.hashLiquidation` returns).
 * @throws MalformedPayloadError on an invalid domain, or a field out of its Solidity type's range
 *   (the message names the field).
 * @example hashLiquidationOrder(order, { chainId: 31337, verifyingContract: hub });
 */
export function hashLiquidationOrder(o: LiquidationOrderBody, domain: OrderDomain): Hex {
  return toHexString(liquidationDigest(o, domain));
}

/**
 * The EIP-712 digest of a withdrawal decision (what `ClearingHub.hashWithdrawDecision` returns).
 * @throws MalformedPayloadError as {@link hashLiquidationOrder}.
 */
export function hashWithdrawDecisionOrder(o: WithdrawDecisionOrderBody, domain: OrderDomain): Hex {
  return toHexString(decisionDigest(o, domain));
}

/** The EIP-712 digest of either kind of order. */
export function hashOrder(o: UnsignedOrder | OutputOrder, domain: OrderDomain): Hex {
  return toHexString(o.kind === 'liquidate' ? liquidationDigest(o, domain) : decisionDigest(o, domain));
}

/**
 * Signs a 32-byte digest with a secp256k1 private key as viem's `account.sign({ hash })` does:
 * RFC 6979 deterministic nonce, low-s, and the 65-byte `r ‖ s ‖ v` serialization (`v` = 27 + y parity).
 * @example signDigest(hashOrder(order, domain), '0xac09…ff80');
 */
export function signDigest(digest: Hex | Uint8Array, privateKey: Hex | Uint8Array): Hex {
  const sig = secp256k1.sign(
    typeof digest === 'string' ? digest.slice(2) : digest,
    typeof privateKey === 'string' ? privateKey.slice(2) : privateKey,
    { lowS: true, extraEntropy: false },
  );
  return `0x${sig.toCompactHex()}${sig.recovery === 0 ? '1b' : '1c'}`;
}

/**
 * A clearing signer's private key, signing order digests synchronously (no account object or
 * promise per signature). Its signatures are byte-identical to viem's `privateKeyToAccount(key).sign`.
 * @example
 * const key = new OrderSigningKey('0xac09…ff80');
 * const signed = await signOrder(key, order, domain);
 */
export class OrderSigningKey {
  readonly address: Address;
  readonly #key: Uint8Array;

  /** @throws MalformedPayloadError when `privateKey` is not a 32-byte hex scalar in (0, n). */
  constructor(privateKey: Hex) {
    const key = new Uint8Array(WORD);
    if (
      typeof privateKey !== 'string' ||
      privateKey.length !== 66 ||
      !privateKey.startsWith('0x') ||
      !writeHex(key, 0, privateKey, 2, WORD) ||
      !secp256k1.utils.isValidPrivateKey(key)
    )
      throw new MalformedPayloadError('invalid signing key: expected a 32-byte secp256k1 private key');
    this.#key = key;
    this.address = privateKeyToAddress(privateKey);
  }

  /** Signs a 32-byte digest: see {@link signDigest}. */
  signDigest(digest: Hex | Uint8Array): Hex {
    return signDigest(digest, this.#key);
  }
}

/**
 * Signs `order` for the hub at `domain` and returns the order with `signer` and the 65-byte
 * `signature` (r ‖ s ‖ v). Deterministic (RFC 6979): the same key and order always give the same
 * signature, so a re-published copy is byte-identical. With an {@link OrderSigningKey} the digest
 * is signed in place; with a viem account, through `account.sign` (the same bytes).
 * @throws MalformedPayloadError as {@link hashLiquidationOrder}, or when the account cannot sign a digest.
 * @example
 * const signed = await signOrder(new OrderSigningKey(key), order, { chainId: 31337, verifyingContract: hub });
 */
export async function signOrder<O extends UnsignedOrder>(
  signer: OrderSigningKey | LocalAccount,
  order: O,
  domain: OrderDomain,
): Promise<O & { signer: Address; signature: Hex }> {
  if (signer instanceof OrderSigningKey) {
    return { ...order, signer: signer.address, signature: signer.signDigest(hashOrder(order, domain)) };
  }
  if (!signer.sign) throw new MalformedPayloadError(`account ${signer.address} cannot sign a digest`);
  const signature = await signer.sign({ hash: hashOrder(order, domain) });
  return { ...order, signer: signer.address, signature };
}

/**
 * The address that signed `order` (from its `signature` over its EIP-712 digest), or null when
 * the signature does not parse. Compare it with `order.signer` and the hub's signer set.
 */
export async function recoverOrderSigner(order: OutputOrder, domain: OrderDomain): Promise<Address | null> {
  try {
    return await recoverAddress({ hash: hashOrder(order, domain), signature: order.signature });
  } catch {
    return null;
  }
}
