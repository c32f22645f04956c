// Node-to-node TCP in-process: a link to a dead peer drops at once (never waits), connects once the
// peer appears, identifies itself with a hello, redials a peer that goes silent, and the listener
// refuses strangers.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerLink, type PeerLinkTiming } from '../../src/standalone/peer-link.ts';
import { PeerListener } from '../../src/standalone/peer-listener.ts';
import { freePort, waitFor } from './support/cluster.ts';

const FAST: PeerLinkTiming = { connectTimeoutMs: 500, backoffMinMs: 10, backoffMaxMs: 50, pingIntervalMs: 20, silenceLimitMs: 150, maxQueuedBytes: 1024 };

const envelope = (n: number): { src: string; dest: string; body: { type: string; n: number } } => ({ src: 'a', dest: 'b', body: { type: 'test', n } });

describe('peer links', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function listener(members: string[]): { received: string[]; hellos: string[]; logs: string[]; listener: PeerListener } {
    const received: string[] = [];
    const hellos: string[] = [];
    const logs: string[] = [];
    const l = new PeerListener(
      { isPeer: (id) => members.includes(id), onHello: (id, name) => hellos.push(`${id}/${name}`), onLine: (from, line) => received.push(`${from}: ${line}`) },
      (_level, text) => logs.push(text),
    );
    cleanups.push(() => l.close());
    return { received, hellos, logs, listener: l };
  }

  it('drops messages at once while the peer is down, then connects, says hello and delivers', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const link = new PeerLink('b', { host: '127.0.0.1', port }, { type: 'hello', id: 'a', name: 'node-a' }, (_l, t) => logs.push(t), FAST);
    cleanups.push(() => link.close());
    link.start();
    const startedAt = performance.now();
    expect(link.send(envelope(1))).toBe(false);
    expect(performance.now() - startedAt).toBeLessThan(50); // no waiting on a dead peer
    await waitFor('a failed attempt to be logged', 2000, async () => (logs.some((l) => l.includes('cannot reach peer b')) ? true : undefined));

    const server = listener(['a']);
    await server.listener.listen('127.0.0.1', port);
    await waitFor('the link to connect', 3000, async () => (link.isConnected() ? true : undefined));
    expect(link.send(envelope(2))).toBe(true);
    await waitFor('delivery', 2000, async () => (server.received.length > 0 ? true : undefined));
    expect(server.hellos).toEqual(['a/node-a']);
    expect(server.received).toEqual([`a: ${JSON.stringify(envelope(2))}`]);
    expect(link.dropped).toBe(1);
  });

  it('refuses a hello from a node that is not a member', async () => {
    const port = await freePort();
    const server = listener(['someone-else']);
    await server.listener.listen('127.0.0.1', port);
    const link = new PeerLink('b', { host: '127.0.0.1', port }, { type: 'hello', id: 'intruder', name: 'x' }, () => {}, FAST);
    cleanups.push(() => link.close());
    link.start();
    await waitFor('the refusal', 2000, async () => server.logs.find((l) => l.includes('refused connection from "intruder"')));
    link.send(envelope(3));
    expect(server.received).toEqual([]);
  });

  it('redials a peer that accepts the connection but never answers pings', async () => {
    const port = await freePort();
    let accepted = 0;
    const mute: Server = createServer((socket) => {
      accepted++;
      socket.on('error', () => {});
      socket.resume(); // reads everything, answers nothing: a peer behind a cut cable looks like this
    });
    await new Promise<void>((resolve) => mute.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => mute.close(() => resolve())));
    const logs: string[] = [];
    const link = new PeerLink('b', { host: '127.0.0.1', port }, { type: 'hello', id: 'a', name: 'a' }, (_l, t) => logs.push(t), FAST);
    cleanups.push(() => link.close());
    link.start();
    await waitFor('a second connection', 3000, async () => (accepted >= 2 ? true : undefined));
    expect(logs.some((l) => l.includes('peer b silent for 150 ms; redialling'))).toBe(true);
  });

  it('bounds what waits for a peer that stops reading: beyond the limit messages are dropped, not queued', async () => {
    const port = await freePort();
    const stalled: Server = createServer((socket) => {
      socket.on('error', () => {});
      socket.pause(); // never reads: kernel buffers fill, then the link's own buffer would grow without bound
    });
    await new Promise<void>((resolve) => stalled.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => {
      stalled.close();
    });
    const link = new PeerLink('b', { host: '127.0.0.1', port }, { type: 'hello', id: 'a', name: 'a' }, () => {}, { ...FAST, silenceLimitMs: 60_000 });
    cleanups.push(() => link.close());
    link.start();
    await waitFor('the link to connect', 3000, async () => (link.isConnected() ? true : undefined));
    const big = { src: 'a', dest: 'b', body: { type: 'test', pad: 'x'.repeat(64 * 1024) } };
    let accepted = 0;
    for (let i = 0; i < 2000 && link.dropped === 0; i++) {
      if (link.send(big)) accepted++;
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    console.log(`stalled peer: ${accepted} messages of 64 KiB accepted before the first drop`);
    expect(link.dropped).toBeGreaterThan(0);
    expect(link.send(big)).toBe(false); // still full: dropped immediately
  });
});
