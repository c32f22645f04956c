// The host's side of leadership transfer (dissertation §3.10): a write that reaches the leader while
// it hands leadership over is neither refused nor lost; it waits, then runs wherever leadership
// lands (relayed to the new leader, or here if the transfer is abandoned). Three RaftHosts on one
// virtual clock, wired by an in-memory network that can cut a node off.
import { describe, expect, it } from 'vitest';
import type { HandoffOutcome } from '../../src/host/raft-host.ts';
import { readValue, VirtualCluster, write } from './virtual-cluster.ts';

describe('§3.10 leadership transfer through the host', () => {
  it('a write taken during the hand-over waits, then is applied through the new leader', async () => {
    const c = new VirtualCluster();
    await c.run(150);
    expect(c.leader()).toBe('n1');
    let outcome: HandoffOutcome | null = null;
    void c.host('n1').transferLeadership('n2').then((o) => (outcome = o));
    const during = write(c, 'n1', 'k', 7); // same instant: the core refuses to append it
    expect(c.host('n1').status().lastLogIndex).toBe(1); // only the first leader's no-op
    await c.run(50);
    expect(outcome).toMatchObject({ outcome: 'handed-over', target: 'n2' });
    expect(c.leader()).toBe('n2');
    expect(during.reply).toEqual({ type: 'write_ok' });
    expect(await readValue(c, 'n3', 'k')).toEqual({ type: 'read_ok', value: 7 });
  });

  it('a write taken during a transfer to an unreachable node runs here once the transfer is abandoned', async () => {
    const c = new VirtualCluster();
    await c.run(150);
    c.cut.add('n3');
    let outcome: HandoffOutcome | null = null;
    void c.host('n1').transferLeadership('n3').then((o) => (outcome = o));
    const during = write(c, 'n1', 'k', 8);
    await c.run(99);
    expect(outcome).toBeNull();
    expect(during.reply).toBeNull(); // parked, not refused
    await c.run(30);
    expect(outcome).toMatchObject({ outcome: 'abandoned', target: 'n3' });
    expect(c.leader()).toBe('n1');
    expect(during.reply).toEqual({ type: 'write_ok' });
  });

  it('a refused transfer resolves at once and changes nothing', async () => {
    const c = new VirtualCluster();
    await c.run(150);
    expect(await c.host('n2').transferLeadership(null)).toEqual({ outcome: 'refused', reason: 'not the leader (leader: n1)' });
    expect(await c.host('n1').transferLeadership('n1')).toEqual({ outcome: 'refused', reason: 'this node is the leader already' });
    const w = write(c, 'n1', 'k', 1);
    await c.run(20);
    expect(w.reply).toEqual({ type: 'write_ok' });
  });
});
