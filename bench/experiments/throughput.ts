// Section "throughput": lin-kv at increasing offered load. Ops: read/write/cas on 5 keys, spread over
// all nodes (followers forward to the leader), open loop with a pool of 24 clients.
import { Random } from '../../maelstrom/random.ts';
import { BenchCluster, timingFor } from '../bench-cluster.ts';
import { openLoop } from '../load.ts';
import { cpuTimeMs } from '../processes.ts';
import { fmt, percentile } from '../stats.ts';
import { markdownTable } from '../table.ts';
import type { RunContext, SectionResult } from './section.ts';

interface ThroughputSample {
  offeredPerS: number;
  durationMs: number;
  issued: number;
  poolBusy: number;
  ok: number;
  servedErrors: number;
  unavailable: number;
  timeouts: number;
  indefinite: number;
  okPerS: number;
  p50Ms: number;
  p99Ms: number;
  serverMsgsPerOp: number;
  /** CPU ms of all node processes per ok op; null when /proc or pids are unavailable. */
  nodeCpuMsPerOp: number | null;
  benchCpuMsPerOp: number;
}

const CLIENTS_PER_NODE = 8;

function totalNodeCpu(bench: BenchCluster): number | null {
  let total = 0;
  for (const node of bench.nodeIds) {
    const pid = bench.pid(node);
    const cpu = pid === null ? null : cpuTimeMs(pid);
    if (cpu === null) return null;
    total += cpu;
  }
  return total;
}

export async function throughputSection(ctx: RunContext): Promise<SectionResult> {
  const durationMs = ctx.quick ? 3000 : 15_000;
  const repeats = ctx.quick ? 1 : 3;
  const rates = [100, 1000, 5000];
  const samples: ThroughputSample[] = [];
  for (let rep = 0; rep < repeats; rep++) {
    const seed = new Random(ctx.seed).fork(`throughput-${rep}`).int(0, 2 ** 31);
    const bench = await BenchCluster.start({ ...timingFor(150), nodeCount: 3, latency: { meanMs: 0, dist: 'constant' }, seed });
    try {
      await bench.waitForStableLeader();
      const clients = bench.nodeIds.flatMap((n) => Array.from({ length: CLIENTS_PER_NODE }, (_, k) => bench.client(n, `load-${k}`)));
      for (const rate of rates) {
        ctx.progress(`throughput: run ${rep + 1}/${repeats}, offered ${rate} ops/s for ${durationMs / 1000} s`);
        const msgsBefore = bench.cluster.netStats().servers.msgCount;
        const cpuBefore = totalNodeCpu(bench);
        const benchCpuBefore = process.cpuUsage();
        const r = await openLoop(clients, { random: new Random(seed).fork(`rate-${rate}`), now: () => bench.now(), timeoutMs: 1000, mix: 'mixed', ratePerS: rate, durationMs });
        const benchCpu = process.cpuUsage(benchCpuBefore);
        const cpuAfter = totalNodeCpu(bench);
        const msgs = bench.cluster.netStats().servers.msgCount - msgsBefore;
        const served = r.counts.ok + r.counts['served-error'];
        samples.push({
          offeredPerS: rate,
          durationMs,
          issued: r.issued,
          poolBusy: r.poolBusy,
          ok: r.counts.ok,
          servedErrors: r.counts['served-error'],
          unavailable: r.counts.unavailable,
          timeouts: r.counts.timeout,
          indefinite: r.counts.indefinite,
          okPerS: (r.counts.ok * 1000) / durationMs,
          p50Ms: percentile(r.okLatencies, 50),
          p99Ms: percentile(r.okLatencies, 99),
          serverMsgsPerOp: msgs / Math.max(1, served),
          nodeCpuMsPerOp: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / Math.max(1, served),
          benchCpuMsPerOp: (benchCpu.user + benchCpu.system) / 1000 / Math.max(1, served),
        });
      }
    } finally {
      await bench.close();
    }
  }
  const markdown = [
    `3 nodes, latency 0, timeouts 150-300 ms; ${CLIENTS_PER_NODE * 3} clients (${CLIENTS_PER_NODE} per node), open loop, ${durationMs / 1000} s per rate, ${repeats} run(s) (one row each).`,
    'Ops: read/write/cas in equal shares on 5 keys, values 0-4, timeout 1 s. "served" = ok + definite answers (missing key, cas mismatch).',
    '"busy" = ops due while all 24 clients were waiting (not sent). Messages and CPU are per served op; CPU is user+system of the three',
    'node processes from /proc/<pid>/stat (pids from Cluster.pid).',
    '',
    markdownTable(
      ['offered/s', 'ok/s', 'served', 'busy', 'unavail', 'timeouts', 'p50 ms', 'p99 ms', 'server msgs/op', 'node CPU ms/op', 'bench CPU ms/op'],
      samples.map((s) => [
        String(s.offeredPerS),
        fmt(s.okPerS),
        String(s.ok + s.servedErrors),
        String(s.poolBusy),
        String(s.unavailable),
        String(s.timeouts),
        fmt(s.p50Ms),
        fmt(s.p99Ms),
        fmt(s.serverMsgsPerOp, 2),
        s.nodeCpuMsPerOp === null ? 'n/a' : fmt(s.nodeCpuMsPerOp, 3),
        fmt(s.benchCpuMsPerOp, 3),
      ]),
    ),
  ].join('\n');
  return { name: 'throughput', title: 'lin-kv throughput and latency', markdown, data: samples, charts: [] };
}
