// Format `knossos-edn-tuples`: a stream of top-level vectors [process type f [key v] reason?],
// already keyed like Maelstrom's lin-kv history.
import type { HistoryOp } from '../../history.ts';
import { readAllEdn } from './edn.ts';
import { buildOp, ednToJson, HistoryParseError, keywordName, opType, processOf } from './history-entries.ts';

export function parseKnossosEdnTuples(text: string): HistoryOp[] {
  return readAllEdn(text).map((form, index) => {
    const where = `knossos-edn-tuples entry ${index}`;
    if (!Array.isArray(form) || form.length < 4 || form.length > 5) {
      throw new HistoryParseError(`${where}: expected [process type f value reason?]`);
    }
    const [process, type, f, value, reason] = form;
    return buildOp(
      index,
      index,
      processOf(process, where),
      opType(type, where),
      keywordName(f, 'f', where),
      ednToJson(value ?? null),
      reason === undefined ? undefined : ednToJson(reason),
    );
  });
}
