// The simulator's parts on their own: they must be right before a whole-cluster run means anything.
import { describe, expect, it } from 'vitest';
import type { RaftStatus } from '../../src/raft/types.ts';
import { EventQueue } from './event-queue.ts';
import { FaultTally } from './fault-tally.ts';
import { SafetyMonitor, SimViolation } from './invariants.ts';
import { makeGrudge, type Grudge } from './partitions.ts';
import { Random } from '../../maelstrom/random.ts';
import { DurableDisk, SimHostStorage } from './storage.ts';

function hears(grudge: Grudge, receiver: number, sender: number): boolean {
  return !(grudge.get(receiver) ?? []).includes(sender);
}

function status(id: string, over: Partial<RaftStatus>): RaftStatus {
  return { id, role: 'follower', term: 1, votedFor: null, leaderId: null, commitIndex: 0, appliedIndex: 0, lastLogIndex: 0, lastLogTerm: 0, logLost: false, snapshotIndex: 0, configuration: { config: { voters: [id], learners: [] }, index: 0, committed: true, self: 'voter' }, ...over };
}

function violationKind(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof SimViolation) return err.kind;
    throw err;
  }
}

describe('Random', () => {
  it('replays the same stream from the same seed, and forks independently of draws', () => {
    const a = new Random(7);
    const b = new Random(7);
    const drawsA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(drawsA);
    const forkBefore = new Random(7).fork('x').next();
    expect(a.fork('x').next()).toBe(forkBefore); // forking does not depend on how much was drawn
    expect(new Random(8).next()).not.toBe(new Random(7).next());
  });
});

describe('EventQueue', () => {
  it('runs events by time, equal times in insertion order, and skips cancelled ones', () => {
    const q = new EventQueue();
    const order: string[] = [];
    q.schedule(5, 0, () => order.push('b'));
    q.schedule(1, 0, () => order.push('a'));
    q.schedule(5, 0, () => order.push('c'));
    q.schedule(3, 0, () => order.push('x')).cancelled = true;
    for (let e = q.pop(); e !== undefined; e = q.pop()) e.run();
    expect(order).toEqual(['a', 'b', 'c']);
  });
});

describe('partition shapes (Maelstrom nemesis)', () => {
  it('one: a single node cut off both ways', () => {
    const g = makeGrudge('one', 5, new Random(1));
    const isolated = [...g.entries()].find(([, senders]) => senders.length === 4)?.[0];
    expect(isolated).toBeDefined();
    for (let other = 0; other < 5; other++) if (other !== isolated) expect(g.get(other)).toEqual([isolated]);
  });

  it('majority: halves of floor(n/2) and the rest, cut both ways', () => {
    const g = makeGrudge('majority', 5, new Random(2));
    const sizes = [...g.values()].map((s) => s.length).sort();
    expect(sizes).toEqual([2, 2, 2, 3, 3]);
  });

  it('majorities-ring: with 5 nodes each hears exactly two peers, symmetric', () => {
    const g = makeGrudge('majorities-ring', 5, new Random(3));
    for (let r = 0; r < 5; r++) {
      const heard = [0, 1, 2, 3, 4].filter((s) => s !== r && hears(g, r, s));
      expect(heard).toHaveLength(2);
      for (const s of heard) expect(hears(g, s, r)).toBe(true);
    }
  });

  it('majorities-ring: with 3 nodes it is a one-way cycle (each hears one peer that cannot hear it back)', () => {
    const g = makeGrudge('majorities-ring', 3, new Random(4));
    for (let r = 0; r < 3; r++) {
      const heard = [0, 1, 2].filter((s) => s !== r && hears(g, r, s));
      expect(heard).toHaveLength(1);
      expect(hears(g, heard[0] as number, r)).toBe(false);
    }
  });
});

describe('simulated storage', () => {
  function storageFor(disk: DurableDisk, queue: EventQueue, seed: number, failProbability = 0, tally = new FaultTally()): SimHostStorage {
    return new SimHostStorage(disk, {
      queue,
      rng: new Random(seed),
      tally,
      nodeIndex: 0,
      now: () => 0,
      serviceLatency: () => 5,
      storeFaults: { failProbability, timeoutMs: 100 },
      onPromiseResolved: () => {},
      snapshotCrashChance: () => 0,
      onLogWrites: () => {},
    });
  }

  it('a failing store (slow-store profile) acknowledges a state only when the service holds it, whatever went wrong on the way', () => {
    const tally = new FaultTally();
    for (let seed = 1; seed <= 40; seed++) {
      const disk = new DurableDisk();
      const queue = new EventQueue();
      const storage = storageFor(disk, queue, seed, 0.6, tally);
      const tickets = [1, 2, 3].map((term) => storage.persistHardState({ term, votedFor: null }));
      let runs = 0;
      for (let e = queue.pop(); e !== undefined; e = queue.pop()) {
        e.run();
        runs++;
        // At every step: each durable ticket's state (or a newer one) is what the service holds.
        tickets.forEach((t, i) => {
          if (storage.isDurable(t)) expect(disk.hardState.term).toBeGreaterThanOrEqual(i + 1);
        });
      }
      expect(runs).toBeGreaterThan(0);
      expect(storage.isDurable(tickets[2] as number)).toBe(true);
      expect(disk.hardState.term).toBe(3);
    }
    // Every kind of failure happened.
    for (const kind of ['refused', 'lost', 'answer-lost']) expect(tally.toRecord()[`hard-state-write-${kind}`] ?? 0, kind).toBeGreaterThan(0);
  });

  it('a lost log is remembered by the disk until the node reports it caught up', () => {
    const disk = new DurableDisk();
    disk.log = [{ term: 1, data: { kind: 'noop' } }];
    disk.hardState = { term: 2, votedFor: 'n1' };
    disk.loseLog();
    expect(disk).toMatchObject({ log: [], logLost: true, hardState: { term: 2, votedFor: 'n1' } });
    const storage = storageFor(disk, new EventQueue(), 3);
    storage.logCaughtUp();
    expect(disk.logLost).toBe(false);
  });

  it('acknowledges hard state only after the service answers, and a restart reads only acknowledged state', () => {
    const disk = new DurableDisk();
    const queue = new EventQueue();
    const storage = storageFor(disk, queue, 1);
    const first = storage.persistHardState({ term: 3, votedFor: 'n1' });
    expect(storage.isDurable(first)).toBe(false);
    queue.pop()?.run();
    expect(storage.isDurable(first)).toBe(true);
    expect(disk.hardState).toEqual({ term: 3, votedFor: 'n1' });
    storage.persistHardState({ term: 4, votedFor: 'n2' });
    const second = storage.persistHardState({ term: 5, votedFor: null });
    // Crash before the write lands: whatever was not acknowledged may be lost (or have landed, but
    // never a state older than the acknowledged one).
    storage.crash();
    for (let e = queue.pop(); e !== undefined; e = queue.pop()) e.run();
    expect(storage.isDurable(second)).toBe(false);
    expect(disk.hardState.term).toBeGreaterThanOrEqual(3);
    expect(disk.hardState.term).toBeLessThanOrEqual(4);
  });

  it('applies log writes (truncate, append) to the durable log at once', () => {
    const disk = new DurableDisk();
    const storage = storageFor(disk, new EventQueue(), 2);
    const e = (term: number) => ({ term, data: { kind: 'noop' as const } });
    storage.appendLog([{ kind: 'append', firstIndex: 1, entries: [e(1), e(1), e(2)] }]);
    storage.appendLog([{ kind: 'truncate', fromIndex: 3 }, { kind: 'append', firstIndex: 3, entries: [e(3)] }]);
    expect(disk.log.map((x) => x.term)).toEqual([1, 1, 3]);
  });
});

describe('SafetyMonitor', () => {
  const ids = ['n0', 'n1', 'n2'];
  const noop = (term: number) => ({ term, data: { kind: 'noop' as const } });
  const write = (term: number, value: number) => ({ term, data: { kind: 'command' as const, command: { op: { type: 'write', key: 0, value } } } });

  it('catches two leaders in one term', () => {
    const m = new SafetyMonitor(ids);
    m.afterEvent(0, status('n0', { role: 'leader', term: 2 }));
    expect(violationKind(() => m.afterEvent(1, status('n1', { role: 'leader', term: 2 })))).toBe('election-safety');
  });

  it('catches two nodes applying different entries at one index', () => {
    const m = new SafetyMonitor(ids);
    m.onLogWrites(0, [{ kind: 'append', firstIndex: 1, entries: [write(1, 10)] }]);
    m.onLogWrites(1, [{ kind: 'append', firstIndex: 1, entries: [write(2, 20)] }]);
    m.afterEvent(0, status('n0', { term: 1, commitIndex: 1, appliedIndex: 1, lastLogIndex: 1 }));
    expect(violationKind(() => m.afterEvent(1, status('n1', { term: 2, commitIndex: 1, appliedIndex: 1, lastLogIndex: 1 })))).toBe('state-machine-safety');
  });

  it('catches logs that share an (index, term) but differ before it', () => {
    const m = new SafetyMonitor(ids);
    m.onLogWrites(0, [{ kind: 'append', firstIndex: 1, entries: [noop(1), noop(3)] }]);
    expect(violationKind(() => m.onLogWrites(1, [{ kind: 'append', firstIndex: 1, entries: [noop(2), noop(3)] }]))).toBe('log-matching');
  });

  it('catches a second vote in one term, and a term going back after a restart', () => {
    const m = new SafetyMonitor(ids);
    const grant = { type: 'request_vote_result' as const, term: 4, vote_granted: true, pre_vote: false };
    m.onSend(0, 'n1', grant, { term: 4, votedFor: 'n1' });
    expect(violationKind(() => m.onSend(0, 'n2', grant, { term: 4, votedFor: 'n2' }))).toBe('double-vote');
    expect(violationKind(() => m.onRestart(0, { hardState: { term: 3, votedFor: null }, log: [], snapshot: null }))).toBe('term-decreased-across-restart');
  });

  it('catches a message sent before its term was durable', () => {
    const m = new SafetyMonitor(ids);
    const append = { type: 'append_entries' as const, term: 5, leader_id: 'n0', prev_log_index: 0, prev_log_term: 0, entries: [], leader_commit: 0, round: 1 };
    expect(violationKind(() => m.onSend(0, 'n1', append, { term: 4, votedFor: null }))).toBe('sent-before-persisted');
  });

  it('catches a new leader missing an entry committed in an earlier term', () => {
    const m = new SafetyMonitor(ids);
    m.onLogWrites(0, [{ kind: 'append', firstIndex: 1, entries: [noop(1)] }]);
    m.afterEvent(0, status('n0', { role: 'leader', term: 1, commitIndex: 1, appliedIndex: 1, lastLogIndex: 1 }));
    expect(violationKind(() => m.afterEvent(1, status('n1', { role: 'leader', term: 2 })))).toBe('leader-completeness');
  });

  it('catches replies that contradict the applied state', () => {
    const m = new SafetyMonitor(ids);
    m.onLogWrites(0, [{ kind: 'append', firstIndex: 1, entries: [write(1, 10)] }]);
    m.afterEvent(0, status('n0', { role: 'leader', term: 1, commitIndex: 1, appliedIndex: 1, lastLogIndex: 1 }));
    const label = () => 'test op';
    expect(violationKind(() => m.checkRead(0, 10, 0, label))).toBeNull();
    expect(violationKind(() => m.checkRead(0, 11, 0, label))).toBe('reply-contradicts-state');
    expect(violationKind(() => m.checkRead(0, undefined, 1, label))).toBe('reply-contradicts-state'); // stale: 10 was committed before the read began
    expect(violationKind(() => m.checkAcknowledged(99, label))).toBe('reply-contradicts-state');
    expect(violationKind(() => m.checkRefused(10, label))).toBe('reply-contradicts-state');
  });
});
