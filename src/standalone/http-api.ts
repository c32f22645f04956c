// The client side of a standalone node: a small JSON-over-HTTP API. Reads, writes and compare-and-set
// go through RaftHost.submit exactly like Maelstrom's read/write/cas, so they are linearizable, and
// any node answers (a follower relays to the leader). Maelstrom's error codes map to HTTP statuses;
// an outcome we cannot know is never reported as a failure: 504/500 say the operation may have happened.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientReply } from '../host/raft-host.ts';
import type { Json } from '../json.ts';
import type { KvOperation } from '../kv/operations.ts';
import { ErrorCode } from '../protocol/messages.ts';
import { isAdminPath, type AdminGate } from './admin-auth.ts';
import { createClientServer, type ClientServer } from './client-server.ts';
import { HTTP_MAX_BODY_BYTES } from './limits.ts';
import { listenOn } from './listen.ts';
import type { HttpTlsConfig } from './security-config.ts';
import type { SourceThrottle } from './source-throttle.ts';

export interface HttpApiBackend {
  status(): { [key: string]: Json };
  submit(op: KvOperation, respond: (reply: ClientReply) => void): void;
  /** POST /admin/transfer-leader[?to=ID]: hands leadership over and says how it went. */
  transferLeader(to: string | null): Promise<HttpAnswer>;
  /** More endpoints (the cluster page, /metrics, /health, ...): an answer, or null to fall through to ours. */
  extraRoute?(req: IncomingMessage, url: URL, method: string): Promise<HttpAnswer | null>;
  /** A key-value request got its answer (for metrics): its operation, HTTP status and time taken. */
  requestAnswered?(op: KvOperation['type'], status: number, seconds: number): void;
}

export interface HttpApiOptions {
  maxBodyBytes: number;
  /** A request still unanswered after this long gets 504 (its operation may still happen). */
  requestDeadlineMs: number;
  /** Seconds a client should wait before retrying a 503. */
  retryAfterSeconds: number;
  /** HTTPS (--cert/--key[/--client-ca]); plain HTTP without. */
  tls?: HttpTlsConfig | null;
  /** Guards every path under /admin/ (admin-auth.ts); without one they are open. */
  admin?: AdminGate;
  /** WARN lines of the port itself (an address refused for breaking its limits). */
  warn?: (text: string) => void;
  /** The addresses refused at accept; the port's own (with no trusted addresses) if absent. */
  throttle?: SourceThrottle;
}

export const DEFAULT_HTTP_OPTIONS: HttpApiOptions = { maxBodyBytes: HTTP_MAX_BODY_BYTES, requestDeadlineMs: 5000, retryAfterSeconds: 1 };

const INDEFINITE = 'the operation may or may not have happened; read the key to find out';

export interface HttpAnswer {
  status: number;
  body: { [key: string]: Json };
  headers?: { [name: string]: string };
  /** Sent instead of the JSON body when set (a page, the metrics text). */
  raw?: { contentType: string; text: string };
}

export type BodyResult = { ok: true; value: Json } | { ok: false; answer: HttpAnswer };

export class HttpApi {
  private readonly server: ClientServer;
  /** Requests received and not yet answered, so a graceful stop can wait for them. */
  private readonly inFlight = new Set<ServerResponse>();
  private onIdle: (() => void) | null = null;
  private draining = false;

  constructor(
    private readonly backend: HttpApiBackend,
    private readonly options: HttpApiOptions = DEFAULT_HTTP_OPTIONS,
  ) {
    this.server = createClientServer(options.tls ?? null, (req, res) => {
      this.inFlight.add(res);
      // While draining, every answer closes its connection: a kept-alive socket would carry new requests.
      if (this.draining) res.setHeader('Connection', 'close');
      res.once('close', () => {
        this.inFlight.delete(res);
        if (this.inFlight.size === 0) this.onIdle?.();
      });
      this.route(req, res).catch((err: unknown) => {
        send(res, { status: 500, body: { error: `internal error: ${err instanceof Error ? err.message : String(err)}`, outcome: INDEFINITE } });
      });
    }, options.warn, options.throttle);
  }

  listen(host: string, port: number): Promise<void> {
    return listenOn(this.server, host, port);
  }

  /**
   * Stops accepting connections and waits (at most maxWaitMs) until every request already received
   * has its answer, so a node that is shutting down does not leave clients with an unknown outcome.
   */
  async drain(maxWaitMs: number): Promise<void> {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    this.server.close();
    this.server.closeIdleConnections();
    if (this.inFlight.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** How many requests are still waiting for their answer. */
  pendingRequests(): number {
    return this.inFlight.size;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://node');
    } catch {
      return send(res, { status: 400, body: { error: 'the request target is not a valid URL path' } });
    }
    const method = req.method ?? 'GET';
    // The operator's endpoints, all of them: refused here, before any route runs, unless authenticated.
    const refusal = isAdminPath(url.pathname, req.url ?? '/') ? (this.options.admin?.refuse(req) ?? null) : null;
    if (refusal !== null) {
      discard(req);
      return send(res, refusal);
    }
    const extra = this.backend.extraRoute === undefined ? null : await this.backend.extraRoute(req, url, method);
    if (extra !== null) return send(res, extra);
    if (url.pathname === '/status') {
      if (method !== 'GET') return send(res, methodNotAllowed('GET'));
      return send(res, { status: 200, body: this.backend.status() });
    }
    if (url.pathname === '/admin/transfer-leader') {
      if (method !== 'POST') return send(res, methodNotAllowed('POST'));
      discard(req);
      return send(res, await this.backend.transferLeader(url.searchParams.get('to')));
    }
    const match = /^\/kv\/([^/]+)(\/cas)?$/.exec(url.pathname);
    if (match === null) return send(res, { status: 404, body: { error: `no such endpoint: ${method} ${url.pathname}` } });
    let key: string;
    try {
      key = decodeURIComponent(match[1] as string);
    } catch {
      return send(res, { status: 400, body: { error: 'the key is not valid percent-encoding' } });
    }
    const isCas = match[2] !== undefined;
    const startedAt = performance.now();
    const opType: KvOperation['type'] = isCas ? 'cas' : method === 'PUT' ? 'write' : 'read';
    const refuse = (answer: HttpAnswer): void => {
      this.backend.requestAnswered?.(opType, answer.status, (performance.now() - startedAt) / 1000);
      send(res, answer);
    };

    if (isCas) {
      if (method !== 'POST') return send(res, methodNotAllowed('POST'));
      const body = await readJsonBody(req, this.options.maxBodyBytes);
      if (!body.ok) return refuse(body.answer);
      const v = body.value;
      if (typeof v !== 'object' || v === null || Array.isArray(v) || !('from' in v) || !('to' in v)) {
        return refuse({ status: 400, body: { error: 'cas needs a JSON object {"from": ..., "to": ...}' } });
      }
      return this.run({ type: 'cas', key, from: v['from'] as Json, to: v['to'] as Json }, res, startedAt);
    }
    if (method === 'GET') return this.run({ type: 'read', key }, res, startedAt);
    if (method === 'PUT') {
      const body = await readJsonBody(req, this.options.maxBodyBytes);
      if (!body.ok) return refuse(body.answer);
      return this.run({ type: 'write', key, value: body.value }, res, startedAt);
    }
    return send(res, methodNotAllowed('GET, PUT'));
  }

  private run(op: KvOperation, res: ServerResponse, startedAt: number): void {
    let answered = false;
    const finish = (answer: HttpAnswer): void => {
      this.backend.requestAnswered?.(op.type, answer.status, (performance.now() - startedAt) / 1000);
      send(res, answer);
    };
    const deadline = setTimeout(() => {
      answered = true;
      finish({ status: 504, body: { error: `no answer within ${this.options.requestDeadlineMs} ms`, outcome: INDEFINITE } });
    }, this.options.requestDeadlineMs);
    this.backend.submit(op, (reply) => {
      if (answered) return;
      answered = true;
      clearTimeout(deadline);
      finish(this.answer(op, reply));
    });
  }

  private answer(op: KvOperation, reply: ClientReply): HttpAnswer {
    const key = op.key;
    switch (reply.type) {
      case 'read_ok':
        return { status: 200, body: { key, value: reply.value } };
      case 'write_ok':
        return { status: 200, body: { key, value: op.type === 'write' ? op.value : null } };
      case 'cas_ok':
        return { status: 200, body: { key, value: op.type === 'cas' ? op.to : null } };
      case 'error':
        return this.errorAnswer(key, reply.code, reply.text);
      default: {
        const unreachable: never = reply;
        return { status: 500, body: { error: `unexpected reply ${JSON.stringify(unreachable)}`, outcome: INDEFINITE } };
      }
    }
  }

  private errorAnswer(key: Json, code: number, text: string): HttpAnswer {
    switch (code) {
      case ErrorCode.keyDoesNotExist:
        return { status: 404, body: { error: 'key does not exist', key } };
      case ErrorCode.preconditionFailed:
        return { status: 409, body: { error: text, key } };
      case ErrorCode.temporarilyUnavailable:
        return {
          status: 503,
          body: { error: text, outcome: 'not applied; retry later' },
          headers: { 'Retry-After': String(this.options.retryAfterSeconds) },
        };
      case ErrorCode.malformedRequest:
        return { status: 400, body: { error: text } };
      case ErrorCode.timeout:
        return { status: 504, body: { error: text, outcome: INDEFINITE } };
      default:
        return { status: 500, body: { error: text, outcome: INDEFINITE } };
    }
  }
}

/** Reads at most `limit` bytes and parses them as JSON; 413 beyond the limit, 400 for bad JSON. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, answer: { status: 413, body: { error: `request body larger than ${limit} bytes` }, headers: { Connection: 'close' } } };
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    discard(req);
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        discard(req);
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve({ ok: true, value: JSON.parse(text) as Json });
      } catch {
        resolve({ ok: false, answer: { status: 400, body: { error: 'request body is not valid JSON' } } });
      }
    });
    req.on('error', () => resolve({ ok: false, answer: { status: 400, body: { error: 'request body could not be read' } } }));
  });
}

/**
 * Lets the client finish sending (so it can read our 413 instead of a reset connection), but stops
 * listening once it has sent far more than anyone legitimate would.
 */
function discard(req: IncomingMessage): void {
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > 64 * 1024 * 1024) req.destroy();
  });
  req.resume();
}

function methodNotAllowed(allowed: string): HttpAnswer {
  return { status: 405, body: { error: `method not allowed; use ${allowed}` }, headers: { Allow: allowed } };
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent || res.destroyed) return;
  const text = answer.raw?.text ?? `${JSON.stringify(answer.body)}\n`;
  res.writeHead(answer.status, { 'Content-Type': answer.raw?.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(text), ...answer.headers });
  res.end(text);
}
