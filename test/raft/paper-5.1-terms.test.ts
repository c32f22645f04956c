// §5.1 Raft basics: terms act as a logical clock. Figure 2, "Rules for all servers": if a message
// carries a higher term, adopt it and become a follower; messages from older terms are stale.
import { describe, expect, it } from 'vitest';
import type { RaftMessage } from '../../src/raft/types.ts';
import { Cluster, appendEntries, appendResult, entriesWithTerms, messagesOfType, requestVote, voteResult } from './harness.ts';

/** The wire is untyped JSON: a peer may send any value where a term belongs. */
function withTerm(body: RaftMessage, term: unknown): RaftMessage {
  return { ...body, term } as unknown as RaftMessage;
}

describe('§5.1 terms', () => {
  it('§5.1 a node starts as a follower in its persisted term', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 4, votedFor: 'n2' } } });
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 4, votedFor: 'n2', leaderId: null });
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
    ['beyond the safe integers', 2 ** 53],
    ['a string', '7'],
    ['missing', undefined],
  ])('§5.1 a message whose term is %s is dropped and logged', (_label, badTerm) => {
    const c = new Cluster(3, { nodes: { n1: { term: 2 } } });
    const before = c.status('n1');
    const deadline = c.node('n1').nextDeadline();
    const bodies: RaftMessage[] = [
      appendEntries({ term: 9, leader_id: 'n2', entries: entriesWithTerms([9]) }),
      requestVote({ term: 9, candidate_id: 'n2', last_log_index: 5, last_log_term: 5 }),
      voteResult(9, true),
      appendResult({ term: 9 }),
    ];
    for (const body of bodies) {
      c.now += 1;
      const out = c.receive('n1', 'n2', withTerm(body, badTerm));
      expect(out.messages).toEqual([]);
      expect(out.hardState).toBeNull();
      expect(out.logWrites).toEqual([]);
      expect(out.events.some((e) => e.level === 'warn' && e.text.includes(body.type))).toBe(true);
    }
    expect(c.status('n1')).toEqual(before);
    expect(c.node('n1').nextDeadline()).toBe(deadline);
  });

  it('§5.1 a follower seeing a higher term adopts it and forgets its vote', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 2, votedFor: 'n3' } } });
    const out = c.receive('n1', 'n2', appendEntries({ term: 5, leader_id: 'n2' }));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 5, votedFor: null, leaderId: 'n2' });
    expect(out.hardState).toEqual({ term: 5, votedFor: null });
    // The new leader is logged once (the bench report's election timeline reads this line).
    expect(out.events.filter((e) => e.text === 'recognized n2 as leader for term 5')).toHaveLength(1);
  });

  it('§5.1 a candidate seeing a higher term steps down to follower', () => {
    const c = new Cluster(3);
    c.fire('n1');
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 1 });
    c.receive('n1', 'n2', voteResult(3, false));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 3, votedFor: null });
  });

  it('§5.1 a leader seeing a higher term steps down to follower', () => {
    const c = new Cluster(3);
    c.elect('n1');
    c.receive('n1', 'n3', appendResult({ term: 4, success: false }));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 4, votedFor: null, leaderId: null });
  });

  it('§5.1 a leader deposed by a newer leader\'s AppendEntries follows it at once and logs it once', () => {
    const c = new Cluster(3);
    c.elect('n1');
    const out = c.receive('n1', 'n2', appendEntries({ term: 4, leader_id: 'n2', prev_log_index: 1, prev_log_term: 1 }));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: 4, leaderId: 'n2' });
    expect(out.events.map((e) => e.text).filter((t) => t.startsWith('stepped down') || t.startsWith('recognized'))).toEqual([
      'stepped down to follower, term 4 (saw term 4 from n2)',
      'recognized n2 as leader for term 4',
    ]);
  });

  it('§5.1 a higher term turns the node into a follower FIRST, then the message is processed as a follower', () => {
    // A leader never grants votes; it can grant this one only because it stepped down before handling it.
    const c = new Cluster(3);
    c.elect('n1');
    const n1 = c.status('n1');
    const out = c.receive('n1', 'n2', requestVote({ term: n1.term + 1, candidate_id: 'n2', last_log_index: n1.lastLogIndex, last_log_term: n1.lastLogTerm }));
    expect(c.status('n1')).toMatchObject({ role: 'follower', term: n1.term + 1, votedFor: 'n2' });
    expect(messagesOfType(out, 'request_vote_result')).toEqual([{ to: 'n2', body: voteResult(n1.term + 1, true) }]);

    // And a candidate hearing a higher-term leader steps down and then accepts its entries.
    const d = new Cluster(3);
    d.fire('n1');
    const appended = d.receive('n1', 'n2', appendEntries({ term: 3, leader_id: 'n2', entries: entriesWithTerms([3]) }));
    expect(d.status('n1')).toMatchObject({ role: 'follower', term: 3, leaderId: 'n2', lastLogIndex: 1 });
    expect(messagesOfType(appended, 'append_entries_result')[0]?.body).toMatchObject({ term: 3, success: true, match_index: 1 });
  });

  it('§5.1 terms only grow: stale messages never lower a term', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 6, votedFor: 'n1' } } });
    for (const body of [
      appendEntries({ term: 2, leader_id: 'n2' }),
      requestVote({ term: 5, candidate_id: 'n2', last_log_index: 9, last_log_term: 5 }),
      voteResult(1, true),
      appendResult({ term: 0 }),
    ]) {
      c.receive('n1', 'n2', body);
      expect(c.status('n1')).toMatchObject({ term: 6, votedFor: 'n1' });
    }
  });

  it('§5.1 a stale AppendEntries is rejected with the current term (and no round: §6.4), so the old leader learns it is stale', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 3 } } });
    const out = c.receive('n1', 'n2', appendEntries({ term: 2, leader_id: 'n2', prev_log_index: 0, entries: entriesWithTerms([2]), round: 7 }));
    expect(c.status('n1')).toMatchObject({ term: 3, lastLogIndex: 0, leaderId: null });
    expect(messagesOfType(out, 'append_entries_result')).toEqual([
      { to: 'n2', body: appendResult({ term: 3, success: false, match_index: 0, reject_index: 0, round: 0 }) },
    ]);
  });

  it('§5.1 a stale RequestVote is refused with the current term', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 3 } } });
    const out = c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2', last_log_index: 10, last_log_term: 2 }));
    expect(messagesOfType(out, 'request_vote_result')).toEqual([{ to: 'n2', body: voteResult(3, false) }]);
    expect(c.status('n1').votedFor).toBeNull();
  });

  it('§5.1 stale replies are ignored: an old-term vote does not elect, an old-term ack does not commit', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 1 } } });
    c.fire('n1'); // candidate in term 2
    const out = c.receive('n1', 'n2', voteResult(1, true));
    expect(c.status('n1')).toMatchObject({ role: 'candidate', term: 2 });
    expect(out.messages).toEqual([]);

    const d = new Cluster(3);
    d.elect('n1'); // term 1
    d.receive('n1', 'n2', appendEntries({ term: 2, leader_id: 'n2' })); // n1 deposed in term 2
    d.elect('n1'); // term 3: n1 leads again
    const index = (d.node('n1').propose('x') as { index: number }).index;
    d.collect('n1');
    d.drop();
    const commitBefore = d.status('n1').commitIndex;
    d.receive('n1', 'n2', appendResult({ term: 1, success: true, match_index: index }));
    expect(d.status('n1').commitIndex).toBe(commitBefore);
  });
});
