// Request/response on top of one-way messages: a callback per (destination, msg_id), a timeout per
// call, and late or unknown replies dropped quietly (they are normal after a timeout or a partition).
import type { Body } from '../protocol/messages.ts';

/** Whatever sends a body and returns the msg_id it carries (the transport, or the routed transport). */
export interface MessageSender {
  send(dest: string, body: Body): number;
}

export type RpcOutcome = { kind: 'reply'; body: Body } | { kind: 'timeout' };

/** Told about every answered call's round trip, and every timeout, so timeouts can follow the network. */
export interface RpcObserver {
  now(): number;
  roundTrip(dest: string, ms: number): void;
  timedOut(dest: string): void;
}

interface PendingCall {
  dest: string;
  sentAt: number;
  resolve: (outcome: RpcOutcome) => void;
  timer: NodeJS.Timeout;
}

/** Calls that timed out are remembered this long, so a late answer still measures the round trip. */
const MAX_TIMED_OUT_REMEMBERED = 256;

export class Rpc {
  private readonly pending = new Map<number, PendingCall>();
  private readonly timedOut = new Map<number, { dest: string; sentAt: number }>();

  constructor(
    private readonly transport: MessageSender,
    private readonly observer: RpcObserver | null = null,
  ) {}

  call(dest: string, body: Body, timeoutMs: number): Promise<RpcOutcome> {
    return new Promise((resolve) => {
      const sentAt = this.observer?.now() ?? 0;
      const msgId = this.transport.send(dest, body);
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        this.timedOut.set(msgId, { dest, sentAt });
        if (this.timedOut.size > MAX_TIMED_OUT_REMEMBERED) this.timedOut.delete(this.timedOut.keys().next().value as number);
        this.observer?.timedOut(dest);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.pending.set(msgId, { dest, sentAt, resolve, timer });
    });
  }

  /**
   * Routes a reply to its caller. Returns false when nobody waits for it any more, or when it comes
   * from someone other than the node or service the request went to (not an answer to our request).
   */
  handleReply(src: string, inReplyTo: number, body: Body): boolean {
    const call = this.pending.get(inReplyTo);
    if (call === undefined) {
      // Too late for its caller, but a msg_id is used once per process, so the round trip is still true.
      const late = this.timedOut.get(inReplyTo);
      if (late !== undefined && late.dest === src && this.observer !== null) {
        this.timedOut.delete(inReplyTo);
        this.observer.roundTrip(late.dest, this.observer.now() - late.sentAt);
      }
      return false;
    }
    if (call.dest !== src) return false;
    this.pending.delete(inReplyTo);
    clearTimeout(call.timer);
    if (this.observer !== null) this.observer.roundTrip(call.dest, this.observer.now() - call.sentAt);
    call.resolve({ kind: 'reply', body });
    return true;
  }

  outstanding(): number {
    return this.pending.size;
  }
}
