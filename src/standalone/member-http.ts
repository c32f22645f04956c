// HTTP from one node to another member's HTTP port, for the cluster page: the node that served the
// page asks its peers for their /status (GET /cluster) and relays the page's admin buttons to the
// member they are meant for, so the browser only ever talks to one origin.
//
// A node that serves HTTPS asks its members over HTTPS too, presenting its own certificate as the
// client certificate (members with --client-ca accept it when the same CA signed it) and checking
// theirs against the CA it knows (--client-ca, else --peer-ca). Without a CA it asks nothing: a
// relayed admin request carries the caller's token, which must not go to an unverified server.
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Json } from '../json.ts';
import type { HttpAnswer } from './http-api.ts';

/** How this node reaches its members' HTTP ports: plain, or HTTPS with these credentials. */
export interface MemberHttpTls {
  cert: Buffer;
  key: Buffer;
  /** The CA members' HTTPS certificates must chain to; null: none is known, so nothing is asked. */
  ca: Buffer | null;
}

/** Kept-alive connections: the page polls several times a second. */
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const httpsAgents = new WeakMap<MemberHttpTls, HttpsAgent>();

function httpsAgentFor(tls: MemberHttpTls): HttpsAgent {
  let a = httpsAgents.get(tls);
  if (a === undefined) {
    a = new HttpsAgent({ keepAlive: true, maxSockets: 4, cert: tls.cert, key: tls.key, ca: tls.ca ?? undefined, minVersion: 'TLSv1.2' });
    httpsAgents.set(tls, a);
  }
  return a;
}

export type MemberReply = { ok: true; status: number; body: Json } | { ok: false; sent: boolean; error: string };

/**
 * One request to `address` (host:port). `sent` on failure says whether the request may have reached
 * the member (a refused connection: it certainly did not).
 */
export function askMember(
  address: string,
  method: string,
  path: string,
  timeoutMs: number,
  headers: { [name: string]: string } = {},
  tls: MemberHttpTls | null = null,
): Promise<MemberReply> {
  return new Promise((resolve) => {
    let connected = false;
    if (tls !== null && tls.ca === null) {
      resolve({ ok: false, sent: false, error: 'this node serves HTTPS but knows no CA to check members by (give --client-ca or --peer-ca)' });
      return;
    }
    const onResponse = (res: IncomingMessage): void => {
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
    };
    const req =
      tls === null
        ? request(`http://${address}${path}`, { method, agent, timeout: timeoutMs, headers }, onResponse)
        : httpsRequest(`https://${address}${path}`, { method, agent: httpsAgentFor(tls), timeout: timeoutMs, headers }, onResponse);
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
