import type { HubBoundMessage } from '@omniclear/protocol';
import type { Address } from 'viem';

import { EID_A, EID_B, PERP, WAD, WETH_A, WETH_B, marketId, type Inputs } from './helpers.js';

// A long, liquidation-rich input stream for the crash and shard tests, reproducible from a seed.

/** Deterministic PRNG (mulberry32): the run is reproducible from SEED. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Input =
  { kind: 'hub'; eid: number; message: HubBoundMessage } | { kind: 'price'; price: bigint; time: bigint };

/** A long, liquidation-rich input: deposits, positions, withdrawal requests, a price walk, replays. */
export function scenario(rand: () => number): Input[] {
  const accounts = Array.from({ length: 12 }, (_, i) => `0x${(0xacc00 + i).toString(16).padStart(40, '0')}` as Address);
  const seq: Record<number, bigint> = { [EID_A]: 0n, [EID_B]: 0n };
  const requestId: Record<number, bigint> = { [EID_A]: 0n, [EID_B]: 0n };
  const balances = new Map<string, bigint>();
  const sent: Input[] = [];
  const out: Input[] = [];
  const hub = (eid: number, body: Record<string, unknown>) => {
    seq[eid] = seq[eid]! + 1n;
    const input: Input = { kind: 'hub', eid, message: { ...body, seq: seq[eid]! } as unknown as HubBoundMessage };
    out.push(input);
    sent.push(input);
  };
  let time = 1_764_000_000n;
  let price = 2000n;
  const tick = () => {
    price += BigInt(Math.round((rand() - 0.55) * 80));
    if (price < 900n) price = 900n;
    out.push({ kind: 'price', price: price * WAD, time: (time += 5n) });
  };
  tick();
  accounts.forEach((account, i) => {
    const eid = i % 2 === 0 ? EID_A : EID_B;
    const token = eid === EID_A ? WETH_A : WETH_B;
    const amount = BigInt(1 + Math.floor(rand() * 5)) * WAD;
    balances.set(`${eid}:${account}`, amount);
    hub(eid, { type: 'BALANCE', account, token, balance: amount, delta: amount });
    if (i % 3 !== 2)
      hub(eid, {
        type: 'EXPOSURE',
        account,
        protocol: PERP,
        market: marketId('ETH-PERP'),
        size: BigInt(10 + Math.floor(rand() * 40)) * WAD,
        entryPrice: 2000n * WAD,
      });
  });
  for (let step = 0; step < 300; step++) {
    const r = rand();
    if (r < 0.5) tick();
    else if (r < 0.7) {
      const i = Math.floor(rand() * accounts.length);
      const eid = i % 2 === 0 ? EID_A : EID_B;
      const token = eid === EID_A ? WETH_A : WETH_B;
      const add = BigInt(Math.floor(rand() * 3)) * WAD;
      const key = `${eid}:${accounts[i]}`;
      balances.set(key, balances.get(key)! + add);
      hub(eid, { type: 'BALANCE', account: accounts[i], token, balance: balances.get(key)!, delta: add });
    } else if (r < 0.85) {
      const i = Math.floor(rand() * accounts.length);
      const eid = i % 2 === 0 ? EID_A : EID_B;
      requestId[eid] = requestId[eid]! + 1n;
      hub(eid, {
        type: 'WITHDRAW_REQUEST',
        account: accounts[i],
        token: eid === EID_A ? WETH_A : WETH_B,
        amount: BigInt(1 + Math.floor(rand() * 2)) * WAD,
        requestId: requestId[eid]!,
      });
    } else {
      // the gateway re-publishing an old hub message (another tx): a replay the node must ignore
      out.push(sent[Math.floor(rand() * sent.length)]!);
    }
  }
  return out;
}

/** Publishes `list` in order; returns the OMNI_IN sequence of the last one. */
export async function publishAll(inputs: Inputs, list: Input[]): Promise<bigint> {
  let last = 0n;
  for (const x of list)
    last = x.kind === 'hub' ? await inputs.hub(x.eid, x.message) : await inputs.price('WETH', x.price, x.time);
  return last;
}
