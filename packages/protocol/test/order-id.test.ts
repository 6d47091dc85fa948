import fc from 'fast-check';
import { encodeAbiParameters, keccak256 } from 'viem';

import { MalformedPayloadError, liquidationOrderId, withdrawDecisionOrderId } from '../src/index.js';
import { ALICE, BOB, MAX_UINT256, MAX_UINT64, USDC, arbAddress, arbUint256, arbUint64 } from './helpers.js';

const base = { dstEid: 40102, account: ALICE, token: USDC, amount: 100n, recipient: BOB, inputSeq: 17n };

/** The reference: viem's `keccak256(abi.encode(uint8, uint32, address, address, uint256, address, uint64))`. */
function viemOrderId(type: number, o: typeof base): string {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'uint8' },
        { type: 'uint32' },
        { type: 'address' },
        { type: 'address' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'uint64' },
      ],
      [type, o.dstEid, o.account, o.token, o.amount, o.recipient, o.inputSeq],
    ),
  );
}

describe('liquidationOrderId', () => {
  it('is keccak256(abi.encode(uint8 5, uint32 dstEid, address, address, uint256, address, uint64))', () => {
    const expected = viemOrderId(5, base);
    expect(liquidationOrderId(base)).toBe(expected);
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(
        fc.record({
          dstEid: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          account: arbAddress,
          token: arbAddress,
          amount: arbUint256,
          recipient: arbAddress,
          inputSeq: arbUint64,
        }),
        (o) => {
          const id = liquidationOrderId(o);
          expect(id).toMatch(/^0x[0-9a-f]{64}$/);
          expect(liquidationOrderId({ ...o })).toBe(id);
        },
      ),
    );
  });

  it('does not depend on address case', () => {
    expect(liquidationOrderId({ ...base, account: ALICE.toLowerCase() as `0x${string}` })).toBe(
      liquidationOrderId(base),
    );
  });

  const changes: [string, Partial<typeof base>][] = [
    ['dstEid', { dstEid: 40103 }],
    ['account', { account: BOB }],
    ['token', { token: BOB }],
    ['amount', { amount: 101n }],
    ['recipient', { recipient: ALICE }],
    ['inputSeq', { inputSeq: 18n }],
  ];

  it.each(changes)('changes when %s changes', (_field, change) => {
    expect(liquidationOrderId({ ...base, ...change })).not.toBe(liquidationOrderId(base));
  });

  it('does not collide when the same values swap fields', () => {
    expect(liquidationOrderId({ ...base, account: BOB, recipient: ALICE })).not.toBe(liquidationOrderId(base));
  });

  const refusals: [string, Partial<typeof base>, string][] = [
    ['dstEid above uint32', { dstEid: 2 ** 32 }, `dstEid: ${2 ** 32} out of range for uint32`],
    ['negative dstEid', { dstEid: -1 }, 'dstEid: -1 out of range for uint32'],
    ['fractional dstEid', { dstEid: 1.5 }, 'dstEid: 1.5 out of range for uint32'],
    ['bad account', { account: '0x12' }, 'account: expected a 20-byte address (checksummed or lowercase)'],
    ['bad recipient', { recipient: '0xnothex' }, 'recipient: expected a 20-byte address (checksummed or lowercase)'],
    ['negative amount', { amount: -1n }, 'amount: -1 out of range for uint256'],
    ['amount above uint256', { amount: MAX_UINT256 + 1n }, `amount: ${MAX_UINT256 + 1n} out of range for uint256`],
    ['inputSeq above uint64', { inputSeq: MAX_UINT64 + 1n }, `inputSeq: ${MAX_UINT64 + 1n} out of range for uint64`],
  ];

  it.each(refusals)('refuses %s', (_name, change, reason) => {
    expect(() => liquidationOrderId({ ...base, ...change })).toThrow(
      new MalformedPayloadError(`cannot compute liquidation order id: ${reason}`),
    );
  });

  it('lists every bad field at once', () => {
    expect(() => liquidationOrderId({ ...base, dstEid: -1, inputSeq: -1n })).toThrow(
      'cannot compute liquidation order id: dstEid: -1 out of range for uint32; inputSeq: -1 out of range for uint64',
    );
  });
});

describe('withdrawDecisionOrderId', () => {
  const d = { dstEid: 40102, account: ALICE, token: USDC, amount: 50n, inputSeq: 23n };

  it('is the order id formula with type 6 and the account as the recipient', () => {
    const expected = viemOrderId(6, { ...d, recipient: d.account });
    expect(withdrawDecisionOrderId(d)).toBe(expected);
  });

  it('never collides with the liquidation id of the same fields', () => {
    fc.assert(
      fc.property(arbAddress, arbUint256, arbUint64, (account, amount, inputSeq) => {
        const o = { dstEid: 1, account, token: USDC, amount, inputSeq };
        expect(withdrawDecisionOrderId(o)).not.toBe(liquidationOrderId({ ...o, recipient: account }));
      }),
    );
  });

  it('refuses out-of-range fields, naming them', () => {
    expect(() => withdrawDecisionOrderId({ ...d, amount: -1n, inputSeq: MAX_UINT64 + 1n })).toThrow(
      new MalformedPayloadError(
        `cannot compute withdrawal decision order id: amount: -1 out of range for uint256; inputSeq: ${MAX_UINT64 + 1n} out of range for uint64`,
      ),
    );
    expect(() => withdrawDecisionOrderId({ ...d, account: '0x12' })).toThrow(
      /account: expected a 20-byte address.*recipient: expected a 20-byte address/,
    );
  });
});

describe('order ids, encoded by hand', () => {
  /** Checksummed or lower case, as the wire may carry them. */
  const anyAddress = fc.oneof(
    arbAddress,
    arbAddress.map((a) => a.toLowerCase() as typeof a),
  );
  it("property: both kinds equal viem's abi.encode and keccak256 over the whole range of each field", () => {
    fc.assert(
      fc.property(
        fc.record({
          dstEid: fc.oneof(fc.constantFrom(0, 2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
          account: anyAddress,
          token: anyAddress,
          amount: fc.oneof(fc.constantFrom(0n, MAX_UINT256), arbUint256),
          recipient: anyAddress,
          inputSeq: fc.oneof(fc.constantFrom(0n, MAX_UINT64), arbUint64),
        }),
        (o) => {
          expect(liquidationOrderId(o)).toBe(viemOrderId(5, o));
          expect(withdrawDecisionOrderId(o)).toBe(viemOrderId(6, { ...o, recipient: o.account }));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
