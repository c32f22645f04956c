// Counts of every fault the simulator injected, by kind, so a run can say what it survived.
export class FaultTally {
  readonly counts = new Map<string, number>();

  add(kind: string, amount = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + amount);
  }

  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of [...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
    return out;
  }
}

/** Adds `from` into `into`, kind by kind. */
export function mergeFaultCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}
