// One complete lin-kv test, in the order Maelstrom runs it (see maelstrom/README.md): start and init
// every node, start relative time, run clients and nemesis until the time limit, let in-flight ops
// finish, heal, save the history, stop the nodes and check none crashed, then analyse and write
// results.json, the report and the store/latest symlinks.
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { checkLinKv, type LinearizabilityResult } from './checker/index.ts';
import { Cluster, ClusterError, type ClusterOptions, type ClusterProblem, type LatencyDist } from './cluster.ts';
import type { HistoryOp } from './history.ts';
import { NemesisSchedule, performOn, type AnyPartitionShape, type NemesisFault } from './nemesis/nemesis.ts';
import { LeaderWatch } from './nemesis/leader-watch.ts';
import { Progress, type ProgressSink } from './progress.ts';
import { Random } from './random.ts';
import { errorLines } from './stderr-excerpt.ts';
import { writeReport } from './report/index.ts';
import {
  composeResults,
  exitCodeFor,
  summaryLines,
  writeHistoryFiles,
  writeResultsFile,
  type AvailabilityRequirement,
  type TestResults,
  type Validity,
} from './results.ts';
import { LinKvGenerator } from './workload/generator.ts';
import { HistoryRecorder } from './workload/history-recorder.ts';
import { requestTimeoutMs } from './workload/operation.ts';
import { runClients } from './workload/runner.ts';
import { RealClock } from './workload/test-clock.ts';

export interface TestOptions {
  /** Absolute path of the node executable. */
  bin: string;
  binArgs: string[];
  nodeIds: string[];
  timeLimitS: number;
  rate: number;
  concurrency: number;
  latencyMs: number;
  latencyDist: LatencyDist;
  nemesis: ReadonlySet<NemesisFault>;
  nemesisIntervalS: number;
  /** Bench extension: the shapes the partition nemesis draws from (default Maelstrom's four). */
  partitionShapes?: readonly AnyPartitionShape[];
  logStderr: boolean;
  seed: number;
  availability: AvailabilityRequirement;
  /** Where store/ lives (Maelstrom: the current directory). */
  storeRoot: string;
}

/** The cluster as this runner uses it (Cluster satisfies it; tests may pass another). */
export type BenchCluster = Pick<
  Cluster,
  'nodeIds' | 'openClient' | 'partition' | 'heal' | 'kill' | 'restart' | 'netStats' | 'problems' | 'stderrTail' | 'stop'
>;

export interface RunDependencies {
  startCluster?: (options: ClusterOptions) => Promise<BenchCluster>;
  /** Final output (verdict block, paths). Default: stdout. */
  out?: (line: string) => void;
  progressSink?: ProgressSink;
  /** Aborting ends the run early (Ctrl-C); nodes are still stopped. */
  signal?: AbortSignal;
  /** Told about the cluster as soon as it runs, so a signal handler can stop it. */
  onCluster?: (cluster: BenchCluster | null) => void;
}

export type TestOutcome =
  | {
      kind: 'analyzed';
      valid: Validity;
      exitCode: number;
      dir: string;
      results: TestResults;
      resultsPath: string;
      reportFiles: string[];
      /** Wall-clock time of history time 0, to place node log lines on the history's clock. */
      testStartEpochMs: number;
    }
  | { kind: 'crashed'; exitCode: 255; dir: string; message: string }
  | { kind: 'interrupted'; exitCode: 130; dir: string };

export async function runTest(options: TestOptions, deps: RunDependencies = {}): Promise<TestOutcome> {
  const out = deps.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = createStoreDir(options.storeRoot);
  const logDir = join(dir, 'node-logs');
  mkdirSync(logDir, { recursive: true });
  const root = new Random(options.seed);
  const startCluster = deps.startCluster ?? ((o: ClusterOptions) => Cluster.start(o));
  const leaders = new LeaderWatch();

  const progressSink = deps.progressSink ?? { isTTY: process.stderr.isTTY === true, write: (t: string) => process.stderr.write(t) };
  progressSink.write(`lin-kv test: ${options.nodeIds.length} nodes (${options.nodeIds.join(' ')}), concurrency ${options.concurrency}, rate ${options.rate}/s, time limit ${options.timeLimitS} s, nemesis ${[...options.nemesis].join(',') || 'none'}, seed ${options.seed}\n`);
  progressSink.write(`launching ${[options.bin, ...options.binArgs].join(' ')}; store ${displayPath(options.storeRoot, dir)}\n`);

  let cluster: BenchCluster;
  try {
    cluster = await startCluster({
      bin: options.bin,
      args: options.binArgs,
      nodeIds: options.nodeIds,
      latency: { meanMs: options.latencyMs, dist: options.latencyDist },
      seed: options.seed,
      logDir,
      logStderr: options.logStderr,
      onStderrLine: (node, line) => leaders.observe(node, line),
    });
  } catch (err) {
    if (!(err instanceof ClusterError)) throw err;
    return { kind: 'crashed', exitCode: 255, dir, message: `cluster setup failed: ${err.message}` };
  }
  deps.onCluster?.(cluster);
  try {
    return await runOnCluster(options, cluster, root, dir, logDir, out, progressSink, deps.signal, leaders);
  } finally {
    await cluster.stop();
    deps.onCluster?.(null);
  }
}

async function runOnCluster(
  options: TestOptions,
  cluster: BenchCluster,
  root: Random,
  dir: string,
  logDir: string,
  out: (line: string) => void,
  progressSink: ProgressSink,
  signal: AbortSignal | undefined,
  leaders: LeaderWatch,
): Promise<TestOutcome> {
  const clock = new RealClock();
  const history = new HistoryRecorder(clock);
  const cutoffMs = options.timeLimitS * 1000;
  const progress = new Progress({ timeLimitS: options.timeLimitS, elapsedMs: () => clock.nowMs(), sink: progressSink });
  history.onRecord((op) => progress.observe(op));
  const problemWatch = watchProblems(cluster, (text) => progress.note(text));

  // Jepsen opens one (silent) client per node for the workload's setup before the run, so the
  // worker clients get the same ids as under Maelstrom (c(2n)...).
  const setupClients = options.nodeIds.map((node) => cluster.openClient(node));
  cluster.heal();
  const generator = new LinKvGenerator({ nodeIds: options.nodeIds, concurrency: options.concurrency, random: root.fork('workload') });
  const nemesis = new NemesisSchedule({
    faults: options.nemesis,
    nodes: options.nodeIds,
    intervalS: options.nemesisIntervalS,
    random: root.fork('nemesis'),
    ...(options.partitionShapes === undefined ? {} : { shapes: options.partitionShapes }),
    leaderHint: () => leaders.current(),
  });
  const killedByNemesis = new Set<string>();

  progress.start();
  try {
    await Promise.all([
      runClients({
        generator,
        clock,
        cutoffMs,
        rate: options.rate,
        random: root.fork('stagger'),
        timeoutMs: requestTimeoutMs(options.latencyMs),
        history,
        openClient: (node) => cluster.openClient(node),
        ...(signal ? { signal } : {}),
      }),
      nemesis.run(
        clock,
        cutoffMs,
        (action) => {
          if (action.f === 'kill') killedByNemesis.add(action.node);
          return performOn(cluster, action);
        },
        history,
        signal,
      ),
    ]);
  } finally {
    progress.stop();
    problemWatch.stop();
  }
  // lin-kv has no final phase: the network is healed only now, after the last op, unrecorded.
  cluster.heal();
  for (const c of setupClients) c.close();
  const ops = history.ops;
  const historyFiles = writeHistoryFiles(dir, ops);
  if (signal?.aborted) return { kind: 'interrupted', exitCode: 130, dir };

  const net = cluster.netStats();
  const crash = crashOf(cluster.problems(), killedByNemesis, cluster);
  await cluster.stop();
  for (const p of problemWatch.seen()) out(`WARN ${describeProblem(p)}`);
  if (crash !== null) {
    out(`history written to ${historyFiles.join(', ')}; no analysis (as Maelstrom, a crashed node ends the test)`);
    return { kind: 'crashed', exitCode: 255, dir, message: crash };
  }

  const linearizability = analyse(ops);
  const nodeLogs = readNodeLogs(logDir, options.nodeIds);
  let perf: { files: string[] } | { error: string };
  try {
    perf = writeReport(dir, { history: ops, testStartEpochMs: clock.originEpochMs, timeLimitS: options.timeLimitS, nodeLogs });
  } catch (err) {
    perf = { error: err instanceof Error ? err.message : String(err) };
  }
  const results = composeResults({ history: ops, linearizability, net, perf, availability: options.availability });
  const resultsPath = writeResultsFile(dir, results);
  for (const line of summaryLines(results)) out(line);
  out('');
  const shown = (path: string): string => displayPath(options.storeRoot, path);
  out(`results:   ${shown(resultsPath)}`);
  out(`history:   ${historyFiles.map(shown).join(', ')}`);
  if ('files' in perf) out(`plots:     ${perf.files.map(shown).join(', ')}`);
  out(`node logs: ${shown(logDir)}/`);
  return { kind: 'analyzed', valid: results['valid?'], exitCode: exitCodeFor(results['valid?']), dir, results, resultsPath, reportFiles: 'files' in perf ? perf.files : [], testStartEpochMs: clock.originEpochMs };
}

function analyse(ops: readonly HistoryOp[]): LinearizabilityResult | { error: string } {
  try {
    // Bounded so a pathological key ends as 'unknown' (reported as such), never as a hung bench.
    return checkLinKv(ops, { timeLimitMs: 60_000 });
  } catch (err) {
    // As in Jepsen, a checker that throws makes the workload :unknown instead of crashing the run.
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Maelstrom's teardown check: a node that exited on its own (not by our kill nemesis) crashed the test. */
function crashOf(problems: readonly ClusterProblem[], killedByNemesis: ReadonlySet<string>, cluster: BenchCluster): string | null {
  const crashes = problems.filter((p) => p.kind === 'exited' && !(killedByNemesis.has(p.node) && p.signal === 'SIGKILL'));
  if (crashes.length === 0) return null;
  return crashes
    .map((p) => {
      const tail = p.kind === 'exited' ? (p.stderrTail.length > 0 ? p.stderrTail : cluster.stderrTail(p.node)) : [];
      if (tail.length === 0) return describeProblem(p);
      const errors = errorLines(p.kind === 'exited' ? cluster.stderrTail(p.node, Number.MAX_SAFE_INTEGER) : tail);
      const errorPart = errors.length > 0 ? `\n  error lines of ${p.node}:\n${errors.map((l) => `    ${l}`).join('\n')}` : '';
      return `${describeProblem(p)}${errorPart}\n  last stderr lines of ${p.node}:\n${tail.map((l) => `    ${l}`).join('\n')}`;
    })
    .join('\n');
}

export function describeProblem(p: ClusterProblem): string {
  switch (p.kind) {
    case 'exited':
      return `node ${p.node} crashed: exited with ${p.signal ? `signal ${p.signal}` : `code ${String(p.code)}`} during the test`;
    case 'bad-stdout':
      return `node ${p.node} wrote a line to stdout that is not a JSON message; as Maelstrom does, its stdout is no longer read: ${JSON.stringify(p.line)}`;
    case 'invalid-message':
      return `node ${p.node} sent an invalid message (${p.reason}); as Maelstrom does, its stdout is no longer read: ${JSON.stringify(p.line)}`;
  }
}

/** Polls the cluster's problem list during the run, to announce each problem once as it appears. */
function watchProblems(cluster: BenchCluster, announce: (text: string) => void): { stop(): void; seen(): ClusterProblem[] } {
  const seen: ClusterProblem[] = [];
  const poll = (): void => {
    const problems = cluster.problems();
    for (const p of problems.slice(seen.length)) {
      seen.push(p);
      announce(`WARN ${describeProblem(p)}`);
    }
  };
  const timer = setInterval(poll, 500);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      poll();
    },
    seen: () => seen,
  };
}

function readNodeLogs(logDir: string, nodeIds: readonly string[]): Record<string, string> {
  const logs: Record<string, string> = {};
  for (const node of nodeIds) {
    const path = join(logDir, `${node}.log`);
    logs[node] = existsSync(path) ? readFileSync(path, 'utf8') : '';
  }
  return logs;
}

/** A path as the user would type it from where they started the bench (store/ lives there). */
function displayPath(storeRoot: string, path: string): string {
  const shown = relative(dirname(storeRoot), path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}

/** store/lin-kv/<basic ISO start time>/, plus store/latest, store/current and store/lin-kv/latest. */
function createStoreDir(storeRoot: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '');
  const testDir = resolve(storeRoot, 'lin-kv');
  let name = stamp;
  for (let i = 1; existsSync(join(testDir, name)); i++) name = `${stamp}-${i}`;
  const dir = join(testDir, name);
  mkdirSync(dir, { recursive: true });
  replaceSymlink(join(testDir, 'latest'), name);
  replaceSymlink(resolve(storeRoot, 'latest'), join('lin-kv', name));
  replaceSymlink(resolve(storeRoot, 'current'), join('lin-kv', name));
  return dir;
}

function replaceSymlink(path: string, target: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  symlinkSync(target, temporary);
  renameSync(temporary, path);
}
