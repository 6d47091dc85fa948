import fc from 'fast-check';
import { bytesToHex } from 'viem';

import {
  EventSchemaError,
  OmniError,
  encodeInputEvent,
  encodeOrder,
  parseInputEvent,
  parseOrder,
  toJson,
  type DispatchEvent,
  type HubEvent,
  type InputEvent,
  type LiquidationOrder,
  type MarkEvent,
  type OutputOrder,
  type PriceEvent,
  type WithdrawDecisionOrder,
} from '../src/index.js';
import {
  ALICE,
  BOB,
  MAX_UINT256,
  MAX_UINT64,
  ORDER_ID,
  USDC,
  arbAddress,
  arbBytes32,
  arbDispatchEvent,
  arbMessage,
  arbUint256,
  arbUint64,
} from './helpers.js';

const TX = `0x${'ab'.repeat(32)}` as const;
const GUID = `0x${'cd'.repeat(32)}` as const;
const SIGNATURE = `0x${'ef'.repeat(64)}1b` as const;
const arbSignature = fc.uint8Array({ minLength: 65, maxLength: 65 }).map((b) => bytesToHex(b));

const hub: HubEvent = {
  kind: 'hub',
  chainId: 31337,
  blockNumber: 42n,
  blockTimestamp: 1764000000n,
  txHash: TX,
  logIndex: 3,
  srcEid: 40102,
  nonce: 7n,
  guid: GUID,
  message: { type: 'BALANCE', account: ALICE, token: USDC, balance: 100n, delta: 100n, seq: 1n },
};
const price: PriceEvent = {
  kind: 'price',
  asset: 'WETH',
  price: 2000n * 10n ** 18n,
  publishTime: 1764000000n,
  source: 'devnet',
};
const order: LiquidationOrder = {
  kind: 'liquidate',
  orderId: ORDER_ID,
  dstEid: 40102,
  account: ALICE,
  token: USDC,
  amount: 100n,
  recipient: BOB,
  insuranceAmount: 10n,
  inputSeq: 17n,
  expiry: 1764003600n,
  signer: ALICE,
  signature: SIGNATURE,
};
const decision: WithdrawDecisionOrder = {
  kind: 'withdraw-decision',
  orderId: ORDER_ID,
  dstEid: 40102,
  account: ALICE,
  token: USDC,
  amount: 50n,
  requestId: 3n,
  approved: true,
  inputSeq: 18n,
  expiry: 1764003600n,
  signer: ALICE,
  signature: SIGNATURE,
};
const mark: MarkEvent = {
  kind: 'mark',
  market: 'ETH-PERP',
  markPrice: 2001n * 10n ** 18n,
  indexPrice: 2000n * 10n ** 18n,
  publishTime: 1764000000n,
  source: 'devnet',
};

const dispatch: DispatchEvent = {
  kind: 'dispatch',
  chainId: 31337,
  blockNumber: 43n,
  blockTimestamp: 1764000012n,
  txHash: TX,
  logIndex: 5,
  orderId: ORDER_ID,
  dstEid: 40102,
  guid: GUID,
};

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const json = (e: unknown) => JSON.parse(toJson(e)) as Record<string, unknown>;

/** Parses `value` (as JSON) and returns the EventSchemaError it is refused with. */
function refusal(parse: (s: string) => unknown, value: unknown): EventSchemaError {
  try {
    parse(JSON.stringify(value));
  } catch (e) {
    expect(e).toBeInstanceOf(EventSchemaError);
    expect(e).toBeInstanceOf(OmniError);
    return e as EventSchemaError;
  }
  throw new Error('expected a refusal');
}

const arbHub: fc.Arbitrary<HubEvent> = fc.record({
  kind: fc.constant('hub' as const),
  chainId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  blockNumber: arbUint64,
  blockTimestamp: arbUint64,
  txHash: arbBytes32,
  logIndex: fc.nat(),
  srcEid: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  nonce: arbUint64,
  guid: arbBytes32,
  message: arbMessage,
});

const arbPrice: fc.Arbitrary<PriceEvent> = fc.record({
  kind: fc.constant('price' as const),
  asset: fc.stringMatching(/^[A-Z0-9_]{1,32}$/),
  price: arbUint256,
  publishTime: arbUint64,
  source: fc.string({ minLength: 1, maxLength: 64 }),
});

const arbMark: fc.Arbitrary<MarkEvent> = fc.record({
  kind: fc.constant('mark' as const),
  market: fc.stringMatching(/^[A-Z0-9_-]{1,31}$/),
  markPrice: arbUint256,
  indexPrice: arbUint256,
  publishTime: arbUint64,
  source: fc.string({ minLength: 1, maxLength: 64 }),
});

const arbOrder: fc.Arbitrary<OutputOrder> = fc.oneof(
  fc
    .record({
      kind: fc.constant('liquidate' as const),
      orderId: arbBytes32,
      dstEid: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
      account: arbAddress,
      token: arbAddress,
      amount: arbUint256,
      recipient: arbAddress,
      insuranceAmount: arbUint256,
      inputSeq: arbUint64,
      expiry: arbUint64,
      signer: arbAddress,
      signature: arbSignature,
    })
    .map((o) => (o.insuranceAmount > o.amount ? { ...o, insuranceAmount: o.amount } : o)),
  fc.record({
    kind: fc.constant('withdraw-decision' as const),
    orderId: arbBytes32,
    dstEid: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
    account: arbAddress,
    token: arbAddress,
    amount: arbUint256,
    requestId: arbUint64,
    approved: fc.boolean(),
    inputSeq: arbUint64,
    expiry: arbUint64,
    signer: arbAddress,
    signature: arbSignature,
  }),
);

describe('input events', () => {
  it('encode to the README JSON shape, amounts as decimal strings', () => {
    expect(JSON.parse(text(encodeInputEvent(hub)))).toEqual({
      kind: 'hub',
      chainId: 31337,
      blockNumber: '42',
      blockTimestamp: '1764000000',
      txHash: TX,
      logIndex: 3,
      srcEid: 40102,
      nonce: '7',
      guid: GUID,
      message: { type: 'BALANCE', account: ALICE, token: USDC, balance: '100', delta: '100', seq: '1' },
    });
    expect(text(encodeInputEvent(price))).toBe(
      '{"kind":"price","asset":"WETH","price":"2000000000000000000000","publishTime":"1764000000","source":"devnet"}',
    );
  });

  it('round-trip hub events of every message type', () => {
    fc.assert(
      fc.property(arbHub, (e) => {
        expect(parseInputEvent(encodeInputEvent(e))).toEqual(e);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trip price events', () => {
    fc.assert(
      fc.property(arbPrice, (e) => {
        expect(parseInputEvent(encodeInputEvent(e))).toEqual(e);
      }),
    );
  });

  it('round-trip mark events, in the README JSON shape', () => {
    expect(text(encodeInputEvent(mark))).toBe(
      '{"kind":"mark","market":"ETH-PERP","markPrice":"2001000000000000000000","indexPrice":"2000000000000000000000","publishTime":"1764000000","source":"devnet"}',
    );
    fc.assert(
      fc.property(arbMark, (e) => {
        expect(parseInputEvent(encodeInputEvent(e))).toEqual(e);
      }),
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['lowercase market', { market: 'eth-perp' }, 'market: expected 1-31 of A-Z, 0-9, _, -'],
    ['market of 32 characters', { market: 'A'.repeat(32) }, 'market: expected 1-31 of A-Z, 0-9, _, -'],
    ['missing index price', { indexPrice: undefined }, 'indexPrice: required'],
    ['negative mark price', { markPrice: '-1' }, 'markPrice: expected a non-negative integer'],
  ])('refuse a mark with %s', (_name, change, reason) => {
    expect(refusal(parseInputEvent, { ...json(mark), ...change }).message).toBe(`invalid input event: ${reason}`);
  });

  it('encode a dispatch to the README JSON shape, and round-trip dispatches', () => {
    expect(text(encodeInputEvent(dispatch))).toBe(
      `{"kind":"dispatch","chainId":31337,"blockNumber":"43","blockTimestamp":"1764000012","txHash":"${TX}","logIndex":5,"orderId":"${ORDER_ID}","dstEid":40102,"guid":"${GUID}"}`,
    );
    expect(parseInputEvent(encodeInputEvent(dispatch))).toEqual(dispatch);
    fc.assert(
      fc.property(arbDispatchEvent, (e) => {
        expect(parseInputEvent(encodeInputEvent(e))).toEqual(e);
      }),
      { numRuns: 300 },
    );
  });

  it("lowercase a dispatch's hashes on parse, and accept its edge values", () => {
    const upper = (h: string) => `0x${h.slice(2).toUpperCase()}`;
    const raw = { ...json(dispatch), txHash: upper(TX), orderId: upper(`0x${'ab'.repeat(32)}`), guid: upper(GUID) };
    expect(parseInputEvent(JSON.stringify(raw))).toEqual({ ...dispatch, orderId: `0x${'ab'.repeat(32)}` });
    const edges: DispatchEvent = {
      ...dispatch,
      chainId: Number.MAX_SAFE_INTEGER,
      blockNumber: MAX_UINT64,
      blockTimestamp: 0n,
      logIndex: 0,
      dstEid: 2 ** 32 - 1,
    };
    expect(parseInputEvent(encodeInputEvent(edges))).toEqual(edges);
  });

  it.each<[string, (raw: Record<string, unknown>) => unknown, string]>([
    [
      'short order id',
      (r) => ({ ...r, orderId: `0x${'11'.repeat(31)}` }),
      'orderId: expected 32 bytes of 0x-prefixed hex',
    ],
    [
      'long order id',
      (r) => ({ ...r, orderId: `0x${'11'.repeat(33)}` }),
      'orderId: expected 32 bytes of 0x-prefixed hex',
    ],
    [
      'unprefixed order id',
      (r) => ({ ...r, orderId: '11'.repeat(32) }),
      'orderId: expected 32 bytes of 0x-prefixed hex',
    ],
    ['missing order id', ({ orderId: _o, ...r }) => r, 'orderId: required'],
    ['short guid', (r) => ({ ...r, guid: '0x1234' }), 'guid: expected 32 bytes of 0x-prefixed hex'],
    ['bad tx hash', (r) => ({ ...r, txHash: `0x${'zz'.repeat(32)}` }), 'txHash: expected 32 bytes of 0x-prefixed hex'],
    ['negative block number', (r) => ({ ...r, blockNumber: '-43' }), 'blockNumber: expected a non-negative integer'],
    ['numeric block number', (r) => ({ ...r, blockNumber: 43 }), 'blockNumber: expected a decimal integer string'],
    [
      'block timestamp above uint64',
      (r) => ({ ...r, blockTimestamp: (MAX_UINT64 + 1n).toString() }),
      'blockTimestamp: out of range for uint64',
    ],
    ['dstEid 0', (r) => ({ ...r, dstEid: 0 }), 'dstEid: expected an integer in 1..4294967295'],
    ['dstEid above uint32', (r) => ({ ...r, dstEid: 2 ** 32 }), 'dstEid: expected an integer in 1..4294967295'],
    ['string dstEid', (r) => ({ ...r, dstEid: '40102' }), 'dstEid: expected an integer in 1..4294967295'],
    [
      'negative log index',
      (r) => ({ ...r, logIndex: -1 }),
      `logIndex: expected an integer in 0..${Number.MAX_SAFE_INTEGER}`,
    ],
    ['chain id 0', (r) => ({ ...r, chainId: 0 }), `chainId: expected an integer in 1..${Number.MAX_SAFE_INTEGER}`],
    ['extra field', (r) => ({ ...r, srcEid: 40102 }), 'srcEid: unexpected field'],
    ['hub message on a dispatch', (r) => ({ ...r, message: {} }), 'message: unexpected field'],
  ])('refuse a dispatch with %s, naming the field', (_name, change, reason) => {
    const e = refusal(parseInputEvent, change(json(dispatch)));
    expect(e.name).toBe('EventSchemaError');
    expect(e.message).toBe(`invalid input event: ${reason}`);
    const [path, message] = reason.split(/: (.*)/s);
    expect(e.details['issues']).toEqual([{ path, message }]);
  });

  it('refuse to encode an invalid dispatch', () => {
    expect(() => encodeInputEvent({ ...dispatch, orderId: '0x11' })).toThrow(
      expect.objectContaining({
        name: 'EventSchemaError',
        message: 'invalid input event: orderId: expected 32 bytes of 0x-prefixed hex',
      }),
    );
    expect(() => encodeInputEvent({ ...dispatch, blockNumber: -1n })).toThrow(
      'invalid input event: blockNumber: expected a non-negative integer',
    );
  });

  it('name the field of a new hub message type that is wrong', () => {
    const done = {
      type: 'WITHDRAW_DONE',
      account: ALICE,
      token: USDC,
      requestId: '1',
      paid: '5',
      balance: '0',
      outcome: 4,
      seq: '2',
    };
    expect(refusal(parseInputEvent, { ...json(hub), message: done }).message).toBe(
      'invalid input event: message.outcome: expected an integer in 1..3',
    );
    const exposure = {
      type: 'EXPOSURE',
      account: ALICE,
      protocol: BOB,
      market: 'ETH-PERP',
      size: '-1',
      entryPrice: '2000',
      seq: '3',
    };
    expect(refusal(parseInputEvent, { ...json(hub), message: exposure }).message).toBe(
      'invalid input event: message.market: expected 32 bytes of 0x-prefixed hex',
    );
  });

  it('carry an ORDER_ACK status (1 executed, 2 expired) and name a bad one', () => {
    const ack = {
      type: 'ORDER_ACK',
      orderId: ORDER_ID,
      account: ALICE,
      token: USDC,
      seized: '0',
      balance: '77',
      status: 2,
      seq: '11',
    };
    expect(parseInputEvent(toJson({ ...json(hub), message: ack }))).toMatchObject({
      message: { type: 'ORDER_ACK', seized: 0n, balance: 77n, status: 2, seq: 11n },
    });
    for (const status of [0, 3, '2', 1.5]) {
      expect(refusal(parseInputEvent, { ...json(hub), message: { ...ack, status } }).message).toBe(
        'invalid input event: message.status: expected an integer in 1..2',
      );
    }
    const { status: _omitted, ...withoutStatus } = ack;
    expect(refusal(parseInputEvent, { ...json(hub), message: withoutStatus }).message).toBe(
      'invalid input event: message.status: required',
    );
  });

  it('parse from a string or bytes', () => {
    const s = toJson(hub);
    expect(parseInputEvent(s)).toEqual(hub);
    expect(parseInputEvent(new TextEncoder().encode(s))).toEqual(hub);
  });

  it('checksum addresses and lowercase hashes on parse; encode canonically', () => {
    const raw = json(hub);
    raw['txHash'] = TX.toUpperCase().replace('0X', '0x');
    (raw['message'] as Record<string, unknown>)['account'] = ALICE.toLowerCase();
    const parsed = parseInputEvent(JSON.stringify(raw));
    expect(parsed).toEqual(hub);
    expect(text(encodeInputEvent(parsed))).toBe(text(encodeInputEvent(hub)));
  });

  it('accept the edge values', () => {
    const m = {
      type: 'BALANCE' as const,
      account: ALICE,
      token: USDC,
      balance: MAX_UINT256,
      delta: -(2n ** 255n),
      seq: MAX_UINT64,
    };
    expect(parseInputEvent(encodeInputEvent({ ...hub, message: m }))).toEqual({ ...hub, message: m });
  });

  type Case = [string, (raw: Record<string, unknown>) => unknown, string];
  const msg = (raw: Record<string, unknown>) => raw['message'] as Record<string, unknown>;
  const cases: Case[] = [
    ['unknown kind', (r) => ({ ...r, kind: 'funding' }), 'kind: expected one of "hub", "price", "mark", "dispatch"'],
    ['missing kind', ({ kind: _k, ...r }) => r, 'kind: expected one of "hub", "price", "mark", "dispatch"'],
    ['not an object', () => [1, 2], '(root): expected an object'],
    ['null', () => null, '(root): expected an object'],
    ['extra field', (r) => ({ ...r, extra: 1 }), 'extra: unexpected field'],
    ['extra message field', (r) => ({ ...r, message: { ...msg(r), foo: 'bar' } }), 'message.foo: unexpected field'],
    [
      'non-integer balance',
      (r) => ({ ...r, message: { ...msg(r), balance: '1.5' } }),
      'message.balance: expected a decimal integer string',
    ],
    [
      'numeric balance',
      (r) => ({ ...r, message: { ...msg(r), balance: 100 } }),
      'message.balance: expected a decimal integer string',
    ],
    [
      'hex balance',
      (r) => ({ ...r, message: { ...msg(r), balance: '0x10' } }),
      'message.balance: expected a decimal integer string',
    ],
    [
      'leading zeros',
      (r) => ({ ...r, message: { ...msg(r), balance: '007' } }),
      'message.balance: expected a decimal integer string',
    ],
    [
      'negative balance',
      (r) => ({ ...r, message: { ...msg(r), balance: '-1' } }),
      'message.balance: expected a non-negative integer',
    ],
    [
      'seq above uint64',
      (r) => ({ ...r, message: { ...msg(r), seq: (MAX_UINT64 + 1n).toString() } }),
      'message.seq: out of range for uint64',
    ],
    [
      'delta below int256',
      (r) => ({ ...r, message: { ...msg(r), delta: (-(2n ** 255n) - 1n).toString() } }),
      'message.delta: out of range for int256',
    ],
    [
      'missing seq',
      (r) => {
        const { seq: _s, ...m } = msg(r);
        return { ...r, message: m };
      },
      'message.seq: required',
    ],
    [
      'bad address',
      (r) => ({ ...r, message: { ...msg(r), token: '0x1234' } }),
      'message.token: expected a checksummed or lowercase 20-byte address',
    ],
    [
      'bad checksum',
      (r) => ({ ...r, message: { ...msg(r), account: ALICE.replace('C8', 'c8') } }),
      'message.account: expected a checksummed or lowercase 20-byte address',
    ],
    [
      'spoke-bound message type',
      (r) => ({ ...r, message: { ...msg(r), type: 'LIQUIDATE' } }),
      'message.type: expected one of "BALANCE", "WITHDRAW_REQUEST", "EXPOSURE", "ORDER_ACK", "WITHDRAW_DONE"',
    ],
    ['message not an object', (r) => ({ ...r, message: 'BALANCE' }), 'message: expected an object'],
    ['missing message', ({ message: _m, ...r }) => r, 'message: required'],
    ['bad tx hash', (r) => ({ ...r, txHash: '0xabc' }), 'txHash: expected 32 bytes of 0x-prefixed hex'],
    [
      'string chain id',
      (r) => ({ ...r, chainId: '31337' }),
      `chainId: expected an integer in 1..${Number.MAX_SAFE_INTEGER}`,
    ],
    [
      'negative log index',
      (r) => ({ ...r, logIndex: -1 }),
      `logIndex: expected an integer in 0..${Number.MAX_SAFE_INTEGER}`,
    ],
    ['srcEid above uint32', (r) => ({ ...r, srcEid: 2 ** 32 }), 'srcEid: expected an integer in 1..4294967295'],
    ['negative block number', (r) => ({ ...r, blockNumber: '-42' }), 'blockNumber: expected a non-negative integer'],
  ];

  it.each(cases)('refuse %s, naming the path', (_name, mutate, reason) => {
    const e = refusal(parseInputEvent, mutate(json(hub)));
    expect(e.name).toBe('EventSchemaError');
    expect(e.message).toBe(`invalid input event: ${reason}`);
    const [path, message] = reason.split(/: (.*)/s);
    expect(e.details['issues']).toEqual([{ path, message }]);
  });

  it('refuse every bad field at once', () => {
    const e = refusal(parseInputEvent, { ...json(hub), nonce: 'x', logIndex: 1.5 });
    expect(e.message).toBe(
      `invalid input event: logIndex: expected an integer in 0..${Number.MAX_SAFE_INTEGER}; nonce: expected a decimal integer string`,
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['lowercase asset', { asset: 'weth' }, 'asset: expected 1-32 of A-Z, 0-9, _'],
    ['asset with a dot', { asset: 'W.ETH' }, 'asset: expected 1-32 of A-Z, 0-9, _'],
    ['empty source', { source: '' }, 'source: expected a non-empty string'],
    ['negative price', { price: '-1' }, 'price: expected a non-negative integer'],
    ['numeric publish time', { publishTime: 1764000000 }, 'publishTime: expected a decimal integer string'],
  ])('refuse a price with %s', (_name, change, reason) => {
    expect(refusal(parseInputEvent, { ...json(price), ...change }).message).toBe(`invalid input event: ${reason}`);
  });

  it('refuse invalid JSON and invalid UTF-8', () => {
    expect(() => parseInputEvent('{"kind":')).toThrow(/^invalid input event: not JSON \(/);
    expect(() => parseInputEvent(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(
      expect.objectContaining({ name: 'EventSchemaError', message: 'invalid input event: not UTF-8' }),
    );
  });

  it('refuse to encode an invalid event', () => {
    expect(() => encodeInputEvent({ ...price, asset: 'weth' })).toThrow(
      expect.objectContaining({
        name: 'EventSchemaError',
        message: 'invalid input event: asset: expected 1-32 of A-Z, 0-9, _',
      }),
    );
    expect(() => encodeInputEvent({ ...hub, message: { ...hub.message, seq: -1n } } as InputEvent)).toThrow(
      'invalid input event: message.seq: expected a non-negative integer',
    );
  });
});

describe('orders', () => {
  it('encode to the README JSON shape', () => {
    expect(text(encodeOrder(order))).toBe(
      `{"kind":"liquidate","orderId":"${ORDER_ID}","dstEid":40102,"account":"${ALICE}","token":"${USDC}","amount":"100","recipient":"${BOB}","insuranceAmount":"10","inputSeq":"17","expiry":"1764003600","signer":"${ALICE}","signature":"${SIGNATURE}"}`,
    );
    expect(text(encodeOrder(decision))).toBe(
      `{"kind":"withdraw-decision","orderId":"${ORDER_ID}","dstEid":40102,"account":"${ALICE}","token":"${USDC}","amount":"50","requestId":"3","approved":true,"inputSeq":"18","expiry":"1764003600","signer":"${ALICE}","signature":"${SIGNATURE}"}`,
    );
  });

  it('refuse a liquidation whose insurance part exceeds the amount', () => {
    const e = refusal(parseOrder, { ...json(order), insuranceAmount: '101' });
    expect(e.message).toBe('invalid order: insuranceAmount: exceeds amount');
    expect(() => encodeOrder({ ...order, insuranceAmount: 101n })).toThrow(
      'invalid order: insuranceAmount: exceeds amount',
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['non-boolean approved', { approved: 'yes' }, 'approved: expected a boolean'],
    ['missing request id', { requestId: undefined }, 'requestId: required'],
    ['a recipient', { recipient: BOB }, 'recipient: unexpected field'],
  ])('refuse a decision with %s, naming the path', (_name, change, reason) => {
    expect(refusal(parseOrder, { ...json(decision), ...change }).message).toBe(`invalid order: ${reason}`);
  });

  it('round-trip', () => {
    fc.assert(
      fc.property(arbOrder, (o) => {
        expect(parseOrder(encodeOrder(o))).toEqual(o);
      }),
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['unknown kind', { kind: 'approve' }, 'kind: expected one of "liquidate", "withdraw-decision"'],
    ['bad order id', { orderId: '0x12' }, 'orderId: expected 32 bytes of 0x-prefixed hex'],
    ['zero dstEid', { dstEid: 0 }, 'dstEid: expected an integer in 1..4294967295'],
    ['negative amount', { amount: '-100' }, 'amount: expected a non-negative integer'],
    ['inputSeq above uint64', { inputSeq: '18446744073709551616' }, 'inputSeq: out of range for uint64'],
    ['bad recipient', { recipient: 'alice' }, 'recipient: expected a checksummed or lowercase 20-byte address'],
    ['missing account', { account: undefined }, 'account: required'],
    ['extra field', { approved: true }, 'approved: unexpected field'],
    ['missing insurance amount', { insuranceAmount: undefined }, 'insuranceAmount: required'],
    ['missing expiry', { expiry: undefined }, 'expiry: required'],
    ['expiry above uint64', { expiry: '18446744073709551616' }, 'expiry: out of range for uint64'],
    ['missing signer', { signer: undefined }, 'signer: required'],
    ['short signature', { signature: '0x1234' }, 'signature: expected 65 bytes of 0x-prefixed hex'],
  ])('refuse %s, naming the path', (_name, change, reason) => {
    expect(refusal(parseOrder, { ...json(order), ...change }).message).toBe(`invalid order: ${reason}`);
  });

  it('refuse to encode an invalid order', () => {
    expect(() => encodeOrder({ ...order, amount: -1n })).toThrow(EventSchemaError);
    expect(() => encodeOrder({ ...order, amount: -1n })).toThrow(
      'invalid order: amount: expected a non-negative integer',
    );
  });
});

describe('toJson', () => {
  it('writes bigints as decimal strings', () => {
    expect(toJson({ a: 1n, b: [-(2n ** 255n)], c: 'x' })).toBe(`{"a":"1","b":["${-(2n ** 255n)}"],"c":"x"}`);
    expect(toJson({ a: 1n }, 2)).toBe('{\n  "a": "1"\n}');
  });
});
