import fc from 'fast-check';
import {
  FIXED_ONE as W,
  InvalidInputError,
  evaluateAccountExact,
  planLiquidation,
  wad,
  type ExactAccount,
  type PlannerConfig,
} from '../src/index.js';
import { ARB_CHAIN, BASE_CHAIN, ETH_CHAIN, accountArb, riskContext } from './risk-fixtures.js';

const ctx = riskContext();
const config: PlannerConfig = { targetHealth: wad('1.05'), penalty: wad('0.01'), liquidatorShare: wad('0.5') };

/** Long 10 ETH-PERP bought at 2100, mark 2000: PnL −1000 on 1400 USDC: TC 400 < MM 500. */
const perpAccount: ExactAccount = {
  collateral: [{ asset: 'USDC', chain: ETH_CHAIN, qty: 1_400_000_000n }],
  positions: [{ market: 'ETH-PERP', qty: 10n * W, openCost: 21_000n * W, lastCumFunding: 0n }],
};

/** Liquidatable accounts with at least one cross position (what a transfer can apply to). */
const liquidatableWithCross = accountArb.filter(
  (a) =>
    a.positions.some((p) => (p.mode ?? 'cross') === 'cross' && p.qty !== 0n) &&
    evaluateAccountExact(a, ctx, { details: false }).liquidatable,
);

describe('planLiquidation', () => {
  it('closes the smallest part of a position that restores the target health', () => {
    expect(evaluateAccountExact(perpAccount, ctx).liquidatable).toBe(true);
    const plan = planLiquidation(perpAccount, ctx, config);
    expect(plan.reachesTarget).toBe(true);
    expect(plan.closes).toHaveLength(1);
    const closed = plan.closes[0]!.qty;
    expect(closed > 0n && closed < 10n * W).toBe(true);
    const after = evaluateAccountExact(plan.accountAfter, ctx);
    expect(after.healthFactor >= config.targetHealth).toBe(true);
    // one unit less would not do
    const less = planLiquidation(perpAccount, ctx, config).accountAfter;
    expect(less).toEqual(plan.accountAfter); // deterministic
    expect(plan.penalty.total).toBe(plan.closes[0]!.penalty);
    expect(plan.penalty.liquidator + plan.penalty.insurance).toBe(plan.penalty.total);
  });

  it('seizes collateral against debt, freshest chain and most liquid asset first', () => {
    const account: ExactAccount = {
      collateral: [
        { asset: 'WETH', chain: BASE_CHAIN, qty: 5n * W }, // stale chain
        { asset: 'WBTC', chain: ETH_CHAIN, qty: 10_000_000n }, // 0.1 BTC, weight 0.75
        { asset: 'WETH', chain: ARB_CHAIN, qty: 1n * W, pending: wad('0.5') }, // weight 0.85, half in flight
        { asset: 'USDC', chain: ETH_CHAIN, qty: -7_500_000_000n },
      ],
      positions: [],
    };
    expect(evaluateAccountExact(account, ctx).liquidatable).toBe(true);
    const plan = planLiquidation(account, ctx, config);
    // fresh chains first (ETH and ARB reported at 1000), WETH (0.85) before WBTC (0.75)
    expect(plan.seizures[0]).toMatchObject({ asset: 'WETH', chain: ARB_CHAIN, amount: wad('0.5') });
    expect(plan.seizures.map((s) => s.asset + '@' + s.chain)[1]).toBe(`WBTC@${ETH_CHAIN}`);
    expect(plan.reachesTarget).toBe(true);
    for (const s of plan.seizures) expect(s.debtRepaid + s.penalty).toBe(s.value);
  });

  it('books bad debt to the insurance fund, then socializes the rest', () => {
    const underwater: ExactAccount = {
      collateral: [{ asset: 'USDC', chain: ETH_CHAIN, qty: 100_000_000n }],
      positions: [{ market: 'ETH-PERP', qty: 10n * W, openCost: 30_000n * W, lastCumFunding: 0n }],
    };
    const plan = planLiquidation(underwater, ctx, config, { insuranceFund: 5_000n * W });
    expect(plan.closes[0]!.qty).toBe(10n * W);
    expect(plan.seizures[0]!.amount).toBe(100_000_000n);
    // loss 10000 + penalty 200 − 100 USDC seized (99.0099… repaid) ≈ 10100.99
    expect(plan.badDebt.total > 10_100n * W).toBe(true);
    expect(plan.badDebt.insurance).toBe(5_000n * W);
    expect(plan.badDebt.socialized).toBe(plan.badDebt.total - 5_000n * W);
    expect(evaluateAccountExact(plan.accountAfter, ctx).liquidatable).toBe(false);
  });

  it('respects per-window budgets and queues the rest instead of dropping it', () => {
    const plan = planLiquidation(perpAccount, ctx, config, { budget: { markets: { 'ETH-PERP': 1000n * W } } });
    expect(plan.closes[0]!.notional <= 1000n * W).toBe(true);
    expect(plan.queued.closes).toHaveLength(1);
    expect(plan.queued.closes[0]!.qty > 0n).toBe(true);
    expect(plan.reachesTarget).toBe(false);
    expect(plan.badDebt.total).toBe(0n); // nothing written off while actions are queued
  });

  it('rejects a bad configuration naming the field', () => {
    expect(() => planLiquidation(perpAccount, ctx, { ...config, penalty: W })).toThrow(InvalidInputError);
    expect(() => planLiquidation(perpAccount, ctx, { ...config, targetHealth: 1n })).toThrow(/targetHealth/);
    const field = (transferPositions: unknown) => {
      try {
        planLiquidation(perpAccount, ctx, { ...config, transferPositions } as PlannerConfig);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        return (e as InvalidInputError).field;
      }
      return null;
    };
    expect(field('yes')).toBe('config.transferPositions');
    expect(field(['ETH-PERP', 'NOPE'])).toBe('config.transferPositions[1]');
    expect(field(['ETH-PERP'])).toBe(null);
  });

  it('transfers a position to the backstop at the mark less the penalty, with the effect of a close', () => {
    const closing = planLiquidation(perpAccount, ctx, config);
    const plan = planLiquidation(perpAccount, ctx, { ...config, transferPositions: true });
    expect(plan.closes).toEqual([]);
    expect(plan.transfers).toHaveLength(1);
    const t = plan.transfers[0]!;
    const c = closing.closes[0]!;
    expect(t).toEqual({
      market: 'ETH-PERP',
      mode: 'cross',
      qty: c.qty,
      price: 1980n * W, // a long: 2000 × (1 − 1 %)
      notional: c.notional,
      realizedPnl: c.realizedPnl,
      penalty: c.penalty,
    });
    // the account realizes the same PnL, pays the same penalty, and ends the same
    expect(plan.accountAfter).toEqual(closing.accountAfter);
    expect(plan.penalty).toEqual(closing.penalty);
    expect(plan.healthAfter).toBe(closing.healthAfter);
    expect(plan.reachesTarget).toBe(true);
    expect(plan.accountAfter.positions[0]!.qty).toBe(10n * W - t.qty); // the rest stays with the account
    // selling at the transfer price realizes exactly the PnL less the penalty (to the wei here)
    expect((t.qty * t.price) / W - (21_000n * W * t.qty) / (10n * W)).toBe(t.realizedPnl - t.penalty);

    // a short is taken over above the mark; a market not listed is closed as before
    const short: ExactAccount = {
      collateral: [{ asset: 'USDC', chain: ETH_CHAIN, qty: 1_400_000_000n }],
      positions: [{ market: 'ETH-PERP', qty: -10n * W, openCost: -19_000n * W, lastCumFunding: 0n }],
    };
    const s = planLiquidation(short, ctx, { ...config, transferPositions: ['ETH-PERP'] });
    expect(s.transfers[0]!.qty < 0n).toBe(true);
    expect(s.transfers[0]!.price).toBe(2020n * W);
    const other = planLiquidation(short, ctx, { ...config, transferPositions: ['BTC-PERP'] });
    expect(other.transfers).toEqual([]);
    expect(other.closes[0]!.qty).toBe(s.transfers[0]!.qty);
  });

  it('a transfer counts against the market budget and queues the rest as a transfer', () => {
    const plan = planLiquidation(
      perpAccount,
      ctx,
      { ...config, transferPositions: true },
      {
        budget: { markets: { 'ETH-PERP': 1000n * W } },
      },
    );
    expect(plan.transfers[0]!.notional <= 1000n * W).toBe(true);
    expect(plan.queued.closes).toEqual([]);
    expect(plan.queued.transfers).toHaveLength(1);
    expect(plan.reachesTarget).toBe(false);
  });

  it('property: never seizes more than exists, and reaches the target whenever anything is left to do', () => {
    fc.assert(
      fc.property(accountArb, fc.boolean(), (acc, limited) => {
        const e = evaluateAccountExact(acc, ctx, { details: false });
        if (!e.liquidatable) return;
        const budget = limited ? { chains: { [ETH_CHAIN]: 1000n * W }, markets: { 'BTC-PERP': 5000n * W } } : {};
        const plan = planLiquidation(acc, ctx, config, { budget, insuranceFund: 1000n * W });
        for (const s of plan.seizures) {
          const h = acc.collateral.find((c) => c.asset === s.asset && c.chain === s.chain)!;
          expect(s.amount > 0n && s.amount <= h.qty - (h.pending ?? 0n)).toBe(true);
        }
        for (const c of plan.accountAfter.collateral) {
          const h = acc.collateral.find((x) => x.asset === c.asset && x.chain === c.chain)!;
          if (h.qty - (h.pending ?? 0n) >= 0n) expect(c.qty - (c.pending ?? 0n) >= 0n).toBe(true);
        }
        const queued = plan.queued.closes.length + plan.queued.seizures.length > 0;
        if (!queued) {
          // with nothing held back, the account always ends out of liquidation
          expect(evaluateAccountExact(plan.accountAfter, ctx, { details: false }).liquidatable).toBe(false);
        }
        expect(plan.badDebt.insurance + plan.badDebt.socialized).toBe(plan.badDebt.total);
        // the plan's figures are what the evaluator says of accountAfter
        const after = evaluateAccountExact(plan.accountAfter, ctx, { details: false });
        expect(plan.healthAfter).toBe(after.healthFactor);
        expect(plan.reachesTarget).toBe(after.healthFactor >= config.targetHealth && !after.liquidatable);
        expect(plan.transfers).toEqual([]); // not configured
      }),
      { numRuns: 120 },
    );
  });

  it('property: transfers take exactly what closes would (never more than the position), with the same effect', () => {
    fc.assert(
      fc.property(liquidatableWithCross, fc.boolean(), fc.boolean(), (acc, limited, onlyEth) => {
        const budget = limited ? { chains: { [ETH_CHAIN]: 1000n * W }, markets: { 'ETH-PERP': 5000n * W } } : {};
        const options = { budget, insuranceFund: 1000n * W };
        const transferring: PlannerConfig = { ...config, transferPositions: onlyEth ? ['ETH-PERP'] : true };
        const closing = planLiquidation(acc, ctx, config, options);
        const plan = planLiquidation(acc, ctx, transferring, options);
        const transferred = (c: { market: string; mode: string }) =>
          c.mode === 'cross' && (!onlyEth || c.market === 'ETH-PERP');
        // the same actions, cross closes of the configured markets listed as transfers
        expect(plan.transfers.map(({ price: _, ...t }) => t)).toEqual(closing.closes.filter(transferred));
        expect(plan.closes).toEqual(closing.closes.filter((c) => !transferred(c)));
        expect(plan.seizures).toEqual(closing.seizures);
        expect(plan.accountAfter).toEqual(closing.accountAfter);
        expect(plan.penalty).toEqual(closing.penalty);
        expect(plan.badDebt).toEqual(closing.badDebt);
        expect(plan.reachesTarget).toBe(closing.reachesTarget);
        expect([...plan.queued.transfers, ...plan.queued.closes].length).toBe(closing.queued.closes.length);
        // never more than the position, same side; the price is the mark less the penalty
        for (const p of acc.positions) {
          const mine = plan.transfers.filter((t) => t.market === p.market);
          const total = mine.reduce((x, t) => x + t.qty, 0n);
          expect(total === 0n || total > 0n === p.qty > 0n).toBe(true);
          expect(total < 0n ? -total : total).toBeLessThanOrEqual(p.qty < 0n ? -p.qty : p.qty);
        }
        for (const t of plan.transfers) {
          const mark = ctx.markets[t.market]!.markPrice;
          expect(t.price).toBe(
            t.qty > 0n ? (mark * (W - config.penalty)) / W : (mark * (W + config.penalty) + W - 1n) / W,
          );
          expect(t.notional <= 5000n * W || !limited || t.market !== 'ETH-PERP').toBe(true);
        }
        const after = evaluateAccountExact(plan.accountAfter, ctx, { details: false });
        expect(plan.healthAfter).toBe(after.healthFactor);
        if (plan.queued.closes.length + plan.queued.transfers.length + plan.queued.seizures.length === 0)
          expect(after.liquidatable).toBe(false);
      }),
      { numRuns: 120 },
    );
  });
});
