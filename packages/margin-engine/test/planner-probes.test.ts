import fc from 'fast-check';
import {
  collateralTotals,
  evaluateExactUnchecked,
  isCross,
  maintenanceAt,
  signedHealth,
  signedHealthOf,
  unsettledPnl,
} from '../src/evaluate.js';
import {
  closeBracket,
  closeTrial,
  planUnchecked,
  seizureProbe,
  type PlanBudget,
  type PlannerConfig,
} from '../src/planner.js';
import type { ExactAccount, ExactContext, ExactMarketParams, ExactPosition } from '../src/model/types.js';
import { referenceCloseTrial, referencePlan, referenceSeizureTrial, type Mutable } from './reference-planner.js';
import { ARB_CHAIN, BASE_CHAIN, ETH_CHAIN, W, accountArb, riskContext } from './risk-fixtures.js';

// The planner's bisection probes are judged on the exact health's sums with only the changed part
// recomputed. These properties hold them to the full evaluation bit for bit: each probe against
// signedHealth(evaluateExactUnchecked(trial account)), and whole plans against the planner as it
// was (test/reference-planner.ts), which evaluated every probe in full.

const MARKETS = ['BTC-PERP', 'ETH-PERP', 'SOL-PERP'] as const;
const SOL: ExactMarketParams = {
  markPrice: 150n * W,
  cumFunding: 0n,
  baseIMR: W / 10n,
  baseMMR: W / 20n,
  imrFactor: W / 1_000_000n,
  maxLeverage: 10n * W,
};
const base = riskContext();
const baseMarkets: Record<string, ExactMarketParams> = { ...base.markets, 'SOL-PERP': SOL };

/** {@link riskContext} with a third market, marks moved ±40 %, funding, volatility scaling, WETH repriced, and later clocks (stale chains). */
const contextArb: fc.Arbitrary<ExactContext> = fc
  .record({
    markPct: fc.tuple(...MARKETS.map(() => fc.integer({ min: 60, max: 140 }))),
    fundingMicro: fc.tuple(...MARKETS.map(() => fc.integer({ min: -2_000_000, max: 2_000_000 }))),
    volPct: fc.option(fc.integer({ min: 80, max: 300 }), { nil: undefined }),
    wethPct: fc.integer({ min: 40, max: 160 }),
    now: fc.constantFrom(1000n, 1500n, 2000n),
  })
  .map(({ markPct, fundingMicro, volPct, wethPct, now }) => ({
    ...base,
    assets: {
      ...base.assets,
      WETH: { ...base.assets.WETH!, price: (base.assets.WETH!.price * BigInt(wethPct)) / 100n },
    },
    markets: Object.fromEntries(
      MARKETS.map((name, k) => {
        const m = baseMarkets[name]!;
        const market: ExactMarketParams = {
          ...m,
          markPrice: (m.markPrice * BigInt(markPct[k]!)) / 100n,
          cumFunding: BigInt(fundingMicro[k]!) * 10n ** 12n,
          ...(volPct === undefined ? {} : { volScale: (W * BigInt(volPct)) / 100n }),
        };
        return [name, market];
      }),
    ),
    now,
  }));

/** {@link accountArb} with an optional SOL-PERP position (up to 3 positions) and a realized PnL, often a loss. */
const wideAccountArb: fc.Arbitrary<ExactAccount> = fc
  .record({
    account: accountArb,
    sol: fc.option(
      fc.record({
        qtyMilli: fc.integer({ min: -400_000, max: 400_000 }),
        entryPct: fc.integer({ min: 50, max: 150 }),
        isolated: fc.boolean(),
        isoMargin: fc.integer({ min: 0, max: 20_000 }),
      }),
      { nil: null },
    ),
    realizedPnl: fc.oneof(fc.constant(0n), fc.bigInt({ min: -40_000n * W, max: 10_000n * W })),
  })
  .map(({ account, sol, realizedPnl }) => {
    const positions: ExactPosition[] = [...account.positions];
    if (sol) {
      const qty = (BigInt(sol.qtyMilli) * W) / 1000n;
      positions.push({
        market: 'SOL-PERP',
        qty,
        openCost: (((qty * SOL.markPrice) / W) * BigInt(sol.entryPct)) / 100n,
        lastCumFunding: 0n,
        mode: sol.isolated ? 'isolated' : 'cross',
        isolatedMargin: sol.isolated ? BigInt(sol.isoMargin) * W : 0n,
      });
    }
    return { collateral: account.collateral, positions, realizedPnl };
  });

/** A planner's working copy of an account. */
const working = (acc: ExactAccount): Mutable => ({
  collateral: acc.collateral.map((c) => ({ ...c })),
  positions: acc.positions.map((p) => ({ ...p })),
  realizedPnl: acc.realizedPnl ?? 0n,
});
const fullHealth = (a: ExactAccount, ctx: ExactContext) =>
  signedHealth(evaluateExactUnchecked(a, ctx, { details: false }));

/** Probe amounts in [0, max]: the ends, one unit, and random points between. */
const amounts = (max: bigint, fracs: readonly bigint[]) => [0n, 1n, max, max - 1n, ...fracs.map((f) => (max * f) / W)];
const penaltyArb = fc.bigInt({ min: 0n, max: W / 10n });
const fracsArb = fc.array(fc.bigInt({ min: 0n, max: W }), { minLength: 4, maxLength: 10 });

describe('planner probes', () => {
  it('property: collateral and position pieces add up to what evaluateExactUnchecked reports', () => {
    fc.assert(
      fc.property(contextArb, wideAccountArb, (ctx, acc) => {
        const r = evaluateExactUnchecked(acc, ctx, { details: false });
        expect(collateralTotals(acc.collateral, ctx)).toEqual({
          wcM: r.weightedCollateral,
          wcI: r.weightedCollateralInitial,
          debt: r.debt,
        });
        expect(collateralTotals(acc.collateral, ctx, false)).toEqual({
          wcM: r.weightedCollateral,
          wcI: null,
          debt: r.debt,
        });
        acc.positions.forEach((p, i) => {
          const m = ctx.markets[p.market]!;
          expect(maintenanceAt(p.qty, m.markPrice, m)).toBe(r.positions[i]!.maintenanceMargin);
          expect(unsettledPnl(p, m.markPrice, m.cumFunding)).toBe(r.positions[i]!.unsettledPnl);
        });
        let pnl = acc.realizedPnl ?? 0n;
        let mm = 0n;
        for (const p of acc.positions.filter(isCross)) {
          const m = ctx.markets[p.market]!;
          pnl += unsettledPnl(p, m.markPrice, m.cumFunding);
          mm += maintenanceAt(p.qty, m.markPrice, m);
        }
        expect([pnl, mm]).toEqual([r.unsettledPnl, r.maintenanceMargin]);
        expect(signedHealthOf(r.weightedCollateral, pnl, r.debt, mm)).toBe(signedHealth(r));
      }),
      { numRuns: 300 },
    );
  });

  it('property: a close probe is the full evaluation of the account with that much closed', () => {
    let probed = 0;
    fc.assert(
      fc.property(contextArb, wideAccountArb, fc.nat(), fracsArb, penaltyArb, (ctx, acc, pick, fracs, penalty) => {
        const a = working(acc);
        const cross = a.positions.flatMap((p, i) => (isCross(p) && p.qty !== 0n ? [i] : []));
        if (cross.length === 0) return;
        const i = cross[pick % cross.length]!;
        const probe = closeTrial(a, ctx, i, penalty).health;
        const q = a.positions[i]!.qty;
        for (const x of amounts(q < 0n ? -q : q, fracs)) {
          expect(probe(x)).toBe(fullHealth(referenceCloseTrial(a, ctx, i, x, penalty), ctx));
          probed++;
        }
        expect(probe(0n)).toBe(fullHealth(acc, ctx)); // closing nothing is the account as it is
        expect(a).toStrictEqual(working(acc)); // probes leave the account alone
      }),
      { numRuns: 400 },
    );
    expect(probed).toBeGreaterThan(1000);
  });

  it('property: a seizure probe is the full evaluation of the account with that much seized and repaid', () => {
    let probed = 0;
    let repaid = 0;
    fc.assert(
      fc.property(contextArb, wideAccountArb, fc.nat(), fracsArb, penaltyArb, (ctx, acc, pick, fracs, penalty) => {
        const a = working(acc);
        const held = a.collateral.flatMap((c, i) => (c.qty - (c.pending ?? 0n) > 0n ? [i] : []));
        if (held.length === 0) return;
        const i = held[pick % held.length]!;
        const probe = seizureProbe(a, ctx, i, penalty);
        const c = a.collateral[i]!;
        // in any order, repeated: a probe must not see what the one before it repaid
        const xs = amounts(c.qty - (c.pending ?? 0n), fracs);
        for (const x of [...xs, ...xs.reverse()]) {
          const trial = referenceSeizureTrial(a, ctx, i, x, penalty);
          expect(probe(x)).toBe(fullHealth(trial, ctx));
          probed++;
          if (trial.collateral.some((t, j) => j !== i && t !== a.collateral[j])) repaid++;
        }
        expect(probe(0n)).toBe(fullHealth(acc, ctx));
        expect(a).toStrictEqual(working(acc));
      }),
      { numRuns: 400 },
    );
    expect(probed).toBeGreaterThan(1000);
    expect(repaid).toBeGreaterThan(50); // negative balances were repaid in some probes
  });
});

const configArb: fc.Arbitrary<PlannerConfig> = fc.record({
  targetHealth: fc.integer({ min: 1000, max: 1500 }).map((t) => (W * BigInt(t)) / 1000n),
  penalty: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: W / 8n })),
  liquidatorShare: fc.bigInt({ min: 0n, max: W }),
  transferPositions: fc.constantFrom(undefined, false, true, ['ETH-PERP'], ['BTC-PERP', 'SOL-PERP'], []),
});
const usd = (max: number) =>
  fc.option(
    fc.integer({ min: 0, max }).map((v) => BigInt(v) * W),
    { nil: undefined },
  );
const optionsArb = fc.record({
  budget: fc.option(
    fc
      .record({
        btc: usd(30_000),
        eth: usd(30_000),
        sol: usd(30_000),
        eth1: usd(5_000),
        arb: usd(5_000),
        base: usd(5_000),
      })
      .map(({ btc, eth, sol, eth1, arb, base }): PlanBudget => {
        const markets: Record<string, bigint> = {};
        const chains: Record<number, bigint> = {};
        if (btc !== undefined) markets['BTC-PERP'] = btc;
        if (eth !== undefined) markets['ETH-PERP'] = eth;
        if (sol !== undefined) markets['SOL-PERP'] = sol;
        if (eth1 !== undefined) chains[ETH_CHAIN] = eth1;
        if (arb !== undefined) chains[ARB_CHAIN] = arb;
        if (base !== undefined) chains[BASE_CHAIN] = base;
        return { markets, chains };
      }),
    { nil: undefined },
  ),
  insuranceFund: fc.option(fc.bigInt({ min: 0n, max: 20_000n * W }), { nil: undefined }),
});

describe('planUnchecked against the full-evaluation reference', () => {
  it('property: the same plan, field for field, as the planner that evaluated every probe in full', () => {
    const seen = {
      liquidatable: 0,
      closes: 0,
      isolated: 0,
      transfers: 0,
      seizures: 0,
      queued: 0,
      badDebt: 0,
      multi: 0,
    };
    fc.assert(
      fc.property(contextArb, wideAccountArb, configArb, optionsArb, (ctx, acc, config, options) => {
        const plan = planUnchecked(acc, ctx, config, options);
        expect(plan).toStrictEqual(referencePlan(acc, ctx, config, options));
        if (evaluateExactUnchecked(acc, ctx, { details: false }).liquidatable) seen.liquidatable++;
        if (plan.closes.some((c) => c.mode === 'cross')) seen.closes++;
        if (plan.closes.some((c) => c.mode === 'isolated')) seen.isolated++;
        if (plan.transfers.length > 0) seen.transfers++;
        if (plan.seizures.length > 0) seen.seizures++;
        if (plan.queued.closes.length + plan.queued.transfers.length + plan.queued.seizures.length > 0) seen.queued++;
        if (plan.badDebt.total > 0n) seen.badDebt++;
        if (plan.closes.length + plan.transfers.length + plan.seizures.length > 2) seen.multi++;
      }),
      { numRuns: 1500 },
    );
    // the runs reached every kind of action (not only accounts with nothing to do)
    for (const [kind, n] of Object.entries(seen)) expect([kind, n > 40]).toEqual([kind, true]);
  });
});

/** The planner's bisection as it was, over the whole range: smallest x in [1, hi] with ok(x). */
function bisect(hi: bigint, ok: (x: bigint) => boolean): bigint {
  let lo = 0n;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

describe('the close search', () => {
  const targetArb = fc.integer({ min: 1000, max: 1500 }).map((t) => (W * BigInt(t)) / 1000n);

  it('property: finds what a bisection of the whole range finds, with a proven bracket when it can', () => {
    const seen = { searched: 0, belowTarget: 0, bracketed: 0, narrow: 0, unproven: 0 };
    fc.assert(
      fc.property(
        contextArb,
        wideAccountArb,
        fc.nat(),
        penaltyArb,
        targetArb,
        fc.constantFrom(1n, 10n ** 9n, 5n * 10n ** 17n, null),
        fc.integer({ min: 0, max: 1000 }),
        (ctx, acc, pick, penalty, target, markStep, between) => {
          const a = working(acc);
          const cross = a.positions.flatMap((p, i) => (isCross(p) && p.qty !== 0n ? [i] : []));
          if (cross.length === 0) return;
          const i = cross[pick % cross.length]!;
          // marks off the whole dollar as well (⌊M/W⌋ and ⌈M/W⌉ then differ), and below a dollar,
          // where a unit's margin rounds to nothing and no bracket is proven
          const p = a.positions[i]!;
          const m0 = ctx.markets[p.market]!;
          const markPrice = markStep === null ? W / 3n : m0.markPrice + markStep;
          const c2: ExactContext = { ...ctx, markets: { ...ctx.markets, [p.market]: { ...m0, markPrice } } };
          const trial = closeTrial(a, c2, i, penalty);
          const full = p.qty < 0n ? -p.qty : p.qty;
          // mostly a target between the account's health now and with the whole position closed:
          // the planner searches an account below its target (any target is searched as well)
          const [h0, hFull] = [trial.health(0n), trial.health(full)];
          const lowest = h0 + 1n > W ? h0 + 1n : W;
          if (between > 0 && hFull > lowest) target = lowest + ((hFull - lowest) * BigInt(between)) / 1000n;
          if (hFull < target) return;
          const ok = (x: bigint) => trial.health(x) >= target;
          seen.searched++;
          if (!ok(0n)) seen.belowTarget++; // as the planner searches (an account at its target is not)
          expect(trial.smallest(target)).toBe(bisect(full, ok));
          const m = c2.markets[p.market]!;
          const others = a.positions.filter((_, j) => j !== i && isCross(a.positions[j]!));
          const { wcM, debt } = collateralTotals(a.collateral, c2, false);
          let pnl = a.realizedPnl + unsettledPnl(p, m.markPrice, m.cumFunding);
          let mm = 0n;
          for (const o of others) {
            const om = c2.markets[o.market]!;
            pnl += unsettledPnl(o, om.markPrice, om.cumFunding);
            mm += maintenanceAt(o.qty, om.markPrice, om);
          }
          const b = closeBracket({ numerator: wcM + pnl, denominatorRest: debt + mm, qty: full, penalty, target }, m);
          if (!b) {
            seen.unproven++;
            return;
          }
          // the proof's claims, checked exactly: below lo nothing reaches the target, from hi on everything does
          seen.bracketed++;
          if (b.hi - b.lo <= 2n) seen.narrow++;
          expect(b.lo === 0n || !ok(b.lo)).toBe(true);
          expect(ok(b.hi)).toBe(true);
          for (const x of [b.lo - 1n, b.lo - 1000n, b.lo / 2n]) if (x > 0n) expect(ok(x)).toBe(false);
          for (const x of [b.hi + 1n, b.hi + 1000n, (b.hi + full) / 2n]) if (x <= full) expect(ok(x)).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
    expect(seen.searched).toBeGreaterThan(300);
    expect(seen.belowTarget).toBeGreaterThan(100);
    expect(seen.bracketed).toBeGreaterThan(100);
    expect(seen.narrow).toBeGreaterThan(50); // most brackets are a unit or two wide
    expect(seen.unproven).toBeGreaterThan(20); // and the bisection still decides where no proof applies
  });
});
