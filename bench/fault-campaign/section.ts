// `npm run bench -- --only fault-campaign [--campaign-seconds 60] [--campaign-nodes 3]
//   [--campaign-faults one,kill,...] [--campaign-systems ours,etcd]`: the fault campaign as a bench
// section, results/fault-campaign.md and .json. etcd runs only where it is installed; otherwise the
// section says how to install it and reports ours alone. Needs root (network namespaces).
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgsError, type BenchArgs } from '../args.ts';
import { repoRoot } from '../bench-cluster.ts';
import type { RunContext, SectionResult } from '../experiments/section.ts';
import { markdownTable } from '../table.ts';
import { netnsUnavailableReason } from '../../test/standalone/support/netns.ts';
import { runCampaign, type RunResult } from './campaign.ts';
import { FAULTS, type Fault } from './faults.ts';
import { SYSTEM_NAMES, systemUnavailableReason, type SystemName } from './systems.ts';

export const CAMPAIGN_FLAGS = ['campaign-seconds', 'campaign-nodes', 'campaign-faults', 'campaign-systems'];

export interface CampaignSettings {
  seconds: number;
  nodes: number;
  faults: Fault[];
  systems: SystemName[];
}

export function campaignSettings(args: BenchArgs, quick: boolean): CampaignSettings {
  const faults = args.list('campaign-faults') ?? [...FAULTS];
  const systems = args.list('campaign-systems') ?? [...SYSTEM_NAMES];
  for (const f of faults) if (!(FAULTS as readonly string[]).includes(f)) throw new ArgsError(`--campaign-faults: unknown fault ${f} (known: ${FAULTS.join(', ')})`);
  for (const s of systems) if (!(SYSTEM_NAMES as readonly string[]).includes(s)) throw new ArgsError(`--campaign-systems: ours or etcd, got ${s}`);
  const nodes = args.number('campaign-nodes', 3);
  if (nodes !== 3 && nodes !== 5) throw new ArgsError('--campaign-nodes: 3 or 5');
  return { seconds: args.number('campaign-seconds', quick ? 20 : 60), nodes, faults: faults as Fault[], systems: systems as SystemName[] };
}

export async function faultCampaignSection(ctx: RunContext, settings: CampaignSettings): Promise<SectionResult> {
  const title = 'Fault campaign: real processes in network namespaces, ours and etcd, one checker';
  const noNetns = netnsUnavailableReason();
  if (noNetns !== null) return { name: 'fault-campaign', title, markdown: `Skipped: ${noNetns}.`, data: { skipped: noNetns }, charts: [] };
  const nodeBin = join(repoRoot(), 'dist', 'node.js');
  const notes: string[] = [];
  const systems = settings.systems.filter((s) => {
    const reason = systemUnavailableReason(s, nodeBin);
    if (reason !== null) notes.push(`${s} not run: ${reason}.`);
    return reason === null;
  });
  // Histories are large (thousands of operations per run): kept outside the repository, for reading.
  const historyDir = join(tmpdir(), `fault-campaign-histories-${ctx.seed}`);
  mkdirSync(historyDir, { recursive: true });
  const results = await runCampaign({ systems, faults: settings.faults, size: settings.nodes, runMs: settings.seconds * 1000, seed: ctx.seed, nodeBin }, ctx.progress, (r, history) => {
    writeFileSync(join(historyDir, `${r.system}-${r.fault}.json`), `${JSON.stringify({ windows: r.windows, history })}\n`);
  });
  ctx.progress(`fault-campaign: histories in ${historyDir}`);
  return { name: 'fault-campaign', title, markdown: campaignMarkdown(results, settings, notes), data: { settings, results }, charts: [] };
}

const pct = (x: number | null): string => (x === null ? '-' : x.toFixed(3));

/** The goal for ours: during >= 0.8 x healthy, and >= etcd's during (when etcd ran). */
export function goalMet(ours: RunResult, etcd: RunResult | undefined): boolean | null {
  if (ours.duringFaults.fraction === null || ours.healthy.fraction === null) return null;
  const againstHealthy = ours.duringFaults.fraction >= 0.8 * ours.healthy.fraction;
  const againstEtcd = etcd?.duringFaults.fraction == null || ours.duringFaults.fraction >= etcd.duringFaults.fraction;
  return againstHealthy && againstEtcd;
}

export function campaignMarkdown(results: readonly RunResult[], settings: CampaignSettings, notes: readonly string[]): string {
  const rows = results.map((r) => {
    const etcd = results.find((o) => o.system === 'etcd' && o.fault === r.fault);
    const goal = r.system === 'ours' ? goalMet(r, etcd) : null;
    return [
      r.fault,
      r.system,
      r.error !== null ? `error: ${r.error}` : String(r.linearizable),
      pct(r.healthy.fraction),
      pct(r.duringFaults.fraction),
      r.ratio === null ? '-' : r.ratio.toFixed(2),
      (r.longestWriteGapMs / 1000).toFixed(1),
      String(r.ops),
      String(r.windows.length),
      goal === null ? '' : goal ? 'yes' : 'NO',
    ];
  });
  return [
    `${settings.nodes} members per system, ${settings.seconds} s per run, one fault kind per run (mixed: a random kind each time), ` +
      'clients reading, writing and cas-ing small values on rotating keys against every member over HTTP keep-alive, 1.5 s client timeout. ' +
      'ok-fractions count operations by the state when they were invoked (during = inside a fault window); a definite failure (cas mismatch, missing key) counts as answered, not ok, in both columns alike. ' +
      'In every fault here a majority stays strongly connected (for majorities-ring with 3 nodes, through one-way links only), so the goal column applies to each: ours during >= 0.8 x healthy and >= etcd during. ' +
      'The machine has 2 cores shared with other work: figures are noisy.',
    ...notes.map((n) => `\n${n}`),
    '',
    markdownTable(['fault', 'system', 'linearizable', 'ok healthy', 'ok during', 'during/healthy', 'longest write gap (s)', 'ops', 'faults', 'goal'], rows),
    '',
    'How to read it and rerun it: docs/fault-campaign.md.',
  ].join('\n');
}
