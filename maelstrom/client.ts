// A Maelstrom client (see maelstrom/README.md): an id c<k> on the network, msg_ids 1, 2, 3, ... and replies
// matched by in_reply_to. Anything else that arrives for it (late or duplicate replies) is dropped.
import type { Message, MessageBody, Network } from './net.ts';

export type RequestOutcome = { kind: 'reply'; body: Record<string, unknown> } | { kind: 'timeout' };

export interface BenchClient {
  readonly id: string;
  readonly node: string;
  /** Sends body (msg_id assigned by the client) and waits for the reply with that in_reply_to. */
  request(body: { type: string; [field: string]: unknown }, timeoutMs: number): Promise<RequestOutcome>;
  /** Unregister; late replies are dropped. */
  close(): void;
}

interface Waiting {
  resolve: (outcome: RequestOutcome) => void;
  timer: NodeJS.Timeout;
}

export class NetworkClient implements BenchClient {
  private nextMsgId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed = false;
  /** Replies that matched nothing (late, duplicate or unsolicited): Maelstrom drops them too. */
  droppedReplies = 0;

  constructor(
    private readonly network: Network,
    readonly id: string,
    readonly node: string,
    private readonly onClose: (client: NetworkClient) => void = () => {},
  ) {
    network.register(id, (message) => this.receive(message));
  }

  request(body: { type: string; [field: string]: unknown }, timeoutMs: number): Promise<RequestOutcome> {
    if (this.closed) return Promise.reject(new Error(`client ${this.id} is closed`));
    const msgId = this.nextMsgId++;
    return new Promise<RequestOutcome>((resolve, reject) => {
      // The timer starts before the send: a zero-latency reply may well arrive within the same turn.
      const timer = setTimeout(() => {
        this.waiting.delete(msgId);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.waiting.set(msgId, { resolve, timer });
      const outgoing: MessageBody = { ...body, msg_id: msgId };
      const sent = this.network.send(this.id, this.node, outgoing);
      if (!sent.ok) {
        clearTimeout(timer);
        this.waiting.delete(msgId);
        reject(new Error(`client ${this.id} cannot send to ${this.node}: ${sent.reason}`));
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.network.unregister(this.id);
    for (const [, w] of this.waiting) {
      clearTimeout(w.timer);
      w.resolve({ kind: 'timeout' });
    }
    this.waiting.clear();
    this.onClose(this);
  }

  private receive(message: Message): void {
    const inReplyTo = message.body['in_reply_to'];
    const waiting = typeof inReplyTo === 'number' ? this.waiting.get(inReplyTo) : undefined;
    if (waiting === undefined || typeof inReplyTo !== 'number') {
      this.droppedReplies++;
      return;
    }
    this.waiting.delete(inReplyTo);
    clearTimeout(waiting.timer);
    waiting.resolve({ kind: 'reply', body: message.body });
  }
}
