import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEther, type Address } from 'viem';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@omniclear/protocol';
import {
  startDevnet,
  connectNats,
  DEVNET_ACTORS,
  mintAndDeposit,
  approveIntegrator,
  reportExposure,
  publishPrice,
  vaultBalance,
  tokenBalance,
  eventually,
  type Devnet,
} from '../src/index.js';

interface AccountView {
  account: Address;
  balances: Array<{ eid: number; token: string; balance: string; pending: string }>;
  positions: Array<{ market: string; qty: string; openCost: string }>;
  liquidatable: boolean;
}

interface OrderView {
  orderId: string;
  dstEid: number;
  amount: string;
  insuranceAmount: string | null;
  status: string;
  executed: string | null;
}

describe('walking skeleton: a deposit crosses every real component and a liquidation comes back', () => {
  let devnet: Devnet | undefined;
  let nc: NatsConnection | undefined;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-e2e-'));
  const trader = DEVNET_ACTORS.trader;
  const insurance = DEVNET_ACTORS.insuranceFund.address;
  const liquidator = DEVNET_ACTORS.liquidator.address;

  const account = async (): Promise<AccountView> => {
    const res = await fetch(`${devnet!.apiUrl}/accounts/${trader.address}`);
    if (res.status !== 200) throw new Error(`account view answered ${res.status}`);
    return (await res.json()) as AccountView;
  };
  const balanceOn = (view: AccountView, eid: number) => view.balances.find((c) => c.eid === eid);

  beforeAll(async () => {
    devnet = await startDevnet({ stateDir, pollMs: 100 });
    nc = await connectNats(devnet);
  });

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await devnet?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('liquidates on the spokes that hold the collateral and books the acknowledgements', async () => {
    const deployment = devnet!.deployment;
    const spokeA = deployment.chains.find((c) => c.name === 'spoke-a')!;
    const spokeB = deployment.chains.find((c) => c.name === 'spoke-b')!;
    // Prices carry the time they are published at, as the price feed's do: a liquidation expires
    // OMNI_ORDER_TTL_SECONDS after its triggering price, judged by the hub's block time.
    let t = BigInt(Math.floor(Date.now() / 1000));

    await publishPrice(nc!, { asset: 'WETH', price: parseEther('2000'), publishTime: t++ });
    await mintAndDeposit({ deployment, chain: 'spoke-a', userKey: trader.key, asset: 'WETH', amount: parseEther('1') });
    await mintAndDeposit({ deployment, chain: 'spoke-b', userKey: trader.key, asset: 'WETH', amount: parseEther('2') });
    // The deposits travel spoke → relayer → hub → gateway → JetStream → node. Packets from two
    // spokes reach the hub in no guaranteed order, so the exposure is reported only once the node
    // has booked both deposits (otherwise it could rightly liquidate a half-booked account).
    await eventually('deposits booked by the clearing node', async () => {
      const view = await account();
      return balanceOn(view, spokeA.eid)?.balance === parseEther('1').toString() &&
        balanceOn(view, spokeB.eid)?.balance === parseEther('2').toString()
        ? view
        : undefined;
    });
    // The demo perp DEX on spoke-a reports a 25 ETH-PERP long opened at 2000 (8× the 6000 USD of
    // collateral); the trader approved it as an integrator first.
    await approveIntegrator({
      deployment,
      chain: 'spoke-a',
      userKey: trader.key,
      integrator: DEVNET_ACTORS.protocol.address,
    });
    await reportExposure({
      deployment,
      chain: 'spoke-a',
      protocolKey: DEVNET_ACTORS.protocol.key,
      account: trader.address,
      market: 'ETH-PERP',
      size: parseEther('25'),
      entryPrice: parseEther('2000'),
    });
    const before = await eventually('position booked by the clearing node', async () => {
      const view = await account();
      const position = view.positions.find((p) => p.market === 'ETH-PERP');
      return position?.qty === parseEther('25').toString() ? view : undefined;
    });
    expect(before.positions.find((p) => p.market === 'ETH-PERP')!.openCost).toBe(parseEther('50000').toString());
    expect(before.liquidatable).toBe(false);
    const jsm = await jetstreamManager(nc!);
    expect((await jsm.streams.info(STREAMS.OUT.name)).state.messages).toBe(0);

    // At 1500 the long has lost 12,500 USD, more than the 3 WETH (4500 USD) of collateral.
    await publishPrice(nc!, { asset: 'WETH', price: parseEther('1500'), publishTime: t++ });

    // Each spoke's vault moved all of the trader's collateral out: the insurance fund's part of
    // the penalty to the insurance fund, the rest to the liquidator…
    await eventually('seizure executed on spoke-a', async () =>
      (await vaultBalance(deployment, 'spoke-a', trader.address, 'WETH')) === 0n ? true : undefined,
    );
    await eventually('seizure executed on spoke-b', async () =>
      (await vaultBalance(deployment, 'spoke-b', trader.address, 'WETH')) === 0n ? true : undefined,
    );
    const { orders } = (await (await fetch(`${devnet!.apiUrl}/orders`)).json()) as { orders: OrderView[] };
    const byChain = new Map(orders.map((o) => [o.dstEid, o]));
    for (const [chain, eid, whole] of [
      ['spoke-a', spokeA.eid, parseEther('1')],
      ['spoke-b', spokeB.eid, parseEther('2')],
    ] as const) {
      const toInsurance = BigInt(byChain.get(eid)!.insuranceAmount!);
      expect(toInsurance > 0n && toInsurance < whole).toBe(true);
      expect(await tokenBalance(deployment, chain, insurance, 'WETH')).toBe(toInsurance);
      expect(await tokenBalance(deployment, chain, liquidator, 'WETH')).toBe(whole - toInsurance);
    }

    // …and the acknowledgements came back through the hub: the node books what was seized.
    const after = await eventually('acknowledged seizures booked by the clearing node', async () => {
      const view = await account();
      const a = balanceOn(view, spokeA.eid);
      const b = balanceOn(view, spokeB.eid);
      return a?.balance === '0' && a.pending === '0' && b?.balance === '0' && b.pending === '0' ? view : undefined;
    });
    expect(after.balances.every((b) => b.balance === '0')).toBe(true);

    const done = (await (await fetch(`${devnet!.apiUrl}/orders`)).json()) as { orders: OrderView[] };
    const doneByChain = new Map(done.orders.map((o) => [o.dstEid, o]));
    expect(done.orders).toHaveLength(2);
    expect(doneByChain.get(spokeA.eid)).toMatchObject({
      status: 'done',
      amount: parseEther('1').toString(),
      executed: parseEther('1').toString(),
    });
    expect(doneByChain.get(spokeB.eid)).toMatchObject({
      status: 'done',
      amount: parseEther('2').toString(),
      executed: parseEther('2').toString(),
    });

    // Exactly two orders were ever emitted into the output stream.
    const out = await jsm.streams.info(STREAMS.OUT.name);
    expect(out.state.messages).toBe(2);
  });
});
