// Format `porcupine-kv-edn`: one map per line {:process :type :f :key :value}, :f being :get,
// :put or :append. They become lin-kv style entries (read / write / append, value [key, v]) for
// the checker's append model.
import type { HistoryOp } from '../../history.ts';
import { EdnMap, readAllEdn } from './edn.ts';
import { buildOp, ednToJson, HistoryParseError, keywordName, opType, processOf } from './history-entries.ts';

const FUNCTIONS: Readonly<Record<string, string>> = { get: 'read', put: 'write', append: 'append' };

export function parsePorcupineKv(text: string): HistoryOp[] {
  return readAllEdn(text).map((form, index) => {
    const where = `porcupine-kv op ${index}`;
    if (!(form instanceof EdnMap)) throw new HistoryParseError(`${where}: expected a map`);
    const fName = keywordName(form.get('f'), 'f', where);
    const f = FUNCTIONS[fName];
    if (f === undefined) throw new HistoryParseError(`${where}: unknown :f :${fName}`);
    const key = ednToJson(form.get('key') ?? null);
    const value = ednToJson(form.get('value') ?? null);
    return buildOp(index, index, processOf(form.get('process'), where), opType(form.get('type'), where), f, [key, value]);
  });
}
