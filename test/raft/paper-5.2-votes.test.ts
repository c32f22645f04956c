// §5.2 and §5.4.1, RequestVote receiver rules (Figure 2): one vote per term, first come first served,
// only for candidates whose log is at least as up to date; and when the election timer restarts.
import { describe, expect, it } from 'vitest';
import { Cluster, T, appendEntries, appendResult, entriesWithTerms, messagesOfType, requestVote, voteResult } from './harness.ts';

describe('§5.2 votes: one per term', () => {
  it('§5.2 a follower grants its vote to the first candidate of a term and persists it with the reply', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 1 } } });
    const out = c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    expect(messagesOfType(out, 'request_vote_result')).toEqual([{ to: 'n2', body: voteResult(2, true) }]);
    // Same Output: the host persists {term 2, voted n2} before it sends the grant.
    expect(out.hardState).toEqual({ term: 2, votedFor: 'n2' });
    expect(c.persistedHardState('n1')).toEqual({ term: 2, votedFor: 'n2' });
  });

  it('§5.2 a follower refuses a second candidate in the same term', () => {
    const c = new Cluster(3);
    c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    const out = c.receive('n1', 'n3', requestVote({ term: 2, candidate_id: 'n3' }));
    expect(messagesOfType(out, 'request_vote_result')).toEqual([{ to: 'n3', body: voteResult(2, false) }]);
    expect(c.status('n1').votedFor).toBe('n2');
  });

  it('§5.2 a follower that voted before a restart still refuses another candidate in that term', () => {
    const c = new Cluster(3);
    c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    c.crash('n1');
    c.restart('n1');
    const out = c.receive('n1', 'n3', requestVote({ term: 2, candidate_id: 'n3' }));
    expect(messagesOfType(out, 'request_vote_result')[0]?.body).toEqual(voteResult(2, false));
  });

  it('§5.2 a retried request from the candidate it voted for is granted again (idempotent)', () => {
    const c = new Cluster(3);
    c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    const again = c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    expect(messagesOfType(again, 'request_vote_result')[0]?.body).toEqual(voteResult(2, true));
    expect(c.status('n1')).toMatchObject({ term: 2, votedFor: 'n2' });
  });

  it('§5.2 a candidate does not vote for a rival in its own term (it voted for itself)', () => {
    const c = new Cluster(3);
    c.fire('n1');
    const out = c.receive('n1', 'n2', requestVote({ term: 1, candidate_id: 'n2' }));
    expect(messagesOfType(out, 'request_vote_result')[0]?.body).toEqual(voteResult(1, false));
  });

  it('§5.2 a leader does not vote for a rival in its own term', () => {
    const c = new Cluster(3);
    c.elect('n1');
    const out = c.receive('n1', 'n2', requestVote({ term: 1, candidate_id: 'n2', last_log_index: 9, last_log_term: 1 }));
    expect(messagesOfType(out, 'request_vote_result')[0]?.body).toEqual(voteResult(1, false));
    expect(c.status('n1').role).toBe('leader');
  });

  it('§5.2 with bugs.doubleVote a node votes twice in one term (the injected fault the simulator must catch)', () => {
    const c = new Cluster(3, { nodes: { n1: { config: { bugs: { doubleVote: true } } } } });
    c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    const out = c.receive('n1', 'n3', requestVote({ term: 2, candidate_id: 'n3' }));
    expect(messagesOfType(out, 'request_vote_result')[0]?.body).toEqual(voteResult(2, true));
  });
});

describe('§5.4.1 election restriction: votes only for logs at least as up to date', () => {
  // The voter's log ends with term 2 at index 3.
  const voterLog = entriesWithTerms([1, 2, 2]);
  const cases: { name: string; lastIndex: number; lastTerm: number; granted: boolean }[] = [
    { name: 'last term lower (even if longer)', lastIndex: 9, lastTerm: 1, granted: false },
    { name: 'same last term but shorter', lastIndex: 2, lastTerm: 2, granted: false },
    { name: 'same last term, same length', lastIndex: 3, lastTerm: 2, granted: true },
    { name: 'same last term, longer', lastIndex: 4, lastTerm: 2, granted: true },
    { name: 'last term higher (even if shorter)', lastIndex: 1, lastTerm: 3, granted: true },
  ];
  for (const k of cases) {
    it(`§5.4.1 candidate log with ${k.name}: vote ${k.granted ? 'granted' : 'refused'}`, () => {
      const c = new Cluster(3, { nodes: { n1: { term: 2, log: voterLog } } });
      const out = c.receive('n1', 'n2', requestVote({ term: 3, candidate_id: 'n2', last_log_index: k.lastIndex, last_log_term: k.lastTerm }));
      expect(messagesOfType(out, 'request_vote_result')).toEqual([{ to: 'n2', body: voteResult(3, k.granted) }]);
      // Refused or not, the higher term is adopted; the vote is recorded only when granted.
      expect(c.status('n1')).toMatchObject({ term: 3, votedFor: k.granted ? 'n2' : null });
      expect(out.hardState).toEqual({ term: 3, votedFor: k.granted ? 'n2' : null });
    });
  }
});

describe('§5.2 election timer: reset exactly on leader contact and on granting a vote', () => {
  // r = 0.5: every reset at time t sets the deadline to t + 1.5 T.
  function follower(): Cluster {
    return new Cluster(3, { nodes: { n1: { term: 1, config: { random: () => 0.5 } } } });
  }
  const initial = 1.5 * T;

  it('§5.2 resets on a valid AppendEntries from the current leader (heartbeat or not)', () => {
    const c = follower();
    c.now = 40;
    c.receive('n1', 'n2', appendEntries({ term: 1, leader_id: 'n2' }));
    expect(c.node('n1').nextDeadline()).toBe(40 + 1.5 * T);
    // Even an AppendEntries that fails the log check comes from the leader and proves it alive.
    c.now = 70;
    c.receive('n1', 'n2', appendEntries({ term: 1, leader_id: 'n2', prev_log_index: 5, prev_log_term: 1 }));
    expect(c.node('n1').nextDeadline()).toBe(70 + 1.5 * T);
  });

  it('§5.2 resets on granting a vote', () => {
    const c = follower();
    c.now = 50;
    c.receive('n1', 'n3', requestVote({ term: 2, candidate_id: 'n3' }));
    expect(c.node('n1').nextDeadline()).toBe(50 + 1.5 * T);
  });

  it('§5.2 does NOT reset on a refused vote (log behind), even one with a higher term', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 1, log: entriesWithTerms([1, 1]), config: { random: () => 0.5 } } } });
    c.now = 50;
    c.receive('n1', 'n3', requestVote({ term: 2, candidate_id: 'n3', last_log_index: 1, last_log_term: 1 }));
    expect(c.status('n1').term).toBe(2);
    expect(c.node('n1').nextDeadline()).toBe(initial);
  });

  it('§5.2 does NOT reset on a vote refused because the vote is taken', () => {
    const c = follower();
    c.now = 20;
    c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    c.now = 60;
    c.receive('n1', 'n3', requestVote({ term: 2, candidate_id: 'n3' }));
    expect(c.node('n1').nextDeadline()).toBe(20 + 1.5 * T);
  });

  it('§5.2 does NOT reset on stale-term messages', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 5, config: { random: () => 0.5 } } } });
    c.now = 50;
    c.receive('n1', 'n2', appendEntries({ term: 4, leader_id: 'n2' }));
    c.receive('n1', 'n3', requestVote({ term: 4, candidate_id: 'n3', last_log_index: 9, last_log_term: 4 }));
    expect(c.node('n1').nextDeadline()).toBe(initial);
  });

  it('§5.2 does NOT reset on messages from other followers (stray results of their own)', () => {
    const c = follower();
    c.now = 50;
    c.receive('n1', 'n3', appendResult({ term: 1, success: true, match_index: 0 }));
    c.receive('n1', 'n3', voteResult(1, true));
    expect(c.node('n1').nextDeadline()).toBe(initial);
    expect(c.status('n1').role).toBe('follower');
  });
});
