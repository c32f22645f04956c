// The failover experiment, shared by bench/failover.ts, bench/run.ts and the tuning study: wait for a
// settled leader, take it away (network isolation or SIGKILL), and time two things on the bench
// clock: the first `elected leader` of a higher term on another node, and the first client write
// that succeeds again through a surviving node. Then heal or restart, and go again.
import type { Random } from '../maelstrom/random.ts';
import type { BenchCluster } from './bench-cluster.ts';
import { delay } from './bench-cluster.ts';
import type { StampedEvent } from './node-log.ts';
import { firstSuccessfulWrite } from './write-probe.ts';

export type FailureMode = 'isolate' | 'kill';

export interface FailoverSample {
  round: number;
  oldLeader: string;
  oldTerm: number;
  newLeader: string | null;
  newTerm: number | null;
  /** Failure -> first `elected leader` of a higher term elsewhere (ms); null if none in time. */
  leaderMs: number | null;
  /** Failure -> first write_ok of a client on a surviving node (ms); null if none in time. */
  writeMs: number | null;
  /** Distinct terms in which some survivor became candidate before the new leader won. */
  candidateTerms: number;
  /** Pre-vote campaigns started by survivors before the new leader won. */
  preVotes: number;
}

export interface FailoverOptions {
  rounds: number;
  mode: FailureMode;
  random: Random;
  /** Give up on one round after this long. */
  roundTimeoutMs?: number;
  onRound?: (sample: FailoverSample) => void;
  /** How long to wait for a settled leader before each round. */
  settleTimeoutMs?: number;
}

export interface FailoverRun {
  samples: FailoverSample[];
  /** Why the rounds stopped early (no settled leader to fail), or null if all ran. */
  aborted: string | null;
}

export async function runFailoverRounds(bench: BenchCluster, options: FailoverOptions): Promise<FailoverRun> {
  const samples: FailoverSample[] = [];
  const { electionTimeoutMaxMs, heartbeatMs } = bench.options;
  // An election's path is about 8 one-way delays, and exponential ones have a long tail.
  const roundTimeoutMs = options.roundTimeoutMs ?? 5000 + 10 * electionTimeoutMaxMs + 30 * bench.options.latency.meanMs;
  for (let round = 1; round <= options.rounds; round++) {
    bench.log.trimBefore(bench.now() - 30_000);
    let old: { node: string; term: number };
    try {
      old = await bench.waitForStableLeader(options.settleTimeoutMs ?? 20_000 + 10 * electionTimeoutMaxMs);
    } catch (err) {
      // With timeouts too short for the latency, elections never finish: that is a result, not a crash.
      return { samples, aborted: `round ${round}: ${err instanceof Error ? err.message : String(err)}` };
    }
    // Fail at a random phase of the heartbeat period, as the floor model assumes.
    await delay(options.random.next() * heartbeatMs);
    const survivors = bench.nodeIds.filter((n) => n !== old.node);
    const writerNode = options.random.pick(survivors);

    // Filled in by the log subscription (a holder object, so the compiler sees it can change).
    const seen: { elected: StampedEvent | null } = { elected: null };
    const candidateTerms = new Set<number>();
    let preVotes = 0;
    const unsubscribe = bench.log.subscribe((e) => {
      if (seen.elected !== null || e.node === old.node) return;
      if (e.event.kind === 'candidate') candidateTerms.add(e.event.term);
      else if (e.event.kind === 'pre-vote') preVotes++;
      else if (e.event.kind === 'elected' && e.event.term > old.term) seen.elected = e;
    });

    const failedAt = bench.now();
    // kill() resolves only once the process is gone and its stderr drained: the writer must not wait for that.
    let killing: Promise<void> | null = null;
    if (options.mode === 'isolate') bench.cluster.isolate(old.node);
    else killing = bench.cluster.kill(old.node);
    const writeDone = firstSuccessfulWrite(bench.client(writerNode, 'failover-writer'), {
      key: 'failover',
      intervalMs: 10,
      // Like Maelstrom's client, max(10 x latency, 500): a write's path is several one-way delays.
      timeoutMs: Math.max(500, 10 * bench.options.latency.meanMs),
      giveUpAt: failedAt + roundTimeoutMs,
      now: () => bench.now(),
    });
    if (killing !== null) {
      await killing;
      bench.log.forgetLeader(old.node);
    }
    while (seen.elected === null && bench.now() < failedAt + roundTimeoutMs) await delay(5);
    const writeAt = await writeDone;
    unsubscribe();

    const won = seen.elected;
    const sample: FailoverSample = {
      round,
      oldLeader: old.node,
      oldTerm: old.term,
      newLeader: won?.node ?? null,
      newTerm: won !== null && won.event.kind === 'elected' ? won.event.term : null,
      leaderMs: won === null ? null : won.at - failedAt,
      writeMs: writeAt === null ? null : writeAt - failedAt,
      candidateTerms: candidateTerms.size,
      preVotes,
    };
    samples.push(sample);
    options.onRound?.(sample);

    if (options.mode === 'isolate') bench.cluster.heal();
    else await bench.cluster.restart(old.node);
  }
  return { samples, aborted: null };
}
