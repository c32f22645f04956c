// Section "split votes": how often a failover needed more than one election round (survivors became
// candidate in more than one term before a leader won), by cluster size and timeout range.
import { Random } from '../../maelstrom/random.ts';
import { BenchCluster } from '../bench-cluster.ts';
import { runFailoverRounds } from '../failover-rounds.ts';
import { fmt, fmtPercent, mean } from '../stats.ts';
import { markdownTable } from '../table.ts';
import type { RunContext, SectionResult } from './section.ts';

interface SplitVoteRow {
  nodeCount: number;
  range: string;
  heartbeatMs: number;
  rounds: number;
  elected: number;
  splitShare: number;
  meanCandidateTerms: number;
  meanPreVotes: number;
}

const RANGES = [
  { min: 50, max: 100, heartbeat: 15 },
  { min: 150, max: 300, heartbeat: 50 },
  { min: 500, max: 1000, heartbeat: 50 },
];

export async function splitVoteSection(ctx: RunContext): Promise<SectionResult> {
  const rounds = ctx.quick ? 4 : 50;
  const ranges = ctx.quick ? RANGES.slice(0, 2) : RANGES;
  const rows: SplitVoteRow[] = [];
  const notes: string[] = [];
  for (const nodeCount of [3, 5, 7]) {
    for (const range of ranges) {
      ctx.progress(`split votes: ${nodeCount} nodes, ${range.min}-${range.max} ms, ${rounds} rounds`);
      const seed = new Random(ctx.seed).fork(`split-${nodeCount}-${range.min}`).int(0, 2 ** 31);
      const bench = await BenchCluster.start({
        nodeCount,
        electionTimeoutMinMs: range.min,
        electionTimeoutMaxMs: range.max,
        heartbeatMs: range.heartbeat,
        latency: { meanMs: 0, dist: 'constant' },
        seed,
      });
      try {
        const { samples, aborted } = await runFailoverRounds(bench, { rounds, mode: 'isolate', random: new Random(seed) });
        if (aborted !== null) notes.push(`- ${nodeCount} nodes, ${range.min}-${range.max} ms stopped early: ${aborted}`);
        const elected = samples.filter((s) => s.leaderMs !== null);
        rows.push({
          nodeCount,
          range: `${range.min}-${range.max}`,
          heartbeatMs: range.heartbeat,
          rounds: samples.length,
          elected: elected.length,
          splitShare: elected.length === 0 ? Number.NaN : elected.filter((s) => s.candidateTerms > 1).length / elected.length,
          meanCandidateTerms: mean(elected.map((s) => s.candidateTerms)),
          meanPreVotes: mean(elected.map((s) => s.preVotes)),
        });
      } finally {
        await bench.close();
      }
    }
  }
  const markdown = [
    `Leader isolated ${rounds} times per row, latency 0. "split" = share of failovers in which survivors became candidate in more than one term`,
    `before a leader won (with pre-vote on, a campaign that fails the pre-vote never becomes a candidate, so it is not counted as a round).`,
    '',
    markdownTable(
      ['nodes', 'timeouts ms', 'heartbeat ms', 'rounds', 'elected', 'split', 'candidate terms / failover', 'pre-votes / failover'],
      rows.map((r) => [String(r.nodeCount), r.range, String(r.heartbeatMs), String(r.rounds), String(r.elected), fmtPercent(r.splitShare), fmt(r.meanCandidateTerms, 2), fmt(r.meanPreVotes, 2)]),
    ),
    ...notes,
  ].join('\n');
  return { name: 'split-votes', title: 'Split votes', markdown, data: rows, charts: [] };
}
