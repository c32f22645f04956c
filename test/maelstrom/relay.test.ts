// The Maelstrom adapter's side of relaying, through dist/node.js over stdio: a relayed message for
// another node is passed on as a relay envelope from us (so partitions apply to that hop), the
// payload untouched; a malformed one is refused with a stderr line and never crashes the node.
import { afterEach, describe, expect, it } from 'vitest';
import { StdioNode } from '../support/stdio-node.ts';

const nodes: StdioNode[] = [];
afterEach(() => {
  for (const n of nodes.splice(0)) n.kill();
});

async function until<T>(probe: () => T | undefined, what: string, node: StdioNode, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms; stderr:\n${node.stderr.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('relaying in the Maelstrom adapter', () => {
  it('passes a relayed message on to its destination as a relay envelope, and refuses malformed ones', async () => {
    const n = new StdioNode();
    nodes.push(n);
    n.send({ src: 'c0', dest: 'n1', body: { type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n0', 'n1', 'n2'] } });
    expect((await n.reply(1)).type).toBe('init_ok');
    const payload = { type: 'append_entries', term: 4, leader_id: 'n0', prev_log_index: 0, prev_log_term: 0, entries: [], leader_commit: 0, round: 1, msg_id: 77 };
    n.send({ src: 'n0', dest: 'n1', body: { type: 'relay', origin: 'n0', final_dest: 'n2', ttl: 1, payload, link_state: [] } });
    const passed = await until(
      () => n.stdout.map((l) => l.parsed as { src: string; dest: string; body: { [k: string]: unknown } }).find((m) => m.dest === 'n2' && m.body['type'] === 'relay'),
      'the relay to n2',
      n,
    );
    expect(passed.src).toBe('n1');
    expect(passed.body).toMatchObject({ origin: 'n0', final_dest: 'n2', ttl: 0, payload });
    expect(Array.isArray(passed.body['link_state'])).toBe(true);

    n.send({ src: 'n0', dest: 'n1', body: { type: 'relay', origin: 'n0', final_dest: 'n2', ttl: 'x', payload } });
    n.send({ src: 'n0', dest: 'n1', body: { type: 'relay', origin: 'n0', final_dest: 'n2', ttl: 0, payload } }); // loop guard spent
    await until(() => n.stderr.find((l) => l.includes('malformed relay frame from n0')), 'the malformed-frame warning', n);
    n.send({ src: 'c1', dest: 'n1', body: { type: 'read', msg_id: 5, key: 1 } });
    expect((await n.reply(5, 5000)).type).toBe('error'); // still alive and answering
    expect(n.stdout.filter((l) => (l.parsed as { dest: string; body: { type: string } }).dest === 'n2' && (l.parsed as { body: { type: string } }).body.type === 'relay')).toHaveLength(1);
  });
});
