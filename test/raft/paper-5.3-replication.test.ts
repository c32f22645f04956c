// §5.3 Log replication: the AppendEntries consistency check, conflict repair, commitment, and the
// fast back-off that lets a leader find the point where a divergent log matches its own (Figure 7).
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/raft/types.ts';
import { Cluster, appendEntries, appendResult, between, both, entriesWithTerms, from, messagesOfType, not, ofType, to } from './harness.ts';

function terms(entries: readonly LogEntry[]): number[] {
  return entries.map((e) => e.term);
}

describe('§5.3 leader side', () => {
  it('§5.3 a proposal is appended to the leader log and sent to every follower with prevLogIndex/prevLogTerm', () => {
    const c = new Cluster(3);
    c.elect('n1');
    const result = c.node('n1').propose({ op: 'x' });
    expect(result).toEqual({ ok: true, index: 2, term: 1 });
    const out = c.collect('n1');
    expect(out.logWrites).toEqual([{ kind: 'append', firstIndex: 2, entries: [{ term: 1, data: { kind: 'command', command: { op: 'x' } } }] }]);
    const sent = messagesOfType(out, 'append_entries');
    expect(sent.map((m) => m.to).sort()).toEqual(['n2', 'n3']);
    for (const m of sent) {
      expect(m.body).toMatchObject({ term: 1, prev_log_index: 1, prev_log_term: 1, leader_commit: 1 });
      expect(m.body.entries).toEqual([{ term: 1, data: { kind: 'command', command: { op: 'x' } } }]);
    }
  });

  it('§5.3 a follower refuses proposals and names the leader it knows', () => {
    const c = new Cluster(3);
    c.elect('n1');
    expect(c.node('n2').propose('x')).toEqual({ ok: false, leaderId: 'n1', transferringTo: null });
  });

  it('§5.3 an entry is committed once a majority stores it; the leader applies it once; followers learn it from leader_commit', () => {
    const c = new Cluster(5);
    c.elect('n1');
    c.node('n1').propose('x');
    c.collect('n1');
    // Only n2 answers: 2 of 5 is no majority.
    c.deliver(to('n2'));
    c.deliver(both(from('n2'), to('n1')));
    expect(c.status('n1').commitIndex).toBe(1);
    // n3 answers: 3 of 5.
    c.deliver(to('n3'));
    const out = c.deliver(both(from('n3'), to('n1')));
    expect(out).toBe(1);
    expect(c.status('n1').commitIndex).toBe(2);
    expect(c.lastOutput('n1').committed).toEqual([{ index: 2, term: 1, data: { kind: 'command', command: 'x' } }]);
    // n2 knows only once the leader tells it.
    expect(c.status('n2').commitIndex).toBe(1);
    c.tick('n1', c.now + 1000); // heartbeat
    c.stabilize();
    for (const id of c.ids) expect(c.applied.get(id)?.map((e) => e.index)).toEqual([1, 2]);
  });

  it('§5.3 committing an entry commits every entry before it (Log Matching)', () => {
    const c = new Cluster(3);
    c.elect('n1');
    for (const cmd of ['a', 'b', 'c']) c.node('n1').propose(cmd);
    c.collect('n1');
    c.stabilize();
    expect(c.applied.get('n1')?.map((e) => e.index)).toEqual([1, 2, 3, 4]);
  });
});

describe('§5.3 follower side: the consistency check', () => {
  // Follower log: terms [1, 1, 2] at indexes 1..3, in term 2.
  const cases: { name: string; prevIndex: number; prevTerm: number; success: boolean; conflictIndex?: number; conflictTerm?: number | null }[] = [
    { name: 'empty prefix always matches', prevIndex: 0, prevTerm: 0, success: true },
    { name: 'matching entry in the middle', prevIndex: 2, prevTerm: 1, success: true },
    { name: 'matching last entry', prevIndex: 3, prevTerm: 2, success: true },
    { name: 'term mismatch at prevLogIndex', prevIndex: 3, prevTerm: 3, success: false, conflictIndex: 3, conflictTerm: 2 },
    { name: 'term mismatch inside a run', prevIndex: 2, prevTerm: 2, success: false, conflictIndex: 1, conflictTerm: 1 },
    { name: 'prevLogIndex beyond the log', prevIndex: 5, prevTerm: 2, success: false, conflictIndex: 4, conflictTerm: null },
  ];
  for (const k of cases) {
    it(`§5.3 ${k.name}: ${k.success ? 'accepted' : `rejected with hint index ${k.conflictIndex}, term ${k.conflictTerm}`}`, () => {
      const c = new Cluster(3, { nodes: { n1: { term: 2, log: entriesWithTerms([1, 1, 2]) } } });
      const out = c.receive('n1', 'n2', appendEntries({ term: 2, leader_id: 'n2', prev_log_index: k.prevIndex, prev_log_term: k.prevTerm }));
      const reply = messagesOfType(out, 'append_entries_result')[0]?.body;
      expect(reply).toMatchObject({ term: 2, success: k.success, reject_index: k.prevIndex });
      if (k.success) expect(reply?.match_index).toBe(k.prevIndex);
      else expect(reply).toMatchObject({ conflict_index: k.conflictIndex, conflict_term: k.conflictTerm });
      if (!k.success) expect(c.status('n1').lastLogIndex).toBe(3);
    });
  }
});

describe('§5.3 follower side: deleting conflicts and appending', () => {
  const cases: { name: string; prevIndex: number; prevTerm: number; sent: number[]; want: number[]; writes: string[] }[] = [
    { name: 'appends after a matching prefix', prevIndex: 3, prevTerm: 2, sent: [3, 3], want: [1, 1, 2, 3, 3], writes: ['append@4'] },
    { name: 'deletes a conflicting suffix and appends', prevIndex: 1, prevTerm: 1, sent: [3], want: [1, 3], writes: ['truncate@2', 'append@2'] },
    { name: 'keeps entries it already has (a duplicate or reordered message)', prevIndex: 0, prevTerm: 0, sent: [1, 1], want: [1, 1, 2], writes: [] },
    { name: 'keeps matching entries and replaces from the first conflict', prevIndex: 1, prevTerm: 1, sent: [1, 4, 4], want: [1, 1, 4, 4], writes: ['truncate@3', 'append@3'] },
  ];
  for (const k of cases) {
    it(`§5.3 ${k.name}`, () => {
      const c = new Cluster(3, { nodes: { n1: { term: 4, log: entriesWithTerms([1, 1, 2]) } } });
      const sent = k.sent.map((term, i) => ({ term, data: { kind: 'command' as const, command: `new${k.prevIndex + 1 + i}` } }));
      const out = c.receive('n1', 'n2', appendEntries({ term: 4, leader_id: 'n2', prev_log_index: k.prevIndex, prev_log_term: k.prevTerm, entries: sent }));
      expect(terms(c.node('n1').logEntries())).toEqual(k.want);
      expect(out.logWrites.map((w) => (w.kind === 'truncate' ? `truncate@${w.fromIndex}` : w.kind === 'append' ? `append@${w.firstIndex}` : 'compact'))).toEqual(k.writes);
      expect(messagesOfType(out, 'append_entries_result')[0]?.body).toMatchObject({ success: true, match_index: k.prevIndex + k.sent.length });
    });
  }

  it('§5.3 commit index is learned from leader_commit, capped at the last new entry', () => {
    // The follower holds a stale uncommitted tail (term 2); the leader says commit 5 but sent only up to 2.
    const c = new Cluster(3, { nodes: { n1: { term: 3, log: entriesWithTerms([1, 1, 2, 2]) } } });
    const out = c.receive('n1', 'n2', appendEntries({ term: 3, leader_id: 'n2', prev_log_index: 1, prev_log_term: 1, entries: entriesWithTerms([1, 1]).slice(1), leader_commit: 5 }));
    expect(c.status('n1').commitIndex).toBe(2);
    expect(out.committed.map((e) => e.index)).toEqual([1, 2]);
    // A heartbeat that reaches further commits further, and never re-emits entries.
    const later = c.receive('n1', 'n2', appendEntries({ term: 3, leader_id: 'n2', prev_log_index: 4, prev_log_term: 2, leader_commit: 3 }));
    expect(later.committed.map((e) => e.index)).toEqual([3]);
    // A stale, smaller leader_commit never moves it back.
    c.receive('n1', 'n2', appendEntries({ term: 3, leader_id: 'n2', prev_log_index: 0, prev_log_term: 0, leader_commit: 1 }));
    expect(c.status('n1').commitIndex).toBe(3);
  });

  it('§5.3 committed entries are emitted exactly once, in order, despite duplicated and reordered messages', () => {
    const c = new Cluster(3);
    c.elect('n1');
    for (let i = 0; i < 5; i++) {
      c.node('n1').propose(`c${i}`);
      c.collect('n1');
    }
    // Deliver every message twice and the second copy of each batch in reverse order.
    for (let round = 0; round < 20 && c.inFlight.length > 0; round++) {
      const batch = c.take();
      c.inFlight.push(...batch, ...batch.slice().reverse());
      c.deliver();
    }
    c.tick('n1', c.now + 1000);
    c.stabilize();
    for (const id of c.ids) {
      expect(c.applied.get(id)?.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(c.applied.get(id)?.slice(1).map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((i) => ({ kind: 'command', command: `c${i}` })));
    }
    expect(c.safetyViolations).toEqual([]);
  });
});

describe('§5.3 Figure 7: a new leader brings any follower log in line with its own', () => {
  // The leader's log of Figure 7 (terms of indexes 1..10); it is elected in term 8.
  const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const followers: Record<string, number[]> = {
    a: [1, 1, 1, 4, 4, 5, 5, 6, 6], // missing entries
    b: [1, 1, 1, 4],
    c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], // an extra uncommitted entry
    d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    e: [1, 1, 1, 4, 4, 4, 4], // missing and extra entries
    f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  };
  for (const [name, followerLog] of Object.entries(followers)) {
    it(`§5.3 TestLeaderSyncFollowerLog (${name}): the follower converges to the leader's log within 3 round trips`, () => {
      // n1 is the leader-to-be; n2 the Figure 7 follower; n3 an empty node whose vote elects n1.
      const c = new Cluster(3, {
        nodes: { n1: { term: 7, log: entriesWithTerms(leaderLog) }, n2: { term: 7, log: entriesWithTerms(followerLog) }, n3: { term: 7 } },
      });
      c.fire('n1');
      c.stabilize(to('n3'));
      c.stabilize(both(from('n3'), to('n1')));
      expect(c.status('n1')).toMatchObject({ role: 'leader', term: 8 });
      // From here on only n1 and n2 talk; n2's vote was not needed.
      c.drop(not(between('n1', 'n2')));
      c.drop(ofType('request_vote'));

      let roundTrips = 0;
      while (c.inFlight.some(both(from('n1'), to('n2'), ofType('append_entries')))) {
        roundTrips++;
        c.deliver(both(from('n1'), to('n2')));
        c.deliver(both(from('n2'), to('n1')));
        c.drop(not(between('n1', 'n2')));
        if (roundTrips > 20) break;
      }
      expect(c.node('n2').logEntries()).toEqual(c.node('n1').logEntries());
      expect(terms(c.node('n1').logEntries())).toEqual([...leaderLog, 8]);
      // One-entry-at-a-time back-off would need up to 8 round trips here (follower f).
      expect(roundTrips).toBeLessThanOrEqual(3);
      // n1 and n2 now hold the term-8 no-op: a majority, so it and everything before it commit.
      expect(c.status('n1').commitIndex).toBe(11);
    });
  }
});

describe('§5.3 AppendEntries results', () => {
  it('§5.3 a leader ignores a success claim beyond its own log', () => {
    const c = new Cluster(3);
    c.elect('n1');
    const out = c.receive('n1', 'n2', appendResult({ term: 1, success: true, match_index: 50 }));
    expect(out.events.some((e) => e.level === 'warn')).toBe(true);
    expect(c.status('n1').commitIndex).toBe(1);
  });
});
