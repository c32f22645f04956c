// Log compaction on disk (§7): the snapshot file and the write-ahead log rewritten after it, with the
// crash points in between. Each crash is simulated by the files it leaves: a temporary file that was
// never renamed, a snapshot written but the WAL not yet compacted, a damaged snapshot file.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEntry, Snapshot } from '../../src/raft/types.ts';
import { tempPathFor } from '../../src/storage/durable-file.ts';
import { entriesAfterSnapshot, openDurableLog } from '../../src/storage/durable-log.ts';
import { decodeSnapshot, encodeSnapshot, loadSnapshotFile, writeSnapshotFile } from '../../src/storage/snapshot-file.ts';
import { WriteAheadLog } from '../../src/storage/wal.ts';

const entry = (term: number, n: number): LogEntry => ({ term, data: { kind: 'command', command: { n } } });
const entries = (term: number, from: number, to: number): LogEntry[] => Array.from({ length: to - from + 1 }, (_, i) => entry(term, from + i));

function paths(): { wal: string; snap: string } {
  const dir = mkdtempSync(join(tmpdir(), 'compaction-test-'));
  return { wal: join(dir, 'n1-x.wal'), snap: join(dir, 'n1-x.snap') };
}

const snapshotAt = (index: number, term: number): Snapshot => ({ index, term, data: JSON.stringify([['"k"', index]]) });

/** A WAL holding entries 1..count of `term`, with a hard state. */
function walWith(path: string, count: number, term = 1): void {
  const { wal } = WriteAheadLog.open(path);
  wal.append({ term, votedFor: 'n2' }, [{ kind: 'append', firstIndex: 1, entries: entries(term, 1, count) }]);
  wal.close();
}

describe('snapshot file', () => {
  it('round-trips, and is replaced whole', () => {
    const { snap } = paths();
    writeSnapshotFile(snap, snapshotAt(5, 1));
    writeSnapshotFile(snap, snapshotAt(9, 2));
    expect(loadSnapshotFile(snap)).toEqual({ snapshot: snapshotAt(9, 2), notes: [] });
    expect(existsSync(tempPathFor(snap))).toBe(false);
  });

  it('a crash before the rename leaves the previous snapshot in force (the temporary file is removed)', () => {
    const { snap } = paths();
    writeSnapshotFile(snap, snapshotAt(5, 1));
    writeFileSync(tempPathFor(snap), encodeSnapshot(snapshotAt(9, 2)).subarray(0, 20)); // killed mid-write
    const loaded = loadSnapshotFile(snap);
    expect(loaded.snapshot).toEqual(snapshotAt(5, 1));
    expect(loaded.notes.join()).toMatch(/crash while writing a snapshot/);
    expect(existsSync(tempPathFor(snap))).toBe(false);
  });

  it('§4.1 keeps the configuration in force at the snapshot\'s index; files without one still load', () => {
    const config = { voters: ['n1', 'n2'], learners: ['n4'], context: { n4: '127.0.0.1:9004' } };
    expect(decodeSnapshot(encodeSnapshot({ ...snapshotAt(5, 1), config }))).toEqual({ ...snapshotAt(5, 1), config });
    expect(decodeSnapshot(encodeSnapshot(snapshotAt(5, 1)))).toEqual(snapshotAt(5, 1));
  });

  it('a damaged file is recognised, never half-loaded', () => {
    const bytes = encodeSnapshot(snapshotAt(5, 1));
    expect(decodeSnapshot(bytes.subarray(0, bytes.length - 1))).toMatch(/header says/);
    const flipped = Buffer.from(bytes);
    flipped.writeUInt8(flipped.readUInt8(12) ^ 0x01, 12);
    expect(decodeSnapshot(flipped)).toBe('checksum mismatch');
    expect(decodeSnapshot(Buffer.alloc(3))).toBe('shorter than its header');
  });
});

describe('write-ahead log compaction', () => {
  it('a compact write rewrites the file: the hard state, a base record and the entries kept; appends continue it', () => {
    const { wal: path } = paths();
    walWith(path, 10);
    const { wal } = WriteAheadLog.open(path);
    const sizeBefore = wal.fileSize();
    wal.append(null, [{ kind: 'append', firstIndex: 11, entries: [entry(1, 11)] }, { kind: 'compact', snapshot: { index: 8, term: 1 }, entries: entries(1, 9, 11) }]);
    wal.append(null, [{ kind: 'append', firstIndex: 12, entries: [entry(1, 12)] }]);
    expect(wal.fileSize()).toBeLessThan(sizeBefore);
    wal.close();
    const { state } = WriteAheadLog.open(path);
    expect(state.hardState).toEqual({ term: 1, votedFor: 'n2' });
    expect(state.base).toEqual({ index: 8, term: 1 });
    expect(state.entries).toEqual(entries(1, 9, 12));
    expect(state.repaired).toBeNull();
  });

  it('a truncate after compaction counts indexes from the base', () => {
    const { wal: path } = paths();
    walWith(path, 10);
    const { wal } = WriteAheadLog.open(path);
    wal.append(null, [{ kind: 'compact', snapshot: { index: 6, term: 1 }, entries: entries(1, 7, 10) }, { kind: 'truncate', fromIndex: 9 }]);
    wal.close();
    expect(WriteAheadLog.open(path).state.entries).toEqual(entries(1, 7, 8));
  });

  it('a crash during the rewrite (temporary file not renamed) leaves the old log whole', () => {
    const { wal: path } = paths();
    walWith(path, 10);
    const before = readFileSync(path);
    writeFileSync(tempPathFor(path), before.subarray(0, 30)); // the rewrite was killed before its rename
    const { state, interruptedCompaction } = WriteAheadLog.open(path);
    expect(interruptedCompaction).toBe(true);
    expect(state.entries).toEqual(entries(1, 1, 10));
    expect(state.base).toEqual({ index: 0, term: 0 });
    expect(existsSync(tempPathFor(path))).toBe(false);
  });
});

describe('recovery: snapshot + log', () => {
  it('the entries after a snapshot are kept when the log holds its last entry with its term', () => {
    expect(entriesAfterSnapshot({ index: 4, term: 1 }, { base: { index: 0, term: 0 }, entries: entries(1, 1, 6) })).toEqual({ entries: entries(1, 5, 6), problem: null });
    expect(entriesAfterSnapshot({ index: 4, term: 1 }, { base: { index: 4, term: 1 }, entries: entries(1, 5, 6) })).toEqual({ entries: entries(1, 5, 6), problem: null });
  });

  it('otherwise the log is discarded (§7): it belongs to the log the snapshot replaced', () => {
    expect(entriesAfterSnapshot({ index: 4, term: 3 }, { base: { index: 0, term: 0 }, entries: entries(1, 1, 6) })).toEqual({ entries: [], problem: null });
    expect(entriesAfterSnapshot({ index: 9, term: 1 }, { base: { index: 0, term: 0 }, entries: entries(1, 1, 6) })).toEqual({ entries: [], problem: null });
  });

  it('a log that starts after the snapshot is a gap, reported', () => {
    expect(entriesAfterSnapshot({ index: 4, term: 1 }, { base: { index: 6, term: 1 }, entries: [] }).problem).toMatch(/lost/);
  });

  it('crash after the snapshot was written but before the WAL was compacted: the node starts from the snapshot and finishes the compaction', () => {
    const p = paths();
    walWith(p.wal, 10);
    writeSnapshotFile(p.snap, snapshotAt(7, 1));
    const opened = openDurableLog(p.wal, p.snap);
    expect(opened.snapshot).toEqual(snapshotAt(7, 1));
    expect(opened.entries).toEqual(entries(1, 8, 10));
    expect(opened.notes.map((n) => n.text).join('\n')).toMatch(/compacted to the snapshot through 7/);
    // Appends at 11 continue the log on disk (the WAL was rewritten to start after 7).
    opened.wal.append(null, [{ kind: 'append', firstIndex: 11, entries: [entry(1, 11)] }]);
    opened.wal.close();
    const again = openDurableLog(p.wal, p.snap);
    expect(again.entries).toEqual(entries(1, 8, 11));
    expect(again.hardState).toEqual({ term: 1, votedFor: 'n2' });
    again.wal.close();
  });

  it('crash while installing a leader\'s snapshot that conflicts with the log: the old log is dropped on restart', () => {
    const p = paths();
    walWith(p.wal, 10, 1);
    writeSnapshotFile(p.snap, snapshotAt(12, 3)); // from a leader; the WAL was about to be reset
    const opened = openDurableLog(p.wal, p.snap);
    expect(opened.entries).toEqual([]);
    opened.wal.close();
    expect(WriteAheadLog.open(p.wal).state).toMatchObject({ base: { index: 12, term: 3 }, entries: [] });
  });

  it('crash before the snapshot file was renamed into place: the old snapshot and the uncompacted log', () => {
    const p = paths();
    walWith(p.wal, 10);
    writeSnapshotFile(p.snap, snapshotAt(4, 1));
    const { wal } = WriteAheadLog.open(p.wal);
    wal.append(null, [{ kind: 'compact', snapshot: { index: 4, term: 1 }, entries: entries(1, 5, 10) }]);
    wal.close();
    writeFileSync(tempPathFor(p.snap), encodeSnapshot(snapshotAt(9, 1)).subarray(0, 10));
    const opened = openDurableLog(p.wal, p.snap);
    expect(opened.snapshot).toEqual(snapshotAt(4, 1));
    expect(opened.entries).toEqual(entries(1, 5, 10));
    opened.wal.close();
  });
});
