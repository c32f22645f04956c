// The key-value state as the cluster agreed on it: committed entries applied in index order, with
// every version of every key remembered, so a client reply can be checked against the states the
// cluster actually went through while that request was open.
import type { Json } from '../../src/json.ts';
import { canonicalJson, jsonEquals } from '../../src/kv/canonical.ts';
import type { KvOperation } from '../../src/kv/operations.ts';

interface KeyVersions {
  /** Log indexes at which the key changed, ascending. */
  indexes: number[];
  /** The value from that index on; undefined = absent. */
  values: (Json | undefined)[];
}

/** What a committed write or cas did: clients use unique values, so the new value names the operation. */
export interface AppliedEffect {
  index: number;
  succeeded: boolean;
}

export class DuplicateApplyError extends Error {}

export class ReferenceKv {
  private readonly current = new Map<string, Json>();
  private readonly versions = new Map<string, KeyVersions>();
  /** Unique value written (write value, cas `to`) -> what applying it did. */
  readonly effects = new Map<string, AppliedEffect>();

  apply(index: number, op: KvOperation): AppliedEffect | null {
    const k = canonicalJson(op.key);
    switch (op.type) {
      case 'read':
        return null;
      case 'write':
        this.set(k, index, op.value);
        return this.record(op.value, { index, succeeded: true });
      case 'cas': {
        const ok = this.current.has(k) && jsonEquals(this.current.get(k) as Json, op.from);
        if (ok) this.set(k, index, op.to);
        return this.record(op.to, { index, succeeded: ok });
      }
      default: {
        const unreachable: never = op;
        throw new Error(`unknown op ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Every value (undefined = absent) the key had in some state with applied index in [from, to]. */
  valuesBetween(key: Json, from: number, to: number): (Json | undefined)[] {
    const v = this.versions.get(canonicalJson(key));
    if (v === undefined) return [undefined];
    const out: (Json | undefined)[] = [];
    // The version in force at `from`, then every change up to `to`.
    let i = v.indexes.length - 1;
    while (i >= 0 && (v.indexes[i] as number) > from) i--;
    out.push(i >= 0 ? v.values[i] : undefined);
    for (let j = i + 1; j < v.indexes.length && (v.indexes[j] as number) <= to; j++) out.push(v.values[j]);
    return out;
  }

  private set(k: string, index: number, value: Json): void {
    this.current.set(k, value);
    let v = this.versions.get(k);
    if (v === undefined) {
      v = { indexes: [], values: [] };
      this.versions.set(k, v);
    }
    v.indexes.push(index);
    v.values.push(value);
  }

  private record(value: Json, effect: AppliedEffect): AppliedEffect {
    const k = canonicalJson(value);
    const earlier = this.effects.get(k);
    // Every client operation writes a value of its own, so a second entry with it is one request run twice.
    if (earlier !== undefined) throw new DuplicateApplyError(`the operation writing ${k} was applied twice: at index ${earlier.index} and at ${effect.index}`);
    this.effects.set(k, effect);
    return effect;
  }
}
