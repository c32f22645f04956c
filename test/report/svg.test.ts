import { describe, expect, it } from 'vitest';
import { barChart, cdfChart, escapeXml, lineChart, logTicks, niceTicks, scatterChart, PALETTE } from '../../maelstrom/report/svg.ts';
import { countClass, xmlProblems } from './xml-check.ts';

describe('ticks', () => {
  it('are 1/2/5 multiples covering the range', () => {
    expect(niceTicks(0, 30, 6)).toEqual([0, 5, 10, 15, 20, 25, 30]);
    expect(niceTicks(0.1, 0.7, 6)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(niceTicks(-3, 17, 4)).toEqual([0, 5, 10, 15]);
  });
  it('are decades on a wide log range, with 2 and 5 added on a narrow one', () => {
    expect(logTicks(0.1, 10000)).toEqual([0.1, 1, 10, 100, 1000, 10000]);
    expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters and replaces characters XML forbids', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0001`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\uFFFD');
  });
});

const hostile = 'n<0> & "friends"';

describe('charts', () => {
  it('scatter: one marker per finite point, bands drawn, hostile text escaped', () => {
    const svg = scatterChart(
      { title: hostile, x: { label: 'time (s)' }, y: { label: 'latency (ms)', kind: 'log' }, bands: [{ start: 1, end: 2, colour: '#888888', opacity: 0.2, label: hostile }] },
      [
        { label: hostile, colour: PALETTE.blue, shape: 'circle', points: [{ x: 0, y: 1 }, { x: 1, y: 10 }, { x: 2, y: Number.NaN }] },
        { label: 'b', colour: PALETTE.orange, shape: 'cross', points: [{ x: 3, y: 0 }, { x: 3, y: 1000 }] },
      ],
    );
    expect(xmlProblems(svg)).toEqual([]);
    // NaN is dropped everywhere; a zero cannot sit on a log axis and is dropped too.
    expect(countClass(svg, 'point')).toBe(3);
    expect(countClass(svg, 'legend-point')).toBe(2);
    expect(countClass(svg, 'band')).toBe(1);
    expect(svg).toContain(escapeXml(hostile));
    expect(svg).not.toContain(hostile);
  });

  it('line, CDF and bar charts are well-formed, even with no data', () => {
    const charts = [
      lineChart({ title: 'l', x: { label: 'x' }, y: { label: 'y' } }, [{ label: 's', colour: PALETTE.green, points: [{ x: 0, y: 1 }, { x: 1, y: 3 }], step: true, dash: 'dotted' }]),
      lineChart({ title: 'empty', x: { label: 'x' }, y: { label: 'y', kind: 'log' } }, []),
      cdfChart({ title: 'cdf', xLabel: 'ms', logX: true, distributions: [{ label: 'a', values: [1, 2, 3, 50] }, { label: 'b', values: [] }] }),
      barChart({ title: 'bars', yLabel: 'ops/s', categories: ['3 nodes', '5 nodes'], groups: [{ label: 'ours', values: [10, 20] }, { label: 'theirs', values: [5, Number.NaN] }] }),
      barChart({ title: 'no bars', yLabel: 'y', categories: [], groups: [] }),
    ];
    for (const svg of charts) expect(xmlProblems(svg)).toEqual([]);
    expect(countClass(charts[0] ?? '', 'line')).toBe(1);
    expect(countClass(charts[2] ?? '', 'line')).toBe(1);
    expect(countClass(charts[3] ?? '', 'bar')).toBe(3);
  });
});
