// The replicated log, 1-indexed as in the paper; index 0 is the empty prefix with term 0.
// No compaction: every entry stays in memory (see the README's memory figures).
import type { LogEntry } from './types.ts';

export class RaftLog {
  private readonly entries: LogEntry[];

  constructor(initial: readonly LogEntry[] = []) {
    this.entries = initial.slice();
  }

  lastIndex(): number {
    return this.entries.length;
  }

  lastTerm(): number {
    return this.termAt(this.entries.length) ?? 0;
  }

  /** Term of the entry at index; 0 for index 0; undefined past the end. */
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term;
  }

  entry(index: number): LogEntry | undefined {
    return this.entries[index - 1];
  }

  /** Entries from `from` to `to` inclusive (clamped to the log). */
  slice(from: number, to: number): LogEntry[] {
    return this.entries.slice(Math.max(from, 1) - 1, Math.min(to, this.entries.length));
  }

  append(entries: readonly LogEntry[]): void {
    for (const e of entries) this.entries.push(e);
  }

  /** Deletes the entry at `index` and everything after it. */
  truncateFrom(index: number): void {
    this.entries.length = Math.max(index - 1, 0);
  }

  /** The first index of the run of `term` that contains `index` (for the follower's conflict hint). */
  firstIndexOfTermRun(index: number): number {
    const term = this.termAt(index);
    let i = index;
    while (i > 1 && this.termAt(i - 1) === term) i--;
    return i;
  }

  /** The last index holding `term`, or 0 if the log has no entry of that term. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.entries.length; i >= 1; i--) {
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
