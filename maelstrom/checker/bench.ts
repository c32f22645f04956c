// Checks every history listed in test/fixtures/histories/verdicts.tsv and prints the time per file,
// the total, and whether each verdict matched the recorded one.
//   node scripts/run-ts.mjs maelstrom/checker/bench.ts [path/to/histories]
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinKv } from './lin-kv.ts';
import { parseHistory } from './formats/index.ts';
import { parseVerdictsTable } from './verdicts-table.ts';

/** `<repo>/test/fixtures/histories`: run-ts.mjs runs a bundle from <repo>/dist/.run/; else from the cwd. */
function defaultHistoriesDir(): string {
  const fromBundle = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'histories');
  return existsSync(fromBundle) ? fromBundle : join(process.cwd(), 'test', 'fixtures', 'histories');
}

function main(): number {
  const dir = process.argv[2] ?? defaultHistoriesDir();
  const rows = parseVerdictsTable(readFileSync(join(dir, 'verdicts.tsv'), 'utf8'));
  let total = 0;
  let mismatches = 0;
  const width = Math.max(...rows.map((r) => r.path.length));
  for (const row of rows) {
    const started = performance.now();
    const history = parseHistory(readFileSync(join(dir, row.path), 'utf8'), row.format);
    const result = checkLinKv(history, { model: row.model });
    const elapsed = performance.now() - started;
    total += elapsed;
    const matched = result.valid === row.expectedValid;
    if (!matched) mismatches++;
    const got = result.valid === true ? 'valid' : result.valid === false ? 'invalid' : 'unknown';
    process.stdout.write(`${row.path.padEnd(width)}  ${elapsed.toFixed(1).padStart(9)} ms  ${got.padEnd(7)}  ${matched ? 'ok' : 'MISMATCH (expected ' + (row.expectedValid ? 'valid' : 'invalid') + ')'}\n`);
  }
  process.stdout.write(`total ${total.toFixed(1)} ms for ${rows.length} histories (parse + check); ${mismatches} mismatches\n`);
  return mismatches === 0 ? 0 : 1;
}

process.exitCode = main();
