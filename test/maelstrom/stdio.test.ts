// dist/node.js launched exactly as Maelstrom launches it, spoken to over stdin/stdout.
import { afterEach, describe, expect, it } from 'vitest';
import { StdioNode } from '../support/stdio-node.ts';

const nodes: StdioNode[] = [];
function start(args: string[] = []): StdioNode {
  const n = new StdioNode(args);
  nodes.push(n);
  return n;
}
afterEach(() => {
  for (const n of nodes.splice(0)) n.kill();
});

const init = { src: 'c0', dest: 'n1', body: { type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1'] } };

describe('dist/node.js over stdio', () => {
  it('answers init, serves a single-node lin-kv, and writes nothing but messages to stdout', async () => {
    const n = start();
    n.send(init);
    expect((await n.reply(1)).type).toBe('init_ok');
    n.send({ src: 'c1', dest: 'n1', body: { type: 'write', msg_id: 2, key: 'k', value: { deep: [1, 'two', null] } } });
    expect(await n.reply(2)).toMatchObject({ type: 'write_ok' });
    n.send({ src: 'c1', dest: 'n1', body: { type: 'cas', msg_id: 3, key: 'k', from: { deep: [1, 'two', null] }, to: 5 } });
    expect((await n.reply(3)).type).toBe('cas_ok');
    n.send({ src: 'c1', dest: 'n1', body: { type: 'cas', msg_id: 4, key: 'k', from: 4, to: 6 } });
    expect(await n.reply(4)).toMatchObject({ type: 'error', code: 22 });
    n.send({ src: 'c1', dest: 'n1', body: { type: 'read', msg_id: 5, key: 'k' } });
    const read = await n.reply(5);
    // Maelstrom's closed schema: read_ok carries only type, value, in_reply_to, msg_id.
    expect(Object.keys(read).sort()).toEqual(['in_reply_to', 'msg_id', 'type', 'value']);
    expect(read.value).toBe(5);
    n.send({ src: 'c1', dest: 'n1', body: { type: 'read', msg_id: 6, key: 'absent' } });
    expect(await n.reply(6)).toMatchObject({ type: 'error', code: 20 });

    const ids = n.stdout.map((l) => (l.parsed as { body: { msg_id: number } }).body.msg_id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    for (const l of n.stdout) expect(l.parsed, l.raw).toMatchObject({ src: 'n1', dest: expect.any(String), body: expect.any(Object) });
    expect(n.stderr.join('\n')).toContain('elected leader for term 1');
  });

  it('refuses requests before init with error 11', async () => {
    const n = start();
    n.send({ src: 'c1', dest: 'n1', body: { type: 'read', msg_id: 9, key: 1 } });
    expect(await n.reply(9)).toMatchObject({ type: 'error', code: 11 });
  });

  it('survives malformed input: error 12 where someone can be answered, 10 for unknown types, a stderr line always', async () => {
    const n = start();
    n.send(init);
    await n.reply(1);
    const garbage = [
      'this is not json',
      '',
      '[1,2,3]',
      '{"src":"c1","dest":"n1","body":"nope"}',
      '{"src":"c1","dest":"n1"}',
      '{"src":"c1","dest":"n1","body":{"msg_id":20}}',
      '{"src":"c1","dest":"n1","body":{"type":"write","msg_id":21,"key":1}}',
      '{"src":"c1","dest":"n1","body":{"type":"cas","msg_id":22,"key":1,"from":1}}',
      '{"src":"c1","dest":"n1","body":{"type":"read","msg_id":23}}',
      '{"src":"c1","dest":"n1","body":{"type":"frobnicate","msg_id":24}}',
      '{"src":"n2","dest":"n1","body":{"type":"append_entries","term":-3,"msg_id":25}}',
      '{"src":"n9","dest":"n1","body":{"type":"request_vote","term":"x","msg_id":26}}',
      '{"src":"c1","dest":"n1","body":{"type":"read","key":1}}',
      '\u0000\u0001\u0002',
    ];
    for (const g of garbage) n.send(g);
    expect(await n.reply(20)).toMatchObject({ type: 'error', code: 12 });
    expect(await n.reply(21)).toMatchObject({ type: 'error', code: 12 });
    expect(await n.reply(22)).toMatchObject({ type: 'error', code: 12 });
    expect(await n.reply(23)).toMatchObject({ type: 'error', code: 12 });
    expect(await n.reply(24)).toMatchObject({ type: 'error', code: 10 });
    // Still alive and still correct afterwards.
    n.send({ src: 'c1', dest: 'n1', body: { type: 'write', msg_id: 30, key: 1, value: 1 } });
    expect((await n.reply(30)).type).toBe('write_ok');
    expect(n.proc.exitCode).toBeNull();
    for (const l of n.stdout) expect(l.parsed, `stdout line ${l.raw}`).toBeTypeOf('object');
    const warnings = n.stderr.filter((l) => /WARN/.test(l));
    expect(warnings.length).toBeGreaterThanOrEqual(garbage.length - 2);
  });

  it('after "stdin closed; exiting" it logs nothing and sends nothing more, and exits 0', async () => {
    // Short timeouts: without stopping Raft first, the node would elect itself and answer the write
    // in the moments between the close and the exit (it did: "elected leader for term 1", write_ok).
    const n = start(['--election-timeout', '20']);
    n.send(init);
    n.send({ src: 'c1', dest: 'n1', body: { type: 'write', msg_id: 2, key: 1, value: 1 } });
    n.proc.stdin.end();
    expect(await n.exit()).toBe(0);
    const closedAt = n.stderr.findIndex((l) => l.includes('stdin closed; exiting'));
    expect(closedAt).toBeGreaterThanOrEqual(0);
    expect(n.stderr.slice(closedAt + 1)).toEqual([]);
    // A write_ok may only have gone out if the node led before the close, never after it.
    const ledBeforeClose = n.stderr.slice(0, closedAt).some((l) => l.includes('elected leader'));
    const answered = n.stdout.some((l) => (l.parsed as { body?: { in_reply_to?: unknown } }).body?.in_reply_to === 2);
    if (answered) expect(ledBeforeClose).toBe(true);
  });

  it('names a msg_id that is not a number as such, not as missing', async () => {
    const n = start();
    n.send(init);
    await n.reply(1);
    n.send('{"src":"c1","dest":"n1","body":{"type":"read","key":1,"msg_id":"x"}}');
    n.send('{"src":"c1","dest":"n1","body":{"type":"read","key":1}}');
    n.send({ src: 'c1', dest: 'n1', body: { type: 'read', msg_id: 3, key: 1 } });
    await n.reply(3);
    expect(n.stderr.some((l) => l.includes('read from c1 has a msg_id that is not a number ("x"): cannot answer it, dropped'))).toBe(true);
    expect(n.stderr.some((l) => l.includes('read from c1 has no msg_id: cannot answer it, dropped'))).toBe(true);
  });

  it('--help shows both modes on stdout and exits 0, in either mode', async () => {
    for (const args of [['--help'], ['--id', '1', '--help']]) {
      const n = start(args);
      expect(await n.exit()).toBe(0);
      const out = n.stdout.map((l) => l.raw).join('\n');
      expect(out).toContain('Maelstrom mode');
      expect(out).toContain('--election-timeout MS');
      expect(out).toContain('--no-wal');
      expect(out).toContain('Standalone mode');
      expect(out).toContain('--peers LIST');
      expect(n.stderr).toEqual([]);
    }
  });

  it('refuses a bad configuration at start-up with a clear message and exit code 2', async () => {
    const n = start(['--election-timeout', '90', '--heartbeat-interval', '50']);
    expect(await n.exit()).toBe(2);
    expect(n.stderr.join('\n')).toMatch(/heartbeat interval 50 ms is more than a third/);
    expect(n.stdout).toEqual([]);
  });
});
