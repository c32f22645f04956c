// What one seed runs: cluster size, Raft settings, network shape, which faults and how often.
// Everything is drawn from the seed, so a seed names a whole scenario.
import type { Latency, MessageFaults } from './network.ts';
import { PARTITION_SHAPES, type PartitionShape } from './partitions.ts';
import type { Random } from '../../maelstrom/random.ts';

/**
 * Broken behaviour the simulator must catch. All but ignoreLostLog break the core (RaftConfig.bugs);
 * ignoreLostLog is a host that does not tell the core when a restarted node's log was lost.
 * changeBeforeOwnTermCommit drops the own-term-commit rule of membership changes (Ongaro 2015).
 */
export type InjectedBug = 'doubleVote' | 'commitOldTermByCounting' | 'ignoreLostLog' | 'changeBeforeOwnTermCommit';
export const INJECTED_BUGS: readonly InjectedBug[] = ['doubleVote', 'commitOldTermByCounting', 'ignoreLostLog', 'changeBeforeOwnTermCommit'];

/**
 * 'mixed': moderate faults of every kind. 'slow-store': the mix, with a slow term/vote service whose
 * writes sometimes fail (a fifth of the default seeds). 'churn': a small cluster with leaders coming and going
 * every few hundred ms (fast crash/restart, heavy loss, one entry per message), the conditions
 * under which entries of old terms sit on some nodes and not others (the paper's Figure 8).
 */
export type ScenarioProfile = 'mixed' | 'churn' | 'slow-store';
export const SCENARIO_PROFILES: readonly ScenarioProfile[] = ['mixed', 'churn', 'slow-store'];

/** How the service holding term and vote misbehaves (Maelstrom's lin-kv under load, seen from a node). */
export interface HardStateStoreFaults {
  /** Chance that one write attempt fails: refused, lost, or performed with its answer lost. */
  failProbability: number;
  /** How long the node waits for an answer before it reads the record back and retries. */
  timeoutMs: number;
}

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
  hardStateStore: HardStateStoreFaults;
  /**
   * Chance that a restart finds the node's log deleted while its term and vote survive (a lost
   * write-ahead file). Only while no other node is still catching up from such a loss.
   */
  logLossOnRestart: number;
  faultPhaseMs: number;
  clients: number;
  keys: number;
  thinkTimeMs: number;
  clientTimeoutMs: number;
  /** Snapshot every this many applied entries (small, so compaction and InstallSnapshot happen often). */
  snapshotThreshold: number;
  /** Characters per InstallSnapshot chunk (small ones make transfers take many messages). */
  snapshotChunkSize: number;
  /** Chance that a node dies while writing a snapshot, during the fault phase. */
  snapshotCrashChance: number;
  /** Leaders write their log in the background and count themselves once it is durable (§10.2.1), as the standalone mode does. */
  leaderLogInBackground?: boolean;
}

/**
 * A fixed, slow network for the whole run (as Maelstrom's --latency/--latency-dist), instead of the
 * few milliseconds drawn per seed. The storage service sees the same latency (Maelstrom delays service
 * traffic like node traffic: a round trip is two one-way delays), and clients time out as Maelstrom's
 * lin-kv client does, after max(10 x latency, 1000) ms.
 */
export type LatencyProfile = 'constant-50' | 'constant-200' | 'exponential-100';
export const LATENCY_PROFILES: readonly LatencyProfile[] = ['constant-50', 'constant-200', 'exponential-100'];

const PROFILE_LATENCY: Record<LatencyProfile, Latency> = {
  'constant-50': { meanMs: 50, shape: 'constant' },
  'constant-200': { meanMs: 200, shape: 'constant' },
  'exponential-100': { meanMs: 100, shape: 'exponential' },
};

export function withLatencyProfile(scenario: Scenario, profile: LatencyProfile): Scenario {
  const latency = PROFILE_LATENCY[profile];
  return {
    ...scenario,
    latency,
    serviceLatencyMs: 2 * latency.meanMs,
    clientTimeoutMs: Math.max(10 * latency.meanMs, scenario.clientTimeoutMs),
    // Pre-vote, the candidate's write, RequestVote and the voter's write: some 8 latencies per election,
    // so a fault every few hundred ms would leave no time for any election to finish.
    nemesisIntervalMs: Math.max(scenario.nemesisIntervalMs, 20 * latency.meanMs),
    faultPhaseMs: Math.max(scenario.faultPhaseMs, 100 * latency.meanMs),
  };
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
    hardStateStore: RELIABLE_STORE,
    logLossOnRestart: 0,
    snapshotThreshold: 0,
    snapshotChunkSize: 0,
    snapshotCrashChance: 0,
  };
  scenario.pauses = rng.chance(0.4); // drawn last, so the draws above stay what they were
  // Drawn after everything older, for the same reason.
  scenario.logLossOnRestart = drawLogLoss(rng, crashes);
  const slowStore = rng.chance(0.2);
  if (options.profile === 'slow-store' || (slowStore && options.profile !== 'mixed')) {
    scenario.profile = 'slow-store';
    scenario.serviceLatencyMs = rng.uniform(10, 60);
    scenario.hardStateStore = { failProbability: rng.uniform(0.05, 0.3), timeoutMs: rng.uniform(100, 400) };
  }
  Object.assign(scenario, drawSnapshotSettings(rng, crashes));
  scenario.leaderLogInBackground = rng.chance(0.5); // drawn last: the older draws of a seed are unchanged
  return scenario;
}

/** Drawn after everything else, so adding them left the other draws of a seed unchanged. */
function drawSnapshotSettings(rng: Random, crashes: boolean): Pick<Scenario, 'snapshotThreshold' | 'snapshotChunkSize' | 'snapshotCrashChance'> {
  return {
    snapshotThreshold: rng.int(5, 51),
    snapshotChunkSize: rng.pick([16, 64, 256, 65536]),
    snapshotCrashChance: crashes ? rng.pick([0, 0.02, 0.1]) : 0,
  };
}

function drawChurn(rng: Random, options: { nodeCount?: number; faultPhaseMs?: number }): Scenario {
  const nodeCount = options.nodeCount ?? rng.pick([3, 3, 5]);
  const scenario: Scenario = {
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
    hardStateStore: RELIABLE_STORE,
    logLossOnRestart: drawLogLoss(rng, true),
    snapshotThreshold: 0,
    snapshotChunkSize: 0,
    snapshotCrashChance: 0,
  };
  return { ...scenario, ...drawSnapshotSettings(rng, true), leaderLogInBackground: rng.chance(0.5) };
}

const RELIABLE_STORE: HardStateStoreFaults = { failProbability: 0, timeoutMs: 1000 };

function drawLogLoss(rng: Random, crashes: boolean): number {
  return crashes && rng.chance(0.4) ? rng.uniform(0.1, 0.4) : 0;
}
