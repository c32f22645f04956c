// Dissertation §10.2.1: the leader may send its new entries to the followers before its own disk
// write, and counts itself toward the commit only once that write is durable. A follower still
// acknowledges only what it has written. Checked on the order of effects each host produces.
import { describe, expect, it } from 'vitest';
import type { ClientReply } from '../../src/host/raft-host.ts';
import { VirtualCluster } from './virtual-cluster.ts';

type Step = { node: string; what: 'send' | 'appendLog' | 'flush'; detail: string };

function tracedCluster(): { c: VirtualCluster; steps: Step[] } {
  const steps: Step[] = [];
  const c = new VirtualCluster({ trace: {
    send: (from, _to, body) => steps.push({ node: from, what: 'send', detail: body.type === 'append_entries' ? `append ${body.entries.length}` : body.type }),
    appendLog: (id, writes) => steps.push({ node: id, what: 'appendLog', detail: String(writes.length) }),
    flush: (id) => steps.push({ node: id, what: 'flush', detail: '' }),
  } });
  return { c, steps };
}

describe('§10.2.1 the leader writes its log in parallel with replication', () => {
  it('a new entry leaves the leader (flushed) before its own log write; followers answer only after theirs', async () => {
    const { c, steps } = tracedCluster();
    await c.run(150);
    expect(c.leader()).toBe('n1');
    steps.length = 0;
    const box: { reply: ClientReply | null } = { reply: null };
    c.host('n1').submit({ type: 'write', key: 'k', value: 1 }, (r) => (box.reply = r), true);
    await c.run(20);
    expect(box.reply).toEqual({ type: 'write_ok' });
    const leader = steps.filter((s) => s.node === 'n1');
    const firstWrite = leader.findIndex((s) => s.what === 'appendLog');
    const before = leader.slice(0, firstWrite);
    expect(before.filter((s) => s.what === 'send' && s.detail === 'append 1')).toHaveLength(2);
    expect(before.at(-1)?.what).toBe('flush');
    for (const follower of ['n2', 'n3']) {
      const own = steps.filter((s) => s.node === follower);
      const written = own.findIndex((s) => s.what === 'appendLog');
      const acked = own.findIndex((s) => s.detail === 'append_entries_result');
      expect(written).toBeGreaterThanOrEqual(0);
      expect(acked).toBeGreaterThan(written);
    }
  });

  it('the write still commits with one follower cut off (leader + one follower, each after its own write)', async () => {
    const { c } = tracedCluster();
    await c.run(150);
    c.cut.add('n3');
    const box: { reply: ClientReply | null } = { reply: null };
    c.host('n1').submit({ type: 'write', key: 'k', value: 2 }, (r) => (box.reply = r), true);
    await c.run(20);
    expect(box.reply).toEqual({ type: 'write_ok' });
    expect(c.host('n2').status().lastLogIndex).toBe(2);
  });
});
