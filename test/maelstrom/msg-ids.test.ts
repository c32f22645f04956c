// Each dist/node.js process numbers its messages from its own random starting point, so replies
// meant for an earlier process of the same node (Maelstrom's kill nemesis restarts nodes on the same
// ids) cannot match the requests of a later one. See test/maelstrom/hard-state-store.test.ts for the
// hazard itself (a late cas_ok taken as the answer to the new process's vote).
import { afterEach, describe, expect, it } from 'vitest';
import { StdioNode } from '../support/stdio-node.ts';

const nodes: StdioNode[] = [];
afterEach(() => {
  for (const n of nodes.splice(0)) n.kill();
});

async function firstMsgId(): Promise<number> {
  const n = new StdioNode();
  nodes.push(n);
  n.send({ src: 'c0', dest: 'n1', body: { type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1'] } });
  const reply = await n.reply(1);
  return reply['msg_id'] as number;
}

describe('msg_ids across processes', () => {
  it('start at a random safe integer, different in each process, with room to count up', async () => {
    const ids = [await firstMsgId(), await firstMsgId(), await firstMsgId()];
    for (const id of ids) {
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThanOrEqual(2 ** 50 + 1);
    }
    expect(new Set(ids).size).toBe(3);
  });
});
