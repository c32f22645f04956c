// Section "memory": resident memory of the leader as operations accumulate (the log is never
// compacted, so it grows with every write). Closed loop, writes only, through all three nodes.
import { Random } from '../../maelstrom/random.ts';
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
  elapsedS: number;
}

export async function memorySection(ctx: RunContext): Promise<SectionResult> {
  const checkpoints = ctx.quick ? [5000, 15_000] : [100_000, 300_000];
  const seed = new Random(ctx.seed).fork('memory').int(0, 2 ** 31);
  const bench = await BenchCluster.start({ ...timingFor(150), nodeCount: 3, latency: { meanMs: 0, dist: 'constant' }, seed });
  const points: MemoryPoint[] = [];
  try {
    const leader = await bench.waitForStableLeader();
    const pid = bench.pid(leader.node);
    points.push({ opsDone: 0, okOps: 0, leader: leader.node, rssKb: pid === null ? null : residentKb(pid), elapsedS: 0 });
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
      points.push({ opsDone: done, okOps: ok, leader: current, rssKb: currentPid === null ? null : residentKb(currentPid), elapsedS: (bench.now() - start) / 1000 });
    }
  } finally {
    await bench.close();
  }
  const last = points[points.length - 1];
  const prev = points[points.length - 2];
  const slopeKbPerOp = last !== undefined && prev !== undefined && last.rssKb !== null && prev.rssKb !== null ? (last.rssKb - prev.rssKb) / (last.okOps - prev.okOps) : Number.NaN;
  const at1M = last !== undefined && last.rssKb !== null ? last.rssKb + slopeKbPerOp * (1_000_000 - last.okOps) : Number.NaN;
  const markdown = [
    `3 nodes, latency 0; 24 clients in a closed loop writing to 5 keys; leader RSS (VmRSS of /proc/<pid>/status) at each checkpoint.`,
    `1M operations take too long on this machine, so the value at 1M is extrapolated linearly from the last two checkpoints`,
    `(${fmt(slopeKbPerOp * 1024, 1)} bytes per op): ${fmt(at1M / 1024)} MiB. RSS includes garbage not yet collected, so the slope is an upper estimate.`,
    '',
    markdownTable(
      ['ops sent', 'ok ops', 'leader', 'RSS MiB', 'elapsed s'],
      points.map((p) => [String(p.opsDone), String(p.okOps), p.leader, p.rssKb === null ? 'n/a' : fmt(p.rssKb / 1024, 1), fmt(p.elapsedS, 1)]),
    ),
  ].join('\n');
  return { name: 'memory', title: 'Memory', markdown, data: { points, slopeKbPerOp, extrapolatedKbAt1M: at1M }, charts: [] };
}
