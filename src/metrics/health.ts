// GET /health, as etcd's: healthy when this node knows a leader and has applied what it knows to be
// committed, give or take one snapshot threshold of entries (a follower that far behind would be
// sent a snapshot; anything less it catches up on within a few round trips). Pure, so every reason
// can be tested without a cluster.
import type { RaftStatus } from '../raft/types.ts';

/** The allowed lag when snapshots are off (--snapshot-threshold 0): the default threshold. */
export const LAG_ALLOWANCE_WITHOUT_SNAPSHOTS = 10_000;

export type Health = { healthy: true } | { healthy: false; reason: string };

export interface HealthInput {
  /** null: the node is still starting (its log not recovered yet). */
  status: RaftStatus | null;
  /** The highest commit index a leader has told this node (it may not hold those entries yet). */
  knownCommitIndex: number;
  /** 0: snapshots are off, and the default threshold's worth of lag is allowed instead. */
  snapshotThreshold: number;
}

export function healthOf({ status, knownCommitIndex, snapshotThreshold }: HealthInput): Health {
  if (status === null) return { healthy: false, reason: 'starting up' };
  if (status.leaderId === null) return { healthy: false, reason: `no leader (this node is ${status.role} in term ${status.term})` };
  if (status.logLost) return { healthy: false, reason: `log lost: catching up from leader ${status.leaderId}, applied through ${status.appliedIndex}` };
  const committed = Math.max(knownCommitIndex, status.commitIndex);
  const behind = committed - status.appliedIndex;
  const allowed = snapshotThreshold > 0 ? snapshotThreshold : LAG_ALLOWANCE_WITHOUT_SNAPSHOTS;
  if (behind > allowed) {
    const what = snapshotThreshold > 0 ? `the snapshot threshold ${allowed}` : `${allowed} (snapshots are off)`;
    return { healthy: false, reason: `catching up: applied through ${status.appliedIndex}, ${committed} known committed (${behind} behind, more than ${what})` };
  }
  return { healthy: true };
}
