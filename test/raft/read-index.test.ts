// Dissertation §6.4: ReadIndex. A leader serves a linearizable read only after (1) it has committed an
// entry of its own term, so its commit index is current, and (2) a heartbeat round sent after the read
// arrived is acknowledged by a majority, proving nobody has replaced it.
import { describe, expect, it } from 'vitest';
import { Cluster, HEARTBEAT, T, appendEntries, both, entriesWithTerms, from, messagesOfType, ofType, to, type Envelope } from './harness.ts';

describe('§6.4 ReadIndex', () => {
  it('§6.4 the leader answers only after a majority acknowledges a heartbeat round sent for the read', () => {
    const c = new Cluster(5);
    c.elect('n1');
    c.node('n1').readIndex(7);
    const out = c.collect('n1');
    expect(out.reads).toEqual([]);
    const beats = messagesOfType(out, 'append_entries');
    expect(beats.map((m) => m.to).sort()).toEqual(['n2', 'n3', 'n4', 'n5']);
    const round = beats[0]?.body.round ?? 0;
    for (const m of beats) expect(m.body.round).toBe(round);

    c.deliver(to('n2'));
    c.deliver(to('n1'));
    expect(c.reads.get('n1')).toEqual([]); // 2 of 5
    c.deliver(to('n3'));
    c.deliver(to('n1'));
    expect(c.reads.get('n1')).toEqual([{ ctx: 7, ok: true, index: 1 }]); // 3 of 5
  });

  it('§6.4 acknowledgements of a round sent before the read arrived do not confirm it', () => {
    const c = new Cluster(3);
    c.elect('n1');
    c.tick('n1', c.now + HEARTBEAT); // a round goes out...
    const early = c.take(from('n1'));
    c.node('n1').readIndex(1); // ...then the read arrives
    expect(c.collect('n1').messages).toEqual([]); // a round is already out: it waits for that one
    c.inFlight.push(...early);
    c.deliver(to('n2'));
    c.deliver(both(from('n2'), to('n1')));
    expect(c.reads.get('n1')).toEqual([]);
    // The early round's confirmation starts the read's own round; its acknowledgement answers.
    const earlyBody = early[0]?.body;
    const earlyRound = earlyBody?.type === 'append_entries' ? earlyBody.round : 0;
    const ownRound = c.inFlight.filter((e) => e.body.type === 'append_entries' && e.body.round > earlyRound);
    expect(ownRound.map((e) => e.to).sort()).toEqual(['n2', 'n3']);
    c.stabilize();
    expect(c.reads.get('n1')).toEqual([{ ctx: 1, ok: true, index: 1 }]);
  });

  it('§6.4 reads that arrive together share one round', () => {
    const c = new Cluster(3);
    c.elect('n1');
    for (const ctx of [1, 2, 3]) c.node('n1').readIndex(ctx);
    expect(messagesOfType(c.collect('n1'), 'append_entries').length).toBe(2);
    c.stabilize();
    expect(c.reads.get('n1')?.map((r) => r.ctx)).toEqual([1, 2, 3]);
  });

  it('§6.4 no read is served before the leader commits an entry of its own term; then at that index', () => {
    // n1 holds two entries of term 1 whose commitment it does not know; it wins term 2.
    const c = new Cluster(3, { nodes: { n1: { term: 1, log: entriesWithTerms([1, 1]) }, n2: { term: 1, log: entriesWithTerms([1, 1]) } } });
    c.fire('n1');
    c.stabilize(ofType('request_vote'));
    c.stabilize(ofType('request_vote_result'));
    expect(c.status('n1')).toMatchObject({ role: 'leader', term: 2, commitIndex: 0 });
    c.node('n1').readIndex(5);
    c.collect('n1');
    // n3 (empty log) rejects the no-op's AppendEntries, which still proves n1 leads (n1 + n3 is a
    // majority); yet the read waits, because the no-op is not committed.
    c.drop(to('n2'));
    c.deliver(both(from('n1'), to('n3')));
    c.deliver(both(from('n3'), to('n1')));
    expect(c.node('n3').status()).toMatchObject({ term: 2, leaderId: 'n1', lastLogIndex: 0 });
    expect(c.reads.get('n1')).toEqual([]);
    c.drop();
    c.tick('n1', c.now + HEARTBEAT);
    c.stabilize();
    expect(c.status('n1').commitIndex).toBe(3);
    expect(c.reads.get('n1')).toEqual([{ ctx: 5, ok: true, index: 3 }]);
  });

  it('§6.4 a follower refuses a read at once and names the leader it knows', () => {
    const c = new Cluster(3);
    c.elect('n1');
    c.node('n2').readIndex(9);
    expect(c.collect('n2').reads).toEqual([{ ctx: 9, ok: false, reason: 'not the leader', leaderId: 'n1' }]);
    // A candidate knows no leader.
    c.fire('n3');
    c.node('n3').readIndex(10);
    expect(c.collect('n3').reads).toEqual([{ ctx: 10, ok: false, reason: 'not the leader', leaderId: null }]);
  });

  it('§6.4 a deposed leader fails its pending reads (confirmed or not), naming the new leader', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 1, log: entriesWithTerms([1]) } } });
    c.fire('n1');
    c.stabilize(ofType('request_vote'));
    c.stabilize(ofType('request_vote_result'));
    c.node('n1').readIndex(1); // waits for the first commit of its term
    c.collect('n1');
    c.drop();
    c.tick('n1', c.now + HEARTBEAT);
    c.stabilize();
    c.node('n1').readIndex(2); // waits for its heartbeat round
    c.collect('n1');
    c.drop();
    expect(c.reads.get('n1')).toEqual([{ ctx: 1, ok: true, index: 2 }]);
    const out = c.receive('n1', 'n2', appendEntries({ term: 9, leader_id: 'n2', prev_log_index: 2, prev_log_term: 2 }));
    expect(out.reads).toEqual([{ ctx: 2, ok: false, reason: 'lost leadership', leaderId: 'n2' }]);
  });

  it('§6.4 reads waiting for the first commit also fail when the leader steps down by check-quorum', () => {
    const c = new Cluster(3, { config: { checkQuorum: true } });
    c.fire('n1');
    c.stabilize(ofType('request_vote'));
    c.stabilize(ofType('request_vote_result'));
    c.drop();
    c.node('n1').readIndex(4);
    c.collect('n1');
    c.crash('n2');
    c.crash('n3');
    c.advance(2 * T);
    expect(c.status('n1').role).not.toBe('leader');
    expect(c.reads.get('n1')).toEqual([{ ctx: 4, ok: false, reason: 'lost leadership', leaderId: null }]);
  });

  it('§6.4 a straggler reply to the previous process of the leader cannot confirm a read of the new one', () => {
    // n1 leads term 1 and sends several heartbeat rounds; its AppendEntries to n2 are delayed.
    const c = new Cluster(3);
    c.elect('n1');
    const oldRounds: Envelope[] = [];
    for (let i = 0; i < 5; i++) {
      c.tick('n1', c.now + HEARTBEAT);
      oldRounds.push(...c.take(both(from('n1'), to('n2'))));
      c.stabilize();
    }
    // n1 crashes and restarts; its rounds count from 0 again. It wins term 2 and commits its no-op.
    c.crash('n1');
    c.restart('n1');
    c.elect('n1');
    expect(c.status('n1')).toMatchObject({ role: 'leader', term: 2 });
    c.node('n1').readIndex(1);
    const readRound = messagesOfType(c.collect('n1'), 'append_entries')[0]?.body.round ?? 0;
    c.drop(); // the read's own round never arrives anywhere
    // n2 now gets the old process's AppendEntries with exactly that round number, answers it with
    // its current term 2, and the answer reaches the new leader.
    const straggler = oldRounds.find((e) => e.body.type === 'append_entries' && e.body.round === readRound);
    expect(straggler).toBeDefined();
    c.inFlight.push(straggler as Envelope);
    c.deliver(to('n2'));
    const answers = c.take(both(from('n2'), to('n1')));
    expect(answers.map((e) => e.body)).toMatchObject([{ type: 'append_entries_result', term: 2, success: false }]);
    c.inFlight.push(...answers);
    c.deliver();
    expect(c.reads.get('n1')).toEqual([]); // the new leader has no proof yet that it still leads
    // A real round trip of its own term confirms it.
    c.tick('n1', c.now + HEARTBEAT);
    c.stabilize();
    expect(c.reads.get('n1')).toEqual([{ ctx: 1, ok: true, index: c.status('n1').commitIndex }]);
  });

  it('§6.4 a single-node leader confirms reads by itself', () => {
    const c = new Cluster(1);
    c.tick('n1');
    c.node('n1').readIndex(3);
    expect(c.collect('n1').reads).toEqual([{ ctx: 3, ok: true, index: 1 }]);
  });
});
