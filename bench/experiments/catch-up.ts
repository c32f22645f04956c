// Section "catch-up": a follower is stopped (SIGKILL) while the cluster commits `--catch-up-ops`
// writes (default 200,000), then restarted with no client load. With log compaction the leader no
// longer holds most of those entries: the follower gets the snapshot (§7), then the short log after
// it. Measured: time from restart until the leader reports the follower caught up (its log line
// "<node> caught up to index I after installing the snapshot"), and what the leader sent meanwhile
// (characters it wrote to stdout = bytes of JSON), against the bytes of the entries it would have
// replayed without a snapshot.
import { Random } from '../../maelstrom/random.ts';
import { DEFAULT_CONFIG } from '../../src/config.ts';
import { BenchCluster, delay, timingFor } from '../bench-cluster.ts';
import { closedLoop } from '../load.ts';
import { fmt } from '../stats.ts';
import { markdownTable } from '../table.ts';
import type { RunContext, SectionResult } from './section.ts';

interface CatchUpResult {
  writes: number;
  okWrites: number;
  leader: string;
  follower: string;
  /** From the restart of the follower's process until the leader saw it caught up. */
  catchUpMs: number | null;
  /** From the restart until the follower installed the snapshot. */
  installedMs: number | null;
  snapshotIndex: number | null;
  caughtUpIndex: number | null;
  /** Characters the leader wrote to stdout during the catch-up. */
  leaderSentChars: number;
  /** The same over the same time before the follower restarted (heartbeats to the other follower and so on). */
  idleSentChars: number;
  /** Characters the leader sent per committed write while the follower was down (its replication traffic, ~ per follower). */
  charsPerWriteReplicated: number;
}

const CAUGHT_UP = /(\S+) caught up to index (\d+) after installing the snapshot/;
const INSTALLED = /installed snapshot through index (\d+)/;

export async function catchUpSection(ctx: RunContext): Promise<SectionResult> {
  const writes = ctx.quick ? 20_000 : (ctx.catchUpOps ?? 200_000);
  const seed = new Random(ctx.seed).fork('catch-up').int(0, 2 ** 31);
  type Seen = { at: number; node: string; index: number } | null;
  const seen: { caughtUp: Seen; installed: Seen } = { caughtUp: null, installed: null };
  const bench = await BenchCluster.start({
    ...timingFor(150),
    nodeCount: 3,
    latency: { meanMs: 0, dist: 'constant' },
    seed,
    onLine: (node, line, at) => {
      const done = CAUGHT_UP.exec(line);
      if (done !== null && seen.caughtUp === null) seen.caughtUp = { at, node: done[1] as string, index: Number(done[2]) };
      const got = INSTALLED.exec(line);
      if (got !== null && seen.installed === null) seen.installed = { at, node, index: Number(got[1]) };
    },
  });
  let result: CatchUpResult;
  try {
    const leader = await bench.waitForStableLeader();
    const follower = bench.nodeIds.find((n) => n !== leader.node) as string;
    const live = bench.nodeIds.filter((n) => n !== follower);
    await bench.cluster.kill(follower);
    ctx.progress(`catch-up: ${follower} stopped; ${writes} writes through ${live.join(', ')}`);
    const clients = live.flatMap((n) => Array.from({ length: 8 }, (_, k) => bench.client(n, `catch-up-${k}`)));
    const sentBefore = bench.cluster.stdoutChars(leader.node);
    const r = await closedLoop(clients, { random: new Random(seed), now: () => bench.now(), timeoutMs: 1000, mix: 'write', ops: writes, deadlineMs: 3_600_000 });
    const charsPerWrite = (bench.cluster.stdoutChars(leader.node) - sentBefore) / Math.max(1, r.counts.ok);
    await delay(500); // let the last commits settle
    const idleFrom = bench.cluster.stdoutChars(leader.node);
    const idleStart = bench.now();
    await delay(1000);
    const idlePerMs = (bench.cluster.stdoutChars(leader.node) - idleFrom) / (bench.now() - idleStart);
    ctx.progress(`catch-up: restarting ${follower}`);
    const restartAt = bench.now();
    const sentAtRestart = bench.cluster.stdoutChars(leader.node);
    await bench.cluster.restart(follower);
    const deadline = restartAt + 120_000;
    while (seen.caughtUp === null && bench.now() < deadline) await delay(20);
    const end = seen.caughtUp;
    const got = seen.installed;
    const catchUpMs = end === null ? null : end.at - restartAt;
    result = {
      writes: r.issued,
      okWrites: r.counts.ok,
      leader: leader.node,
      follower,
      catchUpMs,
      installedMs: got === null ? null : got.at - restartAt,
      snapshotIndex: got?.index ?? null,
      caughtUpIndex: end?.index ?? null,
      leaderSentChars: bench.cluster.stdoutChars(leader.node) - sentAtRestart,
      idleSentChars: Math.round(idlePerMs * (catchUpMs ?? 0)),
      charsPerWriteReplicated: charsPerWrite / 2,
    };
  } finally {
    await bench.close();
  }
  const replayEstimate = result.okWrites * result.charsPerWriteReplicated;
  const markdown = [
    `3 nodes, latency 0; a snapshot every ${DEFAULT_CONFIG.snapshotThreshold} entries (the default). The follower ${result.follower} is killed,`,
    `24 clients write ${result.writes} times (${result.okWrites} ok) through the other two nodes, then ${result.follower} restarts with no client load.`,
    `Caught up = the leader's log line "${result.follower} caught up to index I after installing the snapshot" (the follower matches the leader's whole log).`,
    `Bytes = characters of JSON the leader wrote to its stdout from the restart until then (all its messages, heartbeats to the other follower included).`,
    `Without a snapshot the leader would have replayed every entry. Estimate: half of what the leader sent per ok write while ${result.follower} was down`,
    `(${fmt(result.charsPerWriteReplicated, 0)} bytes; client replies included, so an upper estimate) times the writes: ~${fmt(replayEstimate / 1024 / 1024, 1)} MiB.`,
    '',
    markdownTable(
      ['writes while down', 'snapshot installed at', 'snapshot index', 'caught up at', 'caught-up index', 'leader sent KiB', 'of which idle traffic KiB', 'full replay estimate MiB'],
      [[
        String(result.okWrites),
        result.installedMs === null ? 'never' : `${fmt(result.installedMs, 0)} ms`,
        String(result.snapshotIndex ?? 'n/a'),
        result.catchUpMs === null ? 'not within 120 s' : `${fmt(result.catchUpMs, 0)} ms`,
        String(result.caughtUpIndex ?? 'n/a'),
        fmt(result.leaderSentChars / 1024, 0),
        fmt(result.idleSentChars / 1024, 0),
        fmt(replayEstimate / 1024 / 1024, 1),
      ]],
    ),
  ].join('\n');
  return { name: 'catch-up', title: 'Catch-up after a long absence', markdown, data: result, charts: [] };
}
