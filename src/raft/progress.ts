// What a leader knows about one follower's log (etcd's tracker.Progress, simplified).
// probe: we do not know where the follower's log ends; one AppendEntries at a time finds out.
// replicate: the follower is caught up; entries stream optimistically with a bounded window.
// snapshot: the follower needs entries we compacted away; it gets our snapshot, one chunk at a time.
import type { Snapshot } from './types.ts';

/** A snapshot on its way to one follower: which one (kept even if we take a newer one meanwhile) and how far. */
export interface SnapshotTransfer {
  snapshot: Snapshot;
  /** Where the next chunk starts: what the follower has acknowledged holding. */
  offset: number;
}

export class Progress {
  nextIndex: number;
  matchIndex = 0;
  mode: 'probe' | 'replicate' | 'snapshot' = 'probe';
  /** In snapshot mode: the transfer under way. */
  transfer: SnapshotTransfer | null = null;
  /** The follower installed a snapshot and has not yet matched the whole log (for one "caught up" log line). */
  catchingUp = false;
  /** Last index of each batch in flight (replicate mode), oldest first, with its send time. */
  inflight: { lastIndex: number; sentAt: number }[] = [];
  /** In probe mode: a probe is out and unanswered, so do not send another until the next heartbeat. */
  probeInFlight = false;
  /** Heard from this follower since the last check-quorum. */
  recentActive = false;
  /** Highest heartbeat round the follower has answered in this term (ReadIndex). */
  ackedRound = 0;
  /**
   * A learner's catch-up (dissertation §4.2.1): replication goes in rounds, each one bringing the
   * learner to the leader's last index as of the round's start. A round that ends within an election
   * timeout means the learner keeps up: it is caught up, and may be promoted.
   */
  catchUpRound: { through: number; startedAt: number } | null = null;
  caughtUp = false;

  constructor(nextIndex: number) {
    this.nextIndex = nextIndex;
  }

  becomeProbe(nextIndex: number): void {
    this.mode = 'probe';
    this.transfer = null;
    this.nextIndex = Math.max(nextIndex, this.matchIndex + 1);
    this.inflight = [];
    this.probeInFlight = false;
  }

  becomeReplicate(): void {
    this.mode = 'replicate';
    this.transfer = null;
    this.nextIndex = Math.max(this.nextIndex, this.matchIndex + 1);
    this.probeInFlight = false;
  }

  /** Starts sending `snapshot` from its beginning (one chunk in flight, like a probe). */
  becomeSnapshot(snapshot: Snapshot): void {
    this.mode = 'snapshot';
    this.transfer = { snapshot, offset: 0 };
    this.inflight = [];
    this.probeInFlight = false;
  }

  startCatchUpRound(through: number, now: number): void {
    this.catchUpRound = { through, startedAt: now };
  }

  /**
   * After an acknowledgement: if the round under way is over, was it quick enough? Returns the
   * round's length in ms when it just made the learner caught up; a slow round starts the next one.
   */
  finishCatchUpRound(leaderLastIndex: number, now: number, electionTimeoutMs: number): number | null {
    const round = this.catchUpRound;
    if (this.caughtUp || round === null || this.matchIndex < round.through) return null;
    const ms = now - round.startedAt;
    if (ms <= electionTimeoutMs) {
      this.caughtUp = true;
      this.catchUpRound = null;
      return ms;
    }
    this.startCatchUpRound(leaderLastIndex, now);
    return null;
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
