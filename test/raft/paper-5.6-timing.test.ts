// §5.6 "Timing and availability": broadcastTime << electionTimeout << MTBF. The host measures the
// network and hands the core new timing (setTiming); the core never reads a clock. Followers follow
// the heartbeat interval their leader announces, so one node's estimate cannot start an election
// against a healthy leader.
import { describe, expect, it } from 'vitest';
import { HEARTBEATS_PER_TIMEOUT, RaftNode } from '../../src/raft/node.ts';
import type { RaftConfig } from '../../src/raft/types.ts';
import { Cluster, T, appendEntries, messagesOfType, requestVote, type Envelope } from './harness.ts';

const slow = { electionTimeoutMinMs: 600, electionTimeoutMaxMs: 1200, heartbeatIntervalMs: 200, checkQuorumWindowMs: 900, persistAllowanceMs: 0, roundTripAllowanceMs: 0, retransmitAfterMs: 600 };

describe('§5.6 timing from the host', () => {
  it('§5.6 a leader heartbeats at the interval it was given and announces it in AppendEntries', () => {
    const c = new Cluster(3);
    c.elect('n1');
    c.node('n1').setTiming(slow);
    c.advance(20); // the heartbeat due under the old interval goes out; the next is 200 ms later
    const before = c.outputs.get('n1')?.length ?? 0;
    c.advance(1000);
    const beats = (c.outputs.get('n1') ?? []).slice(before).flatMap((o) => messagesOfType(o, 'append_entries'));
    expect(beats.length).toBe(2 * 5); // two followers, one heartbeat every 200 ms
    for (const b of beats) expect(b.body.heartbeat_ms).toBe(200);
  });

  it('§5.6 a follower waits at least HEARTBEATS_PER_TIMEOUT announced heartbeats, whatever its own timing', () => {
    const c = new Cluster(3, { config: { random: () => 0 } });
    c.receive('n2', 'n1', appendEntries({ term: 1, leader_id: 'n1', heartbeat_ms: 200 }));
    expect(c.node('n2').nextDeadline() - c.now).toBe(HEARTBEATS_PER_TIMEOUT * 200);
    // A leader that announces nothing (an older node) leaves the follower on its own timing.
    c.receive('n3', 'n1', appendEntries({ term: 1, leader_id: 'n1' }));
    expect(c.node('n3').nextDeadline() - c.now).toBe(T);
  });

  it('§5.6 a leader announces its minimum election timeout, and a follower waits at least that long', () => {
    const c = new Cluster(3, { config: { random: () => 0 } });
    c.elect('n1');
    c.node('n1').setTiming({ ...slow, electionTimeoutMinMs: 700, electionTimeoutMaxMs: 1400, heartbeatIntervalMs: 50 });
    c.advance(60);
    const beats = (c.outputs.get('n1') ?? []).flatMap((o) => messagesOfType(o, 'append_entries'));
    expect(beats.at(-1)?.body).toMatchObject({ heartbeat_ms: 50, election_timeout_ms: 700 });
    // The follower's own timing is the configured 150-300 ms; a leader that heartbeats every 50 ms
    // but measured enough jitter to want 700 ms sets it instead (and 3 x 50 would be less).
    const f = new Cluster(3, { config: { random: () => 0 } });
    f.receive('n2', 'n1', appendEntries({ term: 1, leader_id: 'n1', heartbeat_ms: 50, election_timeout_ms: 700 }));
    expect(f.node('n2').nextDeadline() - f.now).toBe(700);
    // A new leader's figure replaces the old one; until it announces, the follower's own timing applies.
    f.receive('n2', 'n3', appendEntries({ term: 2, leader_id: 'n3' }));
    expect(f.node('n2').nextDeadline() - f.now).toBe(T);
  });

  it('§5.6 the announced heartbeat never lowers a follower below its configured minimum', () => {
    const c = new Cluster(3, { config: { random: () => 0 } });
    c.receive('n2', 'n1', appendEntries({ term: 1, leader_id: 'n1', heartbeat_ms: 5 }));
    expect(c.node('n2').nextDeadline() - c.now).toBe(T);
  });

  it('§5.6 timing given at construction draws the first timer but is no floor: the configured minimum is', () => {
    // A host starts the core with its first estimate, which runs high (one sample, its variation
    // half the sample). Were it the floor, every later follower timeout would stay that long.
    const config: RaftConfig = {
      id: 'n2', nodeIds: ['n1', 'n2', 'n3'], electionTimeoutMinMs: T, electionTimeoutMaxMs: 2 * T, heartbeatIntervalMs: T / 3,
      preVote: true, checkQuorum: true, maxEntriesPerMessage: 10, maxInflightMessages: 2, snapshotThreshold: 0, snapshotChunkSize: 1024, random: () => 0,
    };
    const node = new RaftNode(config, { hardState: { term: 0, votedFor: null }, entries: [] }, 0, slow);
    expect(node.nextDeadline()).toBe(slow.electionTimeoutMinMs);
    node.step('n1', appendEntries({ term: 1, leader_id: 'n1', heartbeat_ms: 40 }), 10);
    expect(node.nextDeadline() - 10).toBe(HEARTBEATS_PER_TIMEOUT * 40);
  });

  it('§5.6 leader stickiness lasts the announced timeout, not the follower\'s shorter own one', () => {
    const c = new Cluster(3, { config: { preVote: true, checkQuorum: true } });
    c.receive('n2', 'n1', appendEntries({ term: 1, leader_id: 'n1', heartbeat_ms: 200 }));
    c.now += 2 * T; // past the follower's own minimum, within three announced heartbeats
    const out = c.receive('n2', 'n3', requestVote({ term: 2, candidate_id: 'n3', pre_vote: true }));
    expect(messagesOfType(out, 'request_vote_result')[0]?.body.vote_granted).toBe(false); // the leader is alive
    c.now += 400; // now 600 ms without the leader: the lease is over
    const later = c.receive('n2', 'n3', requestVote({ term: 2, candidate_id: 'n3', pre_vote: true }));
    expect(messagesOfType(later, 'request_vote_result')[0]?.body.vote_granted).toBe(true);
  });

  it('§5.6 check-quorum waits the window it was given before stepping down', () => {
    const c = new Cluster(3, { config: { checkQuorum: true } });
    c.elect('n1');
    c.node('n1').setTiming(slow);
    c.isolate('n1');
    // The first check was scheduled with the old window; the next ones use the new one.
    c.advance(T + 1);
    c.advance(800);
    expect(c.status('n1').role).toBe('leader');
    c.advance(200);
    expect(c.status('n1').role).toBe('follower');
  });

  it('§5.6 a leader takes a lost batch as lost after the retransmission time it was given, not before', () => {
    const c = new Cluster(3);
    c.elect('n1');
    c.node('n1').setTiming({ ...slow, electionTimeoutMinMs: 2000, electionTimeoutMaxMs: 4000, heartbeatIntervalMs: 20, retransmitAfterMs: 500 });
    c.node('n1').propose('x');
    c.collect('n1');
    const withEntries = (e: Envelope): boolean => e.to === 'n2' && e.body.type === 'append_entries' && e.body.entries.length > 0;
    expect(c.drop(withEntries)).toBe(1);
    const resent = (): number => (c.outputs.get('n1') ?? []).flatMap((o) => messagesOfType(o, 'append_entries')).filter((m) => m.to === 'n2' && m.body.entries.length > 0).length;
    const before = resent();
    c.advance(400);
    expect(resent()).toBe(before); // heartbeats only: the batch may still be on its way
    c.advance(200);
    expect(resent()).toBeGreaterThan(before);
    expect(c.node('n2').logEntries().length).toBe(c.node('n1').logEntries().length);
  });

  it('§5.6 nonsensical timing is refused and the old one kept', () => {
    const c = new Cluster(3, { config: { random: () => 0 } });
    const out0 = c.node('n1');
    out0.setTiming({ ...slow, electionTimeoutMinMs: 900, electionTimeoutMaxMs: 100 });
    const out = c.collect('n1');
    expect(out.events.some((e) => e.level === 'warn' && e.text.startsWith('refusing timing'))).toBe(true);
    c.receive('n1', 'n2', appendEntries({ term: 1, leader_id: 'n2' }));
    expect(c.node('n1').nextDeadline() - c.now).toBe(T);
  });
});
