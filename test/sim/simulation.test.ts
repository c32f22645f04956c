// Whole-cluster simulation: a few hundred seeds of mixed faults (partitions of every Maelstrom
// shape and one-way cuts, loss, duplication, reordering, crashes and restarts, logs lost at a
// restart, a slow and failing term/vote store) must show no broken
// invariant, a linearizable history, and recovery once the faults stop.
import { describe, expect, it } from 'vitest';
import { runSeed, totals, type SeedSummary } from './runner.ts';

const SEEDS = 400;

describe('simulated cluster under mixed faults', () => {
  it(`passes seeds 1..${SEEDS} with zero violations and linearizable histories`, async () => {
    const summaries: SeedSummary[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) summaries.push(await runSeed(seed, {}));
    const failures = summaries.filter((s) => s.failure !== null).map((s) => `seed ${s.seed}: ${s.failure?.kind}: ${s.failure?.message}`);
    expect(failures).toEqual([]);
    expect(summaries.filter((s) => s.linearizable !== true).map((s) => s.seed)).toEqual([]);
    // Liveness: every run recovered after the faults stopped (a run that did not would have failed).
    expect(summaries.every((s) => s.recovery !== null)).toBe(true);

    const t = totals(summaries);
    // The mix really covers what it claims: every size, every profile, every kind of fault.
    expect(new Set(summaries.map((s) => s.nodeCount))).toEqual(new Set([3, 5, 7]));
    expect(new Set(summaries.map((s) => s.profile))).toEqual(new Set(['mixed', 'churn', 'slow-store']));
    for (const kind of ['crash', 'restart', 'pause', 'msg-dropped', 'msg-duplicated', 'msg-reordered', 'msg-lost-in-crash', 'heal',
      'partition-one', 'partition-minority-third', 'partition-majority', 'partition-majorities-ring', 'partition-one-way',
      'log-lost-on-restart', 'hard-state-write-refused', 'hard-state-write-lost', 'hard-state-write-answer-lost']) {
      expect(t.faults[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    expect(t.clientOps.ok).toBeGreaterThan(t.seeds * 20);
    console.log(`${t.seeds} seeds, ${(t.simulatedMs / 1000).toFixed(0)} s simulated; recovery: leader p99 ${t.leaderRecoveryMs.p99.toFixed(0)} ms, max ${t.leaderRecoveryMs.max.toFixed(0)} ms; first ok op p99 ${t.firstOkRecoveryMs.p99.toFixed(0)} ms; every node serving p99 ${t.clientRecoveryMs.p99.toFixed(0)} ms, max ${t.clientRecoveryMs.max.toFixed(0)} ms`);
  }, 240_000);

  it('runs 7-node clusters too (the largest size)', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const s = await runSeed(seed, { nodeCount: 7 });
      expect(s.nodeCount).toBe(7);
      expect(s.failure, `seed ${seed}`).toBeNull();
      expect(s.linearizable).toBe(true);
    }
  }, 120_000);
});
