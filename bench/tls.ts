// `npm run bench -- --only tls [--quick]`: what transport security costs. Three dist/node.js
// processes on loopback, once in plaintext and once with peer mutual TLS and HTTPS; clients write
// to the leader over keep-alive connections at concurrency 1 and 64. Per setting: write throughput
// and the latency distribution, over alternating rounds (plain, TLS, plain, TLS, ...) so a drift in
// the machine's load hits both alike. The goal: TLS costs at most 15% throughput at concurrency 64.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './bench-cluster.ts';
import type { RunContext, SectionResult } from './experiments/section.ts';
import { KeepAliveClient, writeLoad, type ClientTls } from './keep-alive-client.ts';
import { cpuTimeMs } from './processes.ts';
import { StandaloneBenchCluster } from './standalone-cluster.ts';
import { fmt, fmtPercent, percentile } from './stats.ts';
import { markdownTable } from './table.ts';

type Mode = 'plaintext' | 'peer-tls' | 'tls';
const MODE_LABEL: Record<Mode, string> = { plaintext: 'plaintext', 'peer-tls': 'peer mTLS, HTTP clients', tls: 'peer mTLS + HTTPS' };
const CONCURRENCIES = [1, 64];
const TARGET_COST = 0.15;

export interface BenchCerts {
  dir: string;
  ca: string;
  /** Member `id`'s certificate and key files. */
  files: (id: string) => { cert: string; key: string };
  /** Our node's flags for peer mutual TLS and HTTPS (no client certificates asked for). */
  flagsFor: (id: string) => string[];
  peerFlagsFor: (id: string) => string[];
  clientTls: () => ClientTls;
}

/** A CA and a certificate per member, made with the repository's script in a temporary directory. */
export function makeCerts(ids: string[]): BenchCerts {
  const dir = mkdtempSync(join(tmpdir(), 'raft-bench-certs-'));
  execFileSync('bash', [join(repoRoot(), 'scripts', 'make-certs.sh'), dir, ...ids], { stdio: 'ignore' });
  const ca = join(dir, 'ca.crt');
  const files = (id: string): { cert: string; key: string } => ({ cert: join(dir, `${id}.crt`), key: join(dir, `${id}.key`) });
  const peerFlags = (id: string): string[] => ['--peer-cert', files(id).cert, '--peer-key', files(id).key, '--peer-ca', ca];
  return {
    dir,
    ca,
    files,
    flagsFor: (id) => [...peerFlags(id), '--cert', files(id).cert, '--key', files(id).key],
    peerFlagsFor: (id) => peerFlags(id),
    clientTls: () => ({ ca: readFileSync(ca) }),
  };
}

/** Polls /status until one node says it leads and the others agree; its name. */
export async function settledLeader(cluster: StandaloneBenchCluster, urlOf: (name: string) => string, tls: ClientTls | null, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const clients = cluster.names.map((n) => new KeepAliveClient(urlOf(n), 1, tls));
  try {
    while (Date.now() < deadline) {
      const statuses = await Promise.all(clients.map(async (c) => {
        const r = await c.request('GET', '/status', undefined, 1000);
        try {
          return r.status === 200 ? (JSON.parse(r.body) as { state: string; leader: string | null; id: string }) : null;
        } catch {
          return null;
        }
      }));
      const leaders = statuses.filter((s) => s?.state === 'leader');
      if (leaders.length === 1 && statuses.every((s) => s !== null && s.leader === leaders[0]?.id)) return leaders[0]?.id as string;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no settled leader within ${timeoutMs} ms`);
  } finally {
    clients.forEach((c) => c.close());
  }
}

interface Cell {
  mode: Mode;
  concurrency: number;
  rounds: { opsPerS: number; failed: number; cpuMsPerKiloWrite: number }[];
  latencies: number[];
}

export async function tlsSection(ctx: RunContext): Promise<SectionResult> {
  const rounds = ctx.quick ? 1 : 5;
  const seconds = ctx.quick ? 3 : 4;
  const certs = makeCerts(['1', '2', '3']);
  const cells = new Map<string, Cell>();
  const cell = (mode: Mode, c: number): Cell => {
    const key = `${mode}/${c}`;
    if (!cells.has(key)) cells.set(key, { mode, concurrency: c, rounds: [], latencies: [] });
    return cells.get(key) as Cell;
  };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['plaintext', 'peer-tls', 'tls'] as Mode[]) {
        const cluster = await StandaloneBenchCluster.start(3, [], mode === 'tls' ? certs.flagsFor : mode === 'peer-tls' ? certs.peerFlagsFor : () => []);
        try {
          const tls = mode === 'tls' ? certs.clientTls() : null;
          const urlOf = (n: string): string => cluster.url(n, mode === 'tls' ? 'https' : 'http');
          const leader = await settledLeader(cluster, urlOf, tls);
          for (const concurrency of CONCURRENCIES) {
            const client = new KeepAliveClient(urlOf(leader), concurrency, tls);
            await writeLoad(client, concurrency, 500, 'warm'); // connections and JIT warm before the clock runs
            // CPU time of the three node processes per write: far less sensitive to a busy machine than
            // throughput, and what bounds throughput once the nodes saturate their cores.
            const cpu = (): number => cluster.names.reduce((sum, n) => sum + (cpuTimeMs(cluster.pid(n) as number) ?? Number.NaN), 0);
            const cpuBefore = cpu();
            const run = await writeLoad(client, concurrency, seconds * 1000, `r${round}`);
            const cpuMsPerKiloWrite = ((cpu() - cpuBefore) / Math.max(1, run.ok)) * 1000;
            client.close();
            const c = cell(mode, concurrency);
            c.rounds.push({ opsPerS: run.opsPerS, failed: run.failed, cpuMsPerKiloWrite });
            c.latencies.push(...run.latencies);
            ctx.progress(`tls: round ${round + 1}/${rounds} ${mode} c=${concurrency}: ${fmt(run.opsPerS)} writes/s, p50 ${fmt(percentile(run.latencies, 50))} ms, p99 ${fmt(percentile(run.latencies, 99))} ms, ${run.failed} failed`);
          }
        } finally {
          await cluster.close();
        }
      }
    }
  } finally {
    rmSync(certs.dir, { recursive: true, force: true });
  }

  const median = (xs: number[]): number => percentile(xs, 50);
  const rows: string[][] = [];
  const verdicts: string[] = [];
  const data: unknown[] = [];
  for (const concurrency of CONCURRENCIES) {
    const plain = cell('plaintext', concurrency);
    const tls = cell('tls', concurrency);
    const plainOps = median(plain.rounds.map((r) => r.opsPerS));
    const tlsOps = median(tls.rounds.map((r) => r.opsPerS));
    const cost = 1 - tlsOps / plainOps;
    const plainCpu = median(plain.rounds.map((r) => r.cpuMsPerKiloWrite));
    const tlsCpu = median(tls.rounds.map((r) => r.cpuMsPerKiloWrite));
    // Throughput at saturation goes as 1 / CPU per write: the cost the CPU figures predict.
    const cpuCost = 1 - plainCpu / tlsCpu;
    const peerOnly = cell('peer-tls', concurrency);
    const costOf = (c: Cell): { throughput: number; cpu: number } => ({
      throughput: 1 - median(c.rounds.map((r) => r.opsPerS)) / plainOps,
      cpu: 1 - plainCpu / median(c.rounds.map((r) => r.cpuMsPerKiloWrite)),
    });
    for (const c of [plain, peerOnly, tls]) {
      const ops = median(c.rounds.map((r) => r.opsPerS));
      rows.push([
        String(concurrency),
        MODE_LABEL[c.mode],
        fmt(ops),
        c.rounds.map((r) => fmt(r.opsPerS)).join(' / '),
        fmt(percentile(c.latencies, 50)),
        fmt(percentile(c.latencies, 99)),
        fmt(median(c.rounds.map((r) => r.cpuMsPerKiloWrite))),
        String(c.rounds.reduce((n, r) => n + r.failed, 0)),
        c.mode === 'plaintext' ? '' : fmtPercent(costOf(c).throughput),
        c.mode === 'plaintext' ? '' : fmtPercent(costOf(c).cpu),
      ]);
      data.push({ mode: c.mode, concurrency, rounds: c.rounds, p50: percentile(c.latencies, 50), p99: percentile(c.latencies, 99), n: c.latencies.length });
    }
    if (concurrency === 64) {
      verdicts.push(
        `At concurrency 64, TLS costs ${fmtPercent(cost)} of the median write throughput and ${fmtPercent(cpuCost)} judged by CPU per write (goal: at most ${fmtPercent(TARGET_COST)}): ` +
          `${cost <= TARGET_COST ? 'met' : 'NOT met'} by throughput, ${cpuCost <= TARGET_COST ? 'met' : 'NOT met'} by CPU.`,
      );
    }
  }
  const markdown = [
    `Three nodes on loopback, writes (PUT) to the leader over keep-alive connections, ${rounds} alternating round(s) of ${seconds} s per setting (plaintext, peer TLS only, peer TLS + HTTPS); each round starts a fresh cluster. ` +
      'Throughput is the median over rounds (each round listed); latencies are pooled over rounds. With TLS, peer traffic is mutual TLS and clients use HTTPS (certificates from scripts/make-certs.sh, EC P-256).',
    '',
    markdownTable(['concurrency', 'transport', 'writes/s (median)', 'per round', 'p50 ms', 'p99 ms', 'node CPU ms / 1000 writes', 'failed', 'TLS cost (throughput)', 'TLS cost (CPU)'], rows),
    '',
    ...verdicts,
    '',
    'The machine is shared and has few cores: read the ratio between rows of one run, not the absolute figures. Throughput swings with the load of other processes; ' +
      '"node CPU ms / 1000 writes" (user + system time of the three node processes, median over rounds) swings much less, and "TLS cost (CPU)" = 1 - plaintext CPU / TLS CPU is the throughput cost it predicts once the nodes saturate their cores.',
  ].join('\n');
  return { name: 'tls', title: 'Transport security: throughput and latency with and without TLS', markdown, data, charts: [] };
}
