// pnpm bench — figures of the clearing node on this machine. Not a test: prints, asserts nothing
// (it stops with an error only when the run itself is broken: dead letters, a node that fails).
//
// One real nats-server. OMNI_IN is pre-loaded with a synthetic but realistic input mix (vault
// BALANCE reports with per-vault sequence numbers, ETH-PERP exposures, WETH ticks every ~50
// events, a few withdrawal requests), encoded exactly as the gateway and the price feed do. Then,
// in the same run:
//   1. raw: the NATS client alone reads OMNI_IN (ordered consumer; ordered + parse; durable pull
//      consumer with an ack per message);
//   2. node: the clearing node boots in-process and replays OMNI_IN (parse → book → orders);
//   3. engine: the same inputs, held in memory, through parseInputEvent and the node's ledger
//      (no NATS, no publishing, no snapshots): what the node's own work costs per input;
//   4. latency: with the node live, price ticks that liquidate one prepared account each, from
//      publish to the order seen on `omni.out.>`.
//
// Usage: node bench/bench.mjs [--events 100000] [--accounts 10000] [--active N] [--samples 200] [--burst 200] [--tick-every 50] [--crash-every 40]
//                           [--snapshot-every N] [--phases raw,engine,node,latency] [--profile file.cpuprofile]
//                           [--profile-engine file.cpuprofile]
import 'reflect-metadata';

import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TextDecoder } from 'node:util';

import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { encodeInputEvent, msgIds, parseInputEvent, subjects } from '@omniclear/protocol';
import { startNats } from '@omniclear/testkit';
import { getAddress } from 'viem';

import { createApp, startApp } from '../dist/app.js';
import { readNodeConfig } from '../dist/config.js';
import { LedgerService } from '../dist/ledger/ledger.service.js';
import { STREAM_CONFIGS } from '../dist/nats/streams.js';

// ------------------------------------------------------------------ options
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const EVENTS = Number(arg('events', 100_000));
const ACCOUNTS = Number(arg('accounts', 10_000));
// after onboarding, only the first ACTIVE accounts report (the rest hold still, as most of a
// real book does between two snapshots); all of them by default
const ACTIVE = Math.min(ACCOUNTS, Number(arg('active', ACCOUNTS)));
const SAMPLES = Number(arg('samples', 200));
const BURST = Number(arg('burst', 200)); // accounts one tick liquidates at once, in the latency phase
const BURSTS = 3; // bursts measured (the median is reported)
const TICK_EVERY = Number(arg('tick-every', 50)); // 0: no ticks in the pre-load
const CRASH_EVERY = Number(arg('crash-every', 40)); // mean ticks between liquidating drops; 0: a calm walk
const PROFILE = arg('profile'); // a .cpuprofile of the node's replay only (boot → caught up)
const PROFILE_ENGINE = arg('profile-engine'); // a .cpuprofile of the engine phase's timed ledger pass
const SNAPSHOT_EVERY = arg('snapshot-every'); // the node's OMNI_SNAPSHOT_EVERY (its default unless given)
const PHASES = new Set(arg('phases', 'raw,engine,node,latency').split(','));
if (PHASES.has('latency')) PHASES.add('node'); // the latency phase runs on the live node

// ------------------------------------------------------------------ helpers
const W = 10n ** 18n;
const HUB_CHAIN_ID = 31337;
const EID_A = 40102;
const EID_B = 40103;
const WETH = {
  [EID_A]: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  [EID_B]: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
};
const PERP = getAddress('0x000000000000000000000000000000000000beef');
const RECIPIENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const ETH_PERP = `0x${Buffer.from('ETH-PERP', 'ascii').toString('hex').padEnd(64, '0')}`;
const T0 = 1_764_000_000n;

const now = () => performance.now();
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const log = (...xs) => console.error(`[bench ${fmt((now() - START) / 1000, 1)}s]`, ...xs);
const START = now();

// deterministic PRNG (mulberry32): every run replays the same stream
let seed = 7;
const rnd = () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const between = (lo, hi) => lo + (hi - lo) * rnd();
/** A decimal amount → WAD, to 1e-6. */
const wad = (x) => (BigInt(Math.round(x * 1e6)) * W) / 1_000_000n;

/** The node's configuration, as test/helpers.ts `testConfig` builds it (one asset, one market). */
function benchConfig(natsUrl) {
  const config = readNodeConfig({
    OMNI_NATS_URL: natsUrl,
    OMNI_HTTP_PORT: '8080',
    OMNI_HTTP_HOST: '127.0.0.1',
    OMNI_ASSETS: JSON.stringify([
      {
        symbol: 'WETH',
        decimals: 18,
        tokens: [
          { eid: EID_A, token: WETH[EID_A].toLowerCase() },
          { eid: EID_B, token: WETH[EID_B].toLowerCase() },
        ],
      },
    ]),
    OMNI_MARKETS: JSON.stringify([
      {
        symbol: 'ETH-PERP',
        indexAsset: 'WETH',
        baseIMR: '0.05',
        baseMMR: '0.025',
        imrFactor: '0.0000003754',
        maxLeverage: '20',
      },
    ]),
    OMNI_LIQUIDATION_RECIPIENT: RECIPIENT,
    OMNI_NODE_ID: 'bench-node',
    // the node signs every order (anvil's dev key #7 for a hub on chain 31337)
    OMNI_SIGNER_KEY: '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
    OMNI_HUB_CHAIN_ID: '31337',
    OMNI_HUB_ADDRESS: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
    OMNI_DOCS_ENABLED: 'false',
    OMNI_METRICS_PROCESS: 'false',
    ...(SNAPSHOT_EVERY === undefined ? {} : { OMNI_SNAPSHOT_EVERY: SNAPSHOT_EVERY }),
  });
  return { ...config, httpPort: 0 };
}

// ------------------------------------------------------------------ the input mix
/**
 * Publishes inputs the way the chain gateway (hub events, msg id `<chainId>:<txHash>:<logIndex>`)
 * and the price feed (msg id `price:<ASSET>:<publishTime>`) do, pipelined (`window` publishes in
 * flight on one connection keep their order in the stream).
 */
class Publisher {
  constructor(js, window = 2000) {
    this.js = js;
    this.window = window;
    this.inflight = []; // acks return in publish order: wait for the oldest when the window is full
    this.tx = 0;
    this.vaultSeq = { [EID_A]: 0n, [EID_B]: 0n };
    this.requestId = { [EID_A]: 0n, [EID_B]: 0n };
    this.clock = T0;
    this.lastSeq = 0;
    this.duplicates = 0;
  }

  async send(subject, data, msgID) {
    const p = this.js.publish(subject, data, { msgID }).then((ack) => {
      if (ack.duplicate) this.duplicates += 1;
      if (ack.seq > this.lastSeq) this.lastSeq = ack.seq;
      return ack.seq;
    });
    this.inflight.push(p);
    if (this.inflight.length >= this.window) await this.inflight.splice(0, this.window / 2).at(-1);
    return p;
  }

  /** A hub event carrying `message` (its `seq` filled in: the vault's next number) from `eid`. */
  hub(eid, message) {
    const n = ++this.tx;
    const txHash = `0x${n.toString(16).padStart(64, '0')}`;
    this.vaultSeq[eid] += 1n;
    const event = {
      kind: 'hub',
      chainId: HUB_CHAIN_ID,
      blockNumber: BigInt(n),
      blockTimestamp: this.clock,
      txHash,
      logIndex: 0,
      srcEid: eid,
      nonce: this.vaultSeq[eid],
      guid: `0x${(0xab000000 + n).toString(16).padStart(64, '0')}`,
      message: { ...message, seq: this.vaultSeq[eid] },
    };
    return this.send(
      subjects.hubEvent(HUB_CHAIN_ID),
      encodeInputEvent(event),
      msgIds.hubEvent(HUB_CHAIN_ID, txHash, 0),
    );
  }

  price(price) {
    this.clock += 1n; // the feed publishes at most once a second per asset
    const publishTime = this.clock;
    return this.send(
      subjects.price('WETH'),
      encodeInputEvent({ kind: 'price', asset: 'WETH', price, publishTime, source: 'bench' }),
      msgIds.price('WETH', publishTime),
    );
  }

  async flush() {
    await Promise.all(this.inflight.splice(0));
  }
}

/**
 * ~`EVENTS` inputs over `ACCOUNTS` accounts: each account first reports WETH on vault A (half of
 * them on vault B too), 30 % then open an ETH-PERP position at 2–14× leverage; afterwards balance
 * changes (70 %), position changes (29.7 %) and withdrawal requests (0.3 %) of the first `--active`
 * accounts (all by default), with a WETH tick every 50 events (`--tick-every`): a ±0.4 % random
 * walk, and every ~40 ticks a 4.4 % drop over three ticks that liquidates the most leveraged
 * positions, followed by a recovery.
 */
async function preload(pub) {
  const accounts = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    accounts.push({
      address: getAddress(`0x${(0xacc00000 + i).toString(16).padStart(40, '0')}`),
      eids: rnd() < 0.5 ? [EID_A, EID_B] : [EID_A],
      balance: { [EID_A]: 0, [EID_B]: 0 },
      size: 0,
    });
  }
  let price = 3000;
  let crash = 0;
  const counts = { balance: 0, exposure: 0, withdraw: 0, price: 0 };
  const tick = async () => {
    if (crash > 0) {
      price *= crash-- > 3 ? 0.985 : 1.016; // 3 steps down, 3 steps back up
    } else {
      price *= 1 + between(-0.004, 0.004);
      if (rnd() < (CRASH_EVERY > 0 ? 1 / CRASH_EVERY : 0)) crash = 6;
    }
    counts.price += 1;
    await pub.price(wad(price));
  };
  const balance = async (a, eid, amount) => {
    const delta = amount - a.balance[eid];
    a.balance[eid] = amount;
    counts.balance += 1;
    await pub.hub(eid, {
      type: 'BALANCE',
      account: a.address,
      token: WETH[eid],
      balance: wad(amount),
      delta: wad(delta),
    });
  };
  const exposure = async (a, size) => {
    a.size = size;
    counts.exposure += 1;
    await pub.hub(EID_A, {
      type: 'EXPOSURE',
      account: a.address,
      protocol: PERP,
      market: ETH_PERP,
      size: wad(size),
      entryPrice: wad(price),
    });
  };
  const collateral = (a) => a.balance[EID_A] + a.balance[EID_B];
  const leveragedSize = (a) => ((rnd() < 0.5 ? -1 : 1) * (collateral(a) * between(2, 14))) | 0 || 1;

  // onboarding: every account reports vault A, some vault B too; then 30 % open a position
  const reports = accounts.flatMap((a) => a.eids.map((eid) => [a, eid]));
  const traders = accounts.filter(() => rnd() < 0.3);
  counts.price += 1;
  await pub.price(wad(price));
  let n = 1;
  let onboarded = 0;
  let exposed = 0;
  while (n < EVENTS) {
    if (TICK_EVERY > 0 && n % TICK_EVERY === 0) {
      await tick();
    } else if (onboarded < reports.length) {
      const [a, eid] = reports[onboarded++];
      await balance(a, eid, Number(between(0.5, 10).toFixed(3)));
    } else if (exposed < traders.length) {
      const a = traders[exposed++];
      await exposure(a, leveragedSize(a));
    } else {
      const a = accounts[Math.floor(rnd() * ACTIVE)];
      const r = rnd();
      const eid = a.eids[Math.floor(rnd() * a.eids.length)];
      if (r < 0.7) {
        await balance(a, eid, Number(Math.max(0.1, a.balance[eid] * between(0.8, 1.25)).toFixed(3)));
      } else if (r < 0.997) {
        await exposure(a, rnd() < 0.2 ? 0 : leveragedSize(a));
      } else {
        counts.withdraw += 1;
        pub.requestId[eid] += 1n;
        await pub.hub(eid, {
          type: 'WITHDRAW_REQUEST',
          account: a.address,
          token: WETH[eid],
          amount: wad(Number((a.balance[eid] * between(0.05, 0.5)).toFixed(3))),
          requestId: pub.requestId[eid],
        });
      }
    }
    n += 1;
  }
  await pub.flush();
  return { counts, price };
}

// ------------------------------------------------------------------ raw consumers
/** Reads OMNI_IN from the first message to `last`; returns messages/s. */
/**
 * CPU seconds (user + system) `pid` has used so far, from /proc (clock ticks of 1/100 s, Linux's
 * USER_HZ); null where there is no /proc.
 */
function processCpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** CPU seconds this process and the NATS server used while `run` ran: { client, server }. */
async function cpuOf(serverPid, run) {
  const c0 = process.cpuUsage();
  const s0 = processCpuSeconds(serverPid);
  const result = await run();
  const c = process.cpuUsage(c0);
  const s1 = processCpuSeconds(serverPid);
  return { result, client: (c.user + c.system) / 1e6, server: s0 === null || s1 === null ? null : s1 - s0 };
}

async function drain(consumer, last, onMessage) {
  const t = now();
  const messages = await consumer.consume();
  let count = 0;
  for await (const m of messages) {
    onMessage(m);
    count += 1;
    if (m.seq >= last) break;
  }
  const seconds = (now() - t) / 1000;
  await messages.close();
  return { count, seconds, rate: count / seconds };
}

async function rawRates(url, last, serverPid) {
  const nc = await connect({ servers: url, name: 'bench-raw' });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const ordered = () => js.consumers.get('OMNI_IN', { deliver_policy: DeliverPolicy.All });
  await drain(await ordered(), last, () => {}); // warm-up (page cache, JIT)
  const results = {};
  results.ordered = await drain(await ordered(), last, () => {});
  results.orderedParse = await drain(await ordered(), last, (m) => parseInputEvent(m.data));
  await jsm.consumers.add('OMNI_IN', {
    durable_name: 'bench-raw',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await js.consumers.get('OMNI_IN', 'bench-raw');
  const durable = await cpuOf(serverPid, () => drain(consumer, last, (m) => m.ack()));
  results.durableAck = { ...durable.result, cpu: { client: durable.client, server: durable.server } };
  await jsm.consumers.delete('OMNI_IN', 'bench-raw');
  await nc.close();
  return results;
}

// ------------------------------------------------------------------ profiles
async function startProfiler() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return session;
}

async function stopProfiler(session, file) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  log(`profile: ${file}`);
}

// ------------------------------------------------------------------ the engine alone
/** Every message of OMNI_IN up to `last`, in order (data and sequence), read once into memory. */
async function readAll(url, last) {
  const nc = await connect({ servers: url, name: 'bench-engine' });
  const consumer = await jetstream(nc).consumers.get('OMNI_IN', { deliver_policy: DeliverPolicy.All });
  const out = [];
  await drain(consumer, last, (m) => out.push({ seq: m.seq, data: m.data }));
  await nc.close();
  return out;
}

/**
 * The node's own work per input, without NATS: parse, then the ledger (book, liquidation
 * planning, order ids), over inputs held in memory. A warm-up pass on a throw-away ledger first,
 * so both passes run on compiled code; the second is timed, parse alone and parse + ledger.
 */
async function engineRates(url, last, config) {
  const inputs = await readAll(url, last);
  const pass = (ledger) => {
    const ids = createHash('sha256');
    let orders = 0;
    for (const m of inputs) {
      const r = ledger.apply(parseInputEvent(m.data), BigInt(m.seq));
      orders += r.orders.length;
      for (const o of r.orders) ids.update(o.id);
    }
    return { orders, ids: ids.digest('hex') };
  };
  pass(new LedgerService(config));
  let t = now();
  for (const m of inputs) parseInputEvent(m.data);
  const parseSeconds = (now() - t) / 1000;
  const ledger = new LedgerService(config);
  const profiler = PROFILE_ENGINE ? await startProfiler() : null;
  t = now();
  const { orders, ids } = pass(ledger);
  const seconds = (now() - t) / 1000;
  if (profiler) await stopProfiler(profiler, PROFILE_ENGINE);
  // snapshots: the ones a node takes every `snapshotEvery` inputs (each re-serializes only the
  // accounts changed since the previous one), timed on a third ledger that exports as it goes;
  // then, on compiled code, the finished book's first one (every account serialized)
  const every = config.snapshotEvery || 10_000;
  const periodic = new LedgerService(config);
  const times = [];
  let t0;
  inputs.forEach((m, i) => {
    periodic.apply(parseInputEvent(m.data), BigInt(m.seq));
    if ((i + 1) % every !== 0) return;
    t0 = now();
    periodic.exportState();
    times.push(now() - t0);
  });
  t0 = now();
  const snapshot = ledger.exportState();
  const coldMs = now() - t0;
  // and once more with nothing changed: the joining alone
  t0 = now();
  ledger.exportState();
  const unchangedMs = now() - t0;
  return {
    parse: { seconds: parseSeconds, rate: inputs.length / parseSeconds },
    // what the pass decided, to compare builds: the order ids in order, and the book's state hash
    ledger: {
      seconds,
      rate: inputs.length / seconds,
      orders,
      ids: ids.slice(0, 16),
      state: ledger.stateHash().slice(0, 16),
    },
    snapshot: {
      coldMs,
      unchangedMs,
      every,
      periodicMs: quantile(times, 0.5),
      periodic: times.length,
      bytes: snapshot.length,
    },
  };
}

// ------------------------------------------------------------------ the node
async function getJson(url) {
  const res = await globalThis.fetch(url);
  return res.json();
}

/** `/health/ready` is cheap (no book-wide work, unlike `/health`'s state hash or `/metrics`). */
async function inputPosition(url) {
  const body = await getJson(`${url}/health/ready`);
  const input = body.info?.input ?? body.error?.input ?? body.details?.input;
  return { state: input?.state, seq: Number(input?.lastInputSeq ?? 0) };
}

async function waitForSeq(url, seq, pollMs, timeoutMs = 30 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await inputPosition(url).catch(() => ({ seq: 0 }));
    if (p.seq >= seq) return;
    if (p.state === 'failed') throw new Error(`node failed: ${JSON.stringify(await getJson(`${url}/health`))}`);
    if (Date.now() > deadline) throw new Error(`node did not reach OMNI_IN#${seq}`);
    await sleep(pollMs);
  }
}

/** Histogram quantile from Prometheus buckets (linear within a bucket), like `histogram_quantile`. */
function histogramQuantile(buckets, q) {
  const total = buckets.at(-1).count;
  if (total === 0) return NaN;
  const rank = q * total;
  let prev = { le: 0, count: 0 };
  for (const b of buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prev.le;
      return prev.le + ((b.le - prev.le) * (rank - prev.count)) / Math.max(1, b.count - prev.count);
    }
    prev = b;
  }
  return NaN;
}

async function decisionBuckets(url) {
  const text = await (await globalThis.fetch(`${url}/metrics`)).text();
  const buckets = [];
  for (const line of text.split('\n')) {
    const m = /^omniclear_node_decision_latency_seconds_bucket\{.*le="([^"]+)".*\} (\d+)/.exec(line);
    if (m) buckets.push({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) });
  }
  return buckets;
}

/**
 * With the node live: per sample, a fresh account (1 WETH on vault A, long 20 ETH-PERP at the
 * current price) is reported, then one WETH tick 3 % lower makes it liquidatable; the latency is
 * from that tick's publish to its order arriving on `omni.out.>`. A tick back up follows.
 */
async function latency(url, pub, nc, startPrice) {
  const hi = wad(startPrice);
  const lo = (hi * 97n) / 100n;
  const out = [];
  let waiting = null;
  let burst = null;
  const sub = nc.subscribe('omni.out.>');
  void (async () => {
    for await (const m of sub) {
      const body = JSON.parse(new TextDecoder().decode(m.data));
      const account = body.account?.toLowerCase();
      if (waiting && account === waiting.account) {
        const w = waiting;
        waiting = null;
        w.resolve(now());
      }
      if (burst?.pending.delete(account)) {
        burst.first ??= now();
        if (burst.pending.size === 0) burst.resolve(now());
      }
    }
  })();
  /** Reports `address` with 1 WETH on vault A and long 20 ETH-PERP at `hi`; resolves to the report's OMNI_IN seq. */
  const openLong = (address) => {
    pub.hub(EID_A, { type: 'BALANCE', account: address, token: WETH[EID_A], balance: W, delta: W });
    return pub.hub(EID_A, {
      type: 'EXPOSURE',
      account: address,
      protocol: PERP,
      market: ETH_PERP,
      size: 20n * W,
      entryPrice: hi,
    });
  };
  const settle = async (seqPromise) => {
    const seq = await seqPromise;
    await waitForSeq(url, seq, 2);
  };
  // park the price at `lo` once (whatever the population does there happens now), then back up
  await settle(pub.price(lo));
  await settle(pub.price(hi));
  const before = await decisionBuckets(url);
  for (let i = 0; i < SAMPLES; i++) {
    const address = getAddress(`0x${(0xfee00000 + i).toString(16).padStart(40, '0')}`);
    await settle(openLong(address));
    const seen = new Promise((resolve) => {
      waiting = { account: address.toLowerCase(), resolve };
    });
    const t = now();
    await pub.price(lo);
    out.push((await seen) - t);
    await settle(pub.price(hi));
  }
  const after = await decisionBuckets(url);
  // bursts: BURST fresh accounts, each a 20× long, liquidated by one tick (a crash's cascade in
  // small): from the tick's publish to the first and to the last of their orders on omni.out
  const bursts = [];
  for (let b = 0; b < BURSTS; b++) {
    const addresses = Array.from({ length: BURST }, (_, i) =>
      getAddress(`0x${(0xfef00000 + b * 0x10000 + i).toString(16).padStart(40, '0')}`),
    );
    let lastSeq;
    for (const address of addresses) lastSeq = openLong(address);
    await settle(lastSeq);
    const done = new Promise((resolve) => {
      burst = { pending: new Set(addresses.map((a) => a.toLowerCase())), first: null, resolve };
    });
    const t = now();
    await pub.price(lo);
    const lastAt = await done;
    bursts.push({ first: burst.first - t, last: lastAt - t });
    burst = null;
    await settle(pub.price(hi));
  }
  sub.unsubscribe();
  const delta = after.map((b, i) => ({ le: b.le, count: b.count - (before[i]?.count ?? 0) }));
  return {
    p50: quantile(out, 0.5),
    p99: quantile(out, 0.99),
    max: Math.max(...out),
    metricP50: histogramQuantile(delta, 0.5) * 1000,
    metricP99: histogramQuantile(delta, 0.99) * 1000,
    metricCount: delta.at(-1)?.count ?? 0,
    burstFirst: quantile(
      bursts.map((x) => x.first),
      0.5,
    ),
    burstLast: quantile(
      bursts.map((x) => x.last),
      0.5,
    ),
  };
}

// ------------------------------------------------------------------ main
const load0 = os.loadavg();
const nats = await startNats();
let app;
try {
  // the streams as the node creates them (so the raw phase reads exactly what the node reads)
  const config = benchConfig(nats.url);
  const nc = await connect({ servers: nats.url, name: 'bench-inputs' });
  const jsm = await jetstreamManager(nc);
  for (const stream of STREAM_CONFIGS) await jsm.streams.add(stream);
  const pub = new Publisher(jetstream(nc));
  log(`pre-loading ~${fmt(EVENTS)} inputs for ${fmt(ACCOUNTS)} accounts…`);
  let t = now();
  const { counts, price } = await preload(pub);
  const preloadSeconds = (now() - t) / 1000;
  const last = pub.lastSeq;
  if (pub.duplicates > 0) throw new Error(`${pub.duplicates} inputs were dropped as duplicates`);
  log(`OMNI_IN#${last} (${JSON.stringify(counts)}) in ${fmt(preloadSeconds, 1)} s`);

  let raw;
  if (PHASES.has('raw')) {
    raw = await rawRates(nats.url, last, nats.process.pid);
    log(`raw: ${JSON.stringify(raw)}`);
  }

  let engine;
  if (PHASES.has('engine')) {
    engine = await engineRates(nats.url, last, config);
    log(`engine: ${JSON.stringify(engine)}`);
  }

  let node;
  let lat;
  if (PHASES.has('node')) {
    const profiler = PROFILE ? await startProfiler() : null;
    t = now();
    // CPU time as well as wall time: on a shared machine the wall time mostly measures the others
    const cpu0 = process.cpuUsage();
    const server0 = processCpuSeconds(nats.process.pid);
    app = await createApp(config, { logger: false });
    const url = await startApp(app, config);
    const booted = (now() - t) / 1000;
    await waitForSeq(url, last, 20);
    const seconds = (now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const server1 = processCpuSeconds(nats.process.pid);
    const serverCpuSeconds = server0 === null || server1 === null ? null : server1 - server0;
    if (profiler) await stopProfiler(profiler, PROFILE);
    const health = await getJson(`${url}/health`);
    if (health.input.deadLettered > 0) throw new Error(`the node dead-lettered ${health.input.deadLettered} inputs`);
    const metrics = await (await globalThis.fetch(`${url}/metrics`)).text();
    const orders = [
      ...metrics.matchAll(/^omniclear_node_orders_emitted_total\{[^}]*kind="([^"]+)"[^}]*\} (\d+)/gm),
    ].map((m) => `${m[1]} ${m[2]}`);
    const liquidatable = /^omniclear_node_liquidatable_accounts\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? '?';
    // the snapshots the replay took: how many, the input handling each one paused, the last one's size
    const metric = (name) =>
      Number(new RegExp(`^omniclear_node_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const snapshots = {
      written: metric('snapshots_total\\{[^}]*outcome="written"[^}]*\\}'),
      captures: metric('snapshot_capture_seconds_count'),
      captureSeconds: metric('snapshot_capture_seconds_sum'),
      bytes: metric('snapshot_bytes'),
    };
    node = {
      liquidatable,
      seconds,
      booted,
      rate: last / seconds,
      cpuSeconds,
      serverCpuSeconds,
      orders: orders.join(', ') || 'none',
      processed: health.input.processed,
      snapshots,
    };
    log(`node: ${JSON.stringify(node)}`);
    if (PHASES.has('latency')) {
      lat = await latency(url, pub, nc, price);
      log(`latency: ${JSON.stringify(lat)}`);
    }
  }
  await nc.close();

  // ---------------------------------------------------------------- report
  const load1 = os.loadavg();
  const cpus = os.cpus();
  const rows = [];
  const row = (what, value, note = '') => rows.push([what, value, note]);
  row(
    'inputs in OMNI_IN',
    fmt(last),
    `${counts.balance} balance, ${counts.exposure} exposure, ${counts.price} price, ${counts.withdraw} withdraw; ${fmt(ACCOUNTS)} accounts, ${fmt(ACTIVE)} active after onboarding`,
  );
  row(
    'pre-load publish rate',
    `${fmt(last / preloadSeconds)} /s`,
    'js.publish, ≤ 2000 in flight, encodeInputEvent included',
  );
  if (raw) {
    row('raw: ordered consumer', `${fmt(raw.ordered.rate)} /s`, `${fmt(raw.ordered.seconds, 2)} s`);
    row(
      'raw: ordered consumer + parseInputEvent',
      `${fmt(raw.orderedParse.rate)} /s`,
      `${fmt(raw.orderedParse.seconds, 2)} s`,
    );
    row('raw: durable pull consumer + ack', `${fmt(raw.durableAck.rate)} /s`, `${fmt(raw.durableAck.seconds, 2)} s`);
  }
  if (engine) {
    row('engine: parseInputEvent (in memory)', `${fmt(engine.parse.rate)} /s`, `${fmt(engine.parse.seconds, 2)} s`);
    row(
      'engine: parse + ledger (in memory)',
      `${fmt(engine.ledger.rate)} /s`,
      `${fmt(engine.ledger.seconds, 2)} s, ${fmt((1e6 * engine.ledger.seconds) / last, 1)} µs per input; ${engine.ledger.orders} orders (unsigned, ids ${engine.ledger.ids}…), state ${engine.ledger.state}…`,
    );
    if (raw) {
      // a node that only read the stream (the raw ordered consumer) and decided (the engine pass),
      // one after the other on one thread: what this mix allows before any work of the node's own
      const ceiling = 1 / (1 / raw.ordered.rate + engine.ledger.seconds / last);
      row(
        'ceiling on one thread: read + decide',
        `${fmt(ceiling)} /s`,
        `${fmt((100 * ceiling) / raw.durableAck.rate, 1)} % of raw durable+ack (raw ordered + the engine pass, in series)`,
      );
    }
    row(
      'engine: one snapshot, every account serialized',
      `${fmt(engine.snapshot.coldMs, 1)} ms`,
      `${fmt(engine.snapshot.bytes / 1e6, 1)} MB of JSON (the finished book's first snapshot); ${fmt(engine.snapshot.unchangedMs, 1)} ms again with no account changed`,
    );
    row(
      `engine: one snapshot every ${fmt(engine.snapshot.every)} inputs`,
      `${fmt(engine.snapshot.periodicMs, 1)} ms`,
      `median of ${engine.snapshot.periodic}; accounts unchanged since the previous one are not serialized again`,
    );
  }
  if (node) {
    row(
      'node: replay (boot → lastInputSeq = last)',
      `${fmt(node.rate)} /s`,
      `${fmt(node.seconds, 2)} s incl. ${fmt(node.booted, 2)} s boot; orders: ${node.orders}; ${node.liquidatable} accounts liquidatable at the end`,
    );
    row(
      'node: replay CPU time (this process)',
      `${fmt(last / node.cpuSeconds)} /CPU-s`,
      `${fmt(node.cpuSeconds, 2)} CPU-s (user + system, boot included)` +
        (node.serverCpuSeconds === null ? '' : `; nats-server meanwhile ${fmt(node.serverCpuSeconds, 2)} CPU-s`),
    );
    if (node.snapshots.captures > 0)
      row(
        'node: snapshots during the replay',
        `${fmt((1000 * node.snapshots.captureSeconds) / node.snapshots.captures, 1)} ms`,
        `mean pause of input handling per capture; ${node.snapshots.captures} captured, ${node.snapshots.written} written, ` +
          `the last ${fmt(node.snapshots.bytes / 1e6, 1)} MB (/metrics snapshot_*)`,
      );
    if (raw) {
      row('node / raw durable+ack', `${fmt((100 * node.rate) / raw.durableAck.rate, 1)} %`, 'target ≥ 80 %');
      row('node / raw ordered', `${fmt((100 * node.rate) / raw.ordered.rate, 1)} %`);
      // the same comparison by CPU per input (client and server together), which the machine's
      // load moves far less than the rates: what each would sustain given the cores it uses
      const { client, server } = raw.durableAck.cpu;
      if (server !== null && node.serverCpuSeconds !== null) {
        const rawUs = (1e6 * (client + server)) / raw.durableAck.count;
        const nodeUs = (1e6 * (node.cpuSeconds + node.serverCpuSeconds)) / last;
        row(
          'CPU per input: raw durable+ack / node',
          `${fmt(rawUs, 1)} / ${fmt(nodeUs, 1)} µs`,
          `client ${fmt((1e6 * client) / raw.durableAck.count, 1)} + server ${fmt((1e6 * server) / raw.durableAck.count, 1)} / ` +
            `node ${fmt((1e6 * node.cpuSeconds) / last, 1)} + server ${fmt((1e6 * node.serverCpuSeconds) / last, 1)} µs (/proc, 10 ms ticks)`,
        );
        row('node / raw durable+ack, by CPU per input', `${fmt((100 * rawUs) / nodeUs, 1)} %`);
      }
    }
  }
  if (lat) {
    row(
      'decision latency p50 / p99 (publish → omni.out)',
      `${fmt(lat.p50, 2)} / ${fmt(lat.p99, 2)} ms`,
      `${SAMPLES} ticks, max ${fmt(lat.max, 2)} ms`,
    );
    row(
      `a burst: one tick liquidates ${BURST} accounts`,
      `${fmt(lat.burstFirst, 1)} / ${fmt(lat.burstLast, 1)} ms`,
      `tick published → first / last of its ${BURST} orders on omni.out (median of ${BURSTS})`,
    );
    row(
      'decision_latency_seconds p50 / p99 (/metrics)',
      `${fmt(lat.metricP50, 2)} / ${fmt(lat.metricP99, 2)} ms`,
      `${lat.metricCount} decisions, bucket-interpolated`,
    );
  }
  row('load average (1 min) start / end', `${fmt(load0[0], 2)} / ${fmt(load1[0], 2)}`);
  row('machine', `${cpus.length} cores`, `${cpus[0]?.model ?? '?'}, Node ${process.version}`);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\nclearing node bench (${new Date().toISOString()})`);
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
} finally {
  await app?.close();
  await nats.stop();
}
