// The host's side of membership changes (dissertation chapter 4): proposeConfChange resolves with
// an honest outcome, a joiner learns the whole member list from the leader, and the adapter hears
// of every configuration through HostEnvironment.configurationChanged.
import { describe, expect, it } from 'vitest';
import type { ConfChangeOutcome } from '../../src/host/raft-host.ts';
import type { ConfChange } from '../../src/raft/types.ts';
import { readValue, VirtualCluster, write } from './virtual-cluster.ts';

function propose(c: VirtualCluster, node: string, change: ConfChange): { outcome: ConfChangeOutcome | null } {
  const box: { outcome: ConfChangeOutcome | null } = { outcome: null };
  void c.host(node).proposeConfChange(change).then((o) => (box.outcome = o));
  return box;
}

describe('§4 membership changes through the host', () => {
  it('a joiner is added as a learner, learns every member, is promoted once caught up, and serves clients', async () => {
    const c = new VirtualCluster(['n4']);
    await c.run(150);
    expect(c.leader()).toBe('n1');
    expect(c.host('n4').status().configuration.self).toBe('joining');
    const added = propose(c, 'n1', { type: 'add-learner', id: 'n4', context: '127.0.0.1:9004' });
    await c.run(200);
    expect(added.outcome).toMatchObject({ outcome: 'committed', config: { voters: ['n1', 'n2', 'n3'], learners: ['n4'], context: { n4: '127.0.0.1:9004' } } });
    const seen = (c.configurations.get('n4') ?? []).map((s) => s.self);
    expect(seen[0]).toBe('joining');
    expect(seen).toContain('learner');
    expect(c.host('n4').status().configuration).toMatchObject({ config: { voters: ['n1', 'n2', 'n3', 'n4'], learners: [] }, committed: true, self: 'voter' });
    expect(c.host('n1').members().map((m) => [m.id, m.role, m.context])).toEqual([
      ['n1', 'voter', null], ['n2', 'voter', null], ['n3', 'voter', null], ['n4', 'voter', '127.0.0.1:9004'],
    ]);
    expect(c.logs.get('n1')).toContain('adding n4 (127.0.0.1:9004) as learner');
    const w = write(c, 'n4', 'k', 4);
    await c.run(100);
    expect(w.reply).toEqual({ type: 'write_ok' });
    expect(await readValue(c, 'n2', 'k')).toEqual({ type: 'read_ok', value: 4 });
  });

  it('refusals are definite and say why: not the leader, a change in progress', async () => {
    const c = new VirtualCluster(['n4', 'n5']);
    await c.run(150);
    const fromFollower = propose(c, 'n2', { type: 'remove', id: 'n3' });
    const first = propose(c, 'n1', { type: 'add-learner', id: 'n4' });
    const second = propose(c, 'n1', { type: 'add-learner', id: 'n5' });
    await c.run(0);
    expect(fromFollower.outcome).toMatchObject({ outcome: 'refused', reason: 'not-leader', leaderId: 'n1' });
    expect(second.outcome).toMatchObject({ outcome: 'refused', reason: 'change-in-progress' });
    await c.run(200);
    expect(first.outcome).toMatchObject({ outcome: 'committed' });
  });

  it('the leader removes itself: committed, then a remaining voter leads without an election timeout', async () => {
    const c = new VirtualCluster();
    await c.run(150);
    const removed = propose(c, 'n1', { type: 'remove', id: 'n1' });
    await c.run(60); // well under the 100 ms minimum election timeout
    expect(removed.outcome).toMatchObject({ outcome: 'committed', config: { voters: ['n2', 'n3'] } });
    expect(['n2', 'n3']).toContain(c.leader());
    expect(c.host('n1').status().configuration.self).toBe('removed');
    const w = write(c, c.leader() as string, 'k', 1);
    await c.run(50);
    expect(w.reply).toEqual({ type: 'write_ok' });
  });

  it('a change whose fate the node cannot learn is reported unknown, never as failed', async () => {
    const c = new VirtualCluster(['n4']);
    await c.run(150);
    c.cut.add('n2');
    c.cut.add('n3');
    const pending = propose(c, 'n1', { type: 'add-learner', id: 'n4' });
    await c.run(50);
    expect(pending.outcome).toBeNull(); // appended, not committed: no majority reachable
    c.host('n1').stop();
    await c.run(0);
    expect(pending.outcome).toMatchObject({ outcome: 'unknown' });
  });
});
