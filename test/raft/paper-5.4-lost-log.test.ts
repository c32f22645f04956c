// §5.4 (leader completeness) when a node loses its log but keeps its term and vote: a write-ahead
// file deleted, or a node run without one. The proof of §5.4.3 needs every member of a committing
// majority to keep the entry and to vote only for candidates at least as up to date. A node that
// lost its log breaks the first half; so it must not vote (nor campaign) until it has caught up from
// a leader: a leader of a term newer than any it acknowledged in, whose commit index it has reached
// at an entry of that leader's term. See RaftNode.startWithoutLog for the argument.
import { describe, expect, it } from 'vitest';
import { Cluster, HEARTBEAT, T, appendEntries, entriesWithTerms, messagesOfType, requestVote } from './harness.ts';

/**
 * n1 leads term 1 and commits x at index 2 with n2's acknowledgement only (n3 is cut off and never
 * sees it). Then n2 restarts without its log and n1 is down, n3 is back: n3 lacks x.
 */
function committedOnN1AndN2Only(restartN2: { loseLog: boolean; hostUnaware?: boolean }): Cluster {
  const c = new Cluster(3);
  c.elect('n1');
  c.isolate('n3');
  c.node('n1').propose('x');
  c.collect('n1');
  c.stabilize();
  c.tick('n1', c.now + HEARTBEAT); // n2 learns the commit too
  c.stabilize();
  expect(c.status('n1').commitIndex).toBe(2);
  expect(c.status('n3').lastLogIndex).toBeLessThan(2);
  c.crash('n1');
  c.crash('n2');
  c.restart('n2', restartN2);
  c.heal();
  return c;
}

describe('§5.4 a node that lost its log', () => {
  it('§5.4 starts one term above its stored term, with no vote, persisted before it says anything, and says why', () => {
    const c = new Cluster(3, { nodes: { n2: { term: 4, votedFor: 'n1', log: entriesWithTerms([4]) } } });
    c.crash('n2');
    c.restart('n2', { loseLog: true });
    expect(c.status('n2')).toMatchObject({ term: 5, votedFor: null, lastLogIndex: 0, logLost: true });
    expect(c.persistedHardState('n2')).toEqual({ term: 5, votedFor: null });
    const events = c.lastOutput('n2').events.map((e) => e.text);
    expect(events).toContainEqual(expect.stringMatching(/^log lost: not voting or campaigning until caught up from a leader/));
  });

  it('§5.4 refuses votes and pre-votes, whatever the candidate\'s log', () => {
    const c = new Cluster(3, { config: { preVote: true }, nodes: { n2: { term: 1 } } });
    c.crash('n2');
    c.restart('n2', { loseLog: true });
    const pre = c.receive('n2', 'n3', requestVote({ term: 3, candidate_id: 'n3', last_log_index: 9, last_log_term: 2, pre_vote: true }));
    expect(messagesOfType(pre, 'request_vote_result')[0]?.body).toMatchObject({ vote_granted: false, pre_vote: true });
    const real = c.receive('n2', 'n3', requestVote({ term: 3, candidate_id: 'n3', last_log_index: 9, last_log_term: 2 }));
    expect(messagesOfType(real, 'request_vote_result')[0]?.body).toMatchObject({ term: 3, vote_granted: false });
    expect(c.status('n2')).toMatchObject({ term: 3, votedFor: null });
    expect(real.events.map((e) => e.text)).toContainEqual(expect.stringMatching(/refused vote to n3 for term 3: log lost, not caught up/));
  });

  it('§5.4 never campaigns, however long it hears nothing, and says so once per term', () => {
    for (const preVote of [false, true]) {
      const c = new Cluster(3, { config: { preVote } });
      c.crash('n1');
      c.crash('n3');
      c.crash('n2');
      c.restart('n2', { loseLog: true });
      c.advance(20 * T);
      const sent = (c.outputs.get('n2') ?? []).flatMap((o) => o.messages);
      expect(sent).toEqual([]);
      expect(c.status('n2')).toMatchObject({ role: 'follower', logLost: true });
      const quiet = (c.outputs.get('n2') ?? []).flatMap((o) => o.events).filter((e) => /not campaigning: log lost/.test(e.text));
      expect(quiet).toHaveLength(1);
    }
  });

  it('§5.4.3 its refusal keeps a candidate that lacks a committed entry from winning', () => {
    const c = committedOnN1AndN2Only({ loseLog: true });
    c.advance(20 * T);
    expect(c.leaders()).toEqual([]);
    expect(c.status('n3').role).not.toBe('leader');
    expect(c.safetyViolations).toEqual([]);
    // n1 comes back with x: it can win (n2 acknowledges but does not vote; n3 votes for the more
    // up-to-date n1), and n2 catches up from it.
    c.restart('n1');
    c.advance(20 * T);
    expect(c.leaders()).toEqual(['n1']);
    expect(c.status('n2')).toMatchObject({ logLost: false, lastLogIndex: c.status('n1').lastLogIndex });
    expect(c.safetyViolations).toEqual([]);
  });

  it('§5.4.3 (the hazard: a host that lets it vote with its empty log elects a leader without the committed entry)', () => {
    const c = committedOnN1AndN2Only({ loseLog: true, hostUnaware: true });
    c.advance(20 * T);
    expect(c.leaders()).toEqual(['n3']);
    expect(c.safetyViolations).toContainEqual(expect.stringMatching(/leader n3 of term \d+ lacks index 2/));
  });

  it('§5.4 catches up only from a leader of a newer term, once that leader\'s commit index reaches an entry of its own term', () => {
    const c = new Cluster(3, { nodes: { n2: { term: 1 } } });
    c.crash('n2');
    c.restart('n2', { loseLog: true });
    expect(c.status('n2').term).toBe(2);
    const caughtUp = () => !c.status('n2').logLost;
    // A leader of the old term 1 is told our newer term and gets nothing appended.
    const stale = c.receive('n2', 'n1', appendEntries({ term: 1, leader_id: 'n1', entries: entriesWithTerms([1]), leader_commit: 1 }));
    expect(messagesOfType(stale, 'append_entries_result')[0]?.body).toMatchObject({ term: 2, success: false });
    expect(c.status('n2').lastLogIndex).toBe(0);
    // The leader of term 2 sends old entries first: a commit index on an entry of term 1 is not enough.
    const log = entriesWithTerms([1, 1, 2]);
    c.receive('n2', 'n1', appendEntries({ term: 2, leader_id: 'n1', entries: log.slice(0, 2), leader_commit: 2 }));
    expect(c.status('n2')).toMatchObject({ commitIndex: 2, logLost: true });
    // Its own entry arrives, but our commit index is still on the term-1 entry.
    c.receive('n2', 'n1', appendEntries({ term: 2, leader_id: 'n1', prev_log_index: 2, prev_log_term: 1, entries: log.slice(2), leader_commit: 2 }));
    expect(caughtUp()).toBe(false);
    // A commit index beyond what we hold counts only as far as we hold it.
    const out = c.receive('n2', 'n1', appendEntries({ term: 2, leader_id: 'n1', prev_log_index: 3, prev_log_term: 2, leader_commit: 3 }));
    expect(caughtUp()).toBe(true);
    expect(out.events.map((e) => e.text)).toContainEqual('caught up from leader n1 at index 3: voting again');
    // And it votes again.
    const vote = c.receive('n2', 'n3', requestVote({ term: 3, candidate_id: 'n3', last_log_index: 3, last_log_term: 2 }));
    expect(messagesOfType(vote, 'request_vote_result')[0]?.body).toMatchObject({ term: 3, vote_granted: true });
  });

  it('§5.4 a cluster with one such node recovers: its newer term unseats the old leader, a new one is elected, it catches up', () => {
    const c = new Cluster(3, { config: { preVote: true, checkQuorum: true } });
    c.elect('n1');
    c.node('n1').propose('x');
    c.collect('n1');
    c.advance(2 * HEARTBEAT);
    c.crash('n2');
    c.restart('n2', { loseLog: true });
    c.advance(20 * T);
    const leader = c.leaders()[0];
    expect(leader).toBeDefined();
    expect(c.status(leader as string).term).toBeGreaterThan(2);
    expect(c.status('n2')).toMatchObject({ logLost: false, leaderId: leader, lastLogIndex: c.status(leader as string).lastLogIndex });
    expect(c.applied.get('n2')?.map((e) => e.data)).toContainEqual({ kind: 'command', command: 'x' });
    expect(c.safetyViolations).toEqual([]);
  });

  it('§5.4 a restart before catching up is still a lost log (the host remembers), and catching up is remembered too', () => {
    const c = new Cluster(3);
    c.elect('n1');
    c.crash('n2');
    c.restart('n2', { loseLog: true });
    c.crash('n2');
    c.restart('n2');
    expect(c.status('n2').logLost).toBe(true);
    c.advance(20 * T);
    expect(c.status('n2').logLost).toBe(false);
    c.crash('n2');
    c.restart('n2');
    expect(c.status('n2').logLost).toBe(false);
  });
});
