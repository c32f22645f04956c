// A discrete-event test clock: whenever every task is waiting, time jumps to the earliest wake-up,
// so schedules of minutes run in milliseconds and always in the same order.
import type { TestClock } from '../../maelstrom/workload/test-clock.ts';

interface Sleeper {
  atMs: number;
  wake: () => void;
}

export class JumpingClock implements TestClock {
  private now = 0;
  private sleepers: Sleeper[] = [];
  private advanceScheduled = false;

  nowMs(): number {
    return this.now;
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((wake) => {
      this.sleepers.push({ atMs, wake });
      this.scheduleAdvance();
    });
  }

  /** setImmediate runs after every pending promise callback, i.e. once all tasks are waiting. */
  private scheduleAdvance(): void {
    if (this.advanceScheduled) return;
    this.advanceScheduled = true;
    setImmediate(() => {
      this.advanceScheduled = false;
      if (this.sleepers.length === 0) return;
      const earliest = Math.min(...this.sleepers.map((s) => s.atMs));
      this.now = Math.max(this.now, earliest);
      const due = this.sleepers.filter((s) => s.atMs <= this.now);
      this.sleepers = this.sleepers.filter((s) => s.atMs > this.now);
      for (const s of due) s.wake();
      if (this.sleepers.length > 0) this.scheduleAdvance();
    });
  }
}
