// What a leader knows about one follower's log (etcd's tracker.Progress, simplified).
// probe: we do not know where the follower's log ends; one AppendEntries at a time finds out.
// replicate: the follower is caught up; entries stream optimistically with a bounded window.
export class Progress {
  nextIndex: number;
  matchIndex = 0;
  mode: 'probe' | 'replicate' = 'probe';
  /** Last index of each batch in flight (replicate mode), oldest first, with its send time. */
  inflight: { lastIndex: number; sentAt: number }[] = [];
  /** In probe mode: a probe is out and unanswered, so do not send another until the next heartbeat. */
  probeInFlight = false;
  /** Heard from this follower since the last check-quorum. */
  recentActive = false;
  /** Highest heartbeat round the follower has answered in this term (ReadIndex). */
  ackedRound = 0;

  constructor(nextIndex: number) {
    this.nextIndex = nextIndex;
  }

  becomeProbe(nextIndex: number): void {
    this.mode = 'probe';
    this.nextIndex = Math.max(nextIndex, this.matchIndex + 1);
    this.inflight = [];
    this.probeInFlight = false;
  }

  becomeReplicate(): void {
    this.mode = 'replicate';
    this.nextIndex = Math.max(this.nextIndex, this.matchIndex + 1);
    this.probeInFlight = false;
  }

  /** Records an acknowledged match; returns true if it moved forward. */
  acknowledge(matchIndex: number): boolean {
    this.inflight = this.inflight.filter((f) => f.lastIndex > matchIndex);
    if (matchIndex <= this.matchIndex) return false;
    this.matchIndex = matchIndex;
    this.nextIndex = Math.max(this.nextIndex, matchIndex + 1);
    return true;
  }
}
