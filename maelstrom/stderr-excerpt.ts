// What the bench shows of a failed node's stderr. A node that refuses its flags prints the reason
// and then its usage text; the last lines alone would be the usage, so error lines come first.

/** A line that says something went wrong: an error, fatal or exception line, or "invalid ...". */
const ERROR_LINE = /(error|\bfatal|\binvalid|exception|\bcannot|\brefus\w*)\b/i;
/** Usage text lists flags (`  --name ...`) or starts with `usage:`: never the reason itself. */
const USAGE_LINE = /^\s*(usage:|--|-h\b)/i;

/** The error lines among the kept lines (at most `maxErrors`, the first ones: later ones tend to be consequences). */
export function errorLines(lines: readonly string[], maxErrors = 3): string[] {
  return lines.filter((line) => ERROR_LINE.test(line) && !USAGE_LINE.test(line)).slice(0, maxErrors);
}

/**
 * `; the node's error: ...` (if any), then `last stderr lines:` with the last `lastCount` lines, as
 * one indented block for a console message. Empty stderr says so.
 */
export function stderrExcerpt(lines: readonly string[], lastCount: number, indent = '  '): string {
  if (lines.length === 0) return '; no stderr output';
  const errors = errorLines(lines);
  const errorPart = errors.length === 0 ? '' : `; its error:\n${errors.map((l) => `${indent}${l}`).join('\n')}\n`;
  const tail = lines.slice(-lastCount);
  return `${errorPart}${errors.length === 0 ? '; ' : ''}last stderr lines:\n${tail.map((l) => `${indent}${l}`).join('\n')}`;
}
