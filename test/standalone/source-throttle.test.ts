// The source throttle (source-throttle.ts) and how both ports use it: an address whose connections
// keep breaking a port's limits is refused at accept for a while, with a penalty that doubles when
// it recurs; the clients and members on other addresses, and the host's own loopback address, are
// served all along. On Linux every 127.x.y.z is loopback, so a test connects "from another host"
// by binding its socket to 127.0.0.66 or the like.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HTTP_MAX_PIPELINED, THROTTLE_OFFENCES } from '../../src/standalone/limits.ts';
import { DEFAULT_HTTP_OPTIONS, HttpApi, type HttpApiBackend } from '../../src/standalone/http-api.ts';
import { PeerListener } from '../../src/standalone/peer-listener.ts';
import { canonicalAddress, PORT_THROTTLE, SourceThrottle, type ThrottleLimits } from '../../src/standalone/source-throttle.ts';
import { freePort, http, LoopbackCluster } from './support/cluster.ts';

const LIMITS: ThrottleLimits = { offences: 3, windowMs: 1000, firstPenaltyMs: 100, maxPenaltyMs: 400, forgetMs: 5000, maxSources: 4 };

function throttleAt(start = 0, exempt: (a: string) => boolean = () => false): { throttle: SourceThrottle; clock: { t: number } } {
  const clock = { t: start };
  return { throttle: new SourceThrottle(LIMITS, exempt, () => clock.t), clock };
}

describe('SourceThrottle', () => {
  it('refuses an address after `offences` offences within the window, for the first penalty', () => {
    const { throttle, clock } = throttleAt();
    expect(throttle.offend('10.0.0.9')).toEqual({ refused: false });
    expect(throttle.offend('10.0.0.9')).toEqual({ refused: false });
    expect(throttle.refuses('10.0.0.9')).toBe(false);
    expect(throttle.offend('10.0.0.9')).toEqual({ refused: true, penaltyMs: 100, offences: 3 });
    expect(throttle.refuses('10.0.0.9')).toBe(true);
    expect(throttle.refuses('10.0.0.8')).toBe(false);
    clock.t += 100;
    expect(throttle.refuses('10.0.0.9')).toBe(false);
  });

  it('does not refuse offences spread wider than the window', () => {
    const { throttle, clock } = throttleAt();
    for (let i = 0; i < 10; i++) {
      expect(throttle.offend('10.0.0.9').refused).toBe(false);
      clock.t += 600; // two per window at most: never three
    }
    expect(throttle.refuses('10.0.0.9')).toBe(false);
  });

  it('doubles the penalty each time it recurs, up to the maximum, and starts over once forgotten', () => {
    const { throttle, clock } = throttleAt();
    const penalties: number[] = [];
    for (let round = 0; round < 5; round++) {
      let outcome = throttle.offend('10.0.0.9');
      while (!outcome.refused) outcome = throttle.offend('10.0.0.9');
      penalties.push(outcome.penaltyMs);
      clock.t += outcome.penaltyMs; // it served its time, then offends again at once
    }
    expect(penalties).toEqual([100, 200, 400, 400, 400]);
    clock.t += LIMITS.forgetMs;
    throttle.offend('10.0.0.9');
    throttle.offend('10.0.0.9');
    expect(throttle.offend('10.0.0.9')).toMatchObject({ refused: true, penaltyMs: 100 });
  });

  it('never refuses the own loopback address or an exempt one, and asks the exemption again at accept', () => {
    let memberHost = false;
    const { throttle } = throttleAt(0, (a) => memberHost && a === '10.0.0.2');
    for (let i = 0; i < 10; i++) {
      expect(throttle.offend('127.0.0.1').refused).toBe(false);
      expect(throttle.offend('::1').refused).toBe(false);
      expect(throttle.offend('::ffff:127.0.0.1').refused).toBe(false);
    }
    for (let i = 0; i < 3; i++) throttle.offend('10.0.0.2');
    expect(throttle.refuses('10.0.0.2')).toBe(true);
    memberHost = true; // the address became a member's host: let in at once
    expect(throttle.refuses('10.0.0.2')).toBe(false);
    expect(throttle.offend('10.0.0.2').refused).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 one', () => {
    const { throttle } = throttleAt();
    throttle.offend('::ffff:10.0.0.9');
    throttle.offend('10.0.0.9');
    expect(throttle.offend('::FFFF:10.0.0.9'.toLowerCase()).refused).toBe(true);
    expect(throttle.refuses('10.0.0.9')).toBe(true);
    expect(canonicalAddress('::ffff:10.0.0.9')).toBe('10.0.0.9');
    expect(canonicalAddress('FE80::1')).toBe('fe80::1');
  });

  it('remembers at most maxSources addresses: a spread-out flood costs bounded memory', () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 1000; i++) throttle.offend(`10.0.${i >> 8}.${i & 255}`);
    expect(throttle.size()).toBe(LIMITS.maxSources);
  });
});

/** Connects from `source`, writes `text`, and says whether the server answered anything before closing. */
function exchange(port: number, source: string, text: string): Promise<{ answered: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port, localAddress: source });
    let answered = false;
    socket.on('data', () => (answered = true));
    socket.on('error', () => {});
    socket.on('connect', () => socket.write(text));
    socket.on('close', () => resolve({ answered }));
    setTimeout(() => socket.destroy(), 2000);
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the HTTP port', () => {
  const backend: HttpApiBackend = {
    status: () => ({ id: 'x' }),
    submit: (_op, respond) => respond({ type: 'write_ok' }),
    transferLeader: async () => ({ status: 200, body: {} }),
  };

  async function serve(): Promise<{ port: number; warns: string[] }> {
    const warns: string[] = [];
    const api = new HttpApi(backend, { ...DEFAULT_HTTP_OPTIONS, warn: (t) => warns.push(t) });
    const port = await freePort();
    await api.listen('127.0.0.1', port);
    cleanups.push(() => api.close());
    return { port, warns };
  }

  it('refuses an address whose connections keep pipelining beyond the limit, and serves the others', async () => {
    const { port, warns } = await serve();
    const flood = 'GET /status HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(HTTP_MAX_PIPELINED * 4);
    for (let i = 0; i < THROTTLE_OFFENCES; i++) await exchange(port, '127.0.0.66', flood);
    expect(warns.some((w) => w.startsWith('refusing HTTP connections from 127.0.0.66 for 5 s'))).toBe(true);
    // Refused at accept: not even a polite request gets an answer now.
    expect(await exchange(port, '127.0.0.66', 'GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toEqual({ answered: false });
    expect(await exchange(port, '127.0.0.67', 'GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toEqual({ answered: true });
    expect(await http(`http://127.0.0.1:${port}/status`)).toMatchObject({ status: 200 });
  });

  it('answers a malformed request as Node would (400, 431) and counts it; the own loopback is never refused', async () => {
    const { port, warns } = await serve();
    const huge = `GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`;
    for (let i = 0; i < THROTTLE_OFFENCES * 2; i++) {
      expect(await exchange(port, '127.0.0.1', 'NOT HTTP AT ALL\r\n\r\n')).toEqual({ answered: true });
    }
    const answers: string[] = [];
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.70' });
      socket.on('data', (d: Buffer) => answers.push(d.toString('latin1')));
      socket.on('error', () => {});
      socket.on('connect', () => socket.write(huge));
      socket.on('close', () => resolve());
    });
    expect(answers.join('')).toMatch(/^HTTP\/1\.1 431 /);
    expect(warns).toEqual([]); // one offence of 127.0.0.70, and 127.0.0.1 is not counted
    expect(await http(`http://127.0.0.1:${port}/status`)).toMatchObject({ status: 200 });
  });
});

describe('the peer port', () => {
  it('refuses a stranger\'s address after repeated bad hellos, never a member\'s host', async () => {
    const warns: string[] = [];
    const hellos: string[] = [];
    const listener = new PeerListener(
      { isPeer: (id) => id === '2', onHello: (id) => hellos.push(id), onLine: () => {} },
      (_level, text) => warns.push(text),
      null,
      new SourceThrottle(PORT_THROTTLE, (a) => a === '127.0.0.2'), // as the node builds it: a member's host is exempt
    );
    const port = await freePort();
    await listener.listen('127.0.0.1', port);
    cleanups.push(() => listener.close());
    for (let i = 0; i < THROTTLE_OFFENCES; i++) await exchange(port, '127.0.0.88', 'garbage\n');
    for (let i = 0; i < THROTTLE_OFFENCES * 2; i++) await exchange(port, '127.0.0.2', 'garbage\n');
    expect(warns.filter((w) => w.startsWith('refusing peer connections from'))).toEqual([`refusing peer connections from 127.0.0.88 for 5 s: ${THROTTLE_OFFENCES} of its connections were refused within 10 s`]);
    // A real hello from the refused address is not even read; from the member's host it is.
    const hello = `${JSON.stringify({ type: 'hello', id: '2', name: '2' })}\n`;
    const fromStranger = exchange(port, '127.0.0.88', hello);
    const fromMember = exchange(port, '127.0.0.2', hello);
    await new Promise((r) => setTimeout(r, 300));
    listener.disconnect('2');
    await Promise.all([fromStranger, fromMember]);
    expect(hellos).toEqual(['2']);
  });
});

describe('a running node', () => {
  it('refuses an offending address on its HTTP port unless --trusted-addresses names it', async () => {
    const c = await LoopbackCluster.create(3, ['--trusted-addresses', '127.0.0.66']);
    cleanups.push(() => c.destroy());
    c.startAll();
    const leader = await c.agreedLeader(10_000);
    const port = Number(new URL(c.spec(leader.id).httpUrl).port);
    const flood = 'GET /status HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(HTTP_MAX_PIPELINED * 4);
    const polite = 'GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    for (let i = 0; i < THROTTLE_OFFENCES * 2; i++) {
      await exchange(port, '127.0.0.66', flood);
      await exchange(port, '127.0.0.67', flood);
    }
    expect(await exchange(port, '127.0.0.66', polite)).toEqual({ answered: true });
    expect(await exchange(port, '127.0.0.67', polite)).toEqual({ answered: false });
    expect(c.procs.get(leader.id)?.tail()).toContain('WARN refusing HTTP connections from 127.0.0.67 for 5 s');
  }, 30_000);
});
