// A node's durable log as both adapters keep it: a snapshot file plus a write-ahead file holding the
// entries after it. Recovery pairs them: the snapshot comes first, then the WAL entries that follow
// it, kept only if the WAL holds the snapshot's last entry with the same term (otherwise they belong
// to a log the snapshot replaced, §7). Because a snapshot is written before the WAL is compacted,
// a crash between the two leaves a WAL that starts at or before the snapshot, never after it.
import type { HardState, LogEntry, Snapshot, SnapshotMeta } from '../raft/types.ts';
import { loadSnapshotFile } from './snapshot-file.ts';
import { WriteAheadLog } from './wal.ts';

export interface OpenedDurableLog {
  wal: WriteAheadLog;
  /** The hard state recorded in the WAL (the standalone mode keeps it there). */
  hardState: HardState;
  snapshot: Snapshot | null;
  /** The entries after the snapshot (or from index 1 without one). */
  entries: LogEntry[];
  /** Records replayed from the WAL. */
  records: number;
  /** What recovery found and did, for the node's log. */
  notes: { level: 'info' | 'warn'; text: string }[];
}

/** The WAL entries that extend `snapshot`, or a reason they cannot. Pure. */
export function entriesAfterSnapshot(snapshot: SnapshotMeta, wal: { base: SnapshotMeta; entries: readonly LogEntry[] }): { entries: LogEntry[]; problem: string | null } {
  if (wal.base.index > snapshot.index) {
    return { entries: [], problem: `the write-ahead log starts after index ${wal.base.index} but the snapshot ends at ${snapshot.index}: entries in between are lost` };
  }
  const offset = snapshot.index - wal.base.index;
  const termThere = offset === 0 ? wal.base.term : wal.entries[offset - 1]?.term;
  if (termThere !== snapshot.term) {
    // The snapshot came from the leader and replaced a log that did not hold its last entry (§7).
    return { entries: [], problem: null };
  }
  return { entries: wal.entries.slice(offset), problem: null };
}

/** For the recovery log line: what the log holds after the snapshot, e.g. "12 entries after the snapshot through 40". */
export function describeRecoveredLog(opened: Pick<OpenedDurableLog, 'snapshot' | 'entries'>): string {
  const after = opened.snapshot === null ? '' : ` after the snapshot through ${opened.snapshot.index} (term ${opened.snapshot.term})`;
  return `${opened.entries.length} entries${after}`;
}

export function openDurableLog(walPath: string, snapshotPath: string): OpenedDurableLog {
  const notes: OpenedDurableLog['notes'] = [];
  const loaded = loadSnapshotFile(snapshotPath);
  for (const text of loaded.notes) notes.push({ level: 'warn', text });
  const { wal, state, interruptedCompaction } = WriteAheadLog.open(walPath);
  if (interruptedCompaction) notes.push({ level: 'warn', text: `write-ahead log ${walPath}: removed the temporary file of an interrupted compaction (the log is whole)` });
  if (state.repaired !== null) {
    notes.push({ level: 'warn', text: `write-ahead log ${walPath}: cut off a damaged tail at byte ${state.repaired.atOffset} (${state.repaired.droppedBytes} bytes, ${state.repaired.reason})` });
  }
  const snapshot = loaded.snapshot;
  let entries = state.entries;
  if (snapshot !== null) {
    const after = entriesAfterSnapshot(snapshot, state);
    if (after.problem !== null) notes.push({ level: 'warn', text: `write-ahead log ${walPath}: ${after.problem}` });
    entries = after.entries;
    if (state.base.index !== snapshot.index || entries.length !== state.entries.length) {
      // A crash came between writing the snapshot and compacting the WAL: finish the compaction now,
      // so the next appends continue the log the node really starts from.
      wal.rewrite(snapshot, entries);
      notes.push({ level: 'info', text: `write-ahead log ${walPath}: compacted to the snapshot through ${snapshot.index} (${entries.length} entries follow)` });
    }
  } else if (state.base.index > 0) {
    notes.push({ level: 'warn', text: `write-ahead log ${walPath} starts after index ${state.base.index} but there is no readable snapshot: starting with an empty log` });
    entries = [];
    wal.rewrite({ index: 0, term: 0 }, []);
  }
  return { wal, hardState: state.hardState, snapshot, entries, notes, records: state.records };
}
