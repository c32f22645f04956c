// Format `knossos-edn`: one EDN vector or list of maps {:process :type :f :value ...}, over a
// single register. Nemesis maps are kept as nemesis entries (the checker skips them); extra keys
// other than :time and :error are ignored.
import type { HistoryOp } from '../../history.ts';
import { EdnMap, readAllEdn } from './edn.ts';
import { buildOp, ednToJson, HistoryParseError, keywordName, opType, processOf, SINGLE_REGISTER_KEY } from './history-entries.ts';

export function parseKnossosEdn(text: string): HistoryOp[] {
  const forms = readAllEdn(text);
  const collection = forms[0];
  if (forms.length !== 1 || !Array.isArray(collection)) {
    throw new HistoryParseError(`knossos-edn: expected one vector or list of maps, found ${forms.length} top-level forms`);
  }
  return collection.map((item, index) => {
    const where = `knossos-edn op ${index}`;
    if (!(item instanceof EdnMap)) throw new HistoryParseError(`${where}: expected a map`);
    const process = processOf(item.get('process'), where);
    const type = opType(item.get('type'), where);
    const f = keywordName(item.get('f'), 'f', where);
    const raw = ednToJson(item.get('value') ?? null);
    const time = item.get('time');
    const error = item.get('error');
    return buildOp(
      index,
      typeof time === 'number' ? time : index,
      process,
      type,
      f,
      process === 'nemesis' ? raw : [SINGLE_REGISTER_KEY, raw],
      error === undefined ? undefined : ednToJson(error),
    );
  });
}
