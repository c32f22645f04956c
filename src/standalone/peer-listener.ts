// The inbound half of node-to-node traffic: peers dial us, name themselves in a hello line, then
// send envelopes. We answer nothing on these connections but pongs (replies travel over our own
// outbound link), and refuse anyone whose hello does not name a member of the cluster.
import { createServer, type Server, type Socket } from 'node:net';
import type { LinkLog } from './peer-link.ts';
import { encodeLine, LineSplitter, parseControlLine } from './wire.ts';
import { listenOn } from './listen.ts';

export interface PeerListenerHandlers {
  /** Is this Raft id one of our peers? */
  isPeer(id: string): boolean;
  /** A peer introduced itself (again): its name, for /status, and its HTTP address if it gave one. */
  onHello(id: string, name: string, http: string | null): void;
  /** One line from an identified peer; not a control line. */
  onLine(from: string, line: string): void;
}

export class PeerListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Identified connections' peers, and bytes of closed ones per peer (for raft_peer_*_bytes_total). */
  private readonly peerOf = new Map<Socket, string>();
  private readonly closedTraffic = new Map<string, { sent: number; received: number }>();
  /** A hello must arrive this soon after connecting, or the connection is dropped. */
  private readonly helloTimeoutMs = 5000;
  /** A live peer pings every 250 ms; a connection silent this long was abandoned behind a cut (no FIN came). */
  private readonly idleLimitMs = 10_000;

  constructor(
    private readonly handlers: PeerListenerHandlers,
    private readonly log: LinkLog,
  ) {
    this.server = createServer((socket) => this.accept(socket));
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

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.setTimeout(this.idleLimitMs, () => socket.destroy());
    let peer: string | null = null;
    const helloTimer = setTimeout(() => {
      this.log('warn', `inbound connection from ${socket.remoteAddress ?? '?'} sent no hello within ${this.helloTimeoutMs} ms; closed`);
      socket.destroy();
    }, this.helloTimeoutMs);
    const splitter = new LineSplitter(
      (line) => {
        const control = parseControlLine(line);
        if (peer === null) {
          if (control?.type !== 'hello') {
            this.log('warn', `inbound connection from ${socket.remoteAddress ?? '?'} did not start with a hello; closed`);
            socket.destroy();
            return;
          }
          clearTimeout(helloTimer);
          if (!this.handlers.isPeer(control.id)) {
            this.log('warn', `refused connection from "${control.id}" (${control.name}): not a member of this cluster (do all nodes list their peers in the same form?)`);
            socket.destroy();
            return;
          }
          peer = control.id;
          this.peerOf.set(socket, peer);
          this.handlers.onHello(control.id, control.name, control.http ?? null);
          return;
        }
        if (control?.type === 'ping') {
          socket.write(encodeLine({ type: 'pong' }));
          return;
        }
        if (control === null) this.handlers.onLine(peer, line);
      },
      () => {
        this.log('warn', `peer ${peer ?? socket.remoteAddress ?? '?'} sent an overlong line; connection closed`);
        socket.destroy();
      },
    );
    socket.on('data', (chunk: string) => splitter.push(chunk));
    socket.on('error', () => {}); // a peer going away is normal; its link on our side reports it
    socket.on('close', () => {
      clearTimeout(helloTimer);
      this.sockets.delete(socket);
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
