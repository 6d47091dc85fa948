import { createHash } from 'node:crypto';

import { Logger } from '@nestjs/common';
import type { KV } from '@nats-io/kv';

/** A snapshot as stored: the book's state after applying OMNI_IN up to `seq`. */
export interface StoredSnapshot {
  /** OMNI_IN sequence the state covers (every input ≤ seq applied, its orders published). */
  readonly seq: number;
  /** The book's canonical JSON (`MarginBook.snapshotJson()`: `MarginBook.snapshot()` as JSON). */
  readonly state: string;
  /** Fingerprint of the risk configuration the state was built under. */
  readonly configHash: string;
  /** SHA-256 of `state` (the book's state hash): the snapshot's checksum too. */
  readonly stateHash: string;
}

interface Head {
  v: 1;
  seq: number;
  chunks: number;
  bytes: number;
  configHash: string;
  stateHash: string;
  /** Generation: chunk keys carry it, so a half-written snapshot never mixes with the last one. */
  gen: number;
}

/** KV values stay well under the server's default 1 MiB max payload. */
const CHUNK = 512 * 1024;

/**
 * Book snapshots in a JetStream KV bucket, one per node id. A snapshot is written as chunks
 * (`<node>.<gen>.<i>`) first and a head (`<node>.head`, with the state hash as checksum) last, so a crash mid-write leaves the
 * previous snapshot in force; chunks of older generations are purged after the head moves.
 * Loading checks the checksum and the configuration fingerprint and falls back to a full replay
 * (returns null) on any mismatch: a snapshot is an optimisation, never a source of truth.
 */
export class SnapshotStore {
  private readonly logger = new Logger(SnapshotStore.name);

  constructor(
    private readonly kv: KV,
    private readonly nodeId: string,
  ) {}

  /** Writes `snap`; resolves, once the head points at it, to the bytes of state written. */
  async save(snap: StoredSnapshot): Promise<number> {
    const prev = await this.head();
    const gen = (prev?.gen ?? 0) + 1;
    const bytes = new TextEncoder().encode(snap.state);
    const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK));
    for (let i = 0; i < chunks; i++)
      await this.kv.put(this.chunkKey(gen, i), bytes.subarray(i * CHUNK, (i + 1) * CHUNK));
    const head: Head = {
      v: 1,
      seq: snap.seq,
      chunks,
      bytes: bytes.length,
      configHash: snap.configHash,
      stateHash: snap.stateHash,
      gen,
    };
    await this.kv.put(this.headKey(), JSON.stringify(head));
    if (prev)
      for (let i = 0; i < prev.chunks; i++) await this.kv.purge(this.chunkKey(prev.gen, i)).catch(() => undefined);
    return bytes.length;
  }

  /** The latest snapshot for this node under `configHash`, or null (none, corrupt, other config). */
  async load(configHash: string): Promise<StoredSnapshot | null> {
    const head = await this.head();
    if (!head) return null;
    if (head.configHash !== configHash) {
      this.logger.warn(`snapshot at OMNI_IN#${head.seq} was taken under another configuration: replaying in full`);
      return null;
    }
    const parts: Uint8Array[] = [];
    for (let i = 0; i < head.chunks; i++) {
      const e = await this.kv.get(this.chunkKey(head.gen, i));
      if (!e || e.operation !== 'PUT') {
        this.logger.warn(`snapshot at OMNI_IN#${head.seq} lacks chunk ${i}: replaying in full`);
        return null;
      }
      parts.push(e.value);
    }
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    const state = new TextDecoder().decode(all);
    if (all.length !== head.bytes || createHash('sha256').update(state).digest('hex') !== head.stateHash) {
      this.logger.warn(`snapshot at OMNI_IN#${head.seq} fails its checksum: replaying in full`);
      return null;
    }
    return { seq: head.seq, state, configHash: head.configHash, stateHash: head.stateHash };
  }

  private async head(): Promise<Head | null> {
    const e = await this.kv.get(this.headKey());
    if (!e || e.operation !== 'PUT') return null;
    try {
      const h = JSON.parse(e.string()) as Head;
      return h.v === 1 ? h : null;
    } catch {
      return null;
    }
  }

  private headKey(): string {
    return `${this.nodeId}.head`;
  }

  private chunkKey(gen: number, i: number): string {
    return `${this.nodeId}.${gen}.${i}`;
  }
}
