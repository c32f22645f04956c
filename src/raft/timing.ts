// The timing rules of the core that need none of its state: where timing starts, what the host
// may set, and how a follower stretches its election timeout to what its leader announces (§5.6).
import type { RaftConfig, RaftTiming } from './types.ts';

/**
 * A follower never times out sooner than this many of its leader's announced heartbeat intervals
 * (§5.6: the election timeout must be well above the time between heartbeats).
 */
export const HEARTBEATS_PER_TIMEOUT = 3;

/** The timing a configuration starts with, before the host has measured anything. */
export function initialTiming(config: RaftConfig): RaftTiming {
  return {
    electionTimeoutMinMs: config.electionTimeoutMinMs,
    electionTimeoutMaxMs: config.electionTimeoutMaxMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    checkQuorumWindowMs: config.checkQuorumWindowMs ?? config.electionTimeoutMinMs,
    persistAllowanceMs: 0,
    roundTripAllowanceMs: 0,
    retransmitAfterMs: config.electionTimeoutMinMs,
  };
}

/** Timing the core accepts from its host: positive (allowances may be 0), finite, min <= max. */
export function isSensibleTiming(timing: RaftTiming): boolean {
  const { electionTimeoutMinMs: min, electionTimeoutMaxMs: max, heartbeatIntervalMs: hb, checkQuorumWindowMs: cq, persistAllowanceMs: pa, roundTripAllowanceMs: ra, retransmitAfterMs: rt } = timing;
  const positive = [min, max, hb, cq, rt].every((v) => Number.isFinite(v) && v > 0) && [pa, ra].every((v) => Number.isFinite(v) && v >= 0);
  return positive && min <= max;
}

/**
 * A follower's timing under a leader that announces its own. It times out after the leader's
 * minimum election timeout and after HEARTBEATS_PER_TIMEOUT of its heartbeat intervals, whichever is
 * longer (never below the configured minimum): the leader measures the path to its followers at
 * every heartbeat, whereas a follower's own estimate is rarely refreshed. So the leader's view sets
 * the pace, and no follower campaigns against a leader that heartbeats as often as it said it
 * would. `leaderFloorMs` 0: nothing announced, the host's timing applies.
 */
export function followerTiming(config: RaftConfig, timing: RaftTiming, leaderFloorMs: number): RaftTiming {
  if (leaderFloorMs <= 0) return { ...timing };
  const min = Math.max(config.electionTimeoutMinMs, leaderFloorMs);
  const ratio = config.electionTimeoutMaxMs / config.electionTimeoutMinMs;
  return { ...timing, electionTimeoutMinMs: min, electionTimeoutMaxMs: min * ratio };
}
