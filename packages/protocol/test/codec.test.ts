import fc from 'fast-check';
import type { Hex } from 'viem';

import {
  MalformedPayloadError,
  OmniError,
  PayloadError,
  PROTOCOL_VERSION,
  UnknownMessageTypeError,
  UnsupportedVersionError,
  decodeHubBoundMessage,
  decodeMessage,
  encodeMessage,
  AckStatus,
  type LiquidateMessage,
  type OmniMessage,
  type OrderAckMessage,
  type WithdrawDoneMessage,
} from '../src/index.js';
import {
  ALICE,
  BOB,
  MAX_INT256,
  MAX_UINT256,
  MAX_UINT64,
  MIN_INT256,
  ORDER_ID,
  USDC,
  arbAddress,
  arbBytes32,
  arbInt256,
  arbUint256,
  arbUint64,
  setWord,
} from './helpers.js';

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

const arbitraries: Record<OmniMessage['type'], fc.Arbitrary<OmniMessage>> = {
  BALANCE: fc.record({
    type: fc.constant('BALANCE' as const),
    account: arbAddress,
    token: arbAddress,
    balance: arbUint256,
    delta: arbInt256,
    seq: arbUint64,
  }),
  WITHDRAW_REQUEST: fc.record({
    type: fc.constant('WITHDRAW_REQUEST' as const),
    account: arbAddress,
    token: arbAddress,
    amount: arbUint256,
    requestId: arbUint64,
    seq: arbUint64,
  }),
  EXPOSURE: fc.record({
    type: fc.constant('EXPOSURE' as const),
    account: arbAddress,
    protocol: arbAddress,
    market: arbBytes32,
    size: arbInt256,
    entryPrice: arbUint256,
    seq: arbUint64,
  }),
  ORDER_ACK: fc.record({
    type: fc.constant('ORDER_ACK' as const),
    orderId: arbBytes32,
    account: arbAddress,
    token: arbAddress,
    seized: arbUint256,
    balance: arbUint256,
    status: fc.constantFrom(AckStatus.EXECUTED, AckStatus.EXPIRED),
    seq: arbUint64,
  }),
  LIQUIDATE: fc
    .record({
      type: fc.constant('LIQUIDATE' as const),
      orderId: arbBytes32,
      account: arbAddress,
      token: arbAddress,
      amount: arbUint256,
      recipient: arbAddress.filter((a) => a !== ZERO_ADDRESS),
      insuranceAmount: arbUint256,
      expiry: arbUint64,
    })
    .map((m) => (m.insuranceAmount > m.amount ? { ...m, insuranceAmount: m.amount } : m)),
  WITHDRAW_DECISION: fc.record({
    type: fc.constant('WITHDRAW_DECISION' as const),
    orderId: arbBytes32,
    account: arbAddress,
    token: arbAddress,
    amount: arbUint256,
    requestId: arbUint64,
    approved: fc.boolean(),
    expiry: arbUint64,
  }),
  WITHDRAW_DONE: fc.record({
    type: fc.constant('WITHDRAW_DONE' as const),
    account: arbAddress,
    token: arbAddress,
    requestId: arbUint64,
    paid: arbUint256,
    balance: arbUint256,
    outcome: fc.constantFrom(1, 2, 3),
    seq: arbUint64,
  }),
};

const balance: OmniMessage = {
  type: 'BALANCE',
  account: ALICE,
  token: USDC,
  balance: 100n,
  delta: -5n,
  seq: 1n,
};
const liquidate: LiquidateMessage = {
  type: 'LIQUIDATE',
  orderId: ORDER_ID,
  account: ALICE,
  token: USDC,
  amount: 40n,
  recipient: BOB,
  insuranceAmount: 4n,
  expiry: 1764003600n,
};
const ack: OrderAckMessage = {
  type: 'ORDER_ACK',
  orderId: ORDER_ID,
  account: ALICE,
  token: USDC,
  seized: 0n,
  balance: 100n,
  status: AckStatus.EXPIRED,
  seq: 4n,
};
const done: WithdrawDoneMessage = {
  type: 'WITHDRAW_DONE',
  account: ALICE,
  token: USDC,
  requestId: 3n,
  paid: 0n,
  balance: 100n,
  outcome: 2,
  seq: 9n,
};

/** Runs `fn` and returns what it threw. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('encodeMessage / decodeMessage round trip', () => {
  it.each(Object.keys(arbitraries))('%s: decode(encode(m)) equals m', (type) => {
    fc.assert(
      fc.property(arbitraries[type as OmniMessage['type']], (msg) => {
        expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
      }),
      { numRuns: 200 },
    );
  });

  it.each(Object.keys(arbitraries))('%s: encode(decode(p)) gives back p', (type) => {
    fc.assert(
      fc.property(arbitraries[type as OmniMessage['type']], (msg) => {
        const payload = encodeMessage(msg);
        expect(encodeMessage(decodeMessage(payload))).toBe(payload);
      }),
      { numRuns: 100 },
    );
  });

  it('accepts lowercase addresses and returns them checksummed', () => {
    const payload = encodeMessage({ ...balance, account: ALICE.toLowerCase() as Hex });
    expect(payload).toBe(encodeMessage(balance));
    expect(decodeMessage(payload)).toMatchObject({ account: ALICE });
  });

  it('accepts upper-case payload hex and returns bytes32 lowercase', () => {
    const id = `0x${'AB'.repeat(32)}` as Hex;
    const payload = encodeMessage({ ...liquidate, orderId: id });
    const upper = `0x${payload.slice(2).toUpperCase()}` as Hex;
    expect(decodeMessage(upper)).toEqual({ ...liquidate, orderId: id.toLowerCase() });
  });
});

describe('decodeMessage refusals', () => {
  const payload = encodeMessage(balance);

  it('refuses another version with UnsupportedVersionError', () => {
    for (const version of [0n, 2n, 255n, 2n ** 200n]) {
      const e = thrown(() => decodeMessage(setWord(payload, 0, version.toString(16))));
      expect(e).toBeInstanceOf(UnsupportedVersionError);
      expect(e).toBeInstanceOf(PayloadError);
      expect(e).toBeInstanceOf(OmniError);
      expect(e.name).toBe('UnsupportedVersionError');
      expect(e.message).toBe(`unsupported payload version ${version} (expected 1)`);
      expect((e as UnsupportedVersionError).details).toEqual({ version, expected: PROTOCOL_VERSION });
    }
  });

  it('refuses unknown types with UnknownMessageTypeError', () => {
    for (const type of [0n, 8n, 255n, 256n + 1n]) {
      const e = thrown(() => decodeMessage(setWord(payload, 1, type.toString(16))));
      expect(e).toBeInstanceOf(UnknownMessageTypeError);
      expect(e.name).toBe('UnknownMessageTypeError');
      expect(e.message).toBe(`unknown message type ${type}`);
      expect((e as UnknownMessageTypeError).details).toEqual({ msgType: type });
    }
  });

  it('checks the version before the type', () => {
    const bad = setWord(setWord(payload, 1, '63'), 0, '2');
    expect(() => decodeMessage(bad)).toThrow(UnsupportedVersionError);
  });

  it('refuses a truncated payload with MalformedPayloadError', () => {
    const e = thrown(() => decodeMessage(payload.slice(0, -64) as Hex));
    expect(e).toBeInstanceOf(MalformedPayloadError);
    expect(e.name).toBe('MalformedPayloadError');
    expect(e.message).toBe('malformed payload: BALANCE payload must be 224 bytes, got 192');
    expect((e as MalformedPayloadError).details).toEqual({ type: 'BALANCE', expected: 224, length: 192 });
  });

  it('refuses a payload one byte short or long', () => {
    expect(() => decodeMessage(payload.slice(0, -2) as Hex)).toThrow(
      'malformed payload: BALANCE payload must be 224 bytes, got 223',
    );
    expect(() => decodeMessage(`${payload}00`)).toThrow(
      'malformed payload: BALANCE payload must be 224 bytes, got 225',
    );
  });

  it('refuses an extended payload', () => {
    const e = thrown(() => decodeMessage(`${payload}${'00'.repeat(32)}`));
    expect(e).toBeInstanceOf(MalformedPayloadError);
    expect(e.message).toBe('malformed payload: BALANCE payload must be 224 bytes, got 256');
  });

  it('refuses a payload shorter than the header', () => {
    for (const p of ['0x', `0x${'00'.repeat(63)}`] as Hex[]) {
      const e = thrown(() => decodeMessage(p));
      expect(e).toBeInstanceOf(MalformedPayloadError);
      expect(e.message).toMatch(/^malformed payload: \d+ bytes is shorter than the 64-byte header$/);
    }
  });

  it('refuses non-hex, unprefixed and odd-length input', () => {
    expect(() => decodeMessage('0xzz' as Hex)).toThrow(
      new MalformedPayloadError('malformed payload: expected 0x-prefixed hex'),
    );
    expect(() => decodeMessage(payload.slice(2) as Hex)).toThrow(MalformedPayloadError);
    expect(() => decodeMessage(42 as unknown as Hex)).toThrow(MalformedPayloadError);
    expect(() => decodeMessage(`${payload}0` as Hex)).toThrow('malformed payload: odd number of hex digits');
  });

  it('refuses a seq above uint64 (dirty high bits)', () => {
    const bad = setWord(payload, 6, (MAX_UINT64 + 1n).toString(16));
    const e = thrown(() => decodeMessage(bad));
    expect(e).toBeInstanceOf(MalformedPayloadError);
    expect(e.message).toBe(
      `malformed payload: BALANCE.seq: word 0x${(MAX_UINT64 + 1n).toString(16).padStart(64, '0')} is not a valid uint64`,
    );
    expect((e as MalformedPayloadError).details).toMatchObject({ type: 'BALANCE', field: 'seq' });
  });

  it('accepts seq = max uint64', () => {
    const ok = setWord(payload, 6, MAX_UINT64.toString(16));
    expect(decodeMessage(ok)).toMatchObject({ seq: MAX_UINT64 });
  });

  it('refuses an address with dirty high bits', () => {
    const bad = setWord(payload, 2, `01${'00'.repeat(11)}${ALICE.slice(2)}`);
    expect(() => decodeMessage(bad)).toThrow(
      /^malformed payload: BALANCE\.account: word 0x01[0-9a-f]+ is not a valid address$/,
    );
  });

  it('refuses a bool other than 0 or 1', () => {
    const decision = encodeMessage({
      type: 'WITHDRAW_DECISION',
      orderId: ORDER_ID,
      account: ALICE,
      token: USDC,
      amount: 1n,
      requestId: 1n,
      approved: true,
      expiry: 1n,
    });
    for (const w of ['2', '100', `1${'0'.repeat(63)}`]) {
      expect(() => decodeMessage(setWord(decision, 7, w))).toThrow(
        /^malformed payload: WITHDRAW_DECISION\.approved: word 0x[0-9a-f]+ is not a valid bool$/,
      );
    }
  });

  it('reads every int256 word, including the extremes', () => {
    expect(decodeMessage(setWord(payload, 5, 'f'.repeat(64)))).toMatchObject({ delta: -1n });
    expect(decodeMessage(setWord(payload, 5, `8${'0'.repeat(63)}`))).toMatchObject({
      delta: MIN_INT256,
    });
    expect(decodeMessage(setWord(payload, 5, `7${'f'.repeat(63)}`))).toMatchObject({
      delta: MAX_INT256,
    });
  });
});

describe('cross-field rules (mirror of InsuranceExceedsAmount / ZeroRecipient / UnknownOutcome / UnknownAckStatus)', () => {
  it('refuses to encode or decode a LIQUIDATE whose insurance part exceeds the amount', () => {
    const bad = { ...liquidate, insuranceAmount: 41n } as OmniMessage;
    const e = thrown(() => encodeMessage(bad));
    expect(e).toBeInstanceOf(MalformedPayloadError);
    expect(e.message).toBe('cannot encode LIQUIDATE: insuranceAmount: exceeds amount');
    const payload = setWord(encodeMessage(liquidate), 7, 41n.toString(16));
    expect(() => decodeMessage(payload)).toThrow(
      new MalformedPayloadError('malformed payload: LIQUIDATE: insuranceAmount: exceeds amount'),
    );
  });

  it('accepts an insurance part equal to the amount', () => {
    const all = { ...liquidate, insuranceAmount: 40n } as OmniMessage;
    expect(decodeMessage(encodeMessage(all))).toEqual(all);
  });

  it('refuses to encode or decode a LIQUIDATE to the zero address', () => {
    const bad = { ...liquidate, recipient: ZERO_ADDRESS } as OmniMessage;
    const e = thrown(() => encodeMessage(bad));
    expect(e).toBeInstanceOf(MalformedPayloadError);
    expect(e.message).toBe('cannot encode LIQUIDATE: recipient: the zero address cannot receive a seizure');
    // recipient is word 6 (version, type, orderId, account, token, amount, recipient)
    const payload = setWord(encodeMessage(liquidate), 6, '0');
    const d = thrown(() => decodeMessage(payload));
    expect(d).toBeInstanceOf(MalformedPayloadError);
    expect(d.message).toBe('malformed payload: LIQUIDATE: recipient: the zero address cannot receive a seizure');
    expect((d as MalformedPayloadError).details).toEqual({ type: 'LIQUIDATE', field: 'recipient' });
  });

  it('round-trips an ORDER_ACK with either status and carries the expiry of orders', () => {
    expect(decodeMessage(encodeMessage(ack))).toEqual(ack);
    const executed = { ...ack, seized: 40n, status: AckStatus.EXECUTED };
    expect(decodeMessage(encodeMessage(executed))).toEqual(executed);
    expect(decodeMessage(encodeMessage(liquidate))).toMatchObject({ expiry: 1764003600n });
  });

  it('refuses an ORDER_ACK status other than 1 or 2', () => {
    for (const status of [0, 3, 255]) {
      expect(() => encodeMessage({ ...ack, status } as OmniMessage)).toThrow(
        new MalformedPayloadError(`cannot encode ORDER_ACK: status: ${status} is not 1 (EXECUTED) or 2 (EXPIRED)`),
      );
      // status is word 7 (version, type, orderId, account, token, seized, balance, status, seq)
      const e = thrown(() => decodeMessage(setWord(encodeMessage(ack), 7, status.toString(16))));
      expect(e).toBeInstanceOf(MalformedPayloadError);
      expect(e.message).toBe(`malformed payload: ORDER_ACK: status: ${status} is not 1 (EXECUTED) or 2 (EXPIRED)`);
      expect(() => decodeHubBoundMessage(setWord(encodeMessage(ack), 7, status.toString(16)))).toThrow(
        MalformedPayloadError,
      );
    }
    expect(() => decodeMessage(setWord(encodeMessage(ack), 7, '100'))).toThrow(
      /^malformed payload: ORDER_ACK\.status: word 0x0+100 is not a valid uint8$/,
    );
  });

  it('refuses a WITHDRAW_DONE outcome other than 1, 2 or 3', () => {
    for (const outcome of [0, 4, 255]) {
      expect(() => encodeMessage({ ...done, outcome } as OmniMessage)).toThrow(
        `cannot encode WITHDRAW_DONE: outcome: ${outcome} is not 1 (PAID), 2 (REJECTED) or 3 (ESCAPED)`,
      );
      expect(() => decodeMessage(setWord(encodeMessage(done), 7, outcome.toString(16)))).toThrow(MalformedPayloadError);
    }
    expect(() => encodeMessage({ ...done, outcome: 256 } as OmniMessage)).toThrow(
      'cannot encode WITHDRAW_DONE: outcome: expected an integer in 0..255',
    );
    expect(() => decodeMessage(setWord(encodeMessage(done), 7, '101'))).toThrow(
      /^malformed payload: WITHDRAW_DONE\.outcome: word 0x0+101 is not a valid uint8$/,
    );
  });
});

describe('decodeHubBoundMessage', () => {
  it('decodes hub-bound types', () => {
    expect(decodeHubBoundMessage(encodeMessage(balance))).toEqual(balance);
    expect(decodeHubBoundMessage(encodeMessage(done))).toEqual(done);
  });

  it('refuses spoke-bound types with UnknownMessageTypeError', () => {
    const e = thrown(() => decodeHubBoundMessage(encodeMessage(liquidate)));
    expect(e).toBeInstanceOf(UnknownMessageTypeError);
    expect(e.message).toBe('message type 5 (LIQUIDATE) is not hub-bound');
    const decision = encodeMessage({
      type: 'WITHDRAW_DECISION',
      orderId: ORDER_ID,
      account: ALICE,
      token: USDC,
      amount: 1n,
      requestId: 1n,
      approved: false,
      expiry: 1n,
    });
    expect(() => decodeHubBoundMessage(decision)).toThrow(
      new UnknownMessageTypeError('message type 6 (WITHDRAW_DECISION) is not hub-bound'),
    );
  });

  it('still checks the version and length', () => {
    const p = encodeMessage(balance);
    expect(() => decodeHubBoundMessage(setWord(p, 0, '2'))).toThrow(UnsupportedVersionError);
    expect(() => decodeHubBoundMessage(p.slice(0, -64) as Hex)).toThrow(MalformedPayloadError);
  });
});

describe('encodeMessage refusals', () => {
  const cases: [string, OmniMessage, string][] = [
    [
      'seq above uint64',
      { ...balance, seq: MAX_UINT64 + 1n },
      `cannot encode BALANCE: seq: ${MAX_UINT64 + 1n} out of range for uint64`,
    ],
    ['negative seq', { ...balance, seq: -1n }, 'cannot encode BALANCE: seq: -1 out of range for uint64'],
    [
      'delta above int256',
      { ...balance, delta: MAX_INT256 + 1n },
      `cannot encode BALANCE: delta: ${MAX_INT256 + 1n} out of range for int256`,
    ],
    [
      'delta below int256',
      { ...balance, delta: MIN_INT256 - 1n },
      `cannot encode BALANCE: delta: ${MIN_INT256 - 1n} out of range for int256`,
    ],
    ['negative balance', { ...balance, balance: -1n }, 'cannot encode BALANCE: balance: -1 out of range for uint256'],
    [
      'balance above uint256',
      { ...balance, balance: MAX_UINT256 + 1n },
      `cannot encode BALANCE: balance: ${MAX_UINT256 + 1n} out of range for uint256`,
    ],
    [
      'number instead of bigint',
      { ...balance, seq: 1 as unknown as bigint },
      'cannot encode BALANCE: seq: expected a bigint',
    ],
    [
      'bad address',
      { ...balance, token: '0x1234' },
      'cannot encode BALANCE: token: expected a 20-byte address (checksummed or lowercase)',
    ],
    [
      'bad checksum',
      { ...balance, account: ALICE.replace('C8', 'c8') as Hex },
      'cannot encode BALANCE: account: expected a 20-byte address (checksummed or lowercase)',
    ],
    [
      'short order id',
      { ...liquidate, orderId: '0x1234' },
      'cannot encode LIQUIDATE: orderId: expected 32 bytes of hex',
    ],
    [
      'missing field',
      { ...liquidate, recipient: undefined } as unknown as OmniMessage,
      'cannot encode LIQUIDATE: recipient: expected a 20-byte address (checksummed or lowercase)',
    ],
    [
      'non-boolean approved',
      {
        type: 'WITHDRAW_DECISION',
        orderId: ORDER_ID,
        account: ALICE,
        token: USDC,
        amount: 1n,
        requestId: 1n,
        approved: 1 as unknown as boolean,
        expiry: 1n,
      },
      'cannot encode WITHDRAW_DECISION: approved: expected a boolean',
    ],
  ];

  it.each(cases)('refuses %s with MalformedPayloadError', (_name, msg, message) => {
    const e = thrown(() => encodeMessage(msg));
    expect(e).toBeInstanceOf(MalformedPayloadError);
    expect(e.message).toBe(message);
  });

  it('refuses an unknown type with UnknownMessageTypeError', () => {
    const e = thrown(() => encodeMessage({ ...balance, type: 'DEPOSIT' } as unknown as OmniMessage));
    expect(e).toBeInstanceOf(UnknownMessageTypeError);
    expect(e.message).toBe('unknown message type DEPOSIT');
    expect(() => encodeMessage({ ...balance, type: 'toString' } as unknown as OmniMessage)).toThrow(
      UnknownMessageTypeError,
    );
  });
});
