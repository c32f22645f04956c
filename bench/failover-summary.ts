// Turns failover samples into the numbers the bench prints: distributions of time to a new leader
// and to the first successful write, the floor the timeouts allow, and how far above it we are.
import type { LatencyDist } from '../maelstrom/cluster.ts';
import type { TimingSettings } from './bench-cluster.ts';
import type { FailoverRun, FailoverSample, FailureMode } from './failover-rounds.ts';
import { computeFloor, type Floor } from './floor.ts';
import { fmt, summarize, type Summary } from './stats.ts';

export interface FailoverConfig extends TimingSettings {
  nodeCount: number;
  mode: FailureMode;
  latency: { meanMs: number; dist: LatencyDist };
}

export interface FailoverResult {
  config: FailoverConfig;
  rounds: number;
  /** Rounds with no new leader (or no successful write) before the round timeout. */
  missingLeader: number;
  missingWrite: number;
  leader: Summary;
  write: Summary;
  floor: Floor;
  /** Measured p50 time to a new leader divided by the floor's p50. */
  ratioP50: number;
  /** Share of failovers where some survivor became candidate in more than one term. */
  splitVoteShare: number;
  samples: FailoverSample[];
  aborted: string | null;
}

export function summarizeFailover(config: FailoverConfig, run: FailoverRun): FailoverResult {
  const samples = run.samples;
  const leaderTimes = samples.flatMap((s) => (s.leaderMs === null ? [] : [s.leaderMs]));
  const writeTimes = samples.flatMap((s) => (s.writeMs === null ? [] : [s.writeMs]));
  const floor = computeFloor({
    nodeCount: config.nodeCount,
    electionTimeoutMinMs: config.electionTimeoutMinMs,
    electionTimeoutMaxMs: config.electionTimeoutMaxMs,
    heartbeatMs: config.heartbeatMs,
    latency: config.latency,
  });
  const leader = summarize(leaderTimes);
  const elected = samples.filter((s) => s.leaderMs !== null);
  return {
    config,
    rounds: samples.length,
    missingLeader: samples.length - leaderTimes.length,
    missingWrite: samples.length - writeTimes.length,
    leader,
    write: summarize(writeTimes),
    floor,
    ratioP50: leader.p50 / floor.p50,
    splitVoteShare: elected.length === 0 ? Number.NaN : elected.filter((s) => s.candidateTerms > 1).length / elected.length,
    samples,
    aborted: run.aborted,
  };
}

export function describeConfig(c: FailoverConfig): string {
  const latency = c.latency.meanMs > 0 ? `, latency ${c.latency.meanMs} ms ${c.latency.dist}` : ', latency 0';
  return `${c.nodeCount} nodes, ${c.mode}, timeouts ${c.electionTimeoutMinMs}-${c.electionTimeoutMaxMs} ms, heartbeat ${c.heartbeatMs} ms${latency}`;
}

export const FAILOVER_HEADER = ['config', 'rounds', 'leader p50', 'p90', 'p99', 'max', 'write p50', 'p90', 'p99', 'max', 'floor p50', 'p50/floor', 'missing'];

export function failoverRow(label: string, r: FailoverResult): string[] {
  return [
    label,
    String(r.rounds),
    fmt(r.leader.p50), fmt(r.leader.p90), fmt(r.leader.p99), fmt(r.leader.max),
    fmt(r.write.p50), fmt(r.write.p90), fmt(r.write.p99), fmt(r.write.max),
    fmt(r.floor.p50), fmt(r.ratioP50, 2),
    (r.missingLeader + r.missingWrite === 0 ? '0' : `${r.missingLeader} leader / ${r.missingWrite} write`) + (r.aborted === null ? '' : ' (aborted: no settled leader)'),
  ];
}
