// Availability across one leader failure: clients on the followers offer writes at a fixed rate for
// a window; part way in, the leader is cut off (and stays cut off until the window ends). The share
// of offered writes that succeeded is what a user would see as availability over that window.
import type { Random } from '../maelstrom/random.ts';
import type { BenchCluster } from './bench-cluster.ts';
import { delay } from './bench-cluster.ts';
import { openLoop, type LoadResult } from './load.ts';

export interface AvailabilitySample {
  windowMs: number;
  failAtMs: number;
  offered: number;
  ok: number;
  share: number;
  /** Set when no leader settled before the window, so nothing was measured. */
  error: string | null;
}

export async function measureAvailability(
  bench: BenchCluster,
  options: { windowMs: number; failAtMs: number; writesPerSPerFollower: number; random: Random },
): Promise<AvailabilitySample> {
  let leader: { node: string; term: number };
  try {
    leader = await bench.waitForStableLeader(20_000 + 10 * bench.options.electionTimeoutMaxMs);
  } catch (err) {
    return { windowMs: options.windowMs, failAtMs: options.failAtMs, offered: 0, ok: 0, share: Number.NaN, error: err instanceof Error ? err.message : String(err) };
  }
  const followers = bench.nodeIds.filter((n) => n !== leader.node);
  // Enough clients that the pool never runs dry even if every request hangs until its timeout:
  // availability must measure the cluster, not the size of our client pool.
  const timeoutMs = 1000;
  const poolSize = Math.ceil((options.writesPerSPerFollower * timeoutMs) / 1000) + 8;
  const loads: Promise<LoadResult>[] = followers.map((node, i) =>
    openLoop(
      Array.from({ length: poolSize }, (_, k) => bench.client(node, `availability-${k}`)),
      {
        random: options.random.fork(`availability-${i}`),
        now: () => bench.now(),
        timeoutMs,
        mix: 'write',
        ratePerS: options.writesPerSPerFollower,
        durationMs: options.windowMs,
      },
    ),
  );
  await delay(options.failAtMs);
  bench.cluster.isolate(leader.node);
  const results = await Promise.all(loads);
  bench.cluster.heal();
  const offered = results.reduce((s, r) => s + r.issued + r.poolBusy, 0);
  const ok = results.reduce((s, r) => s + r.counts.ok, 0);
  return { windowMs: options.windowMs, failAtMs: options.failAtMs, offered, ok, share: offered === 0 ? Number.NaN : ok / offered, error: null };
}
