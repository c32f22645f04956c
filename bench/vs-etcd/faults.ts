// The fault experiments of the vs-etcd benchmark, each the same code for both systems: SIGKILL of
// the leader (time to a new leader, time to the first successful write), a graceful leader move
// and SIGTERM on the leader (time, failed writes), and a follower catching up after missing many
// writes (time until its log matches, bytes the leader wrote meanwhile).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { settledLeader, sleep, type BenchSystem, type KvClient } from './system.ts';

/** The protocol the fault experiments use: each system's native one. */
function nativeProtocol(system: BenchSystem): string {
  return system.protocols[0] as string;
}

/** Waits until every running member agrees on a leader and has applied what that leader committed. */
async function settledAndCaughtUp(system: BenchSystem, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const leader = await settledLeader(system, timeoutMs);
  while (Date.now() < deadline) {
    const lv = await system.view(leader, 1000);
    const views = await Promise.all(system.members.map((m) => system.view(m, 1000)));
    if (lv !== null && views.every((v) => v !== null && v.appliedIndex >= lv.commitIndex - 1)) return leader;
    await sleep(50);
  }
  return leader;
}

export interface FailoverRound {
  killed: string;
  /** ms from SIGKILL until a survivor names another survivor as leader; null if not within the limit. */
  newLeaderMs: number | null;
  /** ms from SIGKILL until the first write to a survivor succeeds (one attempt every 10 ms). */
  firstWriteMs: number | null;
}

export async function failoverRound(system: BenchSystem, limitMs = 10_000): Promise<FailoverRound> {
  const leader = await settledAndCaughtUp(system);
  const survivors = system.members.filter((m) => m !== leader);
  const writer = system.client(survivors[0] as string, nativeProtocol(system), 64);
  let newLeaderMs: number | null = null;
  let firstWriteMs: number | null = null;
  const t0 = performance.now();
  const until = t0 + limitMs;
  const killed = system.stop(leader, 'SIGKILL');
  const watchLeader = (async () => {
    while (newLeaderMs === null && performance.now() < until) {
      const views = await Promise.all(survivors.map((m) => system.view(m, 500)));
      if (views.some((v) => v !== null && v.leader !== null && survivors.includes(v.leader))) newLeaderMs = performance.now() - t0;
      else await sleep(5);
    }
  })();
  // A fresh attempt every 10 ms whether or not the earlier ones answered: a request parked on a
  // follower without a leader must not hide a later one that would succeed sooner.
  const attempts: Promise<void>[] = [];
  for (let i = 0; firstWriteMs === null && performance.now() < until; i++) {
    attempts.push(writer.put(`failover-${i}`, String(i)).then((ok) => {
      if (ok && firstWriteMs === null) firstWriteMs = performance.now() - t0;
    }));
    await sleep(10);
  }
  await watchLeader;
  await killed;
  writer.close();
  system.restart(leader);
  void Promise.allSettled(attempts);
  return { killed: leader, newLeaderMs, firstWriteMs };
}

export interface WriterTally {
  ok: number;
  failed: number;
  /** Failures of requests sent to the member that was stopped or lost leadership. */
  failedAtSubject: number;
}

/** `perMember` closed-loop writers on each member until stop(); writers of a stopped member stop sending. */
function backgroundWriters(system: BenchSystem, perMember: number, subject: string): { stop: () => Promise<WriterTally> } {
  const tally: WriterTally = { ok: 0, failed: 0, failedAtSubject: 0 };
  let running = true;
  const clients: KvClient[] = [];
  const loops = system.members.flatMap((m) => {
    const client = system.client(m, nativeProtocol(system), perMember);
    clients.push(client);
    return Array.from({ length: perMember }, async (_, w) => {
      for (let i = 0; running && system.isRunning(m); i++) {
        if (await client.put(`bg-${m}-${w}-${i % 50}`, String(i))) tally.ok++;
        else {
          tally.failed++;
          if (m === subject) tally.failedAtSubject++;
        }
      }
    });
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      clients.forEach((c) => c.close());
      return tally;
    },
  };
}

export interface HandoffRound {
  kind: 'move' | 'sigterm';
  from: string;
  /** move: the command's own time; sigterm: until the process exited. */
  commandMs: number;
  /** ms until every remaining member names a new leader. */
  newLeaderMs: number | null;
  accepted: boolean;
  writes: WriterTally;
}

export async function handoffRound(system: BenchSystem, kind: 'move' | 'sigterm', writersPerMember: number): Promise<HandoffRound> {
  const from = await settledAndCaughtUp(system);
  const to = system.members.find((m) => m !== from) as string;
  const writers = backgroundWriters(system, writersPerMember, from);
  await sleep(300);
  const t0 = performance.now();
  let accepted = true;
  if (kind === 'move') accepted = await system.moveLeader(from, to);
  else await system.stop(from, 'SIGTERM');
  const commandMs = performance.now() - t0;
  let newLeaderMs: number | null = null;
  const remaining = system.members.filter((m) => system.isRunning(m));
  while (newLeaderMs === null && performance.now() - t0 < 10_000) {
    const views = await Promise.all(remaining.map((m) => system.view(m, 500)));
    const named = views[0]?.leader ?? null;
    if (named !== null && named !== from && views.every((v) => v?.leader === named)) newLeaderMs = performance.now() - t0;
    else await sleep(5);
  }
  await sleep(500);
  const writes = await writers.stop();
  if (kind === 'sigterm') system.restart(from);
  return { kind, from, commandMs, newLeaderMs, accepted, writes };
}

/** Bytes a process handed to write(2) and friends so far (sockets and files): /proc/PID/io wchar. */
export function writtenBytes(pid: number | null): number {
  if (pid === null) return Number.NaN;
  try {
    const m = /^wchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m === null ? Number.NaN : Number(m[1]);
  } catch {
    return Number.NaN;
  }
}

/** `total` writes spread over `concurrency` workers, keys cycling through `keys`; successes. */
export async function writeCount(client: KvClient, total: number, concurrency: number, keys: number, prefix: string): Promise<{ ok: number; failed: number; seconds: number }> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      if (await client.put(`${prefix}${i % keys}`, `value-${i}`)) ok++;
      else failed++;
    }
  }));
  return { ok, failed, seconds: (performance.now() - t0) / 1000 };
}

export interface CatchUpResult {
  follower: string;
  writes: number;
  okWrites: number;
  writeSeconds: number;
  /** ms from the restart until the follower has applied the leader's commit index; null if not within the limit. */
  catchUpMs: number | null;
  /** Bytes the leader wrote (sockets and disk, /proc wchar) during the catch-up, less its idle rate. */
  leaderBytes: number;
  leaderIdleBytesPerS: number;
}

export async function catchUp(system: BenchSystem, writes: number, concurrency: number, limitMs: number): Promise<CatchUpResult> {
  const leader = await settledAndCaughtUp(system);
  const follower = system.members.find((m) => m !== leader) as string;
  await system.stop(follower, 'SIGKILL');
  const client = system.client(leader, nativeProtocol(system), concurrency);
  const run = await writeCount(client, writes, concurrency, 1000, 'catch-up-');
  client.close();
  const pid = system.pid(leader);
  const idle0 = writtenBytes(pid);
  await sleep(1000);
  const idleRate = writtenBytes(pid) - idle0;
  const target = (await system.view(leader, 2000))?.commitIndex ?? Number.POSITIVE_INFINITY;
  const before = writtenBytes(pid);
  const t0 = performance.now();
  system.restart(follower);
  let catchUpMs: number | null = null;
  while (catchUpMs === null && performance.now() - t0 < limitMs) {
    const v = await system.view(follower, 500);
    if (v !== null && v.appliedIndex >= target) catchUpMs = performance.now() - t0;
    else await sleep(20);
  }
  const elapsedS = (performance.now() - t0) / 1000;
  return { follower, writes, okWrites: run.ok, writeSeconds: run.seconds, catchUpMs, leaderBytes: writtenBytes(pid) - before - idleRate * elapsedS, leaderIdleBytesPerS: idleRate };
}
