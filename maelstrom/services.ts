// Maelstrom's built-in services (see maelstrom/README.md): lin-kv, seq-kv, lww-kv and lin-tso. Each is a network id
// that answers one request at a time; the cluster adds in_reply_to and sends the reply back with
// normal node latency. An unknown request type gets no reply at all, as in Maelstrom.
import type { MessageBody } from './net.ts';
import type { Random } from './random.ts';

export interface Service {
  readonly id: string;
  /** The reply body (without in_reply_to), or null for "no reply" (unknown request type). */
  handle(src: string, body: MessageBody): MessageBody | null;
}

export const SERVICE_IDS = ['lin-kv', 'seq-kv', 'lww-kv', 'lin-tso'] as const;

// ---------------------------------------------------------------- key-value semantics

/** Keys and values compare by JSON value (Clojure equality on parsed JSON): objects ignore key order. */
function canonical(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

interface Stored {
  key: unknown;
  value: unknown;
  valueText: string;
}

/** An immutable key-value state: every change returns a new map, so seq-kv can keep old states. */
type KvState = ReadonlyMap<string, Stored>;

const KEY_MISSING: MessageBody = { type: 'error', code: 20, text: 'key does not exist' };

function store(state: KvState, keyText: string, key: unknown, value: unknown): KvState {
  const valueText = canonical(value);
  // Storing the value already there yields an equal state (as assoc does in Clojure): seq-kv relies on that.
  if (state.get(keyText)?.valueText === valueText) return state;
  const next = new Map(state);
  next.set(keyText, { key, value: value ?? null, valueText });
  return next;
}

/** Maelstrom prints the current value with pr-str and `from` with str: strings quoted only in the first. */
function mismatchText(current: unknown, from: unknown): string {
  const shown = typeof from === 'string' ? from : canonical(from);
  return `current value ${canonical(current)} is not ${shown}`;
}

/** One request against one state (PersistentKV): read, write, cas (+ create_if_not_exists when allowed). */
function applyKv(state: KvState, body: MessageBody, allowCreate: boolean): { state: KvState; reply: MessageBody | null } {
  const key = body['key'] ?? null;
  const keyText = canonical(key);
  const current = state.get(keyText);
  switch (body['type']) {
    case 'read':
      return { state, reply: current === undefined ? KEY_MISSING : { type: 'read_ok', value: current.value } };
    case 'write':
      return { state: store(state, keyText, key, body['value']), reply: { type: 'write_ok' } };
    case 'cas': {
      const from = body['from'] ?? null;
      if (current === undefined) {
        const create = allowCreate && body['create_if_not_exists'] !== undefined && body['create_if_not_exists'] !== null && body['create_if_not_exists'] !== false;
        return create ? { state: store(state, keyText, key, body['to']), reply: { type: 'cas_ok' } } : { state, reply: KEY_MISSING };
      }
      if (current.valueText !== canonical(from)) {
        return { state, reply: { type: 'error', code: 22, text: mismatchText(current.value, from) } };
      }
      return { state: store(state, keyText, key, body['to']), reply: { type: 'cas_ok' } };
    }
    default:
      return { state, reply: null };
  }
}

// ---------------------------------------------------------------- the four services

/** lin-kv: one atomically updated map. */
export class LinearizableKv implements Service {
  private state: KvState = new Map();
  constructor(readonly id = 'lin-kv') {}

  handle(_src: string, body: MessageBody): MessageBody | null {
    const { state, reply } = applyKv(this.state, body, true);
    this.state = state;
    return reply;
  }
}

/**
 * seq-kv (Maelstrom's Sequential wrapper): the last 32 states are kept. A request is first tried on a
 * random state between the caller's last observed state and the newest; if it leaves that state
 * unchanged (a read, a failed cas, a write of the value already there) that answer stands and the
 * caller's position moves there. Otherwise it is applied to the newest state, making a new one.
 */
export class SequentialKv implements Service {
  private readonly buffer: KvState[] = [new Map()];
  private lastIndex = 0;
  private readonly observed = new Map<string, number>();

  constructor(
    private readonly random: Random,
    readonly id = 'seq-kv',
    private readonly capacity = 32,
  ) {}

  handle(src: string, body: MessageBody): MessageBody | null {
    const oldestKept = this.lastIndex - (this.buffer.length - 1);
    const clientIndex = Math.max(this.observed.get(src) ?? 0, oldestKept);
    // Clojure's (rand-int d) is in [0, d): a spread of zero means the newest state itself.
    const spread = this.lastIndex - clientIndex;
    const index = clientIndex + (spread > 0 ? Math.floor(this.random.next() * spread) : 0);
    const tried = this.buffer[index - oldestKept] as KvState;
    const speculative = applyKv(tried, body, true);
    if (speculative.state === tried) {
      this.observed.set(src, index);
      return speculative.reply;
    }
    const newest = this.buffer[this.buffer.length - 1] as KvState;
    const applied = applyKv(newest, body, true);
    this.buffer.push(applied.state);
    if (this.buffer.length > this.capacity) this.buffer.shift();
    this.lastIndex++;
    this.observed.set(src, this.lastIndex);
    return applied.reply;
  }
}

/**
 * lww-kv (Maelstrom's Eventual wrapper over LWWKV, 2 replicas in v0.2.4): each request goes to a random
 * replica. Maelstrom computes a replica merge per request but builds the new replica vector from the
 * unmerged one, so replicas never converge; we reproduce that outcome by not merging at all.
 */
export class EventualKv implements Service {
  private readonly replicas: KvState[];

  constructor(
    private readonly random: Random,
    readonly id = 'lww-kv',
    replicaCount = 2,
  ) {
    this.replicas = Array.from({ length: replicaCount }, (): KvState => new Map());
  }

  handle(_src: string, body: MessageBody): MessageBody | null {
    const i = this.random.int(0, this.replicas.length);
    const { state, reply } = applyKv(this.replicas[i] as KvState, body, false);
    this.replicas[i] = state;
    return reply;
  }
}

/** lin-tso: timestamps 0, 1, 2, ... */
export class TimestampOracle implements Service {
  private nextTs = 0;
  constructor(readonly id = 'lin-tso') {}

  handle(_src: string, body: MessageBody): MessageBody | null {
    if (body['type'] !== 'ts') return null;
    return { type: 'ts_ok', ts: this.nextTs++ };
  }
}

export function defaultServices(random: Random): Service[] {
  return [new LinearizableKv(), new SequentialKv(random.fork('seq-kv')), new EventualKv(random.fork('lww-kv')), new TimestampOracle()];
}
