import { FIXED_ONE as W, InvalidInputError, MarginBook, wad, type BookConfig } from '../src/index.js';
import { A, USDC_A, WETH_A, ALICE, BOB, LIQUIDATOR, orderId } from './vaults.js';
import { expectSnapshotCurrent } from './snapshot-current.js';

// A maximum price age per asset: the book's time (the latest input's) less the price's time. A
// stale price holds back the withdrawal approvals and liquidations of the asset's holders, and a
// fresh one lets them go ahead.

const MAX_AGE = 60n;
const config: BookConfig = {
  assets: {
    USDC: { decimals: 6, initialWeight: W, maintenanceWeight: W, tokens: { [A]: USDC_A } },
    WETH: {
      decimals: 18,
      initialWeight: wad('0.8'),
      maintenanceWeight: wad('0.85'),
      tokens: { [A]: WETH_A },
      maxPriceAge: MAX_AGE,
    },
  },
  markets: {
    'ETH-PERP': { baseIMR: wad('0.05'), baseMMR: wad('0.025'), imrFactor: wad('0.0000003754'), maxLeverage: 20n * W },
  },
  chains: { [A]: { staleAfter: 1_000_000n, staleWeight: wad('0.5') } },
  planner: { targetHealth: wad('1.05'), penalty: wad('0.02'), liquidatorShare: wad('0.5') },
  liquidator: LIQUIDATOR,
  orderId,
};

/** Alice holds 1 WETH (priced at 100) and is short 10 ETH-PERP at 2,000; Bob holds USDC only. */
function book(): MarginBook {
  const b = new MarginBook(config);
  b.applyPrice({ asset: 'USDC', price: W, time: 100n });
  b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 100n });
  b.applyMark({ market: 'ETH-PERP', markPrice: 2000n * W, indexPrice: 2000n * W, time: 100n });
  b.applyBalance({ account: ALICE, asset: 'WETH', chain: A, balance: W, time: 100n });
  b.applyBalance({ account: BOB, asset: 'USDC', chain: A, balance: 1_000_000_000n, time: 100n });
  b.applyPosition({ account: ALICE, market: 'ETH-PERP', qty: -10n * W, openCost: -20_000n * W });
  return b;
}

describe('maximum price age', () => {
  it('turns a price stale once the book’s time is more than maxPriceAge past it (no clock)', () => {
    const b = book();
    b.applyChainReport({ chain: A, time: 100n + MAX_AGE });
    expect(b.stalePrices()).toEqual([]);
    expect(b.priceAges()).toEqual([{ asset: 'WETH', time: 100n, age: MAX_AGE, maxAge: MAX_AGE, stale: false }]);
    b.applyChainReport({ chain: A, time: 101n + MAX_AGE });
    expect(b.stalePrices()).toEqual([{ asset: 'WETH', time: 100n, age: MAX_AGE + 1n, maxAge: MAX_AGE, stale: true }]);
    // every asset with a maximum age, stale or not (USDC has none)
    expect(b.priceAges()).toEqual(b.stalePrices());
    // only its holders see it; an asset without a maximum age never turns stale
    expect(b.accountView(ALICE)).toMatchObject({ stalePrices: ['WETH'], deferred: 'stale-price' });
    expect(b.accountView(BOB)).toMatchObject({ stalePrices: [], deferred: null });
  });

  it('refuses a symbolic withdrawal while a held asset’s price is stale (it cannot wait), approves it once fresh', () => {
    const b = book();
    b.applyChainReport({ chain: A, time: 500n });
    const stale = b.requestWithdrawal({ id: 'w1', account: ALICE, asset: 'WETH', chain: A, amount: 1n, time: 500n });
    expect(stale).toMatchObject({ approved: false, reason: 'stale-price', maxWithdraw: 0n });
    // an asset it does not hold does not matter
    const bob = b.requestWithdrawal({ id: 'w2', account: BOB, asset: 'USDC', chain: A, amount: 1n, time: 500n });
    expect(bob).toMatchObject({ approved: true });
    b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 500n });
    const fresh = b.requestWithdrawal({ id: 'w3', account: ALICE, asset: 'WETH', chain: A, amount: 1n, time: 500n });
    expect(fresh).toMatchObject({ approved: true, reason: 'approved' });
  });

  it('holds a vault’s withdrawal request undecided (seizable) while stale; the next liquidations() after a fresh price decides it', () => {
    const b = book();
    b.applyChainReport({ chain: A, time: 500n });
    const request = {
      type: 'WITHDRAW_REQUEST',
      account: ALICE,
      token: WETH_A,
      amount: W / 10n,
      requestId: 1n,
    } as const;
    const r = b.applyChainMessage({ eid: A, seq: 1n, time: 500n, inputSeq: 1n, message: request });
    expect(r).toMatchObject({ applied: true, decisions: [], note: 'decision waits for a fresh price' });
    // frozen at the vault, not approved: out for margin, seizable
    const weth = () => b.accountView(ALICE).holdings.find((h) => h.asset === 'WETH')!;
    expect(weth()).toMatchObject({ balance: W, pending: W / 10n, seizable: W });
    expect(b.liquidations(2n, 500n).decisions).toEqual([]);
    // a restored book knows it waits
    const restored = MarginBook.restore(config, b.snapshot());
    expect(restored.stateHash()).toBe(b.stateHash());
    for (const x of [b, restored]) x.applyPrice({ asset: 'WETH', price: 2000n * W, time: 500n });
    const decided = b.liquidations(3n, 500n).decisions;
    expect(decided).toMatchObject([
      { requestId: 1n, approved: true, reason: 'approved', amount: W / 10n, inputSeq: 3n },
    ]);
    expect(restored.liquidations(3n, 500n).decisions).toEqual(decided);
    expect(b.liquidations(4n, 500n).decisions).toEqual([]); // once
    expect(weth()).toMatchObject({ pending: W / 10n, seizable: W - W / 10n });
    // symbolic requests may not take a vault request's key
    expect(() =>
      b.requestWithdrawal({ id: 'w:1:2', account: BOB, asset: 'USDC', chain: A, amount: 1n, time: 500n }),
    ).toThrow(/id: ids w:<eid>:<requestId> are the vaults’ requests/);
  });

  it('defers the liquidation of a holder while its price is stale and plans it with a fresh one', () => {
    const b = book();
    // the mark rises: Alice's short is under water; WETH's last price is from 100
    b.applyMark({ market: 'ETH-PERP', markPrice: 2150n * W, indexPrice: 2150n * W, time: 200n });
    expect(b.liquidatable()).toEqual([ALICE]);
    const held = b.liquidations(1n, 200n);
    expect(held).toMatchObject({ orders: [], deferred: [{ account: ALICE, reason: 'stale-price' }] });
    expect(b.liquidate(ALICE, 2n, 200n)).toBeNull();
    // a price that arrives late, already stale at the book's time, changes nothing
    b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 130n });
    expect(b.stalePrices()).toMatchObject([{ asset: 'WETH', time: 130n, age: 70n }]);
    expect(b.liquidations(3n, 200n).orders).toEqual([]);
    // a fresh price: the holder is looked at again and liquidated
    b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 200n });
    expect(b.stalePrices()).toEqual([]);
    const r = b.liquidations(4n, 200n);
    expect(r.deferred).toEqual([]);
    expect(r.orders.length).toBeGreaterThan(0);
    expectSnapshotCurrent(b);
  });

  it('is derived from the prices a snapshot keeps: a restored book judges the same', () => {
    const b = book();
    b.applyChainReport({ chain: A, time: 500n });
    const restored = MarginBook.restore(config, b.snapshot());
    expect(restored.stalePrices()).toEqual(b.stalePrices());
    expect(restored.stateHash()).toBe(b.stateHash());
  });

  it('refuses a maximum age below one second', () => {
    for (const maxPriceAge of [0n, -1n]) {
      const bad = { ...config, assets: { ...config.assets, USDC: { ...config.assets['USDC']!, maxPriceAge } } };
      expect(() => new MarginBook(bad)).toThrow(InvalidInputError);
      expect(() => new MarginBook(bad)).toThrow(/config\.assets\.USDC\.maxPriceAge/);
    }
  });
});
