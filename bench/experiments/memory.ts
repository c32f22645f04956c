// Section "memory": the leader's resident memory and its write-ahead log + snapshot bytes as writes
// to a fixed set of keys accumulate. With log compaction (a snapshot every --snapshot-threshold
// entries, default 10,000) both should stay flat: the state is 5 keys whatever the history.
// Closed loop, writes only, through all three nodes. `--memory-ops N` sets the last checkpoint
// (default 1,000,000; the target compares it with the 100,000 checkpoint).
import { Random } from '../../maelstrom/random.ts';
import { DEFAULT_CONFIG } from '../../src/config.ts';
import { BenchCluster, timingFor } from '../bench-cluster.ts';
import { closedLoop } from '../load.ts';
import { residentKb } from '../processes.ts';
import { fmt } from '../stats.ts';
import { markdownTable } from '../table.ts';
import type { RunContext, SectionResult } from './section.ts';

interface MemoryPoint {
  opsDone: number;
  okOps: number;
  leader: string;
  rssKb: number | null;
  /** The leader's WAL + snapshot files. */
  diskBytes: number;
  elapsedS: number;
}

/** Checkpoints up to `last`: 100k, then every doubling-ish step, then `last`. */
export function memoryCheckpoints(quick: boolean, last: number): number[] {
  if (quick) return [5000, 15_000];
  const points = [100_000, 300_000, 600_000].filter((p) => p < last);
  return [...points, last];
}

export async function memorySection(ctx: RunContext): Promise<SectionResult> {
  const lastCheckpoint = ctx.memoryOps ?? 1_000_000;
  const checkpoints = memoryCheckpoints(ctx.quick, lastCheckpoint);
  const seed = new Random(ctx.seed).fork('memory').int(0, 2 ** 31);
  const bench = await BenchCluster.start({ ...timingFor(150), nodeCount: 3, latency: { meanMs: 0, dist: 'constant' }, seed });
  const points: MemoryPoint[] = [];
  try {
    const leader = await bench.waitForStableLeader();
    const pid = bench.pid(leader.node);
    points.push({ opsDone: 0, okOps: 0, leader: leader.node, rssKb: pid === null ? null : residentKb(pid), diskBytes: bench.diskBytes(leader.node), elapsedS: 0 });
    const clients = bench.nodeIds.flatMap((n) => Array.from({ length: 8 }, (_, k) => bench.client(n, `memory-${k}`)));
    const random = new Random(seed);
    let done = 0;
    let ok = 0;
    const start = bench.now();
    for (const target of checkpoints) {
      ctx.progress(`memory: running writes up to ${target} ops`);
      const r = await closedLoop(clients, { random, now: () => bench.now(), timeoutMs: 1000, mix: 'write', ops: target - done, deadlineMs: 3_600_000 });
      done += r.issued;
      ok += r.counts.ok;
      const current = bench.log.leader()?.node ?? leader.node;
      const currentPid = bench.pid(current);
      points.push({ opsDone: done, okOps: ok, leader: current, rssKb: currentPid === null ? null : residentKb(currentPid), diskBytes: bench.diskBytes(current), elapsedS: (bench.now() - start) / 1000 });
    }
  } finally {
    await bench.close();
  }
  const first = points[1];
  const last = points[points.length - 1];
  const rssRatio = first?.rssKb && last?.rssKb ? last.rssKb / first.rssKb : Number.NaN;
  const diskRatio = first !== undefined && last !== undefined && first.diskBytes > 0 ? last.diskBytes / first.diskBytes : Number.NaN;
  const within = (ratio: number): string => (Number.isNaN(ratio) ? 'n/a' : `${fmt((ratio - 1) * 100, 1)}% (${Math.abs(ratio - 1) <= 0.2 ? 'within' : 'NOT within'} 20%)`);
  const markdown = [
    `3 nodes, latency 0; 24 clients in a closed loop writing to 5 keys; a snapshot every ${DEFAULT_CONFIG.snapshotThreshold} entries (the default).`,
    `Leader RSS (VmRSS of /proc/<pid>/status) and the leader's write-ahead log + snapshot bytes at each checkpoint.`,
    `From ${first?.opsDone ?? '?'} to ${last?.opsDone ?? '?'} ops: RSS ${within(rssRatio)}, WAL + snapshot bytes ${within(diskRatio)}.`,
    `RSS includes garbage not yet collected; disk bytes vary with where the log is between two snapshots (0 to ${DEFAULT_CONFIG.snapshotThreshold} entries).`,
    '',
    markdownTable(
      ['ops sent', 'ok ops', 'leader', 'RSS MiB', 'WAL + snapshot KiB', 'elapsed s'],
      points.map((p) => [String(p.opsDone), String(p.okOps), p.leader, p.rssKb === null ? 'n/a' : fmt(p.rssKb / 1024, 1), fmt(p.diskBytes / 1024, 0), fmt(p.elapsedS, 1)]),
    ),
  ].join('\n');
  return { name: 'memory', title: 'Memory', markdown, data: { points, rssRatio, diskRatio, snapshotThreshold: DEFAULT_CONFIG.snapshotThreshold }, charts: [] };
}
