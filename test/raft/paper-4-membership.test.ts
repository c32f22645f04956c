// Dissertation chapter 4: cluster membership changes, one server at a time, with learners.
// One named case per rule; every scenario also runs the harness's cluster-wide safety checks
// (one leader per term, one committed entry per index, leader completeness).
import { describe, expect, it } from 'vitest';
import type { ConfChangeResult, Configuration, NodeId } from '../../src/raft/types.ts';
import { appendEntries, between, both, Cluster, from, messagesOfType, not, ofType, T, to } from './harness.ts';

function texts(c: Cluster, id: NodeId): string[] {
  return (c.outputs.get(id) ?? []).flatMap((o) => o.events.map((e) => e.text));
}

function okIndex(result: ConfChangeResult): number {
  if (!result.ok) throw new Error(`change refused: ${result.reason} (${result.text})`);
  return result.index;
}

/** Delivers everything between these nodes (both ways) until quiet; everything else stays in flight. */
function settleAmong(c: Cluster, ids: NodeId[]): void {
  c.stabilize((e) => ids.includes(e.from) && ids.includes(e.to));
}

/** n1 leads a cluster of n1..n3 with autoPromote off; n4 has been started to join. */
function ledByN1WithJoiner(): Cluster {
  const c = new Cluster(3, { config: { autoPromote: false } });
  c.elect('n1');
  c.addNode('n4', { config: { autoPromote: false } });
  return c;
}

const BOOTSTRAP_3: Configuration = { voters: ['n1', 'n2', 'n3'], learners: [] };

describe('§4 cluster membership changes', () => {
  it('§4.1 a change takes effect on append: the new majority counts for the entry that introduces it', () => {
    const c = ledByN1WithJoiner();
    const added = okIndex(c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n4', context: '127.0.0.1:9004' }, c.now));
    const out = c.collect('n1');
    const withLearner: Configuration = { voters: ['n1', 'n2', 'n3'], learners: ['n4'], context: { n4: '127.0.0.1:9004' } };
    // In force on the leader at once, before any follower has it.
    expect(c.status('n1').configuration).toEqual({ config: withLearner, index: added, committed: false, self: 'voter' });
    expect(out.configChanged).toEqual({ config: withLearner, index: added, committed: false, self: 'voter' });
    expect(texts(c, 'n1')).toContain('adding n4 (127.0.0.1:9004) as learner');
    // A follower uses it as soon as it appends it, committed or not.
    c.deliver(both(from('n1'), to('n2')));
    expect(c.status('n2').configuration).toMatchObject({ config: withLearner, index: added, committed: false });
    c.stabilize();
    c.tick('n1', c.node('n1').nextDeadline()); // the next heartbeat tells n2 the commit index
    c.stabilize();
    expect(c.status('n2').configuration.committed).toBe(true);
    expect(c.status('n4').configuration).toMatchObject({ config: withLearner, self: 'learner' });

    // Promote n4: four voters, so the promotion itself needs three acknowledgements. n1 and n2 are a
    // majority of the old configuration, not of the new one the entry put in force.
    const promoted = okIndex(c.node('n1').proposeConfChange({ type: 'promote', id: 'n4' }, c.now));
    c.collect('n1');
    c.drop(not(between('n1', 'n2')));
    settleAmong(c, ['n1', 'n2']);
    expect(c.status('n2').configuration.index).toBe(promoted);
    expect(c.status('n1').commitIndex).toBeLessThan(promoted);
    c.tick('n1', c.now + T); // a heartbeat round reaches everyone
    c.stabilize(not(to('n3')));
    expect(c.status('n1').commitIndex).toBeGreaterThanOrEqual(promoted);
    expect(c.status('n1').configuration).toMatchObject({ config: { voters: ['n1', 'n2', 'n3', 'n4'], learners: [] }, committed: true });
    expect(texts(c, 'n1')).toContain(`configuration now [n1, n2, n3, n4] at index ${promoted}`);
    expect(c.safetyViolations).toEqual([]);
  });

  it('§4.1 a truncated change is undone: the node goes back to the configuration before it', () => {
    const c = new Cluster(3);
    const first: Configuration = { voters: ['n1', 'n2', 'n3'], learners: ['n4'] };
    const second: Configuration = { voters: ['n1', 'n2', 'n3', 'n4'], learners: [] };
    const config = (cfg: Configuration) => ({ term: 1, data: { kind: 'config' as const, config: cfg } });
    c.receive('n2', 'n1', appendEntries({ term: 1, leader_id: 'n1', entries: [{ term: 1, data: { kind: 'noop' } }, config(first), config(second)], leader_commit: 2 }));
    expect(c.status('n2').configuration).toEqual({ config: second, index: 3, committed: false, self: 'voter' });
    // A leader of term 2 never had index 3: n2 cuts it, and the configuration of index 2 is back.
    c.receive('n2', 'n3', appendEntries({ term: 2, leader_id: 'n3', prev_log_index: 2, prev_log_term: 1, entries: [{ term: 2, data: { kind: 'noop' } }] }));
    expect(c.status('n2').configuration).toEqual({ config: first, index: 2, committed: true, self: 'voter' });
    // And one that never had index 2 either: back to the bootstrap configuration.
    const c2 = new Cluster(3);
    c2.receive('n2', 'n1', appendEntries({ term: 1, leader_id: 'n1', entries: [{ term: 1, data: { kind: 'noop' } }, config(first)] }));
    c2.receive('n2', 'n3', appendEntries({ term: 2, leader_id: 'n3', prev_log_index: 1, prev_log_term: 1, entries: [{ term: 2, data: { kind: 'noop' } }] }));
    expect(c2.status('n2').configuration).toEqual({ config: BOOTSTRAP_3, index: 0, committed: true, self: 'voter' });
    expect(texts(c2, 'n2')).toContain('configuration now [n1, n2, n3] at index 0');
  });

  it('§4.2 one change at a time: a leader refuses a change while an earlier one is uncommitted', () => {
    const c = ledByN1WithJoiner();
    c.addNode('n5');
    okIndex(c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n4' }, c.now));
    const second = c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n5' }, c.now);
    expect(second).toMatchObject({ ok: false, reason: 'change-in-progress' });
    c.collect('n1');
    c.stabilize();
    okIndex(c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n5' }, c.now));
    // The other refusals of a change that the members alone decide.
    c.collect('n1');
    c.stabilize();
    expect(c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n5' }, c.now)).toMatchObject({ ok: false, reason: 'already-member' });
    expect(c.node('n1').proposeConfChange({ type: 'promote', id: 'n9' }, c.now)).toMatchObject({ ok: false, reason: 'unknown-member' });
    expect(c.node('n1').proposeConfChange({ type: 'promote', id: 'n2' }, c.now)).toMatchObject({ ok: false, reason: 'already-member' });
    expect(c.node('n2').proposeConfChange({ type: 'remove', id: 'n3' }, c.now)).toMatchObject({ ok: false, reason: 'not-leader', leaderId: 'n1' });
  });

  describe('§4.2 the own-term-commit rule (Ongaro, raft-dev 2015)', () => {
    it('a new leader refuses a change until it has committed an entry of its own term', () => {
      const c = ledByN1WithJoiner();
      c.crash('n1');
      c.fire('n2');
      c.stabilize(ofType('request_vote'));
      c.stabilize(ofType('request_vote_result'));
      expect(c.status('n2').role).toBe('leader');
      expect(c.node('n2').proposeConfChange({ type: 'add-learner', id: 'n4' }, c.now)).toMatchObject({ ok: false, reason: 'no-own-term-commit' });
      c.stabilize(); // its no-op commits
      okIndex(c.node('n2').proposeConfChange({ type: 'add-learner', id: 'n4' }, c.now));
    });

    /**
     * The counterexample. Voters n1..n4, learners n5 and n6. n1 (term 1) promotes n5 but only n5 gets
     * the entry. n2 wins term 2 with n3 and n4 and, before its no-op commits, promotes n6: that commits
     * with n2, n3, n6, a majority of ITS configuration. n1 comes back and wins term 3 with n4 and n5, a
     * majority of ITS configuration: the two majorities do not overlap, so a leader lacks committed
     * entries. With the rule, n2 must first commit its no-op on a majority of n1..n4, which puts a
     * term-2 entry on n4 (or n1), and n1 can no longer win.
     */
    function counterexample(bug: boolean): { c: Cluster; refusal: ConfChangeResult | null } {
      const c = new Cluster(4, { config: { autoPromote: false, bugs: { changeBeforeOwnTermCommit: bug } } });
      c.elect('n1');
      for (const id of ['n5', 'n6']) {
        c.addNode(id, { config: { autoPromote: false } });
        okIndex(c.node('n1').proposeConfChange({ type: 'add-learner', id }, c.now));
        c.collect('n1');
        c.stabilize();
        c.tick('n1', c.now + T); // a round that ends at once: caught up
        c.stabilize();
      }
      okIndex(c.node('n1').proposeConfChange({ type: 'promote', id: 'n5' }, c.now));
      c.collect('n1');
      c.drop(not(to('n5')));
      settleAmong(c, ['n1', 'n5']);
      c.crash('n1');

      c.fire('n2');
      c.stabilize(both(ofType('request_vote'), not(to('n1'))));
      c.stabilize(ofType('request_vote_result'));
      expect(c.status('n2').role).toBe('leader');
      c.drop(to('n5'));
      settleAmong(c, ['n2', 'n6']); // n6 acknowledges the no-op: caught up, and the no-op is not committed
      const promote6 = c.node('n2').proposeConfChange({ type: 'promote', id: 'n6' }, c.now);
      if (!promote6.ok) return { c, refusal: promote6 };
      c.collect('n2');
      c.drop(to('n4'));
      settleAmong(c, ['n2', 'n3', 'n6']);
      expect(c.status('n2').commitIndex).toBe(promote6.index); // committed by n2, n3, n6

      c.restart('n1');
      c.drop();
      for (let attempt = 0; attempt < 2 && c.status('n1').role !== 'leader'; attempt++) {
        c.fire('n1');
        c.stabilize((e) => ['n1', 'n4', 'n5'].includes(e.from) && ['n1', 'n4', 'n5'].includes(e.to) && e.body.type.startsWith('request_vote'));
      }
      return { c, refusal: null };
    }

    it('the counterexample it prevents: without the rule, two disjoint majorities elect a leader that lacks committed entries', () => {
      const { c, refusal } = counterexample(true);
      expect(refusal).toBeNull();
      expect(c.status('n1').role).toBe('leader');
      expect(c.safetyViolations.some((v) => v.includes('leader n1 of term 3 lacks index'))).toBe(true);
    });

    it('with the rule, the same schedule is refused, and once the no-op commits n1 cannot win', () => {
      const { c, refusal } = counterexample(false);
      expect(refusal).toMatchObject({ ok: false, reason: 'no-own-term-commit' });
      // The no-op can only commit on three of n1..n4: with n1 down, n4 gets a term-2 entry.
      c.tick('n2', c.now + T);
      settleAmong(c, ['n2', 'n3', 'n4', 'n6']);
      okIndex(c.node('n2').proposeConfChange({ type: 'promote', id: 'n6' }, c.now));
      c.collect('n2');
      settleAmong(c, ['n2', 'n3', 'n4', 'n6']);
      c.restart('n1');
      c.drop();
      for (let attempt = 0; attempt < 3; attempt++) {
        c.fire('n1');
        c.stabilize((e) => ['n1', 'n4', 'n5'].includes(e.from) && ['n1', 'n4', 'n5'].includes(e.to) && e.body.type.startsWith('request_vote'));
      }
      expect(c.status('n1').role).not.toBe('leader');
      expect(c.safetyViolations).toEqual([]);
    });
  });

  describe('§4.2.1 learners', () => {
    it('learner catch-up: promotion is refused until a replication round ends within an election timeout', () => {
      const c = ledByN1WithJoiner();
      for (let i = 0; i < 20; i++) c.node('n1').propose(`w${i}`);
      c.collect('n1');
      c.stabilize();
      okIndex(c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n4' }, c.now));
      c.collect('n1');
      c.stabilize(not(to('n4'))); // committed without n4: a learner counts in no majority
      c.drop(to('n4'));
      expect(c.status('n1').configuration.committed).toBe(true);
      expect(c.node('n1').proposeConfChange({ type: 'promote', id: 'n4' }, c.now)).toMatchObject({ ok: false, reason: 'not-caught-up' });
      // The first round takes longer than an election timeout (n4 hears nothing for 3T): not caught up.
      c.tick('n1', c.now + 3 * T);
      c.stabilize();
      expect(c.status('n4').lastLogIndex).toBe(c.status('n1').lastLogIndex);
      expect(c.node('n1').members().find((m) => m.id === 'n4')).toMatchObject({ role: 'learner', caughtUp: false });
      expect(c.node('n1').proposeConfChange({ type: 'promote', id: 'n4' }, c.now)).toMatchObject({ ok: false, reason: 'not-caught-up' });
      // The next round (one heartbeat) ends at once.
      c.tick('n1', c.node('n1').nextDeadline());
      c.stabilize();
      const match = c.status('n1').lastLogIndex;
      expect(c.node('n1').members().find((m) => m.id === 'n4')).toEqual({ id: 'n4', role: 'learner', context: null, matchIndex: match, caughtUp: true });
      okIndex(c.node('n1').proposeConfChange({ type: 'promote', id: 'n4' }, c.now));
      c.collect('n1');
      expect(texts(c, 'n1')).toContain(`promoted n4 to voter (caught up at index ${match})`);
    });

    it('a learner never campaigns, and its votes count for nobody', () => {
      const c = ledByN1WithJoiner();
      okIndex(c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n4' }, c.now));
      c.collect('n1');
      c.stabilize();
      c.crash('n1');
      const out = c.fire('n4');
      expect(messagesOfType(out, 'request_vote')).toEqual([]);
      expect(texts(c, 'n4').some((t) => t.includes('not campaigning: this node is a learner'))).toBe(true);
      // n2's campaign: n4's grant does not count, n3's does.
      c.fire('n2');
      c.stabilize(both(ofType('request_vote'), not(to('n3'))));
      c.receive('n2', 'n4', { type: 'request_vote_result', term: c.status('n2').term, vote_granted: true, pre_vote: false });
      expect(c.status('n2').role).toBe('candidate');
      c.stabilize();
      expect(c.status('n2').role).toBe('leader');
    });

    it('auto-promotion (the default): the leader promotes a learner once it has caught up', () => {
      const c = new Cluster(3);
      c.elect('n1');
      c.addNode('n4');
      okIndex(c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n4' }, c.now));
      c.collect('n1');
      c.stabilize();
      c.tick('n1', c.node('n1').nextDeadline());
      c.stabilize();
      expect(c.status('n1').configuration).toMatchObject({ config: { voters: ['n1', 'n2', 'n3', 'n4'], learners: [] }, committed: true });
      expect(c.status('n4').configuration.self).toBe('voter');
      expect(texts(c, 'n1').some((t) => t.startsWith('promoted n4 to voter (caught up at index'))).toBe(true);
    });
  });

  it('§4.2.2 leader removal: the leader leads without counting itself until the change commits, then hands over', () => {
    const c = new Cluster(3);
    c.elect('n1');
    const removed = okIndex(c.node('n1').proposeConfChange({ type: 'remove', id: 'n1' }, c.now));
    c.collect('n1');
    expect(texts(c, 'n1')).toContain('removed n1 from the cluster');
    expect(c.status('n1').configuration).toMatchObject({ config: { voters: ['n2', 'n3'] }, self: 'removed' });
    // n1 no longer counts: n2 alone is not a majority of [n2, n3].
    c.drop(to('n3'));
    settleAmong(c, ['n1', 'n2']);
    expect(c.status('n1').role).toBe('leader');
    expect(c.status('n1').commitIndex).toBeLessThan(removed);
    c.tick('n1', c.now + T); // n3's batch is taken as lost and sent again
    c.stabilize(not(ofType('timeout_now')));
    // Committed: n1 told the most up-to-date voter to campaign at once, and stepped down.
    expect(c.status('n1').role).toBe('follower');
    const handover = c.inFlight.filter((e) => e.from === 'n1' && e.body.type === 'timeout_now');
    expect(handover).toHaveLength(1);
    c.stabilize();
    const leader = c.leaders();
    expect(leader).toHaveLength(1);
    expect(['n2', 'n3']).toContain(leader[0]);
    expect(c.status(leader[0] as NodeId).configuration).toMatchObject({ config: { voters: ['n2', 'n3'] }, committed: true });
    // n1 stays quiet from now on.
    c.advance(10 * T);
    expect(c.status('n1').role).toBe('follower');
    expect(texts(c, 'n1')).toContain('removed from the cluster');
    expect(c.safetyViolations).toEqual([]);
  });

  it('§4.2.2 a leader whose own removal is not committed when it steps down campaigns again and finishes the change', () => {
    // Voters [n1, n2]; n1 leads and removes itself; n2 never gets the entry and n1 restarts.
    const c = new Cluster(3);
    c.elect('n1');
    okIndex(c.node('n1').proposeConfChange({ type: 'remove', id: 'n3' }, c.now));
    c.collect('n1');
    c.stabilize();
    const removal = okIndex(c.node('n1').proposeConfChange({ type: 'remove', id: 'n1' }, c.now));
    c.collect('n1');
    c.drop();
    c.crash('n1');
    c.restart('n1');
    expect(c.status('n1').configuration).toMatchObject({ config: { voters: ['n2'] }, committed: false, self: 'removed' });
    // n2 still counts in [n1, n2] and cannot win: n1's log is longer. Only n1 can finish the change.
    c.fire('n2');
    c.stabilize(not(ofType('append_entries')));
    expect(c.status('n2').role).not.toBe('leader');
    c.fire('n1');
    c.stabilize(not(ofType('timeout_now')));
    expect(c.leaderOfTerm.get(c.status('n1').term)).toBe('n1'); // elected with n2's vote alone
    expect(c.status('n1')).toMatchObject({ role: 'follower' }); // committed, handed over, stepped down
    expect(c.status('n1').commitIndex).toBeGreaterThanOrEqual(removal);
    expect(c.inFlight.filter((e) => e.from === 'n1' && e.to === 'n2' && e.body.type === 'timeout_now')).toHaveLength(1);
    c.stabilize();
    expect(c.leaders()).toEqual(['n2']);
    expect(c.status('n2').configuration).toMatchObject({ config: { voters: ['n2'], learners: [] }, committed: true });
    expect(c.safetyViolations).toEqual([]);
  });

  describe('§4.2.3 a removed server does not disrupt the cluster', () => {
    const options = { config: { preVote: true, checkQuorum: true } };

    it('one that learned of its removal never campaigns', () => {
      const c = new Cluster(3, options);
      c.elect('n1');
      const removal = okIndex(c.node('n1').proposeConfChange({ type: 'remove', id: 'n3' }, c.now));
      c.collect('n1');
      c.stabilize();
      c.tick('n1', c.node('n1').nextDeadline()); // the leader tells n3 the commit before it stops replicating to it
      c.stabilize();
      expect(c.status('n3')).toMatchObject({ configuration: { self: 'removed', committed: true } });
      expect(c.status('n3').commitIndex).toBeGreaterThanOrEqual(removal);
      const term = c.status('n1').term;
      for (let i = 0; i < 5; i++) {
        const out = c.fire('n3');
        expect(messagesOfType(out, 'request_vote')).toEqual([]);
      }
      c.advance(10 * T);
      expect(c.status('n1')).toMatchObject({ role: 'leader', term });
      expect(texts(c, 'n3')).toContain('removed from the cluster');
      expect(texts(c, 'n1')).toContain('no longer replicating to n3: its removal is committed');
    });

    it('one that never heard of it (cut off meanwhile) times out, but pre-vote and check-quorum keep the term and leader', () => {
      const c = new Cluster(3, options);
      c.elect('n1');
      c.isolate('n3');
      const removed = okIndex(c.node('n1').proposeConfChange({ type: 'remove', id: 'n3' }, c.now));
      c.collect('n1');
      c.stabilize();
      expect(c.status('n1').commitIndex).toBeGreaterThanOrEqual(removed);
      expect(c.status('n3').configuration.self).toBe('voter'); // it does not know
      c.heal();
      const term = c.status('n1').term;
      c.advance(20 * T);
      expect(c.status('n1')).toMatchObject({ role: 'leader', term });
      expect(c.status('n2')).toMatchObject({ role: 'follower', term, leaderId: 'n1' });
      expect(texts(c, 'n3').some((t) => t.startsWith('starting pre-vote'))).toBe(true);
      expect(c.safetyViolations).toEqual([]);
    });
  });

  describe('§4.1 and §5.1.3: configurations in snapshots and across restarts', () => {
    it('a snapshot carries the configuration in force at its index; a joiner learns the members from it', () => {
      const c = new Cluster(3, { config: { snapshotThreshold: 5, autoPromote: false } });
      c.elect('n1');
      c.addNode('n4', { config: { snapshotThreshold: 5, autoPromote: false } });
      c.crash('n4');
      okIndex(c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n4', context: 'a4' }, c.now));
      c.collect('n1');
      for (let i = 0; i < 12; i++) {
        c.node('n1').propose(`w${i}`);
        c.collect('n1');
        c.stabilize();
      }
      const expected: Configuration = { voters: ['n1', 'n2', 'n3'], learners: ['n4'], context: { n4: 'a4' } };
      expect(c.persistedSnapshot('n1')?.config).toEqual(expected);
      c.restart('n4');
      expect(c.status('n4').configuration.self).toBe('joining');
      c.tick('n1', c.node('n1').nextDeadline());
      const snapshots = c.inFlight.filter((e) => e.to === 'n4' && e.body.type === 'install_snapshot');
      c.stabilize();
      expect(snapshots.length + c.outputs.get('n4')!.filter((o) => o.installSnapshot !== null).length).toBeGreaterThan(0);
      expect(c.status('n4').configuration).toMatchObject({ config: expected, self: 'learner', committed: true });
      expect(c.persistedSnapshot('n4')?.config).toEqual(expected);
    });

    it('a restarted node recovers its configuration from snapshot plus log, not from its bootstrap list', () => {
      const c = new Cluster(3, { config: { snapshotThreshold: 4, autoPromote: false } });
      c.elect('n1');
      okIndex(c.node('n1').proposeConfChange({ type: 'remove', id: 'n3' }, c.now));
      c.collect('n1');
      c.stabilize();
      for (let i = 0; i < 6; i++) {
        c.node('n1').propose(`w${i}`);
        c.collect('n1');
        c.stabilize();
      }
      // n2's snapshot covers the removal; one more change stays in its log after the snapshot.
      c.addNode('n5');
      const added = okIndex(c.node('n1').proposeConfChange({ type: 'add-learner', id: 'n5' }, c.now));
      c.collect('n1');
      c.stabilize();
      expect(c.persistedSnapshot('n2')?.config).toEqual({ voters: ['n1', 'n2'], learners: [] });
      c.crash('n2');
      c.restart('n2');
      expect(c.status('n2').configuration).toMatchObject({ config: { voters: ['n1', 'n2'], learners: ['n5'] }, index: added });
      // And from a snapshot alone.
      c.crash('n1');
      c.restart('n1');
      expect(c.status('n1').configuration.config).toEqual({ voters: ['n1', 'n2'], learners: ['n5'] });
      c.elect('n2'); // with n1's vote: a majority of [n1, n2], where [n1, n2, n3] would need no more
      expect(c.leaders()).toEqual(['n2']);
      expect(c.safetyViolations).toEqual([]);
    });
  });
});
