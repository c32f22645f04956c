// rate.svg: completed operations per second, in 1 s buckets, per function and outcome.
import { lineChart, type LineDash, type LineSeries } from './svg.ts';
import { lastCompletionS, type CompletedOp } from './client-ops.ts';
import type { FaultPeriod } from './fault-periods.ts';
import { OUTCOMES, OUTCOME_COLOUR, faultBands, faultLegend, orderedFunctions } from './style.ts';

const BUCKET_S = 1;

function dashOf(f: string): LineDash {
  return f === 'read' ? 'solid' : f === 'write' ? 'dashed' : 'dotted';
}

/** Ops/s per bucket as a staircase; a final point closes the last bucket. */
export function rateSeriesPoints(completionTimesS: readonly number[], endS: number): { x: number; y: number }[] {
  const bucketCount = Math.max(1, Math.ceil(endS / BUCKET_S));
  const counts = new Array<number>(bucketCount).fill(0);
  for (const t of completionTimesS) {
    if (!Number.isFinite(t) || t < 0) continue;
    const bucket = Math.min(bucketCount - 1, Math.floor(t / BUCKET_S));
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  const points = counts.map((count, i) => ({ x: i * BUCKET_S, y: count / BUCKET_S }));
  points.push({ x: bucketCount * BUCKET_S, y: (counts[bucketCount - 1] ?? 0) / BUCKET_S });
  return points;
}

export function rateSvg(ops: readonly CompletedOp[], faults: readonly FaultPeriod[], endS: number): string {
  const lastS = lastCompletionS(ops, endS);
  const series: LineSeries[] = [];
  for (const f of orderedFunctions(ops.map((op) => op.f))) {
    for (const outcome of OUTCOMES) {
      const times = ops.filter((op) => op.f === f && op.outcome === outcome).map((op) => op.completedAtS);
      if (times.length === 0) continue;
      // Functions are told apart by dash pattern, outcomes by colour: 3 x 3 lines stay readable.
      series.push({ label: `${f} ${outcome}`, colour: OUTCOME_COLOUR[outcome], points: rateSeriesPoints(times, lastS), step: true, dash: dashOf(f) });
    }
  }
  return lineChart(
    {
      title: `Throughput: ${ops.length} completed operations`,
      subtitle: `operations completed per second, ${BUCKET_S} s buckets`,
      x: { label: 'time (s)', min: 0, max: Math.ceil(lastS) },
      y: { label: 'operations / s', min: 0 },
      legend: faultLegend(faults),
      bands: faultBands(faults),
    },
    series,
  );
}
