import type { OutputOrder } from '@omniclear/protocol';
import type { Address, Hex } from 'viem';

import { SignatureBook } from '../src/executor/signature-book.js';

const A: Address = '0x00000000000000000000000000000000000000aA';
const B: Address = '0x00000000000000000000000000000000000000bB';
const C: Address = '0x00000000000000000000000000000000000000Cc';
const ORDER: Hex = `0x${'01'.repeat(32)}`;
const DIGEST: Hex = `0x${'d1'.repeat(32)}`;
const OTHER_DIGEST: Hex = `0x${'d2'.repeat(32)}`;

function copy(signer: Address, overrides: Partial<OutputOrder> = {}): OutputOrder {
  return {
    kind: 'liquidate',
    orderId: ORDER,
    dstEid: 40102,
    account: A,
    token: B,
    amount: 10n,
    recipient: C,
    insuranceAmount: 1n,
    inputSeq: 5n,
    expiry: 100n,
    signer,
    signature: `0x${signer.slice(2).toLowerCase().padEnd(130, '0')}`,
    ...overrides,
  } as OutputOrder;
}

const registered = (...signers: Address[]) => new Set(signers.map((s) => s.toLowerCase()));

describe('SignatureBook', () => {
  it('returns the registered signers of a digest ascending by address, each once', () => {
    const book = new SignatureBook();
    const all = registered(A, B, C);
    expect(book.add(copy(C), DIGEST, all).signatures.map((s) => s.signer)).toEqual([C]);
    expect(book.add(copy(C), DIGEST, all).signatures).toHaveLength(1);
    expect(book.add(copy(A), DIGEST, all).signatures.map((s) => s.signer)).toEqual([A, C]);
    expect(book.add(copy(B), DIGEST, all).signatures.map((s) => s.signer)).toEqual([A, B, C]);
    expect(book.size).toBe(1);
  });

  it('never counts copies that signed different fields together', () => {
    const book = new SignatureBook();
    const all = registered(A, B);
    book.add(copy(A), DIGEST, all);
    expect(book.add(copy(B, { amount: 11n }), OTHER_DIGEST, all).signatures.map((s) => s.signer)).toEqual([B]);
    expect(book.add(copy(B), DIGEST, all).signatures.map((s) => s.signer)).toEqual([A, B]);
  });

  it('counts only signers registered now', () => {
    const book = new SignatureBook();
    book.add(copy(A), DIGEST, registered(A, B));
    expect(book.add(copy(B), DIGEST, registered(B)).signatures.map((s) => s.signer)).toEqual([B]);
  });

  it('forgets an order, and sweeps the expired ones', () => {
    const book = new SignatureBook();
    book.add(copy(A), DIGEST, registered(A));
    book.add(copy(A, { orderId: `0x${'02'.repeat(32)}`, expiry: 200n }), DIGEST, registered(A));
    expect(book.sweepExpired(150n)).toBe(1);
    expect(book.size).toBe(1);
    book.forget(`0x${'02'.repeat(32)}`);
    expect(book.size).toBe(0);
  });
});
