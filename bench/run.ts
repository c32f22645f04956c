// `npm run bench -- [--quick] [--only failover,split-votes,steady-state,throughput,memory,catch-up,tuning,latency-sweep,tls,hostile-input,replace-member,fault-campaign,vs-etcd] [--seed N]
//   [--memory-ops N] [--catch-up-ops N]`
// The latency sweep's size: --sweep-latencies 0,50,... --sweep-dists constant,... --sweep-nemeses none,partition
// --sweep-seconds S --sweep-seeds N --sweep-target-seeds N --sweep-rounds N --sweep-steady S (defaults: the full sweep).
// hostile-input: --attacks NAME,... (a subset), --attack-cpu-prof DIR (profile the nodes).
// vs-etcd's size: --vs-seconds, --vs-concurrency, --vs-ops, --vs-targets, --vs-failover-rounds, --vs-handoff-rounds, --vs-parts; --tls for both systems with TLS (bench/vs-etcd/plan.ts).
// Runs the benchmarks and writes bench/results/: <section>.json (raw data), <section>.md (its table,
// with the command and machine it came from), charts as SVG, and SUMMARY.md (all sections present).
// --quick runs a few repetitions of everything (minutes); the default is the full study.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ArgsError, BenchArgs } from './args.ts';
import { repoRoot } from './bench-cluster.ts';
import { failoverSection } from './experiments/failover.ts';
import { catchUpSection } from './experiments/catch-up.ts';
import { FULL_SWEEP, latencySweepSection, type SweepPlan } from './experiments/latency-sweep.ts';
import { memorySection } from './experiments/memory.ts';
import type { RunContext, SectionResult } from './experiments/section.ts';
import { splitVoteSection } from './experiments/split-votes.ts';
import { steadySection } from './experiments/steady.ts';
import { throughputSection } from './experiments/throughput.ts';
import { tuningSection } from './experiments/tuning.ts';
import { ATTACK_NAMES, HOSTILE_FLAGS, hostileInputSection, type HostilePlan } from './hostile-input.ts';
import { replaceMemberSection } from './replace-member.ts';
import { tlsSection } from './tls.ts';
import { CAMPAIGN_FLAGS, campaignSettings, faultCampaignSection, type CampaignSettings } from './fault-campaign/section.ts';
import { FULL_VS_ETCD, VS_ETCD_FLAGS, vsEtcdPlan, type VsEtcdPlan } from './vs-etcd/plan.ts';
import { vsEtcdSection } from './vs-etcd/section.ts';

const SWEEP_FLAGS = ['sweep-latencies', 'sweep-dists', 'sweep-nemeses', 'sweep-seconds', 'sweep-seeds', 'sweep-target-seeds', 'sweep-rounds', 'sweep-steady'];

/** The sweep's size from the --sweep-* flags; --quick shrinks the full sweep to a smoke run. */
function sweepPlan(args: BenchArgs, quick: boolean): SweepPlan {
  const base: SweepPlan = quick ? { ...FULL_SWEEP, latencies: [0, 50], dists: ['constant'], seconds: 8, seeds: 1, targetSeeds: 1, failoverRounds: 2, steadySeconds: 5 } : FULL_SWEEP;
  const dists = args.list('sweep-dists') ?? base.dists;
  const nemeses = args.list('sweep-nemeses') ?? base.nemeses;
  for (const d of dists) if (!['constant', 'uniform', 'exponential'].includes(d)) throw new ArgsError(`--sweep-dists: unknown distribution ${d}`);
  for (const n of nemeses) if (!['none', 'partition'].includes(n)) throw new ArgsError(`--sweep-nemeses: none or partition, got ${n}`);
  return {
    latencies: args.list('sweep-latencies')?.map(Number) ?? base.latencies,
    dists: dists as SweepPlan['dists'],
    nemeses: nemeses as SweepPlan['nemeses'],
    seconds: args.number('sweep-seconds', base.seconds),
    seeds: args.number('sweep-seeds', base.seeds),
    targetSeeds: args.number('sweep-target-seeds', base.targetSeeds),
    failoverRounds: args.number('sweep-rounds', base.failoverRounds),
    steadySeconds: args.number('sweep-steady', base.steadySeconds),
  };
}

let plannedSweep: SweepPlan = FULL_SWEEP;
let plannedCampaign: CampaignSettings | null = null;
let plannedVsEtcd: VsEtcdPlan = FULL_VS_ETCD;
let plannedHostile: HostilePlan = { attacks: null, cpuProfDir: null };

const SECTIONS: readonly { name: string; run: (ctx: RunContext) => Promise<SectionResult> }[] = [
  { name: 'failover', run: failoverSection },
  { name: 'split-votes', run: splitVoteSection },
  { name: 'steady-state', run: steadySection },
  { name: 'throughput', run: throughputSection },
  { name: 'memory', run: memorySection },
  { name: 'catch-up', run: catchUpSection },
  { name: 'tuning', run: tuningSection },
  // Not part of a plain `npm run bench`: it runs only when named (--only latency-sweep), it is long.
  { name: 'latency-sweep', run: (ctx) => latencySweepSection(ctx, plannedSweep) },
  // Transport security (docs/security.md): also only when named.
  { name: 'tls', run: tlsSection },
  { name: 'hostile-input', run: (ctx) => hostileInputSection(ctx, plannedHostile) },
  // Membership changes (docs/changing-the-cluster.md), with etcd beside it when installed: only when named.
  { name: 'replace-member', run: replaceMemberSection },
  // Real processes in network namespaces, ours and etcd (docs/fault-campaign.md): only when named.
  { name: 'fault-campaign', run: (ctx) => faultCampaignSection(ctx, plannedCampaign as CampaignSettings) },
  // Side by side with etcd (needs etcd on the PATH): only when named.
  { name: 'vs-etcd', run: (ctx) => vsEtcdSection(ctx, plannedVsEtcd) },
];
const ON_REQUEST_ONLY = new Set(['latency-sweep', 'tls', 'hostile-input', 'replace-member', 'fault-campaign', 'vs-etcd']);

function machine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), load average ${one?.toFixed(2)} / ${five?.toFixed(2)} (1 / 5 min), node ${process.version}`;
}

/** SUMMARY.md: every section file present, in the fixed order, so partial re-runs (--only) update their part. */
function writeSummary(dir: string): void {
  const parts = ['# Benchmark results', '', 'Generated by `bench/run.ts`; each section says which command produced it, when, and on what machine.', ''];
  for (const s of SECTIONS) {
    const file = join(dir, `${s.name}.md`);
    if (existsSync(file)) parts.push(readFileSync(file, 'utf8').trimEnd(), '');
  }
  writeFileSync(join(dir, 'SUMMARY.md'), `${parts.join('\n')}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = new BenchArgs(argv, ['quick', 'only', 'seed', 'memory-ops', 'catch-up-ops', ...SWEEP_FLAGS, ...CAMPAIGN_FLAGS, ...VS_ETCD_FLAGS, ...HOSTILE_FLAGS]);
  const quick = args.flag('quick');
  plannedSweep = sweepPlan(args, quick);
  plannedCampaign = campaignSettings(args, quick);
  plannedVsEtcd = vsEtcdPlan(args, quick);
  const attacks = args.list('attacks');
  const unknownAttacks = attacks?.filter((a) => !ATTACK_NAMES.includes(a)) ?? [];
  if (unknownAttacks.length > 0) throw new ArgsError(`unknown attack(s) ${unknownAttacks.join(', ')}; attacks: ${ATTACK_NAMES.join(', ')}`);
  plannedHostile = { attacks, cpuProfDir: args.flag('attack-cpu-prof') ? args.string('attack-cpu-prof', '') : null };
  if (plannedSweep.latencies.some((l) => !Number.isFinite(l) || l < 0)) throw new ArgsError('--sweep-latencies: non-negative numbers, comma-separated');
  const only = args.list('only');
  const unknown = only?.filter((n) => !SECTIONS.some((s) => s.name === n)) ?? [];
  if (unknown.length > 0) throw new ArgsError(`unknown section(s) ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
  const seed = args.number('seed', Date.now() % 2 ** 31);
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const command = `npm run bench --${argv.length > 0 ? ` ${argv.join(' ')}` : ''}${args.flag('seed') ? '' : ` (seed ${seed})`}`;
  const ctx: RunContext = {
    quick,
    seed,
    ...(args.flag('memory-ops') ? { memoryOps: args.number('memory-ops', 1_000_000) } : {}),
    ...(args.flag('catch-up-ops') ? { catchUpOps: args.number('catch-up-ops', 200_000) } : {}),
    progress: (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`) };

  const started = Date.now();
  const failures: string[] = [];
  for (const section of SECTIONS) {
    if (only !== null ? !only.includes(section.name) : ON_REQUEST_ONLY.has(section.name)) continue;
    const machineBefore = machine();
    const t0 = Date.now();
    let result: SectionResult;
    try {
      result = await section.run(ctx);
    } catch (err) {
      // One broken experiment should not cost the others: record it and go on.
      failures.push(section.name);
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      ctx.progress(`${section.name} FAILED: ${text}`);
      result = { name: section.name, title: `${section.name} (FAILED)`, markdown: `The experiment failed:\n\n\`\`\`\n${text}\n\`\`\``, data: { error: text }, charts: [] };
    }
    const elapsedS = (Date.now() - t0) / 1000;
    if (result.skipped === true) continue;
    writeFileSync(join(dir, `${result.name}.json`), `${JSON.stringify({ command, quick, seed, elapsedS, data: result.data }, null, 1)}\n`);
    for (const chart of result.charts) writeFileSync(join(dir, chart.file), chart.svg);
    const chartList = result.charts.length > 0 ? `\n\nCharts: ${result.charts.map((c) => `[${c.file}](${c.file})`).join(', ')}` : '';
    const md = [
      `## ${result.title}`,
      '',
      `Command: \`${command}\`${quick ? ' (QUICK mode: few repetitions, for checking the code, not for conclusions)' : ''}; ` +
        `${new Date(t0).toISOString()}, took ${elapsedS.toFixed(0)} s; machine: ${machineBefore}.`,
      '',
      result.markdown + chartList,
      '',
    ].join('\n');
    writeFileSync(join(dir, `${result.name}.md`), md);
    process.stdout.write(`${md}\n`);
    writeSummary(dir);
  }
  process.stderr.write(`bench finished in ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${dir}\n`);
  if (failures.length > 0) {
    process.stderr.write(`failed sections: ${failures.join(', ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  // A usage error is the user's typo: say what is wrong, not where in the bench it was noticed.
  if (err instanceof ArgsError) process.stderr.write(`usage error: ${err.message}\n`);
  else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(err instanceof ArgsError ? 2 : 1);
});
