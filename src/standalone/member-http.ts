// HTTP from one node to another member's HTTP port, for the cluster page: the node that served the
// page asks its peers for their /status (GET /cluster) and relays the page's admin buttons to the
// member they are meant for, so the browser only ever talks to one origin.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { Json } from '../json.ts';
import type { HttpAnswer } from './http-api.ts';

/** Kept-alive connections: the page polls several times a second. */
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

export type MemberReply = { ok: true; status: number; body: Json } | { ok: false; sent: boolean; error: string };

/**
 * One request to `address` (host:port). `sent` on failure says whether the request may have reached
 * the member (a refused connection: it certainly did not).
 */
export function askMember(address: string, method: string, path: string, timeoutMs: number, headers: { [name: string]: string } = {}): Promise<MemberReply> {
  return new Promise((resolve) => {
    let connected = false;
    const req = request(`http://${address}${path}`, { method, agent, timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Json;
        try {
          body = JSON.parse(text) as Json;
        } catch {
          body = { text };
        }
        resolve({ ok: true, status: res.statusCode ?? 0, body });
      });
      res.on('error', (err) => resolve({ ok: false, sent: true, error: err.message }));
    });
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, sent: connected, error: err.code ?? err.message }));
    req.end();
  });
}

/** The headers worth passing on to a member: its /admin/ endpoints may ask for the same credentials. */
export function relayedHeaders(headers: IncomingHttpHeaders): { [name: string]: string } {
  const auth = headers['authorization'];
  return typeof auth === 'string' ? { authorization: auth } : {};
}

/** A member's answer passed on as ours; a failure says whether the action may have happened. */
export function relayedAnswer(member: string, reply: MemberReply): HttpAnswer {
  if (reply.ok) {
    const body = typeof reply.body === 'object' && reply.body !== null && !Array.isArray(reply.body) ? reply.body : { answer: reply.body };
    return { status: reply.status, body: { ...body, relayedTo: member } };
  }
  if (!reply.sent) return { status: 502, body: { error: `member ${member} is unreachable (${reply.error}); nothing was asked of it`, relayedTo: member } };
  return { status: 504, body: { error: `member ${member} did not answer (${reply.error})`, outcome: 'the action may or may not have happened', relayedTo: member } };
}
