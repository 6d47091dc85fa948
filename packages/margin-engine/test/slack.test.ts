import fc from 'fast-check';
import { FIXED_ONE as W, MarginBook, evaluateExactUnchecked, wad, type BookConfig } from '../src/index.js';
import { PricedBook, type Priced } from './priced-book.js';
import { expectSnapshotCurrent } from './snapshot-current.js';

// Price ticks re-evaluate exactly only the holders whose margin bound can have run out. The
// property: after every tick the book lists exactly the accounts an exact evaluation of every
// account lists — the bound never hides one.

const ETH = 1;
const ARB = 42161;
const config: BookConfig = {
  assets: {
    USDC: { decimals: 6, initialWeight: wad('0.95'), maintenanceWeight: wad('0.97') },
    WETH: {
      decimals: 18,
      initialWeight: wad('0.8'),
      maintenanceWeight: wad('0.85'),
      cap: 50n * W,
      discountFactor: wad('0.001'),
    },
  },
  markets: {
    'ETH-PERP': {
      baseIMR: wad('0.05'),
      baseMMR: wad('0.025'),
      imrFactor: wad('0.0000003754'),
      maxLeverage: 20n * W,
      funding: { interval: 3600n, interestRate: wad('0.0001'), clampBand: wad('0.0005'), cap: wad('0.0075') },
      volatility: { lambda: wad('0.9'), refVol: wad('0.005'), maxScale: 3n * W },
    },
  },
  chains: {
    [ETH]: { staleAfter: 600n, staleWeight: wad('0.5') },
    [ARB]: { staleAfter: 600n, staleWeight: wad('0.5') },
  },
  planner: { targetHealth: wad('1.05'), penalty: wad('0.01'), liquidatorShare: wad('0.5') },
};

const account = fc.record({
  weth: fc.array(fc.bigInt({ min: -3n * W, max: 80n * W }), { minLength: 2, maxLength: 2 }),
  usdc: fc.array(fc.bigInt({ min: -20_000_000_000n, max: 50_000_000_000n }), { minLength: 2, maxLength: 2 }),
  perp: fc.option(fc.bigInt({ min: -40n * W, max: 40n * W }), { nil: undefined }),
});

/** Reports `accounts` (acct-0, acct-1…) into the book: balances on both chains, a position at the mark. */
function seed(
  m: PricedBook,
  accounts: ReadonlyArray<{ weth: bigint[]; usdc: bigint[]; perp?: bigint | undefined }>,
): string[] {
  return accounts.map((a, i) => {
    const id = `acct-${i}`;
    [ETH, ARB].forEach((chain, c) => {
      m.book.applyBalance({ account: id, asset: 'WETH', chain, balance: a.weth[c]!, time: m.time });
      m.book.applyBalance({ account: id, asset: 'USDC', chain, balance: a.usdc[c]!, time: m.time });
    });
    if (a.perp)
      m.book.applyPosition({ account: id, market: 'ETH-PERP', qty: a.perp, openCost: (a.perp * m.price.MARK) / W });
    return id;
  });
}

const tick = fc.record({
  asset: fc.constantFrom<Priced>('WETH', 'USDC', 'MARK'),
  bps: fc.integer({ min: -900, max: 900 }),
});

describe('MarginBook price ticks', () => {
  it('property: the margin bound never hides a liquidatable account (prices, marks, funding, volatility)', () => {
    fc.assert(
      fc.property(
        fc.array(account, { minLength: 1, maxLength: 12 }),
        fc.array(tick, { minLength: 1, maxLength: 40 }),
        (accounts, ticks) => {
          const m = new PricedBook(config);
          const ids = seed(m, accounts);
          expect(m.book.liquidatable()).toEqual(m.exact(ids));
          for (const k of ticks) {
            m.move(k.asset, k.bps, Math.trunc(k.bps / 3));
            expect(m.book.liquidatable()).toEqual(m.exact(ids));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  // the second configuration's size term binds from ~1,000 USD of notional (MMR grows with size)
  const steep: BookConfig = {
    ...config,
    markets: { 'ETH-PERP': { ...config.markets['ETH-PERP']!, imrFactor: wad('0.0002') } },
  };
  it.each([
    ['flat MMR', config],
    ['size-scaled MMR', steep],
  ])(
    'property: over long walks of small ticks (gains credited, losses debited) the bound hides no liquidatable account (%s)',
    (_, cfg) => {
      fc.assert(
        fc.property(
          fc.array(account, { minLength: 1, maxLength: 10 }),
          fc.array(fc.tuple(fc.constantFrom<Priced>('WETH', 'USDC', 'MARK'), fc.integer({ min: -60, max: 60 })), {
            minLength: 100,
            maxLength: 300,
          }),
          (accounts, walk) => {
            const m = new PricedBook(cfg);
            const ids = seed(m, accounts);
            expect(m.book.liquidatable()).toEqual(m.exact(ids));
            for (const [what, bps] of walk) {
              m.move(what, bps);
              expect(m.book.liquidatable()).toEqual(m.exact(ids));
            }
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('an account with nothing left that counts (margin exactly 0) is not re-evaluated by ticks or marks', () => {
    const b = new MarginBook(config);
    b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 1n });
    b.applyMark({ market: 'ETH-PERP', markPrice: 2000n * W, indexPrice: 2000n * W, time: 1n });
    // emptied: its WETH holding is still on the books (0), its position closed (0 qty, 0 cost)
    b.applyBalance({ account: 'empty', asset: 'WETH', chain: ETH, balance: W, time: 1n });
    b.applyPosition({ account: 'empty', market: 'ETH-PERP', qty: W, openCost: 2000n * W });
    b.applyBalance({ account: 'empty', asset: 'WETH', chain: ETH, balance: 0n, time: 1n });
    b.applyPosition({ account: 'empty', market: 'ETH-PERP', qty: 0n, openCost: 0n });
    expect(b.liquidatable()).toEqual([]);
    expect(b.holdersOf('WETH')).toEqual(['empty']);
    expect(b.holdersOfMarket('ETH-PERP')).toEqual(['empty']);
    let evaluations = 0;
    const exactAccount = b.exactAccount.bind(b);
    b.exactAccount = (id: string) => {
      evaluations += 1;
      return exactAccount(id);
    };
    for (let i = 2n; i < 20n; i++) {
      const price = (2000n - 50n * i) * W;
      b.applyPrice({ asset: 'WETH', price, time: i });
      b.applyMark({ market: 'ETH-PERP', markPrice: price, indexPrice: price, time: i });
      expect(b.liquidatable()).toEqual([]);
    }
    expect(evaluations).toBe(0);
  });

  it('a small move re-evaluates no holder with room to spare; a large one does', () => {
    const b = new MarginBook(config);
    b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 1n });
    b.applyPrice({ asset: 'USDC', price: W, time: 1n });
    b.applyBalance({ account: 'rich', asset: 'WETH', chain: ETH, balance: 10n * W, time: 1n });
    b.applyBalance({ account: 'rich', asset: 'USDC', chain: ARB, balance: -1_000_000_000n, time: 1n });
    b.applyBalance({ account: 'thin', asset: 'WETH', chain: ETH, balance: W, time: 1n });
    b.applyBalance({ account: 'thin', asset: 'USDC', chain: ARB, balance: -1_650_000_000n, time: 1n });
    expect(b.liquidatable()).toEqual([]);
    const evaluated = () => {
      let n = 0;
      const orig = b.exactAccount.bind(b);
      b.exactAccount = (id: string) => {
        n += 1;
        return orig(id);
      };
      b.liquidatable();
      b.exactAccount = orig;
      return n;
    };
    // rich: 10 WETH (size-discounted to ~6,380 of weighted collateral) against 1,000 of debt;
    // thin: 1 WETH (~1,670) against 1,650 — about 20 USD of room
    b.applyPrice({ asset: 'WETH', price: 1990n * W, time: 2n }); // at most 10 USD per WETH held
    expect(evaluated()).toBe(0);
    b.applyPrice({ asset: 'WETH', price: 1960n * W, time: 3n }); // 30 more: thin's room is gone
    expect(evaluated()).toBe(1);
    expect(b.liquidatable()).toEqual(['thin']);
  });
});

// A balance or position report re-evaluates its account exactly only when the slack cannot prove
// the account stays above maintenance. The property: after every report, tick and mark the book
// lists exactly what an exact evaluation of every account lists.
const change = fc.oneof(
  fc.record({
    kind: fc.constant('balance' as const),
    who: fc.nat(),
    asset: fc.constantFrom('WETH', 'USDC'),
    chain: fc.constantFrom(ETH, ARB),
    // a factor in per mille (0: emptied, 2000: doubled), or a fresh absolute amount
    permille: fc.integer({ min: 0, max: 2000 }),
    absolute: fc.option(fc.bigInt({ min: -2n * W, max: 60n * W }), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('position' as const),
    who: fc.nat(),
    qty: fc.bigInt({ min: -40n * W, max: 40n * W }),
    entryBps: fc.integer({ min: -500, max: 500 }),
    isolated: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('tick' as const),
    asset: fc.constantFrom<Priced>('WETH', 'USDC', 'MARK'),
    bps: fc.integer({ min: -600, max: 600 }),
  }),
);

describe('MarginBook reports screened by the slack', () => {
  it('property: a balance or position report never hides a liquidatable account', () => {
    fc.assert(
      fc.property(
        fc.array(account, { minLength: 1, maxLength: 8 }),
        fc.array(change, { minLength: 1, maxLength: 60 }),
        (accounts, changes) => {
          const m = new PricedBook(config);
          const b = m.book;
          const ids = seed(m, accounts);
          const balance = (id: string, asset: string, chain: number) =>
            b.exactAccount(id).collateral.find((c) => c.asset === asset && c.chain === chain)!.qty;
          expect(b.liquidatable()).toEqual(m.exact(ids));
          for (const c of changes) {
            if (c.kind === 'balance') {
              const id = ids[c.who % ids.length]!;
              const before = balance(id, c.asset, c.chain);
              m.time += 1n;
              b.applyBalance({
                account: id,
                asset: c.asset,
                chain: c.chain,
                balance: c.absolute ?? (before * BigInt(c.permille)) / 1000n,
                time: m.time,
              });
            } else if (c.kind === 'position') {
              const id = ids[c.who % ids.length]!;
              const entry = (m.price.MARK * BigInt(10_000 + c.entryBps)) / 10_000n;
              m.time += 1n;
              b.applyPosition({
                account: id,
                market: 'ETH-PERP',
                qty: c.qty,
                openCost: (c.qty * entry) / W,
                time: m.time,
                ...(c.isolated ? { mode: 'isolated' as const, isolatedMargin: 500n * W } : {}),
              });
            } else m.move(c.asset, c.bps);
            expectSnapshotCurrent(b);
            expect(b.liquidatable()).toEqual(m.exact(ids));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a report that leaves room to spare is not re-evaluated; one that can use the room up is', () => {
    const b = new MarginBook(config);
    b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 1n });
    b.applyPrice({ asset: 'USDC', price: W, time: 1n });
    b.applyMark({ market: 'ETH-PERP', markPrice: 2000n * W, indexPrice: 2000n * W, time: 1n });
    // 1 WETH (~1,670 of weighted collateral) against 1,600 USDC of debt: about 70 USD of room
    b.applyBalance({ account: 'thin', asset: 'WETH', chain: ETH, balance: W, time: 1n });
    b.applyBalance({ account: 'thin', asset: 'USDC', chain: ARB, balance: -1_600_000_000n, time: 1n });
    expect(b.liquidatable()).toEqual([]);
    // re-evaluations: the float floor of the margin, and the exact evaluations behind it
    const internals = b as unknown as { marginFloor: (st: unknown) => number };
    const floor = internals.marginFloor.bind(b);
    const exactAccount = b.exactAccount.bind(b);
    let floats = 0;
    let exacts = 0;
    internals.marginFloor = (st) => {
      floats += 1;
      return floor(st);
    };
    b.exactAccount = (id: string) => {
      exacts += 1;
      return exactAccount(id);
    };
    const evaluated = () => {
      floats = 0;
      exacts = 0;
      const listed = b.liquidatable();
      return { floats, exacts, listed };
    };
    // more collateral: never re-evaluated
    b.applyBalance({ account: 'thin', asset: 'WETH', chain: ETH, balance: 2n * W, time: 2n });
    expect(evaluated()).toEqual({ floats: 0, exacts: 0, listed: [] });
    // back to 1 WETH: the margin can fall by up to 2,000 USD, more than the slack — re-evaluated
    // (the float floor, ~70 USD, proves it healthy: no exact evaluation)
    b.applyBalance({ account: 'thin', asset: 'WETH', chain: ETH, balance: W, time: 3n });
    expect(evaluated()).toEqual({ floats: 1, exacts: 0, listed: [] });
    // 10 USDC more debt: at most 10 USD of the ~70 — not re-evaluated
    b.applyBalance({ account: 'thin', asset: 'USDC', chain: ARB, balance: -1_610_000_000n, time: 4n });
    expect(evaluated()).toEqual({ floats: 0, exacts: 0, listed: [] });
    // a small position (0.1 ETH at the mark: ~5 USD of maintenance margin) — not re-evaluated
    b.applyPosition({ account: 'thin', market: 'ETH-PERP', qty: W / 10n, openCost: 200n * W, time: 5n });
    expect(evaluated()).toEqual({ floats: 0, exacts: 0, listed: [] });
    // the same position entered at 2,500: 50 USD of loss, within the ~55 left — not re-evaluated
    b.applyPosition({ account: 'thin', market: 'ETH-PERP', qty: W / 10n, openCost: 250n * W, time: 6n });
    expect(evaluated()).toEqual({ floats: 0, exacts: 0, listed: [] });
    // entered at 3,000: 100 USD of loss, past the room — the float floor is below 0, so the
    // exact evaluation decides: listed
    b.applyPosition({ account: 'thin', market: 'ETH-PERP', qty: W / 10n, openCost: 300n * W, time: 7n });
    expect(evaluated()).toEqual({ floats: 1, exacts: 1, listed: ['thin'] });
  });
});

describe('MarginBook float floor of the margin', () => {
  const holding = fc.record({
    asset: fc.constantFrom('WETH', 'USDC'),
    chain: fc.constantFrom(ETH, ARB),
    // from dust to whale sizes (WETH up to 10⁶, past its cap and deep into the size discount)
    balance: fc.oneof(
      fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }),
      fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
    ),
  });
  const scenario = fc.record({
    holdings: fc.array(holding, { minLength: 1, maxLength: 4 }),
    perp: fc.option(
      fc.record({
        qty: fc.bigInt({ min: -(10n ** 23n), max: 10n ** 23n }),
        entryBps: fc.integer({ min: -3000, max: 3000 }),
      }),
      { nil: undefined },
    ),
    marks: fc.array(fc.integer({ min: -2000, max: 2000 }), { maxLength: 6 }),
    weth: fc.bigInt({ min: W / 100n, max: 100_000n * W }),
    stale: fc.boolean(),
  });

  it('property: the floor never exceeds the exact margin (weighted collateral + PnL − debt − MM)', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const b = new MarginBook(config);
        let t = 1n;
        let mark = sc.weth;
        b.applyPrice({ asset: 'USDC', price: W, time: t });
        b.applyPrice({ asset: 'WETH', price: sc.weth, time: t });
        b.applyMark({ market: 'ETH-PERP', markPrice: mark, indexPrice: mark, time: t });
        for (const h of sc.holdings)
          b.applyBalance({ account: 'a', asset: h.asset, chain: h.chain, balance: h.balance, time: t });
        if (sc.perp) {
          const entry = (mark * BigInt(10_000 + sc.perp.entryBps)) / 10_000n;
          b.applyPosition({ account: 'a', market: 'ETH-PERP', qty: sc.perp.qty, openCost: (sc.perp.qty * entry) / W });
        }
        for (const bps of sc.marks) {
          t += 400n; // funding accrues, volatility moves the margin scale
          mark = (mark * BigInt(10_000 + bps)) / 10_000n + 1n;
          b.applyMark({ market: 'ETH-PERP', markPrice: mark, indexPrice: (mark * 9_990n) / 10_000n, time: t });
        }
        // a report on one chain only: the other turns stale (its collateral at half weight)
        if (sc.stale) b.applyChainReport({ chain: ETH, time: t + 1_000n });
        const r = evaluateExactUnchecked(b.exactAccount('a'), b.context(), { details: false });
        const margin = r.weightedCollateral + r.unsettledPnl - r.debt - r.maintenanceMargin;
        const state = (b as unknown as { accounts: Map<string, unknown> }).accounts.get('a');
        const floor = (b as unknown as { marginFloor: (st: unknown) => number }).marginFloor(state);
        expect(Number.isNaN(floor)).toBe(false);
        expect(BigInt(Math.floor(floor * 1e18)) <= margin).toBe(true);
        // and it is a tight floor: within 10⁻⁶ of the magnitudes (so it screens, not just bounds)
        const magnitude =
          r.weightedCollateral +
          r.debt +
          r.maintenanceMargin +
          (r.unsettledPnl < 0n ? -r.unsettledPnl : r.unsettledPnl);
        expect(Number(margin) / 1e18 - floor).toBeLessThanOrEqual(
          1e-6 * (Number(magnitude) / 1e18) + 1e-6 + 1e-6 * Math.abs(floor),
        );
      }),
      { numRuns: 1000 },
    );
  });
});
