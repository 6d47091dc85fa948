// pnpm bench — figures of the margin engine on this machine. Not a test: prints, asserts nothing.
// 1,000,000 accounts × (3 chains × 3 collateral assets, 3 positions) on the fast path; canonical
// evaluations and the canonical book's event rate (symbolic events and vault messages) on
// representative accounts; liquidation plans per second.
import {
  FastScreen,
  MarginBook,
  evaluateAccountExact,
  evaluateExactUnchecked,
  planUnchecked,
  wad,
} from '../dist/index.js';

const N = Number(process.argv[2] ?? 1_000_000);
const W = 10n ** 18n;
const gc = globalThis.gc ?? (() => {});
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
let t = 0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d });

// deterministic PRNG (mulberry32) so every run screens the same book
let seed = 42;
const rnd = () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const assets = ['USDC', 'WETH', 'WBTC'];
const chains = [1, 42161, 8453];
const markets = ['BTC-PERP', 'ETH-PERP', 'SOL-PERP'];
const marks = [60_000, 3_000, 150];
const prices = [1, 3_000, 60_000];

// ---------------------------------------------------------------- canonical path
const ctx = {
  assets: {
    USDC: { price: W, decimals: 6, initialWeight: W, maintenanceWeight: W },
    WETH: {
      price: 3000n * W,
      decimals: 18,
      initialWeight: wad('0.8'),
      maintenanceWeight: wad('0.85'),
      cap: 1_000_000n * W,
      discountFactor: wad('0.000001'),
    },
    WBTC: {
      price: 60_000n * W,
      decimals: 8,
      initialWeight: wad('0.75'),
      maintenanceWeight: wad('0.8'),
      cap: 100_000n * W,
      discountFactor: wad('0.000001'),
    },
  },
  markets: Object.fromEntries(
    markets.map((m, i) => [
      m,
      {
        markPrice: BigInt(marks[i]) * W,
        cumFunding: 0n,
        baseIMR: wad('0.05'),
        baseMMR: wad('0.025'),
        imrFactor: wad('0.0000003754'),
        maxLeverage: 20n * W,
      },
    ]),
  ),
  chains: Object.fromEntries(chains.map((c) => [c, { lastReportAt: 0n, staleAfter: 600n, staleWeight: wad('0.5') }])),
  now: 1n,
};
const decimals = [6, 18, 8];
const sample = Array.from({ length: 2000 }, () => ({
  collateral: assets.flatMap((asset, a) =>
    chains.map((chain) => ({
      asset,
      chain,
      qty:
        BigInt(Math.floor(((rnd() * 2000) / prices[a]) * 10 ** Math.min(decimals[a], 12))) *
        10n ** BigInt(Math.max(0, decimals[a] - 12)),
    })),
  ),
  positions: markets.map((market, s) => {
    const qty = BigInt(Math.round(((rnd() - 0.5) * 20_000 * 1e6) / marks[s])) * 10n ** 12n;
    return {
      market,
      qty,
      openCost: (qty * BigInt(marks[s]) * BigInt(Math.round((0.9 + rnd() * 0.2) * 1000))) / 1000n,
      lastCumFunding: 0n,
    };
  }),
}));
const evalRate = (fn, ms = 1500) => {
  // warm up (JIT) first, then measure
  for (let i = 0; i < 3000; i++) fn(sample[i % sample.length]);
  gc();
  let n = 0;
  const start = now();
  while (now() - start < ms) for (let i = 0; i < 200; i++, n++) fn(sample[n % sample.length]);
  return n / ((now() - start) / 1000);
};
const exactCore = evalRate((a) => evaluateExactUnchecked(a, ctx, { details: false }));
const exactChecked = evalRate((a) => evaluateAccountExact(a, ctx, { details: false }));
const exactDetailed = evalRate((a) => evaluateAccountExact(a, ctx), 1000);

// liquidation planner: liquidatable accounts of 2 holdings (USDC on one chain, possibly a debt, and
// WETH on another) and 1–3 losing positions; own seed, so the samples below stay as they were
const savedSeed = seed;
seed = 7;
const plannerConfig = { targetHealth: wad('1.05'), penalty: wad('0.01'), liquidatorShare: wad('0.5') };
const liquidatable = [];
while (liquidatable.length < 200) {
  const n = 1 + Math.floor(rnd() * 3);
  const account = {
    collateral: [
      { asset: 'USDC', chain: 1, qty: BigInt(Math.round((rnd() * 3000 - 1000) * 1e6)) },
      { asset: 'WETH', chain: 42161, qty: BigInt(Math.round(rnd() * 2e6)) * 10n ** 12n },
    ],
    positions: markets.slice(0, n).map((market, s) => {
      const qty = BigInt(Math.round(((rnd() - 0.5) * 40_000 * 1e6) / marks[s])) * 10n ** 12n;
      // entered 0–8 % away from the mark, against the position
      const entry = BigInt(Math.round((qty > 0n ? 1 + rnd() * 0.08 : 1 - rnd() * 0.08) * 1e6));
      return { market, qty, openCost: (qty * BigInt(marks[s]) * entry) / 1_000_000n, lastCumFunding: 0n };
    }),
  };
  if (evaluateExactUnchecked(account, ctx, { details: false }).liquidatable) liquidatable.push(account);
}
seed = savedSeed;
const planActions = liquidatable.reduce((n, a) => {
  const p = planUnchecked(a, ctx, plannerConfig);
  return n + p.closes.length + p.seizures.length;
}, 0);
const plansPerSec = (() => {
  for (let i = 0; i < 400; i++) planUnchecked(liquidatable[i % liquidatable.length], ctx, plannerConfig);
  gc();
  let n = 0;
  const start = now();
  while (now() - start < 2000)
    for (let i = 0; i < 20; i++, n++) planUnchecked(liquidatable[n % 200], ctx, plannerConfig);
  return n / ((now() - start) / 1000);
})();

// canonical book event rate (validated, indexed, incremental)
const book = new MarginBook({
  assets: Object.fromEntries(Object.entries(ctx.assets).map(([k, a]) => [k, { ...a, price: undefined }])),
  markets: Object.fromEntries(
    markets.map((m) => [
      m,
      { baseIMR: wad('0.05'), baseMMR: wad('0.025'), imrFactor: wad('0.0000003754'), maxLeverage: 20n * W },
    ]),
  ),
  chains: Object.fromEntries(chains.map((c) => [c, { staleAfter: 600n, staleWeight: wad('0.5') }])),
  planner: { targetHealth: wad('1.05'), penalty: wad('0.01'), liquidatorShare: wad('0.5') },
});
const accounts = Array.from({ length: 100_000 }, (_, i) => `0x${i.toString(16).padStart(40, '0')}`);
const BE = 2_000_000;
for (let i = 0; i < 50_000; i++)
  book.applyBalance({
    account: accounts[i % accounts.length],
    asset: assets[i % 3],
    chain: chains[((i / 3) % 3) | 0],
    balance: 1n,
    time: 1n,
  });
gc();
t = now();
for (let i = 0; i < BE; i++)
  book.applyBalance({
    account: accounts[i % accounts.length],
    asset: assets[i % 3],
    chain: chains[((i / 3) % 3) | 0],
    balance: BigInt(i),
    time: BigInt(1 + (i >> 10)),
  });
const bookEventsPerSec = BE / ((now() - t) / 1000);

// the same through vault messages: BALANCE with per-vault sequence numbers (in order, no gaps)
const token = (a, c) => `0x${(a * 16 + c + 1).toString(16).padStart(40, 'a')}`;
const chainBook = new MarginBook({
  assets: Object.fromEntries(
    Object.entries(ctx.assets).map(([k, a], i) => [
      k,
      { ...a, price: undefined, tokens: Object.fromEntries(chains.map((c, j) => [c, token(i, j)])) },
    ]),
  ),
  markets: Object.fromEntries(
    markets.map((m) => [
      m,
      { baseIMR: wad('0.05'), baseMMR: wad('0.025'), imrFactor: wad('0.0000003754'), maxLeverage: 20n * W },
    ]),
  ),
  chains: Object.fromEntries(chains.map((c) => [c, { staleAfter: 600n, staleWeight: wad('0.5') }])),
  planner: { targetHealth: wad('1.05'), penalty: wad('0.01'), liquidatorShare: wad('0.5') },
});
const tokens = assets.map((_, a) => chains.map((_, c) => token(a, c)));
const vaultSeq = chains.map(() => 0n);
let inputSeq = 0n;
const balanceMessage = (i) => {
  const a = i % 3;
  const c = ((i / 3) % 3) | 0;
  vaultSeq[c] += 1n;
  inputSeq += 1n;
  return {
    eid: chains[c],
    seq: vaultSeq[c],
    time: BigInt(1 + (i >> 10)),
    inputSeq,
    message: { type: 'BALANCE', account: accounts[i % accounts.length], token: tokens[a][c], balance: BigInt(i) },
  };
};
for (let i = 0; i < 50_000; i++) chainBook.applyChainMessage(balanceMessage(i));
gc();
t = now();
for (let i = 50_000; i < 50_000 + BE; i++) chainBook.applyChainMessage(balanceMessage(i));
const chainEventsPerSec = BE / ((now() - t) / 1000);

// ---------------------------------------------------------------- fast path: 1M accounts
gc();
const mem0 = process.memoryUsage();
const screen = new FastScreen({ assets, chains, markets, slots: 3 }, N);
screen.setAsset(0, { price: 1, maintenanceWeight: 1 });
screen.setAsset(1, { price: 3000, maintenanceWeight: 0.85, cap: 1e6, discountFactor: 1e-6 });
screen.setAsset(2, { price: 60000, maintenanceWeight: 0.8, cap: 1e5, discountFactor: 1e-6 });
markets.forEach((_, m) =>
  screen.setMarket(m, { markPrice: marks[m], cumFunding: 0, baseIMR: 0.05, baseMMR: 0.025, imrFactor: 3.754e-7 }),
);
t = now();
for (let acct = 0; acct < N; acct++) {
  for (let a = 0; a < 3; a++) for (let c = 0; c < 3; c++) screen.setHolding(acct, a, c, (rnd() * 2000) / prices[a]);
  for (let s = 0; s < 3; s++) {
    const qty = ((rnd() - 0.5) * 20_000) / marks[s];
    screen.setPosition(acct, s, s, qty, qty * marks[s] * (0.9 + rnd() * 0.2), 0);
  }
}
const loadMs = now() - t;
gc();
const mem1 = process.memoryUsage();
const bytesPerAccount = (mem1.heapUsed - mem0.heapUsed + (mem1.arrayBuffers - mem0.arrayBuffers)) / N;

const rescans = [];
for (let i = 0; i < 5; i++) {
  t = now();
  screen.rescan();
  rescans.push(now() - t);
}
const scanCandidates = [];
for (let i = 0; i < 5; i++) {
  t = now();
  screen.candidates();
  scanCandidates.push(now() - t);
}
const ticks = [];
for (let i = 0; i < 9; i++) {
  t = now();
  screen.setPrice(1, 3000 * (1 + (i % 2 ? 0.01 : -0.01)));
  ticks.push(now() - t);
}
const flagged = screen.candidates().length;

const E = 2_000_000;
t = now();
for (let i = 0; i < E; i++) {
  const acct = (rnd() * N) | 0;
  screen.setHolding(acct, i % 3, ((i / 3) % 3) | 0, rnd() * 100);
}
const fastEventsPerSec = E / ((now() - t) / 1000);

console.log(`margin-engine bench — ${fmt(N, 0)} accounts (3 chains × 3 assets, 3 positions), node ${process.version}`);
console.log(`  load (9 holdings + 3 positions per account, incremental setters): ${fmt(loadMs, 0)} ms`);
console.log(`  full rescan:                ${fmt(median(rescans))} ms (median of 5)            target ≤ 100 ms`);
console.log(`  candidates scan:            ${fmt(median(scanCandidates))} ms (flagged ${fmt(flagged, 0)})`);
console.log(
  `  one-asset price tick:       ${fmt(median(ticks))} ms (median of 9, ${fmt(N, 0)} holders)   target ≤ 30 ms`,
);
console.log(`  events/s (fast path):       ${fmt(fastEventsPerSec, 0)}                        target ≥ 500k`);
console.log(
  `  events/s (canonical book):  ${fmt(bookEventsPerSec, 0)} (applyBalance, 100k accounts)         target ≥ 500k`,
);
console.log(`  events/s (vault messages):  ${fmt(chainEventsPerSec, 0)} (applyChainMessage BALANCE, 100k accounts)`);
console.log(`  heap bytes/account:         ${fmt(bytesPerAccount, 0)}                              target ≤ 1024`);
console.log(
  `  canonical evals/s:          ${fmt(exactCore, 0)} (core) · ${fmt(exactChecked, 0)} (validated) · ${fmt(exactDetailed, 0)} (with liq. prices + max withdraw)   target ≥ 100k`,
);
console.log(
  `  liquidation plans/s:        ${fmt(plansPerSec, 0)} (planUnchecked; 200 liquidatable accounts, 2 holdings, 1–3 positions, ${fmt(planActions / 200, 2)} actions per plan)`,
);
