import { createHash } from 'node:crypto';
import { InvalidInputError, MarginBook, MarginEngineError, collateralValue, sha256Hex } from '../src/index.js';
import {
  A,
  ALICE,
  B,
  BOB,
  INSURANCE,
  PERP,
  STRANGER_TOKEN,
  USDC_A,
  WAD,
  WETH_A,
  WETH_B,
  config,
  fakeOrderId,
  newBook,
} from './fixtures.js';

/** Alice: 1 WETH on A, 2 WETH on B, exposure $5000 from one protocol on A. */
function aliceBook(wethPrice: bigint) {
  const book = newBook();
  book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: 1n * WAD, seq: 1n });
  book.applyBalance({ eid: B, account: ALICE, token: WETH_B, balance: 2n * WAD, seq: 1n });
  book.applyExposure({ eid: A, account: ALICE, protocol: PERP, exposure: 5000n * WAD, seq: 2n });
  book.applyPrice({ asset: 'WETH', price: wethPrice, publishTime: 100n });
  return book;
}

describe('valuation', () => {
  it('rounds each holding down, in the protocol’s favour', () => {
    const book = newBook();
    book.applyBalance({ eid: A, account: ALICE, token: USDC_A, balance: 1n, seq: 1n }); // 0.000001 USDC
    book.applyPrice({ asset: 'USDC', price: WAD - 1n, publishTime: 1n }); // $0.999…
    const view = book.accountView(ALICE);
    expect(view.holdings[0]!.value).toBe(999_999_999_999n); // 1e-6 × (1e18 − 1) / 1e6, floored
    expect(collateralValue(3n, 1n, { scale: 2n })).toBe(1n);
  });

  it('counts an unknown token and a missing price as zero and says which', () => {
    const book = newBook();
    book.applyBalance({ eid: A, account: ALICE, token: STRANGER_TOKEN, balance: 10n ** 30n, seq: 1n });
    book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: WAD, seq: 2n });
    const view = book.accountView(ALICE);
    expect(view.value).toBe(0n);
    expect(view.holdings.map((h) => [h.token, h.symbol, h.unvalued])).toEqual([
      [WETH_A, 'WETH', 'missing-price'],
      [STRANGER_TOKEN, null, 'unknown-token'],
    ]);
  });

  it('sums exposure over the latest report of each (eid, protocol)', () => {
    const book = newBook();
    book.applyExposure({ eid: A, account: ALICE, protocol: PERP, exposure: 100n, seq: 1n });
    book.applyExposure({ eid: A, account: ALICE, protocol: PERP, exposure: 70n, seq: 2n });
    book.applyExposure({ eid: B, account: ALICE, protocol: PERP, exposure: 5n, seq: 1n });
    book.applyExposure({ eid: A, account: ALICE, protocol: BOB, exposure: 1n, seq: 3n });
    expect(book.accountView(ALICE).exposure).toBe(76n);
  });
});

describe('liquidation threshold', () => {
  // 3 WETH; exposure $5000 → liquidatable strictly below $5000/3 per WETH.
  it('is not liquidatable when value equals exposure', () => {
    const book = newBook();
    book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: 5n * WAD, seq: 1n });
    book.applyExposure({ eid: A, account: ALICE, protocol: PERP, exposure: 5000n * WAD, seq: 2n });
    book.applyPrice({ asset: 'WETH', price: 1000n * WAD, publishTime: 1n });
    expect(book.accountView(ALICE)).toMatchObject({ value: 5000n * WAD, liquidatable: false });
    expect(book.evaluate(ALICE, 3n).actions).toEqual([]);
    book.applyPrice({ asset: 'WETH', price: 1000n * WAD - 1n, publishTime: 2n });
    expect(book.accountView(ALICE).liquidatable).toBe(true);
  });

  it('never liquidates without exposure, even with no collateral', () => {
    const book = newBook();
    book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: 0n, seq: 1n });
    expect(book.evaluate(ALICE, 1n)).toMatchObject({ liquidatable: false, actions: [] });
  });
});

describe('sequence tracking', () => {
  it('ignores a replay and changes nothing', () => {
    const book = newBook();
    book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: 5n, seq: 1n });
    const hash = book.stateHash();
    expect(book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: 7n, seq: 1n })).toEqual({
      applied: false,
      reason: 'replay',
      lastSeq: 1n,
    });
    expect(book.applyExposure({ eid: A, account: ALICE, protocol: PERP, exposure: 7n, seq: 0n })).toMatchObject({
      applied: false,
    });
    expect(book.stateHash()).toBe(hash);
    // Another chain has its own counter.
    expect(book.applyBalance({ eid: B, account: ALICE, token: WETH_B, balance: 1n, seq: 1n })).toMatchObject({
      applied: true,
      gap: null,
    });
  });

  it('records a gap and applies anyway', () => {
    const book = newBook();
    book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: 5n, seq: 1n });
    const r = book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: 9n, seq: 4n });
    expect(r).toEqual({ applied: true, account: ALICE, gap: { eid: A, expected: 2n, received: 4n } });
    expect(book.accountView(ALICE).holdings[0]!.balance).toBe(9n);
    expect(book.sources()).toEqual([
      { eid: A, lastSeq: 4n, gaps: 1, missing: 2n, lastGap: { eid: A, expected: 2n, received: 4n } },
    ]);
  });

  it('ignores a price not newer than the last one for its asset', () => {
    const book = newBook();
    book.applyPrice({ asset: 'WETH', price: 5n, publishTime: 10n });
    expect(book.applyPrice({ asset: 'WETH', price: 6n, publishTime: 10n })).toEqual({
      applied: false,
      reason: 'stale',
      lastPublishTime: 10n,
    });
    expect(book.price('WETH')).toEqual({ price: 5n, publishTime: 10n });
  });
});

describe('decisions', () => {
  it('seizes everything available on each chain, in eid order, once', () => {
    const book = aliceBook(1000n * WAD); // $3000 < $5000
    const { actions, liquidatable, value } = book.evaluate(ALICE, 17n);
    expect(liquidatable).toBe(true);
    expect(value).toBe(3000n * WAD);
    expect(actions).toEqual([
      {
        kind: 'LIQUIDATE',
        orderId: fakeOrderId({
          dstEid: A,
          account: ALICE,
          token: WETH_A,
          amount: WAD,
          recipient: INSURANCE,
          inputSeq: 17n,
        }),
        dstEid: A,
        account: ALICE,
        token: WETH_A,
        amount: WAD,
        recipient: INSURANCE,
        inputSeq: 17n,
      },
      {
        kind: 'LIQUIDATE',
        orderId: fakeOrderId({
          dstEid: B,
          account: ALICE,
          token: WETH_B,
          amount: 2n * WAD,
          recipient: INSURANCE,
          inputSeq: 17n,
        }),
        dstEid: B,
        account: ALICE,
        token: WETH_B,
        amount: 2n * WAD,
        recipient: INSURANCE,
        inputSeq: 17n,
      },
    ]);
    expect(book.accountView(ALICE).holdings.map((h) => h.pending)).toEqual([WAD, 2n * WAD]);
    expect(book.evaluate(ALICE, 18n).actions).toEqual([]);
    expect(book.orders().map((o) => o.status)).toEqual(['pending', 'pending']);
  });

  it('books the vault’s real seizure on acknowledgement and clears the pending amount', () => {
    const book = aliceBook(1000n * WAD);
    const [onA, onB] = book.evaluate(ALICE, 17n).actions;
    // The vault on A only managed to seize part (the balance had dropped meanwhile).
    const r = book.applyOrderAck({
      eid: A,
      orderId: onA!.orderId,
      account: ALICE,
      token: WETH_A,
      seized: WAD / 2n,
      balance: 0n,
      seq: 3n,
    });
    expect(r).toMatchObject({ applied: true, order: { status: 'acknowledged', seized: WAD / 2n, ackSeq: 3n } });
    const view = book.accountView(ALICE);
    expect(view.holdings.map((h) => [h.eid, h.balance, h.pending])).toEqual([
      [A, 0n, 0n],
      [B, 2n * WAD, 2n * WAD],
    ]);
    expect(book.order(onB!.orderId)!.status).toBe('pending');
    // A deposit after the order: only the new amount is available to seize.
    book.applyBalance({ eid: B, account: ALICE, token: WETH_B, balance: 3n * WAD, seq: 2n });
    expect(book.evaluate(ALICE, 20n).actions.map((a) => [a.dstEid, a.amount])).toEqual([[B, WAD]]);
  });

  it('books an acknowledgement of an order it did not issue without failing', () => {
    const book = aliceBook(1000n * WAD);
    const r = book.applyOrderAck({
      eid: A,
      orderId: '0x' + '00'.repeat(32),
      account: ALICE,
      token: WETH_A,
      seized: 1n,
      balance: 5n,
      seq: 3n,
    });
    expect(r).toMatchObject({ applied: true, order: null });
    expect(book.accountView(ALICE).holdings[0]!.balance).toBe(5n);
  });

  it('does not seize tokens that are not configured collateral', () => {
    const book = aliceBook(1000n * WAD);
    book.applyBalance({ eid: A, account: ALICE, token: STRANGER_TOKEN, balance: 9n, seq: 3n });
    expect(book.evaluate(ALICE, 5n).actions.map((a) => a.token)).toEqual([WETH_A, WETH_B]);
  });
});

describe('holders index', () => {
  it('tracks who holds a positive balance of each asset', () => {
    const book = newBook();
    book.applyBalance({ eid: A, account: BOB, token: WETH_A, balance: 1n, seq: 1n });
    book.applyBalance({ eid: B, account: ALICE, token: WETH_B, balance: 1n, seq: 1n });
    book.applyBalance({ eid: A, account: ALICE, token: USDC_A, balance: 1n, seq: 2n });
    expect(book.holders('WETH')).toEqual([ALICE, BOB]);
    expect(book.applyPrice({ asset: 'USDC', price: WAD, publishTime: 1n })).toEqual({
      applied: true,
      holders: [ALICE],
    });
    book.applyBalance({ eid: A, account: BOB, token: WETH_A, balance: 0n, seq: 3n });
    expect(book.holders('WETH')).toEqual([ALICE]);
  });
});

describe('bad input', () => {
  const cases: Array<[string, (b: MarginBook) => unknown, string]> = [
    ['unknown asset', (b) => b.applyPrice({ asset: 'DOGE', price: 1n, publishTime: 1n }), 'asset'],
    [
      'negative balance',
      (b) => b.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: -1n, seq: 9n }),
      'balance',
    ],
    [
      'number instead of bigint',
      (b) => b.applyExposure({ eid: A, account: ALICE, protocol: PERP, exposure: 5 as unknown as bigint, seq: 9n }),
      'exposure',
    ],
    [
      'bad address',
      (b) => b.applyBalance({ eid: A, account: '0x1234', token: WETH_A, balance: 1n, seq: 9n }),
      'account',
    ],
    ['bad eid', (b) => b.applyBalance({ eid: -1, account: ALICE, token: WETH_A, balance: 1n, seq: 9n }), 'eid'],
    [
      'bad seq',
      (b) => b.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: 1n, seq: 1 as unknown as bigint }),
      'seq',
    ],
    [
      'bad order id',
      (b) =>
        b.applyOrderAck({ eid: A, orderId: '0x12', account: ALICE, token: WETH_A, seized: 0n, balance: 0n, seq: 9n }),
      'orderId',
    ],
    ['negative price', (b) => b.applyPrice({ asset: 'WETH', price: -5n, publishTime: 1000n }), 'price'],
  ];
  it.each(cases)('%s throws InvalidInputError naming the field and applies nothing', (_, apply, field) => {
    const book = aliceBook(1000n * WAD);
    const hash = book.stateHash();
    let caught: unknown;
    try {
      apply(book);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect(caught).toBeInstanceOf(MarginEngineError);
    expect(caught).toMatchObject({ name: 'InvalidInputError', field });
    expect((caught as Error).message).toContain(field);
    expect(book.stateHash()).toBe(hash);
  });

  it('rejects a bad configuration naming the entry', () => {
    expect(() => new MarginBook({ ...config, assets: [{ symbol: 'X', decimals: 1.5, tokens: [] }] })).toThrow(
      /assets\[0\]\.decimals/,
    );
    expect(() => new MarginBook({ ...config, liquidationRecipient: 'nope' })).toThrow(/liquidationRecipient/);
    expect(
      () =>
        new MarginBook({
          ...config,
          assets: [
            {
              symbol: 'X',
              decimals: 1,
              tokens: [
                { eid: A, token: WETH_A },
                { eid: A, token: WETH_A.toUpperCase().replace('0X', '0x') },
              ],
            },
          ],
        }),
    ).toThrow(/mapped twice/);
  });

  it('leaves nothing behind when the order id function throws', () => {
    let calls = 0;
    const book = new MarginBook({ ...config, orderId: (f) => (++calls === 2 ? 'bad' : fakeOrderId(f)) });
    book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: WAD, seq: 1n });
    book.applyBalance({ eid: B, account: ALICE, token: WETH_B, balance: WAD, seq: 1n });
    book.applyExposure({ eid: A, account: ALICE, protocol: PERP, exposure: WAD, seq: 2n });
    book.applyPrice({ asset: 'WETH', price: 0n, publishTime: 1n });
    const hash = book.stateHash();
    expect(() => book.evaluate(ALICE, 1n)).toThrow(InvalidInputError);
    expect(book.stateHash()).toBe(hash);
  });
});

describe('snapshot and state hash', () => {
  it('round-trips through JSON to the same state hash', () => {
    const book = aliceBook(1000n * WAD);
    const [onA] = book.evaluate(ALICE, 17n).actions;
    book.applyOrderAck({
      eid: A,
      orderId: onA!.orderId,
      account: ALICE,
      token: WETH_A,
      seized: WAD,
      balance: 0n,
      seq: 5n,
    });
    const restored = MarginBook.restore(config, JSON.parse(JSON.stringify(book.snapshot())));
    expect(restored.stateHash()).toBe(book.stateHash());
    expect(restored.holders('WETH')).toEqual(book.holders('WETH'));
    expect(restored.accountView(ALICE)).toEqual(book.accountView(ALICE));
  });

  it('differs when the state differs', () => {
    expect(aliceBook(1000n * WAD).stateHash()).not.toBe(aliceBook(1001n * WAD).stateHash());
    expect(aliceBook(1000n * WAD).stateHash()).toBe(aliceBook(1000n * WAD).stateHash());
  });

  it('rejects a malformed snapshot naming the field', () => {
    const snap = JSON.parse(JSON.stringify(aliceBook(WAD).snapshot()));
    snap.accounts[0].holdings[0].balance = '-3';
    expect(() => MarginBook.restore(config, snap)).toThrow(/snapshot\.accounts\[0\]\.holdings\[0\]\.balance/);
  });

  it('hashes with a correct SHA-256', () => {
    for (const input of ['', 'abc', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'é✓'.repeat(300)]) {
      expect(sha256Hex(input)).toBe(createHash('sha256').update(input, 'utf8').digest('hex'));
    }
  });
});

describe('missing prices', () => {
  it('defers a liquidation while a held asset has no price, and takes it once priced', () => {
    const book = newBook();
    book.applyBalance({ eid: A, account: ALICE, token: WETH_A, balance: WAD, seq: 1n });
    book.applyBalance({ eid: A, account: ALICE, token: USDC_A, balance: 10n ** 6n, seq: 2n });
    book.applyExposure({ eid: A, account: ALICE, protocol: PERP, exposure: 5000n * WAD, seq: 3n });
    book.applyPrice({ asset: 'USDC', price: WAD, publishTime: 1n });
    const early = book.evaluate(ALICE, 4n);
    expect(early).toMatchObject({
      liquidatable: true,
      value: WAD,
      deferred: { reason: 'missing-price', assets: ['WETH'] },
      actions: [],
    });
    expect(book.accountView(ALICE).missingPrices).toEqual(['WETH']);
    book.applyPrice({ asset: 'WETH', price: 1000n * WAD, publishTime: 2n });
    const late = book.evaluate(ALICE, 5n);
    expect(late.deferred).toBeNull();
    expect(late.actions.map((a) => a.token)).toEqual([WETH_A, USDC_A]);
  });
});
