// Section "timeout tuning": three election-timeout ranges at three latencies. For each: the failover
// time distribution, false elections per minute while the leader is healthy, and availability of
// writes over a window containing one leader failure. Ends with a recommendation drawn from them.
import { barChart, cdfChart } from '../../maelstrom/report/svg.ts';
import { Random } from '../../maelstrom/random.ts';
import { measureAvailability, type AvailabilitySample } from '../availability.ts';
import { BenchCluster } from '../bench-cluster.ts';
import { runFailoverRounds, type FailoverRun } from '../failover-rounds.ts';
import { summarizeFailover, type FailoverResult } from '../failover-summary.ts';
import { measureSteadyState, type SteadyStateSample } from '../steady-state.ts';
import { fmt, fmtPercent, mean } from '../stats.ts';
import { markdownTable } from '../table.ts';
import type { RunContext, SectionResult } from './section.ts';

interface Range {
  label: string;
  min: number;
  max: number;
  heartbeat: number;
}

const RANGES: readonly Range[] = [
  { label: '50-100', min: 50, max: 100, heartbeat: 15 },
  { label: '150-300', min: 150, max: 300, heartbeat: 50 },
  { label: '500-1000', min: 500, max: 1000, heartbeat: 50 },
];
const LATENCIES = [0, 10, 25] as const;

interface TuningCell {
  range: string;
  latencyMs: number;
  failover: FailoverResult;
  steady: SteadyStateSample;
  availability: AvailabilitySample[];
  meanAvailability: number;
}

export async function tuningSection(ctx: RunContext): Promise<SectionResult> {
  const plan = ctx.quick
    ? { rounds: 3, steadyMs: 5000, windows: 1, windowMs: 5000 }
    : { rounds: 30, steadyMs: 60_000, windows: 5, windowMs: 10_000 };
  const cells: TuningCell[] = [];
  for (const latencyMs of LATENCIES) {
    for (const range of RANGES) {
      ctx.progress(`tuning: ${range.label} ms (heartbeat ${range.heartbeat}), latency ${latencyMs} ms`);
      const seed = new Random(ctx.seed).fork(`tuning-${range.label}-${latencyMs}`).int(0, 2 ** 31);
      const random = new Random(seed);
      const latency = { meanMs: latencyMs, dist: 'exponential' as const };
      const bench = await BenchCluster.start({ nodeCount: 3, electionTimeoutMinMs: range.min, electionTimeoutMaxMs: range.max, heartbeatMs: range.heartbeat, latency, seed });
      try {
        const steady = await measureSteadyState(bench, plan.steadyMs, random.fork('steady'));
        // No settled leader at all (elections slower than the timeouts): nothing else can be measured.
        const run: FailoverRun =
          steady.error === null
            ? await runFailoverRounds(bench, { rounds: plan.rounds, mode: 'isolate', random: random.fork('failover') })
            : { samples: [], aborted: steady.error };
        const availability: AvailabilitySample[] = [];
        for (let w = 0; w < plan.windows && steady.error === null; w++) {
          availability.push(await measureAvailability(bench, { windowMs: plan.windowMs, failAtMs: 1000, writesPerSPerFollower: 50, random: random.fork(`availability-${w}`) }));
        }
        cells.push({
          range: range.label,
          latencyMs,
          failover: summarizeFailover({ nodeCount: 3, mode: 'isolate', electionTimeoutMinMs: range.min, electionTimeoutMaxMs: range.max, heartbeatMs: range.heartbeat, latency }, run),
          steady,
          availability,
          meanAvailability: mean(availability.map((a) => a.share)),
        });
      } finally {
        await bench.close();
      }
    }
  }

  const table = markdownTable(
    ['timeouts ms', 'latency ms', 'failover p50', 'p90', 'max', 'floor p50', 'write p50', 'false elections/min', 'false pre-votes/min', 'availability (per window)'],
    cells.map((c) => c.steady.error !== null ? [c.range, String(c.latencyMs), 'no leader settled', '', '', fmt(c.failover.floor.p50), '', '', '', ''] : [
      c.range,
      String(c.latencyMs),
      fmt(c.failover.leader.p50),
      fmt(c.failover.leader.p90),
      fmt(c.failover.leader.max),
      fmt(c.failover.floor.p50),
      fmt(c.failover.write.p50),
      fmt(c.steady.electionsPerMinute, 1),
      fmt(c.steady.preVotesPerMinute, 1),
      c.availability.map((a) => fmtPercent(a.share)).join(', '),
    ]),
  );
  const markdown = [
    `3 nodes, exponential latency; heartbeat 15 ms for 50-100, 50 ms otherwise. Per cell: ${plan.rounds} leader isolations (failover ms),`,
    `${plan.steadyMs / 1000} s with a healthy leader and 20 writes/s (false elections = \`became candidate\`; false pre-votes = campaigns pre-vote stopped),`,
    `and ${plan.windows} window(s) of ${plan.windowMs / 1000} s in which clients on both followers offer 50 writes/s each (open loop, timeout 1 s, never short of clients) and the leader`,
    `is isolated 1 s in: availability = successful writes / offered writes.`,
    '',
    table,
    ...cells.flatMap((c) => (c.steady.error === null ? [] : [`- ${c.range} ms at latency ${c.latencyMs} ms: ${c.steady.error}`])),
    ...cells.flatMap((c) => (c.failover.aborted === null || c.steady.error !== null ? [] : [`- ${c.range} ms at latency ${c.latencyMs} ms, failover stopped early: ${c.failover.aborted}`])),
    '',
    recommendation(cells),
  ].join('\n');

  const charts = LATENCIES.map((latencyMs) => ({
    file: `tuning-failover-cdf-latency-${latencyMs}.svg`,
    svg: cdfChart({
      yLabel: 'fraction of failovers at or below',
      title: `Failover time by election-timeout range (latency ${latencyMs} ms)`,
      subtitle: `3 nodes, leader isolated, ${plan.rounds} rounds per range`,
      xLabel: 'ms from failure to `elected leader`',
      distributions: cells
        .filter((c) => c.latencyMs === latencyMs)
        .map((c) => ({ label: `${c.range} ms`, values: c.failover.samples.flatMap((s) => (s.leaderMs === null ? [] : [s.leaderMs])) })),
    }),
  }));
  charts.push({
    file: 'tuning-availability.svg',
    svg: barChart({
      title: 'Write availability over a window with one leader failure',
      subtitle: `${plan.windowMs / 1000} s windows, leader isolated after 1 s; mean of ${plan.windows} window(s)`,
      yLabel: 'successful / offered writes (%)',
      xLabel: 'election timeout range (ms)',
      categories: RANGES.map((r) => r.label),
      groups: LATENCIES.map((latencyMs) => ({
        label: `latency ${latencyMs} ms`,
        values: RANGES.map((r) => 100 * (cells.find((c) => c.range === r.label && c.latencyMs === latencyMs)?.meanAvailability ?? Number.NaN)),
      })),
    }),
  });
  return { name: 'tuning', title: 'Election timeout tuning', markdown, data: cells, charts };
}

/** The range to recommend: never electing falsely at any latency, then the best availability. */
function recommendation(cells: readonly TuningCell[]): string {
  const perRange = RANGES.map((r) => {
    const mine = cells.filter((c) => c.range === r.label);
    return {
      range: r.label,
      // A cell where no leader ever settled is the worst case of all.
      worstFalse: Math.max(...mine.map((c) => (c.steady.error !== null ? Number.POSITIVE_INFINITY : c.steady.electionsPerMinute))),
      worstFalsePreVotes: Math.max(...mine.map((c) => c.steady.preVotesPerMinute)),
      availability: mean(mine.map((c) => c.meanAvailability)),
      p50s: mine.map((c) => `${fmt(c.failover.leader.p50)} ms at ${c.latencyMs} ms`).join(', '),
    };
  });
  const safe = perRange.filter((r) => r.worstFalse === 0);
  const pool = safe.length > 0 ? safe : perRange;
  const best = pool.reduce((a, b) => (b.availability > a.availability ? b : a));
  const lines = perRange.map(
    (r) => `${r.range} ms: worst false elections ${r.worstFalse === Number.POSITIVE_INFINITY ? 'unbounded (no leader settled at some latency)' : `${fmt(r.worstFalse, 1)}/min`} (pre-votes ${fmt(r.worstFalsePreVotes, 1)}/min), mean availability ${fmtPercent(r.availability)}, failover p50 ${r.p50s}`,
  );
  return [
    '**Recommendation.** ' +
      `Among the ranges that never elected a leader while the old one was healthy${safe.length === 0 ? ' (none did; falling back to all ranges)' : ''}, ` +
      `${best.range} ms gave the best write availability across one failure. ` +
      'Shorter timeouts shorten the outage, but the timeout must stay several heartbeats and several network round trips above ' +
      'the worst delay a heartbeat meets (latency tail, a busy machine pausing a process); once it does not, followers campaign ' +
      'against a healthy leader. Pre-vote and leader stickiness keep most such campaigns from costing a term, but each one is a ' +
      'warning that the margin is gone. Longer timeouts are safe but make every failover cost roughly the timeout itself. ' +
      'These numbers come from one (shared, busy) machine; re-run `npm run bench` where the system will run before changing the default.',
    '',
    ...lines.map((l) => `- ${l}`),
  ].join('\n');
}
