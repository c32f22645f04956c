// Profiles our three nodes under one closed loop and prints where each spent its time:
//   node scripts/run-ts.mjs bench/vs-etcd/profile.ts [connections=16] [leader|follower] [write|read] [dir=/tmp/raft-prof]
// Each node runs with node --cpu-prof and is stopped with SIGTERM so it writes its .cpuprofile;
// the summary is self time per function, the blocking fsync of the log showing as "fsync".
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { selfTimeSummary, type CpuProfile } from '../cpu-profile.ts';
import { closedLoop, type Op } from './closed-loop.ts';
import { OurCluster } from './ours-cluster.ts';
import { settledLeader } from './system.ts';

async function main(): Promise<void> {
  const connections = Number(process.argv[2] ?? 16);
  const target = process.argv[3] ?? 'leader';
  const op = (process.argv[4] ?? 'write') as Op;
  const dir = process.argv[5] ?? '/tmp/raft-prof';
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const ours = await OurCluster.start(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const pids = new Map<string, string>();
  try {
    const leader = await settledLeader(ours);
    for (const m of ours.members) pids.set(String(ours.pid(m)), `${m} (${m === leader ? 'leader' : 'follower'})`);
    const member = target === 'leader' ? leader : (ours.members.find((m) => m !== leader) as string);
    const client = ours.client(member, 'http', connections);
    await closedLoop(ours, client, op, connections, 1000);
    const run = await closedLoop(ours, client, op, connections, 6000);
    client.close();
    process.stdout.write(`${op}s to ${target} ${member}, ${connections} connections: ${run.opsPerS.toFixed(0)}/s; CPU ms per 1000: ${JSON.stringify(run.cpuPerKiloOp)}\n`);
    for (const m of ours.members) await ours.stop(m, 'SIGTERM');
  } finally {
    await ours.close();
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const pid = /\.(\d+)\.0\.\d+\.cpuprofile$/.exec(file)?.[1] ?? '?';
    process.stdout.write(`\nnode ${pids.get(pid) ?? pid}:\n${selfTimeSummary(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, 12).join('\n')}\n`);
  }
}

await main();
