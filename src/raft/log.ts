// The replicated log, 1-indexed as in the paper. After compaction (§7) it holds only the entries
// that follow the last snapshot: `base` is the snapshot's last included index and term (index 0,
// term 0 before any snapshot), and entries at or below base.index are gone from memory.
import type { LogEntry, SnapshotMeta } from './types.ts';

export class RaftLog {
  private entries: LogEntry[];
  private base: SnapshotMeta;

  constructor(initial: readonly LogEntry[] = [], base: SnapshotMeta = { index: 0, term: 0 }) {
    this.entries = initial.slice();
    this.base = { index: base.index, term: base.term };
  }

  /** The last index covered by the snapshot the log starts after (0: no snapshot). */
  snapshotIndex(): number {
    return this.base.index;
  }

  snapshotTerm(): number {
    return this.base.term;
  }

  lastIndex(): number {
    return this.base.index + this.entries.length;
  }

  lastTerm(): number {
    return this.termAt(this.lastIndex()) ?? 0;
  }

  /** Term of the entry at index; the snapshot's term at its last index; undefined if compacted away or past the end. */
  termAt(index: number): number | undefined {
    if (index === this.base.index) return this.base.term;
    if (index < this.base.index) return undefined;
    return this.entries[index - this.base.index - 1]?.term;
  }

  entry(index: number): LogEntry | undefined {
    if (index <= this.base.index) return undefined;
    return this.entries[index - this.base.index - 1];
  }

  /** Entries from `from` to `to` inclusive, clamped to what the log still holds. */
  slice(from: number, to: number): LogEntry[] {
    const start = Math.max(from, this.base.index + 1) - this.base.index - 1;
    const end = Math.min(to, this.lastIndex()) - this.base.index;
    return end > start ? this.entries.slice(start, end) : [];
  }

  append(entries: readonly LogEntry[]): void {
    for (const e of entries) this.entries.push(e);
  }

  /** Deletes the entry at `index` and everything after it (never below the snapshot). */
  truncateFrom(index: number): void {
    this.entries.length = Math.max(index - this.base.index - 1, 0);
  }

  /**
   * Discards everything up to and including `snapshot.index`. If the log holds that entry with the
   * snapshot's term, the entries after it are kept (they extend the snapshot, by log matching);
   * otherwise the whole log goes (§7). Returns the entries kept.
   */
  compactTo(snapshot: SnapshotMeta): LogEntry[] {
    const kept = this.termAt(snapshot.index) === snapshot.term ? this.slice(snapshot.index + 1, this.lastIndex()) : [];
    this.entries = kept.slice();
    this.base = { index: snapshot.index, term: snapshot.term };
    return kept;
  }

  /** The first index of the run of `term` that contains `index` (for the follower's conflict hint). */
  firstIndexOfTermRun(index: number): number {
    const term = this.termAt(index);
    let i = index;
    while (i > this.base.index + 1 && this.termAt(i - 1) === term) i--;
    return i;
  }

  /** The last index holding `term` (the snapshot's last index counts), or 0 if none we still know of. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.lastIndex(); i >= this.base.index; i--) {
      const t = this.termAt(i) ?? 0;
      if (t === term) return i;
      if (t < term) return 0; // terms only grow along the log
    }
    return 0;
  }

  /** §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }
}
