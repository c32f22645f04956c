// The message vocabulary both adapters speak: Maelstrom-style envelopes and bodies, Maelstrom's error
// codes, and strict parsing of client requests and Raft messages. The Maelstrom adapter reads it from
// stdin, the standalone mode from TCP and HTTP, the host answers clients in it; none of them owns it.
// Nothing here throws on bad input: parsing returns a verdict the caller acts on.
import type { Json } from '../json.ts';
import type { KvOperation } from '../kv/operations.ts';
import { isValidTerm } from '../raft/node.ts';
import type { AppendEntries, AppendEntriesResult, Configuration, InstallSnapshot, InstallSnapshotResult, LogEntry, RaftMessage, RequestVote, RequestVoteResult, TimeoutNow } from '../raft/types.ts';

export type Body = { [key: string]: Json };

export interface Envelope {
  src: string;
  dest: string;
  body: Body;
}

/** Maelstrom's error codes (doc/protocol.md). Definite ones mean "this certainly did not happen". */
export const ErrorCode = {
  timeout: 0,
  nodeNotFound: 1,
  notSupported: 10,
  temporarilyUnavailable: 11,
  malformedRequest: 12,
  crash: 13,
  abort: 14,
  keyDoesNotExist: 20,
  keyAlreadyExists: 21,
  preconditionFailed: 22,
  txnConflict: 30,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody extends Body {
  type: 'error';
  code: number;
  text: string;
}

export function errorBody(code: ErrorCodeValue, text: string): ErrorBody {
  return { type: 'error', code, text };
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isMessageId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export type ParsedLine =
  | { kind: 'message'; envelope: Envelope }
  /** Unusable, but there is someone to tell: reply error 12 to `src` about `msgId`. */
  | { kind: 'malformed'; reason: string; replyTo: { src: string; msgId: number; dest: string | null } | null };

/** Parses one stdin line into an envelope, or explains why it cannot. */
export function parseLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'malformed', reason: 'line is not valid JSON', replyTo: null };
  }
  if (!isObject(value)) return { kind: 'malformed', reason: 'message is not a JSON object', replyTo: null };
  const { src, dest, body } = value;
  const msgId = isObject(body) ? body['msg_id'] : undefined;
  const replyTo =
    typeof src === 'string' && src !== '' && isMessageId(msgId) ? { src, msgId, dest: typeof dest === 'string' && dest !== '' ? dest : null } : null;
  if (typeof src !== 'string' || src === '') return { kind: 'malformed', reason: 'missing or non-string "src"', replyTo: null };
  if (typeof dest !== 'string' || dest === '') return { kind: 'malformed', reason: 'missing or non-string "dest"', replyTo };
  if (!isObject(body)) return { kind: 'malformed', reason: '"body" is missing or not an object', replyTo: null };
  if (typeof body['type'] !== 'string') return { kind: 'malformed', reason: 'body has no string "type"', replyTo };
  return { kind: 'message', envelope: { src, dest, body: body as Body } };
}

/** Either a typed value or the reason the body does not have the fields its type requires. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

function fail<T>(reason: string): Checked<T> {
  return { ok: false, reason };
}

export interface InitRequest {
  nodeId: string;
  nodeIds: string[];
}

export function checkInit(body: Body): Checked<InitRequest> {
  const nodeId = body['node_id'];
  const nodeIds = body['node_ids'];
  if (typeof nodeId !== 'string' || nodeId === '') return fail('init needs a string "node_id"');
  if (!Array.isArray(nodeIds) || nodeIds.length === 0 || !nodeIds.every((n) => typeof n === 'string' && n !== '')) {
    return fail('init needs "node_ids", a non-empty array of strings');
  }
  const ids = nodeIds as string[];
  if (!ids.includes(nodeId)) return fail(`init: node_id ${nodeId} is not among node_ids`);
  if (new Set(ids).size !== ids.length) return fail('init: node_ids has duplicates');
  return { ok: true, value: { nodeId, nodeIds: ids } };
}

/** read / write / cas from a client (or forwarded by a peer). */
export function checkKvOperation(body: Body): Checked<KvOperation> {
  const type = body['type'];
  if (!('key' in body)) return fail(`${String(type)} needs a "key"`);
  const key = body['key'] as Json;
  switch (type) {
    case 'read':
      return { ok: true, value: { type: 'read', key } };
    case 'write':
      if (!('value' in body)) return fail('write needs a "value"');
      return { ok: true, value: { type: 'write', key, value: body['value'] as Json } };
    case 'cas':
      if (!('from' in body) || !('to' in body)) return fail('cas needs "from" and "to"');
      return { ok: true, value: { type: 'cas', key, from: body['from'] as Json, to: body['to'] as Json } };
    default:
      return fail(`not a key-value operation: ${String(type)}`);
  }
}

export const KV_OPERATION_TYPES = new Set(['read', 'write', 'cas']);

function isNodeName(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

function isLogEntry(v: unknown): v is LogEntry {
  if (!isObject(v) || !isValidTerm(v['term']) || !isObject(v['data'])) return false;
  const data = v['data'];
  return data['kind'] === 'noop' || (data['kind'] === 'command' && 'command' in data) || (data['kind'] === 'config' && isConfiguration(data['config']));
}

/** A configuration (§4.1): voters and learners as lists of node names, an optional string per member. */
export function isConfiguration(v: unknown): v is Configuration {
  if (!isObject(v)) return false;
  const names = (list: unknown): boolean => Array.isArray(list) && list.every(isNodeName);
  const context = v['context'];
  const contextOk = context === undefined || (isObject(context) && Object.values(context).every((c) => typeof c === 'string'));
  return names(v['voters']) && names(v['learners']) && contextOk;
}

/** An announced heartbeat interval or election timeout beyond this is nonsense (a follower would wait that long or more). */
const MAX_ANNOUNCED_TIMING_MS = 60_000;

/** Checks a Raft message field by field, so the core only ever sees well-typed input. */
export function checkRaftMessage(body: Body): Checked<RaftMessage> {
  const bad = (field: string): Checked<RaftMessage> => fail(`${String(body['type'])}: "${field}" is missing or has the wrong type`);
  const indexFields = (fields: string[]): string | null => fields.find((f) => !isValidTerm(body[f])) ?? null;
  if (!isValidTerm(body['term'])) return bad('term');
  switch (body['type']) {
    case 'request_vote': {
      const badField = indexFields(['last_log_index', 'last_log_term']);
      if (badField) return bad(badField);
      if (!isNodeName(body['candidate_id'])) return bad('candidate_id');
      if (typeof body['pre_vote'] !== 'boolean') return bad('pre_vote');
      if (body['transfer'] !== undefined && typeof body['transfer'] !== 'boolean') return bad('transfer');
      return { ok: true, value: body as unknown as RequestVote };
    }
    case 'request_vote_result':
      if (typeof body['vote_granted'] !== 'boolean') return bad('vote_granted');
      if (typeof body['pre_vote'] !== 'boolean') return bad('pre_vote');
      return { ok: true, value: body as unknown as RequestVoteResult };
    case 'append_entries': {
      const badField = indexFields(['prev_log_index', 'prev_log_term', 'leader_commit', 'round']);
      if (badField) return bad(badField);
      if (!isNodeName(body['leader_id'])) return bad('leader_id');
      const entries = body['entries'];
      if (!Array.isArray(entries) || !entries.every(isLogEntry)) return bad('entries');
      // Optional: older nodes do not announce their timing.
      for (const field of ['heartbeat_ms', 'election_timeout_ms']) {
        const ms = body[field];
        if (ms !== undefined && !(typeof ms === 'number' && Number.isFinite(ms) && ms > 0 && ms <= MAX_ANNOUNCED_TIMING_MS)) return bad(field);
      }
      return { ok: true, value: body as unknown as AppendEntries };
    }
    case 'append_entries_result': {
      const badField = indexFields(['match_index', 'reject_index', 'conflict_index', 'round']);
      if (badField) return bad(badField);
      if (typeof body['success'] !== 'boolean') return bad('success');
      if (body['conflict_term'] !== null && !isValidTerm(body['conflict_term'])) return bad('conflict_term');
      return { ok: true, value: body as unknown as AppendEntriesResult };
    }
    case 'install_snapshot': {
      const badField = indexFields(['last_included_index', 'last_included_term', 'offset', 'round']);
      if (badField) return bad(badField);
      if (!isNodeName(body['leader_id'])) return bad('leader_id');
      if (typeof body['data'] !== 'string') return bad('data');
      if (typeof body['done'] !== 'boolean') return bad('done');
      if (body['config'] !== undefined && !isConfiguration(body['config'])) return bad('config');
      return { ok: true, value: body as unknown as InstallSnapshot };
    }
    case 'install_snapshot_result': {
      const badField = indexFields(['last_included_index', 'next_offset', 'round']);
      if (badField) return bad(badField);
      if (typeof body['done'] !== 'boolean') return bad('done');
      return { ok: true, value: body as unknown as InstallSnapshotResult };
    }
    case 'timeout_now':
      if (!isNodeName(body['leader_id'])) return bad('leader_id');
      return { ok: true, value: body as unknown as TimeoutNow };
    default:
      return fail(`not a raft message: ${String(body['type'])}`);
  }
}
