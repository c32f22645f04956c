// §5.2 Leader election: timeouts, candidates, majorities, heartbeats (pre-vote off, as in the paper).
import { describe, expect, it } from 'vitest';
import { majority } from '../../src/raft/quorum.ts';
import { Cluster, HEARTBEAT, T, appendEntries, entriesWithTerms, messagesOfType, sequenceRandom, voteResult } from './harness.ts';

describe('§5.2 leader election', () => {
  it('§5.2 on election timeout a follower becomes candidate: term+1, votes for itself, persists that, asks every peer', () => {
    const c = new Cluster(5, { nodes: { n1: { term: 2, log: entriesWithTerms([1, 2, 2]) } } });
    const out = c.fire('n1');
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 3, votedFor: 'n1' });
    // The hard state travels in the same Output as the requests: the host persists it before sending.
    expect(out.hardState).toEqual({ term: 3, votedFor: 'n1' });
    const requests = messagesOfType(out, 'request_vote');
    expect(requests.map((r) => r.to).sort()).toEqual(['n2', 'n3', 'n4', 'n5']);
    for (const r of requests) {
      expect(r.body).toEqual({ type: 'request_vote', term: 3, candidate_id: 'n1', last_log_index: 3, last_log_term: 2, pre_vote: false });
    }
  });

  it('§5.2 a follower does not campaign before its timeout', () => {
    const c = new Cluster(3);
    const deadline = c.node('n1').nextDeadline();
    const out = c.tick('n1', deadline - 1);
    expect(out.messages).toEqual([]);
    expect(c.status('n1').role).toBe('follower');
  });

  it('§5.2 the election timeout is drawn from [T, 2T] at every reset: deadline = reset time + T + r·T', () => {
    const draws = [0, 0.25, 0.5, 0.999];
    const c = new Cluster(3, { start: 1000, nodes: { n1: { config: { random: sequenceRandom(draws) } } } });
    // Start-up draws r = 0.
    expect(c.node('n1').nextDeadline()).toBe(1000 + T);
    // A heartbeat from a leader at 1040 resets the timer with the next draw, r = 0.25.
    c.now = 1040;
    c.receive('n1', 'n2', appendEntries({ term: 1, leader_id: 'n2' }));
    expect(c.node('n1').nextDeadline()).toBe(1040 + T + 0.25 * T);
    // Another at 1100: r = 0.5.
    c.now = 1100;
    c.receive('n1', 'n2', appendEntries({ term: 1, leader_id: 'n2' }));
    expect(c.node('n1').nextDeadline()).toBe(1100 + T + 0.5 * T);
    // The timer fires; the new candidate's timer uses r = 0.999, still below 2T.
    c.fire('n1');
    expect(c.status('n1').role).toBe('candidate');
    expect(c.node('n1').nextDeadline()).toBe(1100 + 1.5 * T + T + 0.999 * T);
  });

  it('§5.2 timeouts drawn by different nodes differ, so one node usually times out first', () => {
    const c = new Cluster(3, {
      nodes: { n1: { config: { random: () => 0.1 } }, n2: { config: { random: () => 0.6 } }, n3: { config: { random: () => 0.9 } } },
    });
    const deadlines = c.ids.map((id) => c.node(id).nextDeadline());
    expect(deadlines).toEqual([T + 0.1 * T, T + 0.6 * T, T + 0.9 * T]);
    for (const d of deadlines) expect(d >= T && d <= 2 * T).toBe(true);
  });

  // Even sizes too: there floor(n/2)+1 differs from ceil(n/2), a tempting wrong formula.
  for (const size of [1, 2, 3, 4, 5, 7]) {
    it(`§5.2 a candidate in a ${size}-node cluster wins with exactly ${majority(size)} votes (floor(n/2)+1, its own included)`, () => {
      expect(majority(size)).toBe(Math.floor(size / 2) + 1);
      const c = new Cluster(size);
      c.fire('n1');
      c.drop(); // the test hands out the votes itself
      const term = c.status('n1').term;
      // Its own vote counts as the first; peers grant one at a time.
      for (let votes = 1; votes < majority(size); votes++) {
        expect(c.status('n1').role).toBe('candidate');
        c.receive('n1', `n${votes + 1}`, voteResult(term, true));
      }
      expect(c.status('n1')).toMatchObject({ role: 'leader', leaderId: 'n1' });
    });
  }

  it('§5.2 duplicate votes from one peer count once', () => {
    const c = new Cluster(5);
    c.fire('n1');
    for (let i = 0; i < 4; i++) c.receive('n1', 'n2', voteResult(1, true));
    expect(c.status('n1').role).toBe('candidate');
    c.receive('n1', 'n3', voteResult(1, true));
    expect(c.status('n1').role).toBe('leader');
  });

  it('§5.2 a candidate refused by a majority returns to follower in the same term', () => {
    const c = new Cluster(5);
    c.fire('n1');
    c.receive('n1', 'n2', voteResult(1, false));
    c.receive('n1', 'n3', voteResult(1, false));
    expect(c.status('n1').role).toBe('candidate');
    c.receive('n1', 'n4', voteResult(1, false));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 1, votedFor: 'n1' });
  });

  it('§5.2 a single-node cluster elects itself at its first tick', () => {
    const c = new Cluster(1);
    const out = c.tick('n1');
    expect(c.status('n1')).toMatchObject({ role: 'leader', term: 1, votedFor: 'n1' });
    expect(out.hardState).toEqual({ term: 1, votedFor: 'n1' });
    // Alone, its no-op is committed at once.
    expect(out.committed).toEqual([{ index: 1, term: 1, data: { kind: 'noop' } }]);
  });

  it('§5.2 a single-node cluster elects itself even with pre-vote on (nobody to ask)', () => {
    const c = new Cluster(1, { config: { preVote: true, checkQuorum: true } });
    c.tick('n1');
    expect(c.status('n1')).toMatchObject({ role: 'leader', term: 1 });
  });

  it('§5.2 a new leader sends AppendEntries to every peer at once (carrying only its no-op), then every heartbeat interval', () => {
    const c = new Cluster(5);
    c.fire('n1');
    c.drop();
    c.receive('n1', 'n2', voteResult(1, true));
    const won = c.receive('n1', 'n3', voteResult(1, true));
    expect(c.status('n1').role).toBe('leader');
    const first = messagesOfType(won, 'append_entries');
    expect(first.map((m) => m.to).sort()).toEqual(['n2', 'n3', 'n4', 'n5']);
    for (const m of first) {
      // The paper's "initial empty AppendEntries" here carries the term's no-op entry (§8).
      expect(m.body).toMatchObject({ term: 1, leader_id: 'n1', prev_log_index: 0, prev_log_term: 0, entries: [{ term: 1, data: { kind: 'noop' } }], leader_commit: 0 });
    }
    c.stabilize();
    const electedAt = c.now;

    // Nothing until the heartbeat interval has passed...
    expect(c.tick('n1', electedAt + HEARTBEAT - 1).messages).toEqual([]);
    // ...then an empty AppendEntries to everyone, and again one interval later.
    for (const at of [electedAt + HEARTBEAT, electedAt + 2 * HEARTBEAT]) {
      const beat = messagesOfType(c.tick('n1', at), 'append_entries');
      expect(beat.map((m) => m.to).sort()).toEqual(['n2', 'n3', 'n4', 'n5']);
      for (const m of beat) expect(m.body).toMatchObject({ term: 1, entries: [], leader_commit: 1 });
      expect(c.node('n1').nextDeadline()).toBe(at + HEARTBEAT);
      c.stabilize();
    }
  });

  it('§5.2 a candidate steps down when it hears AppendEntries from a leader of its own term', () => {
    const c = new Cluster(3);
    c.fire('n1');
    c.drop();
    const out = c.receive('n1', 'n2', appendEntries({ term: 1, leader_id: 'n2' }));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 1, leaderId: 'n2', votedFor: 'n1' });
    expect(messagesOfType(out, 'append_entries_result')[0]?.body).toMatchObject({ term: 1, success: true });
  });

  it('§5.2 a candidate steps down when it hears AppendEntries from a leader of a higher term', () => {
    const c = new Cluster(3);
    c.fire('n1');
    c.receive('n1', 'n2', appendEntries({ term: 4, leader_id: 'n2' }));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 4, leaderId: 'n2', votedFor: null });
  });

  it('§5.2 a candidate ignores AppendEntries from a lower term and stays candidate', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 2 } } });
    c.fire('n1');
    c.receive('n1', 'n2', appendEntries({ term: 2, leader_id: 'n2' }));
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 3 });
  });

  it('§5.2 a split vote ends in a new election with a fresh random timeout and a higher term', () => {
    // n1 and n2 campaign at once in term 1; n3 is down; each refuses the other.
    const c = new Cluster(3, { nodes: { n1: { config: { random: sequenceRandom([0, 0.3, 0.7]) } } } });
    c.crash('n3');
    c.fire('n1');
    c.fire('n2');
    c.stabilize();
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 1 });
    expect(c.status('n2')).toMatchObject({ role: 'candidate', term: 1 });
    expect(c.leaders()).toEqual([]);

    const startedAt = c.now;
    const deadline = c.node('n1').nextDeadline();
    expect(deadline).toBe(startedAt + T + 0.3 * T);
    const out = c.fire('n1');
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 2, votedFor: 'n1' });
    expect(c.node('n1').nextDeadline()).toBe(deadline + T + 0.7 * T);
    expect(messagesOfType(out, 'request_vote').map((m) => m.body.term)).toEqual([2, 2]);
    // This time n2 (still in term 1) grants, and n1 wins.
    c.stabilize();
    expect(c.leaders()).toEqual(['n1']);
    expect(c.safetyViolations).toEqual([]);
  });
});
