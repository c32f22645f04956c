// writeReport end to end on a small synthetic run whose counts are known by construction.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryOp, Json } from '../../maelstrom/history.ts';
import { writeReport, type ReportInput } from '../../maelstrom/report/index.ts';
import { demoReportInput } from '../../maelstrom/report/demo-data.ts';
import { countClass, xmlProblems } from './xml-check.ts';

const START = Date.parse('2026-03-01T12:00:00.000Z');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'report-test-'));
  dirs.push(dir);
  return dir;
}

function read(files: readonly string[], name: string): string {
  const path = files.find((f) => basename(f) === name);
  if (path === undefined) throw new Error(`${name} not written`);
  return readFileSync(path, 'utf8');
}

/** A run built op by op: 3 processes, 2 partitions (the second open at the end), n2 killed and restarted. */
function syntheticRun(): { input: ReportInput; completed: number; elections: { node: string; term: number }[] } {
  const history: HistoryOp[] = [];
  const push = (seconds: number, process: number | 'nemesis', type: HistoryOp['type'], f: string, value: Json, node?: string): void => {
    const op: HistoryOp = { index: history.length, time: Math.round(seconds * 1e9), process, type, f, value };
    if (node !== undefined) op.node = node;
    history.push(op);
  };
  let completed = 0;
  const outcomes: HistoryOp['type'][] = ['ok', 'ok', 'fail', 'info'];
  const fs = ['read', 'write', 'cas'];
  push(1, 'nemesis', 'info', 'start-partition', 'one');
  push(1.001, 'nemesis', 'info', 'start-partition', { description: 'isolated <n0> & co', grudge: { n0: ['n1', 'n2'] } });
  for (let i = 0; i < 60; i++) {
    const process = i % 3;
    const t = 0.1 + i * 0.15;
    const f = fs[i % 3] ?? 'read';
    push(t, process, 'invoke', f, [i % 4, null], `n${process}`);
    push(t + 0.002 * (1 + (i % 5)), process, outcomes[i % 4] ?? 'ok', f, [i % 4, 1], `n${process}`);
    completed += 1;
    if (i === 20) push(3, 'nemesis', 'info', 'stop-partition', null);
    if (i === 30) push(4.5, 'nemesis', 'info', 'kill', 'n2');
    if (i === 40) push(6.1, 'nemesis', 'info', 'restart', 'n2');
  }
  push(9.5, 0, 'invoke', 'read', [0, null], 'n0'); // never completes: no latency, no point
  push(9.6, 'nemesis', 'info', 'start-partition', { description: 'n1 | n0 n2', grudge: { n1: ['n0', 'n2'] } });
  const at = (s: number): string => new Date(START + s * 1000).toISOString();
  const nodeLogs = {
    n0: [`${at(0)} n0 [follower t0] started as follower, term 0, log length 0`, `${at(0.2)} n0 [candidate t1] became candidate for term 1`, `${at(0.21)} n0 [leader t1] elected leader for term 1`, `${at(1.5)} n0 [follower t1] stepped down to follower, term 1 (lost contact with a quorum)`, 'Error: junk', `${at(7)} n0 [candidate t3] became candidate for term 3`, `${at(7.01)} n0 [leader t3] elected leader for term 3`].join('\n'),
    n1: [`${at(0)} n1 [follower t0] started as follower, term 0, log length 0`, `${at(1.3)} n1 [candidate t2] became candidate for term 2`, `${at(1.31)} n1 [leader t2] elected leader for term 2`, `${at(6.9)} n1 [follower t3] stepped down to follower, term 3 (saw term 3 from n0)`].join('\n'),
    n2: `${at(0)} n2 [follower t0] started as follower, term 0, log length 0\n${at(6.2)} n2 [follower t2] started as follower, term 2, log length 9\n\u0000\u0007 torn`,
  };
  const elections = [{ node: 'n0', term: 1 }, { node: 'n1', term: 2 }, { node: 'n0', term: 3 }];
  return { input: { history, testStartEpochMs: START, timeLimitS: 10, nodeLogs }, completed, elections };
}

describe('writeReport', () => {
  const run = syntheticRun();
  const { files } = writeReport(freshDir(), run.input);

  it('writes the four files and returns their absolute paths', () => {
    expect(files.map((f) => basename(f)).sort()).toEqual(['elections.html', 'elections.svg', 'latency-raw.svg', 'rate.svg']);
    for (const f of files) expect(isAbsolute(f)).toBe(true);
  });

  it('produces well-formed documents with the hostile partition description escaped', () => {
    for (const name of ['latency-raw.svg', 'rate.svg', 'elections.svg', 'elections.html']) {
      const doc = read(files, name);
      expect(xmlProblems(doc), name).toEqual([]);
      expect(doc, name).not.toContain('<n0>');
    }
    expect(read(files, 'elections.html')).toContain('isolated &lt;n0&gt; &amp; co');
  });

  it('latency-raw has one point per completed op and one band per fault period', () => {
    const svg = read(files, 'latency-raw.svg');
    expect(countClass(svg, 'point')).toBe(run.completed);
    // partition 1-3 s, n2 down 4.5-6.1 s, partition from 9.6 s to the end
    expect(countClass(svg, 'band')).toBe(3);
    expect(svg).toContain(`Raw latency: ${run.completed} operations`);
  });

  it('rate: one panel per function, each shading the same periods, one stacked bar piece per non-empty (second, outcome)', () => {
    const svg = read(files, 'rate.svg');
    expect(countClass(svg, 'rate-panel')).toBe(3);
    expect(countClass(svg, 'band')).toBe(3 * 3);
    // Expected pieces from the synthetic history: (function, whole second, outcome) triples.
    const pieces = new Set<string>();
    const ops = run.input.history.filter((op) => op.process !== 'nemesis' && op.type !== 'invoke');
    for (const op of ops) pieces.add(`${op.f} ${Math.floor(op.time / 1e9)} ${op.type}`);
    expect(countClass(svg, 'rate-bar')).toBe(pieces.size);
    for (const f of ['read', 'write', 'cas']) expect(svg).toMatch(new RegExp(`>${f}: 20 \\(`));
  });

  it('elections timeline draws every leadership, candidacy, kill and restart', () => {
    const svg = read(files, 'elections.svg');
    expect(countClass(svg, 'leader-bar')).toBe(run.elections.length);
    expect(countClass(svg, 'candidacy')).toBe(3);
    expect(countClass(svg, 'node-down')).toBe(1);
    expect(countClass(svg, 'restart')).toBe(1);
    expect(countClass(svg, 'partition')).toBe(2);
  });

  it('the HTML table lists every election of the logs, in order', () => {
    const html = read(files, 'elections.html');
    const table = html.slice(html.indexOf('<table class="elections">'), html.indexOf('</table>'));
    const rows = [...table.matchAll(/<tr><td class="num">\d+<\/td><td class="num">([\d.]+)<\/td><td>(\w+)<\/td><td class="num">(\d+)<\/td>/g)];
    expect(rows.map((r) => ({ node: r[2], term: Number(r[3]) }))).toEqual(run.elections);
    expect(rows.map((r) => Number(r[1]))).toEqual([0.21, 1.31, 7.01]);
    expect(html).not.toMatch(/<(script|link|img)\b/); // self-contained
  });
});

describe('writeReport on poor input', () => {
  it('still writes well-formed files with no history, no logs and an unknown start time', () => {
    const { files } = writeReport(freshDir(), { history: [], testStartEpochMs: Number.NaN, timeLimitS: 0, nodeLogs: { n0: 'junk', n1: '' } });
    expect(files).toHaveLength(4);
    for (const f of files) expect(xmlProblems(readFileSync(f, 'utf8')), f).toEqual([]);
  });

  it('handles the demo run (a few thousand ops) without malformed output', () => {
    const input = demoReportInput(7);
    const { files } = writeReport(freshDir(), input);
    for (const f of files) expect(xmlProblems(readFileSync(f, 'utf8')), f).toEqual([]);
    const elected = Object.values(input.nodeLogs).join('\n').match(/elected leader for term/g) ?? [];
    expect(countClass(read(files, 'elections.svg'), 'leader-bar')).toBe(elected.length);
  });
});
