// Dissertation §10.2.1: the leader may write its log in parallel with replicating it. It then counts
// itself toward a commit only once its own write is durable (leaderLogDurable); a majority of
// followers alone may commit without it.
import { describe, expect, it } from 'vitest';
import { Cluster, both, from, to } from './harness.ts';

const asyncLeader = { config: { leaderLogWrittenAsynchronously: true } };

describe('§10.2.1 the leader writes its log in parallel', () => {
  it('§10.2.1 leader + one follower commit only once the leader reports its own write durable', () => {
    const c = new Cluster(3, asyncLeader);
    c.elect('n1');
    c.node('n1').leaderLogDurable(c.status('n1').lastLogIndex, c.status('n1').term, c.now); // the no-op
    c.stabilize();
    const { index, term } = c.node('n1').propose('x') as { index: number; term: number };
    c.collect('n1');
    c.deliver(to('n2'));
    c.deliver(both(from('n2'), to('n1')));
    expect(c.status('n1').commitIndex).toBe(index - 1); // n2 only: the leader's copy is not durable yet
    c.node('n1').leaderLogDurable(index, term, c.now);
    expect(c.status('n1').commitIndex).toBe(index);
  });

  it('§10.2.1 two followers of three commit without the leader\'s own write', () => {
    const c = new Cluster(3, asyncLeader);
    c.elect('n1');
    c.stabilize();
    const { index } = c.node('n1').propose('y') as { index: number };
    c.collect('n1');
    c.stabilize();
    expect(c.status('n1').commitIndex).toBe(index);
  });

  it('§10.2.1 a durable report from another term is ignored', () => {
    const c = new Cluster(3, asyncLeader);
    c.elect('n1');
    c.stabilize();
    const { index, term } = c.node('n1').propose('z') as { index: number; term: number };
    c.collect('n1');
    c.deliver(to('n2'));
    c.deliver(both(from('n2'), to('n1')));
    c.node('n1').leaderLogDurable(index, term - 1, c.now);
    expect(c.status('n1').commitIndex).toBe(index - 1);
  });
});
