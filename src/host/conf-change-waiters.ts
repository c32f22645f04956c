// The callers of RaftHost.proposeConfChange waiting for their change to commit (or not): matched
// to committed entries by index and term, as client proposals are. A (term, index) pair belongs to
// one leader, which proposed it once, so another term's entry committed at the index means ours
// never will: then, and only then, a refusal after appending is definite.
import type { CommittedEntry, ConfChangeRefusal, Configuration, NodeId } from '../raft/types.ts';

export type ConfChangeOutcome =
  /** Nothing was appended: a definite refusal. */
  | { outcome: 'refused'; reason: ConfChangeRefusal; text: string; leaderId: NodeId | null }
  /** The configuration entry committed at `index`: the change happened. */
  | { outcome: 'committed'; index: number; config: Configuration }
  /** Another leader's entry committed at `index`: the change never happened (definite). */
  | { outcome: 'superseded'; index: number }
  /** The node cannot tell (it stopped, gave up waiting, or installed a snapshot over the entry). */
  | { outcome: 'unknown'; index: number; reason: string };

interface Waiter {
  term: number;
  since: number;
  resolve: (outcome: ConfChangeOutcome) => void;
}

export class ConfChangeWaiters {
  private readonly byIndex = new Map<number, Waiter>();

  wait(index: number, term: number, since: number): Promise<ConfChangeOutcome> {
    return new Promise((resolve) => this.byIndex.set(index, { term, since, resolve }));
  }

  /** A committed entry: settles the waiter at its index, if any. */
  committed(entry: CommittedEntry): void {
    const w = this.byIndex.get(entry.index);
    if (w === undefined) return;
    this.byIndex.delete(entry.index);
    if (entry.term === w.term && entry.data.kind === 'config') w.resolve({ outcome: 'committed', index: entry.index, config: entry.data.config });
    else w.resolve({ outcome: 'superseded', index: entry.index });
  }

  /** Entries up to `index` arrived as a snapshot: which entry was at a waiter's index is unknown here. */
  coveredBySnapshot(index: number): void {
    for (const [at, w] of this.byIndex) if (at <= index) this.settleUnknown(at, w, `a snapshot through ${index} replaced the entry`);
  }

  /** Waiters older than `cutoff`, or all (cutoff Infinity, the host stopping), learn nothing more. */
  forget(cutoff: number, reason: string): void {
    for (const [at, w] of this.byIndex) if (w.since < cutoff) this.settleUnknown(at, w, reason);
  }

  private settleUnknown(index: number, w: Waiter, reason: string): void {
    this.byIndex.delete(index);
    w.resolve({ outcome: 'unknown', index, reason });
  }
}
