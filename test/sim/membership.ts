// Membership changes (dissertation chapter 4) asked of the leader at random times during the fault
// phase: remove a voter (the leader itself now and then), add back a node that is out as a learner,
// promote a learner (the leader also promotes caught-up learners on its own). After the faults stop,
// every node is added back (the leader promotes it once caught up), so recovery and the drain end
// with the whole cluster. Its own random stream: every other choice a seed makes is drawn as before.
import type { Random } from '../../maelstrom/random.ts';
import type { ConfChange, ConfigurationState } from '../../src/raft/types.ts';
import { actOnLeadersPeriodically } from './periodic.ts';

export interface MembershipWorld {
  after(delayMs: number, fn: () => void): void;
  /** The phase: random changes during 'faults', restoring the full cluster after. */
  phase(): 'faults' | 'recovery' | 'drain' | 'done';
  /** Indexes of the nodes that are up, running (not paused) and think they lead. */
  leaders(): number[];
  configuration(index: number): ConfigurationState | null;
  names: readonly string[];
  request(index: number, change: ConfChange): void;
  /** Some node restarted without its log and has not caught up (it cannot vote). */
  logLost(): boolean;
}

/** Fewest voters a random removal leaves: a cluster of one is legal, but two keeps it a cluster. */
const MIN_VOTERS = 2;

export class MembershipChanger {
  /** Half the seeds change membership; those that do, every U[0, 2I) ms. */
  readonly enabled: boolean;
  private readonly meanIntervalMs: number;
  private readonly restoreIntervalMs: number;

  constructor(
    private readonly rng: Random,
    electionTimeoutMinMs: number,
    private readonly world: MembershipWorld,
  ) {
    this.enabled = rng.chance(0.5);
    this.meanIntervalMs = rng.uniform(2, 12) * electionTimeoutMinMs;
    this.restoreIntervalMs = electionTimeoutMinMs / 2;
  }

  start(): void {
    if (this.enabled) actOnLeadersPeriodically(this.rng, this.world, this.meanIntervalMs, () => this.world.phase() === 'faults', (leader) => this.act(leader), () => this.restore());
  }

  private act(index: number): void {
    const state = this.world.configuration(index);
    if (state === null) return;
    const { voters, learners } = state.config;
    const outside = this.world.names.filter((n) => !voters.includes(n) && !learners.includes(n));
    const roll = this.rng.next();
    if (outside.length > 0 && roll < 0.45) this.world.request(index, { type: 'add-learner', id: this.rng.pick(outside), context: 'sim' });
    else if (learners.length > 0 && roll < 0.6) this.world.request(index, { type: 'promote', id: this.rng.pick(learners) });
    else if (this.mayRemove(voters.length, roll)) this.world.request(index, { type: 'remove', id: this.rng.pick(voters) });
    // Now and then a change the leader must refuse: a member added again.
    else this.world.request(index, { type: 'add-learner', id: this.rng.pick(voters) });
  }

  /**
   * A voter whose log is lost cannot vote until a leader catches it up: with two voters left, that
   * leaves no majority (the correct, unavailable outcome, as when a majority loses its logs).
   */
  private mayRemove(voters: number, roll: number): boolean {
    if (voters <= 3 && this.world.logLost()) return false;
    return voters > MIN_VOTERS || roll > 0.97; // now and then down to a single voter
  }

  /** After the faults: add back whoever is out (one at a time, as the leader allows), until all are voters. */
  private restore(): void {
    if (this.world.phase() === 'done') return;
    const leader = this.world.leaders()[0];
    const state = leader === undefined ? null : this.world.configuration(leader);
    if (leader !== undefined && state !== null) {
      const { voters, learners } = state.config;
      const outside = this.world.names.filter((n) => !voters.includes(n) && !learners.includes(n));
      if (outside.length === 0 && learners.length === 0 && state.committed) return; // whole again
      const next = outside[0];
      if (next !== undefined) this.world.request(leader, { type: 'add-learner', id: next, context: 'sim' });
      else if (learners[0] !== undefined) this.world.request(leader, { type: 'promote', id: learners[0] });
    }
    this.world.after(this.restoreIntervalMs, () => this.restore());
  }
}
