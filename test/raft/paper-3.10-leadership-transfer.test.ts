// Dissertation §3.10, leadership transfer (etcd's MsgTransferLeader / MsgTimeoutNow): the leader
// stops taking proposals, brings the target's log up to date, then tells it to campaign at once.
// The target skips pre-vote and its voters skip their lease, so the hand-over costs one round trip
// instead of an election timeout; a transfer that does not finish in time is abandoned.
import { describe, expect, it } from 'vitest';
import type { Output } from '../../src/raft/types.ts';
import { Cluster, T, appendEntries, both, from, messagesOfType, not, ofType, requestVote, to } from './harness.ts';

const stickyConfig = { preVote: true, checkQuorum: true };

function eventTexts(out: Output): string[] {
  return out.events.map((e) => e.text);
}

/** A cluster where n1 leads term 1 and every follower holds its no-op. */
function ledByN1(size = 3, config = {}): Cluster {
  const c = new Cluster(size, { config });
  c.elect('n1');
  c.advance(1);
  return c;
}

describe('§3.10 leadership transfer', () => {
  it('§3.10 a caught-up target gets TimeoutNow at once, campaigns without pre-vote and wins the next term', () => {
    const c = ledByN1(3, stickyConfig);
    expect(c.node('n1').propose('a').ok).toBe(true);
    c.collect('n1');
    c.stabilize();
    c.now += 5;
    expect(c.node('n1').transferLeadership('n2', c.now)).toEqual({ ok: true, target: 'n2' });
    const out = c.collect('n1');
    expect(eventTexts(out)).toContain('transferring leadership to n2 (match 2/2)');
    expect(messagesOfType(out, 'timeout_now')).toEqual([{ to: 'n2', body: { type: 'timeout_now', term: 1, leader_id: 'n1' } }]);

    c.now += 1;
    const [timeoutNow] = c.take(ofType('timeout_now'));
    const campaign = c.receive('n2', 'n1', (timeoutNow as { body: Output['messages'][number]['body'] }).body);
    expect(eventTexts(campaign)).toContain('received timeout-now from n1: starting election for term 2');
    expect(c.status('n2')).toMatchObject({ role: 'candidate', term: 2, votedFor: 'n2' });
    const asks = messagesOfType(campaign, 'request_vote');
    expect(asks.map((m) => m.to).sort()).toEqual(['n1', 'n3']);
    for (const m of asks) expect(m.body).toMatchObject({ term: 2, pre_vote: false, transfer: true });

    c.now += 2;
    c.stabilize();
    expect(c.status('n2')).toMatchObject({ role: 'leader', term: 2 });
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 2, leaderId: 'n2' });
    const n1Log = (c.outputs.get('n1') ?? []).flatMap(eventTexts);
    expect(n1Log).toContain('leadership transfer to n2 done in 3 ms');
    expect(c.node('n1').transferTarget()).toBeNull();
    expect(c.safetyViolations).toEqual([]);
  });

  it('§3.10 a lagging target is brought up to date first; TimeoutNow only once it matches the whole log', () => {
    const c = ledByN1(3);
    // Three entries reach n2; the ones to n3 are still on their way.
    for (const cmd of ['a', 'b', 'c']) c.node('n1').propose(cmd);
    c.collect('n1');
    c.stabilize(not(to('n3')));
    c.node('n1').transferLeadership('n3', c.now);
    const out = c.collect('n1');
    expect(eventTexts(out)).toContain('transferring leadership to n3 (match 1/4)');
    expect(messagesOfType(out, 'timeout_now')).toEqual([]);

    // n3 acknowledges the whole log; only that acknowledgement triggers TimeoutNow.
    c.deliver(to('n3'));
    expect(c.status('n3').lastLogIndex).toBe(4);
    const ack = c.deliver(both(from('n3'), to('n1')));
    expect(ack).toBe(1);
    expect(messagesOfType(c.lastOutput('n1'), 'timeout_now')).toEqual([{ to: 'n3', body: { type: 'timeout_now', term: 1, leader_id: 'n1' } }]);
    c.stabilize();
    expect(c.status('n3')).toMatchObject({ role: 'leader', term: 2 });
    expect(c.status('n3').lastLogIndex).toBe(5); // its own no-op after the three entries
    expect(c.safetyViolations).toEqual([]);
  });

  it('§3.10 by default the target is the follower with the highest match index', () => {
    const c = ledByN1(3);
    c.node('n1').propose('a');
    c.collect('n1');
    c.drop(to('n2'));
    c.stabilize();
    expect(c.node('n1').transferLeadership(null, c.now)).toEqual({ ok: true, target: 'n3' });
    expect(eventTexts(c.collect('n1'))).toContain('transferring leadership to n3 (match 2/2)');
  });

  it('§3.10 proposals are refused during a transfer, naming the target; reads are still served', () => {
    const c = ledByN1(3);
    c.isolate('n2');
    c.node('n1').transferLeadership('n2', c.now);
    expect(c.node('n1').propose('x')).toEqual({ ok: false, leaderId: 'n1', transferringTo: 'n2' });
    c.node('n1').readIndex(7);
    c.collect('n1');
    c.stabilize();
    expect(c.reads.get('n1')).toEqual([{ ctx: 7, ok: true, index: 1 }]);
    expect(c.status('n1').lastLogIndex).toBe(1);
  });

  it('§3.10 an unreachable target: abandoned after an election timeout, the leader keeps leading and takes proposals again', () => {
    const c = ledByN1(3);
    c.isolate('n2');
    const startedAt = c.now;
    c.node('n1').transferLeadership('n2', c.now);
    c.collect('n1');
    c.advance(T - 1);
    expect(c.node('n1').transferTarget()).toBe('n2');
    expect(c.node('n1').propose('x').ok).toBe(false);
    c.advance(1);
    expect(c.node('n1').transferTarget()).toBeNull();
    const n1Log = (c.outputs.get('n1') ?? []).flatMap(eventTexts);
    expect(n1Log).toContain(`leadership transfer to n2 abandoned after ${c.now - startedAt} ms`);
    expect(c.status('n1')).toMatchObject({ role: 'leader', term: 1 });
    expect(c.node('n1').propose('x')).toMatchObject({ ok: true, index: 2, term: 1 });
  });

  it('§3.10 a transfer overlapping an election: a higher term from another node ends it, and proposals then find no leader', () => {
    const c = ledByN1(3);
    c.isolate('n2');
    c.node('n1').transferLeadership('n2', c.now);
    c.collect('n1');
    c.drop();
    c.now += 4;
    const out = c.receive('n1', 'n3', requestVote({ term: 5, candidate_id: 'n3', last_log_index: 1, last_log_term: 1 }));
    expect(eventTexts(out)).toContain('leadership transfer to n2 abandoned after 4 ms');
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 5 });
    expect(c.node('n1').transferTarget()).toBeNull();
    expect(c.node('n1').propose('x')).toEqual({ ok: false, leaderId: null, transferringTo: null });
    // The old transfer leaves nothing behind: no TimeoutNow goes out in the new term.
    expect(c.inFlight.filter(both(from('n1'), ofType('timeout_now')))).toEqual([]);
  });

  it('§3.10 refuses a transfer to itself, to a stranger, a second target, or from a follower, with a log line', () => {
    const c = ledByN1(3);
    expect(c.node('n1').transferLeadership('n1', c.now)).toEqual({ ok: false, reason: 'this node is the leader already' });
    expect(c.node('n1').transferLeadership('n9', c.now)).toEqual({ ok: false, reason: 'n9 is not a member of this cluster' });
    expect(c.node('n2').transferLeadership('n3', c.now)).toEqual({ ok: false, reason: 'not the leader (leader: n1)' });
    const refusals = [...c.collect('n1').events, ...c.collect('n2').events].filter((e) => e.level === 'warn').map((e) => e.text);
    expect(refusals).toEqual([
      'refusing leadership transfer to n1: this node is the leader already',
      'refusing leadership transfer to n9: n9 is not a member of this cluster',
      'refusing leadership transfer to n3: not the leader (leader: n1)',
    ]);
    expect(c.node('n1').transferTarget()).toBeNull();
    expect(c.node('n1').propose('x').ok).toBe(true);

    c.isolate('n2');
    expect(c.node('n1').transferLeadership('n2', c.now).ok).toBe(true);
    expect(c.node('n1').transferLeadership(null, c.now)).toEqual({ ok: true, target: 'n2' }); // the same transfer
    expect(c.node('n1').transferLeadership('n3', c.now)).toEqual({ ok: false, reason: 'a transfer to n2 is already under way' });
  });

  it('§3.10 a single-node cluster has nobody to hand over to', () => {
    const c = new Cluster(1);
    c.elect('n1');
    expect(c.node('n1').transferLeadership(null, c.now)).toEqual({ ok: false, reason: 'there is no other node' });
  });
});

describe('§3.10 the campaign TimeoutNow starts bypasses leader stickiness', () => {
  it('§3.10 a voter in its lease ignores an ordinary vote request but grants a transfer vote', () => {
    const c = ledByN1(3, stickyConfig);
    expect(c.status('n1')).toMatchObject({ role: 'leader', term: 1 });
    const ordinary = c.receive('n3', 'n2', requestVote({ term: 2, candidate_id: 'n2', last_log_index: 1, last_log_term: 1 }));
    expect(ordinary.messages).toEqual([]);
    expect(c.status('n3')).toMatchObject({ term: 1, votedFor: 'n1' });

    const transfer = c.receive('n3', 'n2', requestVote({ term: 2, candidate_id: 'n2', last_log_index: 1, last_log_term: 1, transfer: true }));
    expect(messagesOfType(transfer, 'request_vote_result')).toEqual([{ to: 'n2', body: { type: 'request_vote_result', term: 2, vote_granted: true, pre_vote: false } }]);
    expect(c.status('n3')).toMatchObject({ role: 'follower', term: 2, votedFor: 'n2' });
  });

  it('§3.10 the flag never lifts the lease for a pre-vote, nor does it override the log check', () => {
    const c = ledByN1(3, stickyConfig);
    const preVote = c.receive('n3', 'n2', requestVote({ term: 2, candidate_id: 'n2', last_log_index: 1, last_log_term: 1, pre_vote: true, transfer: true }));
    expect(messagesOfType(preVote, 'request_vote_result')[0]?.body).toMatchObject({ vote_granted: false, pre_vote: true });
    const behind = c.receive('n3', 'n2', requestVote({ term: 2, candidate_id: 'n2', last_log_index: 0, last_log_term: 0, transfer: true }));
    expect(messagesOfType(behind, 'request_vote_result')[0]?.body).toMatchObject({ term: 2, vote_granted: false });
  });

  it('§3.10 the leader itself yields to the transfer campaign although it still has its lease', () => {
    const c = ledByN1(3, stickyConfig);
    c.node('n1').transferLeadership('n2', c.now);
    c.collect('n1');
    c.stabilize();
    expect(c.status('n2')).toMatchObject({ role: 'leader', term: 2 });
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 2 });
    expect(c.safetyViolations).toEqual([]);
  });

  it('§3.10 a node that lost its log ignores TimeoutNow until a leader has caught it up (§5.4 lost log)', () => {
    const c = ledByN1(3);
    c.crash('n2');
    c.restart('n2', { loseLog: true });
    const term = c.status('n2').term;
    // A leader of its term is heard, but the probe does not match: n2 is not caught up yet.
    c.receive('n2', 'n1', appendEntries({ term, leader_id: 'n1', prev_log_index: 5, prev_log_term: 1 }));
    c.take(from('n2'));
    expect(c.status('n2').leaderId).toBe('n1');
    const ignored = c.receive('n2', 'n1', { type: 'timeout_now', term, leader_id: 'n1' });
    expect(eventTexts(ignored)).toContain('ignoring timeout-now from n1: log lost, not caught up from a leader yet');
    expect(c.status('n2')).toMatchObject({ role: 'follower', term });
    expect(messagesOfType(ignored, 'request_vote')).toEqual([]);
  });

  it('§3.10 TimeoutNow is obeyed only from the leader we follow, in its term', () => {
    const c = ledByN1(3, stickyConfig);
    const fromFollower = c.receive('n2', 'n3', { type: 'timeout_now', term: 1, leader_id: 'n3' });
    expect(c.status('n2')).toMatchObject({ role: 'follower', term: 1 });
    expect(fromFollower.messages).toEqual([]);
    const stale = c.receive('n2', 'n1', { type: 'timeout_now', term: 0, leader_id: 'n1' });
    expect(c.status('n2')).toMatchObject({ role: 'follower', term: 1 });
    expect(stale.messages).toEqual([]);
    // A TimeoutNow in a term we have not seen a leader for names nobody we follow: ignored too.
    c.receive('n2', 'n1', { type: 'timeout_now', term: 3, leader_id: 'n1' });
    expect(c.status('n2')).toMatchObject({ role: 'follower', term: 3 });
    expect(c.inFlight.filter(both(from('n2'), ofType('request_vote')))).toEqual([]);
  });
});
