// The client port: HTTPS with and without client certificates, and the /admin/ gate (admin-auth.ts)
// in front of every operator endpoint: an unauthenticated caller gets 401/403 and the backend is
// never asked, however the path is spelled; a client certificate or the bearer token passes.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { HTTP_MAX_PIPELINED } from '../../src/standalone/limits.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { KvOperation } from '../../src/kv/operations.ts';
import { AdminGate, isAdminPath, isLoopbackHost, type AdminAuthSettings } from '../../src/standalone/admin-auth.ts';
import { DEFAULT_HTTP_OPTIONS, HttpApi, type HttpApiBackend } from '../../src/standalone/http-api.ts';
import type { HttpTlsConfig } from '../../src/standalone/security-config.ts';
import { TestCerts } from './support/certs.ts';
import { freePort, http, waitFor } from './support/cluster.ts';
import { httpsCall, namedCluster } from './support/tls-cluster.ts';

const certs = new TestCerts(['1', '2', '3']);
afterAll(() => certs.remove());
const TOKEN = 'operator-token-0123456789abcdef';

interface Recorded {
  submits: KvOperation[];
  transfers: (string | null)[];
}

function backend(rec: Recorded): HttpApiBackend {
  return {
    status: () => ({ id: 'x' }),
    submit: (op, respond) => {
      rec.submits.push(op);
      respond({ type: 'write_ok' });
    },
    transferLeader: async (to) => {
      rec.transfers.push(to);
      return { status: 200, body: { transferred: true } };
    },
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(options: { tls?: HttpTlsConfig | null; gate?: AdminAuthSettings }): Promise<{ url: string; rec: Recorded }> {
  const rec: Recorded = { submits: [], transfers: [] };
  const api = new HttpApi(backend(rec), {
    ...DEFAULT_HTTP_OPTIONS,
    tls: options.tls ?? null,
    ...(options.gate === undefined ? {} : { admin: new AdminGate(options.gate) }),
  });
  const port = await freePort();
  await api.listen('127.0.0.1', port);
  cleanups.push(() => api.close());
  return { url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`, rec };
}

function serverTls(clientCa: boolean): HttpTlsConfig {
  const own = certs.files('1');
  return { cert: readFileSync(own.cert), key: readFileSync(own.key), clientCa: clientCa ? readFileSync(certs.ca) : null };
}

/** Sends the request target exactly as given (no URL normalisation by the client). */
function rawTarget(url: string, target: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = httpRequest({ host: u.hostname, port: u.port, path: target, method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

describe('HTTPS for clients', () => {
  it('without --client-ca: any client that trusts the CA is served; plain HTTP is not', async () => {
    const { url, rec } = await serve({ tls: serverTls(false) });
    const status = await httpsCall(`${url}/status`, certs, { client: null });
    expect('error' in status ? status.error : status.status).toBe(200);
    const put = await httpsCall(`${url}/kv/k`, certs, { method: 'PUT', body: '1' });
    expect('error' in put ? put.error : put.status).toBe(200);
    expect(rec.submits).toEqual([{ type: 'write', key: 'k', value: 1 }]);
    expect(await http(`${url.replace('https', 'http')}/status`, { timeoutMs: 1000 })).not.toMatchObject({ status: 200 });
  });

  it('with --client-ca: served only with a certificate from that CA', async () => {
    const { url, rec } = await serve({ tls: serverTls(true) });
    const withCert = await httpsCall(`${url}/kv/k`, certs, { method: 'PUT', body: '1', client: certs.files('2') });
    expect('error' in withCert ? withCert.error : withCert.status).toBe(200);
    const noCert = await httpsCall(`${url}/kv/k`, certs, { method: 'PUT', body: '2', client: null });
    expect(noCert).toHaveProperty('error');
    const foreign = await httpsCall(`${url}/kv/k`, certs, { method: 'PUT', body: '3', client: certs.foreign('2') });
    expect(foreign).toHaveProperty('error');
    const expired = await httpsCall(`${url}/kv/k`, certs, { method: 'PUT', body: '4', client: certs.expired('2') });
    expect(expired).toHaveProperty('error');
    expect(rec.submits).toEqual([{ type: 'write', key: 'k', value: 1 }]);
  });
});

describe('HTTP limits', () => {
  it(`closes a connection that pipelines more than ${HTTP_MAX_PIPELINED} unanswered requests`, async () => {
    let asked = 0;
    const api = new HttpApi({ ...backend({ submits: [], transfers: [] }), status: () => ({ n: ++asked }) });
    const port = await freePort();
    await api.listen('127.0.0.1', port);
    cleanups.push(() => api.close());
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.pause(); // a slow reader: never reads an answer
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /status HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(1000));
    await waitFor('the server to take the requests', 3000, async () => (asked > 0 ? true : undefined));
    socket.resume(); // a paused socket never sees the close: read now, to learn that the server hung up
    await closed;
    expect(asked).toBeGreaterThan(0);
    expect(asked).toBeLessThanOrEqual(HTTP_MAX_PIPELINED);
    expect(await http(`http://127.0.0.1:${port}/status`)).toMatchObject({ status: 200 });
  });
});

describe('the /admin/ gate', () => {
  const ADMIN_TARGETS = ['/admin/transfer-leader', '/admin/transfer-leader?to=2', '/admin/members', '/admin/stop', '/ADMIN/transfer-leader', '//admin/transfer-leader', '/admin%2Ftransfer-leader', '/%61dmin/transfer-leader', '/admin'];

  it('on a plaintext loopback node without credentials configured it stays open (the course flow)', async () => {
    const { url, rec } = await serve({ gate: { httpHost: '127.0.0.1', clientCertAuth: false, adminToken: null } });
    expect(await rawTarget(url, '/admin/transfer-leader')).toBe(200);
    expect(rec.transfers).toEqual([null]);
  });

  it('with --admin-token-file: 401 without a token, 403 with a wrong one, and the backend is never asked', async () => {
    const { url, rec } = await serve({ gate: { httpHost: '127.0.0.1', clientCertAuth: false, adminToken: TOKEN } });
    for (const target of ADMIN_TARGETS) {
      expect(await rawTarget(url, target), target).toBe(401);
      expect(await rawTarget(url, target, { Authorization: 'Bearer wrong-token-wrong-token' }), target).toBe(403);
      expect(await rawTarget(url, target, { Authorization: `Basic ${TOKEN}` }), target).toBe(401);
    }
    expect(rec.transfers).toEqual([]);
    expect(await rawTarget(url, '/admin/transfer-leader?to=2', { Authorization: `Bearer ${TOKEN}` })).toBe(200);
    expect(rec.transfers).toEqual(['2']);
    // The rest of the API is not the operator's: it needs no token.
    expect((await http(`${url}/status`)) as { status: number }).toMatchObject({ status: 200 });
  });

  it('beyond loopback without any credentials configured: 403 to everyone', async () => {
    const { url, rec } = await serve({ gate: { httpHost: '0.0.0.0', clientCertAuth: false, adminToken: null } });
    for (const target of ADMIN_TARGETS) expect(await rawTarget(url, target, { Authorization: `Bearer ${TOKEN}` }), target).toBe(403);
    expect(rec.transfers).toEqual([]);
  });

  it('with --client-ca a client certificate is the credential', async () => {
    const { url, rec } = await serve({ tls: serverTls(true), gate: { httpHost: '127.0.0.1', clientCertAuth: true, adminToken: null } });
    const r = await httpsCall(`${url}/admin/transfer-leader`, certs, { method: 'POST', client: certs.files('2') });
    expect('error' in r ? r.error : r.status).toBe(200);
    expect(rec.transfers).toEqual([null]);
  });

  it('recognizes loopback hosts and admin paths', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.2', '128.0.0.1', 'example.com']) expect(isLoopbackHost(h), h).toBe(false);
    expect(isAdminPath('/kv/admin', '/kv/admin')).toBe(false);
    expect(isAdminPath('/administrator', '/administrator')).toBe(false);
    expect(isAdminPath('/x', '/\\admin/stop')).toBe(true);
  });
});

describe('admin endpoints of a running node', () => {
  it('refuse unauthenticated callers: leadership stays where it was', async () => {
    const c = await namedCluster({ size: 3, extraArgs: [] });
    const tokenFile = join(c.cluster.dataRoot, 'admin-token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    for (const s of c.cluster.specs) s.args.push('--admin-token-file', tokenFile);
    c.cluster.startAll();
    cleanups.push(() => c.cluster.destroy());
    const leader = await c.cluster.agreedLeader(15_000);
    const url = `${c.cluster.spec(leader.id).httpUrl}`;
    expect(await rawTarget(url, '/admin/transfer-leader')).toBe(401);
    expect(await rawTarget(url, '/admin/transfer-leader', { Authorization: 'Bearer not-the-token-at-all' })).toBe(403);
    const still = await c.cluster.agreedLeader(5000);
    expect([still.id, still.term]).toEqual([leader.id, leader.term]);
    expect(await rawTarget(url, '/admin/transfer-leader', { Authorization: `Bearer ${TOKEN}` })).toBe(200);
    await waitFor('a new leader', 5000, async () => {
      const s = await c.cluster.agreedLeader(5000);
      return s.id !== leader.id ? s : undefined;
    });
  });
});
