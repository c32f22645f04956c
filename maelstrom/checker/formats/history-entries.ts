// Helpers shared by the parsers: turning EDN fields into the fields of a HistoryOp.
import type { HistoryOp, Json, OpType } from '../../history.ts';
import { EdnKeyword, EdnMap, EdnSet, EdnSymbol, type EdnValue } from './edn.ts';

/** The key given to every op of a single-register history (knossos-edn, jepsen-log). */
export const SINGLE_REGISTER_KEY = 'register';

export class HistoryParseError extends Error {}

const OP_TYPES: ReadonlySet<string> = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);

export function ednToJson(value: EdnValue): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (value instanceof EdnKeyword) return ':' + value.name;
  if (value instanceof EdnSymbol) return value.name;
  if (value instanceof EdnSet) return value.items.map(ednToJson);
  if (value instanceof EdnMap) {
    const object: { [key: string]: Json } = {};
    for (const [k, v] of value.entries) {
      const json = ednToJson(k);
      object[typeof json === 'string' ? json : JSON.stringify(json)] = ednToJson(v);
    }
    return object;
  }
  return value.map(ednToJson);
}

export function keywordName(value: EdnValue | undefined, what: string, where: string): string {
  if (value instanceof EdnKeyword) return value.name;
  throw new HistoryParseError(`${where}: ${what} should be a keyword, got ${describe(value)}`);
}

export function opType(value: EdnValue | undefined, where: string): OpType {
  const name = keywordName(value, 'type', where);
  if (!OP_TYPES.has(name)) throw new HistoryParseError(`${where}: unknown type :${name}`);
  return name as OpType;
}

/** A client's integer process, or 'nemesis' for `:nemesis` (other keywords are fault injectors too). */
export function processOf(value: EdnValue | undefined, where: string): number | 'nemesis' {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (value instanceof EdnKeyword) return 'nemesis';
  throw new HistoryParseError(`${where}: process should be an integer or :nemesis, got ${describe(value)}`);
}

export function describe(value: EdnValue | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(ednToJson(value));
}

export function buildOp(index: number, time: number, process: number | 'nemesis', type: OpType, f: string, value: Json, error?: Json): HistoryOp {
  const op: HistoryOp = { index, time, process, type, f, value };
  if (error !== undefined) op.error = error;
  return op;
}
