import fc from 'fast-check';
import {
  FIXED_ONE as W,
  InvalidInputError,
  MarginBook,
  wad,
  type BookConfig,
  type BookSnapshot,
} from '../src/index.js';
import { expectSnapshotCurrent } from './snapshot-current.js';

const ETH = 1;
const ARB = 42161;
const config: BookConfig = {
  assets: {
    USDC: { decimals: 6, initialWeight: W, maintenanceWeight: W },
    WETH: { decimals: 18, initialWeight: wad('0.8'), maintenanceWeight: wad('0.85') },
  },
  markets: {
    'ETH-PERP': {
      baseIMR: wad('0.05'),
      baseMMR: wad('0.025'),
      imrFactor: wad('0.0000003754'),
      maxLeverage: 20n * W,
      funding: { interval: 3600n, interestRate: wad('0.0001'), clampBand: wad('0.0005'), cap: wad('0.0075') },
      volatility: { lambda: wad('0.94'), refVol: wad('0.01'), maxScale: 3n * W },
    },
  },
  chains: {
    [ETH]: { staleAfter: 600n, staleWeight: wad('0.5') },
    [ARB]: { staleAfter: 600n, staleWeight: wad('0.5') },
  },
  planner: { targetHealth: wad('1.05'), penalty: wad('0.01'), liquidatorShare: wad('0.5') },
  rateLimits: { window: 60n, perChain: { [ETH]: 1_000_000n * W } },
  insuranceFund: 10_000n * W,
};

function seeded(): MarginBook {
  const b = new MarginBook(config);
  b.applyPrice({ asset: 'USDC', price: W, time: 1n });
  b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 1n });
  b.applyMark({ market: 'ETH-PERP', markPrice: 2000n * W, indexPrice: 2000n * W, time: 1n });
  b.applyBalance({ account: 'alice', asset: 'USDC', chain: ETH, balance: 1_400_000_000n, time: 2n });
  b.applyPosition({ account: 'alice', market: 'ETH-PERP', qty: 10n * W, openCost: 21_000n * W });
  b.applyBalance({ account: 'bob', asset: 'WETH', chain: ARB, balance: 5n * W, time: 2n });
  return b;
}

describe('MarginBook', () => {
  it('lists liquidatable accounts and re-evaluates only holders on a price tick', () => {
    const b = seeded();
    expect(b.liquidatable()).toEqual(['alice']);
    expect(b.applyPrice({ asset: 'WETH', price: 1000n * W, time: 3n })).toEqual({ applied: true, holders: 1 });
    expect(b.holdersOf('WETH')).toEqual(['bob']);
    expect(b.liquidatable()).toEqual(['alice']);
    b.applyMark({ market: 'ETH-PERP', markPrice: 2100n * W, indexPrice: 2100n * W, time: 4n });
    expect(b.liquidatable()).toEqual([]);
    expect(b.applyPrice({ asset: 'WETH', price: 1n, time: 3n })).toEqual({ applied: false, holders: 0 }); // stale
  });

  it('liquidates: closes part of the position, books penalties, and the account is healthy again', () => {
    const b = seeded();
    const r = b.liquidate('alice')!;
    expect(r.plan.reachesTarget).toBe(true);
    expect(r.plan.closes[0]!.qty < 10n * W).toBe(true);
    expect(b.liquidatable()).toEqual([]);
    expect(b.evaluate('alice').healthFactor >= wad('1.05')).toBe(true);
    expect(b.ledger().penaltiesToInsurance).toBe(r.plan.penalty.insurance);
    expect(b.liquidate('alice')).toBeNull();
  });

  it('liquidates by transfer to the backstop: the position leaves the account as with a close', () => {
    const closing = seeded();
    const transferring = new MarginBook({ ...config, planner: { ...config.planner, transferPositions: true } });
    transferring.applyPrice({ asset: 'USDC', price: W, time: 1n });
    transferring.applyPrice({ asset: 'WETH', price: 2000n * W, time: 1n });
    transferring.applyMark({ market: 'ETH-PERP', markPrice: 2000n * W, indexPrice: 2000n * W, time: 1n });
    transferring.applyBalance({ account: 'alice', asset: 'USDC', chain: ETH, balance: 1_400_000_000n, time: 2n });
    transferring.applyPosition({ account: 'alice', market: 'ETH-PERP', qty: 10n * W, openCost: 21_000n * W });
    transferring.applyBalance({ account: 'bob', asset: 'WETH', chain: ARB, balance: 5n * W, time: 2n });
    const c = closing.liquidate('alice')!;
    const t = transferring.liquidate('alice')!;
    expect(t.plan.closes).toEqual([]);
    expect(t.plan.transfers.map((x) => [x.market, x.qty, x.notional, x.penalty])).toEqual(
      c.plan.closes.map((x) => [x.market, x.qty, x.notional, x.penalty]),
    );
    expect(t.plan.transfers[0]!.price).toBe(1980n * W);
    expect(transferring.exactAccount('alice').positions[0]!.qty).toBe(10n * W - t.plan.transfers[0]!.qty);
    // the same books: positions, realized PnL, penalties, budgets used — the same state hash
    expect(transferring.ledger()).toEqual(closing.ledger());
    expect(transferring.stateHash()).toBe(closing.stateHash());
    expect(transferring.liquidatable()).toEqual([]);
    expect(() => new MarginBook({ ...config, planner: { ...config.planner, transferPositions: ['NOPE'] } })).toThrow(
      /config\.planner\.transferPositions\[0\]/,
    );
  });

  it('seizes, keeps the seizure in flight until acknowledged, and never seizes it twice', () => {
    const b = new MarginBook(config);
    b.applyPrice({ asset: 'USDC', price: W, time: 1n });
    b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 1n });
    b.applyBalance({ account: 'carol', asset: 'WETH', chain: ETH, balance: 1n * W, time: 1n });
    b.applyBalance({ account: 'carol', asset: 'USDC', chain: ARB, balance: -1_800_000_000n, time: 1n });
    expect(b.liquidatable()).toEqual(['carol']);
    const r = b.liquidate('carol')!;
    expect(r.orders).toHaveLength(1);
    const o = r.orders[0]!;
    expect(o).toMatchObject({ asset: 'WETH', chain: ETH });
    expect(b.exactAccount('carol').collateral.find((c) => c.asset === 'WETH')!.pending).toBe(o.amount);
    b.acknowledge({ id: o.id, balance: W - o.amount, time: 2n });
    expect(b.exactAccount('carol').collateral.find((c) => c.asset === 'WETH')).toMatchObject({
      qty: W - o.amount,
      pending: 0n,
    });
    expect(b.liquidatable()).toEqual([]);
  });

  it('decides withdrawals on the canonical path and counts approved ones as in flight', () => {
    const b = seeded();
    const max = b.evaluate('bob').maxWithdraw[0]!.amount;
    expect(max).toBe(5n * W); // no positions, no debt
    const ok = b.requestWithdrawal({ id: 'w1', account: 'bob', asset: 'WETH', chain: ARB, amount: 3n * W, time: 5n });
    expect(ok.approved).toBe(true);
    expect(b.evaluate('bob').maxWithdraw[0]!.amount).toBe(2n * W);
    expect(
      b.requestWithdrawal({ id: 'w2', account: 'bob', asset: 'WETH', chain: ARB, amount: 3n * W, time: 5n }).approved,
    ).toBe(false);
    expect(
      b.requestWithdrawal({ id: 'w3', account: 'alice', asset: 'USDC', chain: ETH, amount: 1n, time: 5n }).approved,
    ).toBe(false);
    b.acknowledge({ id: 'w1', balance: 2n * W, time: 6n });
    expect(b.evaluate('bob').maxWithdraw[0]!.amount).toBe(2n * W);
  });

  it('a chain turning stale re-judges its holders', () => {
    const b = seeded();
    b.applyPosition({ account: 'bob', market: 'ETH-PERP', qty: -(100n * W), openCost: -(200_000n * W) });
    expect(b.liquidatable()).toEqual(['alice']); // 8500 vs MM 5000
    b.applyChainReport({ chain: ETH, time: 1000n }); // ARB last reported at 2: stale now → 4250 < 5000
    expect(b.liquidatable()).toEqual(['alice', 'bob']);
    b.applyChainReport({ chain: ARB, time: 1001n });
    expect(b.liquidatable()).toEqual(['alice']);
  });

  it('a chain turns stale exactly at lastReportAt + staleAfter, however the clock gets there', () => {
    for (const step of [1n, 7n, 599n, 600n]) {
      const b = seeded(); // ARB last reported at 2, staleAfter 600: stale from 602 on
      b.applyPosition({ account: 'bob', market: 'ETH-PERP', qty: -(100n * W), openCost: -(200_000n * W) });
      expect(b.liquidatable()).toEqual(['alice']);
      for (let t = 2n + step; t < 602n; t += step) {
        b.applyBalance({ account: 'alice', asset: 'USDC', chain: ETH, balance: 1_400_000_000n, time: t });
        expect(b.liquidatable()).toEqual(['alice']);
      }
      b.applyBalance({ account: 'alice', asset: 'USDC', chain: ETH, balance: 1_400_000_000n, time: 602n });
      expect(b.liquidatable()).toEqual(['alice', 'bob']);
      // and fresh again with its next report, stale again 600 later
      b.applyBalance({ account: 'bob', asset: 'WETH', chain: ARB, balance: 5n * W, time: 603n });
      expect(b.liquidatable()).toEqual(['alice']);
      b.applyChainReport({ chain: ETH, time: 1202n });
      expect(b.liquidatable()).toEqual(['alice']);
      b.applyChainReport({ chain: ETH, time: 1203n });
      expect(b.liquidatable()).toEqual(['alice', 'bob']);
    }
  });

  it('accrues funding and scales margins with volatility from mark events', () => {
    const b = seeded();
    b.applyMark({ market: 'ETH-PERP', markPrice: 2020n * W, indexPrice: 2000n * W, time: 3601n });
    b.applyMark({ market: 'ETH-PERP', markPrice: 2020n * W, indexPrice: 2000n * W, time: 7201n });
    const m = b.context().markets['ETH-PERP']!;
    expect(m.cumFunding > 0n).toBe(true);
    expect(m.volScale! >= W).toBe(true);
  });

  it('rejects bad input naming the field and applies nothing', () => {
    const b = seeded();
    const h = b.stateHash();
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        return (e as InvalidInputError).field;
      }
      return null;
    };
    expect(field(() => b.applyPrice({ asset: 'DOGE', price: 1n, time: 9n }))).toBe('asset');
    expect(field(() => b.applyPrice({ asset: 'WETH', price: -1n, time: 9n }))).toBe('price');
    expect(
      field(() =>
        b.applyBalance({ account: 'x', asset: 'USDC', chain: ETH, balance: 1.5 as unknown as bigint, time: 9n }),
      ),
    ).toBe('balance');
    expect(field(() => b.applyPosition({ account: 'x', market: 'NOPE', qty: 1n, openCost: 1n }))).toBe('market');
    expect(field(() => b.applyBalance({ account: 'x', asset: 'USDC', chain: 999, balance: 1n, time: 9n }))).toBe(
      'chain',
    );
    expect(b.stateHash()).toBe(h);
  });

  it('snapshotJson is the snapshot as JSON: a changed account re-serialized, a new one in sorted place', () => {
    const b = seeded();
    b.liquidatable(); // the queue is empty: the next reports ride on the accounts' slack
    const before = b.snapshotJson();
    expect(before).toBe(JSON.stringify(b.snapshot()));
    expect(b.snapshotJson()).toBe(before);
    // bob holds WETH only, far from any requirement: his new balance is booked with no re-evaluation
    b.applyBalance({ account: 'bob', asset: 'WETH', chain: ARB, balance: 6n * W, time: 3n });
    const after = b.snapshotJson();
    expect(after).toBe(JSON.stringify(b.snapshot()));
    const bob = (JSON.parse(after) as BookSnapshot).accounts.find((a) => a.id === 'bob')!;
    expect(bob.holdings.map((h) => h.qty)).toEqual([(6n * W).toString()]);
    // alice's entry is the same text as before
    const alice = (json: string) => JSON.stringify((JSON.parse(json) as BookSnapshot).accounts[0]);
    expect(alice(after)).toBe(alice(before));
    b.applyBalance({ account: 'aaron', asset: 'USDC', chain: ETH, balance: 5n, time: 4n });
    expect((JSON.parse(b.snapshotJson()) as BookSnapshot).accounts.map((a) => a.id)).toEqual(['aaron', 'alice', 'bob']);
    expect(b.snapshotJson()).toBe(JSON.stringify(b.snapshot()));
    // and it restores: the copy (every entry serialized afresh) has the same state hash
    expect(MarginBook.restore(config, JSON.parse(b.snapshotJson()) as BookSnapshot).stateHash()).toBe(b.stateHash());
  });

  it('snapshot → restore gives the same state hash and the same decisions', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              t: fc.constant('bal' as const),
              who: fc.constantFrom('a', 'b', 'c'),
              asset: fc.constantFrom('USDC', 'WETH'),
              chain: fc.constantFrom(ETH, ARB),
              v: fc.bigInt({ min: -(10n ** 21n), max: 10n ** 22n }),
            }),
            fc.record({
              t: fc.constant('pos' as const),
              who: fc.constantFrom('a', 'b', 'c'),
              qty: fc.bigInt({ min: -(20n * W), max: 20n * W }),
              entry: fc.integer({ min: 1500, max: 2500 }),
            }),
            fc.record({ t: fc.constant('mark' as const), p: fc.integer({ min: 1000, max: 3000 }) }),
            fc.record({ t: fc.constant('price' as const), p: fc.integer({ min: 500, max: 4000 }) }),
            fc.record({ t: fc.constant('liq' as const) }),
          ),
          { maxLength: 25 },
        ),
        (ops) => {
          const b = seeded();
          let time = 10n;
          for (const op of ops) {
            time += 7n;
            if (op.t === 'bal')
              b.applyBalance({ account: op.who, asset: op.asset, chain: op.chain, balance: op.v, time });
            else if (op.t === 'pos')
              b.applyPosition({
                account: op.who,
                market: 'ETH-PERP',
                qty: op.qty,
                openCost: (op.qty * BigInt(op.entry) * W) / W,
              });
            else if (op.t === 'mark')
              b.applyMark({ market: 'ETH-PERP', markPrice: BigInt(op.p) * W, indexPrice: 2000n * W, time });
            else if (op.t === 'price') b.applyPrice({ asset: 'WETH', price: BigInt(op.p) * W, time });
            else for (const a of b.liquidatable()) b.liquidate(a);
            expectSnapshotCurrent(b);
          }
          const r = MarginBook.restore(config, JSON.parse(JSON.stringify(b.snapshot())));
          expect(r.stateHash()).toBe(b.stateHash());
          expect(r.liquidatable()).toEqual(b.liquidatable());
          for (const a of b.liquidatable()) {
            const x = b.liquidate(a);
            const y = r.liquidate(a);
            expect(y?.orders).toEqual(x?.orders);
          }
          expect(r.stateHash()).toBe(b.stateHash());
        },
      ),
      { numRuns: 60 },
    );
  });
});
