// What an HTTPS write load really does to the leader, for finding where TLS costs go:
//   node scripts/run-ts.mjs bench/tls-probe.ts [plaintext|tls] [concurrency=64] [seconds=6] [--cpu-prof]
// Starts three nodes (mode as in bench/tls.ts), writes to the leader at the concurrency, and prints
// what the client saw: connections opened (each one a TLS handshake), sessions resumed, cipher and
// curve, requests per connection; the nodes' CPU per 1000 writes; with --cpu-prof, the leader's top
// functions by self time (the profile is left in /tmp/raft-tls-probe).
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { KeepAliveClient, writeLoad } from './keep-alive-client.ts';
import { cpuTimeMs } from './processes.ts';
import { StandaloneBenchCluster } from './standalone-cluster.ts';
import { fmt, percentile } from './stats.ts';
import { makeCerts, settledLeader } from './tls.ts';
import { selfTimeSummary, type CpuProfile } from './cpu-profile.ts';

const mode = process.argv[2] === 'plaintext' ? 'plaintext' : 'tls';
const concurrency = Number(process.argv[3] ?? 64);
const seconds = Number(process.argv[4] ?? 6);
const profile = process.argv.includes('--cpu-prof');
const profileDir = '/tmp/raft-tls-probe';

async function main(): Promise<void> {
  const certs = makeCerts(['1', '2', '3']);
  if (profile) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const nodeFlags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const cluster = await StandaloneBenchCluster.start(3, [], mode === 'tls' ? certs.flagsFor : () => [], nodeFlags);
  let leaderPid = 0;
  try {
    const tls = mode === 'tls' ? certs.clientTls() : null;
    const urlOf = (n: string): string => cluster.url(n, mode === 'tls' ? 'https' : 'http');
    const leader = await settledLeader(cluster, urlOf, tls);
    leaderPid = cluster.pid(leader) as number;
    const client = new KeepAliveClient(urlOf(leader), concurrency, tls);
    const sockets = new Map<object, number>();
    let resumed = 0;
    const ciphers = new Set<string>();
    client.onSocket((socket) => {
      if (!sockets.has(socket)) {
        sockets.set(socket, 0);
        const t = socket as TLSSocket;
        if (typeof t.getCipher === 'function') {
          const note = (): void => {
            if (t.isSessionReused()) resumed++;
            const key = t.getEphemeralKeyInfo();
            ciphers.add(`${t.getProtocol() ?? '?'} ${t.getCipher()?.name ?? '?'} ${key === null || !('name' in key) ? '' : String(key.name)}`);
          };
          t.once('secureConnect', note);
        }
      }
      sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    });
    await writeLoad(client, concurrency, 500, 'warm');
    const warmSockets = sockets.size;
    const cpu = (): number => cluster.names.reduce((sum, n) => sum + (cpuTimeMs(cluster.pid(n) as number) ?? Number.NaN), 0);
    const leaderCpu = (): number => cpuTimeMs(leaderPid) ?? Number.NaN;
    const before = cpu();
    const leaderBefore = leaderCpu();
    const run = await writeLoad(client, concurrency, seconds * 1000, 'probe');
    const nodesMs = cpu() - before;
    const leaderMs = leaderCpu() - leaderBefore;
    client.close();
    const perSocket = [...sockets.values()];
    process.stdout.write(
      `${mode} c=${concurrency}: ${fmt(run.opsPerS)} writes/s, p50 ${fmt(percentile(run.latencies, 50))} ms, p99 ${fmt(percentile(run.latencies, 99))} ms, ${run.failed} failed\n` +
        `connections: ${warmSockets} after warm-up, ${sockets.size} in all (${sockets.size - warmSockets} opened during the run), ${resumed} resumed sessions; ` +
        `requests per connection: min ${Math.min(...perSocket)}, max ${Math.max(...perSocket)}\n` +
        `negotiated: ${[...ciphers].join('; ') || 'plain TCP'}\n` +
        `CPU per 1000 writes: nodes ${fmt((nodesMs / run.ok) * 1000)} ms, leader ${fmt((leaderMs / run.ok) * 1000)} ms\n`,
    );
    if (profile) for (const n of cluster.names) await cluster.stopNode(n, 'SIGTERM');
  } finally {
    await cluster.close();
    rmSync(certs.dir, { recursive: true, force: true });
  }
  if (!profile) return;
  for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
    if (!file.includes(`.${leaderPid}.`)) continue;
    const p = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
    process.stdout.write(`\nleader (pid ${leaderPid}) self time:\n${selfTimeSummary(p, 30).join('\n')}\n`);
  }
}

await main();
