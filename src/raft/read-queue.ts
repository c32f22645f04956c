// ReadIndex bookkeeping (dissertation §6.4) on a leader: reads wait for a heartbeat round that a
// majority acknowledges (leadership confirmed), then for the state machine to apply what was
// committed when they arrived.

export interface PendingRead {
  ctx: number;
  /** commitIndex when the read arrived: the read may be served once this much is applied. */
  index: number;
  /** The heartbeat round a majority must acknowledge to prove we were still leader. */
  round: number;
}

export class ReadQueue {
  private pending: PendingRead[] = [];
  private confirmed: PendingRead[] = [];
  /** Reads that arrived before this leader committed an entry of its own term (§8: no reads until then). */
  awaitingFirstCommit: number[] = [];

  add(read: PendingRead): void {
    this.pending.push(read);
  }

  /** A majority acknowledged rounds up to `round`: the reads that waited for them are confirmed. */
  confirmThrough(round: number): void {
    const still: PendingRead[] = [];
    for (const r of this.pending) (r.round <= round ? this.confirmed : still).push(r);
    this.pending = still;
  }

  /** The confirmed reads the state machine, applied through `appliedIndex`, can now serve. */
  takeServable(appliedIndex: number): PendingRead[] {
    const ready = this.confirmed.filter((r) => r.index <= appliedIndex);
    if (ready.length > 0) this.confirmed = this.confirmed.filter((r) => r.index > appliedIndex);
    return ready;
  }

  /** Leadership ends: every read still waiting, by ctx. */
  takeAll(): number[] {
    const all = [...this.pending, ...this.confirmed].map((r) => r.ctx).concat(this.awaitingFirstCommit);
    this.pending = [];
    this.confirmed = [];
    this.awaitingFirstCommit = [];
    return all;
  }
}
