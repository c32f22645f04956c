import { describe, expect, it } from 'vitest';
import { nodeEvents, parseLogLine, allNodeEvents } from '../../maelstrom/report/node-log.ts';

const START = Date.parse('2026-01-01T00:00:00.000Z');

function at(seconds: number): string {
  return new Date(START + seconds * 1000).toISOString();
}

describe('parseLogLine', () => {
  it('reads an info line', () => {
    expect(parseLogLine(`${at(1.5)} n1 [leader t3] elected leader for term 3`)).toEqual({
      epochMs: START + 1500, node: 'n1', role: 'leader', term: 3, level: 'info', text: 'elected leader for term 3',
    });
  });
  it('reads WARN and DEBUG tags and an unknown term', () => {
    expect(parseLogLine(`${at(0)} ? [uninitialized t-] WARN malformed message (x): {}`)).toMatchObject({ node: '?', term: null, level: 'warn', text: 'malformed message (x): {}' });
    expect(parseLogLine(`${at(0)} n0 [follower t2] DEBUG follower now in term 2 (x)`)).toMatchObject({ level: 'debug', term: 2 });
  });
  it.each([
    '',
    'Error: boom',
    '    at Object.<anonymous> (file:///x.js:1:2)',
    '2026-01-01T00:00:0',
    '2026-01-01T00:00:00.000Z n0 [leader] no term',
    'not-a-date n0 [leader t1] elected leader for term 1',
    '2026-13-45T99:99:99.000Z n0 [leader t1] elected leader for term 1',
  ])('rejects junk %j', (line) => {
    expect(parseLogLine(line)).toBeNull();
  });
});

describe('nodeEvents', () => {
  it('recognises the election events, in test seconds, and skips everything else', () => {
    const log = [
      `${at(-0.1)} ? [uninitialized t-] node starting`,
      `${at(-0.05)} n2 [follower t0] started as follower, term 0, log length 0`,
      'garbage line',
      `${at(0.2)} n2 [follower t0] election timeout fired (follower, leader unknown)`,
      `${at(0.21)} n2 [precandidate t0] starting pre-vote for term 1`,
      `${at(0.22)} n2 [candidate t1] became candidate for term 1`,
      `${at(0.25)} n2 [leader t1] elected leader for term 1`,
      `${at(0.26)} n2 [leader t1] sending heartbeat to n0, n1 (round 1, commit 0)`,
      `${at(4)} n2 [follower t2] stepped down to follower, term 2 (saw term 2 from n0)`,
      `${at(4.1)} n2 [follower t2] recognized n0 as leader for term 2`,
    ].join('\n');
    const events = nodeEvents('n2', log, START);
    expect(events.map((e) => e.kind)).toEqual(['started', 'election-timeout', 'pre-vote', 'candidate', 'elected', 'stepped-down', 'recognized-leader']);
    expect(events[0]?.atS).toBeCloseTo(-0.05, 6);
    expect(events[4]).toMatchObject({ kind: 'elected', node: 'n2', term: 1 });
    expect(events[4]?.atS).toBeCloseTo(0.25, 6);
    expect(events[5]).toMatchObject({ kind: 'stepped-down', term: 2, reason: 'saw term 2 from n0' });
    expect(events[6]).toMatchObject({ kind: 'recognized-leader', term: 2, leader: 'n0' });
  });

  it('uses the log owner as node even for lines written before init', () => {
    const events = nodeEvents('n7', `${at(1)} ? [follower t0] started as follower, term 0, log length 0`, START);
    expect(events).toEqual([{ kind: 'started', node: 'n7', atS: 1 }]);
  });

  it('merges several logs in time order', () => {
    const merged = allNodeEvents({
      n0: `${at(2)} n0 [leader t2] elected leader for term 2\r\n${at(0.5)} n0 [leader t1] elected leader for term 1`,
      n1: `${at(1)} n1 [candidate t2] became candidate for term 2`,
    }, START);
    expect(merged.map((e) => e.atS)).toEqual([0.5, 1, 2]);
  });
});
