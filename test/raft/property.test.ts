// Property test: random schedules of deliveries, drops, duplicates, ticks, proposals and restarts
// among 3 nodes. Whatever the schedule, Election Safety (one leader per term) and State Machine
// Safety (one committed entry per index) hold, along with Leader Completeness and the host contract
// that the harness checks on every Output. Seeded, so a failure replays exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RaftConfig } from '../../src/raft/types.ts';
import { Cluster, T, seededRandom } from './harness.ts';

type Action =
  | { kind: 'deliver'; pick: number }
  | { kind: 'deliverAllInFlight' }
  | { kind: 'drop'; pick: number }
  | { kind: 'duplicate'; pick: number }
  | { kind: 'tick'; node: number; after: number }
  | { kind: 'propose'; node: number }
  | { kind: 'read'; node: number }
  | { kind: 'restart'; node: number };

const node = fc.integer({ min: 0, max: 2 });
const pick = fc.nat({ max: 1000 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: pick.map((p): Action => ({ kind: 'deliver', pick: p })) },
  { weight: 2, arbitrary: fc.constant<Action>({ kind: 'deliverAllInFlight' }) },
  { weight: 2, arbitrary: pick.map((p): Action => ({ kind: 'drop', pick: p })) },
  { weight: 1, arbitrary: pick.map((p): Action => ({ kind: 'duplicate', pick: p })) },
  { weight: 4, arbitrary: fc.record({ node, after: fc.integer({ min: 0, max: 2 * T }) }).map((r): Action => ({ kind: 'tick', ...r })) },
  { weight: 2, arbitrary: node.map((n): Action => ({ kind: 'propose', node: n })) },
  { weight: 1, arbitrary: node.map((n): Action => ({ kind: 'read', node: n })) },
  { weight: 1, arbitrary: node.map((n): Action => ({ kind: 'restart', node: n })) },
);

interface Scenario {
  /** Seeds the nodes' election-timeout draws and the delivery order of bursts. */
  seed: number;
  preVote: boolean;
  checkQuorum: boolean;
  actions: Action[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer(),
  preVote: fc.boolean(),
  checkQuorum: fc.boolean(),
  actions: fc.array(action, { minLength: 50, maxLength: 300 }),
});

function shuffle<V>(values: V[], random: () => number): V[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j] as V, values[i] as V];
  }
  return values;
}

interface RunStats {
  /** Leaders at the end (1 once healed). */
  leaders: number;
  /** Terms in which some node led. */
  terms: number;
  /** Commit index of the node that knows least. */
  committed: number;
  /** Snapshots installed from a leader (§7), over all nodes. */
  installs: number;
}

/** Plays one schedule; returns the safety violations seen and what happened, for sanity checks. */
function play(s: Scenario, bugs?: RaftConfig['bugs'], snapshots: Partial<RaftConfig> = {}): { violations: string[]; stats: RunStats } {
  const random = seededRandom(s.seed);
  const c = new Cluster(3, {
    config: { preVote: s.preVote, checkQuorum: s.checkQuorum, maxEntriesPerMessage: 2, maxInflightMessages: 2, bugs, ...snapshots },
    nodes: { n1: { config: { random: seededRandom(random() * 2 ** 32) } }, n2: { config: { random: seededRandom(random() * 2 ** 32) } }, n3: { config: { random: seededRandom(random() * 2 ** 32) } } },
  });
  const lastTerm = new Map<string, number>();
  let proposals = 0;
  let reads = 0;
  for (const a of s.actions) {
    const nodeId = 'node' in a ? (c.ids[a.node] as string) : '';
    switch (a.kind) {
      case 'deliver':
      case 'drop':
      case 'duplicate': {
        if (c.inFlight.length === 0) break;
        const i = a.pick % c.inFlight.length;
        const envelope = c.inFlight[i];
        if (envelope === undefined) break;
        if (a.kind === 'duplicate') {
          c.inFlight.push(envelope);
          break;
        }
        c.inFlight.splice(i, 1);
        if (a.kind === 'deliver') c.receive(envelope.to, envelope.from, envelope.body);
        break;
      }
      case 'deliverAllInFlight':
        // What is in flight now arrives (in random order); what it causes stays in flight.
        for (const e of shuffle(c.take(), random)) c.receive(e.to, e.from, e.body);
        break;
      case 'tick':
        c.tick(nodeId, c.now + a.after);
        break;
      case 'propose':
        c.node(nodeId).propose(`p${proposals++}`);
        c.collect(nodeId);
        break;
      case 'read':
        c.node(nodeId).readIndex(reads++);
        c.collect(nodeId);
        break;
      case 'restart':
        c.crash(nodeId);
        c.restart(nodeId);
        break;
      default: {
        const unreachable: never = a;
        throw new Error(`unknown action ${JSON.stringify(unreachable)}`);
      }
    }
    // §5.1: terms only grow (across restarts too: the term is persisted).
    for (const id of c.ids) {
      const term = c.status(id).term;
      if (term < (lastTerm.get(id) ?? 0)) c.safetyViolations.push(`${id}: term went back to ${term}`);
      lastTerm.set(id, term);
    }
  }
  // Heal the network: a leader emerges and commits a last proposal, so every run ends with
  // committed entries to compare against whatever the random phase committed.
  c.advance(6 * T);
  for (const leader of c.leaders()) {
    c.node(leader).propose('final');
    c.collect(leader);
  }
  c.advance(2 * T);
  // State machine safety through snapshots too: every state machine is a prefix of the longest one.
  const machines = c.ids.map((id) => JSON.stringify(c.machine.get(id)));
  const longest = c.ids.map((id) => c.machine.get(id) ?? []).reduce((a, b) => (b.length > a.length ? b : a));
  for (const [i, id] of c.ids.entries()) {
    const mine = c.machine.get(id) ?? [];
    if (JSON.stringify(longest.slice(0, mine.length)) !== machines[i]) c.safetyViolations.push(`${id}: state machine is not a prefix of the others'`);
  }
  return {
    violations: c.safetyViolations,
    stats: {
      leaders: c.leaders().length,
      terms: c.leaderOfTerm.size,
      committed: Math.min(...c.ids.map((id) => c.status(id).commitIndex)),
      installs: c.ids.reduce((n, id) => n + (c.outputs.get(id) ?? []).filter((o) => o.installSnapshot !== null).length, 0),
    },
  };
}

describe('property: random schedules among 3 nodes', () => {
  it('never two leaders in a term, never two different entries committed at one index (100 seeded runs)', () => {
    const stats: RunStats[] = [];
    fc.assert(
      fc.property(scenario, (s) => {
        const run = play(s);
        stats.push(run.stats);
        expect(run.violations).toEqual([]);
      }),
      { seed: 20261123, numRuns: 100 },
    );
    // The runs were not vacuous: they went through several leaders and all ended with commits.
    expect(stats.filter((r) => r.leaders === 1 && r.committed >= 2).length).toBeGreaterThan(90);
    expect(stats.filter((r) => r.terms >= 2).length).toBeGreaterThan(50);
  });

  it('§7 the same, with a snapshot every 3 applied entries sent in 8-character chunks (100 seeded runs)', () => {
    const stats: RunStats[] = [];
    fc.assert(
      fc.property(scenario, (s) => {
        const run = play(s, undefined, { snapshotThreshold: 3, snapshotChunkSize: 8 });
        stats.push(run.stats);
        expect(run.violations).toEqual([]);
      }),
      { seed: 20261201, numRuns: 100 },
    );
    expect(stats.filter((r) => r.leaders === 1 && r.committed >= 2).length).toBeGreaterThan(90);
    expect(stats.filter((r) => r.installs > 0).length).toBeGreaterThan(50);
  });

  it('finds the injected doubleVote fault, so the property can fail (the Figure 8 test covers commitOldTermByCounting)', () => {
    const result = fc.check(
      fc.property(scenario, (s) => play(s, { doubleVote: true }).violations.length === 0),
      { seed: 20261123, numRuns: 100, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
    const counterexample = result.counterexample?.[0];
    expect(counterexample).toBeDefined();
    if (counterexample !== undefined) expect(play(counterexample, { doubleVote: true }).violations[0]).toMatch(/^two leaders in term \d+/);
  });
});
