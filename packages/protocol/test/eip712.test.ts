import { concat, encodeAbiParameters, keccak256, recoverAddress, toHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import {
  MalformedPayloadError,
  ORDER_TYPES,
  encodeOrder,
  hashLiquidationOrder,
  hashOrder,
  hashWithdrawDecisionOrder,
  parseOrder,
  recoverOrderSigner,
  signOrder,
  type UnsignedOrder,
} from '../src/index.js';
import { ALICE, BOB, USDC } from './helpers.js';

// anvil's account #0 and the first contract it deploys: the golden vector's signer and hub.
const KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const OTHER_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const HUB = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const domain = { chainId: 31337, verifyingContract: HUB } as const;

const liquidation = {
  kind: 'liquidate',
  orderId: `0x${'11'.repeat(32)}`,
  dstEid: 40102,
  account: ALICE,
  token: USDC,
  amount: 100n,
  recipient: BOB,
  insuranceAmount: 10n,
  inputSeq: 17n,
  expiry: 1764003600n,
} as const satisfies UnsignedOrder;
const decision = {
  kind: 'withdraw-decision',
  orderId: `0x${'22'.repeat(32)}`,
  dstEid: 40102,
  account: ALICE,
  token: USDC,
  amount: 50n,
  requestId: 3n,
  approved: true,
  inputSeq: 18n,
  expiry: 1764003600n,
} as const satisfies UnsignedOrder;

/** EIP-712 by hand (type strings, domain separator, 0x1901), independent of viem's typed-data code. */
function manualDigest(typeString: string, fields: { type: string; value: unknown }[]): Hex {
  const domainSeparator = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
      [
        keccak256(toHex('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)')),
        keccak256(toHex('Omniclear ClearingHub')),
        keccak256(toHex('1')),
        31337n,
        HUB,
      ],
    ),
  );
  const structHash = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, ...fields.map((f) => ({ type: f.type }))],
      [keccak256(toHex(typeString)), ...fields.map((f) => f.value)],
    ),
  );
  return keccak256(concat(['0x1901', domainSeparator, structHash]));
}

describe('order digests (EIP-712)', () => {
  it('match the golden vectors (the hub’s hashLiquidation / hashWithdrawDecision on the same inputs)', () => {
    expect(hashLiquidationOrder(liquidation, domain)).toBe(
      '0x695a55c821b79887b88df3ed38f7e818341a4908ff087cc7348cb9b010f50cbb',
    );
    expect(hashWithdrawDecisionOrder(decision, domain)).toBe(
      '0xe5aef4e7cbe94cd6de578e2a3b9c32ba885215f5c74ff36866cd4f8b67b893a9',
    );
  });

  it('equal EIP-712 computed by hand from the Solidity type strings', () => {
    expect(hashLiquidationOrder(liquidation, domain)).toBe(
      manualDigest(
        'LiquidationOrder(uint32 dstEid,bytes32 orderId,address account,address token,uint256 amount,address recipient,uint256 insuranceAmount,uint64 expiry)',
        ORDER_TYPES.LiquidationOrder.map((f) => ({ type: f.type, value: liquidation[f.name] })),
      ),
    );
    expect(hashWithdrawDecisionOrder(decision, domain)).toBe(
      manualDigest(
        'WithdrawDecisionOrder(uint32 dstEid,bytes32 orderId,address account,address token,uint256 amount,uint64 requestId,bool approved,uint64 expiry)',
        ORDER_TYPES.WithdrawDecisionOrder.map((f) => ({ type: f.type, value: decision[f.name] })),
      ),
    );
  });

  it('change with every signed field, the domain and the kind, but not with inputSeq (already in the id)', () => {
    const base = hashLiquidationOrder(liquidation, domain);
    const changes: Partial<Record<keyof typeof liquidation, unknown>> = {
      dstEid: 40103,
      orderId: `0x${'12'.repeat(32)}`,
      account: BOB,
      token: BOB,
      amount: 101n,
      recipient: ALICE,
      insuranceAmount: 11n,
      expiry: 1764003601n,
    };
    for (const [key, value] of Object.entries(changes)) {
      expect(hashLiquidationOrder({ ...liquidation, [key]: value }, domain)).not.toBe(base);
    }
    expect(hashOrder({ ...liquidation, inputSeq: 99n }, domain)).toBe(base);
    expect(hashLiquidationOrder(liquidation, { ...domain, chainId: 1 })).not.toBe(base);
    expect(hashLiquidationOrder(liquidation, { ...domain, verifyingContract: BOB })).not.toBe(base);
    expect(hashOrder(decision, domain)).toBe(hashWithdrawDecisionOrder(decision, domain));
    expect(hashWithdrawDecisionOrder({ ...decision, approved: false }, domain)).not.toBe(
      hashWithdrawDecisionOrder(decision, domain),
    );
  });

  it('refuse a domain without a hub address or a chain id', () => {
    expect(() => hashLiquidationOrder(liquidation, { chainId: 0, verifyingContract: HUB })).toThrow(
      MalformedPayloadError,
    );
    expect(() => hashLiquidationOrder(liquidation, { chainId: 1, verifyingContract: '0x12' })).toThrow(
      /invalid order domain/,
    );
  });
});

describe('signOrder', () => {
  const account = privateKeyToAccount(KEY);

  it('signs the digest deterministically (RFC 6979): the golden signature', async () => {
    const signed = await signOrder(account, liquidation, domain);
    expect(signed.signer).toBe(account.address);
    expect(signed.signature).toBe(
      '0x38e8e6208cd2c3497290b5b0b0f51077f11f32c25cd643ecba4d1f341f76c9d231e6edce5404c79b70f33c02b6a2804c76ce38d529fa15c5d936ca0550425b031c',
    );
    expect((await signOrder(account, liquidation, domain)).signature).toBe(signed.signature);
    expect(await recoverAddress({ hash: hashLiquidationOrder(liquidation, domain), signature: signed.signature })).toBe(
      account.address,
    );
  });

  it('survives the wire: the parsed copy recovers to its signer', async () => {
    const signed = await signOrder(account, decision, domain);
    const parsed = parseOrder(encodeOrder(signed));
    expect(parsed).toEqual({ ...signed, signature: signed.signature.toLowerCase() });
    expect(await recoverOrderSigner(parsed, domain)).toBe(account.address);
  });

  it('recovers another address when a signed field, the domain or the signature changed', async () => {
    const signed = await signOrder(account, liquidation, domain);
    expect(await recoverOrderSigner({ ...signed, amount: 99n }, domain)).not.toBe(account.address);
    expect(await recoverOrderSigner(signed, { ...domain, chainId: 1 })).not.toBe(account.address);
    const other = await signOrder(privateKeyToAccount(OTHER_KEY), liquidation, domain);
    expect(await recoverOrderSigner({ ...signed, signature: other.signature }, domain)).toBe(other.signer);
    // r = 0 is no signature at all
    expect(await recoverOrderSigner({ ...signed, signature: `0x${'00'.repeat(64)}1b` }, domain)).toBeNull();
  });
});
