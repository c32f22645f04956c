// Writes and linearizable reads at several concurrencies, to the leader and to a follower, for
// every system and protocol, cell by cell with the systems interleaved (ours, etcd gRPC, etcd
// gateway, next cell, ...) so a change in the machine's load hits all of them alike.
import { cdfPoints, type Point } from '../../maelstrom/report/svg.ts';
import { closedLoop, type Op } from './closed-loop.ts';
import { settledLeader, type BenchSystem } from './system.ts';

export type Target = 'leader' | 'follower';

export interface CellPlan {
  concurrencies: number[];
  ops: Op[];
  targets: Target[];
  seconds: number;
  warmupSeconds: number;
}

export interface Cell {
  system: string;
  protocol: string;
  op: Op;
  target: Target;
  concurrency: number;
  member: string;
  ok: number;
  failed: number;
  opsPerS: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** CPU ms per 1,000 operations: per member with its role, and the bench client. */
  cpu: { member: string; role: 'leader' | 'follower'; msPerKiloOp: number }[];
  clientCpuMsPerKiloOp: number;
  /** Down-sampled latency CDF (ms, fraction). */
  cdf: Point[];
  loadAverage: number;
}

/** Label of a system and protocol pair, as the tables and plots name it. */
export function seriesLabel(system: string, protocol: string): string {
  return system === 'ours' ? 'ours (HTTP/1.1)' : protocol === 'grpc' ? 'etcd (gRPC)' : 'etcd (HTTP gateway)';
}

function sortedPercentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const a = sorted[lo] as number;
  const b = sorted[Math.ceil(rank)] as number;
  return a + (b - a) * (rank - lo);
}

/** Connections a client opens: one per worker over HTTP/1.1; gRPC multiplexes, one channel per 16 workers. */
export function connectionsFor(protocol: string, concurrency: number): number {
  return protocol === 'grpc' ? Math.max(1, Math.ceil(concurrency / 16)) : concurrency;
}

export async function runCells(systems: readonly BenchSystem[], plan: CellPlan, loadAverage: () => number, progress: (line: string) => void): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (const op of plan.ops) {
    for (const target of plan.targets) {
      for (const concurrency of plan.concurrencies) {
        for (const system of systems) {
          for (const protocol of system.protocols) {
            const leader = await settledLeader(system);
            const member = target === 'leader' ? leader : (system.members.find((m) => m !== leader) as string);
            const client = system.client(member, protocol, connectionsFor(protocol, concurrency));
            try {
              if (plan.warmupSeconds > 0) await closedLoop(system, client, op, concurrency, plan.warmupSeconds * 1000);
              const load = loadAverage();
              const run = await closedLoop(system, client, op, concurrency, plan.seconds * 1000);
              const sorted = [...run.latencies].sort((a, b) => a - b);
              const cell: Cell = {
                system: system.name, protocol, op, target, concurrency, member,
                ok: run.ok, failed: run.failed, opsPerS: run.opsPerS,
                p50: sortedPercentile(sorted, 50), p99: sortedPercentile(sorted, 99), p999: sortedPercentile(sorted, 99.9), max: sorted[sorted.length - 1] ?? Number.NaN,
                cpu: system.members.map((m) => ({ member: m, role: m === leader ? 'leader' : 'follower', msPerKiloOp: run.cpuPerKiloOp[m] ?? Number.NaN })),
                clientCpuMsPerKiloOp: run.clientCpuPerKiloOp,
                cdf: cdfPoints(sorted, 300),
                loadAverage: load,
              };
              cells.push(cell);
              progress(`vs-etcd: ${op}s to the ${target}, c=${concurrency}, ${seriesLabel(system.name, protocol)}: ${run.opsPerS.toFixed(0)}/s, p50 ${cell.p50.toFixed(2)} p99 ${cell.p99.toFixed(2)} p99.9 ${cell.p999.toFixed(2)} ms, ${run.failed} failed (load ${load.toFixed(2)})`);
            } finally {
              client.close();
            }
          }
        }
      }
    }
  }
  return cells;
}
