// One HTTP(S) request to one endpoint, classified by what the caller can know about its effect:
// refused or never connected (nothing was sent, so nothing happened), or sent and then no answer
// (it may have happened), or an answer.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Endpoint } from './endpoints.ts';

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface RequestSettings {
  /** No TCP (or TLS) connection within this long: unreachable, nothing was sent. */
  dialTimeoutMs: number;
  /** Connected but no complete answer within this long: the request may have been acted on. */
  requestTimeoutMs: number;
  tls: TlsFiles;
  /** Sent as `Authorization: Bearer ...` on /admin/ requests only. */
  adminToken: string | null;
}

export type Attempt =
  | { kind: 'answer'; endpoint: Endpoint; status: number; body: unknown }
  /** Nothing reached the node: connection refused, no route, a failed TLS handshake, a dial timeout. */
  | { kind: 'unreachable'; endpoint: Endpoint; reason: string }
  /** The request went out and no answer came back: its outcome is unknown. */
  | { kind: 'lost'; endpoint: Endpoint; reason: string };

export function sendRequest(endpoint: Endpoint, method: string, path: string, body: string | undefined, settings: RequestSettings): Promise<Attempt> {
  return new Promise((done) => {
    const url = new URL(path, endpoint.url);
    const https = url.protocol === 'https:';
    const headers: Record<string, string> = { Connection: 'close' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    if (settings.adminToken !== null && url.pathname.startsWith('/admin/')) headers['Authorization'] = `Bearer ${settings.adminToken}`;
    const options = { method, headers, agent: false as const, ...(https ? settings.tls : {}) };
    let connected = false;
    let finished = false;
    const finish = (attempt: Attempt): void => {
      if (finished) return;
      finished = true;
      clearTimeout(dialTimer);
      clearTimeout(answerTimer);
      req.destroy();
      done(attempt);
    };
    const req: ClientRequest = (https ? httpsRequest : httpRequest)(url, options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON (a proxy's error page, say): keep the text for the message.
        }
        finish({ kind: 'answer', endpoint, status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', (err) => finish({ kind: 'lost', endpoint, reason: `answer cut off (${err.message})` }));
    });
    const dialTimer = setTimeout(() => finish({ kind: 'unreachable', endpoint, reason: `no connection within ${settings.dialTimeoutMs} ms` }), settings.dialTimeoutMs);
    let answerTimer: NodeJS.Timeout | undefined;
    req.on('socket', (socket) => {
      // The request bytes go out once the connection (and for https the handshake) is up; from then
      // on, silence means "unknown", not "nothing happened".
      socket.once(https ? 'secureConnect' : 'connect', () => {
        connected = true;
        clearTimeout(dialTimer);
        answerTimer = setTimeout(() => finish({ kind: 'lost', endpoint, reason: `no answer within ${settings.requestTimeoutMs} ms` }), settings.requestTimeoutMs);
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ECONNREFUSED' ? 'connection refused' : err.code === undefined || err.message.includes(err.code) ? err.message : `${err.message} (${err.code})`;
      finish(connected ? { kind: 'lost', endpoint, reason: `connection failed after sending (${reason})` } : { kind: 'unreachable', endpoint, reason });
    });
    req.end(body);
  });
}
