import { hashLiquidationOrder, hashWithdrawDecisionOrder } from '@omniclear/protocol';
import { ANVIL_KEYS, freePort, startAnvil, type AnvilChain } from '@omniclear/testkit';
import { createPublicClient, getAddress, http, zeroAddress, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  addressToBytes32,
  clearingHubAbi,
  collateralVaultAbi,
  connectPathway,
  createChainClients,
  demoTokenAbi,
  deployOmniclear,
  DeploymentError,
  endpointV2Abi,
  parseDeployment,
  type ChainTarget,
  type Deployment,
} from '../src/index.js';

const deployerKey = ANVIL_KEYS[0] as Hex;
const signerKeys = [ANVIL_KEYS[7], ANVIL_KEYS[8]] as Hex[];
const signers = signerKeys.map((k) => privateKeyToAccount(k).address);
const protocol: Address = '0x000000000000000000000000000000000000bEEF';
const insuranceA: Address = getAddress('0x00000000000000000000000000000000000019fa');
const deployerAddress = privateKeyToAccount(deployerKey).address;

describe('deployOmniclear on three anvil chains', () => {
  const anvils: AnvilChain[] = [];
  let hub: ChainTarget;
  let spokes: ChainTarget[];
  let deployment: Deployment;

  beforeAll(async () => {
    anvils.push(...(await Promise.all([31337, 31338, 31339].map((chainId) => startAnvil({ chainId })))));
    const [h, a, b] = anvils as [AnvilChain, AnvilChain, AnvilChain];
    hub = { name: 'hub', chainId: 31337, eid: 40101, rpcUrl: h.rpcUrl };
    spokes = [
      { name: 'spoke-a', chainId: 31338, eid: 40102, rpcUrl: a.rpcUrl },
      { name: 'spoke-b', chainId: 31339, eid: 40103, rpcUrl: b.rpcUrl },
    ];
    deployment = await deployOmniclear({
      hub,
      spokes,
      deployerKey,
      signers,
      threshold: 2,
      tokens: [
        { symbol: 'USDC', decimals: 6 },
        { symbol: 'WETH', decimals: 18 },
      ],
      protocols: [protocol],
      insuranceFunds: { 'spoke-a': insuranceA },
      escapeDelaySeconds: 86_400,
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
  });

  const client = (rpcUrl: string) => createPublicClient({ transport: http(rpcUrl) });

  it('deploys code at every address it reports', async () => {
    for (const chain of deployment.chains) {
      const addresses = [
        chain.endpoint,
        chain.messageLib,
        chain.hub,
        chain.vault,
        ...Object.values(chain.tokens).map((t) => t.address),
      ];
      for (const address of addresses.filter((a): a is Address => a !== undefined)) {
        const code = await client(chain.rpcUrl).getCode({ address });
        expect(code && code.length > 2).toBe(true);
      }
    }
    expect(deployment.chains.map((c) => [c.name, c.role, c.eid])).toEqual([
      ['hub', 'hub', 40101],
      ['spoke-a', 'spoke', 40102],
      ['spoke-b', 'spoke', 40103],
    ]);
  });

  it('sets peers both ways, bytes32-padded', async () => {
    const hubChain = deployment.chains[0]!;
    for (const spoke of deployment.chains.slice(1)) {
      const hubPeer = await client(hubChain.rpcUrl).readContract({
        address: hubChain.hub!,
        abi: clearingHubAbi,
        functionName: 'peers',
        args: [spoke.eid],
      });
      expect(hubPeer).toBe(addressToBytes32(spoke.vault!).toLowerCase());
      const vaultPeer = await client(spoke.rpcUrl).readContract({
        address: spoke.vault!,
        abi: collateralVaultAbi,
        functionName: 'peers',
        args: [deployment.hubEid],
      });
      expect(vaultPeer).toBe(addressToBytes32(hubChain.hub!).toLowerCase());
    }
  });

  it('allow-lists every token and integrator in every vault, sets each insurance fund, the escape delay and the signer set', async () => {
    const hubChain = deployment.chains[0]!;
    const hubRead = client(hubChain.rpcUrl);
    expect(
      await hubRead.readContract({ address: hubChain.hub!, abi: clearingHubAbi, functionName: 'signers' }),
    ).toEqual(signers);
    expect(await hubRead.readContract({ address: hubChain.hub!, abi: clearingHubAbi, functionName: 'threshold' })).toBe(
      2,
    );
    expect(deployment).toMatchObject({ signers, threshold: 2 });
    for (const spoke of deployment.chains.slice(1)) {
      const pub = client(spoke.rpcUrl);
      for (const [symbol, token] of Object.entries(spoke.tokens)) {
        expect(
          await pub.readContract({
            address: spoke.vault!,
            abi: collateralVaultAbi,
            functionName: 'isCollateral',
            args: [token.address],
          }),
        ).toBe(true);
        expect(await pub.readContract({ address: token.address, abi: demoTokenAbi, functionName: 'symbol' })).toBe(
          symbol,
        );
        expect(await pub.readContract({ address: token.address, abi: demoTokenAbi, functionName: 'decimals' })).toBe(
          token.decimals,
        );
      }
      expect(
        await pub.readContract({
          address: spoke.vault!,
          abi: collateralVaultAbi,
          functionName: 'isIntegrator',
          args: [protocol],
        }),
      ).toBe(true);
      expect(
        await pub.readContract({ address: spoke.vault!, abi: collateralVaultAbi, functionName: 'escapeDelay' }),
      ).toBe(86_400n);
      const fund = await pub.readContract({
        address: spoke.vault!,
        abi: collateralVaultAbi,
        functionName: 'insuranceFund',
      });
      expect(fund).toBe(spoke.insuranceFund);
      // spoke-a has its own fund; spoke-b defaults to the deployer
      expect(fund).toBe(spoke.name === 'spoke-a' ? insuranceA : deployerAddress);
      expect(await pub.getBalance({ address: spoke.vault! })).toBeGreaterThan(0n);
      expect(Object.keys(spoke.tokens)).toEqual(['USDC', 'WETH']);
    }
  });

  it('makes SimpleMessageLib the default library both ways on every pathway', async () => {
    const [hubChain, ...spokeChains] = deployment.chains;
    for (const spoke of spokeChains) {
      for (const [local, remote] of [
        [hubChain!, spoke],
        [spoke, hubChain!],
      ] as const) {
        const pub = client(local.rpcUrl);
        const args = [remote.eid] as const;
        expect(
          await pub.readContract({
            address: local.endpoint,
            abi: endpointV2Abi,
            functionName: 'defaultSendLibrary',
            args,
          }),
        ).toBe(local.messageLib);
        expect(
          await pub.readContract({
            address: local.endpoint,
            abi: endpointV2Abi,
            functionName: 'defaultReceiveLibrary',
            args,
          }),
        ).toBe(local.messageLib);
      }
    }
  });

  it('connectPathway is idempotent: a second run sends no transaction', async () => {
    const [h, a] = deployment.chains as [Deployment['chains'][0], Deployment['chains'][0]];
    const hubClients = createChainClients({ rpcUrl: h.rpcUrl, chainId: h.chainId, privateKey: deployerKey });
    const spokeClients = createChainClients({ rpcUrl: a.rpcUrl, chainId: a.chainId, privateKey: deployerKey });
    const before = await hubClients.public.getTransactionCount({ address: hubClients.account.address });
    await connectPathway({ ...h, clients: hubClients }, { ...a, clients: spokeClients });
    expect(await hubClients.public.getTransactionCount({ address: hubClients.account.address })).toBe(before);
  });

  it("computes the protocol's EIP-712 order digests on chain (hashLiquidation, hashWithdrawDecision)", async () => {
    const hubChain = deployment.chains[0]!;
    const pub = client(hubChain.rpcUrl);
    const domain = { chainId: hubChain.chainId, verifyingContract: hubChain.hub! };
    const common = {
      dstEid: 40102,
      orderId: `0x${'5a'.repeat(32)}` as Hex,
      account: protocol,
      token: insuranceA,
      amount: 10n ** 18n + 7n,
      expiry: 1_764_003_600n,
    };
    const liquidation = { ...common, recipient: deployerAddress, insuranceAmount: 12_345n };
    const decision = { ...common, requestId: 9n, approved: true };
    expect(
      await pub.readContract({
        address: hubChain.hub!,
        abi: clearingHubAbi,
        functionName: 'hashLiquidation',
        args: [liquidation],
      }),
    ).toBe(hashLiquidationOrder(liquidation, domain));
    for (const approved of [true, false]) {
      expect(
        await pub.readContract({
          address: hubChain.hub!,
          abi: clearingHubAbi,
          functionName: 'hashWithdrawDecision',
          args: [{ ...decision, approved }],
        }),
      ).toBe(hashWithdrawDecisionOrder({ ...decision, approved }, domain));
    }
  });

  it('round-trips through JSON and parseDeployment', () => {
    expect(parseDeployment(JSON.stringify(deployment))).toEqual(deployment);
    expect(() => parseDeployment({ ...deployment, signers: ['0x1234'] })).toThrow(/signers/);
    expect(() => parseDeployment({ ...deployment, threshold: 3 })).toThrow(/exceeds the number of signers/);
  });

  it('names the step, chain and contract when a transaction reverts', async () => {
    const err = await deployOmniclear({
      hub,
      spokes: [],
      deployerKey,
      signers: [zeroAddress],
      threshold: 1,
      tokens: [],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeploymentError);
    const de = err as DeploymentError;
    expect(de.name).toBe('DeploymentError');
    expect(de.step).toBe('deploy ClearingHub');
    expect(de.chain).toBe('hub');
    expect(de.contract).toBe('ClearingHub');
    expect(de.details.reason).toBe('ZeroSigner()');
    expect(de.message).toMatch(/deploy ClearingHub.*hub.*ZeroSigner/);
  });

  it('fails at the connect step for an unreachable RPC or a wrong chain id', async () => {
    const deadPort = await freePort();
    const bad = { ...spokes[0]!, rpcUrl: `http://127.0.0.1:${deadPort}` };
    const err = await deployOmniclear({ hub, spokes: [bad], deployerKey, signers, threshold: 1, tokens: [] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeploymentError);
    expect((err as DeploymentError).step).toBe('connect');
    expect((err as DeploymentError).chain).toBe('spoke-a');

    const wrongId = { ...spokes[0]!, chainId: 999 };
    const err2 = await deployOmniclear({
      hub,
      spokes: [wrongId],
      deployerKey,
      signers,
      threshold: 1,
      tokens: [],
    }).catch((e: unknown) => e);
    expect((err2 as DeploymentError).message).toMatch(/connect.*spoke-a.*chain id 31338, expected 999/);
  });
});
