import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAddress } from 'viem';
import {
  decodeExecutorConfig,
  decodeUlnConfig,
  encodeExecutorConfig,
  encodeUlnConfig,
  executorLzReceiveOption,
  NetworkConfigError,
  NIL_DVN_COUNT,
  parseNetworkConfig,
  parseNetworkDeployment,
  resolveNetworkSecrets,
  runNetworkCli,
  ulnConfig,
} from '../src/index.js';

const examplePath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../infra/deploy/example.testnet.json',
);
const exampleJson = JSON.parse(fs.readFileSync(examplePath, 'utf8')) as Record<string, unknown>;

function issues(input: unknown): string[] {
  try {
    parseNetworkConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(NetworkConfigError);
    return (err as NetworkConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the config to be refused');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the edits break the JSON's shape on purpose
function edited(edit: (json: any) => void): unknown {
  const json = structuredClone(exampleJson);
  edit(json);
  return json;
}

describe('parseNetworkConfig', () => {
  it('reads the example, checksumming addresses and filling defaults', () => {
    const c = parseNetworkConfig(JSON.stringify(exampleJson));
    expect(c.hub.eid).toBe(40231);
    expect(c.spokes[0]!.eid).toBe(40245);
    expect(c.hub.endpoint).toBe(getAddress('0x000000000000000000000000000000000000e001'));
    expect(c.spokes[0]!.tokens[0]!.depositCap).toBe(10_000_000_000_000n);
    expect(c.spokes[0]!.integrators).toEqual([]);
    expect(c.pathways[0]!.send.optionalDVNs).toEqual([]);
  });

  it('names the path of every bad field', () => {
    expect(
      issues(
        edited((j) => {
          j.hub.executor.address = '0x1234';
          j.spokes[0].tokens[0].decimals = -1;
          j.spokes[0].endpoint = '0x0000000000000000000000000000000000000000';
          j.pathways[1].send.confirmations = 'ten';
          delete j.hub.receiveLib;
        }),
      ),
    ).toEqual([
      'hub.receiveLib: Invalid input: expected string, received undefined',
      'hub.executor.address: not an EVM address (0x + 40 hex digits)',
      'spokes[0].endpoint: must not be the zero address',
      'spokes[0].tokens[0].decimals: Too small: expected number to be >=0',
      'pathways[1].send.confirmations: Invalid input: expected number, received string',
    ]);
  });

  it('refuses unknown keys (a typo must not silently drop a setting)', () => {
    expect(issues(edited((j) => (j.pathways[0].send.confirmation = 20)))).toEqual([
      'pathways[0].send: Unrecognized key: "confirmation"',
    ]);
  });

  it('refuses both or neither of rpcUrl and rpcUrlEnv, a threshold above the signers, a signer twice', () => {
    expect(
      issues(
        edited((j) => {
          j.hub.rpcUrl = 'https://example.invalid';
          delete j.spokes[0].rpcUrlEnv;
          j.hub.threshold = 4;
          j.hub.signers[2] = j.hub.signers[0];
        }),
      ),
    ).toEqual([
      'hub.rpcUrl: give exactly one of rpcUrl and rpcUrlEnv',
      'spokes[0].rpcUrl: give exactly one of rpcUrl and rpcUrlEnv',
      'hub.signers[2]: signer 0x000000000000000000000000000000000000A011 is listed twice',
      'hub.threshold: threshold 4 is above the number of signers (3)',
    ]);
  });

  it('requires a timelock: a delay of at least a day and of the escape delays, proposers and executors once each', () => {
    expect(issues(edited((j) => delete j.timelock))).toEqual([
      'timelock: Invalid input: expected object, received undefined',
    ]);
    expect(
      issues(
        edited((j) => {
          j.timelock.minDelaySeconds = 3600;
          j.timelock.proposers = [];
          j.timelock.executors = [
            '0x000000000000000000000000000000000000A001',
            '0x000000000000000000000000000000000000a001',
          ];
        }),
      ),
    ).toEqual([
      'timelock.minDelaySeconds: Too small: expected number to be >=86400',
      'timelock.proposers: Too small: expected array to have >=1 items',
      "timelock.minDelaySeconds: 3600 s is shorter than base-sepolia's escape delay (259200 s): users could not escape before a scheduled change executes",
      'timelock.executors[1]: 0x000000000000000000000000000000000000a001 is listed twice',
    ]);
    expect(
      issues(
        edited((j) => {
          j.timelock.minDelaySeconds = 86_400 * 2;
          j.timelock.executors = [
            '0x000000000000000000000000000000000000A001',
            '0x000000000000000000000000000000000000a001',
          ];
        }),
      ),
    ).toEqual([
      "timelock.minDelaySeconds: 172800 s is shorter than base-sepolia's escape delay (259200 s): users could not escape before a scheduled change executes",
      'timelock.executors[1]: 0x000000000000000000000000000000000000a001 is listed twice',
    ]);
    // the zero address opens execution to anyone; a vault with the default escape delay (3 days) counts too
    const open = parseNetworkConfig(
      edited((j) => {
        j.timelock.executors = ['0x0000000000000000000000000000000000000000'];
        delete j.spokes[0].escapeDelaySeconds;
      }),
    );
    expect(open.timelock.executors).toEqual(['0x0000000000000000000000000000000000000000']);
    expect(open.timelock.minDelaySeconds).toBe(259_200);
  });

  it('reports text that is not JSON, with the file name', () => {
    expect(() => parseNetworkConfig('{', 'net.json')).toThrow(/invalid network config net\.json: \(root\): not JSON/);
  });
});

describe('parseNetworkDeployment', () => {
  it('names the path of a bad field of a deployment file', () => {
    expect(() =>
      parseNetworkDeployment(
        {
          hubEid: 1,
          deployer: '0x1',
          timelock: {
            minDelaySeconds: 86_400,
            proposers: [],
            executors: ['0x0000000000000000000000000000000000000000'],
          },
          signers: [],
          threshold: 1,
          chains: [],
        },
        'deployment.json',
      ),
    ).toThrow(
      /invalid network config deployment\.json: deployer: not an EVM address; timelock\.proposers: Too small.*; chains: Too small/,
    );
  });
});

describe('resolveNetworkSecrets', () => {
  const config = parseNetworkConfig(exampleJson);
  const key = `0x${'ab'.repeat(32)}`;

  it('reads the key and the RPC URLs from the variables the config names', () => {
    const secrets = resolveNetworkSecrets(config, {
      OMNI_DEPLOYER_KEY: key,
      OMNI_ARBITRUM_SEPOLIA_RPC_URL: 'https://arb.example/v2/KEY',
      OMNI_BASE_SEPOLIA_RPC_URL: 'https://base.example/v2/KEY',
    });
    expect(secrets).toEqual({
      deployerKey: key,
      rpcUrls: { 'arbitrum-sepolia': 'https://arb.example/v2/KEY', 'base-sepolia': 'https://base.example/v2/KEY' },
    });
  });

  it('names every unset or malformed variable and never echoes a value', () => {
    let err: unknown;
    try {
      resolveNetworkSecrets(config, { OMNI_DEPLOYER_KEY: 'secret-not-hex', OMNI_BASE_SEPOLIA_RPC_URL: 'nope' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NetworkConfigError);
    const e = err as NetworkConfigError;
    expect(e.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'deployerKeyEnv: environment variable OMNI_DEPLOYER_KEY is not a 0x-prefixed 32-byte hex private key',
      'hub.rpcUrlEnv: environment variable OMNI_ARBITRUM_SEPOLIA_RPC_URL is not set',
      'spokes[0].rpcUrlEnv: environment variable OMNI_BASE_SEPOLIA_RPC_URL is not an http(s) URL',
    ]);
    expect(e.message).not.toMatch(/secret-not-hex/);
  });
});

describe('LayerZero encodings', () => {
  it('builds type-3 lzReceive options byte for byte like OptionsBuilder', () => {
    // LayerZero's documented example: OptionsBuilder.newOptions().addExecutorLzReceiveOption(200000, 0)
    expect(executorLzReceiveOption(200_000)).toBe('0x00030100110100000000000000000000000000030d40');
    // with msg.value the option carries a second uint128 and its size grows by 16
    expect(executorLzReceiveOption(200_000, 1)).toBe(
      '0x00030100210100000000000000000000000000030d4000000000000000000000000000000001',
    );
  });

  it('sorts DVNs, writes an empty optional set as NIL, and round-trips the ABI encoding', () => {
    const c = ulnConfig({
      confirmations: 15,
      requiredDVNs: ['0x00000000000000000000000000000000000000d2', '0x00000000000000000000000000000000000000D1'],
    });
    expect(c.requiredDVNs).toEqual([
      getAddress('0x00000000000000000000000000000000000000d1'),
      getAddress('0x00000000000000000000000000000000000000d2'),
    ]);
    expect(c.optionalDVNCount).toBe(NIL_DVN_COUNT);
    expect(c.optionalDVNThreshold).toBe(0);
    expect(decodeUlnConfig(encodeUlnConfig(c))).toEqual(c);
    const exec = { maxMessageSize: 10_000, executor: '0x00000000000000000000000000000000000000C1' as const };
    expect(decodeExecutorConfig(encodeExecutorConfig(exec))).toEqual(exec);
  });
});

describe('deploy:network --check-only', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runNetworkCli(args, {}, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };

  it('passes the example without a key or an RPC', async () => {
    const { code, out } = await run(['--', '--config', examplePath, '--check-only']);
    expect(code).toBe(0);
    expect(out[0]).toMatch(
      /^ok pathways\[0\] arbitrum-sepolia → base-sepolia: 2 required DVN\(s\), 0 optional \(threshold 0\), 20 confirmations; LIQUIDATE 700000, WITHDRAW_DECISION 300000$/,
    );
    expect(out.at(-1)).toMatch(/2 pathway\(s\) pass the check$/);
  });

  it('exits 1 listing every problem with its path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-net-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(
      file,
      JSON.stringify(
        edited((j) => {
          j.pathways[0].send.requiredDVNs = ['dvn-one'];
          j.pathways[0].receive.requiredDVNs = ['dvn-one'];
        }),
      ),
    );
    const { code, err } = await run(['--config', file, '--check-only']);
    expect(code).toBe(1);
    expect(err).toEqual([
      'PathwayCheckError:',
      expect.stringMatching(/^ {2}pathways\[0\]\.send\.requiredDVNs: 1 required DVN/),
      expect.stringMatching(/^ {2}pathways\[0\]\.receive\.requiredDVNs: 1 required DVN/),
    ]);
  });

  it('exits 1 naming the unset deployer key when not in check-only mode, before any RPC', async () => {
    const { code, err } = await run(['--config', examplePath]);
    expect(code).toBe(1);
    expect(err).toContain('  deployerKeyEnv: environment variable OMNI_DEPLOYER_KEY is not set');
  });

  it('exits 2 on bad usage', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--config', examplePath, '--bogus'])).code).toBe(2);
  });
});
