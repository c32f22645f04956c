// The nemesis thread: flip-flop fault schedules (start, stop, start, ...) each staggered by
// --nemesis-interval (first op at time 0, then uniform gaps in [0, 2 x interval)), stopping at the
// time-limit cutoff. Ops run one at a time, like Jepsen's single nemesis worker, and each is
// recorded as an :info invocation and an :info completion of process 'nemesis'.
//
// `partition` is Maelstrom's only fault. `kill` is this bench's extension: SIGKILL one random
// running node, and at the next flip restart every node it killed (the cluster re-sends init).
import type { Json } from '../history.ts';
import type { Random } from '../random.ts';
import type { HistoryRecorder } from '../workload/history-recorder.ts';
import { Stagger } from '../workload/stagger.ts';
import type { TestClock } from '../workload/test-clock.ts';
import { EXTRA_SHAPES, planExtraShape, type ExtraShape } from './extra-shapes.ts';
import { describeGrudge, grudgeFor, grudgeToJson, PARTITION_SHAPES, type Grudge, type PartitionShape } from './partition-shapes.ts';

/** Maelstrom's four shapes, and this bench's extra ones (chosen with --partition-shapes). */
export type AnyPartitionShape = PartitionShape | ExtraShape;
export const ALL_PARTITION_SHAPES: readonly AnyPartitionShape[] = [...PARTITION_SHAPES, ...EXTRA_SHAPES];

export const NEMESIS_FAULTS = ['partition', 'kill'] as const;
export type NemesisFault = (typeof NEMESIS_FAULTS)[number];

export type NemesisAction =
  | {
      f: 'start-partition';
      shape: AnyPartitionShape;
      grudge: Grudge;
      description: string;
      /** A first grudge held for `ms` before `grudge` (constrained-election), and who plays which role. */
      prelude?: { grudge: Grudge; ms: number };
      roles?: { [role: string]: string };
    }
  | { f: 'stop-partition' }
  | { f: 'kill'; node: string }
  | { f: 'restart'; nodes: string[] };

/** What the nemesis acts on; the bench cluster in a run, a fake in tests. */
export interface NemesisTarget {
  partition(grudge: ReadonlyMap<string, ReadonlySet<string>>): void;
  heal(): void;
  kill(node: string): Promise<void>;
  restart(node: string): Promise<void>;
}

/** One fault's flip-flop: decides the next action; randomness from its own fork of the seed. */
interface FlipFlop {
  next(): NemesisAction;
}

class PartitionFlipFlop implements FlipFlop {
  private partitioned = false;
  private started = 0;
  constructor(
    private readonly nodes: readonly string[],
    private readonly random: Random,
    private readonly shapes: readonly AnyPartitionShape[],
    private readonly leaderHint: () => string | null,
  ) {}

  next(): NemesisAction {
    this.partitioned = !this.partitioned;
    if (!this.partitioned) return { f: 'stop-partition' };
    const shape = this.random.pick(this.shapes);
    if (isMaelstromShape(shape)) {
      const grudge = grudgeFor(shape, this.nodes, this.random);
      return { f: 'start-partition', shape, grudge, description: describeGrudge(grudge, this.nodes) };
    }
    const plan = planExtraShape(shape, this.nodes, this.random, this.leaderHint(), this.started++);
    return {
      f: 'start-partition',
      shape,
      grudge: plan.grudge,
      description: describeGrudge(plan.grudge, this.nodes),
      roles: plan.roles,
      ...(plan.prelude === null ? {} : { prelude: plan.prelude }),
    };
  }
}

function isMaelstromShape(shape: AnyPartitionShape): shape is PartitionShape {
  return (PARTITION_SHAPES as readonly string[]).includes(shape);
}

class KillFlipFlop implements FlipFlop {
  private readonly down: string[] = [];
  constructor(
    private readonly nodes: readonly string[],
    private readonly random: Random,
  ) {}

  next(): NemesisAction {
    if (this.down.length > 0) return { f: 'restart', nodes: this.down.splice(0) };
    const node = this.random.pick(this.nodes);
    this.down.push(node);
    return { f: 'kill', node };
  }
}

export interface NemesisOptions {
  faults: ReadonlySet<NemesisFault>;
  nodes: readonly string[];
  intervalS: number;
  /** Forked per fault, so adding `kill` does not change which partitions a seed produces. */
  random: Random;
  /** Shapes to draw from (default: Maelstrom's four). */
  shapes?: readonly AnyPartitionShape[];
  /** The current leader as far as the bench knows (extra shapes give roles by it). */
  leaderHint?: () => string | null;
}

interface ScheduledFault {
  flipFlop: FlipFlop;
  stagger: Stagger;
  nextAtMs: number;
}

export class NemesisSchedule {
  private readonly schedules: ScheduledFault[];

  constructor(options: NemesisOptions) {
    const meanGapMs = options.intervalS * 1000;
    this.schedules = NEMESIS_FAULTS.filter((f) => options.faults.has(f)).map((fault) => {
      const random = options.random.fork(`nemesis-${fault}`);
      const flipFlop =
        fault === 'partition'
          ? new PartitionFlipFlop(options.nodes, random, options.shapes ?? PARTITION_SHAPES, options.leaderHint ?? (() => null))
          : new KillFlipFlop(options.nodes, random);
      return { flipFlop, stagger: new Stagger(random.fork('stagger'), meanGapMs), nextAtMs: 0 };
    });
  }

  /** The schedule whose next op is due first, if that is before the cutoff. */
  private due(cutoffMs: number): ScheduledFault | null {
    let best: ScheduledFault | null = null;
    for (const s of this.schedules) if (best === null || s.nextAtMs < best.nextAtMs) best = s;
    return best !== null && best.nextAtMs < cutoffMs ? best : null;
  }

  /**
   * Runs the schedule until the cutoff (or the signal aborts), performing each action and
   * recording it. Returns when the last action finished.
   */
  async run(clock: TestClock, cutoffMs: number, perform: (action: NemesisAction) => Promise<Json>, history: HistoryRecorder, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const next = this.due(cutoffMs);
      if (next === null || signal?.aborted) return;
      await clock.sleepUntil(next.nextAtMs, signal);
      if (signal?.aborted || clock.nowMs() >= cutoffMs) return;
      const emittedAtMs = clock.nowMs();
      const action = next.flipFlop.next();
      history.record({ process: 'nemesis', type: 'info', f: action.f, value: invokeValueOf(action) });
      let outcome: Json;
      let error: Json | undefined;
      try {
        outcome = await perform(action);
      } catch (err) {
        outcome = invokeValueOf(action);
        error = err instanceof Error ? err.message : String(err);
      }
      history.record({ process: 'nemesis', type: 'info', f: action.f, value: outcome, ...(error === undefined ? {} : { error }) });
      next.nextAtMs = next.stagger.following(emittedAtMs);
    }
  }
}

export function invokeValueOf(action: NemesisAction): Json {
  switch (action.f) {
    case 'start-partition':
      return {
        shape: action.shape,
        grudge: grudgeToJson(action.grudge),
        description: action.description,
        ...(action.roles === undefined ? {} : { roles: action.roles }),
        ...(action.prelude === undefined ? {} : { prelude: { grudge: grudgeToJson(action.prelude.grudge), ms: action.prelude.ms } }),
      };
    case 'stop-partition':
      return null;
    case 'kill':
      return action.node;
    case 'restart':
      return action.nodes;
  }
}

/** Applies an action to the cluster; the returned value is the completion's value. */
export async function performOn(target: NemesisTarget, action: NemesisAction): Promise<Json> {
  switch (action.f) {
    case 'start-partition':
      if (action.prelude !== undefined) {
        target.partition(action.prelude.grudge);
        await new Promise((resolve) => setTimeout(resolve, action.prelude?.ms));
        target.heal(); // partition() adds cuts; the final shape replaces the prelude's
      }
      target.partition(action.grudge);
      return invokeValueOf(action);
    case 'stop-partition':
      target.heal();
      return 'network-healed';
    case 'kill':
      await target.kill(action.node);
      return action.node;
    case 'restart':
      for (const node of action.nodes) await target.restart(node);
      return action.nodes;
  }
}
