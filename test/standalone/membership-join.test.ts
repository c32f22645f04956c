// The join request on the peer port, in-process: a new node dials any member's peer address and
// asks to be added as a learner; the member answers once, on the same connection. With peer TLS the
// joiner's certificate must name the id it asks to join as, checked like the hello: a certificate
// for someone else (or none from the cluster CA) is refused before the request reaches the node.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { askToJoin, Joiner } from '../../src/standalone/join-client.ts';
import { PeerListener } from '../../src/standalone/peer-listener.ts';
import type { PeerTlsConfig } from '../../src/standalone/security-config.ts';
import type { JoinReply, JoinRequest } from '../../src/standalone/wire.ts';
import { TestCerts } from './support/certs.ts';
import { freePort, waitFor } from './support/cluster.ts';

const certs = new TestCerts(['1', '4']);
afterAll(() => certs.remove());

function tlsFor(id: string, dir: 'own' | 'foreign' = 'own'): PeerTlsConfig {
  const f = dir === 'own' ? certs.files(id) : certs.foreign(id);
  return { cert: readFileSync(f.cert), key: readFileSync(f.key), ca: readFileSync(certs.ca) };
}

const request: JoinRequest = { type: 'join', id: '4', name: '4', address: '127.0.0.1:9004' };

describe('join requests on the peer port', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function member(answer: (r: JoinRequest) => JoinReply | null, tls: PeerTlsConfig | null = null): Promise<{ port: number; asked: JoinRequest[]; logs: string[] }> {
    const port = await freePort();
    const asked: JoinRequest[] = [];
    const logs: string[] = [];
    const listener = new PeerListener(
      {
        isPeer: () => false,
        onHello: () => {},
        onLine: () => {},
        onJoin: (r, reply) => {
          asked.push(r);
          const a = answer(r);
          if (a !== null) reply(a);
        },
      },
      (_l, t) => logs.push(t),
      tls,
    );
    await listener.listen('127.0.0.1', port);
    cleanups.push(() => listener.close());
    return { port, asked, logs };
  }

  it('a member that is no one\'s peer yet still takes the request and answers on the same connection', async () => {
    const m = await member(() => ({ type: 'join_reply', outcome: 'added', reason: 'added 4 (127.0.0.1:9004) as learner at index 7' }));
    const reply = await askToJoin({ host: '127.0.0.1', port: m.port }, request, null, 2000);
    expect(reply).toEqual({ type: 'join_reply', outcome: 'added', reason: 'added 4 (127.0.0.1:9004) as learner at index 7' });
    expect(m.asked).toEqual([request]);
  });

  it('no answer after the request left is "unknown" (it may have happened); a refused connection is "unavailable"', async () => {
    const m = await member(() => null);
    expect((await askToJoin({ host: '127.0.0.1', port: m.port }, request, null, 300)).outcome).toBe('unknown');
    const nobody = await freePort();
    expect((await askToJoin({ host: '127.0.0.1', port: nobody }, request, null, 300)).outcome).toBe('unavailable');
  });

  it('the joiner asks again after "not now" until it is added, then stops', async () => {
    let n = 0;
    const m = await member(() => (++n < 3 ? { type: 'join_reply', outcome: 'unavailable', reason: 'no leader' } : { type: 'join_reply', outcome: 'added', reason: 'ok' }));
    const logs: string[] = [];
    const joiner = new Joiner({ host: '127.0.0.1', port: m.port }, request, null, () => false, (l, t) => logs.push(`${l} ${t}`), { attemptTimeoutMs: 1000, backoffMinMs: 5, backoffMaxMs: 20 });
    cleanups.push(() => joiner.stop());
    joiner.start();
    await waitFor('the join to be accepted', 3000, async () => logs.find((l) => l.includes('join accepted')));
    expect(m.asked).toHaveLength(3);
  });

  it('a joiner that is already in the configuration does not ask at all', async () => {
    const m = await member(() => ({ type: 'join_reply', outcome: 'added', reason: 'ok' }));
    const joiner = new Joiner({ host: '127.0.0.1', port: m.port }, request, null, () => true, () => {});
    joiner.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(m.asked).toEqual([]);
  });

  describe('with peer TLS', () => {
    it('a joiner whose certificate names the id it asks for is heard', async () => {
      const m = await member(() => ({ type: 'join_reply', outcome: 'added', reason: 'ok' }), tlsFor('1'));
      expect((await askToJoin({ host: '127.0.0.1', port: m.port }, request, tlsFor('4'), 3000)).outcome).toBe('added');
      expect(m.asked).toEqual([request]);
    });

    it('a joiner whose certificate names someone else is refused before the node hears of it', async () => {
      const m = await member(() => ({ type: 'join_reply', outcome: 'added', reason: 'ok' }), tlsFor('1'));
      const reply = await askToJoin({ host: '127.0.0.1', port: m.port }, request, tlsFor('stranger'), 3000);
      expect(reply.outcome).not.toBe('added');
      expect(m.asked).toEqual([]);
      await waitFor('the refusal line', 2000, async () => m.logs.find((l) => l.includes('asks to join as "4" but its certificate names "stranger"')));
    });

    it('a certificate from another CA is refused in the handshake', async () => {
      const m = await member(() => ({ type: 'join_reply', outcome: 'added', reason: 'ok' }), tlsFor('1'));
      const reply = await askToJoin({ host: '127.0.0.1', port: m.port }, request, { ...tlsFor('4', 'foreign'), ca: readFileSync(certs.ca) }, 3000);
      expect(reply.outcome).not.toBe('added');
      expect(m.asked).toEqual([]);
    });
  });
});
