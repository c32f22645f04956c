// The lin-kv operations and their results, as the state machine sees them.
import type { Json } from '../json.ts';

export type KvOperation =
  | { type: 'read'; key: Json }
  | { type: 'write'; key: Json; value: Json }
  | { type: 'cas'; key: Json; from: Json; to: Json };

/** Maelstrom error codes the key-value store produces. Both are definite. */
export const KEY_DOES_NOT_EXIST = 20;
export const PRECONDITION_FAILED = 22;

export type KvResult =
  | { type: 'read_ok'; value: Json }
  | { type: 'write_ok' }
  | { type: 'cas_ok' }
  | { type: 'error'; code: typeof KEY_DOES_NOT_EXIST | typeof PRECONDITION_FAILED; text: string };
