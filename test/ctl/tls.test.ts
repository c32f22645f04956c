// ctl's TLS pass-through against an https fake member (certificates made at test time by
// scripts/make-certs.sh, so no private key is committed): the CA is needed to connect, a member that asks for a client certificate
// gets --cert/--key, and a handshake that fails is "nothing was sent" (exit 1, never 3).
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TestCerts } from '../standalone/support/certs.ts';
import { ctl, fakeMember, type FakeMember } from './fake-members.ts';

// "server" names 127.0.0.1 too (make-certs.sh's default), so ctl's host check passes.
const certs = new TestCerts(['server', 'client']);
const server = certs.files('server');
const client = certs.files('client');
const serverTls = { cert: readFileSync(server.cert), key: readFileSync(server.key) };

const members: FakeMember[] = [];
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()));
});
afterAll(() => certs.remove());


describe('https endpoints', () => {
  it('reads over https with --cacert; without it the handshake fails and nothing is sent (exit 1)', async () => {
    const m = await fakeMember(() => ({ status: 200, body: { key: 'k', value: 'secret' } }), serverTls);
    members.push(m);
    expect(await ctl('--cacert', certs.ca, '--endpoints', m.endpoint, 'get', 'k')).toMatchObject({ code: 0, out: '"secret"\n' });
    const untrusted = await ctl('--command-timeout', '100', '--endpoints', m.endpoint, 'put', 'k', '1');
    expect(untrusted.code).toBe(1);
    expect(untrusted.err).toContain('unable to verify the first certificate');
    expect(m.received.map((q) => q.method)).toEqual(['GET']);
  });

  it('a bare host:port becomes https when --cacert is given', async () => {
    const m = await fakeMember(() => ({ status: 200, body: {} }), serverTls);
    members.push(m);
    const bare = m.endpoint.replace('https://', '');
    expect((await ctl('--cacert', certs.ca, '--endpoints', bare, 'put', 'k', '1')).code).toBe(0);
  });

  it('presents --cert/--key to a member that requires a client certificate', async () => {
    const m = await fakeMember(() => ({ status: 200, body: { members: [] } }), { ...serverTls, ca: readFileSync(certs.ca), requestCert: true, rejectUnauthorized: true });
    members.push(m);
    const withCert = await ctl('--cacert', certs.ca, '--cert', client.cert, '--key', client.key, '--endpoints', m.endpoint, 'member', 'list');
    expect(withCert.code, withCert.err).toBe(0);
    const without = await ctl('--command-timeout', '100', '--cacert', certs.ca, '--endpoints', m.endpoint, 'member', 'list');
    expect(without.code).toBe(1);
    expect(m.received).toHaveLength(1);
  });
});
