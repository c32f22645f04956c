// The bench's excerpt of a failed node's stderr names the node's error before its usage text.
import { describe, expect, it } from 'vitest';
import { errorLines, stderrExcerpt } from '../../maelstrom/stderr-excerpt.ts';

const usage = ['usage: node.js [options]', '  --election-timeout MS   base timeout', '  --help'];

describe('stderr excerpt', () => {
  it('picks the error line out of a refusal followed by usage, and not the usage lines that mention errors', () => {
    const lines = ['raft node: invalid configuration: --election-timeout must be positive', ...usage, '  --log-level debug|info|warn  (an invalid level is refused)'];
    expect(errorLines(lines)).toEqual(['raft node: invalid configuration: --election-timeout must be positive']);
  });

  it('recognises FATAL, ERROR and exception lines, first ones first, at most three', () => {
    const lines = ['ok line', '2026-12-01T00:00:00Z n1 [starting t-] FATAL cannot start: port 9001 in use', 'TypeError: x is undefined', 'Error: a', 'Error: b'];
    expect(errorLines(lines)).toEqual(lines.slice(1, 4));
  });

  it('shows the error first, then the last lines; says so when stderr was empty', () => {
    const text = stderrExcerpt(['raft node: invalid configuration: bad', ...usage], 2);
    expect(text.indexOf('invalid configuration: bad')).toBeLessThan(text.indexOf('last stderr lines'));
    expect(text).toContain('  --help');
    expect(text).not.toContain('usage: node.js');
    expect(stderrExcerpt([], 10)).toBe('; no stderr output');
    expect(stderrExcerpt(['just talking'], 10)).toBe('; last stderr lines:\n  just talking');
  });
});
