import { getAddress, isAddress, type Address, type Hex } from 'viem';
import { z } from 'zod';

/** Schema-level message: `required` when the key is unset, else `expected`. */
const expecting =
  (expected: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'required' : expected;

/** An EVM address; accepts checksummed or lowercase, returns checksummed. */
export const zAddress = z
  .string({ error: expecting('expected a 0x-prefixed 20-byte address') })
  .refine((s) => isAddress(s), { error: 'expected a checksummed or lowercase 20-byte address' })
  .transform((s): Address => getAddress(s));

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A secp256k1 private key: `0x` + 64 hex digits, in 1..n-1. Never echoed in errors. */
export const zPrivateKey = z
  .string({ error: expecting('expected 0x followed by 64 hex digits') })
  .regex(/^0x[0-9a-fA-F]{64}$/, { error: 'expected 0x followed by 64 hex digits', abort: true })
  .refine(
    (s) => {
      const k = BigInt(s);
      return k > 0n && k < SECP256K1_N;
    },
    { error: 'not a valid secp256k1 private key' },
  )
  .transform((s): Hex => s as Hex);

function isUrl(s: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(s);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

/** An http:// or https:// URL (e.g. a JSON-RPC endpoint), returned as given. */
export const zHttpUrl = z
  .string({ error: expecting('expected an http(s):// URL') })
  .refine((s) => isUrl(s, ['http:', 'https:']), { error: 'expected an http(s):// URL' });

/**
 * One or more NATS servers, `nats://` or `tls://`, comma-separated → `string[]`.
 *
 * @example zNatsUrl.parse('nats://a:4222, nats://b:4222'); // ['nats://a:4222', 'nats://b:4222']
 */
export const zNatsUrl = z
  .string({ error: expecting('expected a nats:// URL') })
  .transform((s) => s.split(',').map((part) => part.trim()))
  .refine((urls) => urls.every((u) => isUrl(u, ['nats:', 'tls:'])), { error: 'expected a nats:// URL' });

const DIGITS = /^(0|[1-9][0-9]*)$/;

/** A TCP port, 1..65535, from its decimal string. */
export const zPort = z
  .string({ error: expecting('expected a port number in 1..65535') })
  .refine((s) => DIGITS.test(s) && Number(s) >= 1 && Number(s) <= 65535, {
    error: 'expected a port number in 1..65535',
  })
  .transform(Number);

/** A positive safe integer from its decimal string. */
export const zPositiveInt = z
  .string({ error: expecting('expected a positive integer') })
  .refine((s) => DIGITS.test(s) && Number(s) >= 1 && Number.isSafeInteger(Number(s)), {
    error: 'expected a positive integer',
  })
  .transform(Number);

/** A non-negative decimal integer string → bigint (amounts, token base units). */
export const zBigintString = z
  .string({ error: expecting('expected a non-negative decimal integer') })
  .regex(DIGITS, { error: 'expected a non-negative decimal integer' })
  .transform((s) => BigInt(s));

/** `true`/`false`/`1`/`0` → boolean. */
export const zBool = z
  .string({ error: expecting('expected true, false, 1 or 0') })
  .refine((s) => s === 'true' || s === 'false' || s === '1' || s === '0', {
    error: 'expected true, false, 1 or 0',
  })
  .transform((s) => s === 'true' || s === '1');

/**
 * A JSON string validated with `schema`; errors name the nested path, e.g.
 * `OMNI_CHAINS[1].rpcUrl: expected an http(s):// URL`.
 *
 * @example
 * const zChains = zJson(z.array(z.object({ chainId: z.number().int(), rpcUrl: zHttpUrl })));
 */
export function zJson<T extends z.ZodType>(schema: T) {
  return z
    .string({ error: expecting('expected a JSON string') })
    .transform((s, ctx): unknown => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        // The parser's message would quote the value, which may be a secret.
        ctx.addIssue({ code: 'custom', message: 'expected valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}
