import { describe, expect, it } from 'vitest';
import type { HistoryOp, Json } from '../../maelstrom/history.ts';
import { describePartition, faultPeriods } from '../../maelstrom/report/fault-periods.ts';

function nemesis(entries: [number, string, Json][]): HistoryOp[] {
  return entries.map(([seconds, f, value], index) => ({ index, time: seconds * 1e9, process: 'nemesis', type: 'info', f, value }));
}

describe('faultPeriods', () => {
  it('pairs start/stop partitions (invocation + completion count once) and shades an open one to the end', () => {
    const history = nemesis([
      [1, 'start-partition', 'majority'],
      [1.001, 'start-partition', { description: 'n0 | n1 n2', grudge: { n0: ['n1', 'n2'] } }],
      [4, 'stop-partition', null],
      [4.001, 'stop-partition', 'network-healed'],
      [6, 'start-partition', 'one'],
      [6.001, 'start-partition', { grudge: { n2: ['n0', 'n1'] } }],
    ]);
    expect(faultPeriods(history, 10)).toEqual([
      { kind: 'partition', startS: 1, endS: 4, openAtEnd: false, description: 'n0 | n1 n2', grudge: { n0: ['n1', 'n2'] } },
      { kind: 'partition', startS: 6, endS: 10, openAtEnd: true, description: 'n2 drops n0,n1', grudge: { n2: ['n0', 'n1'] } },
    ]);
  });

  it('a partition that cuts nothing (minority-third on 3 nodes) is no fault period, in the bench\'s and in Jepsen\'s format', () => {
    const noCut = { shape: 'minority-third', grudge: {}, description: 'no cut' };
    const history = nemesis([
      [1, 'start-partition', noCut],
      [1.001, 'start-partition', noCut],
      [3, 'stop-partition', null],
      [3.001, 'stop-partition', 'network-healed'],
      [4, 'start-partition', 'minority-third'],
      [4.001, 'start-partition', ['isolated', {}]],
      [5, 'stop-partition', null],
      [5.001, 'stop-partition', 'network-healed'],
      [6, 'start-partition', 'one'],
      [6.001, 'start-partition', ['isolated', { n0: ['n1', 'n2'], n1: ['n0'], n2: ['n0'] }]],
      [7, 'stop-partition', null],
      [7.5, 'start-partition', noCut],
    ]);
    expect(faultPeriods(history, 10).map((p) => [p.startS, p.endS])).toEqual([[6, 7]]);
  });

  it('turns kill/restart into node-down periods per node (kill invoked to restart completed), ignoring an unpaired restart', () => {
    const history = nemesis([
      [0.5, 'restart', 'n0'],
      [2, 'kill', 'n1'],
      [2.01, 'kill', { node: 'n1' }],
      [3, 'kill', ['n2']],
      [5, 'restart', ['n1']],
      [5.2, 'restart', ['n1']],
    ]);
    expect(faultPeriods(history, 8)).toEqual([
      { kind: 'node-down', node: 'n1', startS: 2, endS: 5.2, openAtEnd: false },
      { kind: 'node-down', node: 'n2', startS: 3, endS: 8, openAtEnd: true },
    ]);
  });

  it('ignores client operations and a stop without a start', () => {
    const history: HistoryOp[] = [
      { index: 0, time: 1e9, process: 0, type: 'invoke', f: 'read', value: [0, null] },
      ...nemesis([[2, 'stop-partition', null]]),
    ];
    expect(faultPeriods(history, 5)).toEqual([]);
  });

  it('describes Jepsen-style completion values', () => {
    expect(describePartition(['isolated', { n1: ['n0'] }])).toBe('isolated n1 drops n0');
  });
});
