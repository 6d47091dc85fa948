import fc from 'fast-check';
import { MarginBook, collateralValue } from '../src/index.js';
import { A, ALICE, B, BOB, PERP, STRANGER_TOKEN, USDC_A, WAD, WETH_A, WETH_B, config, newBook } from './fixtures.js';

// A small world so random runs collide often: two accounts, two spoke chains, three collateral
// tokens and one unknown token.
const accounts = [ALICE, BOB];
const holdings = [
  { eid: A, token: WETH_A },
  { eid: B, token: WETH_B },
  { eid: A, token: USDC_A },
  { eid: B, token: STRANGER_TOKEN },
];

type Op =
  | { t: 'balance'; eid: number; account: string; token: string; balance: bigint; seqStep: number }
  | { t: 'exposure'; eid: number; account: string; exposure: bigint; seqStep: number }
  | { t: 'price'; asset: 'WETH' | 'USDC'; price: bigint }
  | { t: 'evaluate'; account: string }
  | { t: 'ack'; pick: number; fraction: number };

const amount = fc.bigInt({ min: 0n, max: 10n * WAD });
// seqStep: 1 = next, 0 or negative = replay, >1 = gap.
const seqStep = fc.integer({ min: -2, max: 3 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc
    .record({
      t: fc.constant('balance' as const),
      h: fc.constantFrom(...holdings),
      account: fc.constantFrom(...accounts),
      balance: amount,
      seqStep,
    })
    .map(({ h, ...r }) => ({ ...r, eid: h.eid, token: h.token })),
  fc.record({
    t: fc.constant('exposure' as const),
    eid: fc.constantFrom(A, B),
    account: fc.constantFrom(...accounts),
    exposure: fc.bigInt({ min: 0n, max: 20_000n * WAD }),
    seqStep,
  }),
  fc.record({
    t: fc.constant('price' as const),
    asset: fc.constantFrom('WETH' as const, 'USDC' as const),
    price: fc.bigInt({ min: 0n, max: 5000n * WAD }),
  }),
  fc.record({ t: fc.constant('evaluate' as const), account: fc.constantFrom(...accounts) }),
  fc.record({ t: fc.constant('ack' as const), pick: fc.nat(), fraction: fc.integer({ min: 0, max: 100 }) }),
);

/** Drives a book like the node does, with a model of vault sequence counters and a clock. */
class Driver {
  readonly seqs = new Map<number, bigint>();
  time = 0n;
  inputSeq = 0n;
  constructor(readonly book: MarginBook) {}

  nextSeq(eid: number, step: number): bigint {
    const last = this.seqs.get(eid) ?? 0n;
    const seq = last + BigInt(step);
    if (seq > last) this.seqs.set(eid, seq);
    return seq < 0n ? 0n : seq;
  }

  apply(op: Op): void {
    this.inputSeq += 1n;
    switch (op.t) {
      case 'balance':
        this.book.applyBalance({
          eid: op.eid,
          account: op.account,
          token: op.token,
          balance: op.balance,
          seq: this.nextSeq(op.eid, op.seqStep),
        });
        this.book.evaluate(op.account, this.inputSeq);
        break;
      case 'exposure':
        this.book.applyExposure({
          eid: op.eid,
          account: op.account,
          protocol: PERP,
          exposure: op.exposure,
          seq: this.nextSeq(op.eid, op.seqStep),
        });
        this.book.evaluate(op.account, this.inputSeq);
        break;
      case 'price': {
        this.time += 1n;
        const r = this.book.applyPrice({ asset: op.asset, price: op.price, publishTime: this.time });
        if (r.applied) for (const a of r.holders) this.book.evaluate(a, this.inputSeq);
        break;
      }
      case 'evaluate':
        this.book.evaluate(op.account, this.inputSeq);
        break;
      case 'ack': {
        // The vault seizes part or all of a pending order (never more than it holds).
        const pending = this.book.orders().filter((o) => o.status === 'pending');
        if (pending.length === 0) break;
        const order = pending[op.pick % pending.length]!;
        const balance = this.book
          .accountView(order.account)
          .holdings.find((h) => h.eid === order.dstEid && h.token === order.token)!.balance;
        const cap = order.amount < balance ? order.amount : balance;
        const seized = (cap * BigInt(op.fraction)) / 100n;
        this.book.applyOrderAck({
          eid: order.dstEid,
          orderId: order.orderId,
          account: order.account,
          token: order.token,
          seized,
          balance: balance - seized,
          seq: this.nextSeq(order.dstEid, 1),
        });
        break;
      }
    }
  }
}

function allHoldings(book: MarginBook) {
  return book.accountIds().flatMap((a) => book.accountView(a).holdings.map((h) => ({ account: a, ...h })));
}

describe('properties', () => {
  it('values collateral rounded down: v·10^d ≤ balance·price < (v+1)·10^d', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 128n }),
        fc.bigInt({ min: 0n, max: 2n ** 100n }),
        fc.integer({ min: 0, max: 36 }),
        (balance, price, decimals) => {
          const scale = 10n ** BigInt(decimals);
          const v = collateralValue(balance, price, { scale });
          return v * scale <= balance * price && balance * price < (v + 1n) * scale;
        },
      ),
    );
  });

  it('liquidatable exactly when exposure > 0 and value < exposure', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const d = new Driver(newBook());
        for (const op of ops) d.apply(op);
        for (const a of d.book.accountIds()) {
          const view = d.book.accountView(a);
          const sum = view.holdings.reduce((s, h) => s + h.value, 0n);
          if (sum !== view.value) return false;
          if (view.liquidatable !== (view.exposure > 0n && view.value < view.exposure)) return false;
        }
        return true;
      }),
    );
  });

  it('ignores replayed reports: re-applying every applied report leaves the state unchanged', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const book = newBook();
        const d = new Driver(book);
        const applied: Array<() => unknown> = [];
        const orig = { balance: book.applyBalance.bind(book), exposure: book.applyExposure.bind(book) };
        book.applyBalance = (r) => (applied.push(() => orig.balance(r)), orig.balance(r));
        book.applyExposure = (r) => (applied.push(() => orig.exposure(r)), orig.exposure(r));
        for (const op of ops) d.apply(op);
        const hash = book.stateHash();
        for (const replay of applied) expect(replay()).toMatchObject({ applied: false, reason: 'replay' });
        return book.stateHash() === hash;
      }),
    );
  });

  it('never orders more than is available: new seizures ≤ balance − pending before', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const d = new Driver(newBook());
        for (const op of ops) {
          const before = new Map(allHoldings(d.book).map((h) => [`${h.account}:${h.eid}:${h.token}`, h]));
          const ordersBefore = d.book.orders().length;
          d.apply(op);
          for (const o of d.book.orders().slice(ordersBefore)) {
            const h = before.get(`${o.account}:${o.dstEid}:${o.token}`);
            // The evaluation runs after the op's own report, so bound by the balance it saw.
            const now = allHoldings(d.book).find(
              (x) => x.account === o.account && x.eid === o.dstEid && x.token === o.token,
            )!;
            if (o.amount <= 0n || o.amount > now.balance - (h ? h.pending : 0n)) return false;
          }
        }
        return true;
      }),
    );
  });

  it('keeps pending seizures within balances when balances only move by deposits and acks', () => {
    const depositsOnly = opArb.filter((op) => op.t !== 'balance');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ h: fc.constantFrom(...holdings), account: fc.constantFrom(...accounts), balance: amount }),
          { maxLength: 6 },
        ),
        fc.array(depositsOnly, { maxLength: 40 }),
        (deposits, ops) => {
          const d = new Driver(newBook());
          for (const dep of deposits) {
            const current =
              d.book.accountView(dep.account).holdings.find((h) => h.eid === dep.h.eid && h.token === dep.h.token)
                ?.balance ?? 0n;
            d.apply({
              t: 'balance',
              eid: dep.h.eid,
              account: dep.account,
              token: dep.h.token,
              balance: current + dep.balance,
              seqStep: 1,
            });
          }
          for (const op of ops) {
            d.apply(op);
            if (allHoldings(d.book).some((h) => h.pending > h.balance)) return false;
          }
          return true;
        },
      ),
    );
  });

  it('clears every pending seizure once every order is acknowledged', () => {
    let withOrders = 0;
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const d = new Driver(newBook());
        for (const op of ops) d.apply(op);
        if (d.book.orders().some((o) => o.status === 'pending')) withOrders += 1;
        for (const o of d.book.orders().filter((x) => x.status === 'pending')) {
          d.book.applyOrderAck({
            eid: o.dstEid,
            orderId: o.orderId,
            account: o.account,
            token: o.token,
            seized: 0n,
            balance: 0n,
            seq: d.nextSeq(o.dstEid, 1),
          });
        }
        return (
          d.book.orders().every((o) => o.status === 'acknowledged') &&
          allHoldings(d.book).every((h) => h.pending === 0n)
        );
      }),
      { numRuns: 300 },
    );
    // The generator must actually produce liquidations for this to mean anything.
    expect(withOrders).toBeGreaterThan(0);
  });

  it('restores a snapshot to the same state hash, and evolves identically afterwards', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), fc.array(opArb, { maxLength: 15 }), (prefix, suffix) => {
        const d = new Driver(newBook());
        for (const op of prefix) d.apply(op);
        const restored = MarginBook.restore(config, JSON.parse(JSON.stringify(d.book.snapshot())));
        if (restored.stateHash() !== d.book.stateHash()) return false;
        const e = new Driver(restored);
        Object.assign(e, { seqs: new Map(d.seqs), time: d.time, inputSeq: d.inputSeq });
        for (const op of suffix) {
          d.apply(op);
          e.apply(op);
        }
        return restored.stateHash() === d.book.stateHash();
      }),
    );
  });
});
