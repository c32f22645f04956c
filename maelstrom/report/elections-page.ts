// elections.html: the election timeline plus a table of every election, self-contained (inline
// SVG and CSS, nothing fetched), so a student can open it offline or paste it as evidence.
import { escapeXml, formatNumber } from './svg-text.ts';
import type { FaultPeriod, PartitionPeriod } from './fault-periods.ts';
import type { Election, LeadershipTimeline } from './leadership.ts';

function s3(seconds: number): string {
  return seconds.toFixed(3);
}

function ms(seconds: number): string {
  return String(Math.round(seconds * 1000));
}

function cell(content: string, numeric = false): string {
  return numeric ? `<td class="num">${escapeXml(content)}</td>` : `<td>${escapeXml(content)}</td>`;
}

function partitionAt(faults: readonly FaultPeriod[], atS: number): PartitionPeriod | undefined {
  return faults.find((f): f is PartitionPeriod => f.kind === 'partition' && f.startS <= atS && atS <= f.endS);
}

function previousLeaderText(e: Election): string {
  if (e.previous === undefined) return 'none (first leader)';
  const p = e.previous;
  const how = p.endedBy === 'stepped-down' ? 'stepped down' : p.endedBy === 'test-end' ? 'still leading' : p.endedBy;
  return p.endS <= e.atS
    ? `${p.node} (t${p.term}), ${how} at ${s3(p.endS)} s`
    : `${p.node} (t${p.term}) still believed it led until ${s3(p.endS)} s`;
}

function electionRow(e: Election, n: number, faults: readonly FaultPeriod[]): string {
  const partition = partitionAt(faults, e.atS);
  return '<tr>' +
    cell(String(n), true) +
    cell(s3(e.atS), true) +
    cell(e.node) +
    cell(String(e.term), true) +
    cell(e.candidateSinceS === undefined ? '' : ms(e.atS - e.candidateSinceS), true) +
    cell(previousLeaderText(e)) +
    cell(e.leaderlessForS === undefined ? '' : `${ms(e.leaderlessForS)}${e.lostBy === 'partition-started' ? ' *' : ''}`, true) +
    cell(partition === undefined ? '' : partition.description === '' ? 'yes' : partition.description) +
    '</tr>';
}

/**
 * The leaderless gaps in words. Up to four are listed (a median of two, the mean of a short and a
 * long gap, describes neither); more get the median (the middle gap, or the two middle ones).
 */
export function gapsText(gapsS: readonly number[]): string | undefined {
  if (gapsS.length === 0) return undefined;
  const sorted = [...gapsS].sort((a, b) => a - b);
  const count = `over ${sorted.length} handover${sorted.length === 1 ? '' : 's'}`;
  if (sorted.length <= 4) return `leaderless gap${sorted.length === 1 ? '' : 's'} ${sorted.map((g) => `${ms(g)} ms`).join(', ')} (${count})`;
  const upper = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const lower = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  const median = lower === upper ? `${ms(upper)} ms` : `${ms(lower)}-${ms(upper)} ms`;
  return `leaderless gap median ${median}, max ${ms(sorted[sorted.length - 1] ?? 0)} ms (${count})`;
}

export function summaryText(timeline: LeadershipTimeline): string {
  const gaps = timeline.elections.flatMap((e) => (e.leaderlessForS === undefined ? [] : [e.leaderlessForS]));
  const parts = [
    `${timeline.elections.length} election${timeline.elections.length === 1 ? '' : 's'} won`,
    `${timeline.candidacies.length} candidac${timeline.candidacies.length === 1 ? 'y' : 'ies'}`,
  ];
  const gapPart = gapsText(gaps);
  if (gapPart !== undefined) parts.push(gapPart);
  return parts.join('; ');
}

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
p.note { color: #555; font-size: 13px; max-width: 900px; }
`;

export interface ElectionsPageInput {
  timeline: LeadershipTimeline;
  faults: readonly FaultPeriod[];
  /** The timeline as an inline <svg> element (no XML declaration). */
  svg: string;
  title: string;
  testStartIso: string;
}

export function electionsHtml(input: ElectionsPageInput): string {
  const { timeline, faults } = input;
  const electionRows = timeline.elections.map((e, i) => electionRow(e, i + 1, faults)).join('\n');
  const faultRows = faults.map((f) => '<tr>' + cell(f.kind) + cell(s3(f.startS), true) + cell(f.openAtEnd ? 'end of test' : s3(f.endS), true) + cell(f.kind === 'partition' ? f.description : `${f.node} down`) + '</tr>').join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>${escapeXml(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(input.title)}</h1>
<p>${escapeXml(summaryText(timeline))}. Test started at ${escapeXml(input.testStartIso)}; times are seconds since then.</p>
${input.svg}
<h2>Elections</h2>
<p class="note">One row per "elected leader" line in the node logs. Campaign: time from becoming candidate to winning.
Leaderless: time from the previous leader's end (step-down, kill or restart) to this election; marked * when the previous
leader still believed it led (cut off by a partition): then it is counted from the start of that partition, and left blank
when no partition explains it.</p>
<table class="elections">
<thead><tr><th>#</th><th>time (s)</th><th>node</th><th>term</th><th>campaign (ms)</th><th>previous leader</th><th>leaderless (ms)</th><th>during partition</th></tr></thead>
<tbody>
${electionRows}
</tbody>
</table>
<h2>Faults</h2>
<table class="faults">
<thead><tr><th>kind</th><th>start (s)</th><th>end (s)</th><th>description</th></tr></thead>
<tbody>
${faultRows}
</tbody>
</table>
<p class="note">${escapeXml(formatNumber(timeline.candidacies.length))} candidacies and ${escapeXml(formatNumber(timeline.starts.length))} process starts were found in the logs.</p>
</body>
</html>
`;
}
