// Property tests: histories generated from a random execution of registers (each op takes
// effect at a point inside its real-time interval, timed-out ops at any later point or never)
// must be linearizable; breaking one read must make them not; and on tiny random histories the
// checker must agree with a naive exhaustive search.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryOp, Json } from '../../maelstrom/history.ts';
import { checkLinKv, checkRegister, splitByKey } from '../../maelstrom/checker/index.ts';
import { buildSyntheticHistory, type PlannedOp } from '../../maelstrom/checker/synthetic-history.ts';
import { naiveIsLinearizable } from './reference-checker.ts';

const plannedOp = (keys: number, values: number, infoWeight = 1): fc.Arbitrary<PlannedOp> =>
  fc.record({
    client: fc.nat(5),
    key: fc.nat(keys - 1),
    f: fc.constantFrom('read', 'write', 'cas'),
    value: fc.nat(values - 1),
    from: fc.nat(values - 1),
    gapBefore: fc.nat(6),
    duration: fc.integer({ min: 1, max: 30 }),
    pointPermille: fc.integer({ min: 1, max: 999 }),
    outcome: fc.oneof(
      { arbitrary: fc.constant('ok' as const), weight: 3 },
      { arbitrary: fc.constantFrom('info-took-effect' as const, 'info-lost' as const, 'never-completed' as const), weight: infoWeight * 3 },
    ),
  });

const okReadsWithValue = (ops: readonly HistoryOp[]): number[] =>
  ops.flatMap((op, i) => (op.type === 'ok' && op.f === 'read' && Array.isArray(op.value) && op.value[1] !== null ? [i] : []));

const withReadValue = (ops: readonly HistoryOp[], at: number, value: Json): HistoryOp[] =>
  ops.map((op, i) => (i === at && Array.isArray(op.value) ? { ...op, value: [op.value[0] ?? null, value] } : op));

describe('generated histories', () => {
  it('are linearizable when produced by a real execution with overlapping intervals', () => {
    fc.assert(
      fc.property(fc.array(plannedOp(3, 4), { maxLength: 60 }), (plans) => {
        const result = checkLinKv(buildSyntheticHistory(plans, 6));
        expect(result.valid).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('become non-linearizable when one ok read returns a value never written', () => {
    fc.assert(
      fc.property(fc.array(plannedOp(2, 4), { minLength: 1, maxLength: 60 }), fc.nat(), (plans, pick) => {
        const ops = buildSyntheticHistory(plans, 6);
        const reads = okReadsWithValue(ops);
        fc.pre(reads.length > 0);
        const at = reads[pick % reads.length]!;
        const result = checkLinKv(withReadValue(ops, at, 'never-written'));
        expect(result.valid).toBe(false);
        expect(result.invalidKeys).toHaveLength(1);
      }),
      { numRuns: 150 },
    );
  });

  it('get the same verdict as a plain exhaustive search on small histories (valid or not)', () => {
    fc.assert(
      // Few values and many timeouts: lots of interchangeable and competing indefinite ops.
      fc.property(fc.array(plannedOp(1, 2, 2), { maxLength: 14 }), fc.array(fc.option(fc.nat(2)), { maxLength: 14 }), (plans, rewrites) => {
        let ops = buildSyntheticHistory(plans, 4);
        // Rewrite some reads to arbitrary small values: some histories stay valid, many do not.
        okReadsWithValue(ops).forEach((at, k) => {
          const rewrite = rewrites[k];
          if (rewrite !== undefined && rewrite !== null) ops = withReadValue(ops, at, rewrite);
        });
        for (const { ops: entries } of splitByKey(ops).values()) {
          expect(checkRegister(entries).valid).toBe(naiveIsLinearizable(entries));
        }
      }),
      { numRuns: 1500 },
    );
  });
});
