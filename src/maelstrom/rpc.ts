// Request/response on top of one-way messages: a callback per (destination, msg_id), a timeout per
// call, and late or unknown replies dropped quietly (they are normal after a timeout or a partition).
import type { Body } from '../protocol/messages.ts';

/** Whatever sends a body and returns the msg_id it carries (the transport, or the routed transport). */
export interface MessageSender {
  send(dest: string, body: Body): number;
}

export type RpcOutcome = { kind: 'reply'; body: Body } | { kind: 'timeout' };

interface PendingCall {
  dest: string;
  resolve: (outcome: RpcOutcome) => void;
  timer: NodeJS.Timeout;
}

export class Rpc {
  private readonly pending = new Map<number, PendingCall>();

  constructor(private readonly transport: MessageSender) {}

  call(dest: string, body: Body, timeoutMs: number): Promise<RpcOutcome> {
    return new Promise((resolve) => {
      const msgId = this.transport.send(dest, body);
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.pending.set(msgId, { dest, resolve, timer });
    });
  }

  /**
   * Routes a reply to its caller. Returns false when nobody waits for it any more, or when it comes
   * from someone other than the node or service the request went to (not an answer to our request).
   */
  handleReply(src: string, inReplyTo: number, body: Body): boolean {
    const call = this.pending.get(inReplyTo);
    if (call === undefined || call.dest !== src) return false;
    this.pending.delete(inReplyTo);
    clearTimeout(call.timer);
    call.resolve({ kind: 'reply', body });
    return true;
  }

  outstanding(): number {
    return this.pending.size;
  }
}
