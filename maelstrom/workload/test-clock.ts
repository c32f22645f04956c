// The test's relative time (Jepsen's with-relative-time): 0 is the moment the run starts, after
// every node answered init. History times are nanoseconds on this clock.
import { performance } from 'node:perf_hooks';

export interface TestClock {
  /** Milliseconds since the run started. */
  nowMs(): number;
  /** Resolves at `atMs` on this clock, or as soon as `signal` aborts. */
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void>;
}

export class RealClock implements TestClock {
  private readonly origin = performance.now();
  /** Wall-clock time of relative time 0, to place node log lines on the same axis. */
  readonly originEpochMs = Date.now();

  nowMs(): number {
    return performance.now() - this.origin;
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    const delay = atMs - this.nowMs();
    if (delay <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
