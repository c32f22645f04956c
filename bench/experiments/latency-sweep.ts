// Section "latency sweep" (issue 10): the node with its default, adaptive timing across network
// latencies and latency distributions, with and without partitions. Per cell: the lin-kv verdict and
// ok-fraction; per latency and distribution: failover after isolating the leader and false elections
// with a healthy leader. The sweep's size is a parameter (bench/run.ts --sweep-* flags): the full one
// takes hours on a 2-core machine, so the table says exactly which cells ran.
import type { LatencyDist } from '../../maelstrom/cluster.ts';
import { lineChart, SERIES_COLOURS, type LineSeries } from '../../maelstrom/report/svg.ts';
import { Random } from '../../maelstrom/random.ts';
import { BenchCluster } from '../bench-cluster.ts';
import { runFailoverRounds } from '../failover-rounds.ts';
import { runLinKv, type LinKvRunResult } from '../lin-kv-run.ts';
import { measureSteadyState, type SteadyStateSample } from '../steady-state.ts';
import { fmt, percentile } from '../stats.ts';
import { markdownTable } from '../table.ts';
import type { RunContext, SectionResult } from './section.ts';

export interface SweepPlan {
  latencies: number[];
  dists: LatencyDist[];
  nemeses: ('none' | 'partition')[];
  /** Seconds per lin-kv run. */
  seconds: number;
  seeds: number;
  /** Seeds for the issue's target cells (constant 50, 100, 200 ms, no nemesis). */
  targetSeeds: number;
  failoverRounds: number;
  steadySeconds: number;
}

export const FULL_SWEEP: SweepPlan = {
  latencies: [0, 10, 25, 50, 100, 200, 500],
  dists: ['constant', 'uniform', 'exponential'],
  nemeses: ['none', 'partition'],
  seconds: 30,
  seeds: 3,
  targetSeeds: 5,
  failoverRounds: 20,
  steadySeconds: 60,
};

const TARGET_LATENCIES = new Set([50, 100, 200]);

interface RunCell {
  latencyMs: number;
  dist: LatencyDist;
  nemesis: 'none' | 'partition';
  runs: LinKvRunResult[];
}

interface TimingCell {
  latencyMs: number;
  dist: LatencyDist;
  failoverMs: number[];
  failoverMissing: number;
  steady: SteadyStateSample | null;
  problem: string | null;
}

/** Failover target of the issue: p50 <= 200 ms + 12 x L. */
const failoverTarget = (latencyMs: number): number => 200 + 12 * latencyMs;

export async function latencySweepSection(ctx: RunContext, plan: SweepPlan): Promise<SectionResult> {
  const runCells: RunCell[] = [];
  const timingCells: TimingCell[] = [];
  for (const latencyMs of plan.latencies) {
    // With no latency the distributions are all the same (and a zero-mean uniform is undefined in Maelstrom).
    const dists = latencyMs === 0 ? plan.dists.slice(0, 1) : plan.dists;
    for (const dist of dists) {
      const random = new Random(new Random(ctx.seed).fork(`sweep-${latencyMs}-${dist}`).int(0, 2 ** 31));
      for (const nemesis of plan.nemeses) {
        const seeds = dist === 'constant' && nemesis === 'none' && TARGET_LATENCIES.has(latencyMs) ? Math.max(plan.seeds, plan.targetSeeds) : plan.seeds;
        const cell: RunCell = { latencyMs, dist, nemesis, runs: [] };
        for (let s = 0; s < seeds; s++) {
          ctx.progress(`latency sweep: lin-kv ${latencyMs} ms ${dist}, nemesis ${nemesis}, run ${s + 1}/${seeds}`);
          cell.runs.push(await runLinKv({ latencyMs, dist, partitions: nemesis === 'partition', seconds: plan.seconds, seed: random.int(0, 2 ** 31) }));
        }
        runCells.push(cell);
      }
      if (plan.failoverRounds > 0 || plan.steadySeconds > 0) {
        ctx.progress(`latency sweep: failover and steady state at ${latencyMs} ms ${dist}`);
        timingCells.push(await measureTiming(latencyMs, dist, plan, random));
      }
    }
  }
  return { name: 'latency-sweep', title: 'Latency sweep (adaptive timing)', markdown: report(plan, runCells, timingCells), data: { plan, runCells, timingCells }, charts: charts(plan, runCells, timingCells) };
}

async function measureTiming(latencyMs: number, dist: LatencyDist, plan: SweepPlan, random: Random): Promise<TimingCell> {
  const cell: TimingCell = { latencyMs, dist, failoverMs: [], failoverMissing: 0, steady: null, problem: null };
  // The node's defaults: the configured values are floors, the rest is derived from round trips.
  const bench = await BenchCluster.start({ nodeCount: 3, electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50, latency: { meanMs: latencyMs, dist }, seed: random.int(0, 2 ** 31) });
  try {
    if (plan.steadySeconds > 0) {
      cell.steady = await measureSteadyState(bench, plan.steadySeconds * 1000, random.fork('steady'));
      if (cell.steady.error !== null) cell.problem = cell.steady.error;
    }
    if (plan.failoverRounds > 0 && cell.problem === null) {
      const run = await runFailoverRounds(bench, {
        rounds: plan.failoverRounds,
        mode: 'isolate',
        random: random.fork('failover'),
        roundTimeoutMs: 5000 + 40 * latencyMs,
        settleTimeoutMs: 30_000 + 40 * latencyMs,
      });
      cell.failoverMs = run.samples.flatMap((s) => (s.leaderMs === null ? [] : [s.leaderMs]));
      cell.failoverMissing = run.samples.length - cell.failoverMs.length;
      if (run.aborted !== null) cell.problem = run.aborted;
    }
  } finally {
    await bench.close();
  }
  return cell;
}

function verdictText(runs: readonly LinKvRunResult[]): string {
  const valid = runs.filter((r) => r.valid === true).length;
  return valid === runs.length ? `valid (${runs.length}/${runs.length})` : `**${runs.length - valid} of ${runs.length} NOT valid**`;
}

function report(plan: SweepPlan, runCells: readonly RunCell[], timingCells: readonly TimingCell[]): string {
  const rows = runCells.map((c) => {
    const t = timingCells.find((x) => x.latencyMs === c.latencyMs && x.dist === c.dist);
    const fo = t === undefined || t.failoverMs.length === 0 ? null : t.failoverMs;
    const showTiming = c.nemesis === plan.nemeses[0];
    return [
      String(c.latencyMs),
      c.dist,
      c.nemesis,
      verdictText(c.runs),
      c.runs.map((r) => fmt(r.okFraction, 3)).join(', '),
      showTiming && fo !== null ? `${fmt(percentile(fo, 50))} / ${fmt(percentile(fo, 90))} (${fo.length}${t !== undefined && t.failoverMissing > 0 ? `, ${t.failoverMissing} missing` : ''})` : showTiming ? 'not measured' : '',
      showTiming && fo !== null ? (percentile(fo, 50) <= failoverTarget(c.latencyMs) ? `met (${failoverTarget(c.latencyMs)})` : `**not met** (${failoverTarget(c.latencyMs)})`) : '',
      showTiming && t?.steady !== null && t?.steady !== undefined && t.steady.error === null ? `${fmt(t.steady.electionsPerMinute, 2)} (pre-votes ${fmt(t.steady.preVotesPerMinute, 1)}/min)` : showTiming ? 'not measured' : '',
    ];
  });
  const problems = timingCells.filter((t) => t.problem !== null).map((t) => `- ${t.latencyMs} ms ${t.dist}: ${t.problem}`);
  return [
    `Default flags (timeouts 150-300 ms and heartbeat 50 ms as floors, adapted to measured round trips). lin-kv runs: 3 nodes,`,
    `\`--concurrency 4n --rate 30 --time-limit ${plan.seconds}\`, \`--nemesis partition --nemesis-interval 10\` where the nemesis column says so;`,
    `${plan.seeds} seed(s) per cell, ${Math.max(plan.seeds, plan.targetSeeds)} at constant 50/100/200 ms without nemesis.`,
    `Failover: ${plan.failoverRounds} leader isolations per latency and distribution (ms from isolation to \`elected leader\` of a higher term; target p50 <= 200 + 12 x L).`,
    `False elections: \`became candidate\` lines per minute during ${plan.steadySeconds} s with a healthy leader and 20 writes/s.`,
    `Only the cells listed below were run: latencies ${plan.latencies.join(', ')} ms; distributions ${plan.dists.join(', ')}; nemesis ${plan.nemeses.join(', ')}.`,
    '',
    markdownTable(['latency ms', 'dist', 'nemesis', 'verdict', 'ok-fraction (per run)', 'failover p50 / p90 ms (rounds)', 'failover target', 'false elections/min'], rows),
    ...(problems.length > 0 ? ['', 'Problems:', ...problems] : []),
  ].join('\n');
}

function charts(plan: SweepPlan, runCells: readonly RunCell[], timingCells: readonly TimingCell[]): SectionResult['charts'] {
  const series: LineSeries[] = [];
  let colour = 0;
  for (const dist of plan.dists) {
    for (const nemesis of plan.nemeses) {
      const points = runCells
        .filter((c) => (c.dist === dist || c.latencyMs === 0) && c.nemesis === nemesis)
        .map((c) => ({ x: c.latencyMs, y: c.runs.reduce((a, r) => a + r.okFraction, 0) / c.runs.length }));
      if (points.length > 0) series.push({ label: `${dist}, nemesis ${nemesis}`, colour: SERIES_COLOURS[colour++ % SERIES_COLOURS.length] ?? '#000', points, dash: nemesis === 'none' ? 'solid' : 'dashed' });
    }
  }
  const okChart = lineChart(
    { title: 'lin-kv ok-fraction by network latency', subtitle: `mean over seeds; ${plan.seconds} s runs; target >= 0.5 at 50-200 ms constant without nemesis`, x: { label: 'mean one-way latency (ms)', min: 0 }, y: { label: 'ok-fraction', min: 0, max: 1 } },
    series,
  );
  const failSeries: LineSeries[] = plan.dists.map((dist, i) => ({
    label: `failover p50, ${dist}`,
    colour: SERIES_COLOURS[i % SERIES_COLOURS.length] ?? '#000',
    points: timingCells.filter((t) => (t.dist === dist || t.latencyMs === 0) && t.failoverMs.length > 0).map((t) => ({ x: t.latencyMs, y: percentile(t.failoverMs, 50) })),
  }));
  failSeries.push({ label: 'target 200 + 12 x L', colour: '#888888', dash: 'dotted', points: plan.latencies.map((l) => ({ x: l, y: failoverTarget(l) })) });
  const failChart = lineChart(
    { title: 'Failover p50 by network latency (leader isolated)', subtitle: `${plan.failoverRounds} rounds per point`, x: { label: 'mean one-way latency (ms)', min: 0 }, y: { label: 'ms to a new leader', min: 0 } },
    failSeries,
  );
  return [
    { file: 'latency-sweep-ok-fraction.svg', svg: okChart },
    { file: 'latency-sweep-failover.svg', svg: failChart },
  ];
}
