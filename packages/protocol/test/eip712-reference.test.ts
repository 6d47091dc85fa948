import fc from 'fast-check';
import { bytesToHex, getAddress, hashDomain, hashTypedData, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import {
  MalformedPayloadError,
  ORDER_DOMAIN_NAME,
  ORDER_DOMAIN_VERSION,
  ORDER_TYPES,
  OrderSigningKey,
  hashLiquidationOrder,
  hashOrder,
  hashWithdrawDecisionOrder,
  orderDomainSeparator,
  signDigest,
  signOrder,
  type OrderDomain,
  type UnsignedOrder,
} from '../src/index.js';
import { ALICE, BOB, MAX_UINT256, MAX_UINT64, USDC } from './helpers.js';

// viem's generic typed-data hashing is the reference the hand-rolled encoding is held to.

const MAX_UINT32 = 2 ** 32 - 1;
const HUB: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** A valid address as the engine may hand it over: checksummed or all lower case. */
const address = fc.tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.boolean()).map(([bytes, checksummed]) => {
  const hex = bytesToHex(bytes);
  return checksummed ? getAddress(hex) : hex;
});
const uint = (max: bigint) => fc.oneof(fc.constantFrom(0n, 1n, max, max - 1n), fc.bigInt({ min: 0n, max }));
const uint32 = fc.oneof(fc.constantFrom(0, 1, MAX_UINT32), fc.integer({ min: 0, max: MAX_UINT32 }));
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b));
const domain: fc.Arbitrary<OrderDomain> = fc.record({
  chainId: fc.oneof(fc.constantFrom(1, 31337, Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: 2 ** 40 })),
  verifyingContract: address,
});

const liquidation: fc.Arbitrary<UnsignedOrder & { kind: 'liquidate' }> = fc.record({
  kind: fc.constant('liquidate' as const),
  orderId: bytes32,
  dstEid: uint32,
  account: address,
  token: address,
  amount: uint(MAX_UINT256),
  recipient: address,
  insuranceAmount: uint(MAX_UINT256),
  inputSeq: uint(MAX_UINT64),
  expiry: uint(MAX_UINT64),
});
const decision: fc.Arbitrary<UnsignedOrder & { kind: 'withdraw-decision' }> = fc.record({
  kind: fc.constant('withdraw-decision' as const),
  orderId: bytes32,
  dstEid: uint32,
  account: address,
  token: address,
  amount: uint(MAX_UINT256),
  requestId: uint(MAX_UINT64),
  approved: fc.boolean(),
  inputSeq: uint(MAX_UINT64),
  expiry: uint(MAX_UINT64),
});
const order = fc.oneof(liquidation, decision);

/** The digest as viem's `hashTypedData` computes it from ORDER_TYPES. */
function referenceDigest(o: UnsignedOrder, d: OrderDomain): Hex {
  const viemDomain = { name: ORDER_DOMAIN_NAME, version: ORDER_DOMAIN_VERSION, ...d };
  if (o.kind === 'liquidate') {
    const { kind: _k, inputSeq: _s, ...message } = o;
    return hashTypedData({ domain: viemDomain, types: ORDER_TYPES, primaryType: 'LiquidationOrder', message });
  }
  const { kind: _k, inputSeq: _s, ...message } = o;
  return hashTypedData({ domain: viemDomain, types: ORDER_TYPES, primaryType: 'WithdrawDecisionOrder', message });
}

const sample: UnsignedOrder & { kind: 'liquidate' } = {
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
};
const sampleDecision: UnsignedOrder & { kind: 'withdraw-decision' } = {
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
};
const hub: OrderDomain = { chainId: 31337, verifyingContract: HUB };

describe('order digests against viem’s hashTypedData (the reference)', () => {
  it('are byte-identical for arbitrary orders and domains, edge values included', () => {
    fc.assert(
      fc.property(order, domain, (o, d) => {
        expect(hashOrder(o, d)).toBe(referenceDigest(o, d));
      }),
      { numRuns: 500 },
    );
  });

  it('are byte-identical with every numeric field at 0 and at its type’s maximum', () => {
    for (const v of [0n, 1n]) {
      const low = v === 0n;
      const liq = {
        ...sample,
        dstEid: low ? 0 : MAX_UINT32,
        amount: low ? 0n : MAX_UINT256,
        insuranceAmount: low ? 0n : MAX_UINT256,
        expiry: low ? 0n : MAX_UINT64,
      };
      const dec = {
        ...sampleDecision,
        dstEid: low ? 0 : MAX_UINT32,
        amount: low ? 0n : MAX_UINT256,
        requestId: low ? 0n : MAX_UINT64,
        expiry: low ? 0n : MAX_UINT64,
        approved: !low,
      };
      expect(hashLiquidationOrder(liq, hub)).toBe(referenceDigest(liq, hub));
      expect(hashWithdrawDecisionOrder(dec, hub)).toBe(referenceDigest(dec, hub));
    }
  });

  it('take the domain separator viem computes, for each of more domains than the cache holds', () => {
    const domains = Array.from({ length: 40 }, (_, i) => ({
      chainId: i + 1,
      verifyingContract: getAddress(`0x${(i + 1).toString(16).padStart(40, '0')}`),
    }));
    // twice round: the second pass reads evicted and cached separators alike
    for (const d of [...domains, ...domains]) {
      expect(orderDomainSeparator(d)).toBe(
        hashDomain({
          domain: { name: ORDER_DOMAIN_NAME, version: ORDER_DOMAIN_VERSION, ...d, chainId: BigInt(d.chainId) },
          types: {
            EIP712Domain: [
              { name: 'name', type: 'string' },
              { name: 'version', type: 'string' },
              { name: 'chainId', type: 'uint256' },
              { name: 'verifyingContract', type: 'address' },
            ],
          },
        }),
      );
      expect(hashOrder(sample, d)).toBe(referenceDigest(sample, d));
    }
  });
});

describe('order digests refuse what the Solidity types cannot hold, naming the field', () => {
  const refusals: [string, Partial<Record<string, unknown>>, 'liquidate' | 'withdraw-decision'][] = [
    ['dstEid', { dstEid: MAX_UINT32 + 1 }, 'liquidate'],
    ['dstEid', { dstEid: -1 }, 'liquidate'],
    ['dstEid', { dstEid: 1.5 }, 'withdraw-decision'],
    ['amount', { amount: -1n }, 'liquidate'],
    ['amount', { amount: MAX_UINT256 + 1n }, 'withdraw-decision'],
    ['insuranceAmount', { insuranceAmount: 2n ** 256n }, 'liquidate'],
    ['expiry', { expiry: MAX_UINT64 + 1n }, 'liquidate'],
    ['expiry', { expiry: -1n }, 'withdraw-decision'],
    ['requestId', { requestId: MAX_UINT64 + 1n }, 'withdraw-decision'],
    ['approved', { approved: 1 }, 'withdraw-decision'],
    ['account', { account: '0x1234' }, 'liquidate'],
    // a mixed-case address with a wrong checksum (ALICE with one letter's case flipped)
    ['account', { account: ALICE.replace('C5', 'c5') }, 'withdraw-decision'],
    ['token', { token: `0x${'zz'.repeat(20)}` }, 'liquidate'],
    ['recipient', { recipient: undefined }, 'liquidate'],
    ['orderId', { orderId: `0x${'11'.repeat(31)}` }, 'liquidate'],
    ['orderId', { orderId: `0x${'11'.repeat(31)}zz` }, 'withdraw-decision'],
    ['orderId', { orderId: `0x${'11'.repeat(33)}` }, 'withdraw-decision'],
  ];

  it.each(refusals)('%s = %p', (field, change, kind) => {
    const o = { ...(kind === 'liquidate' ? sample : sampleDecision), ...change } as UnsignedOrder;
    expect(() => hashOrder(o, hub)).toThrow(MalformedPayloadError);
    expect(() => hashOrder(o, hub)).toThrow(new RegExp(`^order field ${field}: expected`));
  });

  it('and the next valid order is hashed as if the refused one never came (no state left behind)', () => {
    expect(() => hashOrder({ ...sample, expiry: MAX_UINT64 + 1n }, hub)).toThrow(MalformedPayloadError);
    expect(hashOrder(sampleDecision, hub)).toBe(referenceDigest(sampleDecision, hub));
    expect(hashOrder(sample, hub)).toBe(referenceDigest(sample, hub));
  });

  it('refuse an invalid domain before caching it', () => {
    const bad = { chainId: 1, verifyingContract: '0x1234' as Address };
    expect(() => hashOrder(sample, bad)).toThrow(/invalid order domain/);
    expect(() => orderDomainSeparator(bad)).toThrow(MalformedPayloadError);
    expect(() => orderDomainSeparator({ chainId: 1.5, verifyingContract: HUB })).toThrow(/invalid order domain/);
  });
});

describe('signing with an OrderSigningKey', () => {
  const account = privateKeyToAccount(KEY);
  const key = new OrderSigningKey(KEY);

  it('has the address viem derives from the key', () => {
    expect(key.address).toBe(account.address);
  });

  it('gives the bytes viem’s account.sign gives, for random orders and keys', async () => {
    const privateKey = fc
      .uint8Array({ minLength: 32, maxLength: 32 })
      .map((b) => bytesToHex(b))
      .filter((k) => BigInt(k) > 0n && BigInt(k) < 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n);
    await fc.assert(
      fc.asyncProperty(order, domain, privateKey, async (o, d, k) => {
        const viemAccount = privateKeyToAccount(k);
        const mine = await signOrder(new OrderSigningKey(k), o, d);
        const theirs = await signOrder(viemAccount, o, d);
        expect(mine).toEqual(theirs);
        expect(mine.signature).toBe(await viemAccount.sign({ hash: referenceDigest(o, d) }));
        expect(signDigest(hashOrder(o, d), k)).toBe(mine.signature);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps the golden signature', async () => {
    expect((await signOrder(key, sample, hub)).signature).toBe(
      '0x38e8e6208cd2c3497290b5b0b0f51077f11f32c25cd643ecba4d1f341f76c9d231e6edce5404c79b70f33c02b6a2804c76ce38d529fa15c5d936ca0550425b031c',
    );
  });

  it('signs a digest given as bytes or as hex alike', () => {
    const digest = hashOrder(sample, hub);
    const bytes = Uint8Array.from(Buffer.from(digest.slice(2), 'hex'));
    expect(key.signDigest(bytes)).toBe(key.signDigest(digest));
  });

  it('refuses a key that is not a secp256k1 scalar', () => {
    expect(() => new OrderSigningKey(`0x${'00'.repeat(32)}`)).toThrow(MalformedPayloadError);
    expect(() => new OrderSigningKey(`0x${'ff'.repeat(32)}`)).toThrow(/invalid signing key/);
    expect(() => new OrderSigningKey('0x1234')).toThrow(/invalid signing key/);
  });
});
