import {
  FIXED_ONE as W,
  MarginBook,
  planLiquidation,
  wad,
  type BookConfig,
  type ChainMessage,
  type ExactContext,
} from '../src/index.js';
import { A, USDC_A, ALICE, PERP_DEX, LIQUIDATOR, orderId } from './vaults.js';
import { expectSnapshotCurrent } from './snapshot-current.js';

// What the book does under the vault's rules of issue 13: an order delivered after its expiry is
// acknowledged EXPIRED (a seizure released, a decision's request reopened), a withdrawal request
// nobody approved is seizable (but never collateral), and a WITHDRAW_DONE may pay less than was
// approved (a liquidation shrank the request).

const config: BookConfig = {
  assets: { USDC: { decimals: 6, initialWeight: W, maintenanceWeight: W, tokens: { [A]: USDC_A } } },
  markets: {
    'ETH-PERP': { baseIMR: wad('0.05'), baseMMR: wad('0.025'), imrFactor: wad('0.0000003754'), maxLeverage: 20n * W },
  },
  chains: { [A]: { staleAfter: 1_000_000n, staleWeight: wad('0.5') } },
  planner: { targetHealth: wad('1.05'), penalty: wad('0.02'), liquidatorShare: wad('0.5') },
  liquidator: LIQUIDATOR,
  orderId,
  orders: { ttl: 100n, grace: 20n },
};

const USD = 1_000_000n; // one USDC in base units

class Feed {
  seq = 0n;
  input = 0n;
  readonly book = new MarginBook(config);

  constructor() {
    this.book.applyPrice({ asset: 'USDC', price: W, time: 1n });
    this.mark(2000n * W, 1n);
  }

  msg(time: bigint, message: ChainMessage, seq = ++this.seq) {
    return this.book.applyChainMessage({ eid: A, seq, time, inputSeq: ++this.input, message });
  }

  mark(price: bigint, time: bigint) {
    this.book.applyMark({ market: 'ETH-PERP', markPrice: price, indexPrice: price, time });
    return this.book.liquidations(++this.input, time);
  }

  ack(time: bigint, orderId: string, seized: bigint, balance: bigint, status: 'executed' | 'expired') {
    return this.msg(time, { type: 'ORDER_ACK', orderId, account: ALICE, token: USDC_A, seized, balance, status });
  }

  request(time: bigint, amount: bigint, requestId: bigint, seq?: bigint) {
    return this.msg(time, { type: 'WITHDRAW_REQUEST', account: ALICE, token: USDC_A, amount, requestId }, seq);
  }

  holding() {
    return this.book.accountView(ALICE).holdings.find((h) => h.asset === 'USDC')!;
  }
}

/** Alice: `usdc` USDC on A and long 20 ETH-PERP at 2,000 (reported by a perp venue), at time 10. */
function alice(usdc: bigint): Feed {
  const f = new Feed();
  f.msg(10n, { type: 'BALANCE', account: ALICE, token: USDC_A, balance: usdc });
  f.msg(10n, {
    type: 'EXPOSURE',
    account: ALICE,
    protocol: PERP_DEX,
    market: 'ETH-PERP',
    size: 20n * W,
    entryPrice: 2000n * W,
  });
  return f;
}

describe('ORDER_ACK status EXPIRED', () => {
  it('releases an expired seizure: nothing seized, the balance booked, its credit taken back', () => {
    const f = alice(3_000n * USD);
    const { orders, results } = f.mark(1880n * W, 11n);
    expect(orders).toHaveLength(1);
    const o = orders[0]!;
    const credit = results[0]!.plan.seizures[0]!;
    const planned = { pnl: f.book.exactAccount(ALICE).realizedPnl ?? 0n, ledger: f.book.ledger() };
    f.book.applyDispatch({ orderId: o.id, time: 12n });
    expect(f.holding()).toMatchObject({ pending: o.amount, seizable: 3_000n * USD - o.amount });
    // delivered after its expiry: the vault changed nothing and says so, with its balance
    const r = f.ack(200n, o.id, 0n, 3_000n * USD, 'expired');
    expect(r).toMatchObject({ applied: true, decisions: [], warning: null });
    expect(f.book.order(o.id)).toMatchObject({ status: 'expired', executed: 0n, doneSeq: f.seq, dispatched: true });
    expect(f.holding()).toMatchObject({ balance: 3_000n * USD, pending: 0n, seizable: 3_000n * USD });
    // the debt the seizure was to repay is owed again, its penalty leaves the ledger
    expect(f.book.exactAccount(ALICE).realizedPnl).toBe(planned.pnl - credit.debtRepaid);
    expect(f.book.ledger().penaltiesToLiquidators).toBeLessThan(planned.ledger.penaltiesToLiquidators);
    // re-evaluated at once: listed exactly when an exact evaluation says so
    const exact = f.book.evaluate(ALICE).liquidatable;
    expect(f.book.liquidatable()).toEqual(exact ? [ALICE] : []);
    expectSnapshotCurrent(f.book);
    const restored = MarginBook.restore(config, f.book.snapshot());
    expect(restored.stateHash()).toBe(f.book.stateHash());
  });

  it('plans again a seizure that expired at the vault when the account is still liquidatable', () => {
    const f = alice(3_000n * USD);
    const o = f.mark(1880n * W, 11n).orders[0]!;
    // the vault's balance fell meanwhile (the account's own payout): the released account is short
    f.ack(200n, o.id, 0n, 2_000n * USD, 'expired');
    expect(f.book.liquidatable()).toEqual([ALICE]);
    const again = f.book.liquidations(++f.input, 200n).orders;
    expect(again).toMatchObject([{ asset: 'USDC', chain: A, amount: 2_000n * USD, expiry: 300n }]);
    expect(again[0]!.id).not.toBe(o.id);
  });

  it('refuses a second ack of the order, an expired ack that seized something, an unknown status', () => {
    const f = alice(3_000n * USD);
    const o = f.mark(1880n * W, 11n).orders[0]!;
    const bad = f.ack(20n, o.id, 1n, 3_000n * USD, 'expired');
    expect(bad).toMatchObject({ applied: false, reason: 'invalid', error: { field: 'message.seized' } });
    const odd = f.msg(20n, {
      type: 'ORDER_ACK',
      orderId: o.id,
      account: ALICE,
      token: USDC_A,
      seized: 0n,
      balance: 0n,
      status: 'done' as 'executed',
    });
    expect(odd).toMatchObject({ applied: false, reason: 'invalid', error: { field: 'message.status' } });
    expect(f.book.order(o.id)).toMatchObject({ status: 'pending' });
    expect(f.ack(20n, o.id, 0n, 3_000n * USD, 'expired')).toMatchObject({ applied: true });
    for (const status of ['expired', 'executed'] as const)
      expect(f.ack(21n, o.id, 0n, 3_000n * USD, status)).toMatchObject({
        applied: false,
        reason: 'invalid',
        error: { field: 'message.orderId' },
      });
  });

  it('reopens the request of an expired approval: seizable meanwhile, decided anew by the next liquidations()', () => {
    const f = alice(50_000n * USD);
    const d = f.request(20n, 1_000n * USD, 1n);
    if (!d.applied) throw new Error('expected applied');
    const decision = d.decisions[0]!;
    expect(decision).toMatchObject({ approved: true, requestId: 1n });
    expect(f.holding()).toMatchObject({ pending: 1_000n * USD, seizable: 49_000n * USD });
    // an executed ack is never how a decision is answered (the WITHDRAW_DONE is)
    expect(f.ack(30n, decision.id, 0n, 50_000n * USD, 'executed')).toMatchObject({
      applied: false,
      error: { field: 'message.orderId' },
    });
    expect(f.ack(200n, decision.id, 0n, 50_000n * USD, 'expired')).toMatchObject({ applied: true });
    expect(f.book.order(decision.id)).toMatchObject({ status: 'expired', executed: 0n });
    // frozen at the vault, not approved by anyone: out for margin, but seizable
    expect(f.holding()).toMatchObject({ pending: 1_000n * USD, seizable: 50_000n * USD });
    const ctx = f.book.exactAccount(ALICE).collateral[0]!;
    expect(ctx).toMatchObject({ pending: 1_000n * USD, reclaimable: 1_000n * USD });
    const restored = MarginBook.restore(config, f.book.snapshot());
    const next = f.book.liquidations(++f.input, 200n);
    expect(next.decisions).toHaveLength(1);
    expect(next.decisions[0]).toMatchObject({ requestId: 1n, approved: true, amount: 1_000n * USD, expiry: 300n });
    expect(next.decisions[0]!.id).not.toBe(decision.id);
    expect(f.holding()).toMatchObject({ pending: 1_000n * USD, seizable: 49_000n * USD });
    // a restored book decides it the same way
    expect(restored.liquidations(f.input, 200n).decisions).toEqual(next.decisions);
  });

  it('reopens the request of an expired rejection too: frozen again, decided anew', () => {
    const f = alice(3_000n * USD);
    const d = f.request(20n, 2_990n * USD, 1n);
    if (!d.applied) throw new Error('expected applied');
    const decision = d.decisions[0]!;
    expect(decision).toMatchObject({ approved: false, reason: 'insufficient-margin' });
    // a rejection counts again at once (the vault unfreezes it when it arrives, and may seize it before)
    expect(f.holding()).toMatchObject({ pending: 0n, seizable: 3_000n * USD });
    f.ack(200n, decision.id, 0n, 3_000n * USD, 'expired');
    expect(f.holding()).toMatchObject({ pending: 2_990n * USD, seizable: 3_000n * USD });
    const next = f.book.liquidations(++f.input, 200n).decisions;
    expect(next).toMatchObject([{ requestId: 1n, approved: false, reason: 'insufficient-margin' }]);
    expect(f.holding()).toMatchObject({ pending: 0n, seizable: 3_000n * USD });
  });
});

describe('seizable amounts (the vault may shrink requests nobody approved)', () => {
  it('counts a request deferred for a sequence gap as seizable, never as collateral', () => {
    const f = alice(3_000n * USD);
    // vault A's number 4 arrives before 3: the request waits for its decision
    const r = f.request(20n, 2_000n * USD, 1n, 4n);
    expect(r).toMatchObject({ applied: true, decisions: [], note: 'decision waits for a sequence gap to close' });
    const view = f.book.accountView(ALICE);
    expect(view.holdings[0]).toMatchObject({ balance: 3_000n * USD, pending: 2_000n * USD, seizable: 3_000n * USD });
    // margin counts only the 1,000 the request leaves
    expect(view.weightedCollateral).toBe(1_000n * W);
  });

  it('plans a seizure into an undecided request, and margin never counts the shrunk part twice', () => {
    const f = alice(3_000n * USD);
    f.request(20n, 2_000n * USD, 1n, 4n); // deferred by the gap at 3
    f.book.applyMark({ market: 'ETH-PERP', markPrice: 1900n * W, indexPrice: 1900n * W, time: 21n });
    // the node waits for the gap; a direct plan shows what the planner may take
    expect(f.book.liquidations(++f.input, 21n).deferred).toEqual([{ account: ALICE, reason: 'sequence-gap' }]);
    const plan = f.book.liquidate(ALICE, ++f.input, 21n)!;
    const seized = plan.orders[0]!.amount;
    expect(seized).toBeGreaterThan(1_000n * USD); // into the request
    expect(seized).toBeLessThanOrEqual(3_000n * USD);
    const h = f.holding();
    expect(h.seizable).toBe(3_000n * USD - seized);
    // what survives of the request: balance − seizure, out for margin; the effective balance is 0, not a debt
    expect(h.pending).toBe(3_000n * USD);
    expect(f.book.exactAccount(ALICE).collateral[0]).toMatchObject({ reclaimable: 3_000n * USD - seized });
    expect(f.book.evaluate(ALICE).debt).toBe(0n);
    // the vault seizes it all (shrinking the request), then the gap closes: the request is
    // decided on what is left
    const o = plan.orders[0]!;
    f.msg(
      22n,
      {
        type: 'ORDER_ACK',
        orderId: o.id,
        account: ALICE,
        token: USDC_A,
        seized,
        balance: 3_000n * USD - seized,
        status: 'executed',
      },
      5n,
    );
    const closed = f.msg(23n, { type: 'BALANCE', account: ALICE, token: USDC_A, balance: 3_000n * USD - seized }, 3n);
    if (!closed.applied) throw new Error('expected applied');
    expect(closed.decisions).toMatchObject([{ requestId: 1n, approved: false, reason: 'exceeds-balance' }]);
    expect(f.holding()).toMatchObject({ pending: 0n, seizable: 3_000n * USD - seized });
  });

  it('books a WITHDRAW_DONE that paid less than approved: the balance the vault reports', () => {
    const f = alice(50_000n * USD);
    const d = f.request(20n, 1_000n * USD, 1n);
    if (!d.applied) throw new Error('expected applied');
    const decision = d.decisions[0]!;
    const r = f.msg(30n, {
      type: 'WITHDRAW_DONE',
      account: ALICE,
      token: USDC_A,
      requestId: 1n,
      paid: 400n * USD,
      balance: 20_000n * USD,
      outcome: 'paid',
    });
    expect(r).toMatchObject({ applied: true, note: null });
    expect(f.book.order(decision.id)).toMatchObject({ status: 'done', executed: 400n * USD, outcome: 'paid' });
    expect(f.holding()).toMatchObject({ balance: 20_000n * USD, pending: 0n, seizable: 20_000n * USD });
  });
});

describe('planner: reclaimable collateral', () => {
  const ctx: ExactContext = {
    assets: { USDC: { decimals: 6, initialWeight: W, maintenanceWeight: W, price: W } },
    markets: {
      'ETH-PERP': {
        baseIMR: wad('0.05'),
        baseMMR: wad('0.025'),
        imrFactor: 0n,
        maxLeverage: 20n * W,
        markPrice: 1000n * W,
        cumFunding: 0n,
      },
    },
    chains: { [A]: { staleAfter: 600n, staleWeight: wad('0.5'), lastReportAt: 0n } },
    now: 0n,
  };
  const cfg = { targetHealth: wad('1.05'), penalty: wad('0.02'), liquidatorShare: wad('0.5') };
  // deep under water: 1,000 USDC, 600 of it requested, and a loss of 2,000 realized
  const account = (reclaimable?: bigint) => ({
    collateral: [
      { asset: 'USDC', chain: A, qty: 1_000n * USD, pending: 600n * USD, ...(reclaimable ? { reclaimable } : {}) },
    ],
    positions: [],
    realizedPnl: -2_000n * W,
  });

  it('seizes the free balance first, then what it may reclaim, never beyond', () => {
    const without = planLiquidation(account(), ctx, cfg);
    expect(without.seizures.map((s) => s.amount)).toEqual([400n * USD]);
    const all = planLiquidation(account(600n * USD), ctx, cfg);
    expect(all.seizures.map((s) => s.amount)).toEqual([1_000n * USD]);
    // the request shrank with it: nothing is left out, nothing counts as debt
    expect(all.accountAfter.collateral[0]).toMatchObject({ qty: 0n, pending: 0n, reclaimable: 0n });
    const part = planLiquidation(account(200n * USD), ctx, cfg);
    expect(part.seizures.map((s) => s.amount)).toEqual([600n * USD]);
    expect(part.accountAfter.collateral[0]).toMatchObject({ qty: 400n * USD, pending: 400n * USD, reclaimable: 0n });
  });

  it('refuses a reclaimable part above what is pending', () => {
    expect(() =>
      planLiquidation(
        { collateral: [{ asset: 'USDC', chain: A, qty: 1n, pending: 1n, reclaimable: 2n }], positions: [] },
        ctx,
        cfg,
      ),
    ).toThrow(/reclaimable: must be ≤ pending/);
  });
});
