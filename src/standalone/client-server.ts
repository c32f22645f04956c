// The server under the client API: HTTP, or HTTPS with --cert/--key (and, with --client-ca, only
// clients whose certificate that CA signed get past the handshake). Either way with the limits of
// limits.ts, so slow, idle or oversized clients cost bounded time and memory.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { DEFAULT_CIPHERS } from 'node:tls';
import { ConnectionGuard } from './connection-guard.ts';
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
} from './limits.ts';
import type { HttpTlsConfig } from './security-config.ts';

export type ClientServer = HttpServer | HttpsServer;

/** TLS 1.3 suites in the server's order of preference, then Node's default TLS 1.2 list. */
const HTTPS_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', ...DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_'))].join(':');

/**
 * Runs `handle` for a request unless its connection already has HTTP_MAX_PIPELINED unanswered ones:
 * a client that pipelines thousands of requests and never reads the answers would otherwise make
 * the server hold every one of them.
 */
function boundPipelining(handle: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  const unanswered = new WeakMap<Socket, number>();
  return (req, res) => {
    const socket = req.socket;
    const count = (unanswered.get(socket) ?? 0) + 1;
    if (count > HTTP_MAX_PIPELINED) {
      socket.destroy();
      return;
    }
    unanswered.set(socket, count);
    res.once('close', () => unanswered.set(socket, (unanswered.get(socket) ?? 1) - 1));
    handle(req, res);
  };
}

export function createClientServer(tls: HttpTlsConfig | null, handleRequest: (req: IncomingMessage, res: ServerResponse) => void): ClientServer {
  const handle = boundPipelining(handleRequest);
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
  const guard = new ConnectionGuard({ maxWaiting: HTTP_MAX_UNPROVEN, deadlineMs: HTTP_HEADERS_TIMEOUT_MS }, () => {});
  server.on('connection', (raw: Socket) => {
    raw.on('error', () => {}); // resets by clients are theirs to notice
    guard.admit(raw);
  });
  server.on('request', (req: IncomingMessage) => guard.prove(req.socket));
  return server;
}
