// Maelstrom's lin-kv history is many independent registers, one per key: a history is
// linearizable iff each key's sub-history is (linearizability is compositional), so each key is
// split out and checked alone, which keeps every search small.
import type { HistoryOp, Json } from '../history.ts';
import { canonicalJson } from './canonical-json.ts';
import type { ModelName, OpFunction } from './models.ts';
import { HistoryError, type CheckerOp } from './operations.ts';
import { checkRegister } from './register.ts';

export interface KeyVerdict {
  key: Json;
  valid: boolean | 'unknown';
  opCount: number;
  /** For an invalid key: a readable account (the operation that could not be linearized, the
   *  values the register could hold just before it, and the ops concurrent with it). */
  explanation?: string;
}

export interface LinearizabilityResult {
  valid: boolean | 'unknown';
  keyCount: number;
  invalidKeys: Json[];
  keys: KeyVerdict[];
  elapsedMs: number;
}

export interface LinKvOptions {
  /** Per key: give up after this long and call the key 'unknown'. */
  timeLimitMs?: number;
  /** Default 'cas-register'; 'append' for porcupine's kv histories (get/put/append). */
  model?: ModelName;
  /** Each register's value before any operation; default absent. */
  initial?: Json;
}

const CLIENT_FUNCTIONS: ReadonlySet<string> = new Set<OpFunction>(['read', 'write', 'cas', 'append']);

export function checkLinKv(history: readonly HistoryOp[], options: LinKvOptions = {}): LinearizabilityResult {
  const started = performance.now();
  const byKey = splitByKey(history);
  const keys: KeyVerdict[] = [];
  for (const { key, ops } of byKey.values()) {
    const verdict = checkRegister(ops, {
      ...(options.model ? { model: options.model } : {}),
      ...(options.initial !== undefined ? { initial: options.initial } : {}),
      ...(options.timeLimitMs !== undefined ? { timeLimitMs: options.timeLimitMs } : {}),
    });
    const keyVerdict: KeyVerdict = { key, valid: verdict.valid, opCount: verdict.opCount };
    // Invalid keys get the account of the failure; unknown ones say why the search gave up.
    if (verdict.valid !== true && verdict.explanation !== undefined) keyVerdict.explanation = verdict.explanation;
    keys.push(keyVerdict);
  }
  const invalidKeys = keys.filter((k) => k.valid === false).map((k) => k.key);
  const valid = invalidKeys.length > 0 ? false : keys.some((k) => k.valid === 'unknown') ? 'unknown' : true;
  return { valid, keyCount: keys.length, invalidKeys, keys, elapsedMs: performance.now() - started };
}

interface KeyHistory {
  key: Json;
  ops: CheckerOp[];
}

/**
 * Groups client entries by key (canonical JSON, so any JSON key works). A completion is filed
 * under its invoke's key, since only the invoke is sure to carry it. Nemesis entries and
 * functions the models do not know are skipped.
 */
export function splitByKey(history: readonly HistoryOp[]): Map<string, KeyHistory> {
  const byKey = new Map<string, KeyHistory>();
  const inFlightKey = new Map<number, string>();
  for (const entry of history) {
    if (entry.process === 'nemesis' || !CLIENT_FUNCTIONS.has(entry.f)) continue;
    const process = entry.process;
    let keyText: string;
    let argument: Json;
    if (entry.type === 'invoke') {
      const [key, value] = keyAndValue(entry);
      keyText = canonicalJson(key);
      argument = value;
      inFlightKey.set(process, keyText);
      if (!byKey.has(keyText)) byKey.set(keyText, { key, ops: [] });
    } else {
      const known = inFlightKey.get(process);
      if (known === undefined) throw new HistoryError(`process ${process} completed ${entry.f} (index ${entry.index}) without an invoke`);
      inFlightKey.delete(process);
      keyText = known;
      argument = Array.isArray(entry.value) && entry.value.length === 2 ? (entry.value[1] ?? null) : null;
    }
    const op: CheckerOp = { process, type: entry.type, f: entry.f as OpFunction, value: argument, index: entry.index, time: entry.time };
    byKey.get(keyText)!.ops.push(op);
  }
  return byKey;
}

function keyAndValue(entry: HistoryOp): [Json, Json] {
  const { value } = entry;
  if (!Array.isArray(value) || value.length !== 2) {
    throw new HistoryError(`entry ${entry.index} (${entry.f}) should have value [key, v], got ${JSON.stringify(value)}`);
  }
  return [value[0] ?? null, value[1] ?? null];
}
