// `npm run bench:handoff -- [--rounds 20] [--mode term|kill|both] [--writers 2] [--election-timeout 150] [--save]`
//
// Graceful leader hand-off in the standalone mode (dissertation §3.10). Three dist/node.js processes
// on loopback, clients writing continuously over HTTP; the leader is stopped `rounds` times (SIGTERM:
// it transfers leadership before it exits; SIGKILL: the kill -9 baseline) and started again each time.
// Measured on the bench clock from the signal: when a survivor logs `elected leader` for a higher term,
// and the longest a client write took around it. A write that fails or times out is counted; a write
// the cluster definitely refused (503, or a connection refused: nothing was sent) is retried on
// another node and counted as a retry, not a failure. --save writes bench/results/graceful-handoff.md.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ArgsError, BenchArgs } from './args.ts';
import { repoRoot } from './bench-cluster.ts';
import { httpRequest, StandaloneBenchCluster } from './standalone-cluster.ts';
import { fmt, summarize, type Summary } from './stats.ts';
import { markdownTable } from './table.ts';

type Mode = 'term' | 'kill';
const SIGNALS: Record<Mode, NodeJS.Signals> = { term: 'SIGTERM', kill: 'SIGKILL' };
/** The issue's targets for the graceful mode. */
const TARGET_LEADER_P50_MS = 20;
/** A round slower than this prints the log lines that explain it. */
const SLOW_ROUND_MS = 400;
/** A write not acknowledged this long after it started counts as timed out. */
const WRITE_DEADLINE_MS = 5000;

interface WriteRecord {
  startedAt: number;
  endedAt: number;
  outcome: 'ok' | 'failed' | 'timed-out';
  retries: number;
  detail: string;
}

interface RoundResult {
  round: number;
  oldLeader: string;
  newLeader: string | null;
  leaderMs: number | null;
  /** The same from the ISO time in the new leader's own log line (ms resolution), without pipe delays. */
  leaderNodeClockMs: number | null;
  exitMs: number;
  exitCode: number | null;
  /** Longest write that was in progress within a second of the signal. */
  worstWriteMs: number;
}

interface ModeResult {
  mode: Mode;
  rounds: RoundResult[];
  writes: WriteRecord[];
  lastValueCheck: string;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** One writer: PUT w<i> = 1, 2, 3, ... one at a time, to the node it believes leads. */
class Writer {
  readonly records: WriteRecord[] = [];
  lastAcked = 0;
  /** The highest value sent at all: an unacknowledged write may still have been applied. */
  lastSent = 0;
  private stopped = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly cluster: StandaloneBenchCluster,
    readonly key: string,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private target(avoid: string | null): string {
    const leader = this.cluster.log.leader()?.node ?? null;
    if (leader !== null && leader !== avoid && this.cluster.isRunning(leader)) return leader;
    const running = this.cluster.names.filter((n) => n !== avoid && this.cluster.isRunning(n));
    return running[Math.floor(Math.random() * running.length)] ?? this.cluster.names[0] as string;
  }

  private async loop(): Promise<void> {
    for (let value = 1; !this.stopped; value++) {
      const startedAt = this.cluster.now();
      let retries = 0;
      let avoid: string | null = null;
      let record: WriteRecord | null = null;
      while (record === null) {
        const left = WRITE_DEADLINE_MS - (this.cluster.now() - startedAt);
        if (left <= 0) {
          record = { startedAt, endedAt: this.cluster.now(), outcome: 'timed-out', retries, detail: 'no acknowledgement in time' };
          break;
        }
        const node = this.target(avoid);
        this.lastSent = value;
        const r = await httpRequest(`${this.cluster.url(node)}/kv/${this.key}`, 'PUT', String(value), left);
        const endedAt = this.cluster.now();
        if (r.kind === 'answer' && r.status === 200) {
          record = { startedAt, endedAt, outcome: 'ok', retries, detail: node };
          this.lastAcked = value;
        } else if (r.kind === 'refused' || (r.kind === 'answer' && r.status === 503)) {
          // Definitely not applied: try again elsewhere, as any client of a 503 would.
          retries++;
          avoid = node;
          await sleep(5);
        } else {
          const detail = r.kind === 'answer' ? `HTTP ${r.status} ${JSON.stringify(r.body)}` : r.kind === 'lost' ? `lost: ${r.reason}` : 'refused';
          record = { startedAt, endedAt, outcome: r.kind === 'lost' && r.reason.startsWith('no answer') ? 'timed-out' : 'failed', retries, detail: `${node}: ${detail}` };
        }
      }
      this.records.push(record);
    }
  }
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(2);
  }
}

async function runMode(mode: Mode, rounds: number, writerCount: number, base: number): Promise<ModeResult> {
  const cluster = await StandaloneBenchCluster.start(3, ['--election-timeout', String(base)]);
  const writers = Array.from({ length: writerCount }, (_, i) => new Writer(cluster, `w${i}`));
  const results: RoundResult[] = [];
  try {
    await waitFor('a first leader', 10_000, () => cluster.log.leader() ?? undefined);
    for (const w of writers) w.start();
    let restartedAt = -Infinity;
    let restarted: string | null = null;
    for (let round = 1; round <= rounds; round++) {
      // The restarted node must follow the current leader before the next round, and things settle.
      const old = await waitFor('a leader every node follows', 10_000, () => {
        const leader = cluster.log.leader();
        if (leader === null || !cluster.isRunning(leader.node)) return undefined;
        if (restarted !== null && !cluster.log.since(restartedAt).some((e) => e.node === restarted && e.event.kind === 'recognized' && e.event.term === leader.term)) return undefined;
        return leader;
      });
      await sleep(300);
      const signalledAt = cluster.now();
      const signalledWall = Date.now();
      const exited = cluster.stopNode(old.node, SIGNALS[mode]);
      let newLeader: { node: string; at: number; line: string } | null = null;
      try {
        newLeader = await waitFor(`a new leader after ${SIGNALS[mode]} to ${old.node}`, 5000, () => {
          const e = cluster.log.since(signalledAt).find((x) => x.node !== old.node && x.event.kind === 'elected' && x.event.term > old.term);
          return e === undefined ? undefined : { node: e.node, at: e.at, line: e.line };
        });
      } catch {
        newLeader = null;
      }
      const exitCode = await exited;
      const exitMs = cluster.now() - signalledAt;
      cluster.log.forgetLeader(old.node);
      await sleep(1000); // writes that started around the signal have finished or timed out by now... mostly
      const around = writers.flatMap((w) => w.records).filter((r) => r.endedAt >= signalledAt - 50 && r.startedAt <= signalledAt + 1000);
      const worstWriteMs = Math.max(0, ...around.map((r) => r.endedAt - r.startedAt));
      const result: RoundResult = {
        round,
        oldLeader: old.node,
        newLeader: newLeader?.node ?? null,
        leaderMs: newLeader === null ? null : newLeader.at - signalledAt,
        leaderNodeClockMs: newLeader === null ? null : Date.parse(newLeader.line.slice(0, newLeader.line.indexOf(' '))) - signalledWall,
        exitMs,
        exitCode,
        worstWriteMs,
      };
      results.push(result);
      process.stdout.write(
        `  ${mode} round ${round}: leader ${old.node} (t${old.term}) -> ${result.newLeader ?? 'none'}: elected after ${fmt(result.leaderMs ?? Number.NaN)} ms (node clock ${fmt(result.leaderNodeClockMs ?? Number.NaN)}), ` +
          `process exited (code ${exitCode}) after ${fmt(exitMs)} ms, slowest write around it ${fmt(worstWriteMs)} ms\n`,
      );
      if (result.leaderMs === null || result.leaderMs > SLOW_ROUND_MS) {
        // An outlier gets its evidence printed: every node's lines from the signal to the new leader.
        const until = newLeader?.at ?? cluster.now();
        for (const l of cluster.log.lines) if (l.at >= signalledAt - 5 && l.at <= until + 5 && !l.line.includes('heartbeat')) process.stdout.write(`    ${fmt(l.at - signalledAt)} ms: ${l.line}\n`);
      }
      cluster.log.lines.length = 0;
      cluster.startNode(old.node);
      restarted = old.node;
      restartedAt = cluster.now();
    }
  } finally {
    for (const w of writers) await w.stop();
  }
  const lastValueCheck = await checkLastValues(cluster, writers);
  await cluster.close();
  return { mode, rounds: results, writes: writers.flatMap((w) => w.records), lastValueCheck };
}

/**
 * Every writer's key must hold its last acknowledged value, or a later one whose write had an unknown
 * outcome (it may have been applied): an acknowledged write is never lost.
 */
async function checkLastValues(cluster: StandaloneBenchCluster, writers: Writer[]): Promise<string> {
  const problems: string[] = [];
  for (const w of writers) {
    const leader = cluster.log.leader()?.node ?? (cluster.names[0] as string);
    const r = await httpRequest(`${cluster.url(leader)}/kv/${w.key}`, 'GET', undefined, 3000);
    const value = r.kind === 'answer' ? (r.body as { value?: unknown } | null)?.value : undefined;
    const fine = typeof value === 'number' && value >= w.lastAcked && value <= w.lastSent;
    if (!fine) problems.push(`${w.key} = ${JSON.stringify(value)}, last acknowledged ${w.lastAcked}, last sent ${w.lastSent}`);
  }
  return problems.length === 0 ? `no acknowledged write lost (${writers.length} keys: each holds its last acknowledged value or a later unacknowledged one)` : `MISMATCH: ${problems.join('; ')}`;
}

function row(r: ModeResult): string[] {
  const leader: Summary = summarize(r.rounds.flatMap((x) => (x.leaderMs === null ? [] : [x.leaderMs])));
  const nodeClock: Summary = summarize(r.rounds.flatMap((x) => (x.leaderNodeClockMs === null ? [] : [x.leaderNodeClockMs])));
  const worst: Summary = summarize(r.rounds.map((x) => x.worstWriteMs));
  const exit: Summary = summarize(r.rounds.map((x) => x.exitMs));
  const ok = r.writes.filter((w) => w.outcome === 'ok').length;
  const failed = r.writes.filter((w) => w.outcome === 'failed').length;
  const timedOut = r.writes.filter((w) => w.outcome === 'timed-out').length;
  const retries = r.writes.reduce((s, w) => s + w.retries, 0);
  return [
    SIGNALS[r.mode], String(r.rounds.length), fmt(leader.p50), fmt(leader.p90), fmt(leader.max), fmt(nodeClock.p50), String(r.rounds.length - leader.n),
    fmt(worst.p50), fmt(worst.p90), fmt(worst.max), fmt(exit.p50), String(ok), String(failed), String(timedOut), String(retries),
  ];
}

const HEADER = ['signal', 'rounds', 'leader p50', 'p90', 'max', 'leader p50 (node clock)', 'no leader', 'slowest write p50', 'p90', 'max', 'exit p50', 'writes ok', 'failed', 'timed out', 'retries (503/refused)'];

function machine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), load average ${one?.toFixed(2)} / ${five?.toFixed(2)} (1 / 5 min), node ${process.version}`;
}

async function main(): Promise<void> {
  const args = new BenchArgs(process.argv.slice(2), ['rounds', 'mode', 'writers', 'election-timeout', 'save']);
  const rounds = args.number('rounds', 20);
  const modeArg = args.choice('mode', ['term', 'kill', 'both'] as const, 'both');
  const writerCount = args.number('writers', 2);
  const base = args.number('election-timeout', 150);
  const modes: Mode[] = modeArg === 'both' ? ['term', 'kill'] : [modeArg];
  const startedAt = new Date();
  const loadBefore = machine();
  process.stdout.write(`graceful hand-off: 3 standalone nodes on loopback, election timeout ${base}-${2 * base} ms, ${writerCount} writers, ${rounds} rounds per signal; ${loadBefore}\n`);
  const results: ModeResult[] = [];
  for (const mode of modes) results.push(await runMode(mode, rounds, writerCount, base));
  const loadAfter = machine();
  const table = markdownTable(HEADER, results.map(row));
  const failures = results.flatMap((r) => r.writes.filter((w) => w.outcome !== 'ok').map((w) => `${SIGNALS[r.mode]}: ${w.outcome} after ${fmt(w.endedAt - w.startedAt)} ms (${w.detail})`));
  const notes = [
    'Times in ms on the bench clock from the signal. "leader" = a survivor logs `elected leader` for a higher term',
    '(bench clock: when the line reaches the bench; node clock: the ISO time in the line minus the wall time of the signal);',
    '"slowest write" = the longest client write (retries included) in progress within 1 s after the signal, per round;',
    '"exit" = the stopped process is gone. A write is "failed" on 500/504/a reset after sending, "timed out" after 5 s;',
    'a 503 or a refused connection (nothing applied) is retried on another node and counted under retries.',
  ].join('\n');
  const checks = results.map((r) => `- ${SIGNALS[r.mode]}: ${r.lastValueCheck}`).join('\n');
  process.stdout.write(`\n${table}\n\n${notes}\n${checks}\n`);
  if (failures.length > 0) process.stdout.write(`writes that did not succeed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  const term = results.find((r) => r.mode === 'term');
  if (term !== undefined) {
    const p50 = summarize(term.rounds.flatMap((x) => (x.leaderMs === null ? [] : [x.leaderMs]))).p50;
    const bad = term.writes.filter((w) => w.outcome !== 'ok').length;
    process.stdout.write(`target (SIGTERM): new leader p50 <= ${TARGET_LEADER_P50_MS} ms: ${p50 <= TARGET_LEADER_P50_MS ? 'met' : 'NOT met'} (${fmt(p50)} ms); zero failed or timed-out writes: ${bad === 0 ? 'met' : `NOT met (${bad})`}\n`);
  }
  process.stdout.write(`machine at the end: ${loadAfter}\n`);
  if (args.flag('save')) {
    const command = `npm run bench:handoff -- ${process.argv.slice(2).join(' ')}`.trim();
    const md = [
      '# Graceful leader hand-off (standalone mode)',
      '',
      `Command: \`${command}\`; ${startedAt.toISOString()}, took ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s.`,
      `Machine at the start: ${loadBefore}. At the end: ${loadAfter}.`,
      '',
      `3 nodes on loopback, election timeout ${base}-${2 * base} ms, ${writerCount} clients writing continuously (one write at a time each, fresh connection per request).`,
      '',
      table,
      '',
      notes,
      '',
      checks,
      '',
      failures.length > 0 ? `Writes that did not succeed:\n${failures.map((f) => `- ${f}`).join('\n')}` : 'Every write succeeded.',
      '',
    ].join('\n');
    const dir = join(repoRoot(), 'bench', 'results');
    writeFileSync(join(dir, 'graceful-handoff.md'), md);
    writeFileSync(join(dir, 'graceful-handoff.json'), `${JSON.stringify({ command, startedAt: startedAt.toISOString(), loadBefore, loadAfter, results: results.map((r) => ({ mode: r.mode, rounds: r.rounds, lastValueCheck: r.lastValueCheck, writes: { ok: r.writes.filter((w) => w.outcome === 'ok').length, failed: r.writes.filter((w) => w.outcome === 'failed').length, timedOut: r.writes.filter((w) => w.outcome === 'timed-out').length, retries: r.writes.reduce((s, w) => s + w.retries, 0) } })) }, null, 2)}\n`);
    process.stdout.write('saved bench/results/graceful-handoff.md and .json\n');
  }
}

main().catch((err: unknown) => {
  if (err instanceof ArgsError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
