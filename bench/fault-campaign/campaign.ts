// One campaign: for each system and each fault, a fresh cluster in the lab's namespaces, the
// clients for `runMs` while the nemesis runs that fault, then the verdict. Used by the bench
// section (bench/fault-campaign/section.ts) and the short version in `make test`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryOp } from '../../maelstrom/history.ts';
import { Random } from '../../maelstrom/random.ts';
import { NamespaceLab } from '../../test/standalone/support/netns.ts';
import { judgeRun, type RunVerdict } from './analysis.ts';
import { DEFAULT_TIMING, runNemesis, type Fault, type FaultWindow, type NemesisTiming } from './faults.ts';
import { JsonHttp } from './json-http.ts';
import { healNetwork } from './network-faults.ts';
import { createSystem, type SystemName, type SystemUnderTest } from './systems.ts';
import { DEFAULT_WORKLOAD, HistoryRecorder, runClients, type WorkloadOptions } from './workload.ts';

export interface CampaignPlan {
  systems: readonly SystemName[];
  faults: readonly Fault[];
  size: number;
  runMs: number;
  seed: number;
  nodeBin: string;
  timing?: NemesisTiming;
  workload?: WorkloadOptions;
  /** Names this campaign's namespaces apart from another campaign's in the same process (letters). */
  labTag?: string;
}

export interface RunResult extends RunVerdict {
  system: SystemName;
  fault: Fault;
  seed: number;
  runMs: number;
  ops: number;
  windows: FaultWindow[];
  /** Set when the cluster could not start or the run broke; the verdict fields are then empty. */
  error: string | null;
}

const LEADER_WAIT_MS = 30_000;

export async function runCampaign(plan: CampaignPlan, progress: (line: string) => void, onRun?: (r: RunResult, history: readonly HistoryOp[]) => void): Promise<RunResult[]> {
  const lab = new NamespaceLab(plan.size, { tag: plan.labTag ?? 'c' });
  const results: RunResult[] = [];
  try {
    lab.setUp();
    for (const fault of plan.faults) {
      for (const name of plan.systems) {
        const seed = plan.seed + results.length;
        progress(`fault-campaign: ${name} under ${fault}, ${plan.runMs / 1000} s (seed ${seed})`);
        const { result, history } = await runOne(lab, name, fault, plan, seed);
        progress(`  linearizable ${String(result.linearizable)}, ok healthy ${fmt(result.healthy.fraction)}, during ${fmt(result.duringFaults.fraction)}, longest write gap ${result.longestWriteGapMs} ms${result.error === null ? '' : `, ERROR ${result.error}`}`);
        results.push(result);
        onRun?.(result, history);
      }
    }
  } finally {
    const problems = lab.tearDown();
    if (problems.length > 0) progress(`namespace clean-up problems: ${problems.join('; ')}`);
  }
  return results;
}

const fmt = (x: number | null): string => (x === null ? '-' : x.toFixed(3));

async function runOne(lab: NamespaceLab, name: SystemName, fault: Fault, plan: CampaignPlan, seed: number): Promise<{ result: RunResult; history: readonly HistoryOp[] }> {
  const dataRoot = mkdtempSync(join(tmpdir(), `fault-campaign-${name}-`));
  mkdirSync(dataRoot, { recursive: true });
  const system = createSystem(name, { lab, size: plan.size, dataRoot, nodeBin: plan.nodeBin });
  const probe = new JsonHttp(500);
  const random = new Random(seed);
  const all = Array.from({ length: plan.size }, (_, k) => k + 1);
  const running = (): number[] => all.filter((i) => system.members[i - 1]?.running === true);
  try {
    healNetwork(lab);
    for (const m of system.members) m.start();
    await waitForLeader(system, probe, all);
    const recorder = new HistoryRecorder();
    const member = (i: number) => {
      const m = system.members[i - 1];
      if (m === undefined) throw new Error(`no member ${i}`);
      return m;
    };
    const [windows] = await Promise.all([
      runNemesis(fault, {
        lab,
        size: plan.size,
        random: random.fork('nemesis'),
        now: () => recorder.now(),
        leader: () => system.dialect.leader(probe, running()),
        kill: (i) => member(i).kill(),
        restart: (i) => member(i).start(),
        pause: (i) => member(i).pause(),
        resume: (i) => member(i).resume(),
      }, plan.runMs, plan.timing ?? DEFAULT_TIMING),
      runClients(system.dialect, plan.size, recorder, random.fork('clients'), plan.runMs, plan.workload ?? DEFAULT_WORKLOAD),
    ]);
    const verdict = judgeRun(recorder.history, windows, plan.runMs);
    const ops = recorder.history.filter((op) => op.type === 'invoke').length;
    const result: RunResult = { system: name, fault, seed, runMs: plan.runMs, ops, windows, error: null, ...verdict };
    if (verdict.linearizable === false) progress(system, `not linearizable: ${verdict.explanation ?? ''}`);
    return { result, history: recorder.history };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    for (const m of system.members) process.stderr.write(`--- ${name} member ${m.index}\n${m.tail(15)}\n`);
    const empty = { invoked: 0, ok: 0, fraction: null };
    return {
      result: { system: name, fault, seed, runMs: plan.runMs, ops: 0, windows: [], error: text, linearizable: 'unknown', invalidKeys: [], explanation: null, checkMs: 0, healthy: empty, duringFaults: empty, ratio: null, longestWriteGapMs: 0 },
      history: [],
    };
  } finally {
    probe.close();
    for (const m of system.members) m.resume();
    await Promise.all(system.members.map((m) => m.kill()));
    healNetwork(lab);
    rmSync(dataRoot, { recursive: true, force: true });
  }
}

function progress(system: SystemUnderTest, line: string): void {
  process.stderr.write(`[fault-campaign ${system.name}] ${line}\n`);
}

async function waitForLeader(system: SystemUnderTest, probe: JsonHttp, members: readonly number[]): Promise<number> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    const leader = await system.dialect.leader(probe, members);
    if (leader !== null) return leader;
    if (Date.now() > deadline) throw new Error(`${system.name}: no leader within ${LEADER_WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
