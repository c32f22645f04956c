// Appends history entries in the order things happen, stamping index and time.
import type { HistoryOp } from '../history.ts';
import type { TestClock } from './test-clock.ts';

export type NewHistoryOp = Omit<HistoryOp, 'index' | 'time'>;

export class HistoryRecorder {
  readonly ops: HistoryOp[] = [];
  private readonly listeners: ((op: HistoryOp) => void)[] = [];

  constructor(private readonly clock: TestClock) {}

  record(entry: NewHistoryOp): HistoryOp {
    const op: HistoryOp = { index: this.ops.length, time: Math.round(this.clock.nowMs() * 1e6), ...entry };
    this.ops.push(op);
    for (const listener of this.listeners) listener(op);
    return op;
  }

  onRecord(listener: (op: HistoryOp) => void): void {
    this.listeners.push(listener);
  }
}
