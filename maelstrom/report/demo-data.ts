// A plausible synthetic test run for trying the report without a cluster: 3 nodes, 30 s, an
// isolated leader, a healed network, a majority partition still open at the end, and a node killed
// and restarted during it (so elections fail until it is back). Deterministic for a given seed.
import type { HistoryOp, Json } from '../history.ts';
import type { ReportInput } from './index.ts';

/** mulberry32: a tiny seeded generator, enough for demo data. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ScriptedLogEvent {
  atS: number;
  node: string;
  role: string;
  term: number;
  text: string;
}

const NODES = ['n0', 'n1', 'n2'];
const TIME_LIMIT_S = 30;
const TEST_START_EPOCH_MS = Date.parse('2026-11-23T10:00:00.000Z');

/** The story of the run, as the nodes would log it. */
function scriptedLog(): ScriptedLogEvent[] {
  const e = (atS: number, node: string, role: string, term: number, text: string): ScriptedLogEvent => ({ atS, node, role, term, text });
  const events: ScriptedLogEvent[] = [
    ...NODES.map((n) => e(-0.05, n, 'follower', 0, 'started as follower, term 0, log length 0')),
    e(0.21, 'n0', 'follower', 0, 'election timeout fired (follower, leader unknown)'),
    e(0.211, 'n0', 'candidate', 1, 'became candidate for term 1'),
    e(0.214, 'n0', 'leader', 1, 'elected leader for term 1'),
    e(0.216, 'n1', 'follower', 1, 'recognized n0 as leader for term 1'),
    e(0.216, 'n2', 'follower', 1, 'recognized n0 as leader for term 1'),
    // 5.0 s: n0 isolated. It notices it lost its quorum; n1 wins term 2.
    e(5.31, 'n1', 'follower', 1, 'election timeout fired (follower, leader n0)'),
    e(5.312, 'n1', 'candidate', 2, 'became candidate for term 2'),
    e(5.316, 'n1', 'leader', 2, 'elected leader for term 2'),
    e(5.317, 'n2', 'follower', 2, 'recognized n1 as leader for term 2'),
    e(5.45, 'n0', 'follower', 1, 'stepped down to follower, term 1 (lost contact with a quorum)'),
    // 12.0 s: healed.
    e(12.02, 'n0', 'follower', 2, 'recognized n1 as leader for term 2'),
    // 18.0 s: n1 | n0 n2. n2 wins term 3.
    e(18.26, 'n2', 'follower', 2, 'election timeout fired (follower, leader n1)'),
    e(18.261, 'n2', 'candidate', 3, 'became candidate for term 3'),
    e(18.266, 'n2', 'leader', 3, 'elected leader for term 3'),
    e(18.267, 'n0', 'follower', 3, 'recognized n2 as leader for term 3'),
    e(18.4, 'n1', 'follower', 2, 'stepped down to follower, term 2 (lost contact with a quorum)'),
    // 22.0 s: n2 killed; n0 cannot win alone (n1 is still cut off) until n2 is back at 25.0 s.
    e(22.25, 'n0', 'follower', 3, 'election timeout fired (follower, leader n2)'),
    e(22.251, 'n0', 'candidate', 4, 'became candidate for term 4'),
    e(22.52, 'n0', 'candidate', 5, 'became candidate for term 5'),
    e(22.81, 'n0', 'candidate', 6, 'became candidate for term 6'),
    e(23.1, 'n0', 'candidate', 7, 'became candidate for term 7'),
    e(24.0, 'n0', 'candidate', 8, 'became candidate for term 8'),
    e(25.05, 'n2', 'follower', 3, 'started as follower, term 3, log length 812'),
    e(25.3, 'n0', 'candidate', 9, 'became candidate for term 9'),
    e(25.305, 'n2', 'follower', 9, 'granted vote to n0 for term 9'),
    e(25.307, 'n0', 'leader', 9, 'elected leader for term 9'),
    e(25.31, 'n2', 'follower', 9, 'recognized n0 as leader for term 9'),
  ];
  return events.sort((a, b) => a.atS - b.atS);
}

function logText(node: string, events: readonly ScriptedLogEvent[]): string {
  const lines: string[] = [`${new Date(TEST_START_EPOCH_MS - 80).toISOString()} ? [uninitialized t-] node starting`];
  for (const event of events) {
    if (event.node !== node) continue;
    lines.push(`${new Date(TEST_START_EPOCH_MS + event.atS * 1000).toISOString()} ${node} [${event.role} t${event.term}] ${event.text}`);
    if (event.text.startsWith('elected')) {
      lines.push(`${new Date(TEST_START_EPOCH_MS + event.atS * 1000 + 1).toISOString()} ${node} [leader t${event.term}] sending heartbeat to ${NODES.filter((n) => n !== node).join(', ')} (round 1, commit 0)`);
    }
  }
  // Junk the parser has to survive: a stack trace, a torn line, an empty line.
  lines.push('Error: something odd', '    at handle (file:///dist/node.js:1:1)', '2026-11-23T10:00:0', '');
  return lines.join('\n');
}

/** Which side of the network each node is on at time t (nodes in the same set talk). */
function sideOf(node: string, atS: number): string {
  if (atS >= 5 && atS < 12) return node === 'n0' ? 'a' : 'b';
  if (atS >= 18) return node === 'n1' ? 'a' : 'b';
  return 'b';
}

function leaderAt(atS: number): string | null {
  if (atS >= 0.214 && atS < 5) return 'n0';
  if (atS >= 5.316 && atS < 18) return 'n1';
  if (atS >= 18.266 && atS < 22) return 'n2';
  if (atS >= 25.307) return 'n0';
  return null;
}

function nodeUp(node: string, atS: number): boolean {
  return !(node === 'n2' && atS >= 22 && atS < 25.05);
}

function nemesisOps(): { atS: number; f: string; value: Json }[] {
  const isolateN0 = { description: 'isolated n0 (one)', grudge: { n0: ['n1', 'n2'], n1: ['n0'], n2: ['n0'] } };
  const majority = { description: 'n1 | n0 n2 (majority)', grudge: { n1: ['n0', 'n2'], n0: ['n1'], n2: ['n1'] } };
  return [
    { atS: 5.0, f: 'start-partition', value: 'one' },
    { atS: 5.0005, f: 'start-partition', value: isolateN0 },
    { atS: 12.0, f: 'stop-partition', value: null },
    { atS: 12.0004, f: 'stop-partition', value: 'network-healed' },
    { atS: 18.0, f: 'start-partition', value: 'majority' },
    { atS: 18.0005, f: 'start-partition', value: majority },
    { atS: 22.0, f: 'kill', value: 'n2' },
    { atS: 22.01, f: 'kill', value: 'n2' },
    { atS: 25.0, f: 'restart', value: 'n2' },
    { atS: 25.05, f: 'restart', value: 'n2' },
  ];
}

interface TimedEntry {
  atS: number;
  op: Omit<HistoryOp, 'index' | 'time'>;
}

/** Client ops: 4 processes, back to back; each op succeeds iff its node can reach a leader. */
function clientEntries(random: () => number): TimedEntry[] {
  const entries: TimedEntry[] = [];
  for (let process = 0; process < 4; process++) {
    const node = NODES[process % NODES.length] ?? 'n0';
    let t = 0.05 + random() * 0.05;
    while (t < TIME_LIMIT_S) {
      const roll = random();
      const f = roll < 0.5 ? 'read' : roll < 0.75 ? 'write' : 'cas';
      const key = Math.floor(random() * 5);
      const v = Math.floor(random() * 5);
      const invokeValue: Json = f === 'read' ? [key, null] : f === 'write' ? [key, v] : [key, [Math.floor(random() * 5), v]];
      entries.push({ atS: t, op: { process, type: 'invoke', f, value: invokeValue, node } });
      const leader = leaderAt(t);
      const reachable = leader !== null && nodeUp(node, t) && nodeUp(leader, t) && sideOf(node, t) === sideOf(leader, t);
      let done: number;
      if (!reachable) {
        done = t + 1.0 + random() * 0.01;
        entries.push({ atS: done, op: { process, type: 'info', f, value: invokeValue, error: 'net-timeout', node } });
      } else {
        done = t + 0.0008 + -Math.log(1 - random()) * (node === leader ? 0.001 : 0.003);
        const failed = (f === 'cas' && random() < 0.4) || (f === 'read' && random() < 0.08);
        const value: Json = f === 'read' && !failed ? [key, Math.floor(random() * 5)] : invokeValue;
        entries.push({ atS: done, op: failed ? { process, type: 'fail', f, value, error: [f === 'cas' ? 22 : 20, 'precondition failed'], node } : { process, type: 'ok', f, value, node } });
      }
      t = done + 0.02 + random() * 0.04;
    }
  }
  return entries;
}

export function demoReportInput(seed = 1): ReportInput {
  const random = seededRandom(seed);
  const log = scriptedLog();
  const timed: TimedEntry[] = [
    ...clientEntries(random),
    ...nemesisOps().map((n): TimedEntry => ({ atS: n.atS, op: { process: 'nemesis', type: 'info', f: n.f, value: n.value } })),
  ].sort((a, b) => a.atS - b.atS);
  const history: HistoryOp[] = timed.map((entry, index) => ({ ...entry.op, index, time: Math.round(entry.atS * 1e9) }));
  const nodeLogs: Record<string, string> = {};
  for (const node of NODES) nodeLogs[node] = logText(node, log);
  return { history, testStartEpochMs: TEST_START_EPOCH_MS, timeLimitS: TIME_LIMIT_S, nodeLogs };
}
