// Leadership transfers (dissertation §3.10) asked of the leader at random times, the way an operator
// or a node shutting down would: to the default target, to a random member, and now and then to the
// leader itself (which must be refused). It draws from its own random stream, so every other choice
// a seed makes (scenario, network, nemesis, clients) is drawn exactly as before.
import type { Random } from '../../maelstrom/random.ts';
import { actOnLeadersPeriodically } from './periodic.ts';

export interface TransferWorld {
  after(delayMs: number, fn: () => void): void;
  /** False once the fault phase is over: no more transfers then. */
  active(): boolean;
  /** Indexes of the nodes that are up, running (not paused) and think they lead. */
  leaders(): number[];
  names: readonly string[];
  /** Asks node `index` to hand leadership to `target` (a Raft id, or null for its own choice). */
  request(index: number, target: string | null): void;
}

export class TransferRequester {
  /** Half the seeds ask for transfers; those that do, every U[0, 2I) ms. */
  private readonly enabled: boolean;
  private readonly meanIntervalMs: number;

  constructor(
    private readonly rng: Random,
    electionTimeoutMinMs: number,
    private readonly world: TransferWorld,
  ) {
    this.enabled = rng.chance(0.5);
    // From a few per election timeout to a few per second, so some overlap elections and faults.
    this.meanIntervalMs = rng.uniform(2, 10) * electionTimeoutMinMs;
  }

  start(): void {
    if (this.enabled) actOnLeadersPeriodically(this.rng, this.world, this.meanIntervalMs, () => this.world.active(), (leader) => this.act(leader));
  }

  private act(index: number): void {
    const roll = this.rng.next();
    const target = roll < 0.45 ? null : roll < 0.9 ? this.rng.pick(this.world.names) : (this.world.names[index] as string);
    this.world.request(index, target);
  }
}
