// What a leader tracks about the members it replicates to (etcd's tracker/): one Progress per
// member of the configuration in force but itself, and the majorities computed over its voters:
// the commit index, the confirmed heartbeat round (ReadIndex), check-quorum's liveness count.
// Members a change removed keep their Progress until that change commits, so they still get the
// entry that tells them they are out.
import { isVoter, membersOf } from './configuration.ts';
import { Progress } from './progress.ts';
import { quorumValueOf } from './quorum.ts';
import type { Configuration, MemberProgress, NodeId } from './types.ts';

export class ProgressTracker {
  private readonly self: NodeId;
  private config: Configuration = { voters: [], learners: [] };
  private readonly progress = new Map<NodeId, Progress>();
  /**
   * With the leader's log written in the background (§10.2.1): how far its own copy is known durable.
   * Only that much of its own log counts toward a commit.
   */
  private ownDurableIndex = 0;

  constructor(self: NodeId) {
    this.self = self;
  }

  /**
   * A new leader: every other member probes from `nextIndex`. Its own log before that is durable: this
   * term's vote for itself was written after it, and that write completed before it asked for votes.
   */
  reset(config: Configuration, nextIndex: number, now: number): void {
    this.progress.clear();
    this.ownDurableIndex = nextIndex - 1;
    this.setConfig(config, nextIndex, now);
  }

  /** The leader's own log is durable through `index` (clipped to its `lastIndex`); false if that is no news. */
  ownLogDurable(index: number, lastIndex: number): boolean {
    if (index <= this.ownDurableIndex) return false;
    this.ownDurableIndex = Math.min(index, lastIndex);
    return true;
  }

  /** The configuration in force changed while leading: new members are tracked; departed ones stay until prune(). */
  setConfig(config: Configuration, nextIndex: number, now: number): void {
    this.config = config;
    for (const id of membersOf(config)) {
      if (id === this.self || this.progress.has(id)) continue;
      const pr = new Progress(nextIndex);
      if (!isVoter(config, id)) pr.startCatchUpRound(nextIndex - 1, now);
      this.progress.set(id, pr);
    }
  }

  /** The configuration in force committed: stop replicating to those it no longer names. */
  prune(): NodeId[] {
    const gone = [...this.progress.keys()].filter((id) => !membersOf(this.config).includes(id));
    for (const id of gone) this.progress.delete(id);
    return gone;
  }

  /** Some tracked member is no longer in the configuration in force. */
  hasDeparted(): boolean {
    return [...this.progress.keys()].some((id) => !membersOf(this.config).includes(id));
  }

  clear(): void {
    this.progress.clear();
  }

  get(id: NodeId): Progress | undefined {
    return this.progress.get(id);
  }

  /** Everyone we replicate to. */
  peers(): NodeId[] {
    return [...this.progress.keys()];
  }

  all(): Progress[] {
    return [...this.progress.values()];
  }

  entries(): [NodeId, Progress][] {
    return [...this.progress];
  }

  /** The voters other than us, for a leadership transfer. */
  otherVoters(): NodeId[] {
    return this.config.voters.filter((v) => v !== this.self);
  }

  /** §5.3: the highest index a majority of the voters hold (ours counts only if we are a voter). */
  committedIndex(ownLastIndex: number, ownWrittenInBackground: boolean): number {
    const own = ownWrittenInBackground ? Math.min(this.ownDurableIndex, ownLastIndex) : ownLastIndex;
    return quorumValueOf(this.config.voters, (id) => (id === this.self ? own : this.progress.get(id)?.matchIndex ?? 0));
  }

  /** ReadIndex: the highest heartbeat round a majority of the voters acknowledged. */
  confirmedRound(ownRound: number): number {
    return quorumValueOf(this.config.voters, (id) => (id === this.self ? ownRound : this.progress.get(id)?.ackedRound ?? 0));
  }

  /** Check-quorum: voters heard from since the last check (us included, if a voter), out of all voters. Starts a new window. */
  takeActiveVoters(): { active: number; voters: number } {
    let active = 0;
    for (const id of this.config.voters) if (id === this.self || this.progress.get(id)?.recentActive === true) active++;
    for (const pr of this.progress.values()) pr.recentActive = false;
    return { active, voters: this.config.voters.length };
  }
}

/** The voter a leadership transfer goes to by default: the highest match index; among equals, one heard from recently. */
export function mostUpToDate(tracker: ProgressTracker): NodeId | null {
  let best: NodeId | null = null;
  let bestScore = -Infinity;
  for (const peer of tracker.otherVoters()) {
    const pr = tracker.get(peer);
    if (pr === undefined) continue;
    const score = pr.matchIndex * 2 + (pr.recentActive ? 1 : 0);
    if (score > bestScore) {
      best = peer;
      bestScore = score;
    }
  }
  return best;
}

/** GET /admin/members: every member of `config`, with the leader's progress (null when not leading). */
export function memberProgress(config: Configuration, self: NodeId, tracker: ProgressTracker | null, ownLastIndex: number): MemberProgress[] {
  return membersOf(config).map((id) => {
    const voter = isVoter(config, id);
    const pr = tracker?.get(id);
    const matchIndex = tracker === null ? null : id === self ? ownLastIndex : (pr?.matchIndex ?? 0);
    return { id, role: voter ? 'voter' : 'learner', context: config.context?.[id] ?? null, matchIndex, caughtUp: voter || tracker === null ? null : pr?.caughtUp === true };
  });
}
