// What travels on a node-to-node TCP connection: one JSON value per line. The first line names the
// sender (hello); then come Maelstrom-style envelopes {src, dest, body} carrying the same bodies as
// in the Maelstrom mode, and ping/pong lines that let the dialling side notice a silent peer.
import type { Body } from '../protocol/messages.ts';

export interface Hello {
  type: 'hello';
  /** The sender's Raft id: the receiver checks it is a member. */
  id: string;
  /** The sender's --id, for /status and log lines. */
  name: string;
  /** The sender's HTTP address (host:port), so the cluster page's node can ask it for its /status. */
  http?: string;
  /**
   * The sender's peer address (HOST:PORT): a receiver whose configuration does not list the sender
   * yet (a node still joining, a member that lags behind a change) can still dial it to answer.
   */
  addr?: string;
}

/**
 * First line of a connection from a node that wants to become a member (--join): add me as a
 * learner. The receiver answers one JoinReply on the same connection and closes it.
 */
export interface JoinRequest {
  type: 'join';
  id: string;
  name: string;
  /** The joiner's peer address, HOST:PORT: the members dial it once it is in the configuration. */
  address: string;
}

export type JoinOutcome = 'added' | 'refused' | 'unavailable' | 'unknown';

export interface JoinReply {
  type: 'join_reply';
  /** added: in the configuration (now or already); refused: never will be as asked; unavailable: nothing happened, ask again; unknown: may have happened. */
  outcome: JoinOutcome;
  reason: string;
}

export type ControlLine = Hello | JoinRequest | JoinReply | { type: 'ping' } | { type: 'pong' };

export interface WireEnvelope {
  src: string;
  dest: string;
  body: Body;
}

/**
 * The longest line we accept from an identified peer. The largest real ones: an AppendEntries of at
 * most 1 MiB of entries by estimate (raft-host.ts, maxEntryCharsPerMessage; escapes can make that a
 * few times more on the wire), or one entry as large as a client body may be (1 MiB); a snapshot
 * chunk is 64 KiB. 8 MiB leaves room for all of them and bounds what a misbehaving member makes us hold.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export function encodeLine(value: ControlLine | WireEnvelope): string {
  return `${JSON.stringify(value)}\n`;
}

/** A control line, or null if the line is something else (an envelope, or junk for the envelope parser). */
export function parseControlLine(line: string): ControlLine | null {
  // Envelopes never start with {"type": — a cheap test that spares a second JSON.parse per message.
  if (!line.startsWith('{"type":')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { [key: string]: unknown };
  if (v['type'] === 'ping' || v['type'] === 'pong') return { type: v['type'] };
  if (v['type'] === 'hello' && typeof v['id'] === 'string' && typeof v['name'] === 'string') {
    return {
      type: 'hello',
      id: v['id'],
      name: v['name'],
      ...(typeof v['http'] === 'string' ? { http: v['http'] } : {}),
      ...(typeof v['addr'] === 'string' ? { addr: v['addr'] } : {}),
    };
  }
  if (v['type'] === 'join' && typeof v['id'] === 'string' && typeof v['name'] === 'string' && typeof v['address'] === 'string') {
    return { type: 'join', id: v['id'], name: v['name'], address: v['address'] };
  }
  if (v['type'] === 'join_reply' && typeof v['reason'] === 'string' && ['added', 'refused', 'unavailable', 'unknown'].includes(String(v['outcome']))) {
    return { type: 'join_reply', outcome: v['outcome'] as JoinOutcome, reason: v['reason'] };
  }
  return null;
}

/**
 * Splits a byte stream into lines; reports overlong lines instead of buffering without bound. The
 * pieces of an unfinished line are kept as a list and joined once its newline arrives, so a long
 * line costs its length, not its length squared.
 */
export class LineSplitter {
  private pieces: string[] = [];
  private pending = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
    /** Settable: a listener allows only a short line until the sender has identified itself. */
    public maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: string): void {
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline >= 0) {
      let line = chunk.slice(start, newline);
      if (this.pieces.length > 0) {
        this.pieces.push(line);
        line = this.pieces.join('');
        this.pieces = [];
        this.pending = 0;
      }
      if (line.trim() !== '') this.onLine(line);
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) {
      this.pieces.push(start === 0 ? chunk : chunk.slice(start));
      this.pending += chunk.length - start;
    }
    if (this.pending > this.maxLineBytes) {
      this.pieces = [];
      this.pending = 0;
      this.onOverflow();
    }
  }
}
