// Figure 2, "Persistent state on all servers ... updated on stable storage before responding to RPCs".
// The core states it as a contract on each Output: persist hardState and logWrites, then send. These
// tests check that every Output whose messages depend on a new term or vote carries that hard state.
import { describe, expect, it } from 'vitest';
import type { HardState, Output } from '../../src/raft/types.ts';
import { Cluster, T, appendEntries, entriesWithTerms, messagesOfType, requestVote, sendBeforePersistProblem, voteResult } from './harness.ts';

/** Replays a node's Outputs, as the host persists them, and checks each message against the disk. */
function contractProblems(id: string, outputs: readonly Output[], initial: HardState): string[] {
  let disk = initial;
  const problems: string[] = [];
  for (const out of outputs) {
    if (out.hardState !== null) disk = out.hardState;
    for (const m of out.messages) {
      const problem = sendBeforePersistProblem(id, m.to, m.body, disk);
      if (problem !== null) problems.push(problem);
    }
  }
  return problems;
}

describe('Figure 2 persistence: persist, then send', () => {
  it('the checker itself flags a granted vote, a campaign or a new term that is not on disk', () => {
    const disk: HardState = { term: 2, votedFor: null };
    expect(sendBeforePersistProblem('n1', 'n2', voteResult(2, true), disk)).toMatch(/grants its term-2 vote to n2/);
    expect(sendBeforePersistProblem('n1', 'n2', voteResult(3, false), disk)).toMatch(/in term 3 with only 2 on disk/);
    expect(sendBeforePersistProblem('n1', 'n2', requestVote({ term: 2, candidate_id: 'n1' }), disk)).toMatch(/without its self-vote/);
    expect(sendBeforePersistProblem('n1', 'n2', voteResult(2, true), { term: 2, votedFor: 'n2' })).toBeNull();
    expect(sendBeforePersistProblem('n1', 'n2', requestVote({ term: 3, candidate_id: 'n1', pre_vote: true }), disk)).toBeNull();
  });

  it('a vote grant travels with the hard state recording it, and a retried grant is already on disk', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 1 } } });
    const first = c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    expect(first.hardState).toEqual({ term: 2, votedFor: 'n2' });
    expect(messagesOfType(first, 'request_vote_result')[0]?.body).toEqual(voteResult(2, true));
    const retry = c.receive('n1', 'n2', requestVote({ term: 2, candidate_id: 'n2' }));
    expect(messagesOfType(retry, 'request_vote_result')[0]?.body).toEqual(voteResult(2, true));
    expect(retry.hardState ?? c.persistedHardState('n1')).toEqual({ term: 2, votedFor: 'n2' });
    expect(contractProblems('n1', c.outputs.get('n1') ?? [], { term: 1, votedFor: null })).toEqual([]);
  });

  it('a reply in a newly learned term travels with the new term', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 1, votedFor: 'n3' } } });
    const out = c.receive('n1', 'n2', appendEntries({ term: 4, leader_id: 'n2' }));
    expect(out.hardState).toEqual({ term: 4, votedFor: null });
    expect(messagesOfType(out, 'append_entries_result')[0]?.body.term).toBe(4);
  });

  it('a refused vote in a higher term still persists the term it was refused in, with the refusal', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 1, log: entriesWithTerms([1]) } } });
    const out = c.receive('n1', 'n3', requestVote({ term: 3, candidate_id: 'n3', last_log_index: 0, last_log_term: 0 }));
    expect(messagesOfType(out, 'request_vote_result')[0]?.body).toEqual(voteResult(3, false));
    expect(out.hardState).toEqual({ term: 3, votedFor: null });
  });

  it('a pre-campaign persists nothing; the real campaign it leads to persists term and self-vote with its requests', () => {
    const c = new Cluster(3, { config: { preVote: true, checkQuorum: true } });
    expect(c.fire('n1').hardState).toBeNull();
    const won = c.receive('n1', 'n2', voteResult(1, true, true));
    expect(won.hardState).toEqual({ term: 1, votedFor: 'n1' });
    expect(messagesOfType(won, 'request_vote').every((m) => m.body.term === 1 && !m.body.pre_vote)).toBe(true);
  });

  it('through elections, partitions and restarts, no Output ever sends what it has not persisted', () => {
    const c = new Cluster(5, { config: { preVote: true, checkQuorum: true }, nodes: { n2: { config: { random: () => 0.3 } }, n3: { config: { random: () => 0.6 } } } });
    c.elect('n1');
    for (let i = 0; i < 3; i++) c.node('n1').propose(`a${i}`);
    c.collect('n1');
    c.isolate('n1');
    c.advance(4 * T);
    c.crash('n2');
    c.restart('n2');
    c.heal();
    c.advance(4 * T);
    for (const id of c.ids) expect(contractProblems(id, c.outputs.get(id) ?? [], { term: 0, votedFor: null })).toEqual([]);
    // The scenario did exercise term changes and votes on every node.
    expect(c.leaders().length).toBe(1);
    expect(c.status(c.leaders()[0] ?? 'n1').term).toBeGreaterThan(1);
    expect(c.safetyViolations).toEqual([]);
  });
});
