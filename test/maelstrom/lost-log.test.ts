// dist/node.js in a three-node cluster whose stored term and vote say it ran before, but whose
// write-ahead file is gone (or that runs with --no-wal): it must start as a node that neither votes
// nor campaigns until it has caught up from a leader, and remember that across a restart.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StdioLinKv } from '../support/stdio-lin-kv.ts';
import { StdioNode } from '../support/stdio-node.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const KEY = 'raft/n1/hard-state';
const STORED = { term: 3, voted_for: 'n2', log_id: 'earlier', incarnation: 'earlier-process', seq: 5 };

function startNode(dataDir: string | null, data: Map<string, unknown> | null = null): { node: StdioNode; kv: StdioLinKv } {
  const node = new StdioNode(dataDir === null ? ['--no-wal'] : ['--data-dir', dataDir]);
  const kv = new StdioLinKv(node);
  for (const [k, v] of data ?? new Map([[KEY, STORED]])) kv.data.set(k, v);
  cleanups.push(() => {
    kv.stop();
    node.kill();
  });
  node.send({ src: 'c0', dest: 'n1', body: { type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1', 'n2', 'n3'] } });
  return { node, kv };
}

async function stderrMatching(node: StdioNode, pattern: RegExp, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = node.stderr.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no stderr line matching ${pattern}; stderr:\n${node.stderr.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const voteRequest = (msgId: number, term: number) => ({
  src: 'n2',
  dest: 'n1',
  body: { type: 'request_vote', msg_id: msgId, term, candidate_id: 'n2', last_log_index: 50, last_log_term: 3, pre_vote: false },
});

function raftReplies(node: StdioNode, type: string): { [key: string]: unknown }[] {
  return node.stdout.map((l) => (l.parsed as { body: { [key: string]: unknown } }).body).filter((b) => b['type'] === type);
}

describe('a Maelstrom node whose log is lost', () => {
  it('with its write-ahead file missing: moves one term up, refuses votes, never campaigns, catches up from a leader, forgets the loss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raft-lost-log-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { node, kv } = startNode(dir);
    await stderrMatching(node, /log lost: not voting or campaigning until caught up from a leader/);
    expect(existsSync(join(dir, 'n1-earlier.wal.lost'))).toBe(true);
    // Its new term is stored before it answers anyone in it.
    node.send(voteRequest(10, 4));
    await stderrMatching(node, /refused vote to n2 for term 4: log lost/);
    await new Promise((r) => setTimeout(r, 700)); // longer than two election timeouts
    expect(raftReplies(node, 'request_vote')).toEqual([]);
    expect(raftReplies(node, 'request_vote_result')).toMatchObject([{ term: 4, vote_granted: false }]);
    expect(kv.data.get(KEY)).toMatchObject({ term: 4, voted_for: null, log_id: 'earlier' });

    // A restart now must still know the log is lost, although a write-ahead file exists again.
    kv.stop();
    node.kill();
    await node.exit();
    const second = startNode(dir, kv.data);
    await stderrMatching(second.node, /log lost: not voting or campaigning/);
    // n3 leads term 6 and sends its log; its commit index reaches its own no-op.
    const entries = [
      { term: 2, data: { kind: 'noop' } },
      { term: 6, data: { kind: 'noop' } },
    ];
    second.node.send({ src: 'n3', dest: 'n1', body: { type: 'append_entries', msg_id: 20, term: 6, leader_id: 'n3', prev_log_index: 0, prev_log_term: 0, entries, leader_commit: 2, round: 1 } });
    await stderrMatching(second.node, /caught up from leader n3 at index 2: voting again/);
    // (The line is logged just before the entries are fsynced and the marker removed.)
    const deadline = Date.now() + 3000;
    while (existsSync(join(dir, 'n1-earlier.wal.lost')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(join(dir, 'n1-earlier.wal.lost'))).toBe(false);
    // Caught up, it campaigns again once the leader falls silent.
    await stderrMatching(second.node, /starting pre-vote for term 7/);
  });

  it('with --no-wal: a restart (stored term, no log) is a lost log too; a first start is not', async () => {
    const restarted = startNode(null);
    await stderrMatching(restarted.node, /log lost: not voting or campaigning until caught up from a leader/);
    const fresh = startNode(null, new Map());
    await stderrMatching(fresh.node, /no stored hard state/);
    await stderrMatching(fresh.node, /became candidate for term 1|starting pre-vote for term 1/);
    expect(fresh.node.stderr.join('\n')).not.toMatch(/log lost/);
  });
});
