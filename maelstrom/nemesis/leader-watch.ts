// The leader as the node logs tell it (the stable phrases `elected leader for term Y`, `stepped
// down to follower` and `started as follower`), so partition shapes with roles can put the leader where they want it.
export class LeaderWatch {
  /** node -> term it was elected in, while it has not stepped down since. */
  private readonly leading = new Map<string, number>();

  observe(node: string, line: string): void {
    const elected = /elected leader for term (\d+)/.exec(line);
    if (elected !== null) this.leading.set(node, Number(elected[1]));
    // A restarted process starts as a follower: whatever it led before its kill is over.
    else if (line.includes('stepped down to follower') || line.includes('started as follower')) this.leading.delete(node);
  }

  /** The node elected in the highest term that has not stepped down, if any. */
  current(): string | null {
    let best: string | null = null;
    let bestTerm = -1;
    for (const [node, term] of this.leading) {
      if (term > bestTerm) {
        best = node;
        bestTerm = term;
      }
    }
    return best;
  }
}
