// The HTTP API's statuses and bodies, against real dist/node.js processes: 200/404/409/400/413/405
// on a working cluster (asked through a follower too), and 503 + Retry-After from a node left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, LoopbackCluster, waitFor, type HttpResult } from './support/cluster.ts';

function answered(r: HttpResult | 'unreachable'): HttpResult {
  if (r === 'unreachable') throw new Error('node did not answer');
  return r;
}

describe('standalone HTTP API on a running cluster', () => {
  let c: LoopbackCluster;
  let follower: string;
  beforeAll(async () => {
    c = await LoopbackCluster.create(3);
    c.startAll();
    const leader = await c.agreedLeader(10_000);
    follower = c.specs.map((s) => s.name).find((n) => n !== leader.id) as string;
  });
  afterAll(async () => {
    await c.destroy();
  });

  it('reports status with the fields the issue names', async () => {
    const s = answered(await http(`${c.spec(follower).httpUrl}/status`));
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({ id: follower, state: 'follower' });
    for (const field of ['term', 'commitIndex', 'lastLogIndex']) expect(typeof (s.json as Record<string, unknown>)[field]).toBe('number');
    expect(typeof (s.json as Record<string, unknown>)['leader']).toBe('string');
  });

  it('answers 404 for a missing key and 200 once it is written, any JSON value', async () => {
    const missing = await c.kvSettled(follower, 'never-written');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: 'key does not exist', key: 'never-written' });
    const value = { nested: [1, 'two', null, true] };
    expect((await c.kvSettled(follower, 'doc', 'PUT', JSON.stringify(value))).status).toBe(200);
    expect((await c.kvSettled(follower, 'doc')).json).toEqual({ key: 'doc', value });
  });

  it('compare-and-set: 200 when the value matches, 409 when it does not, 404 on a missing key', async () => {
    expect((await c.kvSettled(follower, 'counter', 'PUT', '1')).status).toBe(200);
    const cas = (body: string): Promise<HttpResult | 'unreachable'> => http(`${c.spec(follower).httpUrl}/kv/counter/cas`, { method: 'POST', body, timeoutMs: 8000 });
    expect(answered(await cas('{"from": 1, "to": 2}')).status).toBe(200);
    const mismatch = answered(await cas('{"from": 1, "to": 3}'));
    expect(mismatch.status).toBe(409);
    expect(mismatch.json).toMatchObject({ key: 'counter' });
    expect((await c.kvSettled(follower, 'counter')).json).toEqual({ key: 'counter', value: 2 });
    const absent = answered(await http(`${c.spec(follower).httpUrl}/kv/no-such-counter/cas`, { method: 'POST', body: '{"from": 1, "to": 2}' }));
    expect(absent.status).toBe(404);
  });

  it('treats a percent-encoded slash as part of the key, not as a route', async () => {
    expect((await c.kvSettled(follower, 'a/cas', 'PUT', '"slashed"')).status).toBe(200);
    expect((await c.kvSettled(follower, 'a/cas')).json).toEqual({ key: 'a/cas', value: 'slashed' });
    expect((await c.kvSettled(follower, 'a')).status).toBe(404);
  });

  it('refuses bad JSON with 400, a cas body without from/to with 400, and bodies over 1 MiB with 413', async () => {
    const bad = answered(await c.kv(follower, 'k', 'PUT', '{"unterminated": '));
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'request body is not valid JSON' });
    const casBody = answered(await http(`${c.spec(follower).httpUrl}/kv/k/cas`, { method: 'POST', body: '{"to": 1}' }));
    expect(casBody.status).toBe(400);
    const big = `"${'x'.repeat(1024 * 1024 + 10)}"`;
    const tooLarge = answered(await c.kv(follower, 'k', 'PUT', big));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json).toMatchObject({ error: expect.stringContaining('larger than') });
    // Just under the limit is fine.
    const fits = `"${'y'.repeat(1000 * 1000)}"`;
    expect((await c.kvSettled(follower, 'big', 'PUT', fits)).status).toBe(200);
  });

  it('answers unknown endpoints with 404 and wrong methods with 405, always in JSON', async () => {
    const unknown = answered(await http(`${c.spec(follower).httpUrl}/nope`));
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toBe('application/json');
    const wrong = answered(await http(`${c.spec(follower).httpUrl}/kv/k`, { method: 'DELETE' }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers['allow']).toBe('GET, PUT');
  });
});

describe('standalone HTTP API without a quorum', () => {
  let c: LoopbackCluster;
  beforeAll(async () => {
    c = await LoopbackCluster.create(3);
    c.start('1'); // its two peers never start
    await waitFor('node 1 to open its HTTP port', 10_000, () => c.status('1'));
  });
  afterAll(async () => {
    await c.destroy();
  });

  it('answers 503 with Retry-After for reads and writes when no leader can be elected', async () => {
    for (const [method, body] of [['PUT', '"v"'], ['GET', undefined]] as const) {
      const r = answered(await c.kv('1', 'k', method, body));
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json).toMatchObject({ error: expect.stringContaining('no leader') });
    }
    const s = await c.status('1');
    expect(s).toMatchObject({ id: '1', leader: null });
    expect(s?.state).not.toBe('leader');
  });
});
