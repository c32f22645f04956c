// Elections while nothing is wrong: with a healthy leader and a light client load, any follower
// timing out is a false alarm (a heartbeat came too late). Counted from the node logs.
import type { Random } from '../maelstrom/random.ts';
import type { BenchCluster } from './bench-cluster.ts';
import { openLoop } from './load.ts';

export interface SteadyStateSample {
  durationMs: number;
  /** `became candidate` lines: real elections (each one bumps the term). */
  elections: number;
  /** `starting pre-vote` lines: campaigns that pre-vote may have stopped before they disrupted anything. */
  preVotes: number;
  timeoutsFired: number;
  leaderChanges: number;
  electionsPerMinute: number;
  preVotesPerMinute: number;
  /** Set when no leader settled, so there was no steady state to measure. */
  error: string | null;
}

/** Background load: writes through every node at `writesPerS` in total (0 for an idle cluster). */
export async function measureSteadyState(bench: BenchCluster, durationMs: number, random: Random, writesPerS = 20): Promise<SteadyStateSample> {
  let first: { node: string; term: number };
  try {
    first = await bench.waitForStableLeader(20_000 + 10 * bench.options.electionTimeoutMaxMs);
  } catch (err) {
    const nan = Number.NaN;
    const error = err instanceof Error ? err.message : String(err);
    return { durationMs: 0, elections: nan, preVotes: nan, timeoutsFired: nan, leaderChanges: nan, electionsPerMinute: nan, preVotesPerMinute: nan, error };
  }
  const start = bench.now();
  const clients = bench.nodeIds.map((n) => bench.client(n, 'steady-load'));
  if (writesPerS > 0) {
    await openLoop(clients, { random, now: () => bench.now(), timeoutMs: 1000, mix: 'write', ratePerS: writesPerS, durationMs });
  } else {
    while (bench.now() - start < durationMs) await new Promise((r) => setTimeout(r, 50));
  }
  const end = bench.now();
  const events = bench.log.since(start).filter((e) => e.at <= end);
  const elections = events.filter((e) => e.event.kind === 'candidate').length;
  const preVotes = events.filter((e) => e.event.kind === 'pre-vote').length;
  const timeoutsFired = events.filter((e) => e.event.kind === 'timeout-fired').length;
  const leaderChanges = events.filter((e) => e.event.kind === 'elected' && e.node !== first.node).length;
  const minutes = (end - start) / 60_000;
  return {
    durationMs: end - start,
    elections,
    preVotes,
    timeoutsFired,
    leaderChanges,
    electionsPerMinute: elections / minutes,
    preVotesPerMinute: preVotes / minutes,
    error: null,
  };
}
