// Jepsen's stagger: successive ops are separated by a uniform random gap in [0, 2 x mean), counted
// from the time the previous op was actually emitted, so an op that had to wait for a free thread
// delays the ones after it (no catch-up burst).
import type { Random } from '../random.ts';

export class Stagger {
  constructor(
    private readonly random: Random,
    private readonly meanGapMs: number,
  ) {}

  /** When the op after one emitted at `emittedAtMs` may be emitted. */
  following(emittedAtMs: number): number {
    return emittedAtMs + this.random.next() * 2 * this.meanGapMs;
  }
}

/** The emission times a stagger yields from 0 up to (excluding) the cutoff when ops take no time. */
export function staggerTimes(stagger: Stagger, cutoffMs: number): number[] {
  const times: number[] = [];
  for (let t = 0; t < cutoffMs; t = stagger.following(t)) times.push(t);
  return times;
}
