// What one seed runs: cluster size, Raft settings, network shape, which faults and how often.
// Everything is drawn from the seed, so a seed names a whole scenario.
import type { Latency, MessageFaults } from './network.ts';
import { PARTITION_SHAPES, type PartitionShape } from './partitions.ts';
import type { Random } from '../../maelstrom/random.ts';

export type InjectedBug = 'doubleVote' | 'commitOldTermByCounting';
export const INJECTED_BUGS: readonly InjectedBug[] = ['doubleVote', 'commitOldTermByCounting'];

/**
 * 'mixed': moderate faults of every kind. 'churn': a small cluster with leaders coming and going
 * every few hundred ms (fast crash/restart, heavy loss, one entry per message), the conditions
 * under which entries of old terms sit on some nodes and not others (the paper's Figure 8).
 */
export type ScenarioProfile = 'mixed' | 'churn';

export interface Scenario {
  profile: ScenarioProfile;
  nodeCount: number;
  preVote: boolean;
  checkQuorum: boolean;
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatIntervalMs: number;
  /** Small batches make a leader's view of its followers advance entry by entry, through older terms. */
  maxEntriesPerMessage: number;
  maxInflightMessages: number;
  latency: Latency;
  /** Message faults while the fault phase lasts (off afterwards). */
  messageFaults: MessageFaults;
  /** Mean time between nemesis actions. */
  nemesisIntervalMs: number;
  partitionShapes: readonly PartitionShape[];
  crashes: boolean;
  /** Process pauses (SIGSTOP, a long GC): the node stops, keeps its state, and resumes with a backlog. */
  pauses: boolean;
  /** Chance that a leader is killed a few ms after it appended entries (so they reach few nodes). */
  crashLeaderAfterAppend: number;
  /** Chance that a leader is killed a moment after its commit index advanced, before followers learn it. */
  crashLeaderAfterCommit: number;
  /** If set, every crashed node restarts by itself after a downtime drawn with this mean (ms). */
  autoRestartMeanMs: number | null;
  /** Hard-state service round trip, mean ms. */
  serviceLatencyMs: number;
  faultPhaseMs: number;
  clients: number;
  keys: number;
  thinkTimeMs: number;
  clientTimeoutMs: number;
}

export function drawScenario(rng: Random, options: { nodeCount?: number; profile?: ScenarioProfile; faultPhaseMs?: number }): Scenario {
  const churn = rng.chance(0.3);
  if (options.profile === 'churn' || (options.profile === undefined && churn)) return drawChurn(rng, options);
  const nodeCount = options.nodeCount ?? rng.pick([3, 5, 7]);
  const lossy = rng.chance(0.7);
  const crashes = rng.chance(0.6);
  const partitions = rng.chance(0.8) || !crashes;
  const scenario: Scenario = {
    profile: 'mixed',
    nodeCount,
    preVote: rng.chance(0.75),
    checkQuorum: rng.chance(0.75),
    electionTimeoutMinMs: 150,
    electionTimeoutMaxMs: 300,
    heartbeatIntervalMs: 50,
    maxEntriesPerMessage: rng.pick([1, 2, 8, 500]),
    maxInflightMessages: rng.pick([1, 2, 4]),
    latency: { meanMs: rng.uniform(0.5, 12), shape: rng.pick(['constant', 'uniform', 'exponential'] as const) },
    messageFaults: lossy
      ? { dropProbability: rng.uniform(0, 0.08), duplicateProbability: rng.uniform(0, 0.05), reorderProbability: rng.uniform(0, 0.1) }
      : { dropProbability: 0, duplicateProbability: 0, reorderProbability: 0 },
    nemesisIntervalMs: rng.uniform(300, 2500),
    partitionShapes: partitions ? PARTITION_SHAPES : [],
    crashes,
    crashLeaderAfterAppend: crashes ? rng.pick([0, 0, 0.002, 0.01]) : 0,
    crashLeaderAfterCommit: crashes ? rng.pick([0, 0, 0.002, 0.01]) : 0,
    autoRestartMeanMs: crashes && rng.chance(0.5) ? rng.uniform(50, 1000) : null,
    serviceLatencyMs: rng.uniform(0.5, 8),
    faultPhaseMs: options.faultPhaseMs ?? 8000,
    clients: nodeCount + 1,
    keys: 3,
    thinkTimeMs: rng.uniform(20, 80),
    clientTimeoutMs: 1000,
    pauses: false,
  };
  scenario.pauses = rng.chance(0.4); // drawn last, so the draws above stay what they were
  return scenario;
}

function drawChurn(rng: Random, options: { nodeCount?: number; faultPhaseMs?: number }): Scenario {
  const nodeCount = options.nodeCount ?? rng.pick([3, 3, 5]);
  return {
    profile: 'churn',
    nodeCount,
    preVote: rng.chance(0.5),
    checkQuorum: rng.chance(0.5),
    // Faster timers: more elections per simulated second.
    electionTimeoutMinMs: 60,
    electionTimeoutMaxMs: 120,
    heartbeatIntervalMs: 20,
    maxEntriesPerMessage: 1,
    maxInflightMessages: rng.pick([1, 2]),
    latency: { meanMs: rng.uniform(1, 10), shape: rng.pick(['uniform', 'exponential'] as const) },
    messageFaults: { dropProbability: rng.uniform(0.05, 0.25), duplicateProbability: rng.uniform(0, 0.05), reorderProbability: rng.uniform(0, 0.1) },
    nemesisIntervalMs: rng.uniform(40, 200),
    partitionShapes: rng.chance(0.5) ? PARTITION_SHAPES : [],
    crashes: true,
    pauses: false,
    crashLeaderAfterAppend: rng.uniform(0.05, 0.4),
    crashLeaderAfterCommit: rng.uniform(0.2, 0.6),
    autoRestartMeanMs: rng.uniform(30, 200),
    serviceLatencyMs: rng.uniform(0.5, 5),
    faultPhaseMs: options.faultPhaseMs ?? 8000,
    clients: nodeCount + 2,
    keys: 2,
    thinkTimeMs: rng.uniform(10, 40),
    clientTimeoutMs: 1000,
  };
}
