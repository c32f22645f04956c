// Fuzzing both ports' parsers with fast-check: random and mutated frames. The invariant: no crash,
// and no state change from an unauthenticated or malformed frame. Peer port: the line and message
// parsers never throw; a listener with peer TLS never hands a stranger's bytes on, and without TLS
// only a frame that opens with a member's hello gets anywhere; a real node fed malformed Raft bodies
// by a valid member keeps its term, log and commit index. HTTP port: garbage and mutated requests
// never reach an admin endpoint without the token, never crash the server, and submit only what the
// request line named.
import fc from 'fast-check';
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KvOperation } from '../../src/kv/operations.ts';
import { checkRaftMessage, isMessageId, parseLine } from '../../src/protocol/messages.ts';
import { RAFT_MESSAGE_TYPES } from '../../src/raft/types.ts';
import { AdminGate } from '../../src/standalone/admin-auth.ts';
import { DEFAULT_HTTP_OPTIONS, HttpApi } from '../../src/standalone/http-api.ts';
import { PeerListener } from '../../src/standalone/peer-listener.ts';
import { LineSplitter, parseControlLine } from '../../src/standalone/wire.ts';
import { TestCerts } from './support/certs.ts';
import { freePort, http, waitFor } from './support/cluster.ts';
import { hostileFrame, mutated } from './support/mutations.ts';
import { agreedLeaderOver, httpsCall, namedCluster, RawPeerConnection, statusOver, type NamedCluster } from './support/tls-cluster.ts';

const certs = new TestCerts(['1', '2', '3']);
afterAll(() => certs.remove());

const HELLO = JSON.stringify({ type: 'hello', id: '2', name: '2' });
const APPEND = JSON.stringify({ src: '2', dest: '1', body: { type: 'append_entries', term: 7, leader_id: '2', prev_log_index: 0, prev_log_term: 0, entries: [{ term: 7, op: { type: 'write', key: 'k', value: 1 } }], leader_commit: 1, round: 1 } });
const VOTE = JSON.stringify({ src: '2', dest: '1', body: { type: 'request_vote', term: 9, candidate_id: '2', last_log_index: 0, last_log_term: 0 } });
const PEER_BASES = [`${HELLO}\n${APPEND}\n`, `${HELLO}\n${VOTE}\n`, `${APPEND}\n`, `${HELLO}\n`];

/** Opens a connection, writes the frame, half-closes and resolves once the other side has closed too. */
function deliver(socket: Socket, frame: Buffer, readyEvent: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => {});
    socket.once(readyEvent, () => socket.end(frame));
    socket.on('data', () => {});
    socket.once('close', () => resolve());
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, 4000).unref();
  });
}

describe('peer port parsers', () => {
  it('parseControlLine, parseLine and checkRaftMessage never throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), ...PEER_BASES.map((b) => mutated(b.split('\n')[0] as string))), (line) => {
        parseControlLine(line);
        const parsed = parseLine(line);
        if (parsed.kind === 'message') checkRaftMessage(parsed.envelope.body);
      }),
      { numRuns: 2000 },
    );
  });

  it('LineSplitter yields exactly the non-blank lines, however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 50 }), { maxLength: 20 }), (chunks) => {
        const lines: string[] = [];
        const splitter = new LineSplitter((l) => lines.push(l), () => {});
        for (const chunk of chunks) splitter.push(chunk);
        const text = chunks.join('');
        const complete = text.slice(0, text.lastIndexOf('\n') + 1);
        expect(lines).toEqual(complete === '' ? [] : complete.split('\n').slice(0, -1).filter((l) => l.trim() !== ''));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('peer listener under random frames', () => {
  const seen = { hellos: 0, lines: 0 };
  let tlsPort: number;
  let plainPort: number;
  let tlsListener: PeerListener;
  let plainListener: PeerListener;
  const plainSeen = { hellos: [] as string[], lines: 0 };
  beforeAll(async () => {
    const tls = { cert: readFileSync(certs.files('1').cert), key: readFileSync(certs.files('1').key), ca: readFileSync(certs.ca) };
    tlsListener = new PeerListener({ isPeer: (id) => id === '2' || id === '3', onHello: () => seen.hellos++, onLine: () => seen.lines++ }, () => {}, tls);
    plainListener = new PeerListener({ isPeer: (id) => id === '2' || id === '3', onHello: (id) => plainSeen.hellos.push(id), onLine: () => plainSeen.lines++ }, () => {});
    tlsPort = await freePort();
    plainPort = await freePort();
    await tlsListener.listen('127.0.0.1', tlsPort);
    await plainListener.listen('127.0.0.1', plainPort);
  });
  afterAll(async () => {
    await tlsListener.close();
    await plainListener.close();
  });

  it('with peer TLS: nothing a stranger sends reaches Raft, over TCP, TLS without a certificate or with a stranger\'s', async () => {
    const stranger = certs.files('stranger');
    await fc.assert(
      fc.asyncProperty(hostileFrame(PEER_BASES), fc.constantFrom('tcp', 'tls-none', 'tls-stranger'), async (frame, how) => {
        const socket =
          how === 'tcp'
            ? connect({ host: '127.0.0.1', port: tlsPort })
            : tlsConnect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false, ...(how === 'tls-stranger' ? { cert: readFileSync(stranger.cert), key: readFileSync(stranger.key) } : {}) });
        await deliver(socket, frame, how === 'tcp' ? 'connect' : 'secureConnect');
        expect(seen).toEqual({ hellos: 0, lines: 0 });
      }),
      { numRuns: 60 },
    );
  });

  it('without TLS: only a frame whose first line is a member\'s hello is taken', async () => {
    const outcomes = { taken: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(hostileFrame(PEER_BASES), async (frame) => {
        const before = plainSeen.hellos.length;
        // The oracle: the first complete non-blank line, parsed on its own.
        const first = frame.toString('utf8').split('\n').slice(0, -1).find((l) => l.trim() !== '');
        const control = first === undefined ? null : parseControlLine(first);
        const expectTaken = control?.type === 'hello' && (control.id === '2' || control.id === '3');
        outcomes[expectTaken ? 'taken' : 'refused']++;
        await deliver(connect({ host: '127.0.0.1', port: plainPort }), frame, 'connect');
        expect(plainSeen.hellos.length - before).toBe(expectTaken ? 1 : 0);
      }),
      { numRuns: 150 },
    );
    // Both sides of the oracle were exercised (mutations keep some hellos intact).
    expect(outcomes.taken).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});

/** Would a node act on this line from peer 2 to node 1? The same decisions as StandaloneNode.handlePeerLine. */
function actedOn(line: string): boolean {
  if (parseControlLine(line) !== null) return true; // a control line: ping/hello/pong, not for Raft but not "malformed" either
  const parsed = parseLine(line);
  if (parsed.kind === 'malformed') return false;
  const { src, dest, body } = parsed.envelope;
  if (src !== '2' || dest !== '1') return false;
  if (isMessageId(body['in_reply_to'])) return true;
  const type = String(body['type']);
  if (type === 'forward') return true;
  if (!(RAFT_MESSAGE_TYPES as readonly string[]).includes(type)) return false;
  return checkRaftMessage(body).ok;
}

describe('a node fed malformed Raft bodies by a valid member', () => {
  let c: NamedCluster;
  beforeAll(async () => {
    c = await namedCluster({ size: 3, certs });
    c.cluster.startAll();
  });
  afterAll(async () => {
    await c.cluster.destroy();
  });

  it('keeps its term, log and commit index, and keeps serving', async () => {
    await agreedLeaderOver(c, certs, 15_000);
    // A settled log first: node 1 learns the new leader's no-op commit a heartbeat after the election.
    const before = await waitFor('node 1 to have committed all it holds', 5000, async () => {
      const s = await statusOver(c.cluster.spec('1').httpUrl, certs);
      return s !== undefined && s.commitIndex > 0 && s.commitIndex === s.lastLogIndex ? s : undefined;
    });
    const bodies = fc
      .sample(fc.oneof(mutated(APPEND), mutated(VOTE), fc.string({ maxLength: 200 })), { numRuns: 2000, seed: 19 })
      .filter((l) => !l.includes('\n') && l.trim() !== '' && !actedOn(l))
      .slice(0, 400);
    expect(bodies.length).toBe(400);
    const member = RawPeerConnection.tls(c.peerPorts.get('1') as number, certs.files('2'));
    await member.ready;
    member.send([{ type: 'hello', id: '2', name: '2' }, ...bodies]);
    const log = (): string[] => c.cluster.procs.get('1')?.stderr ?? [];
    await waitFor('every line to be refused', 5000, async () => (log().filter((l) => / WARN (malformed line from peer 2|refused raft message from 2|dropped |unsupported message type)/.test(l)).length >= bodies.length ? true : undefined));
    const after = await statusOver(c.cluster.spec('1').httpUrl, certs);
    expect(after?.term).toBe(before?.term);
    expect(after?.lastLogIndex).toBe(before?.lastLogIndex);
    expect(after?.commitIndex).toBe(before?.commitIndex);
    member.destroy();
    const put = await httpsCall(`${c.cluster.spec('1').httpUrl}/kv/after`, certs, { method: 'PUT', body: '1', timeoutMs: 8000 });
    expect('error' in put ? put.error : put.status).toBe(200);
  });
});

describe('HTTP port under random and mutated requests', () => {
  const TOKEN = 'operator-token-0123456789abcdef';
  const submits: KvOperation[] = [];
  const transfers: (string | null)[] = [];
  let api: HttpApi;
  let port: number;
  beforeAll(async () => {
    api = new HttpApi(
      {
        status: () => ({ ok: true }),
        submit: (op, respond) => {
          submits.push(op);
          respond({ type: 'write_ok' });
        },
        transferLeader: async (to) => {
          transfers.push(to);
          return { status: 200, body: {} };
        },
      },
      { ...DEFAULT_HTTP_OPTIONS, maxBodyBytes: 4096, admin: new AdminGate({ httpHost: '127.0.0.1', clientCertAuth: false, adminToken: TOKEN }) },
    );
    port = await freePort();
    await api.listen('127.0.0.1', port);
  });
  afterAll(async () => {
    await api.close();
  });

  const HTTP_BASES = [
    'PUT /kv/k HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1',
    'POST /kv/k/cas HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n{"from": 1, "to": 2}',
    'GET /kv/k HTTP/1.1\r\nHost: x\r\n\r\n',
    'POST /admin/transfer-leader?to=2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-the-operator-token\r\n\r\n',
    'POST /admin/members HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}',
    'GET /status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ];

  it('no admin action without the token, no crash, and only the key the request line names is submitted', async () => {
    await fc.assert(
      fc.asyncProperty(hostileFrame(HTTP_BASES), async (frame) => {
        const before = submits.length;
        await deliver(connect({ host: '127.0.0.1', port }), frame, 'connect');
        expect(transfers).toEqual([]);
        const text = frame.toString('latin1');
        for (const op of submits.slice(before)) {
          const requestLine = text.split('\n')[0] ?? '';
          expect(requestLine.startsWith('GET /kv/') || requestLine.startsWith('PUT /kv/') || requestLine.startsWith('POST /kv/')).toBe(true);
          expect(decodeURIComponentSafe(requestLine)).toContain(`/kv/${op.key}`);
        }
      }),
      { numRuns: 300 },
    );
    expect(submits.length).toBeGreaterThan(0); // some mutations stay valid requests: the accepting path ran too
    const status = await http(`http://127.0.0.1:${port}/status`);
    expect(status === 'unreachable' ? 0 : status.status).toBe(200);
  });
});

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
