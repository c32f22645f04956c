// dist/node.js under the fail-stop policy (src/host/fatal.ts): a broken invariant or an I/O error
// ends the process with one FATAL line on stderr and exit status 70, never a silent death and
// never a node that runs on with state it cannot trust.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FATAL_EXIT_CODE } from '../../src/host/fatal.ts';
import { StdioLinKv } from '../support/stdio-lin-kv.ts';
import { StdioNode } from '../support/stdio-node.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'raft-fail-stop-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function startClusterNode(args: string[]): StdioNode {
  const node = new StdioNode(args);
  const kv = new StdioLinKv(node);
  cleanups.push(() => {
    kv.stop();
    node.kill();
  });
  node.send({ src: 'c0', dest: 'n1', body: { type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1', 'n2', 'n3'] } });
  return node;
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const noop = (term: number) => ({ term, data: { kind: 'noop' } });

describe('fail-stop over stdio', () => {
  it('an I/O error (the data directory is a file, so the log cannot be opened) stops the node at start', async () => {
    const notADir = join(tempDir(), 'file');
    writeFileSync(notADir, 'not a directory');
    const node = startClusterNode(['--data-dir', notADir]);
    expect(await node.exit()).toBe(FATAL_EXIT_CODE);
    const fatal = node.stderr.filter((l) => / FATAL /.test(l));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/ FATAL starting Raft: .*(ENOTDIR|EEXIST).*; stopping$/);
  });

  it('a broken Raft invariant (a second leader rewrites a committed entry) stops the node with the message that broke it', { timeout: 10_000 }, async () => {
    const node = startClusterNode(['--data-dir', tempDir()]);
    await until(() => node.stderr.some((l) => /started as follower/.test(l)));
    // n2 leads term 1 and commits index 1 on us.
    node.send({ src: 'n2', dest: 'n1', body: { type: 'append_entries', msg_id: 2, term: 1, leader_id: 'n2', prev_log_index: 0, prev_log_term: 0, entries: [noop(1)], leader_commit: 1, round: 1 } });
    await until(() => node.stdout.some((l) => (l.parsed as { body?: { type?: string; success?: boolean } }).body?.success === true));
    // n3 claims term 2 and overwrites that committed entry: impossible in a correct cluster.
    node.send({ src: 'n3', dest: 'n1', body: { type: 'append_entries', msg_id: 3, term: 2, leader_id: 'n3', prev_log_index: 0, prev_log_term: 0, entries: [noop(2)], leader_commit: 0, round: 1 } });
    expect(await node.exit()).toBe(FATAL_EXIT_CODE);
    const fatal = node.stderr.filter((l) => / FATAL /.test(l));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/ FATAL handling append_entries from n3: raft invariant violated: leader n3 tried to overwrite committed index 1; stopping$/);
    // Nothing was sent for the broken message.
    const answersToN3 = node.stdout.filter((l) => (l.parsed as { dest?: string }).dest === 'n3');
    expect(answersToN3).toEqual([]);
  });

  it('bad input is still not fatal', async () => {
    const node = startClusterNode(['--data-dir', tempDir()]);
    await node.reply(1);
    node.send('{"src":"n2","dest":"n1","body":{"type":"append_entries","term":1,"leader_id":"n2","entries":"nope"}}');
    node.send('garbage');
    node.send({ src: 'c1', dest: 'n1', body: { type: 'read', msg_id: 9 } });
    expect(await node.reply(9)).toMatchObject({ type: 'error', code: 12 });
    expect(node.proc.exitCode).toBeNull();
    expect(node.stderr.join('\n')).not.toMatch(/FATAL/);
  });
});
