// Runs seeds and sums them up: the part of the simulator shared by the CLI, its worker threads and
// the tests. Each seed's client history is checked with the bench's linearizability checker.
import { checkLinKv } from '../../maelstrom/checker/index.ts';
import type { ClientStats } from './clients.ts';
import { mergeFaultCounts } from './fault-tally.ts';
import type { InjectedBug, LatencyProfile, ScenarioProfile } from './scenario.ts';
import { runSimulation, type Recovery, type SimFailure, type SimOptions } from './simulation.ts';

/** Per-key time limit for the linearizability search; a key over it is 'unknown', not a failure. */
const CHECKER_TIME_LIMIT_MS = 20_000;

export interface RunConfig {
  nodeCount?: number;
  bug?: InjectedBug;
  profile?: ScenarioProfile;
  faultPhaseMs?: number;
  latencyProfile?: LatencyProfile;
}

/** What one seed produced, without its history (small enough to pass between threads). */
export interface SeedSummary {
  seed: number;
  nodeCount: number;
  profile: ScenarioProfile;
  failure: SimFailure | null;
  steps: number;
  simulatedMs: number;
  wallMs: number;
  checkerMs: number;
  faults: Record<string, number>;
  recovery: Recovery | null;
  linearizable: boolean | 'unknown' | 'not-checked';
  traceHash: string;
  clientOps: ClientStats;
  leaderTerms: number;
  /** Commits of an older term's entry by counting replicas (only the commitOldTermByCounting bug does that). */
  oldTermCommits: number;
  snapshots: { taken: number; installed: number };
}

export async function runSeed(seed: number, config: RunConfig, onTraceLine?: (line: string) => void): Promise<SeedSummary> {
  const started = performance.now();
  let checkerMs = 0;
  const options: SimOptions = {
    seed,
    ...config,
    checker: (history) => {
      const t = performance.now();
      const result = checkLinKv(history, { timeLimitMs: CHECKER_TIME_LIMIT_MS });
      checkerMs += performance.now() - t;
      return result;
    },
    ...(onTraceLine === undefined ? {} : { onTraceLine }),
  };
  const r = await runSimulation(options);
  return {
    seed,
    nodeCount: r.nodeCount,
    profile: r.profile,
    failure: r.failure,
    steps: r.steps,
    simulatedMs: r.simulatedMs,
    wallMs: performance.now() - started,
    checkerMs,
    faults: r.faults,
    recovery: r.recovery,
    linearizable: r.linearizable,
    traceHash: r.traceHash,
    clientOps: r.clientOps,
    leaderTerms: r.leaderTerms,
    oldTermCommits: r.oldTermCommits,
    snapshots: r.snapshots,
  };
}

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

export interface RunTotals {
  seeds: number;
  failures: SimFailure[];
  simulatedMs: number;
  steps: number;
  faults: Record<string, number>;
  clientOps: ClientStats;
  linearizable: { valid: number; unknown: number; invalid: number; notChecked: number };
  leaderRecoveryMs: Percentiles;
  firstOkRecoveryMs: Percentiles;
  clientRecoveryMs: Percentiles;
  checkerMs: number;
  byNodeCount: Record<string, number>;
  leaderTerms: number;
  oldTermCommits: number;
  snapshots: { taken: number; installed: number };
}

export function totals(summaries: readonly SeedSummary[]): RunTotals {
  const faults: Record<string, number> = {};
  const clientOps: ClientStats = { invoked: 0, ok: 0, fail: 0, info: 0 };
  const linearizable = { valid: 0, unknown: 0, invalid: 0, notChecked: 0 };
  const byNodeCount: Record<string, number> = {};
  let simulatedMs = 0;
  let steps = 0;
  let checkerMs = 0;
  let leaderTerms = 0;
  let oldTermCommits = 0;
  const snapshots = { taken: 0, installed: 0 };
  for (const s of summaries) {
    snapshots.taken += s.snapshots.taken;
    snapshots.installed += s.snapshots.installed;
    leaderTerms += s.leaderTerms;
    oldTermCommits += s.oldTermCommits;
    mergeFaultCounts(faults, s.faults);
    clientOps.invoked += s.clientOps.invoked;
    clientOps.ok += s.clientOps.ok;
    clientOps.fail += s.clientOps.fail;
    clientOps.info += s.clientOps.info;
    simulatedMs += s.simulatedMs;
    steps += s.steps;
    checkerMs += s.checkerMs;
    const key = `n=${s.nodeCount} ${s.profile}`;
    byNodeCount[key] = (byNodeCount[key] ?? 0) + 1;
    if (s.linearizable === true) linearizable.valid++;
    else if (s.linearizable === 'unknown') linearizable.unknown++;
    else if (s.linearizable === false) linearizable.invalid++;
    else linearizable.notChecked++;
  }
  const recovered = summaries.flatMap((s) => (s.recovery === null ? [] : [s.recovery]));
  return {
    seeds: summaries.length,
    failures: summaries.flatMap((s) => (s.failure === null ? [] : [s.failure])),
    simulatedMs,
    steps,
    faults,
    clientOps,
    linearizable,
    leaderRecoveryMs: percentiles(recovered.map((r) => r.leaderMs)),
    firstOkRecoveryMs: percentiles(recovered.map((r) => r.firstOkMs)),
    clientRecoveryMs: percentiles(recovered.map((r) => r.clientsMs)),
    checkerMs,
    byNodeCount: Object.fromEntries(Object.entries(byNodeCount).sort()),
    leaderTerms,
    oldTermCommits,
    snapshots,
  };
}

/** The report the CLI prints: numbers first, then the first failure in full. */
export function formatTotals(t: RunTotals, wallMs: number): string {
  const lines: string[] = [];
  const ms = (p: Percentiles) => `p50 ${p.p50.toFixed(0)} ms, p99 ${p.p99.toFixed(0)} ms, max ${p.max.toFixed(0)} ms (${p.count} runs)`;
  lines.push(`seeds run:          ${t.seeds} (${Object.entries(t.byNodeCount).map(([k, v]) => `${k}: ${v}`).join(', ')})`);
  lines.push(`failures:           ${t.failures.length}${t.failures.length > 0 ? ` (seeds ${t.failures.slice(0, 20).map((f) => `${f.seed}:${f.kind}`).join(', ')}${t.failures.length > 20 ? ', ...' : ''})` : ''}`);
  lines.push(`linearizability:    ${t.linearizable.valid} valid, ${t.linearizable.invalid} invalid, ${t.linearizable.unknown} unknown, ${t.linearizable.notChecked} not checked (checker ${(t.checkerMs / 1000).toFixed(1)} s)`);
  lines.push(`simulated time:     ${(t.simulatedMs / 1000).toFixed(1)} s in ${t.steps} steps`);
  lines.push(`wall time:          ${(wallMs / 1000).toFixed(1)} s`);
  lines.push(`speed:              ${(t.simulatedMs / Math.max(wallMs, 1)).toFixed(0)}x (simulated / wall)`);
  lines.push(`elections:          ${t.leaderTerms} terms had a leader${t.oldTermCommits > 0 ? `; ${t.oldTermCommits} commits of an older term's entry by counting` : ''}`);
  lines.push(`client ops:         ${t.clientOps.invoked} invoked, ${t.clientOps.ok} ok, ${t.clientOps.fail} fail, ${t.clientOps.info} indefinite`);
  lines.push(`snapshots (§7):     ${t.snapshots.taken} taken, ${t.snapshots.installed} installed from a leader`);
  lines.push(`faults injected:    ${Object.entries(t.faults).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`recovery after faults stop (all nodes restarted, network healed):`);
  lines.push(`  leader known to every node: ${ms(t.leaderRecoveryMs)}`);
  lines.push(`  first client op succeeded:  ${ms(t.firstOkRecoveryMs)}`);
  lines.push(`  every node served a client: ${ms(t.clientRecoveryMs)}`);
  return lines.join('\n');
}

export function formatFailure(f: SimFailure, config: RunConfig): string {
  const flags = [`--seed ${f.seed}`, config.nodeCount ? `--nodes ${config.nodeCount}` : '', config.bug ? `--bug ${config.bug}` : '', config.profile ? `--profile ${config.profile}` : '', config.faultPhaseMs ? `--fault-ms ${config.faultPhaseMs}` : '']
    .filter((x) => x !== '')
    .join(' ');
  return [
    `FAILURE seed ${f.seed}, step ${f.step}, at ${f.timeMs.toFixed(3)} ms simulated: ${f.kind}`,
    f.message,
    `reproduce: node scripts/run-ts.mjs test/sim/cli.ts ${flags} --trace`,
    `last ${f.traceTail.length} trace lines:`,
    ...f.traceTail.map((l) => `  ${l}`),
  ].join('\n');
}
