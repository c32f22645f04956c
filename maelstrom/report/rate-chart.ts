// rate.svg: completed operations per second, one panel per function (read, write, cas) on a
// shared time axis and a shared scale, each second a bar stacked by outcome (ok at the bottom,
// then info, then fail). Nine step lines in one plot (3 functions x 3 outcomes) crossed each other
// until nothing could be read; stacked bars keep both the total and its make-up visible.
import { axes, bands, header, legend, legendWidth, svgDocument, type LegendEntry, type PlotLayout } from './svg.ts';
import { el, text } from './svg-text.ts';
import { linearScale, niceLinearDomain } from './scale.ts';
import { lastCompletionS, type CompletedOp, type Outcome } from './client-ops.ts';
import type { FaultPeriod } from './fault-periods.ts';
import { OUTCOME_COLOUR, faultBands, faultLegend, orderedFunctions } from './style.ts';

const BUCKET_S = 1;
/** Bottom to top in each bar: what succeeded, what may have happened, what certainly did not. */
const STACK_ORDER: readonly Outcome[] = ['ok', 'info', 'fail'];
const PANEL_HEIGHT = 110;
/** Room above each panel for its title. */
const PANEL_GAP = 24;

/** Completions per bucket of BUCKET_S seconds from 0 to `endS` (the last bucket takes the end itself). */
export function bucketCounts(completionTimesS: readonly number[], endS: number): number[] {
  const bucketCount = Math.max(1, Math.ceil(endS / BUCKET_S));
  const counts = new Array<number>(bucketCount).fill(0);
  for (const t of completionTimesS) {
    if (!Number.isFinite(t) || t < 0) continue;
    const bucket = Math.min(bucketCount - 1, Math.floor(t / BUCKET_S));
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  return counts;
}

interface Panel {
  f: string;
  /** outcome -> completions per bucket */
  counts: Map<Outcome, number[]>;
  totals: Record<Outcome, number>;
}

function panelsOf(ops: readonly CompletedOp[], endS: number): Panel[] {
  return orderedFunctions(ops.map((op) => op.f)).map((f) => {
    const mine = ops.filter((op) => op.f === f);
    const counts = new Map<Outcome, number[]>();
    const totals: Record<Outcome, number> = { ok: 0, info: 0, fail: 0 };
    for (const outcome of STACK_ORDER) {
      const times = mine.filter((op) => op.outcome === outcome).map((op) => op.completedAtS);
      totals[outcome] = times.length;
      counts.set(outcome, bucketCounts(times, endS));
    }
    return { f, counts, totals };
  });
}

function panelTitle(p: Panel): string {
  const all = p.totals.ok + p.totals.info + p.totals.fail;
  const parts = STACK_ORDER.filter((o) => p.totals[o] > 0).map((o) => `${p.totals[o]} ${o}`);
  return `${p.f}: ${all} (${parts.join(', ')})`;
}

export function rateSvg(ops: readonly CompletedOp[], faults: readonly FaultPeriod[], endS: number, width = 900): string {
  const lastS = lastCompletionS(ops, endS);
  const xMax = Math.max(BUCKET_S, Math.ceil(lastS));
  const panels = panelsOf(ops, lastS);
  const peak = Math.max(1, ...panels.flatMap((p) => (p.counts.get('ok') ?? []).map((_, i) => STACK_ORDER.reduce((sum, o) => sum + (p.counts.get(o)?.[i] ?? 0), 0))));
  const yDomain = niceLinearDomain(0, peak / BUCKET_S, 3);

  const legendEntries: LegendEntry[] = [
    ...STACK_ORDER.map((o): LegendEntry => ({ label: o, swatch: { kind: 'bar', colour: OUTCOME_COLOUR[o] } })),
    ...faultLegend(faults),
  ];
  const top = 54 + PANEL_GAP;
  const left = 70;
  const plotWidth = Math.max(200, width - left - 20 - legendWidth(legendEntries));
  const shown = Math.max(1, panels.length);
  const height = top + shown * PANEL_HEIGHT + (shown - 1) * PANEL_GAP + 55;

  const parts: string[] = [];
  panels.forEach((panel, index) => {
    const plot = { left, top: top + index * (PANEL_HEIGHT + PANEL_GAP), width: plotWidth, height: PANEL_HEIGHT };
    const layout: PlotLayout = {
      width,
      height,
      plot,
      x: linearScale([0, xMax], [plot.left, plot.left + plot.width]),
      y: linearScale(yDomain, [plot.top + plot.height, plot.top]),
    };
    const last = index === panels.length - 1;
    const bars: string[] = [];
    const buckets = panel.counts.get('ok')?.length ?? 0;
    for (let i = 0; i < buckets; i++) {
      let below = 0;
      for (const outcome of STACK_ORDER) {
        const count = panel.counts.get(outcome)?.[i] ?? 0;
        if (count === 0) continue;
        const x0 = layout.x.map(i * BUCKET_S) + 1;
        const x1 = layout.x.map(Math.min(xMax, (i + 1) * BUCKET_S)) - 1;
        const y0 = layout.y.map((below + count) / BUCKET_S);
        const y1 = layout.y.map(below / BUCKET_S);
        bars.push(el('rect', { class: 'rate-bar', x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(0.5, y1 - y0), fill: OUTCOME_COLOUR[outcome] },
          el('title', {}, text(`${panel.f} ${outcome}: ${count} in ${i * BUCKET_S}-${(i + 1) * BUCKET_S} s`))));
        below += count;
      }
    }
    parts.push(el('g', { class: 'rate-panel' },
      bands(layout, faultBands(faults).map((b) => (index === 0 ? b : { ...b, label: undefined }))),
      axes(layout, last ? 'time (s)' : '', 'ops / s', last ? undefined : []),
      el('g', { class: 'rate-bars' }, ...bars),
      el('text', { x: plot.left, y: plot.top - 7, 'font-weight': 'bold' }, text(panelTitle(panel)))));
  });

  const body =
    header(`Throughput: ${ops.length} completed operations`, `completed per second (${BUCKET_S} s bars, stacked by outcome), one panel per operation`, width) +
    parts.join('') +
    legend(legendEntries, left + plotWidth + 12, top);
  return svgDocument(width, height, body);
}
