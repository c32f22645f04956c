// The campaign's nemesis: one fault at a time, each held for a window and then healed, with healthy
// gaps between. Partitions use the Maelstrom bench's own shape builders (maelstrom/nemesis), so the
// shapes are the ones the simulator and Maelstrom runs are judged on; process faults are SIGKILL
// followed by a restart on the same data, and SIGSTOP/SIGCONT pauses.
import type { Json } from '../../maelstrom/history.ts';
import { planExtraShape, type ExtraShape } from '../../maelstrom/nemesis/extra-shapes.ts';
import { describeGrudge, grudgeFor, grudgeToJson, type PartitionShape } from '../../maelstrom/nemesis/partition-shapes.ts';
import type { Random } from '../../maelstrom/random.ts';
import type { NamespaceLab } from '../../test/standalone/support/netns.ts';
import { applyGrudge, healNetwork } from './network-faults.ts';

export const PARTITION_FAULTS = ['one', 'majority', 'majorities-ring', 'quorum-loss', 'constrained-election', 'chained', 'random-one-way'] as const;
export const FAULTS = [...PARTITION_FAULTS, 'kill', 'pause', 'mixed'] as const;
export type Fault = (typeof FAULTS)[number];
type SingleFault = Exclude<Fault, 'mixed'>;

export interface FaultWindow {
  fault: SingleFault;
  /** What exactly was done: the grudge, the victim, the pause length. */
  detail: Json;
  /** ms since the run's start. */
  startMs: number;
  endMs: number;
}

export interface NemesisTiming {
  /** Healthy time before the first fault. */
  warmUpMs: number;
  /** How long a partition is held (constrained-election adds its prelude). */
  partitionMs: number;
  /** Healthy time after each fault. */
  healMs: number;
}

export const DEFAULT_TIMING: NemesisTiming = { warmUpMs: 5000, partitionMs: 6000, healMs: 4000 };

export interface NemesisTarget {
  lab: NamespaceLab;
  size: number;
  random: Random;
  /** ms since the run's start. */
  now(): number;
  leader(): Promise<number | null>;
  kill(member: number): Promise<void>;
  restart(member: number): void;
  pause(member: number): void;
  resume(member: number): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Runs faults of kind `fault` until `durationMs`; returns the windows, every fault healed. */
export async function runNemesis(fault: Fault, target: NemesisTarget, durationMs: number, timing: NemesisTiming = DEFAULT_TIMING): Promise<FaultWindow[]> {
  const windows: FaultWindow[] = [];
  const singles = FAULTS.filter((f): f is SingleFault => f !== 'mixed');
  await sleep(timing.warmUpMs - target.now());
  for (let turn = 0; ; turn++) {
    const kind = fault === 'mixed' ? target.random.pick(singles) : fault;
    const needs = kind === 'constrained-election' ? timing.partitionMs + 3000 : kind === 'kill' ? 5000 : timing.partitionMs;
    if (target.now() + needs + 1000 > durationMs) break;
    windows.push(await oneFault(kind, target, turn, timing));
    await sleep(kind === 'pause' ? target.random.uniform(1500, 3000) : timing.healMs);
  }
  return windows;
}

async function oneFault(kind: SingleFault, target: NemesisTarget, turn: number, timing: NemesisTiming): Promise<FaultWindow> {
  const { random, size } = target;
  const names = Array.from({ length: size }, (_, k) => String(k + 1));
  const leader = await target.leader();
  // Half the process faults hit the leader, the others a random member.
  const victim = (): number => (turn % 2 === 0 && leader !== null ? leader : random.int(1, size + 1));
  if (kind === 'kill') {
    const member = victim();
    const startMs = target.now();
    await target.kill(member);
    await sleep(random.uniform(2000, 4000));
    target.restart(member);
    return { fault: kind, detail: { member, leader: member === leader }, startMs, endMs: target.now() };
  }
  if (kind === 'pause') {
    const member = victim();
    const ms = random.uniform(500, 5000);
    const startMs = target.now();
    target.pause(member);
    await sleep(ms);
    target.resume(member);
    return { fault: kind, detail: { member, leader: member === leader, ms: Math.round(ms) }, startMs, endMs: target.now() };
  }
  const plan =
    kind === 'one' || kind === 'majority' || kind === 'majorities-ring'
      ? { grudge: grudgeFor(kind satisfies PartitionShape, names, random), prelude: null, roles: {} }
      : planExtraShape(kind satisfies ExtraShape, names, random, leader === null ? null : String(leader), turn);
  const startMs = target.now();
  if (plan.prelude !== null) {
    applyGrudge(target.lab, plan.prelude.grudge);
    await sleep(plan.prelude.ms);
    healNetwork(target.lab);
  }
  applyGrudge(target.lab, plan.grudge);
  await sleep(timing.partitionMs);
  healNetwork(target.lab);
  return {
    fault: kind,
    detail: { grudge: grudgeToJson(plan.grudge), shape: describeGrudge(plan.grudge, names), roles: plan.roles, leader: leader === null ? null : String(leader) },
    startMs,
    endMs: target.now(),
  };
}
