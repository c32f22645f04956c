// The core asserts its own invariants (TigerBeetle style): an impossible state stops it at once with
// a RaftInvariantError instead of silently corrupting the log.
import { describe, expect, it } from 'vitest';
import { RaftInvariantError, RaftNode, isValidTerm } from '../../src/raft/node.ts';
import { Cluster, appendEntries, entriesWithTerms, makeConfig } from './harness.ts';

describe('invariants', () => {
  it('a node that is not a member of its own cluster cannot be built', () => {
    const config = makeConfig('n9', ['n1', 'n2', 'n3']);
    expect(() => new RaftNode(config, { hardState: { term: 0, votedFor: null }, entries: [] }, 0)).toThrow(RaftInvariantError);
  });

  it.each([-1, 1.5, Number.NaN])('a persisted term of %s cannot be loaded', (term) => {
    const config = makeConfig('n1', ['n1', 'n2', 'n3']);
    expect(() => new RaftNode(config, { hardState: { term, votedFor: null }, entries: [] }, 0)).toThrow(RaftInvariantError);
  });

  it('a "leader" that tries to overwrite a committed entry trips the invariant (Leader Completeness broken)', () => {
    const c = new Cluster(3, { nodes: { n1: { term: 1 } } });
    c.receive('n1', 'n2', appendEntries({ term: 1, leader_id: 'n2', entries: entriesWithTerms([1]), leader_commit: 1 }));
    expect(c.status('n1').commitIndex).toBe(1);
    const impossible = appendEntries({ term: 2, leader_id: 'n3', entries: entriesWithTerms([2]) });
    expect(() => c.node('n1').step('n3', impossible, c.now)).toThrow(/overwrite committed index 1/);
    expect(() => c.node('n1').step('n3', impossible, c.now)).toThrow(RaftInvariantError);
  });

  it('isValidTerm accepts exactly the non-negative safe integers', () => {
    expect([0, 1, 2 ** 53 - 1].map(isValidTerm)).toEqual([true, true, true]);
    expect([-1, 0.5, 2 ** 53, Number.NaN, '1', null, undefined].map(isValidTerm)).toEqual([false, false, false, false, false, false, false]);
  });
});
