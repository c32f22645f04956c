// §5.2 (and dissertation §9.6 for pre-votes): on a slow network a campaign can take longer than one
// election timer. Votes and pre-votes for the term being sought still count when they arrive late;
// a candidate that does not win still starts a new election in a higher term.
import { describe, expect, it } from 'vitest';
import { Cluster, T, entriesWithTerms, messagesOfType, requestVote, voteResult } from './harness.ts';

const preVoteOn = { preVote: true, checkQuorum: true };
const timing = { electionTimeoutMinMs: T, electionTimeoutMaxMs: 2 * T, heartbeatIntervalMs: 20, checkQuorumWindowMs: T, retransmitAfterMs: T, roundTripAllowanceMs: 0 };

describe('§9.6 pre-votes outlive a pre-vote timer', () => {
  it('§9.6 a precandidate whose timer fires again keeps its grants for the same term and asks only the others', () => {
    const c = new Cluster(5, { config: preVoteOn, nodes: { n1: { term: 3 } } });
    c.fire('n1');
    c.drop();
    c.receive('n1', 'n2', voteResult(4, true, true));
    c.receive('n1', 'n3', voteResult(3, false, true));
    const again = c.fire('n1');
    expect(c.status('n1')).toMatchObject({ role: 'precandidate', term: 3 });
    // n2's grant is kept; n3's refusal is forgotten, so n3 is asked again.
    expect(messagesOfType(again, 'request_vote').map((m) => m.to).sort()).toEqual(['n3', 'n4', 'n5']);
    expect(again.events.map((e) => e.text)).toContain('still seeking term 4: kept 1 pre-vote(s), asking again');
    c.drop();
    const won = c.receive('n1', 'n4', voteResult(4, true, true));
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 4, votedFor: 'n1' });
    expect(won.hardState).toEqual({ term: 4, votedFor: 'n1' });
  });

  it('§9.6 a late pre-vote grant for the sought term counts after the timer fired', () => {
    const c = new Cluster(3, { config: preVoteOn });
    c.fire('n1');
    c.drop();
    c.fire('n1'); // the answers were slower than the timer
    c.drop();
    c.receive('n1', 'n2', voteResult(1, true, true)); // the grant to the first request
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 1 });
  });
});

describe('§5.2 late votes', () => {
  it('§5.2 a candidate whose timer fired goes on to a higher term, yet its old term\'s votes still elect it while that term is unchanged', () => {
    const c = new Cluster(3, { config: preVoteOn });
    c.fire('n1');
    c.drop();
    c.receive('n1', 'n2', voteResult(1, true, true));
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 1 });
    c.drop();
    // The timer fires before any vote for term 1 is back: a new campaign, for term 2 (pre-vote first).
    const next = c.fire('n1');
    expect(c.status('n1')).toMatchObject({ role: 'precandidate', term: 1, votedFor: 'n1' });
    expect(messagesOfType(next, 'request_vote').every((m) => m.body.term === 2 && m.body.pre_vote)).toBe(true);
    // n3's vote for term 1 arrives now: with n1's own, a majority of term 1. Nobody else can lead term 1.
    c.drop();
    c.receive('n1', 'n3', voteResult(1, true));
    expect(c.status('n1')).toMatchObject({ role: 'leader', term: 1 });
    expect(c.safetyViolations).toEqual([]);
  });

  it('§5.2 without pre-vote a candidate whose timer fires starts a higher term, and the old term\'s votes are stale', () => {
    const c = new Cluster(3);
    c.fire('n1');
    c.drop();
    c.fire('n1');
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 2 });
    c.receive('n1', 'n2', voteResult(1, true));
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 2 });
  });

  it('§5.2 the candidate\'s timer covers its own and a voter\'s hard-state write and the round trip (persist, then send)', () => {
    const c = new Cluster(3, { config: { random: () => 0 } });
    c.node('n1').setTiming({ ...timing, persistAllowanceMs: 40, roundTripAllowanceMs: 25 });
    c.fire('n1');
    expect(c.status('n1').role).toBe('candidate');
    // Timeout T plus two writes and a round trip: the RequestVotes cannot leave before the first write,
    // the grants before the second, and they travel there and back.
    expect(c.node('n1').nextDeadline() - c.now).toBe(T + 2 * 40 + 25);
  });

  it('§5.2 a voter\'s timer starts after its vote could be durable and the new leader\'s first heartbeat could be back', () => {
    const c = new Cluster(3, { config: { random: () => 0 } });
    c.node('n2').setTiming({ ...timing, persistAllowanceMs: 40, roundTripAllowanceMs: 25 });
    c.fire('n1');
    c.deliver((e) => e.to === 'n2' && e.body.type === 'request_vote');
    expect(c.status('n2').votedFor).toBe('n1');
    expect(c.node('n2').nextDeadline() - c.now).toBe(T + 40 + 25);
  });

  it('§5.2 a candidate that loses (or sees a higher term) drops the write allowances: its next timeout is an ordinary one plus a round trip', () => {
    const c = new Cluster(3, { config: { random: () => 0 }, nodes: { n1: { term: 1, log: entriesWithTerms([1]) } } });
    c.node('n1').setTiming({ ...timing, persistAllowanceMs: 4000, roundTripAllowanceMs: 1000 });
    c.fire('n1');
    expect(c.node('n1').nextDeadline() - c.now).toBe(T + 2 * 4000 + 1000);
    c.receive('n1', 'n2', voteResult(2, false));
    c.receive('n1', 'n3', voteResult(2, false));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 2 });
    expect(c.node('n1').nextDeadline() - c.now).toBe(T + 1000);
    // Never later than it was: a higher term seen soon after (from a shorter log: refused) does not push it back.
    const deadline = c.node('n1').nextDeadline();
    c.now += 10;
    c.receive('n1', 'n2', requestVote({ term: 5, candidate_id: 'n2', last_log_index: 0, last_log_term: 0 }));
    expect(c.node('n1').nextDeadline()).toBeLessThanOrEqual(deadline);
  });

  it('§9.6 a precandidate\'s timer covers the round trip its pre-votes need, and nothing more', () => {
    const c = new Cluster(3, { config: { ...preVoteOn, random: () => 0 } });
    c.node('n1').setTiming({ ...timing, persistAllowanceMs: 40, roundTripAllowanceMs: 25 });
    c.fire('n1');
    expect(c.status('n1').role).toBe('precandidate');
    // No write before a pre-vote: only the round trip is added.
    expect(c.node('n1').nextDeadline() - c.now).toBe(T + 25);
  });
});
