import { demoAggregatorAbi } from '@omniclear/chain';
import { createPublicClient, http, type Address, type PublicClient } from 'viem';

import type { SourceReading } from './aggregate.js';

/** One aggregator to read: a contract on a named RPC endpoint. */
export interface AggregatorRef {
  readonly rpc: string;
  readonly address: Address;
}

/**
 * Reads Chainlink-style aggregators (`AggregatorV3Interface`) with viem. Each aggregator's
 * `decimals()` is read once and cached; `latestRoundData()` every tick. A failing read becomes a
 * reading with `ok: false`, never an exception, so one dead RPC is refused like any bad answer.
 */
export class AggregatorReader {
  private readonly clients = new Map<string, PublicClient>();
  private readonly decimals = new Map<string, number>();

  constructor(rpcUrls: Readonly<Record<string, string>>, timeoutMs = 5_000) {
    for (const [name, url] of Object.entries(rpcUrls)) {
      this.clients.set(name, createPublicClient({ transport: http(url, { timeout: timeoutMs, retryCount: 1 }) }));
    }
  }

  /** A short, stable name of an aggregator for logs: `<rpc>:<address>`. */
  static label(ref: AggregatorRef): string {
    return `${ref.rpc}:${ref.address}`;
  }

  /** Reads every aggregator of an asset concurrently. */
  async read(refs: readonly AggregatorRef[]): Promise<SourceReading[]> {
    return Promise.all(refs.map((ref) => this.readOne(ref)));
  }

  private async readOne(ref: AggregatorRef): Promise<SourceReading> {
    const label = AggregatorReader.label(ref);
    const client = this.clients.get(ref.rpc);
    if (!client) return { label, ok: false, error: `unknown rpc ${ref.rpc}` };
    try {
      const key = `${ref.rpc}:${ref.address.toLowerCase()}`;
      let decimals = this.decimals.get(key);
      if (decimals === undefined) {
        decimals = await client.readContract({
          address: ref.address,
          abi: demoAggregatorAbi,
          functionName: 'decimals',
        });
        this.decimals.set(key, decimals);
      }
      const [roundId, answer, , updatedAt, answeredInRound] = await client.readContract({
        address: ref.address,
        abi: demoAggregatorAbi,
        functionName: 'latestRoundData',
      });
      return { label, ok: true, decimals, roundId, answer, updatedAt, answeredInRound };
    } catch (err) {
      const e = err as { shortMessage?: string; message?: string };
      return { label, ok: false, error: e.shortMessage ?? e.message ?? String(err) };
    }
  }
}
