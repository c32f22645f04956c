// Tiny helpers to write lin-kv histories by hand in tests: each call appends one entry, with
// index and time in order.
import type { HistoryOp, Json, OpType } from '../../maelstrom/history.ts';

export class HistoryBuilder {
  readonly ops: HistoryOp[] = [];

  private add(process: number | 'nemesis', type: OpType, f: string, value: Json): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length * 1000, process, type, f, value });
    return this;
  }
  invokeRead(p: number, key: Json = 'x'): this { return this.add(p, 'invoke', 'read', [key, null]); }
  invokeWrite(p: number, v: Json, key: Json = 'x'): this { return this.add(p, 'invoke', 'write', [key, v]); }
  invokeCas(p: number, from: Json, to: Json, key: Json = 'x'): this { return this.add(p, 'invoke', 'cas', [key, [from, to]]); }
  okRead(p: number, v: Json, key: Json = 'x'): this { return this.add(p, 'ok', 'read', [key, v]); }
  okWrite(p: number, v: Json, key: Json = 'x'): this { return this.add(p, 'ok', 'write', [key, v]); }
  okCas(p: number, from: Json, to: Json, key: Json = 'x'): this { return this.add(p, 'ok', 'cas', [key, [from, to]]); }
  complete(p: number, type: 'fail' | 'info', f: 'read' | 'write' | 'cas', value: Json, key: Json = 'x'): this {
    return this.add(p, type, f, [key, value]);
  }
  nemesis(f: string, value: Json): this { return this.add('nemesis', 'info', f, value); }

  // Whole operations, for sequential parts.
  read(p: number, v: Json, key: Json = 'x'): this { return this.invokeRead(p, key).okRead(p, v, key); }
  write(p: number, v: Json, key: Json = 'x'): this { return this.invokeWrite(p, v, key).okWrite(p, v, key); }
  cas(p: number, from: Json, to: Json, key: Json = 'x'): this { return this.invokeCas(p, from, to, key).okCas(p, from, to, key); }
}

export function history(): HistoryBuilder {
  return new HistoryBuilder();
}
