// The host's fail-stop policy (src/host/fatal.ts): an exception on any path into the core or the
// storage (a message, a client request, the deferred drain, a tick, a durable hard state) stops the
// host and is reported exactly once through env.fatal; nothing is sent afterwards.
import { describe, expect, it } from 'vitest';
import { exitProcessOnFatal, FATAL_EXIT_CODE, fatalText } from '../../src/host/fatal.ts';
import { MemoryStorage, RaftHost, type HostEnvironment, type HostStorage } from '../../src/host/raft-host.ts';
import { Logger } from '../../src/logger.ts';
import { RaftInvariantError } from '../../src/raft/node.ts';
import type { RaftMessage } from '../../src/raft/types.ts';

/** A host on hand-driven time: deferred work and timers run only when the test says so. */
function harness(storage: HostStorage) {
  const deferred: (() => void)[] = [];
  const timers = new Map<number, { fn: () => void; at: number }>();
  let nextTimer = 1;
  let now = 0;
  const sent: { to: string; body: RaftMessage }[] = [];
  const fatals: { context: string; err: unknown }[] = [];
  const control = { failSends: false };
  const env: HostEnvironment = {
    now: () => now,
    setTimer: (fn, ms) => {
      timers.set(nextTimer, { fn, at: now + ms });
      return nextTimer++;
    },
    clearTimer: (handle) => timers.delete(handle as number),
    defer: (fn) => deferred.push(fn),
    sendPeer: (to, body) => {
      if (control.failSends) throw new Error('write EPIPE');
      sent.push({ to, body });
    },
    forward: () => Promise.resolve('timeout'),
    log: () => {},
    fatal: (context, err) => fatals.push({ context, err }),
  };
  const host = new RaftHost({
    raft: { id: 'n1', nodeIds: ['n1', 'n2', 'n3'], electionTimeoutMinMs: 100, electionTimeoutMaxMs: 200, heartbeatIntervalMs: 20, preVote: false, checkQuorum: false, maxEntriesPerMessage: 10, maxInflightMessages: 2, snapshotThreshold: 0, snapshotChunkSize: 1024, random: () => 0 },
    persisted: { hardState: { term: 1, votedFor: null }, entries: [] },
    storage,
    env,
  });
  const runDeferred = () => {
    while (deferred.length > 0) deferred.shift()?.();
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers]) {
      if (t.at <= now) {
        timers.delete(id);
        t.fn();
      }
    }
    runDeferred();
  };
  return { host, sent, fatals, control, runDeferred, advance, pendingTimers: () => timers.size };
}

/** Everything durable at once, except that log writes fail (as an fsync error would) when told to. */
class FailingStorage extends MemoryStorage {
  failAppends = false;
  override appendLog(): void {
    if (this.failAppends) throw new Error('EIO: i/o error, fsync');
  }
}

const entries = (terms: number[]) => terms.map((term) => ({ term, data: { kind: 'noop' as const } }));
const append = (fields: Partial<Extract<RaftMessage, { type: 'append_entries' }>>): RaftMessage => ({
  type: 'append_entries', term: 1, leader_id: 'n2', prev_log_index: 0, prev_log_term: 0, entries: [], leader_commit: 0, round: 1, ...fields,
});

describe('host fail-stop', () => {
  it('a failed log write (fsync error) in the deferred drain stops the host before the acknowledgement leaves', () => {
    const storage = new FailingStorage();
    const h = harness(storage);
    storage.failAppends = true;
    h.host.stepPeer('n2', append({ entries: entries([1]) }));
    h.runDeferred();
    expect(h.fatals).toHaveLength(1);
    expect(h.fatals[0]?.context).toMatch(/persisting and sending/);
    expect(String(h.fatals[0]?.err)).toMatch(/EIO/);
    expect(h.sent).toEqual([]); // the entry is not durable: no success may be reported
    // Stopped for good: no more messages, no timers left, no second report.
    h.host.stepPeer('n2', append({ entries: entries([1]) }));
    h.advance(1000);
    expect(h.sent).toEqual([]);
    expect(h.fatals).toHaveLength(1);
    expect(h.pendingTimers()).toBe(0);
  });

  it('a broken core invariant while handling a message is reported with the message that caused it', () => {
    const h = harness(new FailingStorage());
    h.host.stepPeer('n2', append({ entries: entries([1]), leader_commit: 1 }));
    h.runDeferred();
    expect(h.host.status().commitIndex).toBe(1);
    // Another "leader" of a later term rewrites the committed index 1: Raft's safety is already lost.
    h.host.stepPeer('n3', append({ term: 2, leader_id: 'n3', entries: entries([2]) }));
    expect(h.fatals).toHaveLength(1);
    expect(h.fatals[0]?.context).toBe('handling append_entries from n3');
    expect(h.fatals[0]?.err).toBeInstanceOf(RaftInvariantError);
    const before = h.sent.length;
    h.advance(1000);
    expect(h.sent.length).toBe(before);
  });

  it('a failure on the timer path (the election timeout\'s campaign cannot be sent) is reported as such', () => {
    const h = harness(new FailingStorage());
    h.runDeferred();
    h.control.failSends = true;
    h.advance(250);
    expect(h.fatals).toHaveLength(1);
    expect(h.fatals[0]?.context).toBe('ticking');
    expect(String(h.fatals[0]?.err)).toMatch(/EPIPE/);
  });
});

describe('exitProcessOnFatal (what the node processes do)', () => {
  it('writes one FATAL line naming what broke, the stack under it, and exits with the fail-stop code, once', () => {
    const lines: string[] = [];
    const exits: number[] = [];
    const logger = new Logger('warn', () => ({ node: 'n1', role: 'leader', term: 3 }), (l) => lines.push(l));
    const fatal = exitProcessOnFatal(logger, (code) => exits.push(code));
    fatal('persisting and sending the core\'s output', new Error('EIO: i/o error, fsync'));
    fatal('again', new Error('second'));
    expect(lines[0]).toMatch(/^\S+ n1 \[leader t3\] FATAL persisting and sending the core's output: EIO: i\/o error, fsync; stopping\n$/);
    expect(lines[1]).toMatch(/^ {4}Error: EIO/);
    expect(lines).toHaveLength(2);
    expect(exits).toEqual([FATAL_EXIT_CODE]);
    expect(fatalText('x', 'plain')).toBe('x: plain; stopping');
  });
});
