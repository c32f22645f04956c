// `npm run bench:failover -- [--rounds 20] [--nodes 3] [--mode isolate|kill] [--election-timeout 150]
//   [--heartbeat MS] [--latency MS] [--latency-dist constant|uniform|exponential] [--seed N]`
// Repeatedly takes the leader away and prints the distribution of the time to a new leader and to the
// first successful client write, with the floor the timeouts allow (see bench/floor.ts).
import { Random } from '../maelstrom/random.ts';
import { ArgsError, BenchArgs } from './args.ts';
import { BenchCluster, timingFor } from './bench-cluster.ts';
import { runFailoverRounds } from './failover-rounds.ts';
import { describeConfig, FAILOVER_HEADER, failoverRow, summarizeFailover, type FailoverConfig } from './failover-summary.ts';
import { fmt } from './stats.ts';
import { markdownTable } from './table.ts';

/** The issue's targets, for the default settings (3 nodes, T = 150 ms, latency 0). */
const TARGET_P50_MS = 210;
const TARGET_P90_MS = 300;

async function main(): Promise<void> {
  const args = new BenchArgs(process.argv.slice(2), ['rounds', 'nodes', 'mode', 'election-timeout', 'heartbeat', 'latency', 'latency-dist', 'seed']);
  const rounds = args.number('rounds', 20);
  const base = args.number('election-timeout', 150);
  const timing = timingFor(base, args.flag('heartbeat') ? args.number('heartbeat', 50) : undefined);
  const config: FailoverConfig = {
    ...timing,
    nodeCount: args.number('nodes', 3),
    mode: args.choice('mode', ['isolate', 'kill'] as const, 'isolate'),
    latency: { meanMs: args.number('latency', 0), dist: args.choice('latency-dist', ['constant', 'uniform', 'exponential'] as const, 'exponential') },
  };
  const seed = args.number('seed', Date.now());
  process.stdout.write(`failover: ${describeConfig(config)}, ${rounds} rounds, seed ${seed}\n`);

  const bench = await BenchCluster.start({ ...config, seed });
  let run;
  try {
    run = await runFailoverRounds(bench, {
      rounds,
      mode: config.mode,
      random: new Random(seed).fork('failover'),
      onRound: (s) =>
        process.stdout.write(
          `  round ${s.round}: ${s.oldLeader} (t${s.oldTerm}) -> ${s.newLeader ?? 'none'} (t${s.newTerm ?? '-'}): ` +
            `leader after ${fmt(s.leaderMs ?? Number.NaN)} ms, write after ${fmt(s.writeMs ?? Number.NaN)} ms` +
            `, ${s.preVotes} pre-vote campaign(s)${s.candidateTerms > 1 ? `, ${s.candidateTerms} candidate terms (split vote)` : ''}\n`,
        ),
    });
  } finally {
    await bench.close();
  }
  const problems = bench.cluster.problems();
  if (problems.length > 0) process.stdout.write(`cluster problems: ${JSON.stringify(problems)}\n`);

  if (run.aborted !== null) process.stdout.write(`stopped early: ${run.aborted}\n`);
  const result = summarizeFailover(config, run);
  process.stdout.write(`\n${markdownTable(FAILOVER_HEADER, [failoverRow(`${config.nodeCount}n ${config.mode}`, result)])}\n\n`);
  process.stdout.write(`times in ms from the failure (bench clock); leader = first "elected leader" of a higher term on a survivor; write = first write_ok of a client retrying every 10 ms on a survivor\n`);
  process.stdout.write(`floor: p50 ${fmt(result.floor.p50)} ms, mean ${fmt(result.floor.mean)} ms; ${result.floor.method}\n`);
  process.stdout.write(`ratio p50 / floor p50: ${fmt(result.ratioP50, 2)}\n`);
  const isDefault = config.nodeCount === 3 && base === 150 && config.latency.meanMs === 0;
  if (isDefault) {
    const ok50 = result.leader.p50 <= TARGET_P50_MS;
    const ok90 = result.leader.p90 <= TARGET_P90_MS;
    process.stdout.write(
      `target (issue, defaults): p50 <= ${TARGET_P50_MS} ms: ${ok50 ? 'met' : 'NOT met'} (${fmt(result.leader.p50)}); ` +
        `p90 <= ${TARGET_P90_MS} ms: ${ok90 ? 'met' : 'NOT met'} (${fmt(result.leader.p90)})\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ArgsError ? 'usage error: ' : ''}${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof ArgsError ? 2 : 1);
});
