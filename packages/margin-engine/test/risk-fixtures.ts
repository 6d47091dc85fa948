import fc from 'fast-check';
import { wad, type ExactAccount, type ExactContext, type ExactPosition } from '../src/index.js';

export const W = 10n ** 18n;
export const ETH_CHAIN = 1;
export const ARB_CHAIN = 42161;
export const BASE_CHAIN = 8453;

/** Three assets on three chains and two perp markets, Orderly-like parameters. */
export function riskContext(overrides: Partial<ExactContext> = {}): ExactContext {
  return {
    assets: {
      USDC: { price: W, decimals: 6, initialWeight: W, maintenanceWeight: W },
      WETH: {
        price: 2000n * W,
        decimals: 18,
        initialWeight: wad('0.8'),
        maintenanceWeight: wad('0.85'),
        cap: 100_000n * W,
        discountFactor: wad('0.00001'),
      },
      WBTC: { price: 30_000n * W, decimals: 8, initialWeight: wad('0.7'), maintenanceWeight: wad('0.75') },
    },
    markets: {
      'BTC-PERP': {
        markPrice: wad('25986.2'),
        cumFunding: 0n,
        baseIMR: wad('0.1'),
        baseMMR: wad('0.05'),
        imrFactor: wad('0.0000002512'),
        maxLeverage: 10n * W,
      },
      'ETH-PERP': {
        markPrice: 2000n * W,
        cumFunding: 0n,
        baseIMR: wad('0.05'),
        baseMMR: wad('0.025'),
        imrFactor: wad('0.0000003754'),
        maxLeverage: 20n * W,
      },
    },
    chains: {
      [ETH_CHAIN]: { lastReportAt: 1000n, staleAfter: 600n, staleWeight: wad('0.5') },
      [ARB_CHAIN]: { lastReportAt: 1000n, staleAfter: 600n, staleWeight: wad('0.5') },
      [BASE_CHAIN]: { lastReportAt: 100n, staleAfter: 600n, staleWeight: wad('0.5') }, // stale at now=1000
    },
    now: 1000n,
    ...overrides,
  };
}

const ASSETS = [
  ['USDC', 6],
  ['WETH', 18],
  ['WBTC', 8],
] as const;
const CHAINS = [ETH_CHAIN, ARB_CHAIN, BASE_CHAIN];

/** Random accounts over {@link riskContext}: up to 9 holdings (some debt) and up to 2 positions. */
export const accountArb: fc.Arbitrary<ExactAccount> = fc
  .record({
    holdings: fc.uniqueArray(
      fc.record({
        a: fc.integer({ min: 0, max: 2 }),
        c: fc.integer({ min: 0, max: 2 }),
        whole: fc.integer({ min: -2_000, max: 50_000 }),
        frac: fc.integer({ min: 0, max: 999_999 }),
        pendingPct: fc.integer({ min: 0, max: 100 }),
      }),
      { maxLength: 9, selector: (h) => `${h.a}:${h.c}` },
    ),
    positions: fc.uniqueArray(
      fc.record({
        market: fc.constantFrom('BTC-PERP', 'ETH-PERP'),
        qtyMilli: fc.integer({ min: -50_000, max: 50_000 }),
        entryPct: fc.integer({ min: 50, max: 150 }),
        fundingMicro: fc.integer({ min: -1_000_000, max: 1_000_000 }),
        isolated: fc.boolean(),
        isoMargin: fc.integer({ min: 0, max: 100_000 }),
      }),
      { maxLength: 2, selector: (p) => p.market },
    ),
  })
  .map(({ holdings, positions }) => ({
    collateral: holdings.map((h) => {
      const [asset, decimals] = ASSETS[h.a]!;
      const unit = 10n ** BigInt(decimals);
      // USDC thousands, WETH units, WBTC tenths: keep magnitudes comparable.
      const div = asset === 'USDC' ? 1n : asset === 'WETH' ? 20n : 300n;
      const qty = (BigInt(h.whole) * unit + (BigInt(h.frac) * unit) / 1_000_000n) / div;
      const pending = qty > 0n ? (qty * BigInt(h.pendingPct)) / 400n : 0n;
      return { asset, chain: CHAINS[h.c]!, qty, pending };
    }),
    positions: positions.map((p): ExactPosition => {
      const mark = p.market === 'BTC-PERP' ? wad('25986.2') : 2000n * W;
      const qty = (BigInt(p.qtyMilli) * W) / 1000n;
      return {
        market: p.market,
        qty,
        openCost: (((qty * mark) / W) * BigInt(p.entryPct)) / 100n,
        lastCumFunding: BigInt(p.fundingMicro) * 10n ** 12n,
        mode: p.isolated ? 'isolated' : 'cross',
        isolatedMargin: p.isolated ? BigInt(p.isoMargin) * W : 0n,
      };
    }),
  }));
