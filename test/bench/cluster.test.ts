// The bench cluster against tiny fixture nodes: routing, services, partitions, statistics, latency,
// start-up failures, bad output, kill/restart and process hygiene.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, ClusterError, type BenchClient, type ClusterOptions } from '../../maelstrom/cluster.ts';
import { parseNodeLine } from '../../maelstrom/envelope.ts';
import { LineSplitter } from '../../maelstrom/line-splitter.ts';
import { Network } from '../../maelstrom/net.ts';
import { livePids } from '../../maelstrom/node-process.ts';
import { Random } from '../../maelstrom/random.ts';
import { EventualKv, LinearizableKv, SequentialKv, TimestampOracle } from '../../maelstrom/services.ts';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'nodes');
const fixture = (name: string): string => resolve(FIXTURES, name);

const started: Cluster[] = [];
async function startCluster(options: Partial<ClusterOptions> & { bin: string }): Promise<Cluster> {
  const cluster = await Cluster.start({ nodeIds: ['n0'], seed: 1, ...options });
  started.push(cluster);
  return cluster;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
});

/** Sends and insists on a reply (a timeout here means the bench lost a message). */
async function ask(client: BenchClient, body: { type: string; [field: string]: unknown }, timeoutMs = 2000): Promise<Record<string, unknown>> {
  const outcome = await client.request(body, timeoutMs);
  if (outcome.kind !== 'reply') throw new Error(`no reply to ${JSON.stringify(body)} within ${timeoutMs} ms`);
  return outcome.body;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('routing through a node process', () => {
  it('delivers client requests to single-kv and matches replies, with Maelstrom error codes', async () => {
    const cluster = await startCluster({ bin: fixture('single-kv.mjs') });
    const client = cluster.openClient('n0');
    expect(client.id).toBe('c1'); // c0 was n0's init client
    expect(await ask(client, { type: 'read', key: 0 })).toMatchObject({ type: 'error', code: 20, in_reply_to: 1 });
    expect(await ask(client, { type: 'write', key: 0, value: 5 })).toEqual({ type: 'write_ok', in_reply_to: 2 });
    expect(await ask(client, { type: 'cas', key: 0, from: 4, to: 6 })).toMatchObject({ type: 'error', code: 22, in_reply_to: 3 });
    expect(await ask(client, { type: 'cas', key: 0, from: 5, to: 6 })).toEqual({ type: 'cas_ok', in_reply_to: 4 });
    expect(await ask(client, { type: 'read', key: 0 })).toEqual({ type: 'read_ok', value: 6, in_reply_to: 5 });
    expect(cluster.problems()).toEqual([]);
  });

  it('lets two clients talk to one node at once, each getting its own replies', async () => {
    const cluster = await startCluster({ bin: fixture('single-kv.mjs') });
    const a = cluster.openClient('n0');
    const b = cluster.openClient('n0');
    const [ra, rb] = await Promise.all([ask(a, { type: 'write', key: 'a', value: 1 }), ask(b, { type: 'write', key: 'b', value: 2 })]);
    expect([ra, rb]).toEqual([{ type: 'write_ok', in_reply_to: 1 }, { type: 'write_ok', in_reply_to: 1 }]);
    expect((await ask(b, { type: 'read', key: 'a' }))['value']).toBe(1);
  });
});

describe('services', () => {
  const random = new Random(7);
  const body = (type: string, fields: Record<string, unknown> = {}): Record<string, unknown> => ({ type, msg_id: 1, ...fields });

  it('lin-kv: missing key 20, cas mismatch 22, create_if_not_exists, deep-equal values', () => {
    const kv = new LinearizableKv();
    expect(kv.handle('n0', body('read', { key: 'k' }))).toEqual({ type: 'error', code: 20, text: 'key does not exist' });
    expect(kv.handle('n0', body('cas', { key: 'k', from: null, to: 1 }))).toMatchObject({ code: 20 });
    expect(kv.handle('n0', body('cas', { key: 'k', from: null, to: { a: 1, b: [2] }, create_if_not_exists: true }))).toEqual({ type: 'cas_ok' });
    expect(kv.handle('n0', body('read', { key: 'k' }))).toEqual({ type: 'read_ok', value: { a: 1, b: [2] } });
    expect(kv.handle('n0', body('cas', { key: 'k', from: 7, to: 8 }))).toEqual({ type: 'error', code: 22, text: 'current value {"a":1,"b":[2]} is not 7' });
    // Object key order does not matter to equality, as with Clojure maps.
    expect(kv.handle('n0', body('cas', { key: 'k', from: { b: [2], a: 1 }, to: 8 }))).toEqual({ type: 'cas_ok' });
    expect(kv.handle('n0', body('write', { key: [1, 'x'], value: 3 }))).toEqual({ type: 'write_ok' });
    expect(kv.handle('n0', body('read', { key: [1, 'x'] }))).toEqual({ type: 'read_ok', value: 3 });
    expect(kv.handle('n0', body('frobnicate'))).toBeNull();
  });

  it('seq-kv: writes land on the newest state; a caller never reads older than what it saw', () => {
    const kv = new SequentialKv(random.fork('seq'));
    expect(kv.handle('n0', body('cas', { key: 'k', from: 0, to: 1, create_if_not_exists: true }))).toEqual({ type: 'cas_ok' });
    for (let v = 2; v <= 20; v++) expect(kv.handle('n0', body('write', { key: 'k', value: v }))).toEqual({ type: 'write_ok' });
    // The writer observed the newest state, so it reads its own last write.
    expect(kv.handle('n0', body('read', { key: 'k' }))).toEqual({ type: 'read_ok', value: 20 });
    // Another caller may read stale values, but never goes backwards.
    let last = -1;
    const seen = new Set<unknown>();
    for (let i = 0; i < 200; i++) {
      const reply = kv.handle('n1', body('read', { key: 'k' }));
      const value = reply?.['type'] === 'read_ok' ? (reply['value'] as number) : 0; // 0: the key did not exist yet
      expect(value).toBeGreaterThanOrEqual(last);
      last = value;
      seen.add(value);
    }
    expect(seen.size).toBeGreaterThan(1); // staleness really happens
  });

  it('lww-kv: each request hits one of 2 replicas, and cas has no create_if_not_exists', () => {
    const kv = new EventualKv(random.fork('lww'));
    expect(kv.handle('n0', body('cas', { key: 'k', from: null, to: 1, create_if_not_exists: true }))).toMatchObject({ code: 20 });
    kv.handle('n0', body('write', { key: 'k', value: 1 }));
    const answers = new Set<string>();
    for (let i = 0; i < 50; i++) answers.add(JSON.stringify(kv.handle('n0', body('read', { key: 'k' }))));
    // One replica has the write, the other never hears of it (Maelstrom's merge does not take effect).
    expect([...answers].sort()).toEqual([JSON.stringify({ type: 'error', code: 20, text: 'key does not exist' }), JSON.stringify({ type: 'read_ok', value: 1 })].sort());
  });

  it('lin-tso: timestamps 0, 1, 2', () => {
    const tso = new TimestampOracle();
    expect([0, 1, 2].map(() => tso.handle('n0', body('ts')))).toEqual([0, 1, 2].map((ts) => ({ type: 'ts_ok', ts })));
  });

  it('answer nodes through the network with in_reply_to set to the request msg_id', async () => {
    const cluster = await startCluster({ bin: fixture('relay.mjs') });
    const client = cluster.openClient('n0');
    const via = async (to: string, request: Record<string, unknown>): Promise<unknown> => (await ask(client, { type: 'relay', to, request }))['reply'];
    expect(await via('lin-kv', { type: 'read', key: 'x' })).toEqual({ type: 'error', code: 20, text: 'key does not exist', in_reply_to: 1 });
    expect(await via('lin-kv', { type: 'cas', key: 'x', from: null, to: 'v', create_if_not_exists: true })).toEqual({ type: 'cas_ok', in_reply_to: 2 });
    expect(await via('lin-kv', { type: 'cas', key: 'x', from: 'w', to: 'z' })).toMatchObject({ type: 'error', code: 22, in_reply_to: 3 });
    expect(await via('lin-kv', { type: 'read', key: 'x' })).toEqual({ type: 'read_ok', value: 'v', in_reply_to: 4 });
    expect(await via('seq-kv', { type: 'write', key: 'x', value: 1 })).toEqual({ type: 'write_ok', in_reply_to: 5 });
    expect(await via('lww-kv', { type: 'write', key: 'x', value: 1 })).toEqual({ type: 'write_ok', in_reply_to: 6 });
    expect(await via('lin-tso', { type: 'ts' })).toEqual({ type: 'ts_ok', ts: 0, in_reply_to: 7 });
    // An unknown request gets no reply at all, and a warning.
    expect((await client.request({ type: 'relay', to: 'lin-tso', request: { type: 'what' } }, 300)).kind).toBe('timeout');
    expect(cluster.warnings().some((w) => w.startsWith('lin-tso: no reply'))).toBe(true);
  });
});

describe('partitions', () => {
  it('drop node-to-node messages only, per receiver, until healed', async () => {
    const cluster = await startCluster({ bin: fixture('relay.mjs'), nodeIds: ['n0', 'n1', 'n2'] });
    const client0 = cluster.openClient('n0');
    const client1 = cluster.openClient('n1');
    const ping = (from: BenchClient, to: string): Promise<string> =>
      from.request({ type: 'relay', to, request: { type: 'ping' } }, 300).then((o) => (o.kind === 'reply' ? String((o.body['reply'] as Record<string, unknown>)['type']) : 'timeout'));

    expect(await ping(client0, 'n1')).toBe('pong');
    cluster.isolate('n1');
    expect(await ping(client0, 'n1')).toBe('timeout');
    expect(await ping(client1, 'n0')).toBe('timeout');
    expect(await ping(client0, 'n2')).toBe('pong');
    // Clients and services are never cut off.
    expect(await ask(client1, { type: 'ping' })).toMatchObject({ type: 'pong' });
    const viaIsolated = await ask(client1, { type: 'relay', to: 'lin-tso', request: { type: 'ts' } });
    expect(viaIsolated['reply']).toMatchObject({ type: 'ts_ok' });
    cluster.heal();
    expect(cluster.grudge().size).toBe(0);
    expect(await ping(client0, 'n1')).toBe('pong');

    // One-way cut: n1 drops what n0 sends, n0 still hears n1. The ping n0 -> n1 is lost...
    cluster.partition(new Map([['n1', new Set(['n0'])]]));
    expect(await ping(client0, 'n1')).toBe('timeout');
    // ...and n1's ping reaches n0 but n0's pong back to n1 is dropped, so that fails too.
    expect(await ping(client1, 'n0')).toBe('timeout');
    expect(await ping(client0, 'n2')).toBe('pong');
    expect(() => cluster.partition(new Map([['c1', new Set(['n0'])]]))).toThrow(/unknown node/);
  });
});

describe('net stats', () => {
  it('count sends, receives and messages per group as Maelstrom does, init included', async () => {
    const cluster = await startCluster({ bin: fixture('relay.mjs'), nodeIds: ['n0', 'n1'] });
    // init + init_ok for each of 2 nodes: all client traffic.
    expect(cluster.netStats().clients).toEqual({ sendCount: 4, recvCount: 4, msgCount: 4 });
    expect(cluster.netStats().servers).toEqual({ sendCount: 0, recvCount: 0, msgCount: 0 });
    const client = cluster.openClient('n0');
    await ask(client, { type: 'relay', to: 'n1', request: { type: 'ping' } }); // 2 client msgs, 2 node-to-node
    await ask(client, { type: 'relay', to: 'lin-kv', request: { type: 'read', key: 1 } }); // 2 client, 2 node-service
    cluster.isolate('n1');
    await client.request({ type: 'relay', to: 'n1', request: { type: 'ping' } }, 200); // 1 client sent + received, 1 server sent, dropped
    const stats = cluster.netStats();
    expect(stats.clients).toEqual({ sendCount: 9, recvCount: 9, msgCount: 9 });
    expect(stats.servers).toEqual({ sendCount: 5, recvCount: 4, msgCount: 5 });
    expect(stats.all).toEqual({ sendCount: 14, recvCount: 13, msgCount: 14 });
  });
});

describe('latency', () => {
  const sample = (dist: 'constant' | 'uniform' | 'exponential', meanMs: number, seed: number, n = 4000): number[] => {
    const net = new Network({ latency: { meanMs, dist }, random: new Random(seed), now: () => 0 });
    return Array.from({ length: n }, () => net.latencyFor({ src: 'n0', dest: 'n1' }));
  };
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('draws whole milliseconds from the chosen distribution, deterministically by seed', () => {
    expect(new Set(sample('constant', 12.7, 1))).toEqual(new Set([12]));
    const uniform = sample('uniform', 10, 1);
    expect(Math.min(...uniform)).toBe(0);
    expect(Math.max(...uniform)).toBe(19);
    expect(mean(uniform)).toBeGreaterThan(8.5); // expected 9.5 (integers 0..19)
    expect(mean(uniform)).toBeLessThan(10.5);
    const exponential = sample('exponential', 20, 1);
    expect(exponential.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    expect(mean(exponential)).toBeGreaterThan(17); // expected 19.5 after truncation
    expect(mean(exponential)).toBeLessThan(22);
    expect(Math.max(...exponential)).toBeGreaterThan(100); // the long tail shows up
    expect(sample('exponential', 20, 1, 50)).toEqual(sample('exponential', 20, 1, 50));
    expect(sample('exponential', 20, 2, 50)).not.toEqual(sample('exponential', 20, 1, 50));
  });

  it('applies to node and service traffic, never to clients', async () => {
    const net = new Network({ latency: { meanMs: 50, dist: 'constant' }, random: new Random(1), now: () => 0 });
    expect(net.latencyFor({ src: 'c3', dest: 'n0' })).toBe(0);
    expect(net.latencyFor({ src: 'n0', dest: 'c3' })).toBe(0);
    expect(net.latencyFor({ src: 'n0', dest: 'lin-kv' })).toBe(50);
    expect(net.latencyFor({ src: 'n0', dest: 'n0' })).toBe(50);

    const cluster = await startCluster({ bin: fixture('relay.mjs'), nodeIds: ['n0', 'n1'], latency: { meanMs: 50, dist: 'constant' } });
    const client = cluster.openClient('n0');
    let t0 = performance.now();
    await ask(client, { type: 'ping' });
    const clientRoundTrip = performance.now() - t0;
    t0 = performance.now();
    await ask(client, { type: 'relay', to: 'n1', request: { type: 'ping' } });
    const relayedRoundTrip = performance.now() - t0;
    console.log(`client round trip ${clientRoundTrip.toFixed(1)} ms; via n1 with 50 ms latency ${relayedRoundTrip.toFixed(1)} ms`);
    expect(relayedRoundTrip).toBeGreaterThanOrEqual(99); // two 50 ms hops, never faster
  });

  it('delivers asynchronously, never inside the sender\'s call', () => {
    const delivered: unknown[] = [];
    const net = new Network({ latency: { meanMs: 0, dist: 'constant' }, random: new Random(3), now: () => performance.now() });
    net.register('n0', () => {});
    net.register('n1', (m) => delivered.push(m.body));
    expect(net.send('n0', 'n1', { type: 'x' })).toEqual({ ok: true, id: 0 });
    expect(net.send('n0', 'nobody', { type: 'x' })).toMatchObject({ ok: false });
    expect(delivered).toEqual([]);
    net.close();
  });

  it('delivers in send order with constant latency and out of order with exponential latency', async () => {
    const run = async (dist: 'constant' | 'exponential'): Promise<number[]> => {
      const delivered: number[] = [];
      const net = new Network({ latency: { meanMs: 5, dist }, random: new Random(3), now: () => performance.now() });
      net.register('n0', () => {});
      net.register('n1', (m) => delivered.push(m.body['seq'] as number));
      for (let seq = 0; seq < 40; seq++) net.send('n0', 'n1', { type: 'x', seq });
      await waitFor(() => delivered.length === 40, 5000, 'all deliveries');
      net.close();
      return delivered;
    };
    const inOrder = Array.from({ length: 40 }, (_, i) => i);
    expect(await run('constant')).toEqual(inOrder);
    const shuffled = await run('exponential');
    expect([...shuffled].sort((a, b) => a - b)).toEqual(inOrder);
    expect(shuffled).not.toEqual(inOrder);
  });
});

describe('start-up failures', () => {
  it('crash-at-start: ClusterError naming the node, its exit status and its stderr', async () => {
    const error = await Cluster.start({ bin: fixture('crash-at-start.mjs'), nodeIds: ['n0', 'n1'], seed: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    const message = (error as ClusterError).message;
    expect(message).toMatch(/node n0 exited \(exit status 3\) before answering init/);
    expect(message).toContain('crash-at-start: giving up before init');
    expect((error as ClusterError).node).toBe('n0');
    expect(livePids()).toEqual([]);
  });

  it('no-init-reply: ClusterError after the init timeout, and no process left behind', async () => {
    const t0 = performance.now();
    const error = await Cluster.start({ bin: fixture('no-init-reply.mjs'), nodeIds: ['n0', 'n1', 'n2'], seed: 1, initTimeoutMs: 400 }).catch((e: unknown) => e);
    const elapsed = performance.now() - t0;
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as Error).message).toMatch(/node n0 did not respond to init within 400 ms/);
    expect((error as Error).message).toMatch(/and 2 more node\(s\) failed/);
    expect(elapsed).toBeGreaterThanOrEqual(399);
    expect(livePids()).toEqual([]);
  });

  it('a binary that is not executable is refused before anything starts', async () => {
    await expect(Cluster.start({ bin: resolve(FIXTURES, '_io.mjs'), nodeIds: ['n0'], seed: 1 })).rejects.toThrow(/not executable/);
    await expect(Cluster.start({ bin: resolve(FIXTURES, 'missing.mjs'), nodeIds: ['n0'], seed: 1 })).rejects.toThrow(/does not exist/);
    await expect(Cluster.start({ bin: fixture('single-kv.mjs'), nodeIds: ['c1'], seed: 1 })).rejects.toThrow(/reserves for clients/);
  });
});

describe('bad node output', () => {
  it('garbage-stdout: a bad-stdout problem naming the node and line, then nothing more is read', async () => {
    const cluster = await startCluster({ bin: fixture('garbage-stdout.mjs'), nodeIds: ['n0', 'n1'] });
    await waitFor(() => cluster.problems().length >= 2, 3000, 'bad-stdout problems');
    expect(cluster.problems().sort((a, b) => a.node.localeCompare(b.node))).toEqual([
      { kind: 'bad-stdout', node: 'n0', line: 'hello from garbage-stdout, this is not JSON' },
      { kind: 'bad-stdout', node: 'n1', line: 'hello from garbage-stdout, this is not JSON' },
    ]);
    const outcome = await cluster.openClient('n0').request({ type: 'write', key: 1, value: 1 }, 300);
    expect(outcome.kind).toBe('timeout');
  });

  it('envelopes are checked like Maelstrom checks them', () => {
    expect(parseNodeLine('{"src":"n0","dest":"c1","body":{"type":"x"}}')).toEqual({ kind: 'message', src: 'n0', dest: 'c1', body: { type: 'x' } });
    expect(parseNodeLine('{"id":3,"src":"n0","dest":"c1","body":{"type":"x"}}').kind).toBe('message');
    expect(parseNodeLine('')).toEqual({ kind: 'not-json' });
    expect(parseNodeLine('log: hello')).toEqual({ kind: 'not-json' });
    expect(parseNodeLine('[1]')).toMatchObject({ kind: 'invalid' });
    expect(parseNodeLine('{"src":"n0","body":{"type":"x"}}')).toMatchObject({ kind: 'invalid', reason: 'dest must be a string' });
    expect(parseNodeLine('{"src":"n0","dest":"c1","body":{"type":"x"},"extra":1}')).toMatchObject({ kind: 'invalid' });
    expect(parseNodeLine('{"id":1.5,"src":"n0","dest":"c1","body":{"type":"x"}}')).toMatchObject({ kind: 'invalid' });
    expect(parseNodeLine('{"src":"n0","dest":"c1","body":"x"}')).toMatchObject({ kind: 'invalid' });
    expect(parseNodeLine('{"src":"n0","dest":"c1","body":{}}')).toMatchObject({ kind: 'invalid', reason: 'body.type must be a string' });
  });

  it('stdout lines end at \\n, \\r or \\r\\n, even across chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push('a\nb\r');
    splitter.push('\nc\rd\r\n\ne');
    splitter.push('f');
    splitter.end();
    expect(lines).toEqual(['a', 'b', 'c', 'd', '', 'ef']);
  });
});

describe('process control', () => {
  it('kill drops messages, restart brings a fresh process back with a new init client', async () => {
    const cluster = await startCluster({ bin: fixture('single-kv.mjs'), nodeIds: ['n0', 'n1'] });
    const client = cluster.openClient('n1');
    await ask(client, { type: 'write', key: 1, value: 1 });
    const pid = cluster.pid('n1');
    expect(pid).toBeDefined();
    await cluster.kill('n1');
    expect(cluster.isRunning('n1')).toBe(false);
    expect(isAlive(pid as number)).toBe(false);
    expect((await client.request({ type: 'read', key: 1 }, 200)).kind).toBe('timeout');
    const initsBefore = cluster.netStats().clients.sendCount;
    await cluster.restart('n1');
    expect(cluster.isRunning('n1')).toBe(true);
    expect(cluster.netStats().clients.sendCount).toBe(initsBefore + 2); // init + init_ok
    // single-kv keeps its map in memory, so the restarted process starts empty.
    expect(await ask(client, { type: 'read', key: 1 })).toMatchObject({ code: 20 });
    expect(cluster.problems()).toEqual([]); // our own kills are not problems
  });

  it('reports a node that dies on its own as an exited problem', async () => {
    const cluster = await startCluster({ bin: fixture('single-kv.mjs') });
    await waitFor(() => cluster.stderrTail('n0').length > 0, 3000, 'the start-up line on stderr');
    process.kill(cluster.pid('n0') as number, 'SIGKILL');
    await waitFor(() => cluster.problems().length > 0, 3000, 'exited problem');
    expect(cluster.problems()).toEqual([{ kind: 'exited', node: 'n0', code: null, signal: 'SIGKILL', stderrTail: ['n0 initialized in [n0]'] }]);
    expect(cluster.isRunning('n0')).toBe(false);
  });

  it('stop() kills every node process and can be called twice', async () => {
    const cluster = await startCluster({ bin: fixture('single-kv.mjs'), nodeIds: ['n0', 'n1', 'n2'] });
    const pids = cluster.nodeIds.map((n) => cluster.pid(n) as number);
    expect(pids.every(isAlive)).toBe(true);
    await cluster.stop();
    await cluster.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(livePids()).toEqual([]);
    expect(cluster.problems()).toEqual([]);
  });
});

describe('process hygiene when the bench process itself goes away', () => {
  const holder = async (mode: 'signal' | 'throw'): Promise<{ pids: number[]; exited: Promise<unknown>; child: ReturnType<typeof spawn> }> => {
    const root = resolve(import.meta.dirname, '..', '..');
    const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'test/fixtures/nodes/_cluster-holder.ts', mode], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((done) => child.on('exit', done));
    const firstLine = await new Promise<string>((done, fail) => {
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) done(text.split('\n')[0] as string);
      });
      child.on('exit', () => fail(new Error(`holder exited before printing pids; stdout: ${text}`)));
    });
    return { pids: JSON.parse(firstLine) as number[], exited, child };
  };

  it('SIGTERM to the bench kills its node processes', async () => {
    const { pids, exited, child } = await holder('signal');
    expect(pids.length).toBe(2);
    expect(pids.every(isAlive)).toBe(true);
    child.kill('SIGTERM');
    await exited;
    await waitFor(() => !pids.some(isAlive), 3000, 'node processes to die');
  });

  it('an uncaught exception in the bench kills its node processes', async () => {
    const { pids, exited } = await holder('throw');
    expect(pids.every(isAlive)).toBe(true);
    await exited;
    await waitFor(() => !pids.some(isAlive), 3000, 'node processes to die');
  });
});
