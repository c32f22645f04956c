// The rhythm shared by the operators the simulator plays (leadership transfers, membership
// changes): act on a random leader every U[0, 2I) ms while the faults last.
import type { Random } from '../../maelstrom/random.ts';

export interface OperatorClock {
  after(delayMs: number, fn: () => void): void;
  /** Indexes of the nodes that are up, running (not paused) and think they lead. */
  leaders(): number[];
}

/**
 * Calls `act` with a random leader (when there is one) every U[0, 2 * meanMs) ms while `active()`
 * holds; once it does not, calls `done` (if given) and stops.
 */
export function actOnLeadersPeriodically(rng: Random, clock: OperatorClock, meanMs: number, active: () => boolean, act: (leader: number) => void, done?: () => void): void {
  clock.after(rng.uniform(0, 2 * meanMs), () => {
    if (!active()) return done?.();
    const leaders = clock.leaders();
    if (leaders.length > 0) act(rng.pick(leaders));
    actOnLeadersPeriodically(rng, clock, meanMs, active, act, done);
  });
}
