// The only code that writes to stdout. Every message gets a fresh, increasing msg_id (from a random
// start, see randomFirstMessageId), is encoded as
// ONE line of JSON, and lines written in the same turn of the event loop go out in one write.
// Maelstrom stops reading a node's stdout for good after a single line that is not a valid message,
// so nothing but these lines may ever reach stdout (logs go to stderr).
import type { Body } from '../protocol/messages.ts';

export interface Sink {
  write(chunk: string): void;
}

/**
 * Where a process starts numbering its messages: a random point in [1, 2^50], which leaves room
 * for 7 * 2^50 more messages below 2^53 (Maelstrom's msg_ids are JSON integers). Replies are matched
 * by msg_id, and a restarted node is a new process: counting from 1 in every process would let a
 * late reply meant for the previous one (say a cas_ok for its vote) answer the new one's request.
 */
function randomFirstMessageId(random: () => number = Math.random): number {
  return 1 + Math.floor(random() * 2 ** 50);
}

export class Transport {
  private nextMsgId: number;
  private buffer: string[] = [];
  private flushScheduled = false;
  private nodeId = '';

  constructor(
    private readonly sink: Sink,
    firstMsgId: number = randomFirstMessageId(),
  ) {
    this.nextMsgId = firstMsgId;
  }

  setNodeId(id: string): void {
    this.nodeId = id;
  }

  /**
   * Sends `body` to `dest` with a new msg_id (returned, for RPC callbacks). `src` defaults to our node id;
   * before init we do not have one, so an early error reply borrows the `dest` it was sent to.
   */
  send(dest: string, body: Body, src: string = this.nodeId): number {
    const msgId = this.reserveMsgId();
    this.enqueue(JSON.stringify({ src, dest, body: { ...body, msg_id: msgId } }));
    return msgId;
  }

  /** A msg_id for a body that travels inside another (a relayed message keeps its own id end to end). */
  reserveMsgId(): number {
    return this.nextMsgId++;
  }

  /** Sends `body` exactly as given, from our node id (its msg_id, if any, was reserved by the caller). */
  sendPrepared(dest: string, body: Body): void {
    this.enqueue(JSON.stringify({ src: this.nodeId, dest, body }));
  }

  private enqueue(line: string): void {
    this.buffer.push(line);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.sink.write(chunk);
  }
}
