import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ANVIL_KEYS, startAnvil, type AnvilChain } from '@omniclear/testkit';
import { MessageType } from '@omniclear/protocol';
import {
  createPublicClient,
  createTestClient,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  http,
  numberToHex,
  pad,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  CONFIG_TYPE_EXECUTOR,
  CONFIG_TYPE_ULN,
  clearingHubAbi,
  collateralVaultAbi,
  configureNetwork,
  createChainClients,
  decodeExecutorConfig,
  decodeUlnConfig,
  demoTokenAbi,
  demoTokenBytecode,
  deployNetwork,
  DeploymentError,
  encodeUlnConfig,
  endpointV2Abi,
  executorLzReceiveOption,
  NetworkVerificationError,
  omniTimelockAbi,
  parseNetworkConfig,
  PathwayCheckError,
  runNetworkCli,
  TIMELOCK_ROLES,
  ulnConfig,
  verifyNetwork,
  type NetworkConfig,
  type NetworkDeployment,
  type NetworkSecrets,
} from '../src/index.js';
import type { z } from 'zod';
import { networkConfigSchema } from '../src/index.js';
import { deployUln302Stack, type Uln302Stack } from './helpers/uln302.js';

/** The config as its JSON file holds it (before validation). */
type NetworkConfigJson = z.input<typeof networkConfigSchema>;

const deployerKey = ANVIL_KEYS[0] as Hex;
/** The timelocks' proposer and executor (the operators' multisig in production). */
const ownerKey = ANVIL_KEYS[5] as Hex;
const owner = privateKeyToAccount(ownerKey).address;
/** The timelocks' delay: a day, the vaults' escape delay in this config. */
const DELAY = 86_400;
const signers = [1, 2, 3].map((i) => privateKeyToAccount(ANVIL_KEYS[i] as Hex).address);
const deployer = privateKeyToAccount(deployerKey).address;

/** Stand-in workers: LayerZero's default DVN and executor, and the two DVNs and the executor Omniclear picks. */
const DEFAULT_DVN = getAddress('0x00000000000000000000000000000000000dEF01');
const DEFAULT_EXECUTOR = getAddress('0x00000000000000000000000000000000000dEF02');
/** The same two DVNs have a different address on every chain (index: chain). */
const dvnOne = (i: number) => getAddress(`0x${(0xd100 + i).toString(16).padStart(40, '0')}`);
const dvnTwo = (i: number) => getAddress(`0x${(0xd200 + i).toString(16).padStart(40, '0')}`);
const executorOf = (i: number) => getAddress(`0x${(0xc100 + i).toString(16).padStart(40, '0')}`);

const chains = [
  { name: 'hub', chainId: 31337, eid: 40101 },
  { name: 'spoke-a', chainId: 31338, eid: 40102 },
  { name: 'spoke-b', chainId: 31339, eid: 40103 },
] as const;

const HUB_GAS = { LIQUIDATE: 700_000, WITHDRAW_DECISION: 300_000 };
const SPOKE_GAS = {
  BALANCE: 90_000,
  WITHDRAW_REQUEST: 91_000,
  EXPOSURE: 92_000,
  ORDER_ACK: 93_000,
  WITHDRAW_DONE: 94_000,
};

describe('deployNetwork on three anvil chains with LayerZero EndpointV2 + SendUln302/ReceiveUln302', () => {
  const anvils: AnvilChain[] = [];
  const stacks: Uln302Stack[] = [];
  const tokens: Address[] = [];
  let config: NetworkConfig;
  let secrets: NetworkSecrets;
  let deployment: NetworkDeployment;
  const steps: Array<{ chain: string; step: string; address?: Address }> = [];
  const pub = (i: number): PublicClient => createPublicClient({ transport: http(anvils[i]!.rpcUrl) }) as PublicClient;

  /** The config, as a JSON file would give it, with `edit` applied first. */
  const rawConfig = (edit: (json: NetworkConfigJson) => void = () => undefined): NetworkConfigJson => {
    const chain = (i: number) => ({
      name: chains[i]!.name,
      chainId: chains[i]!.chainId,
      rpcUrl: anvils[i]!.rpcUrl,
      eid: chains[i]!.eid,
      endpoint: stacks[i]!.endpoint,
      sendLib: stacks[i]!.sendLib,
      receiveLib: stacks[i]!.receiveLib,
      executor: { address: executorOf(i), maxMessageSize: 4096 },
      dvns: { 'dvn-one': dvnOne(i), 'dvn-two': dvnTwo(i) },
    });
    const uln = (confirmations: number) => ({ confirmations, requiredDVNs: ['dvn-two', 'dvn-one'] });
    const json: NetworkConfigJson = {
      timelock: { minDelaySeconds: DELAY, proposers: [owner], executors: [owner] },
      hub: { ...chain(0), signers, threshold: 2 },
      spokes: [1, 2].map((i) => ({
        ...chain(i),
        insuranceFund: '0x00000000000000000000000000000000000019fa',
        integrators: ['0x000000000000000000000000000000000000bEEF'],
        escapeDelaySeconds: 86_400,
        ackReserveWei: '1000000000000000',
        tokens: [{ symbol: 'USDC', address: tokens[i - 1]!, decimals: 6, depositCap: '1000000000000' }],
      })),
      pathways: ['spoke-a', 'spoke-b'].flatMap((spoke, j) => [
        { from: 'hub', to: spoke, send: uln(5 + j), receive: uln(5 + j), enforcedOptions: { ...HUB_GAS } },
        { from: spoke, to: 'hub', send: uln(12 + j), receive: uln(12 + j), enforcedOptions: { ...SPOKE_GAS } },
      ]),
    };
    edit(json);
    return json;
  };
  const configJson = (edit?: (json: NetworkConfigJson) => void): NetworkConfig => parseNetworkConfig(rawConfig(edit));

  /** Runs `deploy:network --config <file> <mode> <deployment file>` on the current deployment. */
  const cli = async (mode: '--verify' | '--configure', env: Record<string, string> = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-verify-'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(rawConfig()));
    fs.writeFileSync(path.join(dir, 'deployment.json'), JSON.stringify(deployment));
    const lines: string[] = [];
    const code = await runNetworkCli(
      ['--config', path.join(dir, 'config.json'), mode, path.join(dir, 'deployment.json')],
      env,
      { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    );
    return { code, lines };
  };
  const cliVerify = () => cli('--verify');

  const nonces = () => Promise.all(anvils.map((_, i) => pub(i).getTransactionCount({ address: deployer })));

  let salt = 0;
  /**
   * The proposer schedules `data` to `target` through chain `i`'s timelock; the call cannot execute
   * before the delay; then the chain's clock moves past it and the executor executes it.
   */
  const throughTimelock = async (i: number, target: Address, data: Hex) => {
    const clients = createChainClients({
      rpcUrl: anvils[i]!.rpcUrl,
      chainId: chains[i]!.chainId,
      privateKey: ownerKey,
    });
    const timelock = deployment.chains[i]!.timelock;
    const op = [target, 0n, data, zeroHash, numberToHex(++salt, { size: 32 })] as const;
    const send = async (functionName: 'schedule' | 'execute', args: readonly unknown[]) => {
      const hash = await clients.wallet.sendTransaction({
        to: timelock,
        data: encodeFunctionData({ abi: omniTimelockAbi, functionName, args } as never),
      });
      return (await clients.public.waitForTransactionReceipt({ hash })).status;
    };
    expect(await send('schedule', [...op, BigInt(DELAY)])).toBe('success');
    const execute = encodeFunctionData({ abi: omniTimelockAbi, functionName: 'execute', args: op });
    await expect(clients.public.call({ account: owner, to: timelock, data: execute })).rejects.toThrow(
      /TimelockUnexpectedOperationState|reverted/,
    );
    const test = createTestClient({ mode: 'anvil', transport: http(anvils[i]!.rpcUrl) });
    await test.increaseTime({ seconds: DELAY });
    await test.mine({ blocks: 1 });
    expect(await send('execute', op)).toBe('success');
  };

  beforeAll(async () => {
    anvils.push(...(await Promise.all(chains.map((c) => startAnvil({ chainId: c.chainId })))));
    stacks.push(
      ...(await Promise.all(
        chains.map((c, i) =>
          deployUln302Stack({
            rpcUrl: anvils[i]!.rpcUrl,
            chainId: c.chainId,
            key: deployerKey,
            eid: c.eid,
            remoteEids: chains.filter((o) => o.eid !== c.eid).map((o) => o.eid),
            defaultDvn: DEFAULT_DVN,
            defaultExecutor: DEFAULT_EXECUTOR,
          }),
        ),
      )),
    );
    for (const i of [1, 2]) {
      const clients = createChainClients({
        rpcUrl: anvils[i]!.rpcUrl,
        chainId: chains[i]!.chainId,
        privateKey: deployerKey,
      });
      const hash = await clients.wallet.sendTransaction({
        data: encodeDeployData({ abi: demoTokenAbi, bytecode: demoTokenBytecode, args: ['Demo USDC', 'USDC', 6] }),
      });
      tokens.push(getAddress((await clients.public.waitForTransactionReceipt({ hash })).contractAddress!));
    }
    config = configJson();
    secrets = { deployerKey, rpcUrls: Object.fromEntries(chains.map((c, i) => [c.name, anvils[i]!.rpcUrl])) };
    deployment = await deployNetwork({ config, secrets, onStep: (e) => steps.push(e) });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
  });

  const oappOf = (name: string) => deployment.chains.find((c) => c.name === name)!.oapp;
  const indexOf = (name: string) => chains.findIndex((c) => c.name === name);
  const endpointRead = (i: number, functionName: string, args: readonly unknown[]) =>
    pub(i).readContract({
      address: stacks[i]!.endpoint,
      abi: endpointV2Abi,
      functionName,
      args,
    } as never) as Promise<unknown>;

  it('deploys the hub with the signer set and a vault per spoke with its settings', async () => {
    const hub = oappOf('hub');
    expect(await pub(0).readContract({ address: hub, abi: clearingHubAbi, functionName: 'threshold' })).toBe(2);
    for (const s of signers) {
      expect(
        await pub(0).readContract({ address: hub, abi: clearingHubAbi, functionName: 'isSigner', args: [s] }),
      ).toBe(true);
    }
    for (const [i, name] of [
      [1, 'spoke-a'],
      [2, 'spoke-b'],
    ] as const) {
      const vault = oappOf(name);
      const read = (functionName: string, args: readonly unknown[] = []) =>
        pub(i).readContract({
          address: vault,
          abi: collateralVaultAbi,
          functionName,
          args,
        } as never) as Promise<unknown>;
      expect(await read('isCollateral', [tokens[i - 1]])).toBe(true);
      expect(await read('isIntegrator', ['0x000000000000000000000000000000000000bEEF'])).toBe(true);
      expect(await read('escapeDelay')).toBe(86_400n);
      expect(await read('hubEid')).toBe(40101);
      expect(await pub(i).getBalance({ address: vault })).toBe(1_000_000_000_000_000n);
      expect(deployment.chains[i]!.tokens).toEqual({ USDC: { address: tokens[i - 1]!, decimals: 6 } });
    }
  });

  it('reports each step, with the address of each contract as soon as it is deployed', () => {
    const deploys = steps.filter((e) => e.address !== undefined);
    expect(deploys).toHaveLength(6);
    for (const c of deployment.chains) {
      expect(deploys).toContainEqual({
        chain: c.name,
        step: c.role === 'hub' ? 'deploy ClearingHub' : 'deploy CollateralVault',
        address: c.oapp,
      });
      expect(deploys).toContainEqual({ chain: c.name, step: 'deploy OmniTimelock', address: c.timelock });
    }
    expect(steps.filter((e) => e.chain === 'spoke-a').map((e) => e.step)).toEqual([
      'preflight',
      'deploy CollateralVault',
      'configure CollateralVault',
      'configure pathways',
      'verify',
      'deploy OmniTimelock',
      'hand over to OmniTimelock',
      'verify governance',
    ]);
  });

  it('the endpoints report the configured DVNs, confirmations and executor on both sides of every pathway', async () => {
    for (const p of config.pathways) {
      const from = indexOf(p.from);
      const to = indexOf(p.to);
      const required = (i: number) =>
        [dvnOne(i), dvnTwo(i)].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));

      const sendUln = decodeUlnConfig(
        (await endpointRead(from, 'getConfig', [
          oappOf(p.from),
          stacks[from]!.sendLib,
          chains[to]!.eid,
          CONFIG_TYPE_ULN,
        ])) as Hex,
      );
      expect(sendUln).toEqual({
        confirmations: BigInt(p.send.confirmations),
        requiredDVNCount: 2,
        optionalDVNCount: 0,
        optionalDVNThreshold: 0,
        requiredDVNs: required(from),
        optionalDVNs: [],
      });
      const receiveUln = decodeUlnConfig(
        (await endpointRead(to, 'getConfig', [
          oappOf(p.to),
          stacks[to]!.receiveLib,
          chains[from]!.eid,
          CONFIG_TYPE_ULN,
        ])) as Hex,
      );
      expect(receiveUln.requiredDVNs).toEqual(required(to));
      expect(receiveUln.confirmations).toBe(BigInt(p.receive.confirmations));
      expect(receiveUln.requiredDVNs).not.toContain(DEFAULT_DVN);

      const executor = decodeExecutorConfig(
        (await endpointRead(from, 'getConfig', [
          oappOf(p.from),
          stacks[from]!.sendLib,
          chains[to]!.eid,
          CONFIG_TYPE_EXECUTOR,
        ])) as Hex,
      );
      expect(executor).toEqual({ executor: executorOf(from), maxMessageSize: 4096 });

      expect(await endpointRead(from, 'getSendLibrary', [oappOf(p.from), chains[to]!.eid])).toBe(stacks[from]!.sendLib);
      expect(await endpointRead(from, 'isDefaultSendLibrary', [oappOf(p.from), chains[to]!.eid])).toBe(false);
      expect(await endpointRead(to, 'getReceiveLibrary', [oappOf(p.to), chains[from]!.eid])).toEqual([
        stacks[to]!.receiveLib,
        false,
      ]);
    }
  });

  it('the OApps enforce the configured lzReceive gas per destination and message type, and peer each other', async () => {
    for (const [i, name] of [
      [1, 'spoke-a'],
      [2, 'spoke-b'],
    ] as const) {
      for (const [type, gas] of Object.entries(HUB_GAS)) {
        const options = await pub(0).readContract({
          address: oappOf('hub'),
          abi: clearingHubAbi,
          functionName: 'enforcedOptions',
          args: [chains[i]!.eid, MessageType[type as keyof typeof MessageType]],
        });
        expect(options).toBe(executorLzReceiveOption(gas));
      }
      for (const [type, gas] of Object.entries(SPOKE_GAS)) {
        const options = await pub(i).readContract({
          address: oappOf(name),
          abi: collateralVaultAbi,
          functionName: 'enforcedOptions',
          args: [40101, MessageType[type as keyof typeof MessageType]],
        });
        expect(options).toBe(executorLzReceiveOption(gas));
      }
      // no option for a type never sent that way
      expect(
        await pub(i).readContract({
          address: oappOf(name),
          abi: collateralVaultAbi,
          functionName: 'enforcedOptions',
          args: [40101, MessageType.LIQUIDATE],
        }),
      ).toBe('0x');
      expect(
        await pub(0).readContract({
          address: oappOf('hub'),
          abi: clearingHubAbi,
          functionName: 'peers',
          args: [chains[i]!.eid],
        }),
      ).toBe(pad(oappOf(name), { size: 32 }).toLowerCase());
      expect(
        await pub(i).readContract({
          address: oappOf(name),
          abi: collateralVaultAbi,
          functionName: 'peers',
          args: [40101],
        }),
      ).toBe(pad(oappOf('hub'), { size: 32 }).toLowerCase());
    }
  });

  it("hands ownership and the endpoint delegate of every OApp to its chain's OmniTimelock, leaving the deployer nothing", async () => {
    expect(deployment.deployer).toBe(deployer);
    expect(deployment.timelock).toEqual({ minDelaySeconds: DELAY, proposers: [owner], executors: [owner] });
    for (const [i, c] of deployment.chains.entries()) {
      const abi = c.role === 'hub' ? clearingHubAbi : collateralVaultAbi;
      const read = (address: Address, a: unknown, functionName: string, args: readonly unknown[] = []) =>
        pub(i).readContract({ address, abi: a, functionName, args } as never) as Promise<unknown>;
      // one timelock per chain (at the same address on each here: CREATE by the same deployer and nonce)
      expect(await pub(i).getCode({ address: c.timelock })).toMatch(/^0x60/);
      expect(await read(c.oapp, abi, 'owner')).toBe(c.timelock);
      expect(await read(c.oapp, abi, 'pendingOwner')).toBe(zeroAddress);
      expect(await endpointRead(i, 'delegates', [c.oapp])).toBe(c.timelock);
      expect(await read(c.timelock, omniTimelockAbi, 'getMinDelay')).toBe(BigInt(DELAY));
      for (const role of Object.values(TIMELOCK_ROLES)) {
        expect(await read(c.timelock, omniTimelockAbi, 'hasRole', [role, owner])).toBe(true);
        expect(await read(c.timelock, omniTimelockAbi, 'hasRole', [role, deployer])).toBe(false);
      }
      // the timelock is its own admin: nobody grants a role around the delay
      expect(await read(c.timelock, omniTimelockAbi, 'hasRole', [zeroHash, c.timelock])).toBe(true);
      expect(await read(c.timelock, omniTimelockAbi, 'hasRole', [zeroHash, deployer])).toBe(false);
      // the deployer can change nothing any more, on the OApp or at the endpoint
      const asDeployer = createChainClients({
        rpcUrl: anvils[i]!.rpcUrl,
        chainId: chains[i]!.chainId,
        privateKey: deployerKey,
      });
      await expect(
        asDeployer.public.call({
          account: deployer,
          to: c.oapp,
          data: encodeFunctionData({ abi: clearingHubAbi, functionName: 'setPeer', args: [40999, zeroHash] }),
        }),
      ).rejects.toThrow();
      await expect(
        asDeployer.public.call({
          account: deployer,
          to: stacks[i]!.endpoint,
          data: encodeFunctionData({
            abi: endpointV2Abi,
            functionName: 'setSendLibrary',
            args: [c.oapp, chains[(i + 1) % 3]!.eid, stacks[i]!.sendLib],
          }),
        }),
      ).rejects.toThrow();
    }
    // renounceOwnership is refused by the hub
    await expect(
      pub(0).call({
        account: deployment.chains[0]!.timelock,
        to: deployment.chains[0]!.oapp,
        data: encodeFunctionData({ abi: clearingHubAbi, functionName: 'renounceOwnership' }),
      }),
    ).rejects.toThrow();
  });

  it('verifyNetwork passes on the deployment and names what changed after a setting is altered', async () => {
    await expect(verifyNetwork(config, deployment, secrets)).resolves.toBeUndefined();
    expect(await cliVerify()).toEqual({
      code: 0,
      lines: [expect.stringMatching(/deployment\.json: every pathway setting read back equals .*config\.json$/)],
    });
    // The timelock (the endpoint delegate) lowers spoke-a's send confirmations behind the config's back,
    // a day after its proposer scheduled it.
    await throughTimelock(
      1,
      stacks[1]!.endpoint,
      encodeFunctionData({
        abi: endpointV2Abi,
        functionName: 'setConfig',
        args: [
          oappOf('spoke-a'),
          stacks[1]!.sendLib,
          [
            {
              eid: 40101,
              configType: CONFIG_TYPE_ULN,
              config: encodeUlnConfig(ulnConfig({ confirmations: 1, requiredDVNs: [dvnOne(1), dvnTwo(1)] })),
            },
          ],
        ],
      }),
    );
    const err = await verifyNetwork(config, deployment, secrets).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkVerificationError);
    const mismatches = (err as NetworkVerificationError).mismatches;
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]!.path).toBe('pathways[1].send');
    expect(mismatches[0]!.message).toMatch(
      /^spoke-a send ULN config for eid 40101 is .*1 confirmations, configured .*12 confirmations$/,
    );
    const cli = await cliVerify();
    expect(cli.code).toBe(1);
    expect(cli.lines).toEqual([
      'NetworkVerificationError:',
      expect.stringMatching(/^ {2}pathways\[1\]\.send: spoke-a send ULN config for eid 40101 is /),
    ]);
  });

  it('configureNetwork puts drifted settings right, an unpinned one included, and a second run sends nothing', async () => {
    // Still drifted from the test above: spoke-a sends with 1 confirmation. For a maintenance, the
    // timelock makes the operators' key spoke-a's endpoint delegate (after the delay, like any owner
    // action); that key then resets spoke-a's receive side to "LayerZero's default" (all counts 0),
    // which pins nothing.
    await throughTimelock(
      1,
      oappOf('spoke-a'),
      encodeFunctionData({ abi: collateralVaultAbi, functionName: 'setDelegate', args: [owner] }),
    );
    const ownerClients = createChainClients({ rpcUrl: anvils[1]!.rpcUrl, chainId: 31338, privateKey: ownerKey });
    const unset = encodeUlnConfig({
      confirmations: 0n,
      requiredDVNCount: 0,
      optionalDVNCount: 0,
      optionalDVNThreshold: 0,
      requiredDVNs: [],
      optionalDVNs: [],
    });
    const hash = await ownerClients.wallet.sendTransaction({
      to: stacks[1]!.endpoint,
      data: encodeFunctionData({
        abi: endpointV2Abi,
        functionName: 'setConfig',
        args: [oappOf('spoke-a'), stacks[1]!.receiveLib, [{ eid: 40101, configType: CONFIG_TYPE_ULN, config: unset }]],
      }),
    });
    expect((await ownerClients.public.waitForTransactionReceipt({ hash })).status).toBe('success');
    const drift = (await verifyNetwork(config, deployment, secrets, { governance: false }).catch(
      (e: unknown) => e,
    )) as NetworkVerificationError;
    expect(drift.mismatches.map((m) => m.path)).toEqual([
      'pathways[0].receive',
      'pathways[0].receive',
      'pathways[1].send',
    ]);
    expect(drift.mismatches[0]!.message).toBe(
      "spoke-a: the OApp has no receive ULN config of its own for eid 40101: it follows LayerZero's default, which LayerZero may change",
    );
    expect(drift.mismatches[1]!.message).toMatch(
      new RegExp(`required \\[${DEFAULT_DVN}\\].*1 confirmations, configured`),
    );

    // The operators' key is spoke-a's endpoint delegate now: it applies the config.
    const ownerSecrets = { ...secrets, deployerKey: ownerKey };
    expect(await configureNetwork({ config, secrets: ownerSecrets, deployment })).toBe(2);
    await expect(verifyNetwork(config, deployment, secrets, { governance: false })).resolves.toBeUndefined();
    // ...and the governance check reports the delegate the timelock has not taken back yet.
    const governance = (await verifyNetwork(config, deployment, secrets).catch(
      (e: unknown) => e,
    )) as NetworkVerificationError;
    expect(governance.mismatches).toEqual([
      {
        path: 'spokes[0]',
        message: `spoke-a: the endpoint delegate of CollateralVault is ${owner}, not its timelock ${deployment.chains[1]!.timelock}`,
      },
    ]);
    const ownerNonces = () => Promise.all(anvils.map((_, i) => pub(i).getTransactionCount({ address: owner })));
    const before = await ownerNonces();
    expect(await configureNetwork({ config, secrets: ownerSecrets, deployment })).toBe(0);
    const again = await cli('--configure', { OMNI_DEPLOYER_KEY: ownerKey });
    expect(again.code).toBe(0);
    expect(again.lines.at(-1)).toMatch(
      /deployment\.json: 0 transaction\(s\) sent; every pathway setting read back equals/,
    );
    expect(await ownerNonces()).toEqual(before);
  });

  it('verifyNetwork refuses a deployment of other chains than the config describes', async () => {
    const other = {
      ...deployment,
      chains: [deployment.chains[0]!, { ...deployment.chains[1]!, eid: 40109 }],
    };
    const err = (await verifyNetwork(config, other, secrets).catch((e: unknown) => e)) as NetworkVerificationError;
    expect(err).toBeInstanceOf(NetworkVerificationError);
    expect(err.mismatches).toEqual([
      { path: 'spokes[0].eid', message: 'the deployment has 40109, the config 40102' },
      { path: 'spokes[1]', message: 'chain spoke-b is not in the deployment' },
    ]);
  });

  it('refuses a config the check refuses before sending any transaction', async () => {
    const before = await nonces();
    const bad = configJson((j) => {
      j.pathways[0]!.send.requiredDVNs = ['dvn-one'];
      delete j.pathways[3]!.enforcedOptions.ORDER_ACK;
    });
    const err = await deployNetwork({ config: bad, secrets }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PathwayCheckError);
    expect((err as PathwayCheckError).problems.map((p) => p.path)).toEqual([
      'pathways[0].send.requiredDVNs',
      'pathways[0].receive.requiredDVNs',
      'pathways[3].enforcedOptions.ORDER_ACK',
    ]);
    expect(await nonces()).toEqual(before);
  });

  it('refuses, before any transaction, an endpoint with another eid or a library it has not registered', async () => {
    const before = await nonces();
    // spoke-a's endpoint really has eid 40102; nothing on the hub supports 40104 either
    const wrong = configJson((j) => (j.spokes[0]!.eid = 40104));
    const err = await deployNetwork({ config: wrong, secrets }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeploymentError);
    expect((err as DeploymentError).step).toBe('preflight');
    expect((err as DeploymentError).details.reason).toMatch(
      /endpoint 0x[0-9a-fA-F]{40} has eid 40102, configured 40104|does not support eid 40104/,
    );
    expect(await nonces()).toEqual(before);

    const mislabelled = configJson((j) => (j.spokes[1]!.sendLib = stacks[2]!.receiveLib));
    const err2 = (await deployNetwork({ config: mislabelled, secrets }).catch((e: unknown) => e)) as DeploymentError;
    expect(err2.step).toBe('preflight');
    expect(err2.chain).toBe('spoke-b');
    expect(err2.details.reason).toMatch(/sendLib 0x[0-9a-fA-F]{40} is a receive library/);
    expect(await nonces()).toEqual(before);
  });
});
