// Dissertation §9.6 (pre-vote) and §6.2 / §4.2.3 (check-quorum and leader stickiness): the additions
// that stop a node which was cut off from disrupting a healthy cluster when it comes back.
import { describe, expect, it } from 'vitest';
import { Cluster, HEARTBEAT, T, appendEntries, entriesWithTerms, messagesOfType, ofType, requestVote, to, voteResult } from './harness.ts';

const preVoteOn = { preVote: true, checkQuorum: true };

describe('§9.6 pre-vote', () => {
  it('§9.6 a follower that times out first runs a pre-vote for term+1 without raising its term', () => {
    const c = new Cluster(3, { config: preVoteOn, nodes: { n1: { term: 2, log: entriesWithTerms([1, 2]) } } });
    const out = c.fire('n1');
    expect(c.status('n1')).toMatchObject({ role: 'precandidate', term: 2, votedFor: null });
    expect(out.hardState).toBeNull(); // nothing changed that must survive a crash
    const asks = messagesOfType(out, 'request_vote');
    expect(asks.map((m) => m.to).sort()).toEqual(['n2', 'n3']);
    for (const m of asks) expect(m.body).toEqual({ type: 'request_vote', term: 3, candidate_id: 'n1', last_log_index: 2, last_log_term: 2, pre_vote: true });
  });

  it('§9.6 only a pre-vote majority starts the real election (5 nodes: own + 2 grants)', () => {
    const c = new Cluster(5, { config: preVoteOn });
    c.fire('n1');
    c.drop();
    c.receive('n1', 'n2', voteResult(1, true, true));
    expect(c.status('n1')).toMatchObject({ role: 'precandidate', term: 0 });
    const out = c.receive('n1', 'n3', voteResult(1, true, true));
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 1, votedFor: 'n1' });
    expect(out.hardState).toEqual({ term: 1, votedFor: 'n1' });
    const asks = messagesOfType(out, 'request_vote');
    expect(asks.map((m) => m.to).sort()).toEqual(['n2', 'n3', 'n4', 'n5']);
    for (const m of asks) expect(m.body).toMatchObject({ term: 1, pre_vote: false });
  });

  it('§9.6 a pre-vote refused by a majority ends the pre-campaign, term unchanged', () => {
    const c = new Cluster(3, { config: preVoteOn, nodes: { n1: { term: 4 } } });
    c.fire('n1');
    c.receive('n1', 'n2', voteResult(4, false, true));
    c.receive('n1', 'n3', voteResult(4, false, true));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 4, votedFor: null });
  });

  it('§9.6 a pre-vote grant for an older pre-campaign does not count', () => {
    const c = new Cluster(3, { config: preVoteOn, nodes: { n1: { term: 4 } } });
    c.fire('n1');
    c.receive('n1', 'n2', voteResult(3, true, true));
    c.receive('n1', 'n2', voteResult(7, true, true));
    expect(c.status('n1')).toMatchObject({ role: 'precandidate', term: 4 });
  });

  it('§9.6 granting a pre-vote changes neither the voter\'s term, nor its vote, nor its timer', () => {
    const c = new Cluster(3, { config: preVoteOn, nodes: { n1: { term: 2, votedFor: 'n3' } } });
    const deadline = c.node('n1').nextDeadline();
    c.now = 30;
    const out = c.receive('n1', 'n2', requestVote({ term: 3, candidate_id: 'n2', pre_vote: true }));
    expect(messagesOfType(out, 'request_vote_result')).toEqual([{ to: 'n2', body: voteResult(3, true, true) }]);
    expect(out.hardState).toBeNull();
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 2, votedFor: 'n3' });
    expect(c.node('n1').nextDeadline()).toBe(deadline);
    // The same voter, asked for real, still honours its term-2 vote for n3.
    const real = c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    expect(messagesOfType(real, 'request_vote_result')[0]?.body).toEqual(voteResult(2, false));
  });

  it('§9.6 a pre-vote is refused to a candidate whose log is behind, and the refusal changes nothing either', () => {
    const c = new Cluster(3, { config: preVoteOn, nodes: { n1: { term: 2, log: entriesWithTerms([1, 2]) } } });
    const out = c.receive('n1', 'n2', requestVote({ term: 3, candidate_id: 'n2', last_log_index: 5, last_log_term: 1, pre_vote: true }));
    expect(messagesOfType(out, 'request_vote_result')[0]?.body).toEqual(voteResult(2, false, true));
    expect(c.status('n1')).toMatchObject({ term: 2, votedFor: null });
    expect(out.hardState).toBeNull();
  });

  it('§9.6 two followers that time out together do not split the vote: in their first round the lower id is granted, the higher refused', () => {
    const same = { term: 2, log: entriesWithTerms([1, 2]) };
    const c = new Cluster(3, { config: preVoteOn, nodes: { n2: same, n3: same } });
    c.crash('n1');
    c.fire('n2');
    c.fire('n3'); // each pre-vote request now finds the other a precandidate for the same term
    c.stabilize();
    expect(c.status('n2')).toMatchObject({ role: 'leader', term: 3 });
    expect(c.status('n3')).toMatchObject({ role: 'follower', term: 3, votedFor: 'n2' });
  });

  it('§9.6 the tie-break is for equal logs in the first round only: a longer log, or a second round, is granted as always', () => {
    const same = { term: 2, log: entriesWithTerms([1, 2]) };
    const c = new Cluster(3, { config: preVoteOn, nodes: { n2: same } });
    c.fire('n2');
    const longer = c.receive('n2', 'n3', requestVote({ term: 3, candidate_id: 'n3', last_log_index: 3, last_log_term: 2, pre_vote: true }));
    expect(messagesOfType(longer, 'request_vote_result')[0]?.body).toEqual(voteResult(3, true, true));
    const equal = c.receive('n2', 'n3', requestVote({ term: 3, candidate_id: 'n3', last_log_index: 2, last_log_term: 2, pre_vote: true }));
    expect(messagesOfType(equal, 'request_vote_result')[0]?.body).toEqual(voteResult(2, false, true));
    c.fire('n2'); // still seeking term 3: our own requests may not get through, so the tie-break is off
    expect(c.status('n2')).toMatchObject({ role: 'precandidate', term: 2 });
    const again = c.receive('n2', 'n3', requestVote({ term: 3, candidate_id: 'n3', last_log_index: 2, last_log_term: 2, pre_vote: true }));
    expect(messagesOfType(again, 'request_vote_result')[0]?.body).toEqual(voteResult(3, true, true));
  });

  it('§9.6 the tie-break does not hold back a peer that refused us (it still heard the leader): it is granted, and goes ahead', () => {
    // The leader n1 is cut off. n2's timer fires first, while n3 still hears the leader's last
    // heartbeats: n3 refuses at once (it does not ignore the request). When n3's own timer fires, n2
    // is still in its first round; yielding to the lower id then would leave neither with a majority.
    const same = { term: 2, log: entriesWithTerms([1, 2]) };
    const c = new Cluster(3, { config: preVoteOn, nodes: { n2: same, n3: same } });
    c.now = c.node('n2').nextDeadline() - 1;
    c.receive('n3', 'n1', appendEntries({ term: 2, leader_id: 'n1', prev_log_index: 2, prev_log_term: 2, leader_commit: 2 }));
    c.crash('n1');
    c.fire('n2');
    c.deliver((e) => e.to === 'n3' && e.body.type === 'request_vote');
    const refusal = c.inFlight.filter((e) => e.to === 'n2' && e.body.type === 'request_vote_result');
    expect(refusal.map((e) => e.body)).toEqual([voteResult(2, false, true)]);
    c.deliver((e) => e.to === 'n2');
    expect(c.status('n2').role).toBe('precandidate');
    c.fire('n3');
    c.stabilize();
    expect(c.status('n3')).toMatchObject({ role: 'leader', term: 3 });
    expect(c.status('n2')).toMatchObject({ role: 'follower', term: 3, votedFor: 'n3' });
    expect(c.safetyViolations).toEqual([]);
  });

  it('§9.6 a partitioned node keeps its term while cut off, and on rejoining does not depose the healthy leader', () => {
    const c = new Cluster(3, { config: preVoteOn, nodes: { n3: { config: { random: () => 0 } } } });
    c.elect('n1');
    const term = c.status('n1').term;
    c.isolate('n3');
    c.advance(10 * T);
    // n3 timed out again and again, but only ran pre-votes: its term never moved.
    expect(c.status('n3')).toMatchObject({ role: 'precandidate', term });
    expect(c.status('n1')).toMatchObject({ role: 'leader', term });

    // It rejoins just as its timer fires again; its pre-votes reach the leader and the follower.
    c.advance(c.node('n3').nextDeadline() - 1 - c.now);
    c.heal();
    const asks = messagesOfType(c.fire('n3'), 'request_vote');
    expect(asks.map((m) => m.body.pre_vote)).toEqual([true, true]);
    const answers = c.deliver(ofType('request_vote'));
    expect(answers).toBe(2);
    // Both are refused: n2 heard from n1 within the minimum timeout, and n1 is the live leader.
    expect(c.inFlight.filter(to('n3')).map((e) => e.body)).toEqual([voteResult(term, false, true), voteResult(term, false, true)]);
    c.advance(5 * T);
    expect(c.status('n1')).toMatchObject({ role: 'leader', term });
    expect(c.status('n3')).toMatchObject({ role: 'follower', term, leaderId: 'n1' });
    expect(c.safetyViolations).toEqual([]);
  });

  it('§9.6 without pre-vote (and check-quorum) the same rejoin does depose the leader: the disruption pre-vote prevents', () => {
    const c = new Cluster(3, { nodes: { n3: { config: { random: () => 0 } } } });
    c.elect('n1');
    const term = c.status('n1').term;
    c.isolate('n3');
    c.advance(10 * T);
    expect(c.status('n3').term).toBeGreaterThan(term + 3);
    c.heal();
    // The leader's next heartbeat is answered with n3's higher term, and the leader steps down.
    c.advance(2 * HEARTBEAT);
    expect(c.status('n1').term).toBeGreaterThan(term);
    expect(c.status('n1').role).not.toBe('leader');
  });
});

describe('§6.2 check-quorum', () => {
  it('§6.2 a leader that has not heard from a majority within an election timeout steps down', () => {
    const c = new Cluster(3, { config: preVoteOn });
    c.elect('n1');
    const lastHeard = c.now;
    c.crash('n2');
    c.crash('n3');
    c.advance(T - 1);
    expect(c.status('n1').role).toBe('leader');
    // Its check-quorum runs every T; the first one that finds no reply in the last T steps it down.
    c.advance(T + 1);
    expect(c.now).toBe(lastHeard + 2 * T);
    expect(c.status('n1')).toMatchObject({ role: 'follower', leaderId: null });
  });

  it('§6.2 a leader that hears from a majority stays leader', () => {
    const c = new Cluster(3, { config: preVoteOn });
    c.elect('n1');
    c.crash('n3');
    c.advance(10 * T);
    expect(c.status('n1')).toMatchObject({ role: 'leader', term: 1 });
  });

  it('§6.2 with check-quorum off a cut-off leader keeps leading (the check is what makes it step down)', () => {
    const c = new Cluster(3);
    c.elect('n1');
    c.crash('n2');
    c.crash('n3');
    c.advance(10 * T);
    expect(c.status('n1').role).toBe('leader');
  });
});

describe('§4.2.3 leader stickiness', () => {
  for (const preVote of [false, true]) {
    const kind = preVote ? 'pre-vote' : 'vote';
    it(`§4.2.3 a follower that heard from the leader within the minimum timeout does not grant a higher-term ${kind} request, nor change term`, () => {
      const c = new Cluster(3, { config: { checkQuorum: true } });
      c.elect('n1');
      c.now += 5;
      c.receive('n2', 'n1', appendEntries({ term: 1, leader_id: 'n1', prev_log_index: 1, prev_log_term: 1, leader_commit: 1 }));
      const heardAt = c.now;
      const before = c.status('n2');
      const ask = requestVote({ term: 5, candidate_id: 'n3', last_log_index: 9, last_log_term: 1, pre_vote: preVote });

      c.now = heardAt + T - 1;
      const ignored = c.receive('n2', 'n3', ask);
      // A vote request gets no answer; a pre-vote a refusal in our own term (it changes nothing here).
      expect(ignored.messages.map((m) => m.body)).toEqual(preVote ? [voteResult(1, false, true)] : []);
      expect(ignored.hardState).toBeNull();
      expect(c.status('n2')).toEqual(before);

      // A minimum timeout after the last contact, the same request is considered.
      c.now = heardAt + T;
      const answered = c.receive('n2', 'n3', ask);
      expect(messagesOfType(answered, 'request_vote_result')[0]?.body).toEqual(voteResult(5, true, preVote));
      expect(c.status('n2').term).toBe(preVote ? 1 : 5);
    });
  }

  it('§4.2.3 a live leader (check-quorum on) ignores a higher-term vote request', () => {
    const c = new Cluster(3, { config: { checkQuorum: true } });
    c.elect('n1');
    const out = c.receive('n1', 'n3', requestVote({ term: 5, candidate_id: 'n3', last_log_index: 9, last_log_term: 1 }));
    expect(out.messages).toEqual([]);
    expect(c.status('n1')).toMatchObject({ role: 'leader', term: 1 });
  });
});
