// §7 Log compaction (dissertation chapter 5): snapshots taken at a threshold, the log prefix
// discarded only once the snapshot is durable, and InstallSnapshot for followers that need entries
// the leader no longer holds (sent in chunks; the follower keeps a matching suffix, §7).
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/raft/types.ts';
import { Cluster, T, appendEntries, both, entriesWithTerms, from, installSnapshot, messagesOfType, ofType, to } from './harness.ts';

/** Proposes `count` commands on the leader and lets everything be delivered. */
function commit(c: Cluster, leader: string, count: number, prefix = 'c'): void {
  for (let i = 0; i < count; i++) {
    c.node(leader).propose(`${prefix}${i}`);
    c.collect(leader);
    c.stabilize();
  }
}

function terms(entries: readonly LogEntry[]): number[] {
  return entries.map((e) => e.term);
}

describe('§7 taking snapshots', () => {
  it('§7 the core asks for a snapshot once the applied log since the last one reaches the threshold', () => {
    const c = new Cluster(3, { config: { snapshotThreshold: 5 }, manualSnapshots: true });
    c.elect('n1'); // index 1: the leader's no-op
    commit(c, 'n1', 3);
    expect(c.snapshotRequests.get('n1') ?? []).toEqual([]);
    commit(c, 'n1', 1); // 5 entries applied
    expect(c.snapshotRequests.get('n1')).toEqual([{ index: 5, term: 1 }]);
    // Followers apply the same entries and snapshot on their own, at the same threshold.
    c.advance(T);
    expect(c.snapshotRequests.get('n2')).toEqual([{ index: 5, term: 1 }]);
  });

  it('§7 the log prefix is discarded only once the host reports the snapshot durable', () => {
    const c = new Cluster(3, { config: { snapshotThreshold: 5 }, manualSnapshots: true });
    c.elect('n1');
    commit(c, 'n1', 6); // 7 entries
    expect(c.status('n1')).toMatchObject({ snapshotIndex: 0, lastLogIndex: 7 });
    expect(c.outputs.get('n1')?.flatMap((o) => o.logWrites).some((w) => w.kind === 'compact')).toBe(false);
    const out = c.saveSnapshot('n1');
    // The compaction is a log write of its own, after the snapshot (the harness checks it is durable first).
    expect(out.logWrites).toEqual([{ kind: 'compact', snapshot: { index: 5, term: 1 }, entries: c.node('n1').logEntries() }]);
    expect(c.status('n1')).toMatchObject({ snapshotIndex: 5, lastLogIndex: 7, commitIndex: 7 });
    expect(c.node('n1').logEntries().map((e) => e.data)).toEqual([{ kind: 'command', command: 'c4' }, { kind: 'command', command: 'c5' }]);
    expect(c.persistedSnapshot('n1')).toMatchObject({ index: 5, term: 1 });
  });

  it('§7 a leader keeps the entries a follower it streams to has not acknowledged: a short lag needs no snapshot', () => {
    const c = new Cluster(3, { config: { snapshotThreshold: 5 } });
    c.elect('n1');
    commit(c, 'n1', 1); // index 2, everyone streaming (replicate) and matched
    c.isolate('n3'); // its acknowledgements stop; the leader still streams to it
    commit(c, 'n1', 4); // index 6: snapshot through 5
    expect(c.status('n1')).toMatchObject({ snapshotIndex: 5, lastLogIndex: 6 });
    expect(c.node('n1').logEntries().length).toBe(4); // 3..6 kept: n3 acknowledged only 2
    c.heal();
    c.advance(2 * T);
    expect(c.outputs.get('n3')?.some((o) => o.installSnapshot !== null)).toBe(false);
    expect(c.machine.get('n3')).toEqual(c.machine.get('n1'));
  });

  it('§7 a node restarts from its snapshot and the log after it: commit and applied start at the snapshot', () => {
    const c = new Cluster(3, { config: { snapshotThreshold: 4 } });
    c.elect('n1');
    commit(c, 'n1', 5); // 6 entries; snapshot at 4
    c.advance(T); // followers learn the last commit index
    const before = c.machine.get('n2');
    expect(before?.length).toBe(6);
    c.crash('n2');
    c.restart('n2');
    expect(c.status('n2')).toMatchObject({ snapshotIndex: 4, commitIndex: 4, appliedIndex: 4, lastLogIndex: 6 });
    expect(c.machine.get('n2')).toEqual(before?.slice(0, 4));
    c.advance(T); // the leader's heartbeat tells it the commit index: it applies 5 and 6 from its log
    expect(c.status('n2')).toMatchObject({ appliedIndex: 6 });
    expect(c.machine.get('n2')).toEqual(before);
  });
});

describe('§7 InstallSnapshot', () => {
  it('§7 a follower that needs compacted entries gets the snapshot, then the entries after it', () => {
    const c = new Cluster(3, { config: { snapshotThreshold: 5 } });
    c.elect('n1');
    c.crash('n3');
    commit(c, 'n1', 12); // 13 entries; snapshots at 5 and 10
    expect(c.status('n1').snapshotIndex).toBe(10);
    c.restart('n3');
    c.advance(T);
    const installs = c.outputs.get('n3')?.filter((o) => o.installSnapshot !== null) ?? [];
    expect(installs.map((o) => o.installSnapshot?.index)).toEqual([10]);
    expect(c.status('n3')).toMatchObject({ commitIndex: 13, appliedIndex: 13, lastLogIndex: 13 });
    expect(c.machine.get('n3')).toEqual(c.machine.get('n1'));
  });

  it('§7 the follower keeps the entries that follow a matching last included entry', () => {
    const c = new Cluster(3, { nodes: { n2: { term: 2, log: entriesWithTerms([1, 1, 2, 2, 2]) } } });
    const out = c.receive('n2', 'n1', installSnapshot({ term: 2, leader_id: 'n1', last_included_index: 3, last_included_term: 2, data: '[1,2,3]' }));
    expect(out.installSnapshot).toMatchObject({ index: 3, term: 2 });
    expect(c.status('n2')).toMatchObject({ snapshotIndex: 3, lastLogIndex: 5, commitIndex: 3, appliedIndex: 3 });
    expect(terms(c.node('n2').logEntries())).toEqual([2, 2]);
    expect(messagesOfType(out, 'install_snapshot_result')[0]?.body).toMatchObject({ done: true, last_included_index: 3 });
  });

  it('§7 otherwise the follower discards its whole log', () => {
    const c = new Cluster(3, { nodes: { n2: { term: 3, log: entriesWithTerms([1, 1, 2, 2, 2]) } } });
    // The leader's entry 3 is of term 3: n2's entries from 3 on conflict with the snapshot.
    const out = c.receive('n2', 'n1', installSnapshot({ term: 3, leader_id: 'n1', last_included_index: 3, last_included_term: 3, data: '[1,2,3]' }));
    expect(out.logWrites).toEqual([{ kind: 'compact', snapshot: { index: 3, term: 3 }, entries: [] }]);
    expect(c.status('n2')).toMatchObject({ snapshotIndex: 3, lastLogIndex: 3, lastLogTerm: 3, commitIndex: 3 });
    expect(c.node('n2').logEntries()).toEqual([]);
  });

  it('§7 a snapshot the follower already covers (committed) is ignored, and acknowledged', () => {
    const c = new Cluster(3, { config: { snapshotThreshold: 0 } });
    c.elect('n1');
    commit(c, 'n1', 6);
    c.advance(T); // n2 learns that all 7 are committed
    const log = c.node('n2').logEntries();
    const out = c.receive('n2', 'n1', installSnapshot({ term: 1, leader_id: 'n1', last_included_index: 5, last_included_term: 1 }));
    expect(out.installSnapshot).toBeNull();
    expect(out.logWrites).toEqual([]);
    expect(c.node('n2').logEntries()).toEqual(log);
    expect(c.status('n2')).toMatchObject({ snapshotIndex: 0, commitIndex: 7 });
    expect(messagesOfType(out, 'install_snapshot_result')[0]?.body).toMatchObject({ done: true, last_included_index: 5 });
  });

  it('§7 InstallSnapshot resets the election timer and names the leader, like AppendEntries', () => {
    const c = new Cluster(3, { nodes: { n2: { term: 2 } } });
    c.tick('n2', 50); // before its first timeout (T)
    const deadlineBefore = c.node('n2').nextDeadline();
    c.now = deadlineBefore - 1;
    c.receive('n2', 'n1', installSnapshot({ term: 2, leader_id: 'n1', last_included_index: 4, last_included_term: 2, data: '[]', done: false }));
    expect(c.node('n2').nextDeadline()).toBeGreaterThanOrEqual(c.now + T);
    expect(c.status('n2')).toMatchObject({ leaderId: 'n1', role: 'follower' });
    // And from a newer term, it makes a candidate step down, as AppendEntries does.
    const d = new Cluster(3, { nodes: { n2: { term: 2 } } });
    d.fire('n2');
    expect(d.status('n2').role).toBe('candidate');
    d.receive('n2', 'n1', installSnapshot({ term: 4, leader_id: 'n1', last_included_index: 4, last_included_term: 4, done: false }));
    expect(d.status('n2')).toMatchObject({ role: 'follower', term: 4, leaderId: 'n1' });
  });

  it('§7 a stale leader\'s InstallSnapshot is refused with the current term', () => {
    const c = new Cluster(3, { nodes: { n2: { term: 5 } } });
    const out = c.receive('n2', 'n1', installSnapshot({ term: 3, leader_id: 'n1', last_included_index: 4, last_included_term: 3 }));
    expect(out.installSnapshot).toBeNull();
    expect(messagesOfType(out, 'install_snapshot_result')[0]?.body).toMatchObject({ term: 5, done: false });
  });

  it('§7 a large snapshot travels in chunks, one at a time, and is installed only after the last', () => {
    const c = new Cluster(3, { config: { snapshotThreshold: 5, snapshotChunkSize: 16 } });
    c.elect('n1');
    c.isolate('n3');
    commit(c, 'n1', 9);
    c.heal();
    const snapshot = c.persistedSnapshot('n1');
    expect(snapshot?.data.length).toBeGreaterThan(64);
    c.fire('n1'); // a heartbeat: n3 needs compacted entries, so it gets the first chunk
    const chunks: { offset: number; done: boolean; data: string }[] = [];
    for (let guard = 0; guard < 100; guard++) {
      const sent = c.take(both(from('n1'), to('n3'), ofType('install_snapshot')));
      for (const e of sent) if (e.body.type === 'install_snapshot') chunks.push({ offset: e.body.offset, done: e.body.done, data: e.body.data });
      expect(sent.length).toBeLessThanOrEqual(1); // one chunk in flight at a time
      for (const e of sent) c.receive(e.to, e.from, e.body);
      if (chunks.at(-1)?.done === true) {
        expect(c.outputs.get('n3')?.at(-1)?.installSnapshot?.index).toBe(snapshot?.index);
        break;
      }
      expect(c.status('n3').snapshotIndex).toBe(0); // nothing installed before the last chunk
      c.stabilize(not_install_snapshot);
    }
    expect(chunks.length).toBeGreaterThan(4);
    expect(chunks.map((ch) => ch.offset)).toEqual(chunks.map((_, i) => i * 16));
    expect(chunks.map((ch) => ch.data).join('')).toBe(snapshot?.data);
    c.stabilize();
    expect(c.machine.get('n3')).toEqual(c.machine.get('n1'));
  });

  it('§7 a lost chunk is sent again with the next heartbeat', () => {
    const c = new Cluster(3, { config: { snapshotThreshold: 5, snapshotChunkSize: 16 } });
    c.elect('n1');
    c.isolate('n3');
    commit(c, 'n1', 9);
    c.heal();
    c.fire('n1');
    c.stabilize(not_install_snapshot);
    const first = c.take(ofType('install_snapshot'));
    expect(first.length).toBe(1); // lost
    c.advance(c.node('n1').nextDeadline() - c.now); // the heartbeat re-sends it; delivered, the rest follows
    c.advance(T);
    expect(c.status('n3').snapshotIndex).toBe(c.status('n1').snapshotIndex);
    expect(c.machine.get('n3')).toEqual(c.machine.get('n1'));
  });

  it('§7 after installing a snapshot a node commits, applies, and can lead and serve reads', () => {
    const c = new Cluster(3, { config: { snapshotThreshold: 5 } });
    c.elect('n1');
    c.crash('n3');
    commit(c, 'n1', 8);
    c.restart('n3');
    c.advance(T);
    expect(c.status('n3').snapshotIndex).toBeGreaterThan(0);
    commit(c, 'n1', 2, 'after');
    c.advance(T);
    expect(c.status('n3').appliedIndex).toBe(c.status('n1').commitIndex);
    // n1 goes; n3 (as up to date as n2) wins the next election and serves a read.
    c.crash('n1');
    c.elect('n3');
    commit(c, 'n3', 1, 'lead');
    c.node('n3').readIndex(42);
    c.collect('n3');
    c.stabilize();
    expect(c.reads.get('n3')?.find((r) => r.ctx === 42)).toMatchObject({ ok: true });
    expect(c.machine.get('n3')).toEqual(c.machine.get('n2'));
  });

  it('§7 an AppendEntries reaching back before the follower\'s snapshot is accepted from the snapshot on', () => {
    const c = new Cluster(3, { nodes: { n2: { term: 2, snapshot: { index: 4, term: 2, data: '[]' }, log: entriesWithTerms([2]) } } });
    const sent = entriesWithTerms([1, 2, 2, 2, 2, 2]).slice(2); // entries 3..6 (term 2)
    const out = c.receive('n2', 'n1', appendEntries({ term: 2, leader_id: 'n1', prev_log_index: 2, prev_log_term: 1, entries: sent, leader_commit: 6 }));
    expect(messagesOfType(out, 'append_entries_result')[0]?.body).toMatchObject({ success: true, match_index: 6 });
    expect(c.status('n2')).toMatchObject({ snapshotIndex: 4, lastLogIndex: 6, commitIndex: 6 });
  });
});

const not_install_snapshot = (e: { body: { type: string } }): boolean => e.body.type !== 'install_snapshot';
