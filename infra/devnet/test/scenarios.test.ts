import { scenario } from '../src/scenarios.js';

describe('devnet price scenarios', () => {
  const now = 1_795_000_000; // 2026-11-18

  it('gives the replayed crash an order TTL that reaches from its first 2020 candle past today', () => {
    const crash = scenario('crash', { intervalMs: 2000, seed: 1, nowSeconds: now });
    const firstCandle = Date.parse('2020-03-11T13:00:00Z') / 1000;
    const ttl = Number(crash.node?.OMNI_ORDER_TTL_SECONDS);
    // An order triggered by the first candle expires a week after "now", not in 2020.
    expect(firstCandle + ttl).toBe(now + 7 * 24 * 3600);
    expect(crash.feed.OMNI_FEED_SOURCE).toBe('replay');
    expect(crash.startPrice).toBe(196_480_000_000_000_000_000n);
  });

  it('leaves the walk, whose prices carry the wall clock, with the node default TTL', () => {
    const walk = scenario('walk', { intervalMs: 2000, seed: 1, nowSeconds: now });
    expect(walk.node).toBeUndefined();
    expect(walk.feed.OMNI_FEED_SOURCE).toBe('simulate');
  });
});
