// The key-value state machine Raft replicates: independent keys, read / write / compare-and-set.
// Deterministic: the same operations in the same order give the same results on every node.
import type { Json } from '../json.ts';
import { canonicalJson, jsonEquals } from './canonical.ts';
import { KEY_DOES_NOT_EXIST, PRECONDITION_FAILED, type KvOperation, type KvResult } from './operations.ts';

export class KvStateMachine {
  private values = new Map<string, Json>();

  /** The whole state as a string, for a snapshot (§7): [[canonical key, value], ...]. */
  serialize(): string {
    return JSON.stringify([...this.values]);
  }

  /** Replaces the whole state with a serialized one; throws (changing nothing) if it does not decode. */
  restore(serialized: string): void {
    const parsed: unknown = JSON.parse(serialized);
    if (!Array.isArray(parsed) || !parsed.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string')) {
      throw new Error('serialized key-value state is not a list of [key, value] pairs');
    }
    this.values = new Map(parsed as [string, Json][]);
  }

  apply(op: KvOperation): KvResult {
    const k = canonicalJson(op.key);
    switch (op.type) {
      case 'read':
        return this.values.has(k)
          ? { type: 'read_ok', value: this.values.get(k) as Json }
          : { type: 'error', code: KEY_DOES_NOT_EXIST, text: `key ${k} does not exist` };
      case 'write':
        this.values.set(k, op.value);
        return { type: 'write_ok' };
      case 'cas': {
        if (!this.values.has(k)) return { type: 'error', code: KEY_DOES_NOT_EXIST, text: `key ${k} does not exist` };
        const current = this.values.get(k) as Json;
        if (!jsonEquals(current, op.from)) {
          return {
            type: 'error',
            code: PRECONDITION_FAILED,
            text: `current value ${canonicalJson(current)} is not ${canonicalJson(op.from)}`,
          };
        }
        this.values.set(k, op.to);
        return { type: 'cas_ok' };
      }
      default: {
        const unreachable: never = op;
        throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
      }
    }
  }

  size(): number {
    return this.values.size;
  }
}
