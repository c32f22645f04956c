// `make demo`: the failover transcript for the course task. Starts 3 nodes on the bench, waits for a
// leader, SIGKILLs it, and prints the surviving nodes' log lines verbatim from the kill until the new
// leader has sent its first heartbeat and the other follower has recognized it, then the measured
// failover time. Stops every node at the end. Takes a few seconds.
import { Random } from '../maelstrom/random.ts';
import { BenchCluster, delay, timingFor } from './bench-cluster.ts';
import { parseLogLine, electionEvent, type ElectionEvent } from './node-log.ts';
import { firstSuccessfulWrite } from './write-probe.ts';

const GIVE_UP_MS = 5000;

/** What the course task asks to see, and how to recognize it in a line. */
const WANTED: readonly { label: string; matches: (e: ElectionEvent, node: string, newLeader: string) => boolean }[] = [
  { label: 'follower timeout', matches: (e, node, leader) => e.kind === 'timeout-fired' && node === leader },
  { label: 'candidate state and term', matches: (e, node, leader) => e.kind === 'candidate' && node === leader },
  { label: 'vote received', matches: (e, node, leader) => e.kind === 'vote-received' && node === leader },
  { label: 'leader elected', matches: (e, node, leader) => e.kind === 'elected' && node === leader },
  { label: 'first heartbeat', matches: (e, node, leader) => e.kind === 'heartbeat' && node === leader },
  { label: 'other follower recognizes the new leader', matches: (e, node, leader) => e.kind === 'recognized' && e.leader === leader && node !== leader },
];

async function main(): Promise<void> {
  const seed = Date.now() % 2 ** 31;
  const bench = await BenchCluster.start({ ...timingFor(150), nodeCount: 3, latency: { meanMs: 0, dist: 'constant' }, seed, keepLines: true });
  try {
    const first = await bench.waitForStableLeader(8000);
    const firstLine = bench.log.events.find((e) => e.node === first.node && e.event.kind === 'elected' && e.event.term === first.term);
    process.stdout.write(`# Raft failover demo: 3 nodes (n0 n1 n2), election timeouts 150-300 ms, heartbeat 50 ms\n`);
    process.stdout.write(`# first leader: ${first.node}, term ${first.term}\n`);
    if (firstLine !== undefined) process.stdout.write(`${firstLine.line}\n`);
    process.stdout.write(`# killing ${first.node} (SIGKILL)\n`);

    const killedAt = bench.now();
    const killing = bench.cluster.kill(first.node); // resolves after the exit; the clock already runs
    const survivors = bench.nodeIds.filter((n) => n !== first.node);
    const writeDone = firstSuccessfulWrite(bench.client(new Random(seed).pick(survivors), 'demo-writer'), {
      key: 'demo',
      intervalMs: 10,
      timeoutMs: 500,
      giveUpAt: killedAt + GIVE_UP_MS,
      now: () => bench.now(),
    });
    await killing;
    bench.log.forgetLeader(first.node);

    // Wait for the new leader, its first heartbeat and the other follower's recognition.
    let newLeader: { node: string; term: number; at: number } | null = null;
    const complete = (): boolean => {
      if (newLeader === null) return false;
      const leader = newLeader.node;
      const after = bench.log.since(killedAt);
      return after.some((e) => e.event.kind === 'heartbeat' && e.node === leader) && after.some((e) => e.event.kind === 'recognized' && e.node !== leader);
    };
    while (bench.now() - killedAt < GIVE_UP_MS && !complete()) {
      const won = bench.log.since(killedAt).find((e) => e.event.kind === 'elected' && e.event.term > first.term);
      if (won !== undefined && won.event.kind === 'elected') newLeader = { node: won.node, term: won.event.term, at: won.at };
      await delay(10);
    }
    const writeAt = await writeDone;
    const elected = newLeader;
    if (elected === null || !complete()) throw new Error(`no complete failover within ${GIVE_UP_MS} ms (new leader: ${JSON.stringify(elected)})`);

    // The transcript: every info/warn line of the survivors from the kill to the last wanted line.
    const window = bench.log.lines.filter((l) => l.at >= killedAt && l.node !== first.node);
    const keyLines = new Map<string, number>();
    const printed: string[] = [];
    for (const l of window) {
      const parsed = parseLogLine(l.line);
      if (parsed === null || parsed.level === 'debug') continue;
      printed.push(l.line);
      const event = electionEvent(parsed.text);
      if (event === null) continue;
      for (const w of WANTED) if (!keyLines.has(w.label) && w.matches(event, l.node, elected.node)) keyLines.set(w.label, printed.length);
      if (keyLines.size === WANTED.length) break;
    }
    process.stdout.write(`# transcript: log lines of ${survivors.join(' and ')} after the kill, verbatim\n`);
    printed.forEach((line, i) => process.stdout.write(`${String(i + 1).padStart(3)}  ${line}\n`));
    process.stdout.write('# key lines\n');
    for (const w of WANTED) process.stdout.write(`#   ${w.label.padEnd(42)} line ${keyLines.get(w.label) ?? '(not seen)'}\n`);
    process.stdout.write(
      `failover time: ${(elected.at - killedAt).toFixed(0)} ms from killing ${first.node} (term ${first.term}) to "elected leader for term ${elected.term}" on ${elected.node}` +
        `${writeAt === null ? '; no client write succeeded' : `; first client write succeeded after ${(writeAt - killedAt).toFixed(0)} ms`}\n`,
    );
    if (keyLines.size < WANTED.length) throw new Error('some key lines of the transcript are missing');
  } finally {
    await bench.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
