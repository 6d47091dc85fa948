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
      }),
      { numRuns: 120 },
    );
  });
});
