// The attacker of bench/hostile-input.ts, in a process of its own so that its work does not slow
// the bench's measuring client: `node scripts/run-ts.mjs bench/hostile-attacker.ts '<json plan>'`.
// Runs one attack against one loopback port for a bounded time with bounded connections, then
// prints one JSON line: what it did (the "size" column). Every loop is bounded in count and time.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export type AttackName =
  | 'peer-garbage-before-hello'
  | 'peer-overlong-line'
  | 'peer-wrong-certificate'
  | 'peer-malformed-raft-bodies'
  | 'peer-idle-connections'
  | 'peer-slowloris'
  | 'http-malformed-requests'
  | 'http-huge-headers'
  | 'http-body-over-limit'
  | 'http-10000-connections'
  | 'http-slow-readers'
  | 'http-pipelined-flood'
  | 'http-slow-writers';

export interface AttackPlan {
  attack: AttackName;
  port: number;
  durationMs: number;
  certDir: string;
  /** For the member attacks: the member whose certificate we hold, and the node we talk to. */
  member: string;
  victim: string;
  /**
   * The address the attacker connects from. An attacker is another host: on loopback that is any
   * 127.x.y.z other than the clients' and members' 127.0.0.1, so the node can tell them apart.
   */
  source: string;
}

interface Tally {
  connections: number;
  bytes: number;
  lines: number;
  refusedOrClosed: number;
  peakOpen: number;
}

const tally: Tally = { connections: 0, bytes: 0, lines: 0, refusedOrClosed: 0, peakOpen: 0 };
const open = new Set<Socket>();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function track(socket: Socket): Socket {
  tally.connections++;
  open.add(socket);
  tally.peakOpen = Math.max(tally.peakOpen, open.size);
  socket.on('error', () => {});
  socket.on('data', () => {});
  socket.once('close', () => {
    open.delete(socket);
    tally.refusedOrClosed++;
  });
  return socket;
}

let source = '127.0.0.1';

function tcp(port: number): Socket {
  return track(connect({ host: '127.0.0.1', port, localAddress: source }));
}

function tls(plan: AttackPlan, certName: string | null, dir = plan.certDir): TLSSocket {
  const creds = certName === null ? {} : { cert: readFileSync(join(dir, `${certName}.crt`)), key: readFileSync(join(dir, `${certName}.key`)) };
  // tls.connect takes net.connect's options too (localAddress); its type does not list them.
  const options = { host: '127.0.0.1', port: plan.port, localAddress: plan.source, rejectUnauthorized: false, ...creds };
  return track(tlsConnect(options)) as TLSSocket;
}

/** Connected (or handshake done): true; closed, or still nothing after 2 s: false (and destroyed). */
function ready(socket: Socket, event: 'connect' | 'secureConnect'): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 2000);
    socket.once(event, () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** The socket's buffer drained, or the socket is gone. */
function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('drain', () => resolve());
    socket.once('close', () => resolve());
  });
}

function closed(socket: Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function write(socket: Socket, data: string | Buffer): void {
  if (socket.destroyed) return;
  tally.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  socket.write(data);
}

/** `workers` loops, each doing `once` again and again until the deadline. */
async function loops(workers: number, deadline: number, once: () => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: workers }, async () => {
    while (Date.now() < deadline) await once();
  }));
}

function forgedLines(claimed: string, victim: string): string {
  const hello = { type: 'hello', id: claimed, name: claimed };
  const append = {
    src: claimed, dest: victim,
    body: { type: 'append_entries', term: 1000, leader_id: claimed, prev_log_index: 0, prev_log_term: 0, entries: [{ term: 1000, op: { type: 'write', key: 'pwned-peer', value: 1 } }], leader_commit: 1, round: 1 },
  };
  tally.lines += 2;
  return `${JSON.stringify(hello)}\n${JSON.stringify(append)}\n`;
}

const MALFORMED = [
  '{"src":"2","dest":"1","body":{"type":"append_entries","term":"x"}}',
  '{"src":"2","dest":"1","body":{"type":"request_vote","term":-5,"candidate_id":2}}',
  '{"src":"3","dest":"1","body":{"type":"append_entries","term":1000,"leader_id":"3","prev_log_index":0,"prev_log_term":0,"entries":[],"leader_commit":0,"round":1}}',
  '{"src":"2","dest":"9","body":{"type":"timeout_now","term":1000}}',
  '{"src":"2","dest":"1","body":{"type":"append_entries","term":1e309,"entries":{}}}',
  '{"src":"2","dest":"1","body":{"type":"no_such_type","term":1}}',
  '{"src":"2","dest":"1","body":null}',
  '[1,2,3]',
  '{"src":"2","dest":"1","body":{"type":"install_snapshot","term":1,"data":"\\u0000"}}',
  'not json at all',
];

async function run(plan: AttackPlan): Promise<string> {
  const deadline = Date.now() + plan.durationMs;
  switch (plan.attack) {
    case 'peer-garbage-before-hello':
      // Half over plain TCP (it never gets past TLS), half over TLS with a member's valid
      // certificate, so the hello parser itself sees the garbage.
      await loops(16, deadline, async () => {
        const viaTls = Math.random() < 0.5;
        const s = viaTls ? tls(plan, plan.member) : tcp(plan.port);
        if (!(await ready(s, viaTls ? 'secureConnect' : 'connect'))) return;
        write(s, randomBytes(2048));
        write(s, '\n');
        await closed(s, 2000);
      });
      return `${tally.connections} connections, ${(tally.bytes / 1024).toFixed(0)} KiB of random bytes (half over TLS with a member's certificate)`;
    case 'peer-overlong-line': {
      // Strangers: 256 KiB without a newline before any hello; and one member: a 72 MiB line after its hello (its limit is 8 MiB).
      const member = (async () => {
        const s = tls(plan, plan.member);
        if (!(await ready(s, 'secureConnect'))) return;
        write(s, `${JSON.stringify({ type: 'hello', id: plan.member, name: plan.member })}\n`);
        const piece = Buffer.alloc(1024 * 1024, 'a');
        for (let i = 0; i < 72 && !s.destroyed && Date.now() < deadline; i++) {
          write(s, piece);
          if (s.writableLength > 8 * 1024 * 1024) await drained(s);
        }
        await closed(s, Math.max(0, deadline - Date.now()));
      })();
      await loops(8, deadline, async () => {
        const s = tls(plan, plan.member);
        if (!(await ready(s, 'secureConnect'))) return;
        write(s, Buffer.alloc(256 * 1024, 'x'));
        await closed(s, 2000);
      });
      await member;
      return `${tally.connections} connections, ${(tally.bytes / 1024 / 1024).toFixed(0)} MiB without a newline (before the hello: 256 KiB each; one member after its hello: a line of up to 72 MiB, against its limit of 8 MiB)`;
    }
    case 'peer-wrong-certificate':
      await loops(16, deadline, async () => {
        const kind = tally.connections % 3;
        const s = kind === 0 ? tls(plan, 'stranger') : kind === 1 ? tls(plan, plan.member, join(plan.certDir, 'foreign')) : tls(plan, null);
        if (!(await ready(s, 'secureConnect'))) return;
        write(s, forgedLines(plan.member, plan.victim));
        await closed(s, 2000);
      });
      return `${tally.connections} TLS connections (a stranger's certificate, a foreign CA's, none), each a forged hello + append_entries of term 1000`;
    case 'peer-malformed-raft-bodies': {
      const s = tls(plan, plan.member);
      if (!(await ready(s, 'secureConnect'))) return 'could not connect';
      write(s, `${JSON.stringify({ type: 'hello', id: plan.member, name: plan.member })}\n`);
      while (Date.now() < deadline && !s.destroyed) {
        const batch = Array.from({ length: 100 }, (_, i) => MALFORMED[(tally.lines + i) % MALFORMED.length]).join('\n');
        tally.lines += 100;
        write(s, `${batch}\n`);
        await sleep(50);
      }
      s.destroy();
      return `${tally.lines} malformed lines from a valid member (2000 a second)`;
    }
    case 'peer-idle-connections': {
      // 3000 connections that never speak; any the node closes is replaced (at most 3000 open).
      while (Date.now() < deadline) {
        while (open.size < 3000 && tally.connections < 30_000) tcp(plan.port);
        await sleep(100);
      }
      return `3000 idle TCP connections held (replaced when closed), ${tally.connections} opened in all`;
    }
    case 'peer-slowloris':
      await loops(200, deadline, async () => {
        const s = tcp(plan.port);
        if (!(await ready(s, 'connect'))) return;
        const hello = `{"type":"hello","id":"${plan.member}","name":"x"}`;
        for (let i = 0; i < hello.length && !s.destroyed && Date.now() < deadline; i++) {
          write(s, hello[i] as string);
          await sleep(500);
        }
        s.destroy();
      });
      return `200 connections at a time sending a hello one byte per 500 ms; ${tally.connections} opened`;
    case 'http-malformed-requests': {
      const frames = [
        'GARBAGE\r\n\r\n',
        'GET /kv/pwned-http HTTP/9.9\r\n\r\n',
        'PUT /kv/pwned-http HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}',
        'PUT /kv/pwned-http HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
        'POST /admin/transfer-leader HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer guess\r\n\r\n',
        'PUT /kv/pwned-http HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{"a":}\n',
        '\u0000\u0001\u0002\r\n\r\n',
      ];
      await loops(16, deadline, async () => {
        const s = tls(plan, null);
        if (!(await ready(s, 'secureConnect'))) return;
        const frame = tally.connections % 4 === 0 ? randomBytes(512) : (frames[tally.connections % frames.length] as string);
        write(s, frame);
        tally.lines++;
        await closed(s, 2000);
      });
      return `${tally.lines} malformed requests (bad syntax, bad lengths, bad JSON, random bytes, wrong admin token), one per HTTPS connection`;
    }
    case 'http-huge-headers':
      await loops(8, deadline, async () => {
        const s = tls(plan, null);
        if (!(await ready(s, 'secureConnect'))) return;
        write(s, `GET /status HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 64 }, (_, i) => `X-Big-${i}: ${'y'.repeat(1000)}\r\n`).join('')}\r\n`);
        tally.lines++;
        await closed(s, 2000);
      });
      return `${tally.lines} requests with 64 KiB of headers`;
    case 'http-body-over-limit':
      await loops(4, deadline, async () => {
        const s = tls(plan, null);
        if (!(await ready(s, 'secureConnect'))) return;
        const size = 8 * 1024 * 1024;
        write(s, `PUT /kv/pwned-http HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
        const piece = Buffer.alloc(256 * 1024, '1');
        for (let sent = 0; sent < size && !s.destroyed && Date.now() < deadline; sent += piece.length) {
          write(s, piece);
          if (s.writableLength > 1024 * 1024) await new Promise((r) => setTimeout(r, 5));
        }
        tally.lines++;
        await closed(s, 2000);
      });
      return `${tally.lines} PUTs of an 8 MiB body (limit 1 MiB), ${(tally.bytes / 1024 / 1024).toFixed(0)} MiB sent`;
    case 'http-10000-connections': {
      for (let i = 0; i < 10_000; i++) {
        tcp(plan.port);
        if (i % 500 === 499) await sleep(10);
      }
      await sleep(Math.max(0, deadline - Date.now()));
      return `10,000 TCP connections opened at once (peak ${tally.peakOpen} open on our side), none sending a byte`;
    }
    case 'http-slow-readers':
      // Readers that never read: each connection asks for 16 answers (the pipelining limit) and
      // leaves them unread, holding the connection until the node gives up on it or time is up.
      await loops(200, deadline, async () => {
        const s = tls(plan, null);
        if (!(await ready(s, 'secureConnect'))) return;
        s.pause(); // never read a byte of the answers
        write(s, 'GET /status HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(16));
        tally.lines += 16;
        await closed(s, Math.max(0, deadline - Date.now()));
      });
      return `200 connections, each asking 16 answers and never reading one; ${tally.lines} requests sent`;
    case 'http-pipelined-flood':
      // Slow readers that pipeline far beyond the limit: 2000 requests per write, never read.
      // Each connection is closed at the 17th unanswered request, but the node still parses the
      // rest of the chunk it read: a request flood, bounded by what the attacker sends.
      await loops(50, deadline, async () => {
        const s = tls(plan, null);
        if (!(await ready(s, 'secureConnect'))) return;
        s.pause();
        write(s, 'GET /status HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2000));
        tally.lines += 2000;
        await closed(s, Math.max(0, deadline - Date.now()));
      });
      return `50 connections, each pipelining 2000 requests in one write and never reading; ${tally.lines} requests sent`;
    case 'http-slow-writers':
      await loops(200, deadline, async () => {
        const s = tls(plan, null);
        if (!(await ready(s, 'secureConnect'))) return;
        const half = tally.connections % 2 === 0;
        const text = half ? 'PUT /kv/pwned-http HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n' : 'GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: ';
        write(s, text);
        while (!s.destroyed && Date.now() < deadline) {
          write(s, half ? '1' : 'z');
          await sleep(500);
        }
        s.destroy();
      });
      return `200 connections at a time trickling a body or a header one byte per 500 ms; ${tally.connections} opened`;
    default: {
      const unreachable: never = plan.attack;
      return `unknown attack ${String(unreachable)}`;
    }
  }
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as AttackPlan;
  source = plan.source;
  // Hard stop: whatever happens, this process ends shortly after its deadline.
  setTimeout(() => {
    process.stdout.write(`${JSON.stringify({ size: 'stopped by the hard deadline', tally })}\n`);
    process.exit(0);
  }, plan.durationMs + 5000);
  const size = await run(plan);
  for (const s of open) s.destroy();
  process.stdout.write(`${JSON.stringify({ size, tally })}\n`);
  process.exit(0);
}

void main();
