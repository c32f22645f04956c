// Bench extension: availability split by the state of the network when each operation STARTED,
// healthy or under a partition (and which shape), so a run shows how much of its availability
// the partitions cost. An operation counts as ok only on :ok (Maelstrom's ok-fraction); a definite
// failure (cas mismatch, missing key) counts as answered but not ok, in both groups alike, which is
// why the ratio during/healthy is the figure to compare, not the raw fractions.
import type { HistoryOp } from './history.ts';

export interface OkFraction {
  invoked: number;
  ok: number;
  /** ok / invoked; null when nothing was invoked. */
  'ok-fraction': number | null;
}

export interface PartitionAvailability {
  healthy: OkFraction;
  'during-partitions': OkFraction;
  /** during-partitions ok-fraction / healthy ok-fraction; null when either is unknown or healthy is 0. */
  ratio: number | null;
  'by-shape': Record<string, OkFraction & { ratio: number | null }>;
}

const HEALTHY = 'healthy';

/** The shape a start-partition entry names (`value.shape`), or 'partition' when it does not say. */
function shapeOf(op: HistoryOp): string {
  const v = op.value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v['shape'] === 'string' ? v['shape'] : 'partition';
}

export function partitionAvailability(history: readonly HistoryOp[]): PartitionAvailability {
  const tallies = new Map<string, { invoked: number; ok: number }>();
  const tally = (label: string) => {
    let t = tallies.get(label);
    if (t === undefined) tallies.set(label, (t = { invoked: 0, ok: 0 }));
    return t;
  };
  let network = HEALTHY;
  const startedUnder = new Map<number, string>();
  for (const op of history) {
    if (op.process === 'nemesis') {
      // Invocation and completion of one action are both recorded; the invocation sets the state.
      if (op.f === 'start-partition') network = shapeOf(op);
      else if (op.f === 'stop-partition') network = HEALTHY;
      continue;
    }
    if (op.type === 'invoke') {
      startedUnder.set(op.process, network);
      tally(network).invoked++;
    } else {
      const label = startedUnder.get(op.process);
      startedUnder.delete(op.process);
      if (label !== undefined && op.type === 'ok') tally(label).ok++;
    }
  }
  const fraction = (t: { invoked: number; ok: number }): OkFraction => ({ ...t, 'ok-fraction': t.invoked === 0 ? null : t.ok / t.invoked });
  const healthy = fraction(tallies.get(HEALTHY) ?? { invoked: 0, ok: 0 });
  const ratioTo = (f: OkFraction): number | null => (f['ok-fraction'] === null || healthy['ok-fraction'] === null || healthy['ok-fraction'] === 0 ? null : f['ok-fraction'] / healthy['ok-fraction']);
  const during = { invoked: 0, ok: 0 };
  const byShape: PartitionAvailability['by-shape'] = {};
  for (const [label, t] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    if (label === HEALTHY) continue;
    during.invoked += t.invoked;
    during.ok += t.ok;
    const f = fraction(t);
    byShape[label] = { ...f, ratio: ratioTo(f) };
  }
  const duringFraction = fraction(during);
  return { healthy, 'during-partitions': duringFraction, ratio: ratioTo(duringFraction), 'by-shape': byShape };
}

/** Console lines for the summary. */
export function partitionAvailabilityLines(a: PartitionAvailability): string[] {
  const show = (f: OkFraction): string => `${f['ok-fraction'] === null ? '-' : f['ok-fraction'].toFixed(3)} (${f.ok}/${f.invoked})`;
  const ratio = (r: number | null): string => (r === null ? '-' : r.toFixed(2));
  const lines = [`availability by network state (ops by start): healthy ${show(a.healthy)}, during partitions ${show(a['during-partitions'])}, ratio ${ratio(a.ratio)}`];
  for (const [shape, f] of Object.entries(a['by-shape'])) lines.push(`  ${shape}: ${show(f)}, ratio ${ratio(f.ratio)}`);
  return lines;
}
