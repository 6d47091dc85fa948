import fc from 'fast-check';
import { FIXED_ONE as W, MarginBook, evaluateExactUnchecked, wad, type BookConfig } from '../src/index.js';

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

const tick = fc.record({
  asset: fc.constantFrom('WETH', 'USDC', 'MARK'),
  bps: fc.integer({ min: -900, max: 900 }),
});

describe('MarginBook price ticks', () => {
  it('property: the margin bound never hides a liquidatable account (prices, marks, funding, volatility)', () => {
    fc.assert(
      fc.property(
        fc.array(account, { minLength: 1, maxLength: 12 }),
        fc.array(tick, { minLength: 1, maxLength: 40 }),
        (accounts, ticks) => {
          const b = new MarginBook(config);
          let weth = 2000n * W;
          let usdc = W;
          let mark = 2000n * W;
          let t = 1n;
          b.applyPrice({ asset: 'USDC', price: usdc, time: t });
          b.applyPrice({ asset: 'WETH', price: weth, time: t });
          b.applyMark({ market: 'ETH-PERP', markPrice: mark, indexPrice: mark, time: t });
          accounts.forEach((a, i) => {
            const id = `acct-${i}`;
            [ETH, ARB].forEach((chain, c) => {
              b.applyBalance({ account: id, asset: 'WETH', chain, balance: a.weth[c]!, time: t });
              b.applyBalance({ account: id, asset: 'USDC', chain, balance: a.usdc[c]!, time: t });
            });
            if (a.perp)
              b.applyPosition({ account: id, market: 'ETH-PERP', qty: a.perp, openCost: (a.perp * mark) / W });
          });
          const exact = () =>
            accounts
              .map((_, i) => `acct-${i}`)
              .filter((id) => evaluateExactUnchecked(b.exactAccount(id), b.context(), { details: false }).liquidatable)
              .sort();
          expect(b.liquidatable()).toEqual(exact());
          for (const k of ticks) {
            t += 1n;
            const f = (p: bigint) => (p * BigInt(10_000 + k.bps)) / 10_000n;
            if (k.asset === 'WETH') b.applyPrice({ asset: 'WETH', price: (weth = f(weth)), time: t });
            else if (k.asset === 'USDC') b.applyPrice({ asset: 'USDC', price: (usdc = f(usdc)), time: t });
            else
              b.applyMark({
                market: 'ETH-PERP',
                markPrice: (mark = f(mark)),
                indexPrice: (mark * BigInt(10_000 - Math.trunc(k.bps / 3))) / 10_000n,
                time: t,
              });
            expect(b.liquidatable()).toEqual(exact());
          }
        },
      ),
      { numRuns: 200 },
    );
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
