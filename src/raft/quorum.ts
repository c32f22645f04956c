// Majorities, in one place: votes needed to win, and the highest index a majority holds.

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
