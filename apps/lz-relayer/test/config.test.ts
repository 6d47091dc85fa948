import { ConfigError } from '@omniclear/config';
import { loadRelayerConfig } from '../src/index.js';

const key = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const chains = [
  {
    chainId: 31337,
    eid: 40101,
    rpcUrl: 'http://127.0.0.1:8545',
    endpoint: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    messageLib: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
  },
  {
    chainId: 31338,
    eid: 40102,
    rpcUrl: 'http://127.0.0.1:8546',
    endpoint: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    messageLib: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  },
];
const deployment = {
  hubEid: 40101,
  signers: ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8'],
  threshold: 1,
  chains: [
    { name: 'hub', role: 'hub', ...chains[0], hub: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', tokens: {} },
    { name: 'spoke-a', role: 'spoke', ...chains[1], vault: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', tokens: {} },
  ],
};

const zeroKey = `0x${'0'.repeat(64)}`;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadRelayerConfig', () => {
  it('reads inline chains with defaults, checksumming addresses', () => {
    const config = loadRelayerConfig({ OMNI_RELAYER_KEY: key, OMNI_RELAYER_CHAINS: JSON.stringify(chains) });
    expect(config).toMatchObject({
      privateKey: key,
      pollMs: 500,
      defaultGas: 200_000n,
      startBlock: 0n,
      maxAttempts: 6,
    });
    expect(config.chains[0]!.endpoint).toBe('0x5FbDB2315678afecb367f032d93F642f64180aa3');
  });

  it('reads the chains of a deployment file', () => {
    const config = loadRelayerConfig(
      {
        OMNI_RELAYER_KEY: key,
        OMNI_DEPLOYMENT_FILE: '/devnet/deployment.json',
        OMNI_RELAYER_POLL_MS: '100',
        OMNI_RELAYER_DEFAULT_GAS: '300000',
      },
      (path) => {
        expect(path).toBe('/devnet/deployment.json');
        return JSON.stringify(deployment);
      },
    );
    expect(config.chains.map((c) => [c.name, c.eid])).toEqual([
      ['hub', 40101],
      ['spoke-a', 40102],
    ]);
    expect(config).toMatchObject({ pollMs: 100, defaultGas: 300_000n });
  });

  it('requires exactly one chain source', () => {
    expect(configError(() => loadRelayerConfig({ OMNI_RELAYER_KEY: key })).message).toMatch(
      /OMNI_DEPLOYMENT_FILE: set exactly one of OMNI_DEPLOYMENT_FILE and OMNI_RELAYER_CHAINS \(0 given\)/,
    );
    const both = { OMNI_RELAYER_KEY: key, OMNI_RELAYER_CHAINS: JSON.stringify(chains), OMNI_DEPLOYMENT_FILE: 'x.json' };
    expect(configError(() => loadRelayerConfig(both)).message).toMatch(/\(2 given\)/);
  });

  it('names the bad keys without echoing secrets', () => {
    const err = configError(() =>
      loadRelayerConfig({
        OMNI_RELAYER_KEY: zeroKey,
        OMNI_RELAYER_CHAINS: JSON.stringify([chains[0], { ...chains[1], rpcUrl: 'ftp://x' }]),
        OMNI_RELAYER_POLL_MS: '-1',
      }),
    );
    expect(err.message).toMatch(/OMNI_RELAYER_KEY: not a valid secp256k1 private key/);
    expect(err.message).toMatch(/OMNI_RELAYER_CHAINS\[1\]\.rpcUrl: expected an http\(s\):\/\/ URL/);
    expect(err.message).toMatch(/OMNI_RELAYER_POLL_MS/);
    expect(err.message).not.toContain(zeroKey);
  });

  it('reports an unreadable or invalid deployment file under OMNI_DEPLOYMENT_FILE', () => {
    const missing = configError(() =>
      loadRelayerConfig({ OMNI_RELAYER_KEY: key, OMNI_DEPLOYMENT_FILE: '/nonexistent.json' }, () => {
        throw new Error('ENOENT: no such file');
      }),
    );
    expect(missing.message).toMatch(/OMNI_DEPLOYMENT_FILE: unusable deployment file \(ENOENT/);
    const invalid = configError(() =>
      loadRelayerConfig({ OMNI_RELAYER_KEY: key, OMNI_DEPLOYMENT_FILE: 'd.json' }, () =>
        JSON.stringify({ ...deployment, hubEid: 'x' }),
      ),
    );
    expect(invalid.message).toMatch(/OMNI_DEPLOYMENT_FILE: unusable deployment file \(hubEid/);
  });
});
