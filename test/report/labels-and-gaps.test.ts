// Text the election report shows: partition labels that wrap instead of being cut, and leaderless
// gaps reported honestly (no "median" of two values that is really their mean).
import { describe, expect, it } from 'vitest';
import { labelLines } from '../../maelstrom/report/elections-chart.ts';
import { gapsText } from '../../maelstrom/report/elections-page.ts';
import { approximateTextWidth } from '../../maelstrom/report/svg-text.ts';

describe('partition labels', () => {
  const ring = 'n1 -/-> n0, n2 -/-> n1, n0 -/-> n2';

  it('stays on one line when it fits', () => {
    expect(labelLines(ring, 1000)).toEqual([ring]);
  });

  it('wraps at the cuts when the room is short, every line fitting and no text lost', () => {
    const room = approximateTextWidth('n1 -/-> n0,', 10) + 2;
    const lines = labelLines(ring, room);
    expect(lines).toEqual(['n1 -/-> n0,', 'n2 -/-> n1,', 'n0 -/-> n2']);
    for (const line of lines) expect(approximateTextWidth(line, 10)).toBeLessThanOrEqual(room);
    const split = labelLines('n0 n1 | n2 n3 n4', approximateTextWidth('n0 n1', 10) + 1);
    expect(split[0]).toBe('n0 n1');
    expect(split.join(' ')).toBe('n0 n1 | n2 n3 n4');
  });

  it('shortens only what cannot fit at all, and gives up on a sliver', () => {
    expect(labelLines('abcdefghijklmnopqrstuvwxyz', approximateTextWidth('abcdefgh', 10))[0]).toMatch(/^abcdef.*\u2026$/);
    expect(labelLines(ring, 5)).toEqual([]);
  });
});

describe('leaderless gaps', () => {
  it('lists up to four gaps instead of averaging them', () => {
    expect(gapsText([])).toBeUndefined();
    expect(gapsText([4.002, 0.086])).toBe('leaderless gaps 86 ms, 4002 ms (over 2 handovers)');
    expect(gapsText([0.3])).toBe('leaderless gap 300 ms (over 1 handover)');
  });

  it('gives the middle gap (or the two middle ones) and the max for more', () => {
    expect(gapsText([0.1, 0.5, 0.2, 0.9, 0.3])).toBe('leaderless gap median 300 ms, max 900 ms (over 5 handovers)');
    expect(gapsText([0.1, 0.5, 0.2, 0.9, 0.3, 0.4])).toBe('leaderless gap median 300-400 ms, max 900 ms (over 6 handovers)');
  });
});
