// Reading the nodes' stderr logs (format of src/logger.ts):
//   <ISO time> <node> [<role> t<term>][ WARN| DEBUG] <text>
// Only the few events the election timeline needs are recognised; every other line, including
// junk such as stack traces or half-written lines, is skipped rather than trusted.

export type LogLevel = 'info' | 'warn' | 'debug';

export interface LogLine {
  epochMs: number;
  node: string;
  role: string;
  term: number | null;
  level: LogLevel;
  text: string;
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (\S+) \[(\S+) t(-|\d+)\](?: (WARN|DEBUG))? (.*)$/;

export function parseLogLine(line: string): LogLine | null {
  const match = LINE.exec(line.trimEnd());
  if (match === null) return null;
  const [, iso = '', node = '', role = '', termText = '-', levelText, text = ''] = match;
  const epochMs = Date.parse(iso);
  if (!Number.isFinite(epochMs)) return null;
  return {
    epochMs,
    node,
    role,
    term: termText === '-' ? null : Number(termText),
    level: levelText === 'WARN' ? 'warn' : levelText === 'DEBUG' ? 'debug' : 'info',
    text,
  };
}

interface EventBase {
  node: string;
  /** Seconds since test start (negative before it, e.g. during init). */
  atS: number;
}

export type NodeEvent =
  | (EventBase & { kind: 'started' })
  | (EventBase & { kind: 'election-timeout' })
  | (EventBase & { kind: 'pre-vote'; term: number })
  | (EventBase & { kind: 'candidate'; term: number })
  | (EventBase & { kind: 'elected'; term: number })
  | (EventBase & { kind: 'stepped-down'; term: number; reason: string })
  | (EventBase & { kind: 'recognized-leader'; term: number; leader: string });

/** The event a log text announces, if it is one the report cares about. */
function eventOf(node: string, atS: number, text: string): NodeEvent | null {
  let m: RegExpExecArray | null;
  if (/^started as follower\b/.test(text)) return { kind: 'started', node, atS };
  if (/^election timeout fired\b/.test(text)) return { kind: 'election-timeout', node, atS };
  if ((m = /^starting pre-vote for term (\d+)\b/.exec(text)) !== null) return { kind: 'pre-vote', node, atS, term: Number(m[1]) };
  if ((m = /^became candidate for term (\d+)\b/.exec(text)) !== null) return { kind: 'candidate', node, atS, term: Number(m[1]) };
  if ((m = /^elected leader for term (\d+)\b/.exec(text)) !== null) return { kind: 'elected', node, atS, term: Number(m[1]) };
  if ((m = /^stepped down to follower, term (\d+)\b\s*(?:\((.*)\))?/.exec(text)) !== null) {
    return { kind: 'stepped-down', node, atS, term: Number(m[1]), reason: m[2] ?? '' };
  }
  if ((m = /^recognized (\S+) as leader for term (\d+)\b/.exec(text)) !== null) {
    return { kind: 'recognized-leader', node, atS, term: Number(m[2]), leader: m[1] ?? '' };
  }
  return null;
}

/**
 * The events in one node's log, in log order. `node` is the id the log belongs to (the bench knows
 * it even for lines written before init, which carry '?'). Times become test seconds.
 */
export function nodeEvents(node: string, logText: string, testStartEpochMs: number): NodeEvent[] {
  const events: NodeEvent[] = [];
  for (const raw of logText.split(/\r?\n/)) {
    const line = parseLogLine(raw);
    if (line === null) continue;
    const event = eventOf(node, (line.epochMs - testStartEpochMs) / 1000, line.text);
    if (event !== null) events.push(event);
  }
  return events;
}

/** All nodes' events merged in time order (a stable sort keeps each node's log order on ties). */
export function allNodeEvents(nodeLogs: Readonly<Record<string, string>>, testStartEpochMs: number): NodeEvent[] {
  return Object.entries(nodeLogs)
    .flatMap(([node, logText]) => nodeEvents(node, logText, testStartEpochMs))
    .sort((a, b) => a.atS - b.atS);
}
