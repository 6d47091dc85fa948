import {
  hashTypedData,
  isAddress,
  recoverAddress,
  type Address,
  type Hex,
  type LocalAccount,
  type TypedDataDomain,
} from 'viem';

import { MalformedPayloadError } from './errors.js';
import type { LiquidationOrder, OutputOrder, WithdrawDecisionOrder } from './events.js';

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

function viemDomain(domain: OrderDomain): TypedDataDomain {
  if (!Number.isSafeInteger(domain.chainId) || domain.chainId <= 0 || !isAddress(domain.verifyingContract)) {
    throw new MalformedPayloadError(
      `invalid order domain: expected a positive chainId and a hub address, got ${domain.chainId} / ${String(domain.verifyingContract)}`,
      { details: { chainId: domain.chainId, verifyingContract: domain.verifyingContract } },
    );
  }
  return {
    name: ORDER_DOMAIN_NAME,
    version: ORDER_DOMAIN_VERSION,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}

/**
 * The EIP-712 digest of a liquidation order (what `ClearingHub.hashLiquidation` returns).
 * @example hashLiquidationOrder(order, { chainId: 31337, verifyingContract: hub });
 */
export function hashLiquidationOrder(o: LiquidationOrderBody, domain: OrderDomain): Hex {
  return hashTypedData({
    domain: viemDomain(domain),
    types: ORDER_TYPES,
    primaryType: 'LiquidationOrder',
    message: {
      dstEid: o.dstEid,
      orderId: o.orderId,
      account: o.account,
      token: o.token,
      amount: o.amount,
      recipient: o.recipient,
      insuranceAmount: o.insuranceAmount,
      expiry: o.expiry,
    },
  });
}

/** The EIP-712 digest of a withdrawal decision (what `ClearingHub.hashWithdrawDecision` returns). */
export function hashWithdrawDecisionOrder(o: WithdrawDecisionOrderBody, domain: OrderDomain): Hex {
  return hashTypedData({
    domain: viemDomain(domain),
    types: ORDER_TYPES,
    primaryType: 'WithdrawDecisionOrder',
    message: {
      dstEid: o.dstEid,
      orderId: o.orderId,
      account: o.account,
      token: o.token,
      amount: o.amount,
      requestId: o.requestId,
      approved: o.approved,
      expiry: o.expiry,
    },
  });
}

/** The EIP-712 digest of either kind of order. */
export function hashOrder(o: UnsignedOrder | OutputOrder, domain: OrderDomain): Hex {
  return o.kind === 'liquidate' ? hashLiquidationOrder(o, domain) : hashWithdrawDecisionOrder(o, domain);
}

/**
 * Signs `order` for the hub at `domain` with `account` and returns the order with `signer` and
 * the 65-byte `signature` (r ‖ s ‖ v). Deterministic (RFC 6979): the same key and order always
 * give the same signature, so a re-published copy is byte-identical.
 * @example
 * const signed = await signOrder(privateKeyToAccount(key), order, { chainId: 31337, verifyingContract: hub });
 */
export async function signOrder<O extends UnsignedOrder>(
  account: LocalAccount,
  order: O,
  domain: OrderDomain,
): Promise<O & { signer: Address; signature: Hex }> {
  if (!account.sign) throw new MalformedPayloadError(`account ${account.address} cannot sign a digest`);
  const signature = await account.sign({ hash: hashOrder(order, domain) });
  return { ...order, signer: account.address, signature };
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
