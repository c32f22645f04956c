import { describe, expect, it } from 'vitest';
import type { HistoryOp } from '../../maelstrom/history.ts';
import { completedClientOps, lastCompletionS, outcomeCounts } from '../../maelstrom/report/client-ops.ts';
import { bucketCounts } from '../../maelstrom/report/rate-chart.ts';

function op(index: number, seconds: number, process: number | 'nemesis', type: HistoryOp['type'], f: string): HistoryOp {
  return { index, time: seconds * 1e9, process, type, f, value: [0, null] };
}

describe('completedClientOps', () => {
  it('pairs each completion with its process invocation and measures latency', () => {
    const ops = completedClientOps([
      op(0, 1, 0, 'invoke', 'read'),
      op(1, 1.1, 1, 'invoke', 'write'),
      op(2, 1.2, 'nemesis', 'info', 'start-partition'),
      op(3, 1.3, 0, 'ok', 'read'),
      op(4, 2.1, 1, 'info', 'write'),
      op(5, 2.5, 0, 'invoke', 'cas'),
      op(6, 2.6, 2, 'fail', 'cas'), // completion without invocation: ignored
      op(7, 2.7, 0, 'fail', 'cas'),
      op(8, 3, 1, 'invoke', 'read'), // never completes: no latency
    ]);
    expect(ops.map((o) => [o.process, o.f, o.outcome, o.completedAtS])).toEqual([[0, 'read', 'ok', 1.3], [1, 'write', 'info', 2.1], [0, 'cas', 'fail', 2.7]]);
    expect(ops.map((o) => o.latencyMs)).toEqual([300, 1000, 200].map((ms) => expect.closeTo(ms, 6)));
    expect(outcomeCounts(ops)).toEqual({ ok: 1, fail: 1, info: 1 });
  });

  it('finds the last completion of a very long history (no argument-spread limits)', () => {
    const many = Array.from({ length: 300_000 }, (_, i) => ({ process: 0, f: 'read', outcome: 'ok' as const, invokedAtS: 0, completedAtS: i / 1000, latencyMs: 1 }));
    expect(lastCompletionS(many, 10)).toBeCloseTo(299.999, 6);
  });
});

describe('bucketCounts', () => {
  it('counts completions per 1 s bucket up to the end, ignoring times before 0 and NaN', () => {
    expect(bucketCounts([0.1, 0.2, 0.9, 1.5, 2.999, 3.0, -1, Number.NaN], 3.5)).toEqual([3, 1, 1, 1]);
    expect(bucketCounts([5], 3)).toEqual([0, 0, 1]);
  });
});
