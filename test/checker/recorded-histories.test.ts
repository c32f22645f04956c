// Every recorded history in test/fixtures/histories must get the verdict its upstream test suite
// asserts (taken from verdicts.tsv, never from the file names).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLinKv } from '../../maelstrom/checker/index.ts';
import { parseHistory } from '../../maelstrom/checker/formats/index.ts';
import { parseVerdictsTable } from '../../maelstrom/checker/verdicts-table.ts';

const historiesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'histories');
const rows = parseVerdictsTable(readFileSync(join(historiesDir, 'verdicts.tsv'), 'utf8'));

describe('recorded histories with known verdicts', () => {
  it('lists all 26 histories, both verdicts and all four formats', () => {
    expect(rows).toHaveLength(26);
    expect(new Set(rows.map((r) => r.expectedValid))).toEqual(new Set([true, false]));
    expect(new Set(rows.map((r) => r.format))).toEqual(new Set(['knossos-edn', 'knossos-edn-tuples', 'jepsen-log', 'porcupine-kv-edn']));
  });

  // The timeout only stops a hang; the whole set checks in well under a second normally.
  it.each(rows.map((row) => [row.path, row] as const))('%s', (_path, row) => {
    const history = parseHistory(readFileSync(join(historiesDir, row.path), 'utf8'), row.format);
    const result = checkLinKv(history, { model: row.model });
    expect(result.valid).toBe(row.expectedValid);
    expect(result.invalidKeys.length > 0).toBe(!row.expectedValid);
    for (const key of result.keys) expect(key.explanation !== undefined).toBe(key.valid !== true);
  }, 60_000);
});
