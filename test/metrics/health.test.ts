// /health's decision: a leader known, and applied within one snapshot threshold of what this node
// knows to be committed. The catching-up case runs a real RaftHost follower that hears a leader's
// commit index before it holds the entries (as a node restarted far behind does).
import { describe, expect, it } from 'vitest';
import { MemoryStorage, RaftHost } from '../../src/host/raft-host.ts';
import { healthOf } from '../../src/metrics/health.ts';
import { RaftMetrics } from '../../src/metrics/raft-metrics.ts';
import type { LogEntry, RaftStatus } from '../../src/raft/types.ts';

const FOLLOWER: RaftStatus = {
  id: 'n2', role: 'follower', term: 3, votedFor: 'n1', leaderId: 'n1', commitIndex: 100, appliedIndex: 100, lastLogIndex: 100, lastLogTerm: 3, logLost: false, snapshotIndex: 0,
  configuration: { config: { voters: ['n1', 'n2', 'n3'], learners: [] }, index: 0, committed: true, self: 'voter' },
};

describe('healthOf', () => {
  it('is healthy with a leader and everything known committed applied', () => {
    expect(healthOf({ status: FOLLOWER, knownCommitIndex: 100, snapshotThreshold: 10 })).toEqual({ healthy: true });
  });

  it('says there is no leader, naming the role and term', () => {
    const h = healthOf({ status: { ...FOLLOWER, role: 'precandidate', leaderId: null }, knownCommitIndex: 100, snapshotThreshold: 10 });
    expect(h).toEqual({ healthy: false, reason: 'no leader (this node is precandidate in term 3)' });
  });

  it('tolerates up to one snapshot threshold of lag, not more', () => {
    expect(healthOf({ status: FOLLOWER, knownCommitIndex: 110, snapshotThreshold: 10 }).healthy).toBe(true);
    const h = healthOf({ status: FOLLOWER, knownCommitIndex: 111, snapshotThreshold: 10 });
    expect(h.healthy).toBe(false);
    expect(h.healthy ? '' : h.reason).toMatch(/^catching up: applied through 100, 111 known committed \(11 behind/);
  });

  it('allows the default threshold of lag when snapshots are off (--snapshot-threshold 0)', () => {
    expect(healthOf({ status: FOLLOWER, knownCommitIndex: 150, snapshotThreshold: 0 }).healthy).toBe(true);
    const h = healthOf({ status: FOLLOWER, knownCommitIndex: 10_101, snapshotThreshold: 0 });
    expect(h.healthy ? '' : h.reason).toMatch(/10001 behind, more than 10000 \(snapshots are off\)\)$/);
  });

  it('is unhealthy while starting and while a lost log is being caught up', () => {
    expect(healthOf({ status: null, knownCommitIndex: 0, snapshotThreshold: 10 })).toEqual({ healthy: false, reason: 'starting up' });
    expect(healthOf({ status: { ...FOLLOWER, logLost: true }, knownCommitIndex: 100, snapshotThreshold: 10 }).healthy).toBe(false);
  });
});

describe('a follower catching up (RaftHost with the metrics observer)', () => {
  it('is unhealthy once a leader says it committed far ahead, and healthy again when the entries are applied', () => {
    const metrics = new RaftMetrics('n2', ['n1', 'n3']);
    const deferred: (() => void)[] = [];
    const host = new RaftHost({
      raft: {
        id: 'n2', nodeIds: ['n1', 'n2', 'n3'], electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 2000, heartbeatIntervalMs: 100,
        preVote: true, checkQuorum: true, maxEntriesPerMessage: 500, maxInflightMessages: 4, snapshotThreshold: 0, snapshotChunkSize: 64 * 1024, random: () => 0.5,
      },
      persisted: { hardState: { term: 0, votedFor: null }, entries: [] },
      storage: new MemoryStorage(),
      env: {
        now: () => 0,
        setTimer: () => null,
        clearTimer: () => {},
        defer: (fn) => deferred.push(fn),
        sendPeer: () => {},
        forward: () => Promise.resolve('timeout'),
        log: () => {},
        fatal: (context, err) => {
          throw new Error(`fail-stop while ${context}: ${String(err)}`);
        },
      },
      observer: metrics,
    });
    const settle = (): void => {
      while (deferred.length > 0) deferred.shift()?.();
    };
    const health = (): ReturnType<typeof healthOf> => healthOf({ status: host.status(), knownCommitIndex: metrics.highestLeaderCommit, snapshotThreshold: 10 });
    const base = { type: 'append_entries', term: 1, leader_id: 'n1', round: 1 } as const;

    // A heartbeat that does not match our (empty) log: we learn the leader and its commit index, nothing more.
    host.stepPeer('n1', { ...base, prev_log_index: 50, prev_log_term: 1, entries: [], leader_commit: 50 });
    settle();
    expect(host.status().leaderId).toBe('n1');
    expect(host.status().appliedIndex).toBe(0);
    expect(health()).toEqual({ healthy: false, reason: 'catching up: applied through 0, 50 known committed (50 behind, more than the snapshot threshold 10)' });

    const entries: LogEntry[] = Array.from({ length: 50 }, () => ({ term: 1, data: { kind: 'noop' } }));
    host.stepPeer('n1', { ...base, round: 2, prev_log_index: 0, prev_log_term: 0, entries, leader_commit: 50 });
    settle();
    expect(host.status().appliedIndex).toBe(50);
    expect(health()).toEqual({ healthy: true });
    host.stop();
  });
});
