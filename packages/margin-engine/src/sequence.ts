// Per-source sequence tracking. Every vault numbers its hub-bound messages 1, 2, 3, …; the hub
// accepts them duplicated, late and out of order, so the book keeps, per source, the highest
// number below which everything has been applied plus the few numbers seen above it. A number
// already seen is a replay; numbers missing below the highest one seen are a gap.

/** A hole in a source's sequence: `expected` is the first missing number. */
export interface SeqGap {
  readonly eid: number;
  readonly expected: bigint;
  /** Highest number seen so far (the gap lies somewhere in expected..highest−1). */
  readonly highest: bigint;
  /** How many numbers below `highest` are still missing. */
  readonly missing: bigint;
}

/** Per-source state, as listed by {@link SequenceTracker.list} and the snapshot. */
export interface SourceSeq {
  readonly eid: number;
  /** Every number ≤ this one has been applied. */
  readonly contiguous: bigint;
  /** Numbers applied above `contiguous` (only while a gap is open), ascending. */
  readonly above: readonly bigint[];
}

interface Window {
  contiguous: bigint;
  readonly above: Set<bigint>;
}

// `mark`'s outcomes, shared (frozen): a message in order allocates nothing here.
const NO_CHANGE = Object.freeze({ opened: false, closed: false });
const OPENED = Object.freeze({ opened: true, closed: false });
const CLOSED = Object.freeze({ opened: false, closed: true });

/** Seen-set per source with O(1) checks; memory grows only while a gap is open. */
export class SequenceTracker {
  private readonly windows = new Map<number, Window>();

  /** True when `seq` from `eid` was already applied (a replay). */
  seen(eid: number, seq: bigint): boolean {
    const w = this.windows.get(eid);
    return w !== undefined && (seq <= w.contiguous || w.above.has(seq));
  }

  /**
   * Records `seq` (the caller ruled out a replay). Returns whether this filled the source's last
   * open gap (decisions waiting on it may go ahead) or opened one.
   */
  mark(eid: number, seq: bigint): { readonly opened: boolean; readonly closed: boolean } {
    const w = this.window(eid);
    const hadGap = w.above.size > 0;
    if (seq === w.contiguous + 1n) {
      w.contiguous = seq;
      while (w.above.delete(w.contiguous + 1n)) w.contiguous += 1n;
    } else {
      w.above.add(seq);
    }
    const hasGap = w.above.size > 0;
    return hadGap ? (hasGap ? NO_CHANGE : CLOSED) : hasGap ? OPENED : NO_CHANGE;
  }

  /** The open gap of `eid`, or null. */
  gap(eid: number): SeqGap | null {
    const w = this.windows.get(eid);
    if (!w || w.above.size === 0) return null;
    let highest = 0n;
    for (const s of w.above) if (s > highest) highest = s;
    return { eid, expected: w.contiguous + 1n, highest, missing: highest - w.contiguous - BigInt(w.above.size) };
  }

  /** Whether any number is missing for `eid`. */
  hasGap(eid: number): boolean {
    return (this.windows.get(eid)?.above.size ?? 0) > 0;
  }

  /** Highest number applied for `eid` (0 when none). */
  highest(eid: number): bigint {
    const w = this.windows.get(eid);
    if (!w) return 0n;
    let h = w.contiguous;
    for (const s of w.above) if (s > h) h = s;
    return h;
  }

  /** All sources, sorted by eid. */
  list(): SourceSeq[] {
    return [...this.windows.entries()]
      .sort(([a], [b]) => a - b)
      .map(([eid, w]) => ({
        eid,
        contiguous: w.contiguous,
        above: [...w.above].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      }));
  }

  /** Replaces the state (restore from a snapshot). */
  load(sources: readonly SourceSeq[]): void {
    this.windows.clear();
    for (const s of sources) this.windows.set(s.eid, { contiguous: s.contiguous, above: new Set(s.above) });
  }

  private window(eid: number): Window {
    let w = this.windows.get(eid);
    if (!w) this.windows.set(eid, (w = { contiguous: 0n, above: new Set() }));
    return w;
  }
}
