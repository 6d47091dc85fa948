import fc from 'fast-check';
import { FIXED_ONE as W, wad, type BookConfig } from '../src/index.js';
import { A, B, USDC_A, WETH_A, USDC_B, WETH_B, orderId } from './vaults.js';
import { PricedBook, type Priced } from './priced-book.js';

// The tick loops read each holder's slack and its float inputs from typed arrays by account
// index (grown as accounts arrive), with one position per market read from the array and several
// from the account's own list. The property of slack.test.ts, over books past the arrays' first
// size and accounts with several reported positions in one market: after every price tick and
// mark the book lists exactly what an exact evaluation of every account lists.

const PROTOCOLS = [
  '0x00000000000000000000000000000000000000d1',
  '0x00000000000000000000000000000000000000d2',
  '0x00000000000000000000000000000000000000d3',
];

const config: BookConfig = {
  assets: {
    USDC: {
      decimals: 6,
      initialWeight: wad('0.95'),
      maintenanceWeight: wad('0.97'),
      tokens: { [A]: USDC_A, [B]: USDC_B },
    },
    WETH: {
      decimals: 18,
      initialWeight: wad('0.8'),
      maintenanceWeight: wad('0.85'),
      cap: 50n * W,
      discountFactor: wad('0.001'),
      tokens: { [A]: WETH_A, [B]: WETH_B },
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
    [A]: { staleAfter: 100_000n, staleWeight: wad('0.5') },
    [B]: { staleAfter: 100_000n, staleWeight: wad('0.5') },
  },
  planner: { targetHealth: wad('1.05'), penalty: wad('0.01'), liquidatorShare: wad('0.5') },
  liquidator: '0x00000000000000000000000000000000000000ff',
  orderId,
};

/** A small deterministic generator (the accounts of one run from one seed). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const big = (r: () => number, min: bigint, max: bigint) =>
  min + (BigInt(Math.floor(r() * 2 ** 32)) * (max - min)) / 2n ** 32n;

const tick = fc.record({
  asset: fc.constantFrom<Priced>('WETH', 'USDC', 'MARK'),
  bps: fc.integer({ min: -600, max: 600 }),
});

describe('MarginBook tick loops over typed arrays', () => {
  it('property: past the first array size and with several positions in one market, the bound hides no liquidatable account', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 1300 }),
        fc.integer(),
        fc.array(tick, { minLength: 1, maxLength: 12 }),
        (n, seed, ticks) => {
          const r = rng(seed);
          const m = new PricedBook(config);
          const b = m.book;
          const t = m.time;
          const seqs = { [A]: 0n, [B]: 0n };
          const ids: string[] = [];
          for (let i = 0; i < n; i++) {
            const id = `0x${(i + 1).toString(16).padStart(40, '0')}`;
            ids.push(id);
            for (const [eid, token, lo, hi] of [
              [A, WETH_A, -W, 20n * W],
              [B, USDC_B, -10_000_000_000n, 30_000_000_000n],
            ] as const) {
              if (r() < 0.2) continue;
              b.applyChainMessage({
                eid,
                seq: ++seqs[eid],
                time: t,
                inputSeq: 1n,
                message: { type: 'BALANCE', account: id, token, balance: big(r, lo, hi) },
              });
            }
            // 0 to 3 positions in ETH-PERP, each reported by another protocol
            const positions = Math.floor(r() * 4);
            for (let p = 0; p < positions; p++) {
              b.applyChainMessage({
                eid: A,
                seq: ++seqs[A],
                time: t,
                inputSeq: 1n,
                message: {
                  type: 'EXPOSURE',
                  account: id,
                  protocol: PROTOCOLS[p]!,
                  market: 'ETH-PERP',
                  size: big(r, -15n * W, 15n * W),
                  entryPrice: big(r, 1900n * W, 2100n * W),
                },
              });
            }
          }
          expect(b.liquidatable()).toEqual(m.exact(ids));
          for (const k of ticks) {
            m.move(k.asset, k.bps);
            expect(b.liquidatable()).toEqual(m.exact(ids));
          }
        },
      ),
      { numRuns: 4 },
    );
  });
});
