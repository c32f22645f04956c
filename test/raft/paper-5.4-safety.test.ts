// §5.4 Safety: the election restriction (§5.4.1), committing entries from previous terms (§5.4.2,
// Figure 8), and the Leader Completeness property it all protects (§5.4.3).
import { describe, expect, it } from 'vitest';
import { Cluster, type EnvelopeFilter, both, entriesWithTerms, from, ofType, to } from './harness.ts';

/** AppendEntries that carry an entry of the given term. */
const carriesTermEntries =
  (term: number): EnvelopeFilter =>
  (e) =>
    e.body.type === 'append_entries' && e.body.entries.some((x) => x.term === term);

/**
 * Figure 8, up to moment (c). S1 (n1) led term 2 and wrote index 2; S5 (n5) led term 3 and wrote a
 * different index 2. Now S5 is down and S1 wins term 4 (votes of S2, S3, S4) and, as in (c), copies
 * its term-2 entry to S2 and S3, so index 2 sits on a majority. It then "crashes" before anyone gets
 * its own term-4 entry (the no-op at index 3), unless `replicateOwnTerm` lets that reach S2 and S3.
 */
function figure8(options: { commitOldTermByCounting: boolean; replicateOwnTerm: boolean }): Cluster {
  const c = new Cluster(5, {
    config: { maxEntriesPerMessage: 1, bugs: { commitOldTermByCounting: options.commitOldTermByCounting } },
    nodes: {
      n1: { term: 3, log: entriesWithTerms([1, 2]) },
      n2: { term: 3, log: entriesWithTerms([1]) },
      n3: { term: 3, log: entriesWithTerms([1]) },
      n4: { term: 3, log: entriesWithTerms([1]) },
      n5: { term: 3, log: entriesWithTerms([1, 3]) },
    },
  });
  c.crash('n5');
  c.fire('n1');
  c.stabilize(ofType('request_vote'));
  c.stabilize(ofType('request_vote_result'));
  expect(c.status('n1')).toMatchObject({ role: 'leader', term: 4, lastLogIndex: 3 });

  // The first probes (prev 2, carrying index 3) are rejected: S2, S3, S4 lack index 2.
  c.deliver(from('n1'));
  c.deliver(to('n1'));
  // The retry sends index 2 alone; S2 and S3 take it (S4's copy is lost).
  c.drop(to('n4'));
  c.deliver(both(from('n1'), ofType('append_entries')));
  c.deliver(to('n1'));
  for (const id of ['n1', 'n2', 'n3']) expect(c.node(id).logEntries()[1]?.term).toBe(2);

  // S1 now streams index 3 (term 4).
  if (options.replicateOwnTerm) {
    c.deliver(both(carriesTermEntries(4), (e) => e.to === 'n2' || e.to === 'n3'));
    c.deliver(to('n1'));
  }
  c.drop();
  return c;
}

/** S1 crashes; S5 comes back and campaigns until it wins or has tried `attempts` times. */
function s1CrashesAndS5Campaigns(c: Cluster, attempts: number): void {
  c.crash('n1');
  c.restart('n5');
  for (let i = 0; i < attempts && c.status('n5').role !== 'leader'; i++) {
    c.fire('n5');
    c.stabilize(ofType('request_vote'));
    c.stabilize(ofType('request_vote_result'));
  }
}

describe('§5.4.2 Figure 8: committing entries from previous terms', () => {
  it('§5.4.2 a leader does not commit an entry of an earlier term because a majority stores it', () => {
    const c = figure8({ commitOldTermByCounting: false, replicateOwnTerm: false });
    expect(c.status('n1').commitIndex).toBe(0);
    expect(c.applied.get('n1')).toEqual([]);

    // (d) And rightly so: S5 can still win (S2, S3, S4 see its last term 3 > 2) and overwrite index 2.
    s1CrashesAndS5Campaigns(c, 2);
    expect(c.status('n5')).toMatchObject({ role: 'leader', term: 5 });
    c.stabilize();
    for (const id of ['n2', 'n3', 'n4']) expect(c.node(id).logEntries().map((e) => e.term)).toEqual([1, 3, 5]);
    expect(c.applied.get('n5')?.map((e) => `${e.index}@${e.term}`)).toEqual(['1@1', '2@3', '3@5']);
    expect(c.safetyViolations).toEqual([]);
  });

  it('§5.4.2 with bugs.commitOldTermByCounting the unsafe commit happens and two nodes apply different entries at index 2', () => {
    const c = figure8({ commitOldTermByCounting: true, replicateOwnTerm: false });
    expect(c.status('n1').commitIndex).toBe(2);
    expect(c.applied.get('n1')?.map((e) => `${e.index}@${e.term}`)).toEqual(['1@1', '2@2']);

    s1CrashesAndS5Campaigns(c, 2);
    c.stabilize();
    expect(c.applied.get('n5')?.map((e) => `${e.index}@${e.term}`)).toEqual(['1@1', '2@3', '3@5']);
    // n5 led term 5 without the entry n1 had committed (Leader Completeness broken), and then
    // n1 applied 2@2 while n5 (and later n3, n4) applied 2@3 at the same index (State Machine Safety broken).
    expect(c.safetyViolations).toContainEqual(expect.stringMatching(/^leader n5 of term 5 lacks index 2 /));
    expect(c.safetyViolations).toContainEqual(expect.stringMatching(/^index 2 committed as 2:.* on n1 but 3:.* on n5$/));
  });

  it('§5.4.2 (e) once an entry of its own term is on a majority, the leader commits it and every entry before it', () => {
    const c = figure8({ commitOldTermByCounting: false, replicateOwnTerm: true });
    expect(c.status('n1').commitIndex).toBe(3);
    expect(c.applied.get('n1')?.map((e) => `${e.index}@${e.term}`)).toEqual(['1@1', '2@2', '3@4']);
  });

  it('§5.4.3 leader completeness: after (e), S5 can no longer win, and the next leader holds every committed entry', () => {
    const c = figure8({ commitOldTermByCounting: false, replicateOwnTerm: true });
    const committed = c.node('n1').logEntries().slice(0, c.status('n1').commitIndex);

    s1CrashesAndS5Campaigns(c, 3);
    // §5.4.1: S2 and S3 (last term 4) refuse S5 (last term 3); S4 alone is not enough.
    expect(c.status('n5').role).not.toBe('leader');

    // S2 wins and its log starts with everything S1 committed.
    c.fire('n2');
    c.stabilize();
    expect(c.status('n2').role).toBe('leader');
    expect(c.node('n2').logEntries().slice(0, committed.length)).toEqual(committed);
    c.tick('n2', c.now + 1000);
    c.stabilize();
    for (const id of ['n2', 'n3', 'n4', 'n5']) {
      expect(c.applied.get(id)?.slice(0, 3).map((e) => `${e.index}@${e.term}`)).toEqual(['1@1', '2@2', '3@4']);
    }
    expect(c.safetyViolations).toEqual([]);
  });
});

describe('§5.4.1 election restriction in a running cluster', () => {
  it('§5.4.1 a node that missed committed entries times out first yet cannot win; an up-to-date node does', () => {
    const c = new Cluster(3, { nodes: { n3: { config: { random: () => 0 } }, n2: { config: { random: () => 0.5 } } } });
    c.elect('n1');
    c.isolate('n3');
    for (const cmd of ['a', 'b']) c.node('n1').propose(cmd);
    c.collect('n1');
    c.stabilize();
    expect(c.status('n1').commitIndex).toBe(3);
    expect(c.status('n3').lastLogIndex).toBe(1);

    c.crash('n1');
    c.heal();
    c.fire('n3'); // n3's timer fires first (r = 0)
    c.stabilize();
    expect(c.status('n3').role).not.toBe('leader');
    expect(c.status('n2').votedFor).not.toBe('n3');

    c.fire('n2');
    c.stabilize();
    expect(c.status('n2').role).toBe('leader');
    c.tick('n2', c.now + 1000);
    c.stabilize();
    expect(c.applied.get('n3')?.map((e) => e.data)).toEqual([{ kind: 'noop' }, { kind: 'command', command: 'a' }, { kind: 'command', command: 'b' }, { kind: 'noop' }]);
    expect(c.safetyViolations).toEqual([]);
  });
});
