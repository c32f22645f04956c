// The failover floor: how soon a new leader can exist at all, given the election timeouts.
//
// Model (computed by Monte Carlo with the run's own parameters, so no closed form has to be trusted):
//   - every surviving follower restarted its timer when it received the last heartbeat; at the
//     moment of failure that was A ago, A uniform in [0, heartbeat] (the failure hits a random phase);
//   - each follower's timeout is uniform in [Tmin, Tmax]; the first to fire campaigns, after
//     min_i(U_i) - A;
//   - then the cheapest possible election: a pre-vote round trip to enough peers for a majority,
//     the candidate persisting its term and vote in the lin-kv service (a round trip), the vote
//     round trip with the voter's own persist (two more round trips), each one-way delay drawn
//     from the bench's latency distribution (0 when latency is 0).
// Everything that makes real runs slower (a peer still inside its leader lease refusing the
// pre-vote, split votes, scheduling delays of a busy machine, pipe and event-loop delays) is left
// out on purpose: this is a lower bound, and the ratio measured/floor says how close we come.
import { Random } from '../maelstrom/random.ts';
import type { LatencyDist } from '../maelstrom/cluster.ts';
import { mean, percentile } from './stats.ts';

export interface FloorParams {
  nodeCount: number;
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatMs: number;
  latency: { meanMs: number; dist: LatencyDist };
  samples?: number;
  seed?: number;
}

export interface Floor {
  p50: number;
  mean: number;
  /** In words, for the printed output. */
  method: string;
}

/** One message delay as the bench draws it: integer milliseconds, like Maelstrom's network. */
export function drawLatency(random: Random, latency: { meanMs: number; dist: LatencyDist }): number {
  if (latency.meanMs <= 0) return 0;
  switch (latency.dist) {
    case 'constant':
      return Math.floor(latency.meanMs);
    case 'uniform':
      return Math.floor(random.next() * 2 * latency.meanMs);
    case 'exponential':
      return Math.floor(random.exponential(latency.meanMs));
    default: {
      const unreachable: never = latency.dist;
      throw new Error(`unknown latency distribution ${String(unreachable)}`);
    }
  }
}

/** The k-th smallest (1-based) of values. */
function kthSmallest(values: number[], k: number): number {
  values.sort((a, b) => a - b);
  return values[k - 1] ?? Number.POSITIVE_INFINITY;
}

export function computeFloor(params: FloorParams): Floor {
  const random = new Random(params.seed ?? 1);
  const samples = params.samples ?? 50_000;
  const survivors = params.nodeCount - 1;
  const votesNeeded = Math.floor(params.nodeCount / 2); // besides the candidate's own
  const { electionTimeoutMinMs: tMin, electionTimeoutMaxMs: tMax, heartbeatMs } = params;
  const d = (): number => drawLatency(random, params.latency);
  const results: number[] = [];
  for (let s = 0; s < samples; s++) {
    const sinceHeartbeat = random.next() * heartbeatMs;
    let firstTimer = Number.POSITIVE_INFINITY;
    for (let i = 0; i < survivors; i++) firstTimer = Math.min(firstTimer, tMin + random.next() * (tMax - tMin));
    const peers = survivors - 1;
    const preVote = kthSmallest(Array.from({ length: peers }, () => d() + d()), votesNeeded);
    const candidatePersist = d() + d();
    const vote = kthSmallest(Array.from({ length: peers }, () => d() + d() + d() + d()), votesNeeded);
    results.push(firstTimer - sinceHeartbeat + preVote + candidatePersist + vote);
  }
  const latencyText = params.latency.meanMs > 0 ? `, ${params.latency.dist} latency mean ${params.latency.meanMs} ms on 8 message legs` : '';
  return {
    p50: percentile(results, 50),
    mean: mean(results),
    method:
      `Monte Carlo (${samples} draws): min over ${survivors} survivors of U[${tMin},${tMax}] ms, minus the time since the last heartbeat ` +
      `U[0,${heartbeatMs}] ms${latencyText} (pre-vote, candidate persist, vote + voter persist)`,
  };
}
