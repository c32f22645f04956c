// Checks one line a node printed on stdout the way Maelstrom does (see maelstrom/README.md): exactly one JSON
// object with string src and dest, an optional integer id, a body, and no other top-level keys.
import type { MessageBody } from './net.ts';

export type ParsedLine =
  | { kind: 'message'; src: string; dest: string; body: MessageBody }
  | { kind: 'not-json' }
  | { kind: 'invalid'; reason: string };

const ALLOWED_KEYS = new Set(['id', 'src', 'dest', 'body']);

export function parseNodeLine(line: string): ParsedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { kind: 'not-json' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'invalid', reason: 'a message must be a JSON object with src, dest and body' };
  }
  const envelope = parsed as Record<string, unknown>;
  const extra = Object.keys(envelope).filter((k) => !ALLOWED_KEYS.has(k));
  if (extra.length > 0) return { kind: 'invalid', reason: `unexpected top-level key(s) ${extra.join(', ')} (only id, src, dest, body are allowed)` };
  const { src, dest, id } = envelope;
  if (typeof src !== 'string') return { kind: 'invalid', reason: 'src must be a string' };
  if (typeof dest !== 'string') return { kind: 'invalid', reason: 'dest must be a string' };
  if (id !== undefined && !Number.isInteger(id)) return { kind: 'invalid', reason: 'id, if present, must be an integer' };
  // Maelstrom turns a missing or null body into {}; any other non-object body makes it throw.
  const rawBody = envelope['body'] ?? {};
  if (typeof rawBody !== 'object' || Array.isArray(rawBody)) return { kind: 'invalid', reason: 'body must be a JSON object' };
  const body = rawBody as MessageBody;
  // Stricter than Maelstrom, which forwards a body without type: no receiver could make sense of one.
  if (typeof body['type'] !== 'string') return { kind: 'invalid', reason: 'body.type must be a string' };
  return { kind: 'message', src, dest, body };
}
