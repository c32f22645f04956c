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
