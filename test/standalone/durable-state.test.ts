// The standalone node's write-ahead file, opened in-process: what it recovers, and how it settles a
// crash that fell between a batch's log write and its hard-state write.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDurableState, walPath } from '../../src/standalone/durable-state.ts';
import { WriteAheadLog } from '../../src/storage/wal.ts';

describe('standalone durable state', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const freshDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'raft-durable-'));
    dirs.push(d);
    return d;
  };

  it('§7 a snapshot and the compacted log survive a restart, with the term and vote (raft.snap beside raft.wal)', () => {
    const dir = freshDir();
    const first = openDurableState(dir, () => {});
    first.storage.persistHardState({ term: 3, votedFor: 'c' });
    const entries = [1, 2, 3, 4].map((n) => ({ term: 3, data: { kind: 'command' as const, command: { n } } }));
    first.storage.appendLog([{ kind: 'append', firstIndex: 1, entries }]);
    first.storage.saveSnapshot({ index: 3, term: 3, data: '[["1",7]]' });
    first.storage.appendLog([{ kind: 'compact', snapshot: { index: 3, term: 3 }, entries: entries.slice(3) }]);
    first.close();
    const lines: string[] = [];
    const second = openDurableState(dir, (_level, text) => lines.push(text));
    expect(second.persisted).toEqual({ hardState: { term: 3, votedFor: 'c' }, snapshot: { index: 3, term: 3, data: '[["1",7]]' }, entries: entries.slice(3) });
    expect(lines.join('\n')).toContain('recovered term 3, voted for c, 1 entries after the snapshot through 3 (term 3)');
    second.close();
  });

  it('recovers term, vote and log written through the host storage interface', () => {
    const dir = freshDir();
    const first = openDurableState(dir, () => {});
    first.storage.persistHardState({ term: 2, votedFor: 'b' });
    first.storage.appendLog([{ kind: 'append', firstIndex: 1, entries: [{ term: 1, data: { kind: 'noop' } }, { term: 2, data: { kind: 'command', command: { op: 'x' } } }] }]);
    first.storage.appendLog([{ kind: 'truncate', fromIndex: 2 }]);
    first.close();
    const lines: string[] = [];
    const second = openDurableState(dir, (_level, text) => lines.push(text));
    expect(second.persisted.hardState).toEqual({ term: 2, votedFor: 'b' });
    expect(second.persisted.entries).toEqual([{ term: 1, data: { kind: 'noop' } }]);
    expect(lines.join('\n')).toContain('recovered term 2, voted for b, 1 entries');
    second.close();
  });

  it('raises the term to the last entry\'s term, with no vote, when the hard-state write was lost', () => {
    const dir = freshDir();
    const { wal } = WriteAheadLog.open(walPath(dir));
    wal.append({ term: 2, votedFor: 'a' }, []);
    wal.append(null, [{ kind: 'append', firstIndex: 1, entries: [{ term: 3, data: { kind: 'noop' } }] }]);
    wal.close();
    const warnings: string[] = [];
    const state = openDurableState(dir, (level, text) => {
      if (level === 'warn') warnings.push(text);
    });
    expect(state.persisted.hardState).toEqual({ term: 3, votedFor: null });
    expect(warnings.join('\n')).toContain('continuing at term 3 with no vote');
    state.close();
  });
});
