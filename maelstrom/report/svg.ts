// A small chart toolkit producing standalone SVG text: the bench report and the benchmarks draw
// with it. Pure functions from data to strings; no DOM, no dependencies. Building blocks (header,
// axes, legend, bands, markers) are exported so unusual charts such as the election timeline can
// reuse the look of the standard ones (scatter, line/step, CDF, grouped bars).
import { el, text, coord, approximateTextWidth, formatNumber } from './svg-text.ts';
import { linearScale, logScale, niceLinearDomain, niceLogDomain, type AxisKind, type Scale } from './scale.ts';

export { escapeXml, formatNumber } from './svg-text.ts';
export { niceTicks, logTicks, type AxisKind, type Scale } from './scale.ts';

/** Okabe-Ito colours: distinguishable with the common forms of colour blindness. */
export const PALETTE = {
  blue: '#0072B2',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  black: '#000000',
} as const;

/** The order series take colours in when the caller does not choose. */
export const SERIES_COLOURS: readonly string[] = [
  PALETTE.blue, PALETTE.orange, PALETTE.green, PALETTE.vermillion, PALETTE.purple, PALETTE.skyBlue, PALETTE.black, PALETTE.yellow,
];

export const FONT_FAMILY = 'Helvetica, Arial, sans-serif';
const FONT_SIZE = 12;
const TITLE_SIZE = 16;

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';

export type LineDash = 'solid' | 'dashed' | 'dotted';

const DASH_ARRAY: Record<LineDash, string | undefined> = { solid: undefined, dashed: '7 4', dotted: '2 3' };

export interface Point {
  x: number;
  y: number;
}

export type LegendSwatch =
  | { kind: 'marker'; shape: MarkerShape; colour: string }
  | { kind: 'line'; colour: string; dash?: LineDash }
  | { kind: 'band'; colour: string; opacity: number }
  | { kind: 'bar'; colour: string };

export interface LegendEntry {
  label: string;
  swatch: LegendSwatch;
}

/** A shaded stretch of the x axis (a partition, a killed node), drawn behind the data. */
export interface Band {
  start: number;
  end: number;
  colour: string;
  opacity: number;
  /** Short text written at the top of the band (omitted when the band is too narrow for it). */
  label?: string;
  /** Longer text shown as a tooltip when the SVG is viewed in a browser. */
  tooltip?: string;
  /** Text line the label goes on (0 = top): lets overlapping kinds of band keep readable labels. */
  labelRow?: number;
}

export interface AxisSpec {
  label: string;
  kind?: AxisKind;
  /** Fixed ends; otherwise taken from the data and rounded outward. */
  min?: number;
  max?: number;
}

export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface PlotLayout {
  width: number;
  height: number;
  plot: PlotArea;
  x: Scale;
  y: Scale;
}

export interface FrameSpec {
  title: string;
  subtitle?: string;
  width?: number;
  height?: number;
  x: AxisSpec;
  y: AxisSpec;
  legend?: readonly LegendEntry[];
  bands?: readonly Band[];
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Wraps a body into an <svg> element; `standalone` adds the XML declaration for a .svg file. */
export function svgDocument(width: number, height: number, body: string, standalone = true): string {
  const svg = el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${coord(width)} ${coord(height)}`, 'font-family': FONT_FAMILY, 'font-size': FONT_SIZE },
    el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
    body,
  );
  return standalone ? `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n` : svg;
}

export function header(title: string, subtitle: string | undefined, width: number): string {
  const titleText = el('text', { x: width / 2, y: 22, 'text-anchor': 'middle', 'font-size': TITLE_SIZE, 'font-weight': 'bold' }, text(title));
  if (subtitle === undefined || subtitle === '') return titleText;
  return titleText + el('text', { x: width / 2, y: 40, 'text-anchor': 'middle', fill: '#444444' }, text(subtitle));
}

/** One marker centred on (x, y); `size` is roughly its diameter. Colour comes from the parent <g>. */
export function marker(shape: MarkerShape, x: number, y: number, size = 5, className = 'point'): string {
  const r = size / 2;
  switch (shape) {
    case 'circle':
      return el('circle', { class: className, cx: x, cy: y, r });
    case 'square':
      return el('rect', { class: className, x: x - r, y: y - r, width: size, height: size });
    case 'triangle':
      return el('path', { class: className, d: `M${coord(x)} ${coord(y - r * 1.15)}L${coord(x + r * 1.15)} ${coord(y + r)}L${coord(x - r * 1.15)} ${coord(y + r)}Z` });
    case 'diamond':
      return el('path', { class: className, d: `M${coord(x)} ${coord(y - r * 1.3)}L${coord(x + r)} ${coord(y)}L${coord(x)} ${coord(y + r * 1.3)}L${coord(x - r)} ${coord(y)}Z` });
    case 'cross':
      return el('path', { class: className, d: `M${coord(x - r)} ${coord(y - r)}L${coord(x + r)} ${coord(y + r)}M${coord(x - r)} ${coord(y + r)}L${coord(x + r)} ${coord(y - r)}`, fill: 'none', 'stroke-width': 1.5 });
  }
}

/** A <g> that colours markers: filled shapes use fill, the cross uses stroke. */
export function markerGroup(colour: string, opacity: number, markers: string, className = 'series'): string {
  return el('g', { class: className, fill: colour, stroke: colour, 'fill-opacity': opacity, 'stroke-opacity': Math.min(1, opacity + 0.2), 'stroke-width': 0.5 }, markers);
}

const LEGEND_ROW = 18;
const LEGEND_SWATCH = 22;

export function legendWidth(entries: readonly LegendEntry[]): number {
  if (entries.length === 0) return 0;
  return LEGEND_SWATCH + 6 + Math.max(...entries.map((e) => approximateTextWidth(e.label, FONT_SIZE))) + 12;
}

function swatch(s: LegendSwatch, x: number, y: number): string {
  switch (s.kind) {
    case 'marker':
      return markerGroup(s.colour, 0.9, marker(s.shape, x + LEGEND_SWATCH / 2, y, 8, 'legend-point'), 'legend-marker');
    case 'line':
      return el('line', { x1: x, y1: y, x2: x + LEGEND_SWATCH, y2: y, stroke: s.colour, 'stroke-width': 2, 'stroke-dasharray': DASH_ARRAY[s.dash ?? 'solid'] });
    case 'band':
      return el('rect', { x, y: y - 6, width: LEGEND_SWATCH, height: 12, fill: s.colour, 'fill-opacity': s.opacity, stroke: s.colour, 'stroke-opacity': Math.min(1, s.opacity * 2) });
    case 'bar':
      return el('rect', { x: x + 3, y: y - 6, width: LEGEND_SWATCH - 6, height: 12, fill: s.colour });
  }
}

/** A vertical legend whose top-left corner is (x, y). */
export function legend(entries: readonly LegendEntry[], x: number, y: number): string {
  const rows = entries.map((entry, i) => {
    const rowY = y + LEGEND_ROW * i + LEGEND_ROW / 2;
    return swatch(entry.swatch, x, rowY) + el('text', { x: x + LEGEND_SWATCH + 6, y: rowY + 4 }, text(entry.label));
  });
  return el('g', { class: 'legend' }, ...rows);
}

/** Shaded vertical bands over the plot area, clipped to the x domain. */
export function bands(layout: PlotLayout, items: readonly Band[]): string {
  const { plot, x } = layout;
  const [d0, d1] = x.domain;
  const parts: string[] = [];
  for (const band of items) {
    const start = Math.max(Math.min(band.start, band.end), d0);
    const end = Math.min(Math.max(band.start, band.end), d1);
    if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) continue;
    const x0 = x.map(start);
    const width = Math.max(1, x.map(end) - x0);
    const tooltip = band.tooltip ?? band.label;
    const rect = el('rect', { class: 'band', x: x0, y: plot.top, width, height: plot.height, fill: band.colour, 'fill-opacity': band.opacity },
      tooltip === undefined ? '' : el('title', {}, text(tooltip)));
    const fits = band.label !== undefined && approximateTextWidth(band.label, 10) + 4 < width;
    const label = fits && band.label !== undefined
      ? el('text', { x: x0 + 3, y: plot.top + 11 + 12 * (band.labelRow ?? 0), 'font-size': 10, fill: '#555555' }, text(band.label))
      : '';
    parts.push(rect + label);
  }
  return el('g', { class: 'bands' }, ...parts);
}

export interface TickLabel {
  at: number;
  label: string;
}

/** Grid lines, tick labels and axis titles. `xTicks` replaces the x scale's own ticks (categories). */
export function axes(layout: PlotLayout, xLabel: string, yLabel: string, xTicks?: readonly TickLabel[], yTicks?: readonly TickLabel[]): string {
  const { plot, x, y } = layout;
  const bottom = plot.top + plot.height;
  const right = plot.left + plot.width;
  const parts: string[] = [];
  const xTickList = xTicks ?? x.ticks().map((at) => ({ at, label: x.format(at) }));
  for (const tick of xTickList) {
    const px = x.map(tick.at);
    if (xTicks === undefined) parts.push(el('line', { x1: px, y1: plot.top, x2: px, y2: bottom, stroke: '#e4e4e4' }));
    parts.push(el('line', { x1: px, y1: bottom, x2: px, y2: bottom + 5, stroke: '#333333' }));
    parts.push(el('text', { x: px, y: bottom + 18, 'text-anchor': 'middle' }, text(tick.label)));
  }
  const yTickList = yTicks ?? y.ticks().map((at) => ({ at, label: y.format(at) }));
  for (const tick of yTickList) {
    const py = y.map(tick.at);
    parts.push(el('line', { x1: plot.left, y1: py, x2: right, y2: py, stroke: '#e4e4e4' }));
    parts.push(el('line', { x1: plot.left - 5, y1: py, x2: plot.left, y2: py, stroke: '#333333' }));
    parts.push(el('text', { x: plot.left - 8, y: py + 4, 'text-anchor': 'end' }, text(tick.label)));
  }
  parts.push(el('rect', { x: plot.left, y: plot.top, width: plot.width, height: plot.height, fill: 'none', stroke: '#333333' }));
  parts.push(el('text', { x: plot.left + plot.width / 2, y: bottom + 38, 'text-anchor': 'middle' }, text(xLabel)));
  const yMid = plot.top + plot.height / 2;
  parts.push(el('text', { x: 16, y: yMid, 'text-anchor': 'middle', transform: `rotate(-90 16 ${coord(yMid)})` }, text(yLabel)));
  return el('g', { class: 'axes' }, ...parts);
}

function extent(values: readonly number[], fallback: [number, number]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : fallback;
}

function scaleFor(spec: AxisSpec, data: readonly number[], range: readonly [number, number]): Scale {
  if (spec.kind === 'log') {
    const [min, max] = extent(data.filter((v) => v > 0), [1, 10]);
    const [lo, hi] = niceLogDomain(spec.min ?? min, spec.max ?? max);
    return logScale([spec.min ?? lo, spec.max ?? hi], range);
  }
  const [min, max] = extent(data, [0, 1]);
  const [lo, hi] = niceLinearDomain(spec.min ?? min, spec.max ?? max);
  return linearScale([spec.min ?? lo, spec.max ?? hi], range);
}

/** Chooses the plot rectangle (leaving room for title, axes and legend) and the scales. */
export function layout(frame: FrameSpec, xData: readonly number[], yData: readonly number[]): PlotLayout {
  const width = frame.width ?? 900;
  const height = frame.height ?? 500;
  const legendSpace = legendWidth(frame.legend ?? []);
  const top = frame.subtitle !== undefined && frame.subtitle !== '' ? 54 : 40;
  const plot: PlotArea = { left: 70, top, width: Math.max(100, width - 70 - 20 - legendSpace), height: Math.max(100, height - top - 55) };
  return {
    width,
    height,
    plot,
    x: scaleFor(frame.x, xData, [plot.left, plot.left + plot.width]),
    y: scaleFor(frame.y, yData, [plot.top + plot.height, plot.top]),
  };
}

/** A short deterministic hash (FNV-1a) used to make element ids unique without global state. */
function contentHash(content: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < content.length; i++) {
    hash ^= content.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/** Header, bands, axes, the caller's layers (clipped to the plot area) and the legend. */
export function frameChart(frame: FrameSpec, chartLayout: PlotLayout, layers: string, xTicks?: readonly TickLabel[]): string {
  const { plot, width, height } = chartLayout;
  // Unique per chart content, so several charts inlined into one HTML page do not share a clip.
  const clipId = `plot-clip-${contentHash(frame.title + layers)}`;
  const clip = el('clipPath', { id: clipId }, el('rect', { x: plot.left, y: plot.top, width: plot.width, height: plot.height }));
  const body =
    el('defs', {}, clip) +
    header(frame.title, frame.subtitle, width) +
    bands(chartLayout, frame.bands ?? []) +
    axes(chartLayout, frame.x.label, frame.y.label, xTicks) +
    el('g', { 'clip-path': `url(#${clipId})` }, layers) +
    legend(frame.legend ?? [], plot.left + plot.width + 12, plot.top);
  return svgDocument(width, height, body);
}

// ---------------------------------------------------------------------------------------------
// Standard charts

export interface ScatterSeries {
  label: string;
  colour: string;
  shape: MarkerShape;
  points: readonly Point[];
}

function finitePoints(points: readonly Point[]): Point[] {
  return points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
}

function usablePoints(points: readonly Point[], yKind: AxisKind | undefined): Point[] {
  const finite = finitePoints(points);
  return yKind === 'log' ? finite.filter((p) => p.y > 0) : finite;
}

/** Scatter plot; the legend lists every series (plus any entries the frame already has, e.g. bands). */
export function scatterChart(frame: FrameSpec, series: readonly ScatterSeries[]): string {
  const cleaned = series.map((s) => ({ ...s, points: usablePoints(s.points, frame.y.kind) }));
  const legendEntries: LegendEntry[] = [
    ...cleaned.map((s): LegendEntry => ({ label: s.label, swatch: { kind: 'marker', shape: s.shape, colour: s.colour } })),
    ...(frame.legend ?? []),
  ];
  const full = { ...frame, legend: legendEntries };
  const all = cleaned.flatMap((s) => s.points);
  const chartLayout = layout(full, all.map((p) => p.x), all.map((p) => p.y));
  const layers = cleaned
    .map((s) => markerGroup(s.colour, 0.65, s.points.map((p) => marker(s.shape, chartLayout.x.map(p.x), chartLayout.y.map(p.y), 5)).join('')))
    .join('');
  return frameChart(full, chartLayout, layers);
}

export interface LineSeries {
  label: string;
  colour: string;
  points: readonly Point[];
  /** Draw as a staircase: each value holds until the next point's x. */
  step?: boolean;
  dash?: LineDash;
}

/** SVG path data for a polyline or staircase through already-mapped pixel points. */
export function linePath(pixels: readonly Point[], step: boolean): string {
  let d = '';
  pixels.forEach((p, i) => {
    if (i === 0) d += `M${coord(p.x)} ${coord(p.y)}`;
    else if (step) d += `H${coord(p.x)}V${coord(p.y)}`;
    else d += `L${coord(p.x)} ${coord(p.y)}`;
  });
  return d;
}

function lineLayers(chartLayout: PlotLayout, series: readonly LineSeries[]): string {
  return series
    .filter((s) => s.points.length > 0)
    .map((s) => {
      const pixels = s.points.map((p) => ({ x: chartLayout.x.map(p.x), y: chartLayout.y.map(p.y) }));
      return el('path', { class: 'line', d: linePath(pixels, s.step === true), fill: 'none', stroke: s.colour, 'stroke-width': 1.8, 'stroke-dasharray': DASH_ARRAY[s.dash ?? 'solid'], 'stroke-linejoin': 'round' });
    })
    .join('');
}

export function lineChart(frame: FrameSpec, series: readonly LineSeries[]): string {
  const cleaned = series.map((s) => ({ ...s, points: usablePoints(s.points, frame.y.kind) }));
  const legendEntries: LegendEntry[] = [
    ...cleaned.map((s): LegendEntry => ({ label: s.label, swatch: { kind: 'line', colour: s.colour, dash: s.dash ?? 'solid' } })),
    ...(frame.legend ?? []),
  ];
  const full = { ...frame, legend: legendEntries };
  const all = cleaned.flatMap((s) => s.points);
  const chartLayout = layout(full, all.map((p) => p.x), all.map((p) => p.y));
  return frameChart(full, chartLayout, lineLayers(chartLayout, cleaned));
}

export interface Distribution {
  label: string;
  values: readonly number[];
  colour?: string;
}

/** At most `limit` (value, cumulative fraction) steps: enough to draw, small enough to embed. */
export function cdfPoints(values: readonly number[], limit = 400): Point[] {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return [];
  const stride = Math.max(1, Math.ceil(n / limit));
  const points: Point[] = [{ x: sorted[0] ?? 0, y: 0 }];
  for (let i = 0; i < n; i += stride) points.push({ x: sorted[i] ?? 0, y: (i + 1) / n });
  points.push({ x: sorted[n - 1] ?? 0, y: 1 });
  return points;
}

/** Empirical CDFs of several distributions on one plot; x may be log (latencies). */
export function cdfChart(options: { title: string; subtitle?: string; xLabel: string; yLabel?: string; logX?: boolean; distributions: readonly Distribution[]; width?: number; height?: number }): string {
  const series: LineSeries[] = options.distributions.map((d, i) => ({
    label: `${d.label} (n=${formatNumber(d.values.length)})`,
    colour: d.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length] ?? PALETTE.black,
    points: cdfPoints(options.logX === true ? d.values.filter((v) => v > 0) : d.values),
    step: true,
  }));
  const frame: FrameSpec = {
    title: options.title,
    subtitle: options.subtitle,
    width: options.width,
    height: options.height,
    x: { label: options.xLabel, kind: options.logX === true ? 'log' : 'linear' },
    y: { label: options.yLabel ?? 'fraction of operations at or below', min: 0, max: 1 },
  };
  return lineChart(frame, series);
}

export interface BarGroup {
  label: string;
  colour?: string;
  /** One value per category; missing or non-finite values draw no bar. */
  values: readonly number[];
}

/** Grouped bars: one cluster per category, one bar per group inside each cluster. */
export function barChart(options: { title: string; subtitle?: string; yLabel: string; xLabel?: string; categories: readonly string[]; groups: readonly BarGroup[]; width?: number; height?: number }): string {
  const groups = options.groups.map((g, i) => ({ ...g, colour: g.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length] ?? PALETTE.black }));
  const frame: FrameSpec = {
    title: options.title,
    subtitle: options.subtitle,
    width: options.width,
    height: options.height,
    x: { label: options.xLabel ?? '', min: 0, max: Math.max(1, options.categories.length) },
    y: { label: options.yLabel, min: 0 },
    legend: groups.map((g): LegendEntry => ({ label: g.label, swatch: { kind: 'bar', colour: g.colour } })),
  };
  const values = groups.flatMap((g) => g.values.filter((v) => Number.isFinite(v)));
  const chartLayout = layout(frame, [0, options.categories.length], [0, ...values]);
  const slot = chartLayout.plot.width / Math.max(1, options.categories.length);
  const barWidth = (slot * 0.8) / Math.max(1, groups.length);
  const bars: string[] = [];
  options.categories.forEach((category, c) => {
    groups.forEach((g, k) => {
      const value = g.values[c];
      if (value === undefined || !Number.isFinite(value)) return;
      const x = chartLayout.plot.left + slot * c + slot * 0.1 + barWidth * k;
      const y = chartLayout.y.map(Math.max(0, value));
      const base = chartLayout.y.map(0);
      bars.push(el('rect', { class: 'bar', x, y, width: Math.max(1, barWidth - 1), height: Math.max(0, base - y), fill: g.colour }, el('title', {}, text(`${category} / ${g.label}: ${formatNumber(value)}`))));
    });
  });
  const ticks = options.categories.map((label, c) => ({ at: c + 0.5, label }));
  return frameChart(frame, chartLayout, bars.join(''), ticks);
}
