// Colours and markers shared by the report's charts, so that "fail" or "partition" looks the same
// in every picture.
import { PALETTE, type Band, type LegendEntry, type MarkerShape } from './svg.ts';
import type { Outcome } from './client-ops.ts';
import type { FaultPeriod } from './fault-periods.ts';
import { formatNumber } from './svg-text.ts';

// Blue, vermillion and reddish purple stay apart for the common colour blindnesses; orange was
// tried for info and was too close to vermillion once points are translucent.
export const OUTCOME_COLOUR: Record<Outcome, string> = {
  ok: PALETTE.blue,
  info: PALETTE.purple,
  fail: PALETTE.vermillion,
};

export const OUTCOMES: readonly Outcome[] = ['ok', 'info', 'fail'];

const F_SHAPES: Record<string, MarkerShape> = { read: 'circle', write: 'triangle', cas: 'square' };

export function shapeOf(f: string): MarkerShape {
  return F_SHAPES[f] ?? 'diamond';
}

/** The operation functions in a stable, familiar order: read, write, cas, then others by name. */
export function orderedFunctions(fs: Iterable<string>): string[] {
  const known = ['read', 'write', 'cas'];
  const unique = [...new Set(fs)];
  return [...known.filter((f) => unique.includes(f)), ...unique.filter((f) => !known.includes(f)).sort()];
}

export const PARTITION_COLOUR = '#8c8c8c';
export const PARTITION_OPACITY = 0.18;
export const NODE_DOWN_COLOUR = PALETTE.yellow;
export const NODE_DOWN_OPACITY = 0.35;

function secondsText(s: number): string {
  return `${formatNumber(Math.round(s * 100) / 100)} s`;
}

export function faultTooltip(period: FaultPeriod): string {
  const span = `${secondsText(period.startS)} to ${period.openAtEnd ? 'end of test' : secondsText(period.endS)}`;
  return period.kind === 'partition'
    ? `partition ${span}${period.description === '' ? '' : `: ${period.description}`}`
    : `${period.node} down ${span}`;
}

/** Bands for a time chart: partitions grey, killed nodes yellow. */
export function faultBands(periods: readonly FaultPeriod[]): Band[] {
  return periods.map((p): Band =>
    p.kind === 'partition'
      ? { start: p.startS, end: p.endS, colour: PARTITION_COLOUR, opacity: PARTITION_OPACITY, label: 'partition', tooltip: faultTooltip(p) }
      : { start: p.startS, end: p.endS, colour: NODE_DOWN_COLOUR, opacity: NODE_DOWN_OPACITY, label: `${p.node} down`, tooltip: faultTooltip(p), labelRow: 1 },
  );
}

/** Legend entries for the kinds of fault present (none when there were no faults). */
export function faultLegend(periods: readonly FaultPeriod[]): LegendEntry[] {
  const entries: LegendEntry[] = [];
  if (periods.some((p) => p.kind === 'partition')) entries.push({ label: 'partition', swatch: { kind: 'band', colour: PARTITION_COLOUR, opacity: PARTITION_OPACITY } });
  if (periods.some((p) => p.kind === 'node-down')) entries.push({ label: 'node down', swatch: { kind: 'band', colour: NODE_DOWN_COLOUR, opacity: NODE_DOWN_OPACITY } });
  return entries;
}
