// latency-raw.svg, after Maelstrom's latency-raw.png: every completed client operation as a point
// at (completion time, latency), coloured by outcome and shaped by function, over the faults.
import { scatterChart, type ScatterSeries } from './svg.ts';
import { lastCompletionS, outcomeCounts, type CompletedOp } from './client-ops.ts';
import type { FaultPeriod } from './fault-periods.ts';
import { OUTCOMES, OUTCOME_COLOUR, faultBands, faultLegend, orderedFunctions, shapeOf } from './style.ts';

/** Latencies below this are drawn at it: a log axis cannot show zero. */
const MIN_LATENCY_MS = 0.01;

export function latencyRawSvg(ops: readonly CompletedOp[], faults: readonly FaultPeriod[], endS: number): string {
  const series: ScatterSeries[] = [];
  for (const f of orderedFunctions(ops.map((op) => op.f))) {
    for (const outcome of OUTCOMES) {
      const points = ops
        .filter((op) => op.f === f && op.outcome === outcome)
        .map((op) => ({ x: op.completedAtS, y: Math.max(MIN_LATENCY_MS, op.latencyMs) }));
      if (points.length > 0) series.push({ label: `${f} ${outcome} (${points.length})`, colour: OUTCOME_COLOUR[outcome], shape: shapeOf(f), points });
    }
  }
  const counts = outcomeCounts(ops);
  return scatterChart(
    {
      title: `Raw latency: ${ops.length} operations (${counts.ok} ok, ${counts.info} info, ${counts.fail} fail)`,
      subtitle: faults.length === 0 ? 'no faults' : `${faults.length} fault period${faults.length === 1 ? '' : 's'} shaded`,
      x: { label: 'time of completion (s)', min: 0, max: lastCompletionS(ops, endS) },
      y: { label: 'latency (ms, log scale)', kind: 'log' },
      legend: faultLegend(faults),
      bands: faultBands(faults),
    },
    series,
  );
}
