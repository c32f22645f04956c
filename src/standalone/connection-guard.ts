// Bounds the connections that have not yet shown they belong: on the peer port, those without an
// accepted hello; on the HTTP port, those without a complete request head. Each gets a deadline,
// and when too many wait at once the oldest is closed to make room. A flood of idle or slow
// connections then costs a bounded amount of memory, and a real peer or client, which proves
// itself within a round trip, still gets in (a plain "refuse beyond N" would lock it out).
import type { Socket } from 'node:net';

export interface GuardLimits {
  maxWaiting: number;
  deadlineMs: number;
}

/** Why the guard closed a connection, for the caller's (rate-limited) log line. */
export type GuardEviction = 'deadline' | 'crowded out';

/**
 * Sockets are tracked by remote endpoint: a TLS server hands the raw socket to 'connection' and a
 * TLSSocket over it to its handler later, and both report the same remote address and port.
 */
export function endpointOf(socket: Socket): string | null {
  if (socket.remoteAddress === undefined || socket.remotePort === undefined) return null;
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

export class ConnectionGuard {
  /** In insertion order, so the first entry is the oldest waiting connection. */
  private readonly waiting = new Map<string, { socket: Socket; timer: NodeJS.Timeout }>();

  constructor(
    private readonly limits: GuardLimits,
    private readonly onEvict: (socket: Socket, why: GuardEviction) => void,
  ) {}

  /** A new raw connection: it must prove itself within the deadline. */
  admit(socket: Socket): void {
    const key = endpointOf(socket);
    if (key === null) {
      socket.destroy();
      return;
    }
    while (this.waiting.size >= this.limits.maxWaiting) {
      const oldest = this.waiting.entries().next().value;
      if (oldest === undefined) break;
      this.evict(oldest[0], 'crowded out');
    }
    const timer = setTimeout(() => this.evict(key, 'deadline'), this.limits.deadlineMs);
    timer.unref();
    this.waiting.set(key, { socket, timer });
    socket.once('close', () => this.forget(key, socket));
  }

  /** The connection (or the TLS socket over it) proved itself: no deadline any more. */
  prove(socket: Socket): void {
    const key = endpointOf(socket);
    if (key === null) return;
    const entry = this.waiting.get(key);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.waiting.delete(key);
  }

  /** Connections still waiting to prove themselves (for tests and the hostile-input bench). */
  waitingCount(): number {
    return this.waiting.size;
  }

  private evict(key: string, why: GuardEviction): void {
    const entry = this.waiting.get(key);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.waiting.delete(key);
    this.onEvict(entry.socket, why);
    entry.socket.destroy();
  }

  private forget(key: string, socket: Socket): void {
    const entry = this.waiting.get(key);
    if (entry === undefined || entry.socket !== socket) return;
    clearTimeout(entry.timer);
    this.waiting.delete(key);
  }
}

/**
 * At most `perWindow` lines per window, then one line saying how many were left out: an attack of
 * thousands of refused connections must not become thousands of log lines (or a stderr backlog).
 */
export class WarnBudget {
  private windowStart = 0;
  private used = 0;
  private suppressed = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly perWindow = 20,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(text: string): void {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0) this.write(`${this.suppressed} more refused connection(s) in the last ${Math.round((t - this.windowStart) / 1000)} s not logged one by one`);
      this.windowStart = t;
      this.used = 0;
      this.suppressed = 0;
    }
    if (this.used < this.perWindow) {
      this.used++;
      this.write(text);
    } else {
      this.suppressed++;
    }
  }
}
