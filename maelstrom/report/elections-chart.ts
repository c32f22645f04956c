// elections.svg: one lane per node showing when it led (a bar per term), when it campaigned, when
// it was down or restarted; a "network" lane on top names each partition; partitions are shaded
// across all lanes.
import { PALETTE, axes, bands, header, legend, legendWidth, marker, markerGroup, svgDocument, type LegendEntry, type PlotLayout, type TickLabel } from './svg.ts';
import { el, text, approximateTextWidth, formatNumber } from './svg-text.ts';
import { linearScale, niceLinearDomain } from './scale.ts';
import type { FaultPeriod, PartitionPeriod } from './fault-periods.ts';
import type { LeadershipTimeline, LeadershipInterval } from './leadership.ts';
import { NODE_DOWN_COLOUR, NODE_DOWN_OPACITY, PARTITION_COLOUR, faultBands, faultLegend, faultTooltip } from './style.ts';

/** Term colours: adjacent terms differ; yellow is left for node-down periods. */
const TERM_COLOURS: readonly string[] = [PALETTE.blue, PALETTE.green, PALETTE.purple, PALETTE.skyBlue, PALETTE.vermillion, PALETTE.orange];

const LANE_HEIGHT = 34;
const BAR_HEIGHT = 16;
/** Extra height per wrapped line of a partition label. */
const LABEL_LINE = 11;
const LABEL_FONT = 10;
/** More lines than this and the label is shortened (the tooltip and elections.html have it whole). */
const MAX_LABEL_LINES = 4;

/**
 * A partition label broken into lines that fit `room` pixels: at ", " or " | " first, then at
 * spaces; a last line that still does not fit ends in an ellipsis. Empty when not even that fits.
 */
export function labelLines(label: string, room: number): string[] {
  const fits = (s: string): boolean => approximateTextWidth(s, LABEL_FONT) <= room;
  if (fits(label)) return [label];
  const words = label.split(/(?<=,) |(?= \| )| (?=\S)/).filter((w) => w !== '');
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const joined = current === '' ? word.trimStart() : `${current} ${word.trimStart()}`;
    if (current === '' || fits(joined)) current = joined;
    else {
      lines.push(current);
      current = word.trimStart();
    }
  }
  if (current !== '') lines.push(current);
  const shown = lines.slice(0, MAX_LABEL_LINES);
  if (lines.length > MAX_LABEL_LINES) shown[MAX_LABEL_LINES - 1] = `${shown[MAX_LABEL_LINES - 1] ?? ''}\u2026`;
  return shown.map((line) => {
    if (fits(line)) return line;
    let cut = line;
    while (cut.length > 1 && !fits(`${cut}\u2026`)) cut = cut.slice(0, -1);
    return cut.length >= 3 ? `${cut}\u2026` : '';
  }).filter((line) => line !== '');
}
const NETWORK_LANE = 'network';

export function termColour(term: number): string {
  return TERM_COLOURS[((term % TERM_COLOURS.length) + TERM_COLOURS.length) % TERM_COLOURS.length] ?? PALETTE.blue;
}

/** n2 before n10: node ids compared by their numeric parts. */
export function compareNodeIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function seconds(s: number): string {
  return `${formatNumber(Math.round(s * 1000) / 1000)} s`;
}

function leadershipTooltip(i: LeadershipInterval): string {
  const ending = i.endedBy === 'stepped-down' ? `stepped down${i.reason !== undefined && i.reason !== '' ? ` (${i.reason})` : ''}` : i.endedBy === 'test-end' ? 'still leader at the end' : i.endedBy;
  return `${i.node} leader of term ${i.term}, ${seconds(i.startS)} to ${seconds(i.endS)}: ${ending}`;
}

export interface ElectionsChartInput {
  nodes: readonly string[];
  timeline: LeadershipTimeline;
  faults: readonly FaultPeriod[];
  endS: number;
  title: string;
  subtitle?: string;
  width?: number;
}

export function electionsSvg(input: ElectionsChartInput, standalone = true): string {
  const { timeline, faults } = input;
  const width = input.width ?? 900;
  const lanes = [NETWORK_LANE, ...input.nodes];
  const legendEntries: LegendEntry[] = [
    { label: 'leader (bar per term)', swatch: { kind: 'bar', colour: termColour(1) } },
    { label: 'became candidate', swatch: { kind: 'marker', shape: 'diamond', colour: PALETTE.black } },
    { label: 'process (re)started', swatch: { kind: 'marker', shape: 'triangle', colour: PALETTE.green } },
    { label: 'killed', swatch: { kind: 'marker', shape: 'cross', colour: PALETTE.vermillion } },
    ...faultLegend(faults),
  ];
  const top = input.subtitle !== undefined ? 54 : 40;
  const plotWidth = Math.max(200, width - 70 - 20 - legendWidth(legendEntries));

  const times = [0, input.endS, ...timeline.intervals.map((i) => i.startS), ...timeline.candidacies.map((c) => c.atS), ...timeline.starts.map((s) => s.atS)];
  // Lines logged during init, just before time 0, are drawn at 0 rather than widening the axis.
  const earliest = times.reduce((a, b) => Math.min(a, b), 0);
  // The axis ends where the test ends (not at a rounder number): the right edge means "end of test".
  const d0 = earliest > -1 ? 0 : niceLinearDomain(earliest, 0)[0];
  const d1 = times.reduce((a, b) => Math.max(a, b), input.endS);
  const xScale = linearScale([d0, d1], [70, 70 + plotWidth]);
  const x = (s: number): number => xScale.map(Math.min(d1, Math.max(d0, s)));

  // Network lane: one bar per partition, labelled so its description can be read without hovering.
  // A label may run past its bar up to the next partition (the healed gap is empty), and wraps
  // onto more lines (the lane grows) before anything is cut.
  const partitions = faults.filter((f): f is PartitionPeriod => f.kind === 'partition');
  const labelled = partitions.map((fault, i) => {
    const next = partitions[i + 1];
    const room = (next === undefined ? 70 + plotWidth : x(next.startS)) - x(fault.startS) - 6;
    return { fault, lines: labelLines(fault.description === '' ? 'partition' : fault.description, room) };
  });
  const labelRows = Math.max(1, ...labelled.map((l) => l.lines.length));
  const networkHeight = LANE_HEIGHT + (labelRows - 1) * LABEL_LINE;
  const plotHeight = networkHeight + LANE_HEIGHT * input.nodes.length;
  const height = top + plotHeight + 55;
  const plot = { left: 70, top, width: plotWidth, height: plotHeight };
  // Lane i's band on the y axis: the network lane first (taller when labels wrap), then the nodes.
  const laneTop = (i: number): number => (i === 0 ? 0 : networkHeight + (i - 1) * LANE_HEIGHT);
  const chartLayout: PlotLayout = {
    width,
    height,
    plot,
    x: xScale,
    y: linearScale([0, plotHeight], [plot.top, plot.top + plot.height]),
  };
  const laneCentre = (lane: string): number => {
    const i = lanes.indexOf(lane);
    return plot.top + laneTop(i) + (i === 0 ? networkHeight : LANE_HEIGHT) / 2;
  };
  const laneTicks: TickLabel[] = lanes.map((lane, i) => ({ at: laneTop(i) + (i === 0 ? networkHeight : LANE_HEIGHT) / 2, label: lane }));

  const parts: string[] = [];
  for (const { fault, lines } of labelled) {
    const x0 = x(fault.startS);
    const barWidth = Math.max(1, x(fault.endS) - x0);
    const barHeight = BAR_HEIGHT + (labelRows - 1) * LABEL_LINE;
    const barTop = laneCentre(NETWORK_LANE) - barHeight / 2;
    parts.push(el('g', { class: 'partition' },
      el('rect', { x: x0, y: barTop, width: barWidth, height: barHeight, fill: PARTITION_COLOUR, 'fill-opacity': 0.45 }, el('title', {}, text(faultTooltip(fault)))),
      ...lines.map((line, row) => el('text', { class: 'partition-label', x: x0 + 3, y: barTop + 12 + row * LABEL_LINE, 'font-size': 10 }, text(line)))));
  }
  for (const fault of faults) {
    if (fault.kind !== 'node-down' || !lanes.includes(fault.node)) continue;
    const cy = laneCentre(fault.node);
    parts.push(el('rect', { class: 'node-down', x: x(fault.startS), y: cy - LANE_HEIGHT / 2 + 2, width: Math.max(1, x(fault.endS) - x(fault.startS)), height: LANE_HEIGHT - 4, fill: NODE_DOWN_COLOUR, 'fill-opacity': NODE_DOWN_OPACITY }, el('title', {}, text(faultTooltip(fault)))));
    parts.push(markerGroup(PALETTE.vermillion, 1, marker('cross', x(fault.startS), cy, 9, 'kill-point'), 'kill'));
  }
  for (const interval of timeline.intervals) {
    if (!lanes.includes(interval.node)) continue;
    const cy = laneCentre(interval.node);
    const x0 = x(interval.startS);
    const barWidth = Math.max(2, x(interval.endS) - x0);
    const label = `t${interval.term}`;
    parts.push(el('g', { class: 'leader-bar' },
      el('rect', { x: x0, y: cy - BAR_HEIGHT / 2, width: barWidth, height: BAR_HEIGHT, fill: termColour(interval.term), rx: 2 }, el('title', {}, text(leadershipTooltip(interval)))),
      approximateTextWidth(label, 10) + 4 < barWidth ? el('text', { x: x0 + 3, y: cy + 4, 'font-size': 10, fill: '#ffffff' }, text(label)) : ''));
  }
  const candidacyMarks = timeline.candidacies
    .filter((c) => lanes.includes(c.node))
    .map((c) => el('g', { class: 'candidacy' }, marker('diamond', x(c.atS), laneCentre(c.node) - BAR_HEIGHT / 2 - 4, 7, 'candidacy-point'), el('title', {}, text(`${c.node} became candidate for term ${c.term} at ${seconds(c.atS)}${c.won ? ' (won)' : ''}`))));
  parts.push(markerGroup(PALETTE.black, 0.85, candidacyMarks.join(''), 'candidacies'));
  // The first start of each node is the test's own launch; later ones are restarts worth marking.
  const seen = new Set<string>();
  const restartMarks: string[] = [];
  for (const start of timeline.starts) {
    if (!seen.has(start.node)) {
      seen.add(start.node);
      continue;
    }
    if (lanes.includes(start.node)) restartMarks.push(el('g', { class: 'restart' }, marker('triangle', x(start.atS), laneCentre(start.node) + BAR_HEIGHT / 2 + 3, 7, 'restart-point'), el('title', {}, text(`${start.node} started again at ${seconds(start.atS)}`))));
  }
  parts.push(markerGroup(PALETTE.green, 1, restartMarks.join(''), 'restarts'));

  const body =
    header(input.title, input.subtitle, width) +
    bands(chartLayout, faultBands(faults.filter((f) => f.kind === 'partition')).map((b) => ({ ...b, label: undefined }))) +
    axes(chartLayout, 'time (s)', 'node', undefined, laneTicks) +
    el('g', { class: 'lanes' }, ...parts) +
    legend(legendEntries, plot.left + plot.width + 12, plot.top);
  return svgDocument(width, height, body, standalone);
}
