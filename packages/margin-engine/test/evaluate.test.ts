import fc from 'fast-check';
import {
  FIXED_ONE as W,
  InvalidInputError,
  RATIO_INFINITY,
  discountedValue,
  evaluateAccount,
  evaluateAccountExact,
  mulDown,
  toFloatInputs,
  wad,
  weightedValue,
  type ExactAccount,
  type ExactContext,
} from '../src/index.js';
import { ARB_CHAIN, BASE_CHAIN, ETH_CHAIN, accountArb, riskContext } from './risk-fixtures.js';

const ctx = riskContext();

describe('Orderly worked example (BTC-PERP)', () => {
  // https://orderly.network docs: 0.2 BTC at mark 25986.2, baseMMR 5%, baseIMR 10%,
  // imrFactor 0.0000002512 → MMR 5% and maintenance margin 259.86.
  const account: ExactAccount = {
    collateral: [{ asset: 'USDC', chain: ETH_CHAIN, qty: 1_000_000_000n }],
    positions: [{ market: 'BTC-PERP', qty: wad('0.2'), openCost: wad('5000'), lastCumFunding: 0n }],
  };

  it('canonical: notional 5197.24, IMR 10%, MMR 5%, MM 259.862, IM 519.724', () => {
    const r = evaluateAccountExact(account, ctx);
    const p = r.positions[0]!;
    expect(p.notional).toBe(wad('5197.24'));
    expect(p.imr).toBe(wad('0.1'));
    expect(p.mmr).toBe(wad('0.05'));
    expect(p.maintenanceMargin).toBe(wad('259.862'));
    expect(p.initialMargin).toBe(wad('519.724'));
    expect(p.unsettledPnl).toBe(wad('197.24'));
    expect(r.totalCollateral).toBe(wad('1197.24'));
    expect(r.healthFactor).toBe((wad('1197.24') * W) / wad('259.862')); // no debt: TC / MM
    expect(r.liquidatable).toBe(false);
  });

  it('float path: same figures', () => {
    const f = toFloatInputs(account, ctx);
    const r = evaluateAccount(f.account, f.context);
    expect(r.positions[0]!.mmr).toBeCloseTo(0.05, 12);
    expect(r.positions[0]!.maintenanceMargin).toBeCloseTo(259.862, 9);
  });

  it('the size term takes over for a large position: IMR = imrFactor × notional^(4/5)', () => {
    const big = { ...account, positions: [{ ...account.positions[0]!, qty: 1000n * W, openCost: 25_986_200n * W }] };
    const r = evaluateAccountExact(big, ctx).positions[0]!;
    const notional = 1000 * 25986.2;
    expect(Number(r.imr) / 1e18).toBeCloseTo(0.0000002512 * Math.pow(notional, 0.8), 12);
    expect(Number(r.mmr) / 1e18).toBeCloseTo(0.5 * 0.0000002512 * Math.pow(notional, 0.8), 12);
    expect(r.imr > wad('0.1')).toBe(true);
  });

  it('liquidation price: closed form, and the account is liquidatable exactly below it', () => {
    const r = evaluateAccountExact(account, ctx);
    const lp = r.positions[0]!.liquidationPrice!;
    // 1000 + 0.2·(m) − 5000 = 0.2·m·0.05  ⇒  m = 4000 / 0.19
    expect(Number(lp) / 1e18).toBeCloseTo(4000 / 0.19, 6);
    const at = (mark: bigint) =>
      evaluateAccountExact(account, {
        ...ctx,
        markets: { ...ctx.markets, 'BTC-PERP': { ...ctx.markets['BTC-PERP']!, markPrice: mark } },
      });
    expect(at(lp).liquidatable).toBe(true);
    expect(at(lp + 1n).liquidatable).toBe(false);
  });
});

describe('Aave-style health factor (no positions)', () => {
  const aave: ExactContext = riskContext({
    assets: {
      WETH: { price: 2000n * W, decimals: 18, initialWeight: wad('0.8'), maintenanceWeight: wad('0.825') },
      USDC: { price: W, decimals: 6, initialWeight: wad('0.87'), maintenanceWeight: wad('0.89') },
    },
  });

  it('1 ETH collateral, 1000 USDC debt → HF = 2000 × 0.825 / 1000 = 1.65', () => {
    const r = evaluateAccountExact(
      {
        collateral: [
          { asset: 'WETH', chain: ETH_CHAIN, qty: W },
          { asset: 'USDC', chain: ARB_CHAIN, qty: -1_000_000_000n },
        ],
        positions: [],
      },
      aave,
    );
    expect(r.healthFactor).toBe(wad('1.65'));
    expect(r.debt).toBe(1000n * W);
    expect(r.freeCollateral).toBe(600n * W); // 2000 × 0.8 − 1000
    // max withdraw keeps free collateral ≥ 0: 600 / (2000 × 0.8) = 0.375 ETH
    expect(r.maxWithdraw).toEqual([{ asset: 'WETH', chain: ETH_CHAIN, amount: wad('0.375') }]);
  });

  it('does not net a positive and a negative balance of one asset across chains', () => {
    const r = evaluateAccountExact(
      {
        collateral: [
          { asset: 'USDC', chain: ETH_CHAIN, qty: 1_000_000_000n },
          { asset: 'USDC', chain: ARB_CHAIN, qty: -900_000_000n },
        ],
        positions: [],
      },
      aave,
    );
    expect(r.weightedCollateral).toBe(890n * W);
    expect(r.debt).toBe(900n * W);
    expect(r.liquidatable).toBe(true); // netted it would be +100
  });

  it('health factor is ∞ (RATIO_INFINITY) with neither debt nor positions', () => {
    const r = evaluateAccountExact({ collateral: [], positions: [] }, aave);
    expect(r.healthFactor).toBe(RATIO_INFINITY);
    expect(
      evaluateAccount({ collateral: [], positions: [] }, toFloatInputs({ collateral: [], positions: [] }, aave).context)
        .healthFactor,
    ).toBe(Infinity);
  });
});

describe('collateral rules', () => {
  it('a stale chain counts at its staleWeight; in-flight amounts are already gone', () => {
    const one = (chain: number, pending = 0n) =>
      evaluateAccountExact({ collateral: [{ asset: 'USDC', chain, qty: 100_000_000n, pending }], positions: [] }, ctx)
        .weightedCollateral;
    expect(one(ETH_CHAIN)).toBe(100n * W);
    expect(one(BASE_CHAIN)).toBe(50n * W);
    expect(one(ETH_CHAIN, 40_000_000n)).toBe(60n * W);
  });

  it('caps the quantity and discounts large holdings: weight = min(base, 1.2 / (1 + d·value^0.8))', () => {
    const r = evaluateAccountExact(
      { collateral: [{ asset: 'WETH', chain: ETH_CHAIN, qty: 200_000n * W }], positions: [] },
      ctx,
    );
    const value = 100_000 * 2000; // capped at 100k WETH
    const w = Math.min(0.85, 1.2 / (1 + 0.00001 * Math.pow(value, 0.8)));
    expect(Number(r.weightedCollateral) / 1e18 / (value * w)).toBeCloseTo(1, 12);
    const small = evaluateAccountExact(
      { collateral: [{ asset: 'WETH', chain: ETH_CHAIN, qty: W }], positions: [] },
      ctx,
    );
    expect(small.weightedCollateral).toBe(1700n * W); // discount does not bind: 0.85 × 2000
  });

  it('an isolated position is judged alone', () => {
    const r = evaluateAccountExact(
      {
        collateral: [{ asset: 'USDC', chain: ETH_CHAIN, qty: 10n ** 12n }],
        positions: [
          {
            market: 'ETH-PERP',
            qty: 10n * W,
            openCost: 25_000n * W,
            lastCumFunding: 0n,
            mode: 'isolated',
            isolatedMargin: 4000n * W,
          },
        ],
      },
      ctx,
    );
    // equity 4000 + (20000 − 25000) < 0: the position is liquidatable, the rich cross account is not
    expect(r.positions[0]!.liquidatable).toBe(true);
    expect(r.crossLiquidatable).toBe(false);
    expect(r.liquidatable).toBe(true);
    expect(r.maintenanceMargin).toBe(0n);
  });

  it('charges funding: qty × (F − F0) comes off the PnL', () => {
    const c2 = riskContext();
    const acc = (f0: bigint): ExactAccount => ({
      collateral: [],
      positions: [{ market: 'ETH-PERP', qty: 2n * W, openCost: 4000n * W, lastCumFunding: f0 }],
    });
    const m = { ...c2, markets: { ...c2.markets, 'ETH-PERP': { ...c2.markets['ETH-PERP']!, cumFunding: 5n * W } } };
    expect(evaluateAccountExact(acc(0n), m).unsettledPnl).toBe(-10n * W);
    expect(evaluateAccountExact(acc(5n * W), m).unsettledPnl).toBe(0n);
  });
});

describe('bad input', () => {
  const good: ExactAccount = { collateral: [{ asset: 'USDC', chain: ETH_CHAIN, qty: 1n }], positions: [] };
  const field = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputError);
      return (e as InvalidInputError).field;
    }
    throw new Error('did not throw');
  };

  it('names the field of an unknown asset or market, a negative price, NaN, a non-integer amount', () => {
    expect(
      field(() => evaluateAccountExact({ ...good, collateral: [{ asset: 'DOGE', chain: 1, qty: 1n }] }, ctx)),
    ).toBe('account.collateral[0].asset');
    expect(
      field(() =>
        evaluateAccountExact(
          { collateral: [], positions: [{ market: 'X', qty: 1n, openCost: 0n, lastCumFunding: 0n }] },
          ctx,
        ),
      ),
    ).toBe('account.positions[0].market');
    expect(
      field(() =>
        evaluateAccountExact(good, { ...ctx, assets: { ...ctx.assets, USDC: { ...ctx.assets.USDC!, price: -1n } } }),
      ),
    ).toBe('context.assets.USDC.price');
    expect(
      field(() =>
        evaluateAccountExact(
          { ...good, collateral: [{ asset: 'USDC', chain: 1, qty: 1.5 as unknown as bigint }] },
          ctx,
        ),
      ),
    ).toBe('account.collateral[0].qty');
    const f = toFloatInputs(good, ctx);
    expect(
      field(() => evaluateAccount({ ...f.account, collateral: [{ asset: 'USDC', chain: 1, qty: NaN }] }, f.context)),
    ).toBe('account.collateral[0].qty');
    expect(
      field(() =>
        evaluateAccount(f.account, {
          ...f.context,
          markets: { ...f.context.markets, 'ETH-PERP': { ...f.context.markets['ETH-PERP']!, markPrice: NaN } },
        }),
      ),
    ).toBe('context.markets.ETH-PERP.markPrice');
  });
});

describe('health factor of an underwater account', () => {
  // Debt of 1 USDC and a short BTC position whose loss exceeds everything: the quotient
  // (weighted collateral + PnL) / (debt + MM) is negative, and repaying a unit of debt would make
  // it more negative. The health factor is floored at 0 so that more collateral never lowers it.
  const underwater: ExactAccount = {
    collateral: [{ asset: 'USDC', chain: 1, qty: -1_000_000n }],
    positions: [
      {
        market: 'BTC-PERP',
        qty: -(10n ** 15n),
        openCost: -12_993_100_000_000_000_000n,
        lastCumFunding: 0n,
        mode: 'cross',
      },
    ],
  };

  it('is 0 on both paths, and stays 0 as a unit of debt is repaid', () => {
    const before = evaluateAccountExact(underwater, ctx, { details: false });
    expect(before.weightedCollateral + before.unsettledPnl).toBeLessThan(0n);
    expect(before.healthFactor).toBe(0n);
    expect(before.liquidatable).toBe(true);
    const repaid = evaluateAccountExact(
      { ...underwater, collateral: [{ asset: 'USDC', chain: 1, qty: -999_999n }] },
      ctx,
      { details: false },
    );
    expect(repaid.debt).toBeLessThan(before.debt);
    expect(repaid.healthFactor).toBe(0n);
    const f = toFloatInputs(underwater, ctx);
    expect(evaluateAccount(f.account, f.context).healthFactor).toBe(0);
  });
});

describe('properties', () => {
  const withMark = (c: ExactContext, market: string, mark: bigint): ExactContext => ({
    ...c,
    markets: { ...c.markets, [market]: { ...c.markets[market]!, markPrice: mark } },
  });

  it('more collateral never lowers health', () => {
    fc.assert(
      fc.property(
        accountArb,
        fc.integer({ min: 0, max: 2 }),
        fc.bigInt({ min: 1n, max: 10n ** 24n }),
        (acc, i, extra) => {
          const before = evaluateAccountExact(acc, ctx, { details: false });
          const asset = ['USDC', 'WETH', 'WBTC'][i]!;
          const idx = acc.collateral.findIndex((c) => c.asset === asset && c.chain === ETH_CHAIN);
          const collateral =
            idx >= 0
              ? acc.collateral.map((c, j) => (j === idx ? { ...c, qty: c.qty + extra } : c))
              : [...acc.collateral, { asset, chain: ETH_CHAIN, qty: extra }];
          const after = evaluateAccountExact({ ...acc, collateral }, ctx, { details: false });
          expect(after.healthFactor >= before.healthFactor).toBe(true);
          expect(after.freeCollateral >= before.freeCollateral).toBe(true);
          if (!before.crossLiquidatable) expect(after.crossLiquidatable).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  // Health as a ratio can rise when a long loses value (its MM shrinks with the notional faster
  // than the equity, e.g. a 5x-collateralised long), so the monotone quantities are the margin
  // surplus (TC − MM, whose sign is the liquidation decision) and the decision itself.
  it('a price move against a position never raises the margin surplus nor cures liquidatability', () => {
    fc.assert(
      fc.property(accountArb, fc.integer({ min: 1, max: 5000 }), (acc, bps) => {
        const p = acc.positions.find((q) => (q.mode ?? 'cross') === 'cross' && q.qty !== 0n);
        if (!p) return;
        const m0 = ctx.markets[p.market]!.markPrice;
        const move = (m0 * BigInt(bps)) / 10_000n;
        const against = p.qty > 0n ? m0 - move : m0 + move;
        const before = evaluateAccountExact(acc, ctx, { details: false });
        const after = evaluateAccountExact(acc, withMark(ctx, p.market, against), { details: false });
        // other positions are in other markets, so only this one moves
        expect(
          after.totalCollateral - after.maintenanceMargin <= before.totalCollateral - before.maintenanceMargin,
        ).toBe(true);
        if (before.crossLiquidatable) expect(after.crossLiquidatable).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('float and exact paths agree within tolerance', () => {
    fc.assert(
      fc.property(accountArb, (acc) => {
        const e = evaluateAccountExact(acc, ctx);
        const f0 = toFloatInputs(acc, ctx);
        const f = evaluateAccount(f0.account, f0.context);
        const close = (x: bigint, y: number, scale: number) =>
          expect(Math.abs(Number(x) / 1e18 - y)).toBeLessThanOrEqual(1e-9 * Math.max(1, scale));
        const scale =
          Number(e.weightedCollateral + e.debt + e.maintenanceMargin) / 1e18 +
          acc.positions.reduce((s, p) => s + Math.abs(Number(p.openCost)) / 1e18, 0);
        close(e.totalCollateral, f.totalCollateral, scale);
        close(e.freeCollateral, f.freeCollateral, scale);
        close(e.maintenanceMargin, f.maintenanceMargin, scale);
        close(e.initialMargin, f.initialMargin, scale);
        e.positions.forEach((p, i) => {
          const fp = f.positions[i]!;
          close(p.maintenanceMargin, fp.maintenanceMargin, scale);
          if (p.liquidationPrice !== null && fp.liquidationPrice !== null)
            expect(Math.abs(Number(p.liquidationPrice) / 1e18 - fp.liquidationPrice)).toBeLessThanOrEqual(
              1e-6 * fp.liquidationPrice + 1e-9,
            );
        });
        if (e.liquidatable !== f.liquidatable) {
          // only possible on the knife edge
          const gap = Number(e.weightedCollateral + e.unsettledPnl - e.debt - e.maintenanceMargin) / 1e18;
          expect(Math.abs(gap)).toBeLessThanOrEqual(1e-9 * scale);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('max withdrawal is the largest amount that keeps free collateral ≥ 0', () => {
    fc.assert(
      fc.property(accountArb, (acc) => {
        const r = evaluateAccountExact(acc, ctx);
        for (const w of r.maxWithdraw.slice(0, 2)) {
          const take = (x: bigint) =>
            evaluateAccountExact(
              {
                ...acc,
                collateral: acc.collateral.map((c) =>
                  c.asset === w.asset && c.chain === w.chain ? { ...c, qty: c.qty - x } : c,
                ),
              },
              ctx,
              { details: false },
            ).freeCollateral;
          if (w.amount > 0n) expect(take(w.amount) >= 0n).toBe(true);
          const h = acc.collateral.find((c) => c.asset === w.asset && c.chain === w.chain)!;
          if (w.amount < h.qty - (h.pending ?? 0n)) expect(take(w.amount + 1n) < 0n).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('size discount', () => {
  const weth = ctx.assets.WETH!;
  const capped = (q: bigint) => (q < weth.cap! ? q : weth.cap!);

  it('weighted value is nondecreasing in quantity down to the last wei (the discount binds here)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 24n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (q, d) => {
        expect(
          weightedValue(q + d, weth, weth.maintenanceWeight) >= weightedValue(q, weth, weth.maintenanceWeight),
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
    // the case fast-check once found with a per-weight rounding: 1 wei more must not count less
    const q = 1_198_540_000_000_000_000_000n;
    expect(weightedValue(q + 1n, weth, weth.maintenanceWeight) >= weightedValue(q, weth, weth.maintenanceWeight)).toBe(
      true,
    );
  });

  it('skipping the root below the crossover gives the same bits as computing it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 24n }), (q) => {
        const value = mulDown(capped(q), weth.price);
        const full =
          value === 0n
            ? 0n
            : [mulDown(value, weth.maintenanceWeight), discountedValue(value, wad('1.2'), weth.discountFactor!)].reduce(
                (a, b) => (a < b ? a : b),
              );
        expect(weightedValue(q, weth, weth.maintenanceWeight)).toBe(full);
      }),
      { numRuns: 300 },
    );
  });
});
