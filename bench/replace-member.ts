// `npm run bench -- --only replace-member [--quick]`: replacing a member of a running 3-node cluster
// for good (issue 18), on loopback, with one client per member writing continuously through it:
//   1. SIGKILL a follower (its client stops first: its writes have nowhere to go);
//   2. start a fresh node that joins as a learner;
//   3. let it be promoted (ours: automatically; etcd: `member promote`, asked again until in sync);
//   4. remove the dead member;
// then the same with the leader as the member replaced. Per replacement: join -> promotion time,
// bytes the members sent to each other meanwhile, the longest time no member led, and the writes
// that failed (refused: nothing happened; unknown: may have happened). The same with etcd when it
// is installed (/usr/bin/etcd, Debian's etcd-server).
import { performance } from 'node:perf_hooks';
import type { RunContext, SectionResult } from './experiments/section.ts';
import { EtcdCluster, OurCluster, type ReplaceTarget, type WriteOutcome } from './replace-member-systems.ts';
import { fmt, percentile } from './stats.ts';
import { markdownTable } from './table.ts';

const POLL_MS = 20;
const PRELOAD_WRITES = 300;

interface Replacement {
  system: string;
  round: number;
  replaced: 'follower' | 'leader';
  joinToPromotionMs: number;
  /** From the join to the end of the replacement (ours: the removal; etcd, which removes first: the promotion). */
  joinToRemovedMs: number;
  bytesJoinToPromotion: number;
  longestLeaderlessMs: number;
  writes: Record<WriteOutcome, number>;
  failures: string[];
}

class Writers {
  private readonly loops = new Map<string, { stop: boolean; done: Promise<void> }>();
  counts: Record<WriteOutcome, number> = { ok: 0, refused: 0, unknown: 0 };
  /** What the failed writes got (the first few since the last take()). */
  failures: string[] = [];

  constructor(private readonly target: ReplaceTarget) {}

  start(member: string): void {
    const state = { stop: false, done: Promise.resolve() };
    state.done = (async () => {
      for (let i = 0; !state.stop; i++) {
        const r = await this.target.write(member, `w-${member}-${i % 200}`, `v${i}`);
        this.counts[r.outcome]++;
        if (r.outcome !== 'ok' && this.failures.length < 5) this.failures.push(r.detail);
      }
    })();
    this.loops.set(member, state);
  }

  async stop(member: string): Promise<void> {
    const s = this.loops.get(member);
    if (s === undefined) return;
    s.stop = true;
    await s.done;
    this.loops.delete(member);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.loops.keys()].map((m) => this.stop(m)));
  }

  /** Counts since the last call. */
  take(): { counts: Record<WriteOutcome, number>; failures: string[] } {
    const taken = { counts: this.counts, failures: this.failures };
    this.counts = { ok: 0, refused: 0, unknown: 0 };
    this.failures = [];
    return taken;
  }
}

/** Asks every live member whether it leads, every POLL_MS; the samples give the leaderless gaps. */
class LeaderPoller {
  readonly samples: { at: number; leader: boolean }[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(target: ReplaceTarget) {
    this.done = (async () => {
      while (this.running) {
        const at = performance.now();
        const answers = await Promise.all(target.members().map((m) => target.isLeader(m)));
        this.samples.push({ at, leader: answers.some((a) => a === true) });
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  /** The longest stretch within [from, to] from a sample without a leader to the next one with. */
  longestGap(from: number, to: number): number {
    let longest = 0;
    let since: number | null = null;
    for (const s of this.samples) {
      if (s.at < from || s.at > to) continue;
      if (!s.leader && since === null) since = s.at;
      if (s.leader && since !== null) {
        longest = Math.max(longest, s.at - since);
        since = null;
      }
    }
    if (since !== null) longest = Math.max(longest, to - since);
    return longest;
  }
}

async function leaderOf(target: ReplaceTarget): Promise<string> {
  const giveUpAt = Date.now() + 20_000;
  while (Date.now() < giveUpAt) {
    for (const m of target.members()) if ((await target.isLeader(m)) === true) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no leader within 20 s');
}

async function replaceOne(target: ReplaceTarget, writers: Writers, poller: LeaderPoller, replaced: 'follower' | 'leader', newName: string): Promise<Omit<Replacement, 'system' | 'round'>> {
  const leader = await leaderOf(target);
  const victim = replaced === 'leader' ? leader : (target.members().find((m) => m !== leader) as string);
  writers.take();
  await writers.stop(victim);
  const killedAt = performance.now();
  await target.kill(victim);
  const via = target.members()[0] as string;
  if (target.removeFirst) await target.remove(victim);
  const bytesBefore = await target.peerBytesSent();
  const joinAt = performance.now();
  await target.join(newName, via);
  await target.promote(newName);
  const promotedAt = performance.now();
  const bytesAfter = await target.peerBytesSent();
  if (!target.removeFirst) await target.remove(victim);
  const removedAt = performance.now();
  writers.start(newName);
  await new Promise((r) => setTimeout(r, 500)); // the writes right after the change count too
  return {
    replaced,
    joinToPromotionMs: promotedAt - joinAt,
    joinToRemovedMs: removedAt - joinAt,
    bytesJoinToPromotion: bytesAfter - bytesBefore,
    longestLeaderlessMs: poller.longestGap(killedAt, performance.now()),
    ...(() => {
      const t = writers.take();
      return { writes: t.counts, failures: t.failures };
    })(),
  };
}

async function runSystem(make: () => Promise<ReplaceTarget>, round: number, progress: (l: string) => void): Promise<Replacement[]> {
  const target = await make();
  const out: Replacement[] = [];
  try {
    const first = target.members()[0] as string;
    for (let i = 0; i < PRELOAD_WRITES; i++) await target.write(first, `preload-${i}`, 'x'.repeat(100));
    const writers = new Writers(target);
    for (const m of target.members()) writers.start(m);
    const poller = new LeaderPoller(target);
    try {
      for (const [replaced, newName] of [['follower', '4'], ['leader', '5']] as const) {
        const r = { system: target.label, round, ...(await replaceOne(target, writers, poller, replaced, newName)) };
        progress(
          `replace-member: ${r.system} round ${round + 1}, ${replaced} replaced: join->promotion ${fmt(r.joinToPromotionMs)} ms, ` +
            `leaderless ${fmt(r.longestLeaderlessMs)} ms, writes ok ${r.writes.ok} refused ${r.writes.refused} unknown ${r.writes.unknown}`,
        );
        out.push(r);
      }
    } finally {
      await writers.stopAll();
      await poller.stop();
    }
  } finally {
    await target.close();
  }
  return out;
}

/** What each failed write got, per replacement (at most five each), so "unknown" can be read. */
function failureLines(all: readonly Replacement[]): string[] {
  const lines = all.flatMap((r) => r.failures.map((f) => `- ${r.system}, round ${r.round + 1}, ${r.replaced} replaced: ${f}`));
  return lines.length === 0 ? [] : ['Failed writes, as answered:', '', ...lines, ''];
}

export async function replaceMemberSection(ctx: RunContext): Promise<SectionResult> {
  const rounds = ctx.quick ? 1 : 3;
  const systems: { name: string; make: () => Promise<ReplaceTarget> }[] = [{ name: 'ours', make: () => OurCluster.start() }];
  const etcd = EtcdCluster.available();
  if (etcd) systems.push({ name: 'etcd', make: () => EtcdCluster.start() });
  const all: Replacement[] = [];
  // Alternating systems round by round, so a change in the shared machine's load hits both alike.
  for (let round = 0; round < rounds; round++) for (const s of systems) all.push(...(await runSystem(s.make, round, ctx.progress)));

  const rows: string[][] = [];
  for (const system of [...new Set(all.map((r) => r.system))]) {
    for (const replaced of ['follower', 'leader'] as const) {
      const rs = all.filter((r) => r.system === system && r.replaced === replaced);
      const list = (f: (r: Replacement) => number, digits = 0): string => rs.map((r) => f(r).toFixed(digits)).join(' / ');
      const med = (f: (r: Replacement) => number): string => fmt(percentile(rs.map(f), 50));
      rows.push([
        system,
        replaced,
        `${med((r) => r.joinToPromotionMs)} (${list((r) => r.joinToPromotionMs)})`,
        `${med((r) => r.joinToRemovedMs)}`,
        `${fmt(percentile(rs.map((r) => r.bytesJoinToPromotion / 1024), 50))} (${list((r) => r.bytesJoinToPromotion / 1024)})`,
        `${med((r) => r.longestLeaderlessMs)} (${list((r) => r.longestLeaderlessMs)})`,
        String(rs.reduce((n, r) => n + r.writes.ok, 0)),
        String(rs.reduce((n, r) => n + r.writes.refused, 0)),
        String(rs.reduce((n, r) => n + r.writes.unknown, 0)),
      ]);
    }
  }
  const markdown = [
    `Three members on loopback, ${PRELOAD_WRITES} writes of 100 bytes preloaded, then one closed-loop client per live member writing through it (PUT for ours, /v3/kv/put through the gateway for etcd). ` +
      `Per replacement: the client of the member to replace stops, the member is SIGKILLed, a fresh node joins as a learner through a live member, is promoted, and the dead member is removed. ` +
      `${rounds} round(s) per system, each a fresh cluster, systems alternating; medians with every round in parentheses. ` +
      `Leaderless: the longest stretch during which no live member said it led (every member polled every ${POLL_MS} ms), from the SIGKILL to 0.5 s after the removal. ` +
      `Bytes: what the live members sent to their peers between the join and the promotion (etcd_network_peer_sent_bytes_total / raft_peer_sent_bytes_total). ` +
      'Writes: from the SIGKILL to 0.5 s after the removal; "refused" = 503/409 (nothing happened, a client retries), "unknown" = any other failure (may have happened).' +
      (etcd ? '' : ' etcd is not installed here (/usr/bin/etcd), so it was not run.'),
    '',
    markdownTable(['system', 'member replaced', 'join -> promotion ms', 'join -> removed ms', 'KiB sent join -> promotion', 'longest leaderless ms', 'writes ok', 'refused', 'unknown'], rows),
    '',
    ...failureLines(all),
    'Order: ours adds the new member while the dead one is still in the configuration and removes it last, as the issue asks; etcd 3.4 refuses `member add --learner` with "etcdserver: unhealthy cluster" while a voter is down, so for etcd the dead member is removed first (its own runbook\'s order), and "join -> removed" is join -> promotion there For etcd the join clock starts at the first `member add`, which etcd refuses ("unhealthy cluster") for a few seconds after the removal of a dead voter; the benchmark asks again every 100 ms, so that wait is in its figure. ' +
      'Defaults on both sides: ours promotes automatically once a replication round to the learner finishes within an election timeout (election timeout 150-300 ms, floors adapted to measured round trips); ' +
      'etcd 3.4 (election timeout 1000 ms, heartbeat 100 ms) refuses `member promote` until the learner is in sync, so the benchmark asks again every 20 ms. ' +
      'Killing the leader costs one election on both sides (SIGKILL gives no hand-over); the target for ours is no leaderless gap beyond one election and no failed write.',
    '',
    'The machine is shared with other work and has 2 cores (see the load average above): the run is kept short, and the numbers are noisy; compare systems within this run.',
  ].join('\n');
  return { name: 'replace-member', title: 'Replacing a member for good: join, promote, remove (ours and etcd)', markdown, data: all, charts: [] };
}
