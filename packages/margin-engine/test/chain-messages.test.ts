import fc from 'fast-check';
import {
  FIXED_ONE as W,
  InvalidInputError,
  MarginBook,
  wad,
  type BookConfig,
  type ChainMessage,
} from '../src/index.js';
import { A, B, USDC_A, WETH_A, USDC_B, WETH_B, ALICE, BOB, PERP_DEX, LIQUIDATOR, orderId } from './vaults.js';
import { expectSnapshotCurrent } from './snapshot-current.js';

// Two spoke chains (LayerZero eids), USDC and WETH on each, one perp market reported by an
// integrated protocol through a vault.

const config: BookConfig = {
  assets: {
    USDC: { decimals: 6, initialWeight: W, maintenanceWeight: W, tokens: { [A]: USDC_A, [B]: USDC_B } },
    WETH: {
      decimals: 18,
      initialWeight: wad('0.8'),
      maintenanceWeight: wad('0.85'),
      tokens: { [A]: WETH_A, [B]: WETH_B },
    },
  },
  markets: {
    'ETH-PERP': { baseIMR: wad('0.05'), baseMMR: wad('0.025'), imrFactor: wad('0.0000003754'), maxLeverage: 20n * W },
  },
  chains: { [A]: { staleAfter: 600n, staleWeight: wad('0.5') }, [B]: { staleAfter: 600n, staleWeight: wad('0.5') } },
  planner: { targetHealth: wad('1.05'), penalty: wad('0.02'), liquidatorShare: wad('0.5') },
  liquidator: LIQUIDATOR,
  orderId,
};

const balance = (account: string, token: string, amount: bigint): ChainMessage => ({
  type: 'BALANCE',
  account,
  token,
  balance: amount,
});

function priced(): MarginBook {
  const b = new MarginBook(config);
  b.applyPrice({ asset: 'USDC', price: W, time: 1n });
  b.applyPrice({ asset: 'WETH', price: 2000n * W, time: 1n });
  b.applyMark({ market: 'ETH-PERP', markPrice: 2000n * W, indexPrice: 2000n * W, time: 1n });
  return b;
}

describe('MarginBook chain messages', () => {
  it('maps tokens to assets per chain and books absolute balances', () => {
    const b = priced();
    const r = b.applyChainMessage({ eid: A, seq: 1n, time: 10n, inputSeq: 1n, message: balance(ALICE, WETH_A, W) });
    expect(r).toMatchObject({ applied: true, account: ALICE, decisions: [], gap: null, note: null });
    b.applyChainMessage({ eid: B, seq: 1n, time: 10n, inputSeq: 2n, message: balance(ALICE, USDC_B, 500_000_000n) });
    const view = b.accountView(ALICE);
    expect(view.holdings.map((h) => [h.asset, h.chain, h.token, h.balance, h.value])).toEqual([
      ['USDC', B, USDC_B, 500_000_000n, 500n * W],
      ['WETH', A, WETH_A, W, 2000n * W],
    ]);
    expect(view.weightedCollateral).toBe(500n * W + 1700n * W);
  });

  it('validates the account and token a message names even when a known id or token matches as sent', () => {
    const b = priced();
    const upper = ALICE.replace('a11c', 'A11C');
    // a symbolic account that is not an address, and one that is not lower case
    b.applyBalance({ account: 'alice', asset: 'USDC', chain: A, balance: 1n, time: 2n });
    b.applyBalance({ account: upper, asset: 'USDC', chain: A, balance: 7n, time: 2n });
    const r = b.applyChainMessage({ eid: A, seq: 1n, time: 10n, inputSeq: 1n, message: balance('alice', USDC_A, 5n) });
    expect(r).toMatchObject({ applied: false, reason: 'invalid' });
    if (r.applied || r.reason !== 'invalid') throw new Error('expected invalid');
    expect(r.error.field).toBe('message.account');
    // the mixed-case id is normalized: the message books the lower-case account, not the symbolic one
    const ok = b.applyChainMessage({ eid: A, seq: 2n, time: 10n, inputSeq: 2n, message: balance(upper, USDC_A, 5n) });
    expect(ok).toMatchObject({ applied: true, account: ALICE });
    expect(b.accountView(ALICE).holdings[0]!.balance).toBe(5n);
    expect(b.accountView(upper).holdings[0]!.balance).toBe(7n);
    // a configured token sent in upper case is the same token; a token of the other chain is not
    const token = USDC_A.replace('a1', 'A1');
    expect(
      b.applyChainMessage({ eid: A, seq: 3n, time: 10n, inputSeq: 3n, message: balance(ALICE, token, 6n) }),
    ).toMatchObject({ applied: true });
    expect(b.accountView(ALICE).holdings[0]!.balance).toBe(6n);
    const other = b.applyChainMessage({
      eid: A,
      seq: 4n,
      time: 10n,
      inputSeq: 4n,
      message: balance(ALICE, USDC_B, 1n),
    });
    expect(other).toMatchObject({ applied: false, reason: 'invalid', error: { field: 'message.token' } });
    const bad = b.applyChainMessage({ eid: A, seq: 5n, time: 10n, inputSeq: 5n, message: balance(ALICE, 'USDC', 1n) });
    expect(bad).toMatchObject({ applied: false, reason: 'invalid', error: { field: 'message.token' } });
    expect(b.accountView(ALICE).holdings[0]!.balance).toBe(6n);
  });

  it('ignores a replayed sequence number and an older absolute report delivered late', () => {
    const b = priced();
    b.applyChainMessage({ eid: A, seq: 2n, time: 10n, inputSeq: 1n, message: balance(ALICE, WETH_A, 3n * W) });
    const hash = b.stateHash();
    expect(
      b.applyChainMessage({ eid: A, seq: 2n, time: 11n, inputSeq: 2n, message: balance(ALICE, WETH_A, 9n * W) }),
    ).toEqual({
      applied: false,
      reason: 'replay',
      eid: A,
      seq: 2n,
    });
    // seq 1 arrives late: it fills the gap but its older balance loses to seq 2's
    const late = b.applyChainMessage({ eid: A, seq: 1n, time: 11n, inputSeq: 3n, message: balance(ALICE, WETH_A, W) });
    expect(late).toMatchObject({ applied: true, gap: null, note: 'older balance report ignored' });
    expect(b.accountView(ALICE).holdings[0]!.balance).toBe(3n * W);
    expect(b.stateHash()).not.toBe(hash); // the gap closed
    expect(b.sources()).toEqual([{ eid: A, contiguous: 2n, above: [] }]);
  });

  it('consumes a message that is wrong for this book, names the field, and opens no gap', () => {
    const b = priced();
    const r = b.applyChainMessage({
      eid: A,
      seq: 1n,
      time: 10n,
      inputSeq: 1n,
      message: balance(ALICE, '0x00000000000000000000000000000000000000c1', W),
    });
    expect(r.applied).toBe(false);
    if (r.applied || r.reason !== 'invalid') throw new Error('expected invalid');
    expect(r.error).toBeInstanceOf(InvalidInputError);
    expect(r.error.field).toBe('message.token');
    expect(b.has(ALICE)).toBe(false);
    expect(b.gaps()).toEqual([]);
    expect(() =>
      b.applyChainMessage({ eid: 999, seq: 2n, time: 10n, inputSeq: 2n, message: balance(ALICE, WETH_A, W) }),
    ).toThrow(/invalid eid/);
    expect(() =>
      b.applyChainMessage({ eid: A, seq: 0n, time: 10n, inputSeq: 2n, message: balance(ALICE, WETH_A, W) }),
    ).toThrow(/invalid seq/);
  });

  it('liquidates a reported position: seizure orders with derived ids, insurance share, pending until acked', () => {
    const b = priced();
    b.applyChainMessage({ eid: A, seq: 1n, time: 10n, inputSeq: 1n, message: balance(ALICE, USDC_A, 1_000_000_000n) });
    b.applyChainMessage({ eid: B, seq: 1n, time: 10n, inputSeq: 2n, message: balance(ALICE, WETH_B, W / 2n) });
    b.applyChainMessage({
      eid: A,
      seq: 2n,
      time: 10n,
      inputSeq: 3n,
      message: {
        type: 'EXPOSURE',
        account: ALICE,
        protocol: PERP_DEX,
        market: 'ETH-PERP',
        size: 20n * W,
        entryPrice: 2000n * W,
      },
    });
    expect(b.liquidations(3n).orders).toEqual([]); // healthy at entry
    b.applyMark({ market: 'ETH-PERP', markPrice: 1930n * W, indexPrice: 1930n * W, time: 11n });
    const { orders, results } = b.liquidations(4n);
    expect(results).toHaveLength(1);
    expect(orders.length).toBeGreaterThan(0);
    for (const o of orders) {
      const { type: _t, ...fields } = {
        type: 'LIQUIDATE' as const,
        dstEid: o.chain,
        account: ALICE,
        token: o.token,
        amount: o.amount,
        recipient: LIQUIDATOR,
        inputSeq: 4n,
      };
      expect(o.id).toBe(orderId({ type: 'LIQUIDATE', ...fields }));
      expect(o.insuranceAmount > 0n && o.insuranceAmount < o.amount).toBe(true);
      expect(b.order(o.id)).toMatchObject({ status: 'pending', executed: null });
    }
    expect(b.liquidations(5n).orders).toEqual([]); // booked: not repeated
    const o = orders[0]!;
    const held = b.accountView(ALICE).holdings.find((h) => h.asset === o.asset && h.chain === o.chain)!;
    expect(held.pending).toBe(o.amount);
    const ack = b.applyChainMessage({
      eid: o.chain,
      seq: o.chain === A ? 3n : 2n,
      time: 12n,
      inputSeq: 6n,
      message: {
        type: 'ORDER_ACK',
        orderId: o.id,
        account: ALICE,
        token: o.token,
        seized: o.amount,
        balance: held.balance - o.amount,
        status: 'executed',
      },
    });
    expect(ack.applied).toBe(true);
    expect(b.order(o.id)).toMatchObject({ status: 'done', executed: o.amount });
    const after = b.accountView(ALICE).holdings.find((h) => h.asset === o.asset && h.chain === o.chain)!;
    expect(after).toMatchObject({ balance: held.balance - o.amount, pending: 0n });
    // a second ack of the same order is consumed and refused
    const again = b.applyChainMessage({
      eid: o.chain,
      seq: o.chain === A ? 4n : 3n,
      time: 12n,
      inputSeq: 7n,
      message: {
        type: 'ORDER_ACK',
        orderId: o.id,
        account: ALICE,
        token: o.token,
        seized: o.amount,
        balance: 0n,
        status: 'executed',
      },
    });
    expect(again).toMatchObject({ applied: false, reason: 'invalid' });
  });

  it('decides a withdrawal request at once, keeps it in flight until WITHDRAW_DONE', () => {
    const b = priced();
    b.applyChainMessage({ eid: B, seq: 1n, time: 10n, inputSeq: 1n, message: balance(BOB, WETH_B, 5n * W) });
    const r = b.applyChainMessage({
      eid: B,
      seq: 2n,
      time: 11n,
      inputSeq: 2n,
      message: { type: 'WITHDRAW_REQUEST', account: BOB, token: WETH_B, amount: 2n * W, requestId: 1n },
    });
    if (!r.applied) throw new Error('not applied');
    expect(r.decisions).toHaveLength(1);
    const d = r.decisions[0]!;
    expect(d).toMatchObject({ approved: true, reason: 'approved', requestId: 1n, maxWithdraw: 5n * W, chain: B });
    expect(d.id).toBe(
      orderId({
        type: 'WITHDRAW_DECISION',
        dstEid: B,
        account: BOB,
        token: WETH_B,
        amount: 2n * W,
        recipient: BOB,
        inputSeq: 2n,
      }),
    );
    expect(b.accountView(BOB).holdings[0]!.pending).toBe(2n * W);
    // too much while the first is in flight
    const r2 = b.applyChainMessage({
      eid: B,
      seq: 3n,
      time: 11n,
      inputSeq: 3n,
      message: { type: 'WITHDRAW_REQUEST', account: BOB, token: WETH_B, amount: 4n * W, requestId: 2n },
    });
    expect(r2.applied && r2.decisions[0]).toMatchObject({
      approved: false,
      reason: 'exceeds-balance',
      maxWithdraw: 3n * W,
    });
    // a rejected request counts again at once: only the approved one is in flight
    expect(b.accountView(BOB).holdings[0]!.pending).toBe(2n * W);
    expect(b.liquidations(3n).orders).toEqual([]);
    for (const [seq, requestId, paid, bal, outcome] of [
      [4n, 1n, 2n * W, 3n * W, 'paid'],
      [5n, 2n, 0n, 3n * W, 'rejected'],
    ] as const) {
      const done = b.applyChainMessage({
        eid: B,
        seq,
        time: 12n,
        inputSeq: seq,
        message: { type: 'WITHDRAW_DONE', account: BOB, token: WETH_B, requestId, paid, balance: bal, outcome },
      });
      expect(done.applied).toBe(true);
    }
    expect(b.accountView(BOB).holdings[0]).toMatchObject({ balance: 3n * W, pending: 0n });
    expect(b.order(d.id)).toMatchObject({ status: 'done', executed: 2n * W, outcome: 'paid' });
  });

  it('a sequence gap holds decisions for the chain until it closes', () => {
    const b = priced();
    b.applyChainMessage({ eid: A, seq: 1n, time: 10n, inputSeq: 1n, message: balance(BOB, WETH_A, 5n * W) });
    // seq 2 is missing; 3 is a request
    const r = b.applyChainMessage({
      eid: A,
      seq: 3n,
      time: 11n,
      inputSeq: 2n,
      message: { type: 'WITHDRAW_REQUEST', account: BOB, token: WETH_A, amount: W, requestId: 7n },
    });
    expect(r).toMatchObject({ applied: true, decisions: [], gap: { eid: A, expected: 2n, highest: 3n, missing: 1n } });
    expect(b.accountView(BOB)).toMatchObject({ deferred: 'sequence-gap' });
    // a price crash makes a debt account liquidatable, but the gap holds it
    b.applyChainMessage({ eid: A, seq: 4n, time: 11n, inputSeq: 3n, message: balance(ALICE, WETH_A, W) });
    b.applyChainMessage({ eid: B, seq: 1n, time: 11n, inputSeq: 4n, message: balance(ALICE, USDC_B, 0n) });
    b.applyBalance({ account: ALICE, asset: 'USDC', chain: B, balance: -1_900_000_000n, time: 11n });
    const held = b.liquidations(5n);
    expectSnapshotCurrent(b);
    expect(held.orders).toEqual([]);
    expect(held.deferred).toEqual([{ account: ALICE, reason: 'sequence-gap' }]);
    // seq 2 arrives: the request is decided now, and the liquidation goes ahead
    const fill = b.applyChainMessage({
      eid: A,
      seq: 2n,
      time: 12n,
      inputSeq: 6n,
      message: balance(BOB, WETH_A, 5n * W),
    });
    expect(fill).toMatchObject({ applied: true, gap: null });
    expectSnapshotCurrent(b);
    if (!fill.applied) throw new Error('not applied');
    expect(fill.decisions).toHaveLength(1);
    expect(fill.decisions[0]).toMatchObject({ approved: true, requestId: 7n, inputSeq: 2n });
    expect(b.liquidations(7n).orders.length).toBeGreaterThan(0);
  });

  it('a skipped number (another shard’s account) counts: no gap, and it releases what waited', () => {
    const b = priced();
    b.applyChainMessage({ eid: A, seq: 1n, time: 10n, inputSeq: 1n, message: balance(BOB, WETH_A, 5n * W) });
    const r = b.applyChainMessage({
      eid: A,
      seq: 3n,
      time: 11n,
      inputSeq: 2n,
      message: { type: 'WITHDRAW_REQUEST', account: BOB, token: WETH_A, amount: W, requestId: 1n },
    });
    expect(r).toMatchObject({ applied: true, decisions: [] });
    const skip = b.skipChainMessage({ eid: A, seq: 2n, time: 12n });
    expect(skip.skipped).toBe(true);
    expect(skip.decisions).toMatchObject([{ approved: true, requestId: 1n, inputSeq: 2n }]);
    expect(b.gaps()).toEqual([]);
    expect(b.skipChainMessage({ eid: A, seq: 2n, time: 12n })).toEqual({ skipped: false, decisions: [] });
    expect(() => b.skipChainMessage({ eid: A, seq: 0n, time: 12n })).toThrow(/invalid seq/);
  });

  it('snapshot → restore mid-gap gives the same hash and the same later decisions', () => {
    const b = priced();
    b.applyChainMessage({ eid: A, seq: 1n, time: 10n, inputSeq: 1n, message: balance(BOB, WETH_A, 5n * W) });
    b.applyChainMessage({
      eid: A,
      seq: 3n,
      time: 11n,
      inputSeq: 2n,
      message: { type: 'WITHDRAW_REQUEST', account: BOB, token: WETH_A, amount: W, requestId: 1n },
    });
    const copy = MarginBook.restore(config, JSON.parse(JSON.stringify(b.snapshot())));
    expect(copy.stateHash()).toBe(b.stateHash());
    const next = { eid: A, seq: 2n, time: 12n, inputSeq: 3n, message: balance(BOB, WETH_A, 5n * W) };
    expect(copy.applyChainMessage(next)).toEqual(b.applyChainMessage(next));
    expect(copy.stateHash()).toBe(b.stateHash());
  });

  it('property: duplicates and a restart at any point never change the outcome', () => {
    const msg = fc.oneof(
      fc.record({
        kind: fc.constant('balance' as const),
        who: fc.constantFrom(ALICE, BOB),
        token: fc.constantFrom(USDC_A, WETH_A),
        amount: fc.bigInt({ min: 0n, max: 10n * W }),
      }),
      fc.record({
        kind: fc.constant('request' as const),
        who: fc.constantFrom(ALICE, BOB),
        token: fc.constantFrom(USDC_A, WETH_A),
        amount: fc.bigInt({ min: 1n, max: 5n * W }),
      }),
      fc.record({ kind: fc.constant('mark' as const), price: fc.bigInt({ min: 1000n, max: 3000n }) }),
    );
    fc.assert(
      fc.property(
        fc.array(msg, { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.nat(),
        (msgs, dupAt, cut) => {
          // the input stream: each chain message numbered by its vault, duplicated at random points
          type Input = { i: number; run: (b: MarginBook, inputSeq: bigint) => unknown };
          let seq = 0n;
          let req = 0n;
          const inputs: Input[] = msgs.map((m, i) => {
            if (m.kind === 'mark')
              return {
                i,
                run: (b) =>
                  b.applyMark({
                    market: 'ETH-PERP',
                    markPrice: m.price * W,
                    indexPrice: m.price * W,
                    time: 20n + BigInt(i),
                  }),
              };
            seq += 1n;
            const s = seq;
            const message: ChainMessage =
              m.kind === 'balance'
                ? balance(m.who, m.token, m.amount)
                : {
                    type: 'WITHDRAW_REQUEST',
                    account: m.who,
                    token: m.token,
                    amount: m.amount,
                    requestId: (req += 1n),
                  };
            return {
              i,
              run: (b, inputSeq) => b.applyChainMessage({ eid: A, seq: s, time: 20n + BigInt(i), inputSeq, message }),
            };
          });
          const withDups: Input[] = [];
          inputs.forEach((x, k) => {
            withDups.push(x);
            if (dupAt.includes(k)) withDups.push(x);
          });
          const runAll = (list: Input[], restartAt: number | null) => {
            let b = priced();
            const emitted: string[] = [];
            list.forEach((x, n) => {
              if (restartAt === n) b = MarginBook.restore(config, JSON.parse(JSON.stringify(b.snapshot())));
              const r = x.run(b, BigInt(x.i + 1)) as { decisions?: { id: string }[] };
              if (r && Array.isArray(r.decisions)) emitted.push(...r.decisions.map((d) => d.id));
              emitted.push(...b.liquidations(BigInt(x.i + 1)).orders.map((o) => o.id));
              expectSnapshotCurrent(b);
            });
            return { hash: b.stateHash(), emitted };
          };
          const plain = runAll(inputs, null);
          const dup = runAll(withDups, cut % (withDups.length + 1));
          expect(dup).toEqual(plain);
        },
      ),
      { numRuns: 150 },
    );
  });
});
