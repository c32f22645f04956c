// The history formats the checker reads, and a guess of the format from a file's name and text.
import type { HistoryOp } from '../../history.ts';
import type { ModelName } from '../models.ts';
import { parseJepsenLog } from './jepsen-log.ts';
import { parseHistoryJsonl } from './jsonl.ts';
import { parseKnossosEdn } from './knossos-edn.ts';
import { parseKnossosEdnTuples } from './knossos-edn-tuples.ts';
import { parsePorcupineKv } from './porcupine-kv.ts';

export const FORMAT_NAMES = ['knossos-edn', 'knossos-edn-tuples', 'jepsen-log', 'porcupine-kv-edn', 'jsonl'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export { HistoryParseError, SINGLE_REGISTER_KEY } from './history-entries.ts';
export { EdnError } from './edn.ts';

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}

export function parseHistory(text: string, format: FormatName): HistoryOp[] {
  switch (format) {
    case 'knossos-edn': return parseKnossosEdn(text);
    case 'knossos-edn-tuples': return parseKnossosEdnTuples(text);
    case 'jepsen-log': return parseJepsenLog(text);
    case 'porcupine-kv-edn': return parsePorcupineKv(text);
    case 'jsonl': return parseHistoryJsonl(text);
  }
}

/** The model a format's histories are meant for. */
export function defaultModelFor(format: FormatName): ModelName {
  return format === 'porcupine-kv-edn' ? 'append' : 'cas-register';
}

/** Guesses from the extension first, then from the first meaningful characters. */
export function guessFormat(path: string, text: string): FormatName | undefined {
  if (path.endsWith('.jsonl')) return 'jsonl';
  if (path.endsWith('.log') || text.includes('jepsen.util -')) return 'jepsen-log';
  const start = text.replace(/^(\s|,|;[^\n]*)*/, '');
  if (start.startsWith('{"') || start.startsWith('{ "')) return 'jsonl';
  if (start.startsWith('{') && /:key\s/.test(start.slice(0, 400))) return 'porcupine-kv-edn';
  if (/^\[\s*-?\d/.test(start)) return 'knossos-edn-tuples';
  if (start.startsWith('[') || start.startsWith('(')) return 'knossos-edn';
  return undefined;
}
