// A client that keeps trying to write until one write succeeds: a new attempt every intervalMs,
// each with a short timeout, overlapping if earlier ones hang (a request forwarded to a dead leader
// can hang until its timeout; the next attempt must not wait for it). Returns the bench time of the
// first write_ok, or null if none arrived before giveUpAt.
import type { BenchClient } from '../maelstrom/cluster.ts';

export interface WriteProbeOptions {
  key: string;
  intervalMs: number;
  timeoutMs: number;
  giveUpAt: number;
  now: () => number;
  /** Cap on attempts in flight, so a long outage does not pile up requests. */
  maxInFlight?: number;
}

/** `client` stays open afterwards: late replies to it must still find it registered. */
export function firstSuccessfulWrite(client: BenchClient, options: WriteProbeOptions): Promise<number | null> {
  const maxInFlight = options.maxInFlight ?? Math.ceil(options.timeoutMs / options.intervalMs) + 1;
  let inFlight = 0;
  let attempt = 0;
  let done = false;
  return new Promise<number | null>((resolve) => {
    const finish = (at: number | null): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      resolve(at);
    };
    const tryOnce = (): void => {
      if (done) return;
      if (options.now() >= options.giveUpAt) {
        finish(null);
        return;
      }
      if (inFlight >= maxInFlight) return;
      inFlight++;
      attempt++;
      client
        .request({ type: 'write', key: options.key, value: attempt }, options.timeoutMs)
        .then((outcome) => {
          inFlight--;
          if (outcome.kind === 'reply' && outcome.body['type'] === 'write_ok') finish(options.now());
        })
        .catch(() => {
          inFlight--; // the cluster stopped under us: the probe is over anyway
        });
    };
    const timer = setInterval(tryOnce, options.intervalMs);
    tryOnce();
  });
}
