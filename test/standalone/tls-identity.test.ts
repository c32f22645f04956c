// Peer identity in-process: an outbound link accepts only a server whose certificate names the
// member it dialled; the listener bounds connections that never identify themselves (the oldest is
// closed to make room) while a real member still gets in; the certificate-name rules.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PEER_MAX_UNIDENTIFIED } from '../../src/standalone/limits.ts';
import { certificateNames } from '../../src/standalone/peer-identity.ts';
import { PeerLink, type PeerLinkTiming } from '../../src/standalone/peer-link.ts';
import { PeerListener } from '../../src/standalone/peer-listener.ts';
import type { PeerTlsConfig } from '../../src/standalone/security-config.ts';
import { TestCerts } from './support/certs.ts';
import { freePort, waitFor } from './support/cluster.ts';

const FAST: PeerLinkTiming = { connectTimeoutMs: 500, backoffMinMs: 10, backoffMaxMs: 50, pingIntervalMs: 20, silenceLimitMs: 500, maxQueuedBytes: 1 << 20 };
const certs = new TestCerts(['a', 'b']);
afterAll(() => certs.remove());

function tlsFor(id: string, dir: 'own' | 'foreign' = 'own'): PeerTlsConfig {
  const f = dir === 'own' ? certs.files(id) : certs.foreign(id);
  return { cert: readFileSync(f.cert), key: readFileSync(f.key), ca: readFileSync(certs.ca) };
}

describe('peer identity over TLS', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function listenerAs(id: string): Promise<{ port: number; received: string[]; logs: string[]; listener: PeerListener }> {
    const port = await freePort();
    const received: string[] = [];
    const logs: string[] = [];
    const listener = new PeerListener({ isPeer: (p) => p === 'a', onHello: () => {}, onLine: (from, line) => received.push(`${from}: ${line}`) }, (_l, t) => logs.push(t), tlsFor(id));
    await listener.listen('127.0.0.1', port);
    cleanups.push(() => listener.close());
    return { port, received, logs, listener };
  }

  function linkTo(peer: string, port: number, tls: PeerTlsConfig, logs: string[]): PeerLink {
    const link = new PeerLink(peer, { host: '127.0.0.1', port }, { type: 'hello', id: 'a', name: 'a' }, (_l, t) => logs.push(t), FAST, tls);
    cleanups.push(() => link.close());
    link.start();
    return link;
  }

  it('a member with its own certificate connects to the member it dialled and delivers', async () => {
    const server = await listenerAs('b');
    const logs: string[] = [];
    const link = linkTo('b', server.port, tlsFor('a'), logs);
    await waitFor('the link to connect', 3000, async () => (link.isConnected() ? true : undefined));
    expect(link.send({ src: 'a', dest: 'b', body: { type: 'test' } })).toBe(true);
    await waitFor('delivery', 3000, async () => (server.received.length > 0 ? true : undefined));
    expect(server.received).toEqual(['a: {"src":"a","dest":"b","body":{"type":"test"}}']);
    expect(server.listener.unidentifiedConnections()).toBe(0); // the hello took it off the deadline
  });

  it('refuses a server whose certificate names another member: nothing is sent to it', async () => {
    const server = await listenerAs('a'); // the node at b's address holds a's certificate
    const logs: string[] = [];
    const link = linkTo('b', server.port, tlsFor('a'), logs);
    await waitFor('the refusal to be logged', 3000, async () => logs.find((l) => l.includes('names "a", not member "b"')));
    expect(link.isConnected()).toBe(false);
    expect(link.send({ src: 'a', dest: 'b', body: { type: 'test' } })).toBe(false);
    expect(server.received).toEqual([]);
  });

  it('refuses a server whose certificate comes from a foreign CA', async () => {
    const port = await freePort();
    const listener = new PeerListener({ isPeer: () => true, onHello: () => {}, onLine: () => {} }, () => {}, tlsFor('b', 'foreign'));
    await listener.listen('127.0.0.1', port);
    cleanups.push(() => listener.close());
    const logs: string[] = [];
    const link = linkTo('b', port, tlsFor('a'), logs);
    await waitFor('the refusal to be logged', 3000, async () => logs.find((l) => l.includes('cannot reach peer b') && /SELF_SIGNED|UNABLE_TO_VERIFY/.test(l)));
    expect(link.isConnected()).toBe(false);
  });

  it(`keeps at most ${PEER_MAX_UNIDENTIFIED} connections waiting for a hello; a real member still gets in`, async () => {
    const server = await listenerAs('b');
    const idle: Socket[] = [];
    let connected = 0;
    for (let i = 0; i < PEER_MAX_UNIDENTIFIED + 40; i++) {
      const s = connect({ host: '127.0.0.1', port: server.port });
      s.on('error', () => {});
      s.once('connect', () => connected++);
      idle.push(s);
    }
    cleanups.push(() => idle.forEach((s) => s.destroy()));
    // Every one got in (the guard may already be closing the oldest as the later ones arrive).
    await waitFor('all idle connections accepted', 5000, async () => (connected === idle.length ? true : undefined));
    await waitFor('the oldest to be closed', 3000, async () => (idle.filter((s) => s.destroyed || s.readableEnded).length >= 40 ? true : undefined));
    expect(server.listener.unidentifiedConnections()).toBeLessThanOrEqual(PEER_MAX_UNIDENTIFIED);
    const logs: string[] = [];
    const link = linkTo('b', server.port, tlsFor('a'), logs);
    await waitFor('the member to connect despite the crowd', 3000, async () => (link.isConnected() ? true : undefined));
    expect(link.send({ src: 'a', dest: 'b', body: { type: 'test' } })).toBe(true);
    await waitFor('delivery', 3000, async () => (server.received.length > 0 ? true : undefined));
  });
});

describe('certificate names', () => {
  it('DNS names of the subjectAltName (IP addresses are no member names); the CN only without any', () => {
    const cert = new X509Certificate(readFileSync(certs.files('a').cert));
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(certificateNames(cert)).toEqual(['a']);
    const ca = new X509Certificate(readFileSync(certs.ca));
    expect(certificateNames(ca)).toEqual([expect.stringMatching(/^raft cluster CA /)]);
  });
});
