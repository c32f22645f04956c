// Section "failover": isolate and kill, 3 and 5 nodes, default timeouts, latency 0.
import { cdfChart } from '../../maelstrom/report/svg.ts';
import { Random } from '../../maelstrom/random.ts';
import { BenchCluster, timingFor } from '../bench-cluster.ts';
import { runFailoverRounds, type FailureMode } from '../failover-rounds.ts';
import { describeConfig, FAILOVER_HEADER, failoverRow, summarizeFailover, type FailoverConfig, type FailoverResult } from '../failover-summary.ts';
import { fmt } from '../stats.ts';
import { markdownTable } from '../table.ts';
import type { RunContext, SectionResult } from './section.ts';

export async function failoverSection(ctx: RunContext): Promise<SectionResult> {
  const rounds = ctx.quick ? 5 : 50;
  const results: FailoverResult[] = [];
  for (const nodeCount of [3, 5]) {
    for (const mode of ['isolate', 'kill'] as const satisfies readonly FailureMode[]) {
      const config: FailoverConfig = { ...timingFor(150), nodeCount, mode, latency: { meanMs: 0, dist: 'constant' } };
      ctx.progress(`failover: ${describeConfig(config)}, ${rounds} rounds`);
      const seed = new Random(ctx.seed).fork(`failover-${nodeCount}-${mode}`).int(0, 2 ** 31);
      const bench = await BenchCluster.start({ ...config, seed });
      try {
        const run = await runFailoverRounds(bench, { rounds, mode, random: new Random(seed) });
        results.push(summarizeFailover(config, run));
      } finally {
        await bench.close();
      }
    }
  }
  const rows = results.map((r) => failoverRow(`${r.config.nodeCount}n ${r.config.mode}`, r));
  const abortNotes = results.flatMap((r) => (r.aborted === null ? [] : [`- ${r.config.nodeCount}n ${r.config.mode} stopped early: ${r.aborted}`]));
  const floorNotes = results.map((r) => `- ${r.config.nodeCount}n ${r.config.mode}: floor p50 ${fmt(r.floor.p50)} ms, mean ${fmt(r.floor.mean)} ms (${r.floor.method})`);
  const markdown = [
    `Timeouts 150-300 ms, heartbeat 50 ms, latency 0; ${rounds} rounds per row. Times in ms from the failure on the bench clock:`,
    `"leader" = first \`elected leader\` of a higher term on a survivor, "write" = first write_ok of a client retrying every 10 ms on a survivor.`,
    '',
    markdownTable(FAILOVER_HEADER, rows),
    ...abortNotes,
    '',
    'Floor (lower bound the timeouts allow):',
    ...floorNotes,
    '',
    `Issue target for the defaults (3 nodes): p50 <= 210 ms, p90 <= 300 ms.`,
  ].join('\n');
  const charts = [
    {
      file: 'failover-cdf.svg',
      svg: cdfChart({
        yLabel: 'fraction of failovers at or below',
        title: 'Time to a new leader after the leader fails',
        subtitle: `timeouts 150-300 ms, heartbeat 50 ms, latency 0, ${rounds} rounds each`,
        xLabel: 'ms from failure to `elected leader`',
        distributions: results.map((r) => ({ label: `${r.config.nodeCount} nodes, ${r.config.mode}`, values: r.samples.flatMap((s) => (s.leaderMs === null ? [] : [s.leaderMs])) })),
      }),
    },
  ];
  return { name: 'failover', title: 'Failover', markdown, data: results, charts };
}
