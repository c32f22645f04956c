// One lin-kv client operation: the request body Maelstrom sends for it, and how Maelstrom's client
// turns whatever came back (a reply, an error, nothing) into a history completion.
import type { Json, OpType } from '../history.ts';
import { describeErrorCode } from './error-codes.ts';

export type LinKvFunction = 'read' | 'write' | 'cas';

/** What the generator decided to do; `value` is the history's invoke value ([k, null], [k, v], [k, [from, to]]). */
export interface LinKvInvocation {
  f: LinKvFunction;
  key: number;
  /** write: the value; cas: [from, to]; read: null. */
  argument: Json;
}

export type RequestOutcome =
  | { kind: 'reply'; body: Record<string, unknown> }
  | { kind: 'timeout' };

export interface Completion {
  type: Exclude<OpType, 'invoke'>;
  value: Json;
  error?: Json;
}

export interface RequestBody {
  type: LinKvFunction;
  key: number;
  [field: string]: unknown;
}

/** Request bodies exactly as Maelstrom's lin-kv client builds them (never create_if_not_exists). */
export function requestBody(op: LinKvInvocation): RequestBody {
  switch (op.f) {
    case 'read':
      return { type: 'read', key: op.key };
    case 'write':
      return { type: 'write', key: op.key, value: op.argument };
    case 'cas': {
      const [from, to] = casPair(op.argument);
      return { type: 'cas', key: op.key, from, to };
    }
  }
}

export function invokeValue(op: LinKvInvocation): Json {
  return [op.key, op.f === 'read' ? null : op.argument];
}

/** lin-kv's RPC timeout: max(10 x the mean network latency, 1 s). */
export function requestTimeoutMs(latencyMeanMs: number): number {
  return Math.max(10 * latencyMeanMs, 1000);
}

/**
 * Maelstrom's with-errors mapping, with reads declared idempotent: a read that times out or gets
 * any error certainly changed nothing (:fail); a write or cas that times out or gets an indefinite
 * error may have happened (:info). A reply that breaks the closed response schema is an exception
 * in Maelstrom's client, hence :info whatever the function.
 */
export function classifyOutcome(op: LinKvInvocation, outcome: RequestOutcome): Completion {
  const invoked = invokeValue(op);
  if (outcome.kind === 'timeout') {
    return { type: op.f === 'read' ? 'fail' : 'info', value: invoked, error: 'net-timeout' };
  }
  const body = outcome.body;
  if (body['type'] === 'error') {
    const code = describeErrorCode(body['code']);
    const text = typeof body['text'] === 'string' ? body['text'] : null;
    const type = code.definite || op.f === 'read' ? 'fail' : 'info';
    return { type, value: invoked, error: [code.name, text] };
  }
  const problem = schemaProblem(op.f, body);
  if (problem !== null) {
    return { type: 'info', value: invoked, error: `indeterminate: malformed-rpc-response: ${problem}` };
  }
  if (op.f === 'read') return { type: 'ok', value: [op.key, toJson(body['value'])] };
  return { type: 'ok', value: invoked };
}

/** Maelstrom's closed response schemas: {type, in_reply_to, msg_id?} plus `value` (required) for read_ok. */
function schemaProblem(f: LinKvFunction, body: Record<string, unknown>): string | null {
  const expectedType = `${f}_ok`;
  if (body['type'] !== expectedType) return `expected type ${expectedType}, got ${JSON.stringify(body['type'] ?? null)}`;
  if (!Number.isInteger(body['in_reply_to'])) return 'in_reply_to is not an integer';
  if ('msg_id' in body && !Number.isInteger(body['msg_id'])) return 'msg_id is not an integer';
  if (f === 'read' && !('value' in body)) return 'read_ok without value';
  const allowed = new Set(f === 'read' ? ['type', 'in_reply_to', 'msg_id', 'value'] : ['type', 'in_reply_to', 'msg_id']);
  const extra = Object.keys(body).filter((k) => !allowed.has(k));
  if (extra.length > 0) return `unexpected key(s) ${extra.join(', ')}`;
  return null;
}

function casPair(argument: Json): [Json, Json] {
  if (Array.isArray(argument) && argument.length === 2) return [argument[0] ?? null, argument[1] ?? null];
  throw new Error(`cas argument must be [from, to], got ${JSON.stringify(argument)}`);
}

/** Reply bodies come from JSON.parse, so they are JSON; this narrows the type without trusting casts. */
function toJson(value: unknown): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return null;
}
