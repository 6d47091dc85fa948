import type { SeqGap } from './types.js';

/** Per-source-chain state of the vault's message counter. */
export interface SourceSeq {
  readonly eid: number;
  readonly lastSeq: bigint;
  /** Number of gaps seen and the total count of sequence numbers skipped. */
  readonly gaps: number;
  readonly missing: bigint;
  readonly lastGap: SeqGap | null;
}

/**
 * Tracks the last applied sequence number of each source chain. A report at or below it is a
 * replay; a jump past `last + 1` is a gap. The skeleton applies past a gap (the report carries an
 * absolute balance, so the state is right again) and keeps the gap for observability.
 */
export class SequenceTracker {
  private readonly sources = new Map<number, SourceSeq>();

  /** True when `seq` was already applied for `eid` (or is older than the last applied). */
  isReplay(eid: number, seq: bigint): boolean {
    const last = this.sources.get(eid)?.lastSeq;
    return last !== undefined && seq <= last;
  }

  /** Last applied sequence for `eid`, 0 when none. */
  last(eid: number): bigint {
    return this.sources.get(eid)?.lastSeq ?? 0n;
  }

  /** Records `seq` as applied (the caller has ruled out a replay) and returns the gap, if any. */
  advance(eid: number, seq: bigint): SeqGap | null {
    const prev = this.sources.get(eid);
    const expected = (prev?.lastSeq ?? 0n) + 1n;
    const gap = seq > expected ? { eid, expected, received: seq } : null;
    this.sources.set(eid, {
      eid,
      lastSeq: seq,
      gaps: (prev?.gaps ?? 0) + (gap ? 1 : 0),
      missing: (prev?.missing ?? 0n) + (gap ? seq - expected : 0n),
      lastGap: gap ?? prev?.lastGap ?? null,
    });
    return gap;
  }

  /** All sources, sorted by eid. */
  list(): SourceSeq[] {
    return [...this.sources.values()].sort((a, b) => a.eid - b.eid);
  }

  /** Replaces the state (restore from a snapshot). */
  load(sources: readonly SourceSeq[]): void {
    this.sources.clear();
    for (const s of sources) this.sources.set(s.eid, s);
  }
}
