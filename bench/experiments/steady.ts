// Section "steady state": elections per minute with a healthy leader (should be 0) at several latencies.
import { Random } from '../../maelstrom/random.ts';
import { BenchCluster, timingFor } from '../bench-cluster.ts';
import { measureSteadyState, type SteadyStateSample } from '../steady-state.ts';
import { fmt } from '../stats.ts';
import { markdownTable } from '../table.ts';
import type { RunContext, SectionResult } from './section.ts';

export async function steadySection(ctx: RunContext): Promise<SectionResult> {
  const windowMs = ctx.quick ? 4000 : 20_000;
  const repeats = ctx.quick ? 1 : 3;
  const rows: { latencyMs: number; samples: SteadyStateSample[] }[] = [];
  for (const latencyMs of [0, 5, 20]) {
    ctx.progress(`steady state: latency ${latencyMs} ms, ${repeats} x ${windowMs / 1000} s`);
    const seed = new Random(ctx.seed).fork(`steady-${latencyMs}`).int(0, 2 ** 31);
    const samples: SteadyStateSample[] = [];
    for (let i = 0; i < repeats; i++) {
      const bench = await BenchCluster.start({ ...timingFor(150), nodeCount: 3, latency: { meanMs: latencyMs, dist: 'exponential' }, seed: seed + i });
      try {
        samples.push(await measureSteadyState(bench, windowMs, new Random(seed + i)));
      } finally {
        await bench.close();
      }
    }
    rows.push({ latencyMs, samples });
  }
  const markdown = [
    `3 nodes, timeouts 150-300 ms, heartbeat 50 ms, exponential latency, 20 writes/s of background load; ${repeats} fresh cluster(s) x ${windowMs / 1000} s per row,`,
    'measured after the first leader settled. Expected: 0 elections.',
    '',
    markdownTable(
      ['latency ms', 'runs', 'elections/min per run', 'pre-votes/min per run', 'timeouts fired (total)', 'leader changes (total)'],
      rows.map((r) => [
        String(r.latencyMs),
        String(r.samples.length),
        r.samples.map((s) => fmt(s.electionsPerMinute, 1)).join(', '),
        r.samples.map((s) => fmt(s.preVotesPerMinute, 1)).join(', '),
        String(r.samples.reduce((a, s) => a + s.timeoutsFired, 0)),
        String(r.samples.reduce((a, s) => a + s.leaderChanges, 0)),
      ]),
    ),
    ...rows.flatMap((r) => r.samples.flatMap((s) => (s.error === null ? [] : [`- latency ${r.latencyMs} ms: ${s.error}`]))),
  ].join('\n');
  return { name: 'steady-state', title: 'Steady state', markdown, data: rows, charts: [] };
}
