import { OmniError } from '@omniclear/protocol';
import { z } from 'zod';

import {
  ConfigError,
  loadConfig,
  zAddress,
  zBigintString,
  zBool,
  zHttpUrl,
  zJson,
  zNatsUrl,
  zPort,
  zPositiveInt,
  zPrivateKey,
} from '../src/index.js';

/** Loads `{ KEY: value }` with `{ KEY: field }` and returns the ConfigError it is refused with. */
function refusal(schema: z.ZodType, env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(schema, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const ALICE = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** [field, good inputs with their parsed values, bad inputs, the reason for bad input] */
type FieldCase = [string, z.ZodType, [string, unknown][], string[], string];

const fields: FieldCase[] = [
  [
    'zAddress',
    zAddress,
    [
      [ALICE, ALICE],
      [ALICE.toLowerCase(), ALICE],
    ],
    ['0x1234', 'alice', ALICE.replace('C8', 'c8'), `${ALICE}00`],
    'expected a checksummed or lowercase 20-byte address',
  ],
  [
    'zPrivateKey',
    zPrivateKey,
    [[KEY, KEY]],
    [KEY.slice(2), `${KEY}0`, KEY.slice(0, -1), `0x${'zz'.repeat(32)}`],
    'expected 0x followed by 64 hex digits',
  ],
  [
    'zHttpUrl',
    zHttpUrl,
    [
      ['http://localhost:8545', 'http://localhost:8545'],
      ['https://rpc.example.org/v1/key', 'https://rpc.example.org/v1/key'],
    ],
    ['localhost:8545', 'ws://localhost:8545', 'nats://localhost:4222', 'http://', 'not a url'],
    'expected an http(s):// URL',
  ],
  [
    'zNatsUrl',
    zNatsUrl,
    [
      ['nats://localhost:4222', ['nats://localhost:4222']],
      ['tls://nats.example.org:4222', ['tls://nats.example.org:4222']],
      ['nats://a:4222, nats://b:4222,tls://c:4222', ['nats://a:4222', 'nats://b:4222', 'tls://c:4222']],
    ],
    ['http://localhost:4222', 'localhost:4222', 'nats://a:4222,', 'nats://a:4222,http://b', ','],
    'expected a nats:// URL',
  ],
  [
    'zPort',
    zPort,
    [
      ['1', 1],
      ['8080', 8080],
      ['65535', 65535],
    ],
    ['0', '65536', '-1', '80.5', '080', 'http', ' 80'],
    'expected a port number in 1..65535',
  ],
  [
    'zPositiveInt',
    zPositiveInt,
    [
      ['1', 1],
      ['12', 12],
      [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
    ],
    ['0', '-3', '1.5', '1e3', 'ten', String(Number.MAX_SAFE_INTEGER + 2)],
    'expected a positive integer',
  ],
  [
    'zBigintString',
    zBigintString,
    [
      ['0', 0n],
      ['1000000000000000000000', 10n ** 21n],
      [String(2n ** 256n), 2n ** 256n],
    ],
    ['-1', '1.0', '0x10', '01', 'many'],
    'expected a non-negative decimal integer',
  ],
  [
    'zBool',
    zBool,
    [
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
    ],
    ['yes', 'TRUE', 'no', '2', 'on'],
    'expected true, false, 1 or 0',
  ],
];

describe.each(fields)('%s', (_name, field, good, bad, reason) => {
  const schema = z.object({ OMNI_FIELD: field });

  it.each(good)('accepts %p', (input, expected) => {
    expect(loadConfig(schema, { OMNI_FIELD: input })).toEqual({ OMNI_FIELD: expected });
  });

  it.each(bad)('refuses %p, naming the key', (input) => {
    const e = refusal(schema, { OMNI_FIELD: input });
    expect(e.message).toBe(`invalid configuration: OMNI_FIELD: ${reason}`);
    expect(e.details.issues).toEqual([{ key: 'OMNI_FIELD', message: reason }]);
  });

  it('reports a missing key as required', () => {
    expect(refusal(schema, {}).message).toBe('invalid configuration: OMNI_FIELD: required');
  });

  it('treats an empty value as unset', () => {
    expect(refusal(schema, { OMNI_FIELD: '' }).message).toBe('invalid configuration: OMNI_FIELD: required');
  });
});

describe('zPrivateKey', () => {
  it.each([`0x${'0'.repeat(64)}`, `0x${'f'.repeat(64)}`])('refuses the out-of-range key %s', (key) => {
    expect(refusal(z.object({ K: zPrivateKey }), { K: key }).message).toBe(
      'invalid configuration: K: not a valid secp256k1 private key',
    );
  });

  it('never echoes the key', () => {
    const e = refusal(z.object({ K: zPrivateKey }), { K: `${KEY}ff` });
    expect(JSON.stringify({ message: e.message, details: e.details })).not.toContain(KEY.slice(2, 20));
  });
});

describe('zJson', () => {
  const chains = zJson(
    z.array(
      z.object({
        chainId: z.number().int().positive(),
        rpcUrl: zHttpUrl,
        vault: zAddress.optional(),
      }),
    ),
  );
  const schema = z.object({ OMNI_CHAINS: chains });

  it('parses and validates the JSON value', () => {
    const value = JSON.stringify([
      { chainId: 1, rpcUrl: 'http://a:8545', vault: ALICE.toLowerCase() },
      { chainId: 2, rpcUrl: 'https://b' },
    ]);
    expect(loadConfig(schema, { OMNI_CHAINS: value })).toEqual({
      OMNI_CHAINS: [
        { chainId: 1, rpcUrl: 'http://a:8545', vault: ALICE },
        { chainId: 2, rpcUrl: 'https://b' },
      ],
    });
  });

  it('names the nested path of a bad value', () => {
    const value = JSON.stringify([
      { chainId: 1, rpcUrl: 'http://a:8545' },
      { chainId: 2, rpcUrl: 'ftp://b' },
    ]);
    const e = refusal(schema, { OMNI_CHAINS: value });
    expect(e.message).toBe('invalid configuration: OMNI_CHAINS[1].rpcUrl: expected an http(s):// URL');
    expect(e.details.issues).toEqual([{ key: 'OMNI_CHAINS[1].rpcUrl', message: 'expected an http(s):// URL' }]);
  });

  it('names a missing nested field as required', () => {
    const e = refusal(schema, { OMNI_CHAINS: '[{"chainId":1}]' });
    expect(e.message).toBe('invalid configuration: OMNI_CHAINS[0].rpcUrl: required');
  });

  it('refuses invalid JSON without quoting it', () => {
    const e = refusal(schema, { OMNI_CHAINS: '[{"secret":' });
    expect(e.message).toBe('invalid configuration: OMNI_CHAINS: expected valid JSON');
  });

  it('works nested in an object', () => {
    const s = z.object({
      OMNI_RISK: zJson(z.object({ assets: z.record(z.string(), z.object({ weight: z.number().max(1) })) })),
    });
    const e = refusal(s, { OMNI_RISK: '{"assets":{"WETH":{"weight":2}}}' });
    expect(e.details.issues).toEqual([{ key: 'OMNI_RISK.assets.WETH.weight', message: expect.any(String) }]);
  });
});

describe('loadConfig', () => {
  const schema = z.object({
    OMNI_NATS_URL: zNatsUrl,
    OMNI_HUB_RPC_URL: zHttpUrl,
    OMNI_HTTP_PORT: zPort.default(8080),
    OMNI_DRY_RUN: zBool.optional(),
    OMNI_NAME: z.string(),
  });

  it('returns the typed config and ignores other variables', () => {
    const config = loadConfig(schema, {
      OMNI_NATS_URL: 'nats://127.0.0.1:4222',
      OMNI_HUB_RPC_URL: 'http://127.0.0.1:8545',
      OMNI_NAME: 'node-1',
      PATH: '/usr/bin',
    });
    expect(config).toEqual({
      OMNI_NATS_URL: ['nats://127.0.0.1:4222'],
      OMNI_HUB_RPC_URL: 'http://127.0.0.1:8545',
      OMNI_HTTP_PORT: 8080,
      OMNI_NAME: 'node-1',
    });
    // The inferred type carries through.
    const port: number = config.OMNI_HTTP_PORT;
    const urls: string[] = config.OMNI_NATS_URL;
    const dryRun: boolean | undefined = config.OMNI_DRY_RUN;
    expect([port, urls.length, dryRun]).toEqual([8080, 1, undefined]);
  });

  it('applies defaults to empty values', () => {
    const config = loadConfig(schema, {
      OMNI_NATS_URL: 'nats://n:4222',
      OMNI_HUB_RPC_URL: 'http://h',
      OMNI_NAME: 'x',
      OMNI_HTTP_PORT: '',
    });
    expect(config.OMNI_HTTP_PORT).toBe(8080);
  });

  it('lists every bad key with its reason, in schema order', () => {
    const e = refusal(schema, { OMNI_NATS_URL: 'http://localhost:4222', OMNI_HTTP_PORT: '99999', OMNI_DRY_RUN: 'yes' });
    expect(e.name).toBe('ConfigError');
    expect(e).toBeInstanceOf(OmniError);
    expect(e.message).toBe(
      'invalid configuration: OMNI_NATS_URL: expected a nats:// URL; OMNI_HUB_RPC_URL: required; ' +
        'OMNI_HTTP_PORT: expected a port number in 1..65535; OMNI_DRY_RUN: expected true, false, 1 or 0; ' +
        'OMNI_NAME: required',
    );
    expect(e.details.issues.map((i) => i.key)).toEqual([
      'OMNI_NATS_URL',
      'OMNI_HUB_RPC_URL',
      'OMNI_HTTP_PORT',
      'OMNI_DRY_RUN',
      'OMNI_NAME',
    ]);
  });

  it('keeps the zod error as the cause', () => {
    expect(refusal(schema, {}).cause).toBeInstanceOf(z.ZodError);
  });

  it('names unexpected keys of a strict schema', () => {
    const e = refusal(z.strictObject({ A: z.string() }), { A: 'a', OMNI_TYPO: 'x' });
    expect(e.message).toBe('invalid configuration: OMNI_TYPO: unexpected key');
  });
});

describe('ConfigError', () => {
  it('builds its message from the issues', () => {
    const e = new ConfigError([
      { key: 'A', message: 'required' },
      { key: 'B', message: 'expected a nats:// URL' },
    ]);
    expect(e.message).toBe('invalid configuration: A: required; B: expected a nats:// URL');
    expect(e.name).toBe('ConfigError');
    expect(e.details).toEqual({
      issues: [
        { key: 'A', message: 'required' },
        { key: 'B', message: 'expected a nats:// URL' },
      ],
    });
  });
});
