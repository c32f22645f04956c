// Reads test/fixtures/histories/verdicts.tsv: the recorded histories and the verdict upstream asserts.
import type { ModelName } from './models.ts';
import { isFormatName, type FormatName } from './formats/index.ts';

export interface VerdictRow {
  path: string;
  format: FormatName;
  model: ModelName;
  expectedValid: boolean;
}

export function parseVerdictsTable(text: string): VerdictRow[] {
  const [header, ...lines] = text.split('\n').filter((line) => line.trim() !== '');
  const columns = (header ?? '').split('\t');
  const column = (name: string): number => {
    const at = columns.indexOf(name);
    if (at < 0) throw new Error(`verdicts.tsv has no '${name}' column`);
    return at;
  };
  const pathAt = column('path');
  const formatAt = column('format');
  const modelAt = column('model');
  const verdictAt = column('expected_verdict');
  return lines.map((line, i) => {
    const cells = line.split('\t');
    const format = cells[formatAt] ?? '';
    const verdict = cells[verdictAt];
    if (!isFormatName(format)) throw new Error(`verdicts.tsv row ${i + 1}: unknown format '${format}'`);
    if (verdict !== 'valid' && verdict !== 'invalid') throw new Error(`verdicts.tsv row ${i + 1}: bad verdict '${verdict}'`);
    // The model column is free text: 'cas-register', 'cas-register per key ...', 'kv-append ...'.
    const model: ModelName = (cells[modelAt] ?? '').startsWith('kv-append') ? 'append' : 'cas-register';
    return { path: cells[pathAt] ?? '', format, model, expectedValid: verdict === 'valid' };
  });
}
