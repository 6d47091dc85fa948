import fc from 'fast-check';
import { FIXED_ONE as W, MarginBook, wad, type BookConfig } from '../src/index.js';

// A liquidation plan that changes nothing (everything seizable already in flight, or held back by
// an exhausted rate limit) leaves the account idle: `liquidations` does not plan it again until
// the account changes or the rate-limit window rolls. The claim behind it: planning an idle
// account again changes nothing. The property runs two books on the same events; in one no
// account is ever idle (every liquidatable account is planned on every input, as the book did
// before): the orders, the state hash and the liquidatable list stay the same.

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
    },
  },
  chains: {
    [ETH]: { staleAfter: 600n, staleWeight: wad('0.5') },
    [ARB]: { staleAfter: 600n, staleWeight: wad('0.5') },
  },
  planner: { targetHealth: wad('1.05'), penalty: wad('0.01'), liquidatorShare: wad('0.5') },
  // tight budgets: plans are held back (queued) often, and released when the 60 s window rolls
  rateLimits: {
    window: 60n,
    perChain: { [ETH]: 3_000n * W, [ARB]: 2_000n * W },
    perMarket: { 'ETH-PERP': 20_000n * W },
  },
  insuranceFund: 1_000n * W,
};

const step = fc.oneof(
  fc.record({
    kind: fc.constant('tick' as const),
    bps: fc.integer({ min: -700, max: 500 }),
    dt: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({
    kind: fc.constant('balance' as const),
    who: fc.nat(),
    asset: fc.constantFrom('WETH', 'USDC'),
    chain: fc.constantFrom(ETH, ARB),
    amount: fc.bigInt({ min: 0n, max: 8n * W }),
  }),
  fc.record({ kind: fc.constant('position' as const), who: fc.nat(), qty: fc.bigInt({ min: -30n * W, max: 30n * W }) }),
  // the vault acknowledges the oldest seizure in flight (the balance it reports after it)
  fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('idle' as const), dt: fc.integer({ min: 1, max: 90 }) }),
);

describe('MarginBook idle accounts', () => {
  it('property: planning an idle account again changes nothing (orders, state, list)', () => {
    let skipped = 0;
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(step, { minLength: 5, maxLength: 80 }), (n, steps) => {
        const books = [new MarginBook(config), new MarginBook(config)] as const;
        let price = 2000n * W;
        let t = 1n;
        let input = 0n;
        const ids = Array.from({ length: n }, (_, i) => `acct-${i}`);
        const both = (f: (b: MarginBook) => void) => books.forEach(f);
        both((b) => {
          b.applyPrice({ asset: 'USDC', price: W, time: t });
          b.applyPrice({ asset: 'WETH', price, time: t });
          b.applyMark({ market: 'ETH-PERP', markPrice: price, indexPrice: price, time: t });
          ids.forEach((id, i) => {
            b.applyBalance({ account: id, asset: 'WETH', chain: ETH, balance: W + BigInt(i) * (W / 2n), time: t });
            b.applyBalance({ account: id, asset: 'USDC', chain: ARB, balance: 500_000_000n * BigInt(i), time: t });
            b.applyPosition({
              account: id,
              market: 'ETH-PERP',
              qty: (15n + BigInt(i)) * W,
              openCost: 15n * price + BigInt(i) * price,
            });
          });
        });
        const liquidateBoth = () => {
          input += 1n;
          const [a, b] = books;
          // the reference plans every liquidatable account on every input: no account is idle
          for (const st of (b as unknown as { accounts: Map<string, { idleSince: bigint | null }> }).accounts.values())
            st.idleSince = null;
          const rA = a.liquidations(input);
          const rB = b.liquidations(input);
          skipped += rB.results.length - rA.results.length;
          const ordersA = rA.orders;
          const ordersB = rB.orders;
          expect(ordersB).toEqual(ordersA);
          expect(b.stateHash()).toBe(a.stateHash());
          expect(b.liquidatable()).toEqual(a.liquidatable());
          return ordersA;
        };
        liquidateBoth();
        for (const s of steps) {
          if (s.kind === 'tick') {
            t += BigInt(s.dt);
            price = (price * BigInt(10_000 + s.bps)) / 10_000n;
            both((b) => {
              b.applyPrice({ asset: 'WETH', price, time: t });
              b.applyMark({ market: 'ETH-PERP', markPrice: price, indexPrice: price, time: t });
            });
          } else if (s.kind === 'balance') {
            const id = ids[s.who % n]!;
            both((b) =>
              b.applyBalance({
                account: id,
                asset: s.asset,
                chain: s.chain,
                balance: s.asset === 'USDC' ? s.amount / 10n ** 12n : s.amount,
                time: t,
              }),
            );
          } else if (s.kind === 'position') {
            const id = ids[s.who % n]!;
            both((b) =>
              b.applyPosition({ account: id, market: 'ETH-PERP', qty: s.qty, openCost: (s.qty * price) / W, time: t }),
            );
          } else if (s.kind === 'ack') {
            const pending = books[0].orders().filter((r) => r.status === 'pending');
            if (pending.length > 0) {
              const { order } = pending[s.pick % pending.length]!;
              const held = books[0]
                .exactAccount(order.account)
                .collateral.find((c) => c.asset === order.asset && c.chain === order.chain)!;
              both((b) => b.acknowledge({ id: order.id, balance: held.qty - order.amount, time: t }));
            }
          } else {
            // time passes (the rate-limit window may roll), nothing else
            t += BigInt(s.dt);
            both((b) => b.applyChainReport({ chain: ETH, time: t }));
          }
          liquidateBoth();
        }
      }),
      { numRuns: 300 },
    );
    // the runs did leave accounts idle (plans skipped), not only plan them
    expect(skipped).toBeGreaterThan(100);
  });

  it('an account held back by exhausted rate limits is planned again only when it changes or the window rolls', () => {
    // budgets of 10⁻¹⁸ USD a minute: nothing can be closed or seized within one window
    const b = new MarginBook({
      ...config,
      rateLimits: { window: 60n, perChain: { [ETH]: 1n, [ARB]: 1n }, perMarket: { 'ETH-PERP': 1n } },
    });
    b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 1n });
    b.applyMark({ market: 'ETH-PERP', markPrice: 2000n * W, indexPrice: 2000n * W, time: 1n });
    b.applyBalance({ account: 'x', asset: 'WETH', chain: ETH, balance: W, time: 1n });
    b.applyPosition({ account: 'x', market: 'ETH-PERP', qty: 20n * W, openCost: 40_000n * W });
    b.applyMark({ market: 'ETH-PERP', markPrice: 1950n * W, indexPrice: 1950n * W, time: 2n });
    const first = b.liquidations(1n);
    expect(first.orders).toEqual([]);
    expect(first.results.map((r) => r.plan.closes.length + r.plan.seizures.length)).toEqual([0]);
    expect(b.queuedAccounts()).toEqual(['x']);
    const hash = b.stateHash();
    // idle: not planned on later inputs in the same window
    expect(b.liquidations(2n).results).toEqual([]);
    expect(b.liquidations(3n).results).toEqual([]);
    expect(b.liquidatable()).toEqual(['x']);
    expect(b.stateHash()).toBe(hash);
    // a change to the account plans it again (still held back)
    b.applyBalance({ account: 'x', asset: 'WETH', chain: ARB, balance: W / 100n, time: 3n });
    expect(b.liquidations(4n).results.map((r) => r.account)).toEqual(['x']);
    expect(b.liquidations(5n).results).toEqual([]);
    // the next window brings new budget: planned again (and held back again), then idle again
    b.applyChainReport({ chain: ETH, time: 61n });
    expect(b.liquidations(6n).results.map((r) => r.account)).toEqual(['x']);
    expect(b.liquidations(7n).results).toEqual([]);
  });
});
