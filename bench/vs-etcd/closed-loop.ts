// A closed loop: `concurrency` workers each send one request after another to one client for a
// while. Latencies of the successful requests, failures, and the CPU time every member process
// and this bench process spent meanwhile (from /proc), per 1,000 successful operations.
import { performance } from 'node:perf_hooks';
import { cpuTimeMs } from '../processes.ts';
import type { BenchSystem, KvClient } from './system.ts';

export type Op = 'write' | 'read';

export interface LoopRun {
  ok: number;
  failed: number;
  seconds: number;
  opsPerS: number;
  /** ms, successful requests only, in completion order. */
  latencies: number[];
  /** CPU ms per 1,000 successful operations, per member (keyed by member name). */
  cpuPerKiloOp: { [member: string]: number };
  /** The same for the bench process itself (client and all). */
  clientCpuPerKiloOp: number;
}

/** Key of worker w's i-th operation: writes and reads of the same cell shape touch the same 100 keys per worker. */
export function benchKey(worker: number, i: number): string {
  return `k${worker}-${i % 100}`;
}

export async function closedLoop(system: BenchSystem, client: KvClient, op: Op, concurrency: number, durationMs: number): Promise<LoopRun> {
  const latencies: number[] = [];
  let failed = 0;
  const pids = system.members.map((m) => [m, system.pid(m)] as const);
  const cpuOf = (): Map<string, number> => new Map(pids.map(([m, pid]) => [m, pid === null ? Number.NaN : (cpuTimeMs(pid) ?? Number.NaN)]));
  const cpuBefore = cpuOf();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const endAt = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < endAt; i++) {
        const t0 = performance.now();
        const done = op === 'write' ? await client.put(benchKey(w, i), `v${i}`) : await client.get(benchKey(w, i));
        if (done) latencies.push(performance.now() - t0);
        else failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuOf();
  const clientUsed = process.cpuUsage(clientBefore);
  const perKilo = (ms: number): number => (ms / Math.max(1, latencies.length)) * 1000;
  const cpuPerKiloOp: { [member: string]: number } = {};
  for (const [m] of pids) cpuPerKiloOp[m] = perKilo((cpuAfter.get(m) as number) - (cpuBefore.get(m) as number));
  return { ok: latencies.length, failed, seconds, opsPerS: latencies.length / seconds, latencies, cpuPerKiloOp, clientCpuPerKiloOp: perKilo((clientUsed.user + clientUsed.system) / 1000) };
}
