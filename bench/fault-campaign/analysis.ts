// What one run's history says: linearizable or not (the project's checker, maelstrom/checker), the
// ok-fraction of operations by the state of the cluster when they were invoked (healthy, or inside
// a fault's window), and the longest stretch without a successful write (write or cas).
import { checkLinKv } from '../../maelstrom/checker/index.ts';
import type { HistoryOp } from '../../maelstrom/history.ts';
import type { FaultWindow } from './faults.ts';

export interface OkFraction {
  invoked: number;
  ok: number;
  fraction: number | null;
}

export interface RunVerdict {
  linearizable: boolean | 'unknown';
  invalidKeys: string[];
  /** One readable account of a failure, if any. */
  explanation: string | null;
  checkMs: number;
  healthy: OkFraction;
  duringFaults: OkFraction;
  /** duringFaults / healthy. */
  ratio: number | null;
  longestWriteGapMs: number;
}

const CHECK_LIMIT_MS = 20_000;

export function judgeRun(history: readonly HistoryOp[], windows: readonly FaultWindow[], runEndMs: number): RunVerdict {
  const check = checkLinKv(history, { timeLimitMs: CHECK_LIMIT_MS });
  const bad = check.keys.find((k) => k.valid === false);
  const healthy = { invoked: 0, ok: 0 };
  const during = { invoked: 0, ok: 0 };
  const startedUnder = new Map<number | 'nemesis', { invoked: number; ok: number }>();
  const inFault = (ms: number): boolean => windows.some((w) => ms >= w.startMs && ms < w.endMs);
  let lastWriteMs = 0;
  let longestWriteGapMs = 0;
  for (const op of history) {
    const ms = op.time / 1e6;
    if (op.type === 'invoke') {
      const tally = inFault(ms) ? during : healthy;
      tally.invoked++;
      startedUnder.set(op.process, tally);
      continue;
    }
    const tally = startedUnder.get(op.process);
    startedUnder.delete(op.process);
    if (op.type !== 'ok') continue;
    if (tally !== undefined) tally.ok++;
    if (op.f === 'write' || op.f === 'cas') {
      longestWriteGapMs = Math.max(longestWriteGapMs, ms - lastWriteMs);
      lastWriteMs = ms;
    }
  }
  longestWriteGapMs = Math.max(longestWriteGapMs, runEndMs - lastWriteMs);
  const fraction = (t: { invoked: number; ok: number }): OkFraction => ({ ...t, fraction: t.invoked === 0 ? null : t.ok / t.invoked });
  const h = fraction(healthy);
  const d = fraction(during);
  return {
    linearizable: check.valid,
    invalidKeys: check.invalidKeys.map((k) => JSON.stringify(k)),
    explanation: bad?.explanation ?? null,
    checkMs: Math.round(check.elapsedMs),
    healthy: h,
    duringFaults: d,
    ratio: h.fraction === null || d.fraction === null || h.fraction === 0 ? null : d.fraction / h.fraction,
    longestWriteGapMs: Math.round(longestWriteGapMs),
  };
}
