// The composed result: stats, availability, net, validity merge, and the text renderings.
import { describe, expect, it } from 'vitest';
import type { HistoryOp } from '../../maelstrom/history.ts';
import { composeResults, exitCodeFor, historyText, mergeValid, statsResult, VERDICT_INVALID, VERDICT_VALID, verdictLine } from '../../maelstrom/results.ts';

let index = 0;
const op = (process: number | 'nemesis', type: HistoryOp['type'], f: string, value: HistoryOp['value'], error?: HistoryOp['error']): HistoryOp => ({
  index: index++,
  time: index * 1000,
  process,
  type,
  f,
  value,
  ...(error === undefined ? {} : { error }),
});

const history: HistoryOp[] = [
  op('nemesis', 'info', 'start-partition', { description: 'n0 | n1 n2' }),
  op(0, 'invoke', 'read', [0, null]),
  op(0, 'ok', 'read', [0, 3]),
  op(3, 'invoke', 'write', [0, 3]),
  op(3, 'ok', 'write', [0, 3]),
  op(4, 'invoke', 'cas', [0, [1, 2]]),
  op(4, 'fail', 'cas', [0, [1, 2]], ['precondition-failed', 'current value 3 is not 1']),
  op(5, 'invoke', 'write', [0, 1]),
  op(5, 'info', 'write', [0, 1], 'net-timeout'),
];
const net = { all: { sendCount: 10, recvCount: 9, msgCount: 8 }, clients: { sendCount: 8, recvCount: 7, msgCount: 6 }, servers: { sendCount: 2, recvCount: 2, msgCount: 2 } };
const linValid = { valid: true as const, keyCount: 1, invalidKeys: [], keys: [{ key: 0, valid: true as const, opCount: 3 }], elapsedMs: 1 };

describe('results', () => {
  it('counts client completions per f; stats are invalid when some f never succeeded', () => {
    const s = statsResult(history);
    expect(s).toMatchObject({ count: 4, 'ok-count': 2, 'fail-count': 1, 'info-count': 1 });
    expect(s['by-f']['cas']).toEqual({ count: 1, 'ok-count': 0, 'fail-count': 1, 'info-count': 0, 'valid?': false });
    expect(s['valid?']).toBe(false);
    expect(statsResult(history.filter((o) => o.f !== 'cas'))['valid?']).toBe(true);
  });

  it('composes workload, stats, availability, net and perf like Maelstrom', () => {
    const r = composeResults({ history, linearizability: linValid, net, perf: { files: ['rate.svg'] }, availability: null });
    expect(r['valid?']).toBe(false); // stats: no cas ok
    expect(r.availability).toEqual({ 'valid?': true, 'ok-fraction': 0.5 });
    expect(r.net.all).toEqual({ 'send-count': 10, 'recv-count': 9, 'msg-count': 8, 'msgs-per-op': 2 });
    expect(r.net.clients['msgs-per-op']).toBeUndefined();
    expect(r.workload.results['0']).toEqual({ 'valid?': true, 'op-count': 3 });
    const ok = history.filter((o) => o.f !== 'cas');
    expect(composeResults({ history: ok, linearizability: linValid, net, perf: { files: [] }, availability: null })['valid?']).toBe(true);
    expect(composeResults({ history: ok, linearizability: linValid, net, perf: { files: [] }, availability: 'total' })['valid?']).toBe(false);
    expect(composeResults({ history: ok, linearizability: linValid, net, perf: { error: 'no plots' }, availability: null })['valid?']).toBe('unknown');
    expect(composeResults({ history: ok, linearizability: { error: 'boom' }, net, perf: { files: [] }, availability: null }).workload['valid?']).toBe('unknown');
  });

  it("merges validity as Jepsen does and maps it to verdict lines and exit codes", () => {
    expect(mergeValid([true, 'unknown', false])).toBe(false);
    expect(mergeValid([true, 'unknown'])).toBe('unknown');
    expect(mergeValid([true, true])).toBe(true);
    expect([verdictLine(true), verdictLine(false)]).toEqual([VERDICT_VALID, VERDICT_INVALID]);
    expect(VERDICT_VALID).toBe('Everything looks good! ヽ(‘ー`)ノ');
    expect([exitCodeFor(true), exitCodeFor(false), exitCodeFor('unknown')]).toEqual([0, 1, 2]);
  });

  it('writes history.txt lines like Jepsen: process, :type, :f, value, error', () => {
    const lines = historyText(history).split('\n');
    expect(lines[0]).toBe(':nemesis\t:info\t:start-partition\t{"description" "n0 | n1 n2"}');
    expect(lines[1]).toBe('0\t:invoke\t:read\t[0 nil]');
    expect(lines[6]).toBe('4\t:fail\t:cas\t[0 [1 2]]\t[:precondition-failed "current value 3 is not 1"]');
    expect(lines[8]).toBe('5\t:info\t:write\t[0 1]\t:net-timeout');
  });
});
