// The server under the client API: HTTP, or HTTPS with --cert/--key (and, with --client-ca, only
// clients whose certificate that CA signed get past the handshake). Either way with the limits of
// limits.ts, so slow, idle or oversized clients cost bounded time and memory, and an address whose
// connections keep breaking them is refused at accept for a while (source-throttle.ts).
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { DEFAULT_CIPHERS } from 'node:tls';
import { gateConnections } from './connection-gate.ts';
import { ConnectionGuard, WarnBudget } from './connection-guard.ts';
import {
  HTTP_HEADERS_TIMEOUT_MS,
  HTTP_IDLE_TIMEOUT_MS,
  HTTP_KEEP_ALIVE_TIMEOUT_MS,
  HTTP_MAX_CONNECTIONS,
  HTTP_MAX_HEADER_BYTES,
  HTTP_MAX_HEADERS_COUNT,
  HTTP_MAX_PIPELINED,
  HTTP_MAX_UNPROVEN,
  HTTP_REQUEST_TIMEOUT_MS,
  HTTP_TIMEOUT_CHECK_MS,
  THROTTLE_WINDOW_MS,
} from './limits.ts';
import type { HttpTlsConfig } from './security-config.ts';
import { PORT_THROTTLE, SourceThrottle } from './source-throttle.ts';

export type ClientServer = HttpServer | HttpsServer;

/** TLS 1.3 suites in the server's order of preference, then Node's default TLS 1.2 list. */
const HTTPS_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', ...DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_'))].join(':');

/**
 * Runs `handle` for a request unless its connection already has HTTP_MAX_PIPELINED unanswered ones:
 * a client that pipelines thousands of requests and never reads the answers would otherwise make
 * the server hold every one of them. Such a connection is closed, and that is an offence.
 */
class PipeliningBound {
  private readonly unansweredOf = new WeakMap<Socket, number>();

  constructor(private readonly offend: (socket: Socket, what: string) => void) {}

  wrap(handle: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      const socket = req.socket;
      if (socket.destroyed) return; // the rest of a read whose connection was closed: nobody will read an answer
      const count = this.unanswered(socket) + 1;
      if (count > HTTP_MAX_PIPELINED) {
        this.offend(socket, `more than ${HTTP_MAX_PIPELINED} unanswered pipelined requests`);
        socket.destroy();
        return;
      }
      this.unansweredOf.set(socket, count);
      res.once('close', () => this.unansweredOf.set(socket, this.unanswered(socket) - 1));
      handle(req, res);
    };
  }

  unanswered(socket: Socket): number {
    return this.unansweredOf.get(socket) ?? 0;
  }
}

/** What Node answers to a request it cannot parse (its own default, which a 'clientError' listener replaces). */
function clientErrorAnswer(code: string | undefined): string {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n';
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';
    default:
      return 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
  }
}

/** A client error that is the client breaking the protocol or a limit (not a reset, which is its right). */
function isOffence(code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('HPE_') || code === 'ERR_HTTP_REQUEST_TIMEOUT');
}

/**
 * When a connection closes, Node builds an Error ('aborted', with a captured stack trace) for every
 * request it parsed and nobody answered. A client that pipelines thousands of requests per write
 * leaves hundreds of those per connection (Node parses a whole read before boundPipelining can
 * close it), and capturing their stacks was a third of the node's busy time under that flood
 * (bench/hostile-input.ts, http-pipelined-flood). Nothing reads those stacks: the requests are
 * gone. So stack capture is off for the close event of a client socket only, from our listener
 * before Node's to ours after it (and a tick later at the latest, should a listener throw).
 */
function cheapAbortsOnClose(socket: Socket): void {
  let saved: number | null = null;
  const restore = (): void => {
    if (saved === null) return;
    Error.stackTraceLimit = saved;
    saved = null;
  };
  socket.prependOnceListener('close', () => {
    saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    process.nextTick(restore);
  });
  socket.once('close', restore);
}

/**
 * `warn`: one line when an address starts being refused (rate-limited). `throttle`: the addresses
 * refused at accept; one of its own unless a test passes one.
 */
export function createClientServer(
  tls: HttpTlsConfig | null,
  handleRequest: (req: IncomingMessage, res: ServerResponse) => void,
  warn: (text: string) => void = () => {},
  throttle: SourceThrottle = new SourceThrottle(PORT_THROTTLE),
): ClientServer {
  const refusals = new WarnBudget(warn);
  const offend = (socket: Socket, what: string): void => {
    const outcome = throttle.offend(socket.remoteAddress);
    if (!outcome.refused) return;
    refusals.warn(
      `refusing HTTP connections from ${socket.remoteAddress ?? '?'} for ${outcome.penaltyMs / 1000} s: ` +
        `${outcome.offences} of its connections broke the port's limits within ${THROTTLE_WINDOW_MS / 1000} s (the last: ${what})`,
    );
  };
  const pipelining = new PipeliningBound(offend);
  const handle = pipelining.wrap(handleRequest);
  const common = {
    maxHeaderSize: HTTP_MAX_HEADER_BYTES,
    requestTimeout: HTTP_REQUEST_TIMEOUT_MS,
    headersTimeout: HTTP_HEADERS_TIMEOUT_MS,
    keepAliveTimeout: HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS,
  };
  const server: ClientServer =
    tls === null
      ? createHttpServer(common, handle)
      : createHttpsServer(
          {
            ...common,
            cert: tls.cert,
            key: tls.key,
            minVersion: 'TLSv1.2',
            // AES-128-GCM before Node's default AES-256-GCM: as strong as the threat model needs and
            // cheaper per record, and a client API answers many small records (bench/tls-probe.ts).
            ciphers: HTTPS_CIPHERS,
            honorCipherOrder: true,
            handshakeTimeout: HTTP_HEADERS_TIMEOUT_MS,
            ...(tls.clientCa === null ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }),
          },
          handle,
        );
  server.maxConnections = HTTP_MAX_CONNECTIONS;
  server.maxHeadersCount = HTTP_MAX_HEADERS_COUNT;
  // No 'timeout' listener: Node destroys a socket idle this long (a client that stopped reading).
  server.setTimeout(HTTP_IDLE_TIMEOUT_MS);
  const guard = new ConnectionGuard({ maxWaiting: HTTP_MAX_UNPROVEN, deadlineMs: HTTP_HEADERS_TIMEOUT_MS }, (socket, why) =>
    offend(socket, why === 'deadline' ? `no complete request head within ${HTTP_HEADERS_TIMEOUT_MS} ms` : `crowded out of the ${HTTP_MAX_UNPROVEN} connections waiting for a request head`),
  );
  server.on('connection', (raw: Socket) => {
    raw.on('error', () => {}); // resets by clients are theirs to notice
    guard.admit(raw);
  });
  server.on('request', (req: IncomingMessage) => guard.prove(req.socket));
  // Listening replaces Node's own answer to a request it cannot parse: the same answer, and an offence.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (isOffence(err.code)) {
      offend(socket, `a request Node could not take (${err.code ?? err.message})`);
      if (socket.writable && pipelining.unanswered(socket) === 0) socket.write(clientErrorAnswer(err.code));
    }
    socket.destroy();
  });
  if (tls !== null) {
    server.on('tlsClientError', (err: Error, socket: Socket) => {
      offend(socket, `TLS handshake failed (${err.message.split('\n')[0] ?? ''})`);
      socket.destroy();
    });
  }
  // The socket Node's HTTP code reads from: the TLS socket over the raw one when HTTPS is on.
  server.on(tls === null ? 'connection' : 'secureConnection', cheapAbortsOnClose);
  // Last, around every listener above and Node's own: a refused address gets no TLS session, and a
  // connection whose handshake ended after its address was refused gets no HTTP parser.
  const admitted = (socket: Socket): boolean => !throttle.refuses(socket.remoteAddress);
  gateConnections(server, 'connection', admitted);
  if (tls !== null) gateConnections(server, 'secureConnection', admitted);
  return server;
}
