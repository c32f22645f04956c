// Reading a node --cpu-prof profile: where a process spent its time, by self time per function.
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The `top` functions by self time, as "share  name file:line" lines. */
export function selfTimeSummary(profile: CpuProfile, top: number): string[] {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const f = frames.get(id);
    const name = f === undefined ? '?' : `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + dt);
  });
  return [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}`);
}
