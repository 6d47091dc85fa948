import {
  AckStatus,
  MessageType,
  decodeMessage,
  encodeMessage,
  liquidationOrderId,
  withdrawDecisionOrderId,
  type MessageTypeName,
} from '../src/index.js';
import { vectorMessage, vectors } from './helpers.js';

describe('golden payload vectors (shared with contracts/test)', () => {
  it('cover every message type', () => {
    const types = new Set(vectors.vectors.map((v) => v.type));
    expect([...types].sort()).toEqual(Object.keys(MessageType).sort());
  });

  it('cover approved true and false', () => {
    const approvals = vectors.vectors.filter((v) => v.type === 'WITHDRAW_DECISION').map((v) => v.fields['approved']);
    expect(approvals).toEqual(expect.arrayContaining([true, false]));
  });

  it('cover both ORDER_ACK statuses and a LIQUIDATE expiry at both ends of uint64', () => {
    const statuses = vectors.vectors.filter((v) => v.type === 'ORDER_ACK').map((v) => v.fields['status']);
    expect([...new Set(statuses)].sort()).toEqual([AckStatus.EXECUTED, AckStatus.EXPIRED]);
    const expiries = vectors.vectors.filter((v) => v.type === 'LIQUIDATE').map((v) => v.fields['expiry']);
    expect(expiries).toEqual(expect.arrayContaining(['0', '18446744073709551615']));
  });

  it('never name the zero address as a LIQUIDATE recipient (the codecs refuse it)', () => {
    for (const v of vectors.vectors.filter((x) => x.type === 'LIQUIDATE')) {
      expect(BigInt(v.fields['recipient'] as string)).not.toBe(0n);
    }
  });

  describe.each(vectors.vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const msg = vectorMessage(v.type, v.fields);

    it('encodes to the golden payload', () => {
      expect(encodeMessage(msg)).toBe(v.payload);
    });

    it('decodes the golden payload to its fields', () => {
      expect(decodeMessage(v.payload)).toEqual(msg);
    });

    it('has the fixed length 32 × (2 + fields) and the version/type header', () => {
      const fieldCount = Object.keys(v.fields).length;
      expect((v.payload.length - 2) / 2).toBe(32 * (2 + fieldCount));
      expect(BigInt(`0x${v.payload.slice(2, 66)}`)).toBe(1n);
      expect(Number(BigInt(`0x${v.payload.slice(66, 130)}`))).toBe(MessageType[v.type as MessageTypeName]);
    });
  });

  it('cover both order kinds', () => {
    const kinds = new Set(vectors.orderIds.map((o) => o.fields['msgType']));
    expect([...kinds].sort()).toEqual([MessageType.LIQUIDATE, MessageType.WITHDRAW_DECISION]);
  });

  describe.each(vectors.orderIds.map((o, i) => [i, o] as const))('order id vector %i', (_i, o) => {
    it('matches liquidationOrderId / withdrawDecisionOrderId', () => {
      const fields = {
        dstEid: o.fields['dstEid'] as number,
        account: o.fields['account'] as `0x${string}`,
        token: o.fields['token'] as `0x${string}`,
        amount: BigInt(o.fields['amount'] as string),
        inputSeq: BigInt(o.fields['inputSeq'] as string),
      };
      if (o.fields['msgType'] === MessageType.LIQUIDATE) {
        expect(liquidationOrderId({ ...fields, recipient: o.fields['recipient'] as `0x${string}` })).toBe(o.orderId);
      } else {
        expect(o.fields['msgType']).toBe(MessageType.WITHDRAW_DECISION);
        expect(o.fields['recipient']).toBe(o.fields['account']);
        expect(withdrawDecisionOrderId(fields)).toBe(o.orderId);
      }
    });
  });
});
