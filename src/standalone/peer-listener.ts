// The inbound half of node-to-node traffic: peers dial us, name themselves in a hello line, then
// send envelopes. We answer nothing on these connections but pongs (replies travel over our own
// outbound link), and refuse anyone whose hello does not name a member of the cluster. With peer
// TLS, the dialler must also present a certificate from the cluster CA that names the member its
// hello claims to be; otherwise the connection is closed before any line after the hello is read.
// An address whose connections keep being refused is refused at accept for a while
// (source-throttle.ts), unless it is a member's host.
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { gateConnections } from './connection-gate.ts';
import { ConnectionGuard, WarnBudget } from './connection-guard.ts';
import { PEER_HELLO_DEADLINE_MS, PEER_IDLE_MS, PEER_MAX_CONNECTIONS, PEER_MAX_HELLO_BYTES, PEER_MAX_UNIDENTIFIED, THROTTLE_WINDOW_MS } from './limits.ts';
import type { LinkLog } from './peer-link.ts';
import { describeNames, peerCertificateNames } from './peer-identity.ts';
import type { PeerTlsConfig } from './security-config.ts';
import { PORT_THROTTLE, SourceThrottle } from './source-throttle.ts';
import { encodeLine, LineSplitter, MAX_LINE_BYTES, parseControlLine, type JoinReply, type JoinRequest } from './wire.ts';
import { listenOn } from './listen.ts';

export interface PeerListenerHandlers {
  /** Is this Raft id one of our peers? */
  isPeer(id: string): boolean;
  /** A peer introduced itself (again): its name, for /status, and its HTTP and peer addresses if it gave them. */
  onHello(id: string, name: string, http: string | null, addr: string | null): void;
  /**
   * A node asks to join the cluster (its identity already checked against its certificate with
   * peer TLS). `answer` writes the one reply and closes the connection.
   */
  onJoin?(request: JoinRequest, answer: (reply: JoinReply) => void): void;
  /** One line from an identified peer; not a control line. */
  onLine(from: string, line: string): void;
}

export class PeerListener {
  private readonly server: Server;
  /** Raw connections, so close() ends them all (TLS ones included). */
  private readonly sockets = new Set<Socket>();
  /** Identified connections' peers, and bytes of closed ones per peer (for raft_peer_*_bytes_total). */
  private readonly peerOf = new Map<Socket, string>();
  private readonly closedTraffic = new Map<string, { sent: number; received: number }>();
  private readonly guard: ConnectionGuard;
  /** Refusals of strangers: one line each, but not thousands in a flood. */
  private readonly refusals: WarnBudget;
  /** Addresses whose connections keep being refused are refused at accept for a while. */
  private readonly throttle: SourceThrottle;

  constructor(
    private readonly handlers: PeerListenerHandlers,
    private readonly log: LinkLog,
    tls: PeerTlsConfig | null = null,
    /** Addresses refused at accept; the node passes one that never refuses its members' hosts. */
    throttle: SourceThrottle | null = null,
  ) {
    this.refusals = new WarnBudget((text) => this.log('warn', text));
    this.throttle = throttle ?? new SourceThrottle(PORT_THROTTLE);
    this.guard = new ConnectionGuard({ maxWaiting: PEER_MAX_UNIDENTIFIED, deadlineMs: PEER_HELLO_DEADLINE_MS }, (socket, why) => {
      const where = socket.remoteAddress ?? '?';
      if (why === 'deadline') this.refused(socket, `inbound connection from ${where} sent no accepted hello within ${PEER_HELLO_DEADLINE_MS} ms; closed`);
      else this.refused(socket, `inbound connection from ${where} closed: more than ${PEER_MAX_UNIDENTIFIED} connections were waiting to identify themselves`);
    });
    if (tls === null) {
      this.server = createTcpServer((socket) => this.accept(socket, null));
    } else {
      const server = createTlsServer(
        // The certificate is checked below rather than by the handshake, so the log says why a peer was refused.
        { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: false, handshakeTimeout: PEER_HELLO_DEADLINE_MS, minVersion: 'TLSv1.2' },
        (socket) => this.acceptTls(socket),
      );
      server.on('tlsClientError', (err, socket) => {
        this.refused(socket, `refused peer connection from ${socket.remoteAddress ?? '?'}: TLS handshake failed (${err.message.split('\n')[0] ?? ''})`);
        socket.destroy();
      });
      this.server = server;
    }
    this.server.maxConnections = PEER_MAX_CONNECTIONS;
    // Every raw connection, before any TLS: the guard gives it a hello deadline.
    this.server.on('connection', (raw: Socket) => {
      this.sockets.add(raw);
      raw.on('error', () => {}); // a stranger resetting is normal; the guard or the reader reports what matters
      raw.once('close', () => this.sockets.delete(raw));
      this.guard.admit(raw);
    });
    // Last, around every listener above and Node's own: a refused address gets no TLS session, and
    // a connection whose handshake ended after its address was refused is not read.
    const admitted = (socket: Socket): boolean => !this.throttle.refuses(socket.remoteAddress);
    gateConnections(this.server, 'connection', admitted);
    if (tls !== null) gateConnections(this.server, 'secureConnection', admitted);
  }

  /** A stranger's connection was refused: the WARN line, and an offence of its address (which may now be refused at accept). */
  private refused(socket: Socket, text: string): void {
    this.refusals.warn(text);
    const outcome = this.throttle.offend(socket.remoteAddress);
    if (outcome.refused) {
      this.refusals.warn(
        `refusing peer connections from ${socket.remoteAddress ?? '?'} for ${outcome.penaltyMs / 1000} s: ` +
          `${outcome.offences} of its connections were refused within ${THROTTLE_WINDOW_MS / 1000} s`,
      );
    }
  }

  listen(host: string, port: number): Promise<void> {
    return listenOn(this.server, host, port);
  }

  /** Bytes written to (pongs) and read from `peer` on connections it dialled to us. */
  traffic(peer: string): { sent: number; received: number } {
    const closed = this.closedTraffic.get(peer);
    let sent = closed?.sent ?? 0;
    let received = closed?.received ?? 0;
    for (const [socket, id] of this.peerOf) {
      if (id !== peer) continue;
      sent += socket.bytesWritten;
      received += socket.bytesRead;
    }
    return { sent, received };
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Closes the connections `peer` dialled to us (it left the configuration: it must not go on speaking as a member). */
  disconnect(peer: string): void {
    for (const [socket, id] of this.peerOf) if (id === peer) socket.destroy();
  }

  /** Connections that have not (yet) sent an accepted hello. */
  unidentifiedConnections(): number {
    return this.guard.waitingCount();
  }

  /** A TLS connection whose handshake finished: its certificate must come from the cluster CA. */
  private acceptTls(socket: TLSSocket): void {
    const where = socket.remoteAddress ?? '?';
    const cert = socket.getPeerCertificate();
    if (cert === null || Object.keys(cert).length === 0) {
      this.refused(socket, `refused peer connection from ${where}: it presented no certificate`);
      socket.destroy();
      return;
    }
    if (!socket.authorized) {
      this.refused(socket, `refused peer connection from ${where}: its certificate (${describeNames(peerCertificateNames(cert))}) is not accepted: ${String(socket.authorizationError)}`);
      socket.destroy();
      return;
    }
    this.accept(socket, peerCertificateNames(cert));
  }

  /**
   * A join request instead of a hello: the same identity rule (with TLS, the certificate must name
   * the id the joiner asks to be added as), then one reply on this connection, then it is closed.
   */
  private acceptJoin(socket: Socket, request: JoinRequest, certNames: string[] | null, refuse: (text: string) => void): void {
    const where = socket.remoteAddress ?? '?';
    const onJoin = this.handlers.onJoin;
    if (certNames !== null && !certNames.includes(request.id)) {
      return refuse(`refused join request from ${where}: it asks to join as "${request.id}" but its certificate names ${describeNames(certNames)}`);
    }
    if (onJoin === undefined) return refuse(`refused join request from ${where}: this node takes none`);
    this.guard.prove(socket);
    let answered = false;
    onJoin(request, (reply) => {
      if (answered || socket.destroyed) return;
      answered = true;
      socket.end(encodeLine(reply));
    });
  }

  /** `certNames`: who the TLS certificate says the dialler is, or null without TLS. */
  private accept(socket: Socket, certNames: string[] | null): void {
    const where = socket.remoteAddress ?? '?';
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.setTimeout(PEER_IDLE_MS, () => socket.destroy());
    socket.on('error', () => {}); // a peer going away is normal; its link on our side reports it
    let peer: string | null = null;
    let refused = false;
    const refuse = (text: string): void => {
      refused = true;
      this.refused(socket, text);
      socket.destroy();
    };
    const splitter = new LineSplitter(
      (line) => {
        if (refused) return; // the rest of a chunk that arrived with a refused hello is never looked at
        const control = parseControlLine(line);
        if (peer === null && control?.type === 'join') {
          refused = true; // one request per connection: whatever follows it is never looked at
          return this.acceptJoin(socket, control, certNames, refuse);
        }
        if (peer === null) {
          if (control?.type !== 'hello') return refuse(`inbound connection from ${where} did not start with a hello; closed`);
          if (certNames !== null && !certNames.includes(control.id)) {
            return refuse(`refused peer connection from ${where}: its hello claims to be "${control.id}" but its certificate names ${describeNames(certNames)}`);
          }
          if (!this.handlers.isPeer(control.id)) {
            return refuse(`refused connection from "${control.id}" (${control.name}): not a member of this cluster (do all nodes list their peers in the same form?)`);
          }
          peer = control.id;
          splitter.maxLineBytes = MAX_LINE_BYTES;
          this.guard.prove(socket);
          this.peerOf.set(socket, peer);
          this.handlers.onHello(control.id, control.name, control.http ?? null, control.addr ?? null);
          return;
        }
        if (control?.type === 'ping') {
          socket.write(encodeLine({ type: 'pong' }));
          return;
        }
        if (control === null) this.handlers.onLine(peer, line);
      },
      () => {
        if (peer === null) refuse(`inbound connection from ${where} sent a line over ${PEER_MAX_HELLO_BYTES} bytes before its hello; closed`);
        else refuse(`peer ${peer} sent an overlong line; connection closed`);
      },
      PEER_MAX_HELLO_BYTES,
    );
    socket.on('data', (chunk: string) => splitter.push(chunk));
    socket.on('close', () => {
      const id = this.peerOf.get(socket);
      if (id !== undefined) {
        this.peerOf.delete(socket);
        const t = this.closedTraffic.get(id) ?? { sent: 0, received: 0 };
        t.sent += socket.bytesWritten;
        t.received += socket.bytesRead;
        this.closedTraffic.set(id, t);
      }
    });
  }
}
