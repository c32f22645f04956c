// Reads the node's stderr lines (src/logger.ts format) into election events. The bench stamps each
// event with its own clock (cluster.now()) when the line arrives, rather than trusting the ISO time
// in the line, so that every duration is measured on one clock.

export type ElectionEvent =
  | { kind: 'timeout-fired' }
  | { kind: 'pre-vote'; term: number }
  | { kind: 'candidate'; term: number }
  | { kind: 'vote-received'; from: string }
  | { kind: 'elected'; term: number }
  | { kind: 'stepped-down'; term: number; reason: string }
  | { kind: 'recognized'; leader: string; term: number }
  | { kind: 'heartbeat' };

export interface ParsedLine {
  node: string;
  role: string;
  term: number | null;
  level: 'info' | 'warn' | 'debug';
  text: string;
}

const LINE = /^(\S+) (\S+) \[(\S+) t(\d+|-)\](?: (WARN|DEBUG))? (.*)$/;

export function parseLogLine(line: string): ParsedLine | null {
  const m = LINE.exec(line);
  if (m === null) return null;
  const [, , node, role, term, level, text] = m;
  return {
    node: node as string,
    role: role as string,
    term: term === '-' || term === undefined ? null : Number(term),
    level: level === 'WARN' ? 'warn' : level === 'DEBUG' ? 'debug' : 'info',
    text: text as string,
  };
}

export function electionEvent(text: string): ElectionEvent | null {
  let m: RegExpExecArray | null;
  if (text.startsWith('election timeout fired')) return { kind: 'timeout-fired' };
  if ((m = /^starting pre-vote for term (\d+)/.exec(text))) return { kind: 'pre-vote', term: Number(m[1]) };
  if ((m = /^became candidate for term (\d+)/.exec(text))) return { kind: 'candidate', term: Number(m[1]) };
  if ((m = /^received vote from node (\S+)/.exec(text))) return { kind: 'vote-received', from: m[1] as string };
  if ((m = /^elected leader for term (\d+)/.exec(text))) return { kind: 'elected', term: Number(m[1]) };
  if ((m = /^stepped down to follower, term (\d+) \((.*)\)/.exec(text))) return { kind: 'stepped-down', term: Number(m[1]), reason: m[2] as string };
  if ((m = /^recognized (\S+) as leader for term (\d+)/.exec(text))) return { kind: 'recognized', leader: m[1] as string, term: Number(m[2]) };
  if (text.startsWith('sending heartbeat')) return { kind: 'heartbeat' };
  return null;
}

export interface StampedEvent {
  /** Bench clock (cluster.now()) when the line arrived. */
  at: number;
  node: string;
  event: ElectionEvent;
  line: string;
}

/**
 * Everything the bench learns from node logs: the event list, and who leads now. A leader is the
 * node that logged `elected leader for term Y` for the highest Y seen and has not stepped down.
 */
export class ElectionLog {
  readonly events: StampedEvent[] = [];
  readonly lines: { at: number; node: string; line: string }[] = [];
  private readonly listeners = new Set<(e: StampedEvent) => void>();
  private leaderNode: string | null = null;
  private leaderTerm = 0;
  maxTerm = 0;
  /** Keep raw lines only when asked (the demo prints them); benchmarks would just pile them up. */
  constructor(private readonly keepLines = false) {}

  /** Wire this to ClusterOptions.onStderrLine, with the cluster clock. */
  handle(node: string, line: string, at: number): void {
    if (this.keepLines) this.lines.push({ at, node, line });
    const parsed = parseLogLine(line);
    if (parsed === null || parsed.level === 'debug') return;
    const event = electionEvent(parsed.text);
    if (event === null) return;
    const stamped: StampedEvent = { at, node, event, line };
    this.events.push(stamped);
    if (parsed.term !== null) this.maxTerm = Math.max(this.maxTerm, parsed.term);
    if (event.kind === 'elected' && event.term >= this.leaderTerm) {
      this.leaderNode = node;
      this.leaderTerm = event.term;
    } else if (event.kind === 'stepped-down' && node === this.leaderNode) {
      this.leaderNode = null;
    }
    for (const l of this.listeners) l(stamped);
  }

  leader(): { node: string; term: number } | null {
    return this.leaderNode === null ? null : { node: this.leaderNode, term: this.leaderTerm };
  }

  /** Forgets a leader we know is gone (killed), so nobody mistakes it for the current one. */
  forgetLeader(node: string): void {
    if (this.leaderNode === node) this.leaderNode = null;
  }

  /** Time of the newest event that belongs to an election (anything but heartbeats and recognition). */
  lastElectionActivity(): number {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i] as StampedEvent;
      if (e.event.kind !== 'heartbeat' && e.event.kind !== 'recognized') return e.at;
    }
    return Number.NEGATIVE_INFINITY;
  }

  /** Calls fn for every event from now on; returns the unsubscribe function. */
  subscribe(fn: (e: StampedEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Events since a bench time, optionally of one kind. */
  since(at: number): StampedEvent[] {
    return this.events.filter((e) => e.at >= at);
  }

  /** Drops old events so long runs do not accumulate them. */
  trimBefore(at: number): void {
    const keep = this.events.findIndex((e) => e.at >= at);
    if (keep > 0) this.events.splice(0, keep);
    else if (keep === -1) this.events.length = 0;
  }
}
