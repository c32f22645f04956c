// The HTTP API in-process, over a scripted backend: how each kind of host reply becomes a status,
// in particular that unknown outcomes (timeout, crash, no answer at all) never pass for failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientReply } from '../../src/host/raft-host.ts';
import type { KvOperation } from '../../src/kv/operations.ts';
import { ErrorCode } from '../../src/protocol/messages.ts';
import { HttpApi } from '../../src/standalone/http-api.ts';
import { freePort, http } from './support/cluster.ts';

/** The reply each key gets; 'silent' never answers. */
const script: Record<string, ClientReply | 'silent'> = {
  unknown: { type: 'error', code: ErrorCode.timeout, text: 'leader did not answer in time; outcome unknown' },
  crashed: { type: 'error', code: ErrorCode.crash, text: 'internal error; outcome unknown' },
  refused: { type: 'error', code: ErrorCode.temporarilyUnavailable, text: 'not the leader' },
  silent: 'silent',
};

describe('HTTP statuses for each kind of outcome', () => {
  let api: HttpApi;
  let base: string;
  const seen: KvOperation[] = [];
  beforeAll(async () => {
    api = new HttpApi(
      {
        status: () => ({ id: 'x' }),
        submit: (op, respond) => {
          seen.push(op);
          const reply = script[String(op.key)];
          if (reply === undefined) respond({ type: 'write_ok' });
          else if (reply !== 'silent') respond(reply);
        },
        transferLeader: (to) => Promise.resolve({ status: to === 'nobody' ? 409 : 200, body: { asked: to } }),
      },
      { maxBodyBytes: 100, requestDeadlineMs: 300, retryAfterSeconds: 2 },
    );
    const port = await freePort();
    await api.listen('127.0.0.1', port);
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await api.close();
  });

  it.each([
    ['unknown', 504],
    ['crashed', 500],
    ['silent', 504],
  ])('%s -> %i, and the body says the write may have happened', async (key, status) => {
    const r = await http(`${base}/kv/${key}`, { method: 'PUT', body: '1' });
    if (r === 'unreachable') throw new Error('no answer');
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ outcome: expect.stringContaining('may or may not have happened') });
  });

  it('a definite refusal is 503 with the configured Retry-After, and says nothing was applied', async () => {
    const r = await http(`${base}/kv/refused`, { method: 'PUT', body: '1' });
    if (r === 'unreachable') throw new Error('no answer');
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('2');
    expect(r.json).toMatchObject({ outcome: 'not applied; retry later' });
  });

  it('passes the parsed operation to the host, and refuses oversized bodies before reaching it', async () => {
    seen.length = 0;
    const ok = await http(`${base}/kv/plain/cas`, { method: 'POST', body: '{"from": [1], "to": {"a": null}}' });
    expect(ok === 'unreachable' ? ok : ok.status).toBe(200);
    expect(seen).toEqual([{ type: 'cas', key: 'plain', from: [1], to: { a: null } }]);
    const big = await http(`${base}/kv/plain`, { method: 'PUT', body: `"${'z'.repeat(200)}"` });
    expect(big === 'unreachable' ? big : big.status).toBe(413);
    expect(seen).toHaveLength(1);
  });
});

describe('POST /admin/transfer-leader', () => {
  it('passes ?to= (or null) to the backend and answers with what it says; other methods get 405', async () => {
    const api = new HttpApi({
      status: () => ({}),
      submit: () => {},
      transferLeader: (to) => Promise.resolve({ status: to === 'nobody' ? 409 : 200, body: { asked: to } }),
    });
    const port = await freePort();
    await api.listen('127.0.0.1', port);
    try {
      const named = await http(`http://127.0.0.1:${port}/admin/transfer-leader?to=2`, { method: 'POST' });
      expect(named === 'unreachable' ? named : [named.status, named.json]).toEqual([200, { asked: '2' }]);
      const any = await http(`http://127.0.0.1:${port}/admin/transfer-leader`, { method: 'POST' });
      expect(any === 'unreachable' ? any : [any.status, any.json]).toEqual([200, { asked: null }]);
      const refused = await http(`http://127.0.0.1:${port}/admin/transfer-leader?to=nobody`, { method: 'POST' });
      expect(refused === 'unreachable' ? refused : refused.status).toBe(409);
      const get = await http(`http://127.0.0.1:${port}/admin/transfer-leader`);
      expect(get === 'unreachable' ? get : get.status).toBe(405);
    } finally {
      await api.close();
    }
  });
});

describe('drain: a stopping node answers the requests it took, and takes no new ones', () => {
  it('waits for a request in flight, then refuses connections', async () => {
    let answerLater: (() => void) | null = null;
    const api = new HttpApi({
      status: () => ({}),
      submit: (_op, respond) => {
        answerLater = () => respond({ type: 'write_ok' });
      },
      transferLeader: () => Promise.resolve({ status: 200, body: {} }),
    });
    const port = await freePort();
    await api.listen('127.0.0.1', port);
    const write = http(`http://127.0.0.1:${port}/kv/k`, { method: 'PUT', body: '1' });
    for (let i = 0; i < 100 && answerLater === null; i++) await new Promise((r) => setTimeout(r, 5));
    expect(api.pendingRequests()).toBe(1);
    let drained = false;
    const draining = api.drain(5000).then(() => {
      drained = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(drained).toBe(false);
    (answerLater as unknown as () => void)();
    const r = await write;
    expect(r === 'unreachable' ? r : r.status).toBe(200);
    await draining;
    expect(api.pendingRequests()).toBe(0);
    expect(await http(`http://127.0.0.1:${port}/status`, { timeoutMs: 500 })).toBe('unreachable');
    await api.close();
  });
});
