// Tiny HTTP servers standing in for cluster members: each answers with a scripted handler and
// records what it received, so a test can say which endpoint ctl asked, with what, and how often.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type ServerOptions as TlsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { runCtl } from '../../src/ctl/run.ts';

export interface Received {
  method: string;
  path: string;
  body: string;
  authorization: string | undefined;
}

export type Handler = (req: Received) => { status: number; body: unknown } | 'hang';

export interface FakeMember {
  endpoint: string;
  received: Received[];
  close(): Promise<void>;
}

/** With `tls`, an https member (and `endpoint` is an https:// URL). */
export async function fakeMember(handler: Handler, tls?: TlsOptions): Promise<FakeMember> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const listener: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), authorization: req.headers.authorization };
      received.push(r);
      const answer = handler(r);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(text);
    });
  };
  const server: Server = tls === undefined ? createServer(listener) : createTlsServer(tls, listener);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: tls === undefined ? `127.0.0.1:${port}` : `https://127.0.0.1:${port}`,
    received,
    close: () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

/** An address where nothing listens: a port just released by the kernel. */
export async function deadEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return `127.0.0.1:${port}`;
}

export const leaderStatus = (id: string, term = 3) => ({ status: 200, body: { id, state: 'leader', term, leader: id, commitIndex: 7, lastLogIndex: 7, peers: [] } });
export const followerStatus = (id: string, leader: string, term = 3) => ({ status: 200, body: { id, state: 'follower', term, leader, commitIndex: 7, lastLogIndex: 7, peers: [] } });

/** Runs ctl in-process with `argv`, capturing what it prints and its exit status. */
export async function ctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCtl(argv, tmpdir(), { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** Fake members made through `member` are closed by `closeAll` (call it in afterEach). */
export function memberPool(): { member: (handler: Handler) => Promise<FakeMember>; closeAll: () => Promise<void> } {
  const members: FakeMember[] = [];
  return {
    member: async (handler) => {
      const m = await fakeMember(handler);
      members.push(m);
      return m;
    },
    closeAll: async () => {
      await Promise.all(members.splice(0).map((m) => m.close()));
    },
  };
}
