// Memory and disk after many writes to a few keys: what a long-running cluster holds on to.
// RSS from /proc (VmRSS); disk as the blocks the data directory occupies (du), since etcd
// preallocates its WAL files and the apparent size would overstate it.
import { execFileSync } from 'node:child_process';
import { residentKb } from '../processes.ts';
import { writeCount } from './faults.ts';
import { settledLeader, sleep, type BenchSystem } from './system.ts';

export interface Footprint {
  writes: number;
  okWrites: number;
  seconds: number;
  members: { member: string; role: 'leader' | 'follower'; rssMb: number; diskMb: number }[];
}

function diskMb(dir: string): number {
  try {
    return Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) / 1024;
  } catch {
    return Number.NaN;
  }
}

export async function footprint(system: BenchSystem, writes: number, concurrency: number): Promise<Footprint> {
  const leader = await settledLeader(system);
  const client = system.client(leader, system.protocols[0] as string, Math.ceil(concurrency / (system.protocols[0] === 'grpc' ? 16 : 1)));
  const run = await writeCount(client, writes, concurrency, 1000, 'footprint-');
  client.close();
  await sleep(1000); // followers apply the tail
  return {
    writes,
    okWrites: run.ok,
    seconds: run.seconds,
    members: system.members.map((m) => ({ member: m, role: m === leader ? 'leader' : 'follower', rssMb: (residentKb(system.pid(m) ?? -1) ?? Number.NaN) / 1024, diskMb: diskMb(system.dataDir(m)) })),
  };
}
