import fc from 'fast-check';
import {
  FIXED_ONE as W,
  FastScreen,
  evaluateAccountExact,
  toFloatInputs,
  type ExactAccount,
  type ExactContext,
} from '../src/index.js';
import { ARB_CHAIN, BASE_CHAIN, ETH_CHAIN, accountArb, riskContext } from './risk-fixtures.js';

const universe = {
  assets: ['USDC', 'WETH', 'WBTC'],
  chains: [ETH_CHAIN, ARB_CHAIN, BASE_CHAIN],
  markets: ['BTC-PERP', 'ETH-PERP'],
  slots: 2,
};

/** The context with every price scaled by a factor in [0.5, 1.5] (per mille). */
function moved(ctx: ExactContext, f: { [k: string]: number }): ExactContext {
  const s = (x: bigint, k: string) => (x * BigInt(f[k] ?? 1000)) / 1000n;
  return {
    ...ctx,
    assets: Object.fromEntries(Object.entries(ctx.assets).map(([k, a]) => [k, { ...a, price: s(a.price, k) }])),
    markets: Object.fromEntries(
      Object.entries(ctx.markets).map(([k, m]) => [
        k,
        { ...m, markPrice: s(m.markPrice, k), cumFunding: s(m.cumFunding, k) },
      ]),
    ),
  };
}

describe('FastScreen', () => {
  it('screens like the float evaluator and flags the liquidatable account', () => {
    const ctx = riskContext();
    const s = new FastScreen(universe, 3);
    const f = toFloatInputs({ collateral: [], positions: [] }, ctx);
    s.setContext(f.context);
    const bad: ExactAccount = {
      collateral: [{ asset: 'USDC', chain: ETH_CHAIN, qty: 1_000_000_000n }],
      positions: [{ market: 'ETH-PERP', qty: 10n * W, openCost: 20_600n * W, lastCumFunding: 0n }],
    };
    const good: ExactAccount = { ...bad, collateral: [{ asset: 'USDC', chain: ETH_CHAIN, qty: 10_000_000_000n }] };
    s.setAccount(0, toFloatInputs(good, ctx).account);
    s.setAccount(1, toFloatInputs(bad, ctx).account);
    expect(Array.from(s.candidates())).toEqual([1]);
    expect(s.surplusOf(1)).toBeCloseTo(1000 - 600 - 500, 9);
    // a price tick on ETH-PERP: up 10% cures account 1
    s.setMark(1, 2200, 0);
    expect(Array.from(s.candidates())).toEqual([]);
    // a USDC crash touches only USDC holders: the ETH profit still carries both
    s.setPrice(0, 0.01);
    expect(Array.from(s.candidates())).toEqual([]);
    // ETH back to 2000: both are under water now
    s.setMark(1, 2000, 0);
    expect(Array.from(s.candidates())).toEqual([0, 1]);
  });

  it('property: never misses an account the canonical path liquidates', () => {
    const plain = riskContext();
    // some funding accrued since the positions were opened
    const base: ExactContext = {
      ...plain,
      markets: Object.fromEntries(Object.entries(plain.markets).map(([k, m]) => [k, { ...m, cumFunding: 3n * W }])),
    };
    const factor = fc.integer({ min: 500, max: 1500 });
    fc.assert(
      fc.property(
        fc.array(accountArb, { minLength: 1, maxLength: 12 }),
        fc.record({ USDC: factor, WETH: factor, WBTC: factor, 'BTC-PERP': factor, 'ETH-PERP': factor }),
        (accounts, f) => {
          const ctx = moved(base, f);
          const screen = new FastScreen(universe, accounts.length);
          screen.setContext(toFloatInputs({ collateral: [], positions: [] }, ctx).context);
          accounts.forEach((a, i) => screen.setAccount(i, toFloatInputs(a, ctx).account));
          const flagged = new Set(screen.candidates());
          accounts.forEach((a, i) => {
            if (evaluateAccountExact(a, ctx, { details: false }).liquidatable) expect(flagged.has(i)).toBe(true);
          });
          // and after an incremental tick on one asset, still no miss
          const ctx2 = moved(ctx, { WETH: 700 });
          screen.setPrice(1, Number(ctx2.assets.WETH!.price) / 1e18);
          const flagged2 = new Set(screen.candidates());
          accounts.forEach((a, i) => {
            if (evaluateAccountExact(a, ctx2, { details: false }).liquidatable) expect(flagged2.has(i)).toBe(true);
          });
        },
      ),
      { numRuns: 120 },
    );
  });

  it('property: accounts on the exact threshold are flagged (knife-edge cases)', () => {
    const ctx = riskContext();
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 6n), max: 10n ** 6n }), (delta) => {
        // USDC collateral tuned so that TC − MM = delta wei
        const pos = { market: 'ETH-PERP', qty: 3n * W, openCost: 6_300n * W, lastCumFunding: 0n };
        const mm = evaluateAccountExact({ collateral: [], positions: [pos] }, ctx).maintenanceMargin; // 150
        const need = mm + 300n * W + delta; // loss 300
        const acc: ExactAccount = { collateral: [], positions: [pos], realizedPnl: need };
        const screen = new FastScreen(universe, 1);
        screen.setContext(toFloatInputs(acc, ctx).context);
        screen.setAccount(0, toFloatInputs(acc, ctx).account);
        const liq = evaluateAccountExact(acc, ctx, { details: false }).liquidatable;
        expect(liq).toBe(delta < 0n);
        if (liq) expect(screen.flagged(0)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
