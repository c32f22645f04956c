import { describe, expect, it } from 'vitest';
import { allNodeEvents } from '../../maelstrom/report/node-log.ts';
import { leadershipTimeline } from '../../maelstrom/report/leadership.ts';
import type { FaultPeriod } from '../../maelstrom/report/fault-periods.ts';

const START = Date.parse('2026-01-01T00:00:00.000Z');

function line(seconds: number, node: string, role: string, term: number, text: string): string {
  return `${new Date(START + seconds * 1000).toISOString()} ${node} [${role} t${term}] ${text}`;
}

describe('leadershipTimeline', () => {
  const logs = {
    n0: [
      line(0, 'n0', 'follower', 0, 'started as follower, term 0, log length 0'),
      line(0.3, 'n0', 'candidate', 1, 'became candidate for term 1'),
      line(0.31, 'n0', 'leader', 1, 'elected leader for term 1'),
      line(6, 'n0', 'follower', 1, 'stepped down to follower, term 1 (lost contact with a quorum)'),
      line(9, 'n0', 'candidate', 3, 'became candidate for term 3'),
      line(9.01, 'n0', 'leader', 3, 'elected leader for term 3'),
    ].join('\n'),
    n1: [
      line(0, 'n1', 'follower', 0, 'started as follower, term 0, log length 0'),
      line(5.5, 'n1', 'candidate', 2, 'became candidate for term 2'),
      line(5.52, 'n1', 'leader', 2, 'elected leader for term 2'),
      // killed at 8 s by the nemesis (no log line), started again at 10 s
      line(10, 'n1', 'follower', 2, 'started as follower, term 2, log length 40'),
    ].join('\n'),
    n2: [line(0, 'n2', 'follower', 0, 'started as follower, term 0, log length 0'), line(7, 'n2', 'candidate', 3, 'became candidate for term 3')].join('\n'),
  };
  const faults: FaultPeriod[] = [
    { kind: 'partition', startS: 5, endS: 7, openAtEnd: false, description: 'isolated n0' },
    { kind: 'node-down', node: 'n1', startS: 8, endS: 10, openAtEnd: false },
  ];
  const timeline = leadershipTimeline(allNodeEvents(logs, START), faults, 12);

  it('derives one interval per leadership, ended by step-down, kill or the end of the test', () => {
    expect(timeline.intervals.map((i) => [i.node, i.term, i.startS, i.endS, i.endedBy])).toEqual([
      ['n0', 1, 0.31, 6, 'stepped-down'],
      ['n1', 2, 5.52, 8, 'killed'],
      ['n0', 3, 9.01, 12, 'test-end'],
    ]);
    expect(timeline.intervals[0]?.reason).toBe('lost contact with a quorum');
  });

  it('lists every election with its campaign and the leaderless time before it', () => {
    const rows = timeline.elections.map((e) => ({ node: e.node, term: e.term, lostBy: e.lostBy, candidate: e.candidateSinceS, gap: e.leaderlessForS }));
    expect(rows[0]).toEqual({ node: 'n0', term: 1, lostBy: undefined, candidate: 0.3, gap: undefined });
    // n0 still believed it led when n1 won: the loss dates from the partition's start at 5 s.
    expect(rows[1]?.lostBy).toBe('partition-started');
    expect(rows[1]?.gap).toBeCloseTo(0.52, 9);
    // n1 was killed at 8 s; n0 won at 9.01 s.
    expect(rows[2]?.lostBy).toBe('leader-ended');
    expect(rows[2]?.gap).toBeCloseTo(1.01, 9);
  });

  it('keeps candidacies, marking which won, and process starts', () => {
    expect(timeline.candidacies.map((c) => [c.node, c.term, c.won])).toEqual([
      ['n0', 1, true], ['n1', 2, true], ['n2', 3, false], ['n0', 3, true],
    ]);
    expect(timeline.starts.filter((s) => s.node === 'n1').map((s) => s.atS)).toEqual([0, 10]);
  });

  it('dates a lost leader from a partition only if that partition cut it off from a majority', () => {
    // n0 leads in term 1 and never logs a step-down; n1 wins term 2 at 5.52 s.
    const twoLeaders = { n0: logs.n0.split('\n').slice(0, 3).join('\n'), n1: logs.n1 };
    const nodes = ['n0', 'n1', 'n2'];
    const isolating = (who: string, others: string[]): Record<string, string[]> => ({ [who]: others, ...Object.fromEntries(others.map((o) => [o, [who]])) });
    const cutN0: FaultPeriod[] = [{ kind: 'partition', startS: 5, endS: 7, openAtEnd: false, description: 'n0 | n1 n2', grudge: isolating('n0', ['n1', 'n2']) }];
    const cutN2: FaultPeriod[] = [{ kind: 'partition', startS: 5, endS: 7, openAtEnd: false, description: 'n2 | n0 n1', grudge: isolating('n2', ['n0', 'n1']) }];
    const whenN0Cut = leadershipTimeline(allNodeEvents(twoLeaders, START), cutN0, 12, nodes).elections[1];
    expect(whenN0Cut?.lostBy).toBe('partition-started');
    expect(whenN0Cut?.leaderlessForS).toBeCloseTo(0.52, 9);
    // Isolating n2 left n0 with a majority: that partition is not why n0 lost; the gap is unknown.
    const whenN2Cut = leadershipTimeline(allNodeEvents(twoLeaders, START), cutN2, 12, nodes).elections[1];
    expect(whenN2Cut?.lostBy).toBeUndefined();
    expect(whenN2Cut?.leaderlessForS).toBeUndefined();
  });

  it('ends a leadership at a restart when no kill was recorded', () => {
    const restartOnly = leadershipTimeline(allNodeEvents({ n1: logs.n1 }, START), [], 12);
    expect(restartOnly.intervals.map((i) => [i.endS, i.endedBy])).toEqual([[10, 'restarted']]);
  });

  it('is empty for missing or junk logs', () => {
    const empty = leadershipTimeline(allNodeEvents({ n0: '', n1: 'junk\n\u0000\n' }, START), [], 5);
    expect(empty).toEqual({ intervals: [], elections: [], candidacies: [], starts: [] });
  });
});
