// Client operations as the report draws them: each completion paired with its invocation.
import type { HistoryOp } from '../history.ts';

export type Outcome = 'ok' | 'fail' | 'info';

export interface CompletedOp {
  process: number;
  f: string;
  outcome: Outcome;
  /** Seconds since test start. */
  invokedAtS: number;
  completedAtS: number;
  latencyMs: number;
  node?: string;
}

const NS_PER_S = 1e9;

/**
 * Pairs every client completion with the pending invocation of the same process (a Jepsen process
 * has at most one operation in flight). Invocations that never complete have no latency and are
 * left out, as in Maelstrom's latency plots; stray completions without an invocation are ignored.
 */
export function completedClientOps(history: readonly HistoryOp[]): CompletedOp[] {
  const pending = new Map<number, HistoryOp>();
  const completed: CompletedOp[] = [];
  for (const op of history) {
    if (op.process === 'nemesis' || !Number.isFinite(op.time)) continue;
    if (op.type === 'invoke') {
      pending.set(op.process, op);
      continue;
    }
    const invocation = pending.get(op.process);
    if (invocation === undefined) continue;
    pending.delete(op.process);
    const result: CompletedOp = {
      process: op.process,
      f: invocation.f,
      outcome: op.type,
      invokedAtS: invocation.time / NS_PER_S,
      completedAtS: op.time / NS_PER_S,
      latencyMs: (op.time - invocation.time) / 1e6,
    };
    const node = op.node ?? invocation.node;
    if (node !== undefined) result.node = node;
    completed.push(result);
  }
  return completed;
}

/** Counts per outcome, for titles. */
export function outcomeCounts(ops: readonly CompletedOp[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { ok: 0, fail: 0, info: 0 };
  for (const op of ops) counts[op.outcome] += 1;
  return counts;
}

/** The latest completion time, at least `floorS`. A loop, not Math.max(...spread): histories can be long. */
export function lastCompletionS(ops: readonly CompletedOp[], floorS: number): number {
  let last = floorS;
  for (const op of ops) if (op.completedAtS > last) last = op.completedAtS;
  return last;
}
