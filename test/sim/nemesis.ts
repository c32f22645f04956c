// The nemesis decides which fault happens when (the simulation carries them out): partitions and
// heals, crashes and restarts, pauses, and the targeted kills of the churn profile (a leader right
// after it appended or committed). All its choices come from its own random stream.
import { makeGrudge, type Grudge, type PartitionShape } from './partitions.ts';
import type { Random } from '../../maelstrom/random.ts';
import type { Scenario } from './scenario.ts';

/** What the nemesis may look at and do; implemented by the simulation. */
export interface NemesisWorld {
  now(): number;
  /** Schedules fn after delayMs of virtual time. */
  after(delayMs: number, fn: () => void): void;
  /** False once the fault phase is over: nothing more happens then. */
  faultsActive(): boolean;
  nodes(): readonly { index: number; up: boolean; incarnation: number; pausedUntil: number; isLeader: boolean }[];
  isPartitioned(): boolean;
  partition(shape: PartitionShape, grudge: Grudge): void;
  heal(): void;
  crash(index: number, kind: string): void;
  restart(index: number): void;
  pause(index: number, untilMs: number): void;
}

export class Nemesis {
  constructor(
    private readonly rng: Random,
    private readonly scenario: Scenario,
    private readonly world: NemesisWorld,
  ) {}

  /** Starts the random schedule: one action every U[0, 2I) ms, I the scenario's interval. */
  start(): void {
    this.world.after(this.rng.uniform(0, 2 * this.scenario.nemesisIntervalMs), () => {
      if (!this.world.faultsActive()) return;
      this.act();
      this.start();
    });
  }

  /** A node crashed: with auto-restart on, it comes back after a random downtime. */
  onCrash(index: number, incarnation: number): void {
    const mean = this.scenario.autoRestartMeanMs;
    if (mean === null) return;
    this.world.after(this.rng.exponential(mean), () => {
      const node = this.world.nodes()[index];
      if (node !== undefined && !node.up && node.incarnation === incarnation && this.world.faultsActive()) this.world.restart(index);
    });
  }

  /** A leader appended entries (its no-op or commands): maybe kill it before they spread. */
  onLeaderAppend(index: number, incarnation: number): void {
    this.maybeKill(index, incarnation, this.scenario.crashLeaderAfterAppend, 3, 'crash-leader-after-append');
  }

  /** A leader advanced its commit index: maybe kill it before its followers hear of it. */
  onLeaderCommit(index: number, incarnation: number): void {
    this.maybeKill(index, incarnation, this.scenario.crashLeaderAfterCommit, 2, 'crash-leader-after-commit');
  }

  private maybeKill(index: number, incarnation: number, probability: number, withinMs: number, kind: string): void {
    if (probability === 0 || !this.world.faultsActive() || !this.rng.chance(probability)) return;
    this.world.after(this.rng.uniform(0, withinMs), () => {
      const node = this.world.nodes()[index];
      if (node !== undefined && node.up && node.incarnation === incarnation && this.world.faultsActive()) this.world.crash(index, kind);
    });
  }

  private act(): void {
    const rng = this.rng;
    const s = this.scenario;
    const nodes = this.world.nodes();
    const actions: (() => void)[] = [];
    if (s.partitionShapes.length > 0) {
      if (this.world.isPartitioned()) actions.push(() => this.world.heal());
      else
        actions.push(() => {
          const shape = rng.pick(s.partitionShapes);
          this.world.partition(shape, makeGrudge(shape, s.nodeCount, rng));
        });
    }
    if (s.crashes) {
      const up = nodes.filter((n) => n.up);
      const down = nodes.filter((n) => !n.up);
      if (up.length > 0) {
        // Churn aims at leaders: a leader dying right after it replicated something is what leaves logs disagreeing.
        const leaders = up.filter((n) => n.isLeader);
        const targets = s.profile === 'churn' && leaders.length > 0 && rng.chance(0.7) ? leaders : up;
        actions.push(() => this.world.crash(rng.pick(targets).index, 'crash'));
      }
      // Restarts weigh double, so the cluster does not drift towards all nodes down.
      if (down.length > 0) actions.push(() => this.world.restart(rng.pick(down).index), () => this.world.restart(rng.pick(down).index));
    }
    if (s.pauses) {
      const running = nodes.filter((n) => n.up && n.pausedUntil <= this.world.now());
      if (running.length > 0)
        actions.push(() => {
          const node = rng.pick(running);
          // Pauses end before the fault phase does, so recovery starts with every process running.
          this.world.pause(node.index, Math.min(this.world.now() + rng.uniform(50, 2500), s.faultPhaseMs));
        });
    }
    if (actions.length > 0) rng.pick(actions)();
  }
}
