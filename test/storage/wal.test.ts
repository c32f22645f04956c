import { mkdtempSync, readFileSync, writeFileSync, appendFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/raft/types.ts';
import { encodeRecord, replay, WriteAheadLog } from '../../src/storage/wal.ts';

const entry = (term: number, n: number): LogEntry => ({ term, data: { kind: 'command', command: { n } } });

function freshPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'wal-test-')), 'node.wal');
}

describe('write-ahead log', () => {
  it('background appends: each callback runs once its write is durable, in order, sharing fsyncs; a compaction meanwhile loses nothing', async () => {
    const path = freshPath();
    const { wal } = WriteAheadLog.open(path);
    wal.append({ term: 1, votedFor: 'n1' }, []);
    const done: number[] = [];
    const durable = [1, 2, 3].map((n) => new Promise<void>((resolve, reject) => {
      wal.appendInBackground([{ kind: 'append', firstIndex: n, entries: [entry(1, n)] }], (err) => {
        if (err !== null) reject(err);
        done.push(n);
        resolve();
      });
    }));
    // Compaction closes the file the first background fsync is still working on.
    wal.rewrite({ index: 1, term: 1 }, [entry(1, 2), entry(1, 3)]);
    const after = new Promise<void>((resolve, reject) => wal.appendInBackground([{ kind: 'append', firstIndex: 4, entries: [entry(1, 4)] }], (err) => (err === null ? resolve() : reject(err))));
    await Promise.all([...durable, after]);
    expect(done).toEqual([1, 2, 3]);
    expect(() => wal.appendInBackground([{ kind: 'truncate', fromIndex: 2 }], () => {})).toThrow(/appends only/);
    wal.close();
    const { state } = WriteAheadLog.open(path);
    expect(state.hardState).toEqual({ term: 1, votedFor: 'n1' });
    expect(state.entries).toEqual([entry(1, 2), entry(1, 3), entry(1, 4)]);
  });

  it('recovers hard state and log, applying truncations in order', () => {
    const path = freshPath();
    const { wal } = WriteAheadLog.open(path);
    wal.append({ term: 1, votedFor: 'n1' }, [{ kind: 'append', firstIndex: 1, entries: [entry(1, 1), entry(1, 2), entry(1, 3)] }]);
    wal.append({ term: 2, votedFor: null }, [{ kind: 'truncate', fromIndex: 2 }, { kind: 'append', firstIndex: 2, entries: [entry(2, 9)] }]);
    wal.close();
    const { state } = WriteAheadLog.open(path);
    expect(state.hardState).toEqual({ term: 2, votedFor: null });
    expect(state.entries).toEqual([entry(1, 1), entry(2, 9)]);
    expect(state.repaired).toBeNull();
  });

  it('cuts off a torn tail (a crash in the middle of a write) and keeps the valid prefix', () => {
    const path = freshPath();
    const { wal } = WriteAheadLog.open(path);
    wal.append({ term: 3, votedFor: 'n2' }, [{ kind: 'append', firstIndex: 1, entries: [entry(3, 1)] }]);
    wal.close();
    const goodSize = statSync(path).size;
    const torn = encodeRecord({ t: 'append', first: 2, entries: [entry(3, 2)] }).subarray(0, 11);
    appendFileSync(path, torn);
    const { wal: reopened, state } = WriteAheadLog.open(path);
    expect(state.entries).toEqual([entry(3, 1)]);
    expect(state.repaired).toMatchObject({ atOffset: goodSize, droppedBytes: 11 });
    expect(reopened.fileSize()).toBe(goodSize);
    // Appending after repair produces a clean file again.
    reopened.append(null, [{ kind: 'append', firstIndex: 2, entries: [entry(3, 5)] }]);
    reopened.close();
    expect(WriteAheadLog.open(path).state).toMatchObject({ entries: [entry(3, 1), entry(3, 5)], repaired: null });
  });

  it('detects a flipped bit through the checksum and never replays the damaged record', () => {
    const good = Buffer.concat([
      encodeRecord({ t: 'hard_state', term: 1, voted_for: 'n1' }),
      encodeRecord({ t: 'append', first: 1, entries: [entry(1, 1)] }),
    ]);
    const damaged = Buffer.from(good);
    const at = damaged.length - 3;
    damaged.writeUInt8((damaged.readUInt8(at) ^ 0x10) & 0xff, at);
    const result = replay(damaged);
    expect(result.repaired?.reason).toBe('checksum mismatch');
    expect(result.entries).toEqual([]);
    expect(result.hardState).toEqual({ term: 1, votedFor: 'n1' });
  });

  it('treats garbage with an absurd length as damage, not as a huge allocation', () => {
    const path = freshPath();
    writeFileSync(path, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5]));
    const { state } = WriteAheadLog.open(path);
    expect(state.repaired?.reason).toMatch(/impossible record length/);
    expect(readFileSync(path).length).toBe(0);
  });
});
