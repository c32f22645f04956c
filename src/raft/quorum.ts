// Majorities, in one place: votes needed to win, and the highest index a majority holds. Counted
// over the voters of the configuration in force (§4.1); learners and strangers never count.
import type { NodeId } from './types.ts';

/** Votes (including one's own) needed in a cluster of n: floor(n/2) + 1. */
export function majority(clusterSize: number): number {
  return Math.floor(clusterSize / 2) + 1;
}

/** The largest value that at least a majority of `values` (one per node) reach. */
export function quorumValue(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => b - a);
  return sorted[majority(values.length) - 1] ?? 0;
}

/** Outcome of a vote count: won, lost (a majority refused), or still open. */
export function tally(granted: number, refused: number, clusterSize: number): 'won' | 'lost' | 'pending' {
  const need = majority(clusterSize);
  if (granted >= need) return 'won';
  if (refused > clusterSize - need) return 'lost';
  return 'pending';
}

/** A vote count among `voters`: ballots from anyone else are ignored. No voters: never won. */
export function tallyVoters(voters: readonly NodeId[], ballots: ReadonlyMap<NodeId, boolean>): 'won' | 'lost' | 'pending' {
  if (voters.length === 0) return 'lost';
  let granted = 0;
  let refused = 0;
  for (const v of voters) {
    const ballot = ballots.get(v);
    if (ballot === true) granted++;
    else if (ballot === false) refused++;
  }
  return tally(granted, refused, voters.length);
}

/** The largest value a majority of `voters` reach, `valueOf` giving each one's. */
export function quorumValueOf(voters: readonly NodeId[], valueOf: (id: NodeId) => number): number {
  return voters.length === 0 ? 0 : quorumValue(voters.map(valueOf));
}
