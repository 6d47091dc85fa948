import type { Address, Hex } from 'viem';
import { z } from 'zod';

import { checksummedAddress } from './address.js';
import { EventSchemaError } from './errors.js';
import { fastInputEvent } from './input-fast.js';
import { MARKET_SYMBOL } from './market.js';
import { toJson } from './json.js';
import type { HubBoundMessage } from './messages.js';

/** A hub `MessageReceived` log, published by the chain gateway to `omni.in.hub.<chainId>`. */
export interface HubEvent {
  kind: 'hub';
  chainId: number;
  blockNumber: bigint;
  blockTimestamp: bigint;
  txHash: Hex;
  logIndex: number;
  srcEid: number;
  nonce: bigint;
  guid: Hex;
  message: HubBoundMessage;
}

/** An oracle price, published by the price feed to `omni.in.price.<ASSET>`. */
export interface PriceEvent {
  kind: 'price';
  asset: string;
  /** USD, 18 decimals. */
  price: bigint;
  /** Unix seconds. */
  publishTime: bigint;
  source: string;
}

/** A perp market's mark and index price, published to `omni.in.mark.<MARKET>`. */
export interface MarkEvent {
  kind: 'mark';
  /** The market symbol, e.g. `ETH-PERP` (see `MARKET_SYMBOL`). */
  market: string;
  /** USD per unit, 18 decimals. */
  markPrice: bigint;
  /** USD per unit, 18 decimals. */
  indexPrice: bigint;
  /** Unix seconds. */
  publishTime: bigint;
  source: string;
}

/**
 * A hub `OrderDispatched(bytes32 indexed orderId, uint32 indexed dstEid, bytes32 guid)` log: the
 * hub sent order `orderId` to the vault at `dstEid` as the LayerZero packet `guid`. Published by the
 * chain gateway to `omni.in.hub.<chainId>` (with the hub's other logs, in log order), so a clearing
 * node learns from the stream which orders were dispatched and which expired undispatched. It names
 * no account: every shard applies it.
 */
export interface DispatchEvent {
  readonly kind: 'dispatch';
  /** The hub's chain id. */
  readonly chainId: number;
  readonly blockNumber: bigint;
  /** Unix seconds. */
  readonly blockTimestamp: bigint;
  /** 0x + 64 hex, lowercase. */
  readonly txHash: Hex;
  readonly logIndex: number;
  /** bytes32, lowercase hex. */
  readonly orderId: Hex;
  /** uint32, the LayerZero endpoint id of the destination vault. */
  readonly dstEid: number;
  /** bytes32, the LayerZero guid of the packet that carries the order. */
  readonly guid: Hex;
}

export type InputEvent = HubEvent | PriceEvent | MarkEvent | DispatchEvent;

/**
 * A liquidation order, published by a clearing node to `omni.out.order.<dstEid>`: the vault seizes
 * up to `amount`, of which `insuranceAmount` (≤ `amount`, scaled pro rata when less is seized) goes
 * to the vault's insurance fund and the rest to `recipient`.
 */
export interface LiquidationOrder {
  kind: 'liquidate';
  orderId: Hex;
  dstEid: number;
  account: Address;
  token: Address;
  amount: bigint;
  recipient: Address;
  insuranceAmount: bigint;
  inputSeq: bigint;
  /** Unix seconds after which the hub refuses the order: the triggering input's time + the node's TTL. */
  expiry: bigint;
  /** The clearing signer that signed this copy (each node publishes its own signed copy). */
  signer: Address;
  /** `signer`'s 65-byte EIP-712 signature (r ‖ s ‖ v) over the order, see `hashLiquidationOrder`. */
  signature: Hex;
}

/**
 * A withdrawal decision, published by a clearing node to `omni.out.order.<dstEid>`; `orderId` is
 * `withdrawDecisionOrderId({ dstEid, account, token, amount, inputSeq })`.
 */
export interface WithdrawDecisionOrder {
  kind: 'withdraw-decision';
  orderId: Hex;
  dstEid: number;
  account: Address;
  token: Address;
  amount: bigint;
  requestId: bigint;
  approved: boolean;
  inputSeq: bigint;
  /** Unix seconds after which the hub refuses the order: the triggering input's time + the node's TTL. */
  expiry: bigint;
  /** The clearing signer that signed this copy (each node publishes its own signed copy). */
  signer: Address;
  /** `signer`'s 65-byte EIP-712 signature (r ‖ s ‖ v) over the order, see `hashWithdrawDecisionOrder`. */
  signature: Hex;
}

export type OutputOrder = LiquidationOrder | WithdrawDecisionOrder;

// ---------------------------------------------------------------------------------------------
// Field schemas. Each one's message is the reason printed after the field path.

const required =
  (expected: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'required' : expected;

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;
const RANGE = {
  uint64: [0n, 2n ** 64n - 1n],
  uint256: [0n, 2n ** 256n - 1n],
  int256: [-(2n ** 255n), 2n ** 255n - 1n],
} as const;

/** A canonical decimal integer string (no sign on zero, no leading zeros) → bigint in range. */
function zDecimal(kind: keyof typeof RANGE) {
  const [min, max] = RANGE[kind];
  return z
    .string({ error: required('expected a decimal integer string') })
    .regex(DECIMAL, { error: 'expected a decimal integer string' })
    .transform((s, ctx): bigint => {
      const value = BigInt(s);
      if (value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          input: s,
          message: min === 0n && value < 0n ? 'expected a non-negative integer' : `out of range for ${kind}`,
        });
        return z.NEVER;
      }
      return value;
    });
}

function zInt(min: number, max: number) {
  const expected = `expected an integer in ${min}..${max}`;
  return z
    .number({ error: required(expected) })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, { error: expected });
}

const zAddress = z
  .string({ error: required('expected an address') })
  .refine((s) => checksummedAddress(s) !== undefined, {
    error: 'expected a checksummed or lowercase 20-byte address',
  })
  .transform((s): Address => checksummedAddress(s)!);

const zBytes32 = z
  .string({ error: required('expected 32 bytes of 0x-prefixed hex') })
  .regex(/^0x[0-9a-fA-F]{64}$/, { error: 'expected 32 bytes of 0x-prefixed hex' })
  .transform((s): Hex => s.toLowerCase() as Hex);

const zUint32 = zInt(1, 2 ** 32 - 1);

/** A 65-byte ECDSA signature (r ‖ s ‖ v), lowercased. */
const zSignature = z
  .string({ error: required('expected 65 bytes of 0x-prefixed hex') })
  .regex(/^0x[0-9a-fA-F]{130}$/, { error: 'expected 65 bytes of 0x-prefixed hex' })
  .transform((s): Hex => s.toLowerCase() as Hex);

const zSource = z
  .string({ error: required('expected a string') })
  .min(1, { error: 'expected a non-empty string' })
  .max(64, { error: 'expected at most 64 characters' });

/** An object first, so a non-object is refused as such rather than as an unknown discriminator. */
const zObject = () => z.looseObject({}, { error: required('expected an object') });

const enumOf = (values: readonly string[]) =>
  required(`expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);

// ---------------------------------------------------------------------------------------------

const messageSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('BALANCE'),
      account: zAddress,
      token: zAddress,
      balance: zDecimal('uint256'),
      delta: zDecimal('int256'),
      seq: zDecimal('uint64'),
    }),
    z.strictObject({
      type: z.literal('WITHDRAW_REQUEST'),
      account: zAddress,
      token: zAddress,
      amount: zDecimal('uint256'),
      requestId: zDecimal('uint64'),
      seq: zDecimal('uint64'),
    }),
    z.strictObject({
      type: z.literal('EXPOSURE'),
      account: zAddress,
      protocol: zAddress,
      market: zBytes32,
      size: zDecimal('int256'),
      entryPrice: zDecimal('uint256'),
      seq: zDecimal('uint64'),
    }),
    z.strictObject({
      type: z.literal('ORDER_ACK'),
      orderId: zBytes32,
      account: zAddress,
      token: zAddress,
      seized: zDecimal('uint256'),
      balance: zDecimal('uint256'),
      status: zInt(1, 2),
      seq: zDecimal('uint64'),
    }),
    z.strictObject({
      type: z.literal('WITHDRAW_DONE'),
      account: zAddress,
      token: zAddress,
      requestId: zDecimal('uint64'),
      paid: zDecimal('uint256'),
      balance: zDecimal('uint256'),
      outcome: zInt(1, 3),
      seq: zDecimal('uint64'),
    }),
  ],
  { error: enumOf(['BALANCE', 'WITHDRAW_REQUEST', 'EXPOSURE', 'ORDER_ACK', 'WITHDRAW_DONE']) },
);

const hubEventSchema = z.strictObject({
  kind: z.literal('hub'),
  chainId: zInt(1, Number.MAX_SAFE_INTEGER),
  blockNumber: zDecimal('uint64'),
  blockTimestamp: zDecimal('uint64'),
  txHash: zBytes32,
  logIndex: zInt(0, Number.MAX_SAFE_INTEGER),
  srcEid: zUint32,
  nonce: zDecimal('uint64'),
  guid: zBytes32,
  message: zObject().pipe(messageSchema),
});

const priceEventSchema = z.strictObject({
  kind: z.literal('price'),
  asset: z
    .string({ error: required('expected an asset symbol') })
    .regex(/^[A-Z0-9_]{1,32}$/, { error: 'expected 1-32 of A-Z, 0-9, _' }),
  price: zDecimal('uint256'),
  publishTime: zDecimal('uint64'),
  source: zSource,
});

const markEventSchema = z.strictObject({
  kind: z.literal('mark'),
  market: z
    .string({ error: required('expected a market symbol') })
    .regex(MARKET_SYMBOL, { error: 'expected 1-31 of A-Z, 0-9, _, -' }),
  markPrice: zDecimal('uint256'),
  indexPrice: zDecimal('uint256'),
  publishTime: zDecimal('uint64'),
  source: zSource,
});

const dispatchEventSchema = z.strictObject({
  kind: z.literal('dispatch'),
  chainId: zInt(1, Number.MAX_SAFE_INTEGER),
  blockNumber: zDecimal('uint64'),
  blockTimestamp: zDecimal('uint64'),
  txHash: zBytes32,
  logIndex: zInt(0, Number.MAX_SAFE_INTEGER),
  orderId: zBytes32,
  dstEid: zUint32,
  guid: zBytes32,
});

const inputEventSchema = zObject().pipe(
  z.discriminatedUnion('kind', [hubEventSchema, priceEventSchema, markEventSchema, dispatchEventSchema], {
    error: enumOf(['hub', 'price', 'mark', 'dispatch']),
  }),
);

const liquidationOrderSchema = z
  .strictObject({
    kind: z.literal('liquidate'),
    orderId: zBytes32,
    dstEid: zUint32,
    account: zAddress,
    token: zAddress,
    amount: zDecimal('uint256'),
    recipient: zAddress,
    insuranceAmount: zDecimal('uint256'),
    inputSeq: zDecimal('uint64'),
    expiry: zDecimal('uint64'),
    signer: zAddress,
    signature: zSignature,
  })
  .check((ctx) => {
    if (ctx.value.insuranceAmount > ctx.value.amount) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value.insuranceAmount,
        path: ['insuranceAmount'],
        message: 'exceeds amount',
      });
    }
  });

const withdrawDecisionOrderSchema = z.strictObject({
  kind: z.literal('withdraw-decision'),
  orderId: zBytes32,
  dstEid: zUint32,
  account: zAddress,
  token: zAddress,
  amount: zDecimal('uint256'),
  requestId: zDecimal('uint64'),
  approved: z.boolean({ error: required('expected a boolean') }),
  inputSeq: zDecimal('uint64'),
  expiry: zDecimal('uint64'),
  signer: zAddress,
  signature: zSignature,
});

const outputOrderSchema = zObject().pipe(
  z.discriminatedUnion('kind', [liquidationOrderSchema, withdrawDecisionOrderSchema], {
    error: enumOf(['liquidate', 'withdraw-decision']),
  }),
);

// ---------------------------------------------------------------------------------------------

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    out += typeof seg === 'number' ? `[${seg}]` : `${out === '' ? '' : '.'}${String(seg)}`;
  }
  return out === '' ? '(root)' : out;
}

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unexpected field' }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * `fast`, when given, validates the common case by hand: a value it returns is the schema's, and
 * whatever it leaves (undefined) goes through the schema, which also words every error.
 */
function parseWith<T>(
  what: string,
  schema: z.ZodType<T>,
  data: Uint8Array | string,
  fast?: (json: unknown) => T | undefined,
): T {
  let text: string;
  try {
    text = typeof data === 'string' ? data : utf8.decode(data);
  } catch (cause) {
    throw new EventSchemaError(`invalid ${what}: not UTF-8`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new EventSchemaError(`invalid ${what}: not JSON (${(cause as Error).message})`, { cause });
  }
  return fast?.(json) ?? validate(what, schema, json);
}

function validate<T>(what: string, schema: z.ZodType<T>, json: unknown): T {
  const result = schema.safeParse(json);
  if (!result.success) {
    const issues = issuesOf(result.error);
    throw new EventSchemaError(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      details: { issues },
      cause: result.error,
    });
  }
  return result.data;
}

/** Validates a typed value by its JSON form and returns the canonical JSON bytes. */
function encodeWith<T>(what: string, schema: z.ZodType<T>, value: T): Uint8Array {
  const parsed = validate(what, schema, JSON.parse(toJson(value)));
  return encoder.encode(toJson(parsed));
}

/**
 * Serializes an input event to its JSON form on `OMNI_IN` (bigints as decimal strings, keys in
 * schema order, addresses checksummed). Refuses an invalid event with EventSchemaError.
 */
export function encodeInputEvent(e: InputEvent): Uint8Array {
  return encodeWith('input event', inputEventSchema, e);
}

/**
 * Parses and validates an `OMNI_IN` message body.
 *
 * @throws EventSchemaError naming each bad field, e.g.
 *   `invalid input event: message.balance: expected a decimal integer string`
 */
export function parseInputEvent(data: Uint8Array | string): InputEvent {
  return parseWith('input event', inputEventSchema, data, fastInputEvent);
}

/**
 * {@link parseInputEvent} on the zod schema alone: the reference its hand-written fast path is
 * tested against (same values, same errors). Internal: not exported from the package.
 */
export function parseInputEventReference(data: Uint8Array | string): InputEvent {
  return parseWith('input event', inputEventSchema, data);
}

/** Serializes an order to its JSON form on `OMNI_OUT`. Refuses an invalid order with EventSchemaError. */
export function encodeOrder(o: OutputOrder): Uint8Array {
  return encodeWith('order', outputOrderSchema, o);
}

/** Parses and validates an `OMNI_OUT` message body. @throws EventSchemaError naming each bad field. */
export function parseOrder(data: Uint8Array | string): OutputOrder {
  return parseWith('order', outputOrderSchema, data);
}
