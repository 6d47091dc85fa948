import {
  clearingHubAbi,
  collateralVaultAbi,
  createChainClients,
  demoTokenAbi,
  deployOmniclear,
  endpointV2Abi,
  type ChainClients,
  type DeployedChain,
  type Deployment,
} from '@omniclear/chain';
import { decodeHubBoundMessage, liquidationOrderId, signOrder, type HubBoundMessage } from '@omniclear/protocol';
import { ANVIL_KEYS, startAnvil, type AnvilChain } from '@omniclear/testkit';
import { getAbiItem, pad, parseUnits, zeroHash, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { Relayer, relayerChainsFromDeployment, type DeliveryReport } from '../src/index.js';

const deployerKey = ANVIL_KEYS[0] as Hex;
/** Sends the dispatch transactions (dispatch is permissionless: the signature authorizes). */
const submitterKey = ANVIL_KEYS[1] as Hex;
/** The hub's single clearing signer. */
const signerKey = ANVIL_KEYS[7] as Hex;
const relayerKey = ANVIL_KEYS[2] as Hex;
const userKey = ANVIL_KEYS[3] as Hex;
const liquidator: Address = '0x000000000000000000000000000000000000dEaD';

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A liquidation of `amount` to the liquidator (no insurance part), expiring an hour after the
 * hub's current time, signed by the hub's clearing signer: the struct and its signature.
 */
async function signedLiquidation(
  c: ChainClients,
  hub: DeployedChain,
  o: { dstEid: number; orderId: Hex; account: Address; token: Address; amount: bigint; inputSeq: bigint },
) {
  const expiry = (await c.public.getBlock()).timestamp + 3600n;
  const struct = {
    dstEid: o.dstEid,
    orderId: o.orderId,
    account: o.account,
    token: o.token,
    amount: o.amount,
    recipient: liquidator,
    insuranceAmount: 0n,
    expiry,
  };
  const { signature } = await signOrder(
    privateKeyToAccount(signerKey),
    { kind: 'liquidate', ...struct, inputSeq: o.inputSeq },
    { chainId: hub.chainId, verifyingContract: hub.hub! },
  );
  return { struct, signature };
}

interface Received {
  srcEid: number;
  nonce: bigint;
  message: HubBoundMessage;
}

describe('lz-relayer on three anvil chains with the real EndpointV2', () => {
  const anvils: AnvilChain[] = [];
  let deployment: Deployment;
  let hub: DeployedChain;
  let spokeA: DeployedChain;
  let spokeB: DeployedChain;
  let relayer: Relayer;
  const reports: DeliveryReport[] = [];
  const clients = new Map<string, ChainClients>();

  const as = (key: Hex, chain: DeployedChain): ChainClients => {
    const id = `${key}:${chain.eid}`;
    if (!clients.has(id))
      clients.set(id, createChainClients({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, privateKey: key }));
    return clients.get(id)!;
  };

  const hubMessages = async (): Promise<Received[]> => {
    const logs = await as(deployerKey, hub).public.getLogs({
      address: hub.hub!,
      event: getAbiItem({ abi: clearingHubAbi, name: 'MessageReceived' }),
      fromBlock: 0n,
    });
    return logs.map((l) => ({
      srcEid: l.args.srcEid!,
      nonce: l.args.nonce!,
      message: decodeHubBoundMessage(l.args.payload!),
    }));
  };

  const deposit = async (spoke: DeployedChain, amount: bigint): Promise<void> => {
    const c = as(userKey, spoke);
    const token = spoke.tokens.USDC!.address;
    const send = async (hash: Promise<Hex>) => {
      const receipt = await c.public.waitForTransactionReceipt({ hash: await hash });
      expect(receipt.status).toBe('success');
    };
    await send(
      c.wallet.writeContract({
        address: token,
        abi: demoTokenAbi,
        functionName: 'mint',
        args: [c.account.address, amount],
      }),
    );
    await send(
      c.wallet.writeContract({
        address: token,
        abi: demoTokenAbi,
        functionName: 'approve',
        args: [spoke.vault!, amount],
      }),
    );
    const fee = await c.public.readContract({
      address: spoke.vault!,
      abi: collateralVaultAbi,
      functionName: 'quoteDeposit',
      args: [c.account.address, token, amount],
    });
    await send(
      c.wallet.writeContract({
        address: spoke.vault!,
        abi: collateralVaultAbi,
        functionName: 'deposit',
        args: [token, amount],
        value: fee.nativeFee,
      }),
    );
  };

  const liquidate = async (spoke: DeployedChain, amount: bigint, inputSeq: bigint): Promise<Hex> => {
    const c = as(submitterKey, hub);
    const account = privateKeyToAccount(userKey).address;
    const token = spoke.tokens.USDC!.address;
    const orderId = liquidationOrderId({ dstEid: spoke.eid, account, token, amount, recipient: liquidator, inputSeq });
    const order = await signedLiquidation(c, hub, { dstEid: spoke.eid, orderId, account, token, amount, inputSeq });
    const fee = await c.public.readContract({
      address: hub.hub!,
      abi: clearingHubAbi,
      functionName: 'quoteLiquidation',
      args: [order.struct],
    });
    const hash = await c.wallet.writeContract({
      address: hub.hub!,
      abi: clearingHubAbi,
      functionName: 'dispatchLiquidation',
      args: [order.struct, [order.signature]],
      value: fee.nativeFee,
    });
    expect((await c.public.waitForTransactionReceipt({ hash })).status).toBe('success');
    return orderId;
  };

  beforeAll(async () => {
    anvils.push(...(await Promise.all([31337, 31338, 31339].map((chainId) => startAnvil({ chainId })))));
    const [h, a, b] = anvils as [AnvilChain, AnvilChain, AnvilChain];
    deployment = await deployOmniclear({
      hub: { name: 'hub', chainId: 31337, eid: 40101, rpcUrl: h.rpcUrl },
      spokes: [
        { name: 'spoke-a', chainId: 31338, eid: 40102, rpcUrl: a.rpcUrl },
        { name: 'spoke-b', chainId: 31339, eid: 40103, rpcUrl: b.rpcUrl },
      ],
      deployerKey,
      signers: [privateKeyToAccount(signerKey).address],
      threshold: 1,
      tokens: [{ symbol: 'USDC', decimals: 6 }],
    });
    [hub, spokeA, spokeB] = deployment.chains as [DeployedChain, DeployedChain, DeployedChain];
    relayer = new Relayer({
      chains: relayerChainsFromDeployment(deployment),
      privateKey: relayerKey,
      pollMs: 100,
      backoffMs: 200,
      maxAttempts: 50,
      onReport: (r) => reports.push(r),
    });
    await relayer.start();
  }, 120_000);

  afterAll(async () => {
    await relayer?.stop();
    await Promise.all(anvils.map((a) => a.stop()));
  });

  it('delivers a deposit on a spoke vault to the hub, which emits MessageReceived', async () => {
    const t0 = Date.now();
    await deposit(spokeA, parseUnits('100', 6));
    const [received] = await waitFor('BALANCE at the hub', async () => {
      const msgs = await hubMessages();
      return msgs.length > 0 ? msgs : undefined;
    });
    console.log(`deposit → hub MessageReceived in ${Date.now() - t0} ms`);
    expect(received).toMatchObject({ srcEid: 40102, nonce: 1n });
    expect(received!.message).toMatchObject({
      type: 'BALANCE',
      account: privateKeyToAccount(userKey).address,
      token: spokeA.tokens.USDC!.address,
      balance: parseUnits('100', 6),
      delta: parseUnits('100', 6),
      seq: 1n,
    });
    expect(reports.filter((r) => r.outcome === 'verified')).toHaveLength(1);
  });

  it('delivers a liquidation to the vault and brings its ORDER_ACK back to the hub', async () => {
    const t0 = Date.now();
    const orderId = await liquidate(spokeA, parseUnits('40', 6), 1n);
    const ack = await waitFor('ORDER_ACK at the hub', async () =>
      (await hubMessages()).find((m) => m.message.type === 'ORDER_ACK' && m.message.orderId === orderId),
    );
    console.log(`liquidation → vault → ORDER_ACK at hub in ${Date.now() - t0} ms`);
    expect(ack).toMatchObject({ srcEid: 40102, nonce: 2n });
    expect(ack.message).toMatchObject({ seized: parseUnits('40', 6), balance: parseUnits('60', 6), seq: 2n });
    const pub = as(deployerKey, spokeA).public;
    expect(
      await pub.readContract({
        address: spokeA.tokens.USDC!.address,
        abi: demoTokenAbi,
        functionName: 'balanceOf',
        args: [liquidator],
      }),
    ).toBe(parseUnits('40', 6));
    expect(
      await pub.readContract({
        address: spokeA.vault!,
        abi: collateralVaultAbi,
        functionName: 'executed',
        args: [orderId],
      }),
    ).toBe(true);
  });

  it('a restarted relayer re-reading from block 0 delivers nothing twice', async () => {
    await relayer.stop();
    const before = await hubMessages();
    const restarted = new Relayer({
      chains: relayerChainsFromDeployment(deployment),
      privateKey: relayerKey,
      startBlock: 0n,
    });
    await restarted.tick();
    await restarted.tick();
    expect(restarted.stats).toMatchObject({
      packetsSeen: 3,
      verified: 0,
      delivered: 0,
      alreadyDelivered: 3,
      failedAttempts: 0,
    });
    expect(restarted.pending).toBe(0);
    expect(await hubMessages()).toEqual(before);
    relayer = restarted;
  });

  it('reports a reverting lzReceive with its reason, keeps it verified, and delivers the next packets meanwhile', async () => {
    const failed: DeliveryReport[] = [];
    const restarted = new Relayer({
      chains: relayerChainsFromDeployment(deployment),
      privateKey: relayerKey,
      pollMs: 100,
      backoffMs: 200,
      maxAttempts: 50,
      onReport: (r) => {
        if (r.outcome === 'failed') failed.push(r);
      },
    });
    relayer = restarted;
    await relayer.start();

    // Pause spoke B's inbound orders: its lzReceive reverts (the vault never reverts for its reserve).
    const owner = as(deployerKey, spokeB);
    const setPaused = async (paused: boolean) => {
      const hash = await owner.wallet.writeContract({
        address: spokeB.vault!,
        abi: collateralVaultAbi,
        functionName: 'setInboundPaused',
        args: [paused],
      });
      await owner.public.waitForTransactionReceipt({ hash });
    };
    await setPaused(true);

    const orderId = await liquidate(spokeB, 1n, 2n);
    const failure = await waitFor('a failed delivery', () => failed[0]);
    expect(failure.reason).toBe('InboundPaused()');
    expect(failure.path).toMatchObject({ srcEid: 40101, dstEid: 40103, nonce: 1n });

    // Verified at the endpoint: nothing is lost while it retries.
    const stored = await owner.public.readContract({
      address: spokeB.endpoint,
      abi: endpointV2Abi,
      functionName: 'inboundPayloadHash',
      args: [spokeB.vault!, 40101, pad(hub.hub!, { size: 32 }), 1n],
    });
    expect(stored).not.toBe(zeroHash);

    // Another packet meanwhile: a deposit on spoke A reaches the hub.
    await deposit(spokeA, 5n);
    await waitFor('the second BALANCE at the hub', async () =>
      (await hubMessages()).find((m) => m.message.type === 'BALANCE' && m.message.seq === 3n),
    );
    expect(failed.length).toBeGreaterThanOrEqual(1);
    // The hub's log can be read a moment before the relayer has seen its own receipt and counted it.
    await waitFor('the relayer to count the delivery', () => (relayer.stats.delivered >= 1 ? true : undefined));
    expect(relayer.stats.delivered).toBe(1);

    // Lift the pause: the next retry executes the order and its ACK comes back.
    await setPaused(false);
    const ack = await waitFor('ORDER_ACK from spoke B', async () =>
      (await hubMessages()).find((m) => m.message.type === 'ORDER_ACK' && m.message.orderId === orderId),
    );
    expect(ack.srcEid).toBe(40103);
    expect(relayer.stats.abandoned).toBe(0);
  });
});

describe('lz-relayer giving up on a delivery', () => {
  const anvils: AnvilChain[] = [];
  afterAll(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
  });

  it('abandons after maxAttempts, leaves the packet verified, and a later relayer run delivers it', async () => {
    anvils.push(...(await Promise.all([31337, 31338].map((chainId) => startAnvil({ chainId })))));
    const [h, a] = anvils as [AnvilChain, AnvilChain];
    const deployment = await deployOmniclear({
      hub: { name: 'hub', chainId: 31337, eid: 40101, rpcUrl: h.rpcUrl },
      spokes: [{ name: 'spoke-a', chainId: 31338, eid: 40102, rpcUrl: a.rpcUrl }],
      deployerKey,
      signers: [privateKeyToAccount(signerKey).address],
      threshold: 1,
      tokens: [{ symbol: 'USDC', decimals: 6 }],
      ackReserveWei: 0n,
    });
    const [hub, spoke] = deployment.chains as [DeployedChain, DeployedChain];
    const op = createChainClients({ rpcUrl: hub.rpcUrl, chainId: hub.chainId, privateKey: submitterKey });
    // The vault's orders are paused: every delivery reverts `InboundPaused()` until the pause is lifted.
    const vaultClients = createChainClients({ rpcUrl: spoke.rpcUrl, chainId: spoke.chainId, privateKey: deployerKey });
    const setPaused = async (paused: boolean) =>
      vaultClients.public.waitForTransactionReceipt({
        hash: await vaultClients.wallet.writeContract({
          address: spoke.vault!,
          abi: collateralVaultAbi,
          functionName: 'setInboundPaused',
          args: [paused],
        }),
      });
    await setPaused(true);
    const account = privateKeyToAccount(userKey).address;
    const token = spoke.tokens.USDC!.address;
    const orderId = liquidationOrderId({
      dstEid: spoke.eid,
      account,
      token,
      amount: 1n,
      recipient: liquidator,
      inputSeq: 9n,
    });
    const order = await signedLiquidation(op, hub, {
      dstEid: spoke.eid,
      orderId,
      account,
      token,
      amount: 1n,
      inputSeq: 9n,
    });
    const fee = await op.public.readContract({
      address: hub.hub!,
      abi: clearingHubAbi,
      functionName: 'quoteLiquidation',
      args: [order.struct],
    });
    await op.public.waitForTransactionReceipt({
      hash: await op.wallet.writeContract({
        address: hub.hub!,
        abi: clearingHubAbi,
        functionName: 'dispatchLiquidation',
        args: [order.struct, [order.signature]],
        value: fee.nativeFee,
      }),
    });

    const chains = relayerChainsFromDeployment(deployment);
    const giveUp = new Relayer({ chains, privateKey: relayerKey, backoffMs: 1, maxAttempts: 3 });
    for (let i = 0; i < 10 && giveUp.pending + giveUp.stats.abandoned < 2; i++) {
      await giveUp.tick();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(giveUp.stats).toMatchObject({ verified: 1, failedAttempts: 2, abandoned: 1, delivered: 0 });
    expect(giveUp.pending).toBe(0);

    const stored = await vaultClients.public.readContract({
      address: spoke.endpoint,
      abi: endpointV2Abi,
      functionName: 'inboundPayloadHash',
      args: [spoke.vault!, 40101, pad(hub.hub!, { size: 32 }), 1n],
    });
    expect(stored).not.toBe(zeroHash);

    await setPaused(false);
    await vaultClients.public.waitForTransactionReceipt({
      hash: await vaultClients.wallet.sendTransaction({ to: spoke.vault!, value: 10n ** 15n }),
    });
    const later = new Relayer({ chains, privateKey: relayerKey });
    await later.tick(); // LIQUIDATE delivered (already verified: no second validatePacket); ACK sent
    await later.tick(); // ORDER_ACK seen on the spoke and delivered to the hub
    expect(later.stats).toMatchObject({ verified: 1, delivered: 2, failedAttempts: 0 });
    expect(
      await vaultClients.public.readContract({
        address: spoke.vault!,
        abi: collateralVaultAbi,
        functionName: 'executed',
        args: [orderId],
      }),
    ).toBe(true);
  }, 60_000);
});
