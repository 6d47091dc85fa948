import fc from 'fast-check';
import { getAddress } from 'viem';

import { parseInputEvent, parseInputEventReference } from '../src/events.js';
import { fastInputEvent } from '../src/input-fast.js';
import { EventSchemaError, encodeInputEvent, toJson, type InputEvent } from '../src/index.js';
import { ALICE, arbAddress, arbBytes32, arbDispatchEvent, arbMessage, arbUint256, arbUint64 } from './helpers.js';

// The hand-written validator behind parseInputEvent against the zod schema it stands in for:
// valid and malformed inputs, both paths agree on accept/reject, on the value (keys in the same
// order) and on the error.

const arbEvent: fc.Arbitrary<InputEvent> = fc.oneof(
  fc.record({
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
  }),
  fc.record({
    kind: fc.constant('price' as const),
    asset: fc.stringMatching(/^[A-Z0-9_]{1,32}$/),
    price: arbUint256,
    publishTime: arbUint64,
    source: fc.string({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('mark' as const),
    market: fc.stringMatching(/^[A-Z0-9_-]{1,31}$/),
    markPrice: arbUint256,
    indexPrice: arbUint256,
    publishTime: arbUint64,
    source: fc.string({ minLength: 1, maxLength: 64 }),
  }),
  arbDispatchEvent,
);

/** The event's wire JSON as a plain tree (what JSON.parse gives back). */
const wire = (e: InputEvent): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(encodeInputEvent(e))) as Record<string, unknown>;

/** Values a field may be replaced with: near misses of every field kind, and arbitrary JSON. */
const arbBadValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -0,
    1,
    // the ends of the small enums: an ORDER_ACK's status (1-2), a WITHDRAW_DONE's outcome (1-3)
    2,
    3,
    4,
    -1,
    1.5,
    2 ** 32,
    2 ** 32 - 1,
    Number.MAX_SAFE_INTEGER + 1,
    '',
    '0',
    '-0',
    '00',
    '007',
    '-1',
    '1e3',
    ' 1',
    '1 ',
    '+1',
    '0x10',
    String(2n ** 64n - 1n),
    String(2n ** 64n),
    String(2n ** 256n - 1n),
    String(2n ** 256n),
    String(2n ** 255n),
    String(-(2n ** 255n)),
    String(-(2n ** 255n) - 1n),
    ALICE,
    ALICE.toLowerCase(),
    ALICE.toUpperCase().replace('0X', '0x'),
    `0X${ALICE.slice(2)}`,
    ALICE.slice(0, 41),
    `0x${'ab'.repeat(32)}`,
    `0x${'AB'.repeat(32)}`,
    `0x${'ab'.repeat(31)}`,
    'hub',
    'price',
    'mark',
    'dispatch',
    'BALANCE',
    'EXPOSURE',
    'ETH-PERP',
    'WETH',
    'weth',
    'x'.repeat(65),
    [],
    {},
  ),
  // an address with one letter's case flipped: a broken checksum, or still valid if all lowercase
  arbAddress.chain((a) =>
    fc.nat({ max: 39 }).map((i) => {
      const c = a[i + 2]!;
      const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
      return `${a.slice(0, i + 2)}${flipped}${a.slice(i + 3)}`;
    }),
  ),
  arbAddress.map((a) => a.toLowerCase()),
  arbAddress.map((a) => getAddress(a)),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map(String),
  fc.jsonValue({ maxDepth: 2 }),
);

type Mutation =
  | { op: 'delete'; inMessage: boolean; pick: number }
  | { op: 'add'; inMessage: boolean; key: string; value: unknown }
  | { op: 'set'; inMessage: boolean; pick: number; value: unknown };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), inMessage: fc.boolean(), pick: fc.nat() }),
  fc.record({
    op: fc.constant('add' as const),
    inMessage: fc.boolean(),
    key: fc.oneof(fc.constantFrom('extra', 'kind', 'type', '__proto__', 'constructor'), fc.string({ maxLength: 8 })),
    value: arbBadValue,
  }),
  fc.record({ op: fc.constant('set' as const), inMessage: fc.boolean(), pick: fc.nat(), value: arbBadValue }),
);

/** Applies mutations to the JSON text (an added `__proto__` becomes an own key, as JSON.parse makes it). */
function mutate(json: Record<string, unknown>, mutations: Mutation[]): string {
  const extra: { target: Record<string, unknown>; key: string; value: unknown }[] = [];
  for (const m of mutations) {
    const msg = json.message;
    const target =
      m.inMessage && typeof msg === 'object' && msg !== null && !Array.isArray(msg)
        ? (msg as Record<string, unknown>)
        : json;
    const keys = Object.keys(target);
    if (m.op === 'add') {
      if (m.key === '__proto__') extra.push({ target, key: m.key, value: m.value });
      else target[m.key] = m.value;
    } else if (keys.length > 0) {
      const key = keys[m.pick % keys.length]!;
      if (m.op === 'delete') delete target[key];
      else target[key] = m.value;
    }
  }
  let text = JSON.stringify(json);
  // the one way to get an own "__proto__" key: in the text itself
  for (const { target, key, value } of extra) {
    const body = JSON.stringify(target).slice(1);
    const withKey = `{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}${body === '}' ? '' : ','}${body}`;
    text = text.replace(JSON.stringify(target), withKey);
  }
  return text;
}

type Outcome = { ok: true; value: string } | { ok: false; message: string; issues: unknown };

function outcome(parse: (text: string) => InputEvent, text: string): Outcome {
  try {
    return { ok: true, value: toJson(parse(text)) };
  } catch (e) {
    expect(e).toBeInstanceOf(EventSchemaError);
    return { ok: false, message: (e as EventSchemaError).message, issues: (e as EventSchemaError).details };
  }
}

/** Both parsers, and the hand-written validator alone, agree on `text`. */
function agree(text: string): Outcome {
  const reference = outcome(parseInputEventReference, text);
  expect(outcome(parseInputEvent, text)).toEqual(reference);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return reference;
  }
  const fast = fastInputEvent(json);
  // accepts exactly what zod accepts, with the same value (keys in the same order)
  if (reference.ok) expect(fast === undefined ? undefined : toJson(fast)).toBe(reference.value);
  else expect(fast).toBeUndefined();
  return reference;
}

describe('parseInputEvent: the hand-written fast path against the zod schema', () => {
  it('accepts every valid event with the same value as the schema', () => {
    fc.assert(
      fc.property(arbEvent, (e) => {
        const r = agree(toJson(wire(e)));
        expect(r.ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the schema on malformed events: refusal and error, or acceptance and value', () => {
    let refused = 0;
    fc.assert(
      fc.property(arbEvent, fc.array(arbMutation, { minLength: 1, maxLength: 3 }), (e, ms) => {
        if (!agree(mutate(wire(e), ms)).ok) refused += 1;
      }),
      { numRuns: 1500 },
    );
    // the mutations mostly break the event (a test that only saw valid inputs would prove little)
    expect(refused).toBeGreaterThan(1000);
  });

  it('agrees on inputs that are not an event object at all', () => {
    for (const text of [
      'null',
      '[]',
      '1',
      '"hub"',
      '{}',
      '{"kind":"hub"}',
      '{"kind":"price"}',
      '{"kind":"dispatch"}',
      '[{"kind":"mark"}]',
    ])
      expect(agree(text).ok).toBe(false);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => {
        agree(JSON.stringify(v));
      }),
      { numRuns: 500 },
    );
  });

  it('parses a checksummed, a lowercase and a broken-checksum spelling as the schema does, when first seen and when cached', () => {
    const good = wire({
      kind: 'hub',
      chainId: 1,
      blockNumber: 1n,
      blockTimestamp: 1n,
      txHash: `0x${'11'.repeat(32)}`,
      logIndex: 0,
      srcEid: 40102,
      nonce: 1n,
      guid: `0x${'22'.repeat(32)}`,
      message: { type: 'BALANCE', account: ALICE, token: ALICE, balance: 1n, delta: 1n, seq: 1n },
    });
    const lower = structuredClone(good);
    (lower.message as Record<string, unknown>).account = ALICE.toLowerCase();
    for (let i = 0; i < 2; i++) {
      expect(agree(toJson(good)).ok).toBe(true);
      expect(agree(toJson(lower))).toEqual(agree(toJson(good)));
    }
    const broken = structuredClone(good);
    const flipped = ALICE.replace('C51812dc3A', 'c51812dc3A');
    (broken.message as Record<string, unknown>).account = flipped;
    for (let i = 0; i < 2; i++) {
      const r = agree(toJson(broken));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toContain('message.account: expected a checksummed or lowercase 20-byte address');
    }
  });
});
