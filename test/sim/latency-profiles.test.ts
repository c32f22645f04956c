// The simulator on slow networks (Maelstrom's --latency): constant 50 and 200 ms, exponential 100 ms.
// Timing is derived from measured round trips, so elections must still finish, every invariant hold,
// every history be linearizable, and the cluster recover once the faults stop.
import { describe, expect, it } from 'vitest';
import { runSeed } from './runner.ts';
import { LATENCY_PROFILES } from './scenario.ts';

const SEEDS = 40;

describe('simulated cluster on slow networks', () => {
  it.each(LATENCY_PROFILES)(`latency %s: seeds 1..${SEEDS} pass and recover`, async (latencyProfile) => {
    const failures: string[] = [];
    let ok = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const s = await runSeed(seed, { latencyProfile });
      if (s.failure !== null) failures.push(`seed ${seed}: ${s.failure.kind}: ${s.failure.message}`);
      else if (s.linearizable !== true) failures.push(`seed ${seed}: history ${String(s.linearizable)}`);
      else if (s.recovery === null) failures.push(`seed ${seed}: no recovery`);
      ok += s.clientOps.ok;
    }
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(SEEDS * 20); // clients really got served, not just refused
  }, 240_000);
});
