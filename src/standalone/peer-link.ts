// The outbound half of node-to-node traffic: one TCP connection we dial to one peer and only ever
// write to (the peer answers over its own connection to us). Raft tolerates lost messages, so this
// link never waits for a peer: while it is down, messages are dropped, and a full send buffer drops
// them too. It redials with exponential back-off, and pings so that a peer behind a cut cable (no
// FIN ever arrives) is noticed and redialled instead of swallowing messages for minutes. With peer
// TLS it presents this node's certificate and accepts only a server whose certificate, from the
// cluster CA, names the member it dialled.
import { connect, type Socket } from 'node:net';
import { connect as connectTls, type PeerCertificate } from 'node:tls';
import type { PeerAddress } from './config.ts';
import { describeNames, peerCertificateNames } from './peer-identity.ts';
import type { PeerTlsConfig } from './security-config.ts';
import { encodeLine, LineSplitter, parseControlLine, type Hello, type WireEnvelope } from './wire.ts';

export interface PeerLinkTiming {
  connectTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  pingIntervalMs: number;
  /** No pong for this long: the connection is presumed dead and redialled. */
  silenceLimitMs: number;
  /** Bytes waiting in the socket's user-space buffer beyond which messages are dropped. */
  maxQueuedBytes: number;
}

export const DEFAULT_LINK_TIMING: PeerLinkTiming = {
  connectTimeoutMs: 1000,
  backoffMinMs: 50,
  backoffMaxMs: 1000,
  pingIntervalMs: 250,
  silenceLimitMs: 2000,
  maxQueuedBytes: 4 * 1024 * 1024,
};

export type LinkLog = (level: 'info' | 'warn' | 'debug', text: string) => void;

export class PeerLink {
  private socket: Socket | null = null;
  private connected = false;
  private closed = false;
  private backoffMs: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private lastHeardAt = 0;
  /** Lines queued this turn of the event loop, for the socket they were queued on. */
  private pending: string[] = [];
  /** Their length in characters: the JSON is ASCII but for string values, close enough for a bound. */
  private pendingChars = 0;
  private pendingFor: Socket | null = null;
  /** Failed attempts since the last success: only the first is logged, so a dead peer does not flood stderr. */
  private failures = 0;
  dropped = 0;
  /** Bytes written and read on this link's connections that have closed (the open one adds its own). */
  private closedSent = 0;
  private closedReceived = 0;

  constructor(
    readonly peerId: string,
    private readonly address: PeerAddress,
    private readonly hello: Hello,
    private readonly log: LinkLog,
    private readonly timing: PeerLinkTiming = DEFAULT_LINK_TIMING,
    private readonly tls: PeerTlsConfig | null = null,
  ) {
    this.backoffMs = timing.backoffMinMs;
  }

  start(): void {
    this.dial();
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Queues one envelope; false if it was dropped (not connected, or the peer is not keeping up). */
  send(envelope: WireEnvelope): boolean {
    const socket = this.socket;
    if (!this.connected || socket === null || socket.writableLength + this.pendingChars > this.timing.maxQueuedBytes) {
      this.dropped++;
      return false;
    }
    // Messages sent in one turn of the event loop leave as one string in one write: one TLS record
    // and one syscall instead of one per message (most of what TLS costs under load), and one UTF-8
    // conversion (a corked socket converts each queued string on its own: the profile showed it).
    // A turn here is a whole pass of the event loop (setImmediate), not one callback (nextTick): a
    // follower relays each client request from its own callback, and one write per request was
    // 13% of the entry follower's time, most of it in the loopback send syscall; the host flushes
    // at the end of each batch of Raft output, so replication does not wait for the pass to end.
    if (this.pendingFor !== socket) {
      this.pending = [];
      this.pendingChars = 0;
      this.pendingFor = socket;
      setImmediate(() => this.flush());
    }
    const line = encodeLine(envelope);
    this.pending.push(line);
    this.pendingChars += line.length;
    return true;
  }

  /** Writes what this turn has queued now (before a blocking fsync, say) instead of at the end of the turn. */
  flush(): void {
    const socket = this.pendingFor;
    if (socket === null) return;
    const lines = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    this.pendingFor = null;
    // Lines queued for a connection that has closed since are lost with it, as Raft allows.
    if (socket === this.socket && !socket.destroyed) socket.write(lines.join(''));
  }

  /** Bytes written to and read from the peer on this link so far (for raft_peer_*_bytes_total). */
  traffic(): { sent: number; received: number } {
    return { sent: this.closedSent + (this.socket?.bytesWritten ?? 0), received: this.closedReceived + (this.socket?.bytesRead ?? 0) };
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.stopPinging();
    this.socket?.destroy();
    this.socket = null;
    this.connected = false;
  }

  private dial(): void {
    if (this.closed) return;
    const { host, port } = this.address;
    const tls = this.tls;
    const socket =
      tls === null
        ? connect({ host, port })
        : connectTls({ host, port, cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: 'TLSv1.2', checkServerIdentity: (_host, cert) => this.checkIdentity(cert) });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.setTimeout(this.timing.connectTimeoutMs, () => {
      if (!this.connected) socket.destroy(new Error(`no answer within ${this.timing.connectTimeoutMs} ms`));
    });
    const splitter = new LineSplitter(
      (line) => {
        if (parseControlLine(line)?.type === 'pong') this.lastHeardAt = Date.now();
      },
      () => socket.destroy(new Error('peer sent an overlong line')),
    );
    socket.on('data', (chunk: string) => splitter.push(chunk));
    socket.on(tls === null ? 'connect' : 'secureConnect', () => {
      socket.setTimeout(0);
      this.connected = true;
      this.lastHeardAt = Date.now();
      this.backoffMs = this.timing.backoffMinMs;
      if (this.failures > 0) this.log('info', `connected to peer ${this.peerId} after ${this.failures} failed attempt(s)`);
      else this.log('info', `connected to peer ${this.peerId}`);
      this.failures = 0;
      socket.write(encodeLine(this.hello));
      this.startPinging(socket);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.failures === 0) {
        const verb = this.connected ? 'lost connection to' : 'cannot reach';
        this.log('warn', `${verb} peer ${this.peerId} at ${this.address.host}:${this.address.port} (${err.code ?? err.message}); retrying with back-off, dropping messages meanwhile`);
      }
    });
    socket.on('close', () => {
      this.closedSent += socket.bytesWritten;
      this.closedReceived += socket.bytesRead;
      if (this.socket !== socket) return;
      if (this.connected) this.log('info', `connection to peer ${this.peerId} closed`);
      this.connected = false;
      this.socket = null;
      this.failures++;
      this.stopPinging();
      this.scheduleRedial();
    });
  }

  /** The member we dialled must be who answers: its certificate names our peer's Raft id. */
  private checkIdentity(cert: PeerCertificate): Error | undefined {
    const names = peerCertificateNames(cert);
    if (names.includes(this.peerId)) return undefined;
    return new Error(`the certificate of the node at ${this.address.host}:${this.address.port} names ${describeNames(names)}, not member "${this.peerId}"`);
  }

  private scheduleRedial(): void {
    if (this.closed) return;
    // Jitter keeps nodes that lost a peer at the same moment from redialling in lockstep.
    const delay = this.backoffMs * (0.5 + Math.random() / 2);
    this.backoffMs = Math.min(this.backoffMs * 2, this.timing.backoffMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.dial();
    }, delay);
  }

  private startPinging(socket: Socket): void {
    this.stopPinging();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeardAt > this.timing.silenceLimitMs) {
        this.log('warn', `peer ${this.peerId} silent for ${this.timing.silenceLimitMs} ms; redialling`);
        socket.destroy();
        return;
      }
      if (socket.writableLength <= this.timing.maxQueuedBytes) socket.write(encodeLine({ type: 'ping' }));
    }, this.timing.pingIntervalMs);
  }

  private stopPinging(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
