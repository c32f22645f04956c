// Term, vote and log of a standalone node, all in one write-ahead file (<data-dir>/raft.wal), and
// the latest snapshot beside it (<data-dir>/raft.snap). Every write is fsynced before it returns, so
// by the time the host sends a message that depends on it (a vote, an append acknowledgement), the
// state behind it survives a crash.
import { join } from 'node:path';
import type { HostStorage } from '../host/raft-host.ts';
import type { HardState, LogEntry, LogWrite, PersistedState, Snapshot } from '../raft/types.ts';
import { describeRecoveredLog, openDurableLog } from '../storage/durable-log.ts';
import { writeSnapshotFile } from '../storage/snapshot-file.ts';

export type StateLog = (level: 'info' | 'warn', text: string) => void;

export interface DurableState {
  storage: HostStorage;
  persisted: PersistedState;
  close(): void;
}

export const WAL_FILE_NAME = 'raft.wal';
export const SNAPSHOT_FILE_NAME = 'raft.snap';

export function walPath(dataDir: string): string {
  return join(dataDir, WAL_FILE_NAME);
}

export function snapshotPath(dataDir: string): string {
  return join(dataDir, SNAPSHOT_FILE_NAME);
}

/** Opens (creating if needed) and recovers the node's file; a damaged tail is cut off and reported. */
/** Timings storage reports for metrics, in seconds. */
export interface StorageTimings {
  walFsync(seconds: number): void;
  snapshotSave(seconds: number): void;
}

export function openDurableState(dataDir: string, log: StateLog, timings?: StorageTimings): DurableState {
  const path = walPath(dataDir);
  const snapPath = snapshotPath(dataDir);
  const opened = openDurableLog(path, snapPath);
  for (const note of opened.notes) log(note.level, note.text);
  const { wal, snapshot, entries } = opened;
  if (timings !== undefined) wal.onFsync = (seconds) => timings.walFsync(seconds);
  const lastTerms = snapshot === null ? entries : [{ term: snapshot.term }, ...entries];
  const hardState = reconcileTerm(opened.hardState, lastTerms, (text) => log('warn', `write-ahead log ${path}: ${text}`));
  const { term, votedFor } = hardState;
  log('info', `write-ahead log ${path}: recovered term ${term}, voted for ${votedFor ?? 'nobody'}, ${describeRecoveredLog(opened)} (${opened.records} records)`);

  let written = 0;
  const storage: HostStorage = {
    appendLog: (writes: readonly LogWrite[]) => wal.append(null, writes),
    appendLogInBackground: (writes, done) => wal.appendInBackground(writes, done),
    saveSnapshot: (s: Snapshot) => {
      const started = performance.now();
      writeSnapshotFile(snapPath, s);
      timings?.snapshotSave((performance.now() - started) / 1000);
    },
    // Synchronous like the log: the ticket is durable as soon as it is handed out.
    persistHardState: (hardState: HardState) => {
      wal.append(hardState, []);
      return ++written;
    },
    isDurable: () => true,
    whenDurable: () => Promise.resolve(),
  };
  return { storage, persisted: { hardState, entries, snapshot }, close: () => wal.close() };
}

/**
 * The host makes the log durable just before the hard state of the same batch, so a crash between
 * the two can leave entries of a term newer than the recorded one. Raft needs currentTerm to be at
 * least the last entry's term. Raising it with no vote is safe: a vote is only ever sent after the
 * record holding it is durable, so no vote in that newer term can have left this node.
 */
export function reconcileTerm(hardState: HardState, entries: readonly Pick<LogEntry, 'term'>[], warn: (text: string) => void): HardState {
  const lastTerm = entries.reduce((max, e) => Math.max(max, e.term), 0);
  if (lastTerm <= hardState.term) return hardState;
  warn(`log holds entries of term ${lastTerm} but the recorded term is ${hardState.term} (crash between the two writes); continuing at term ${lastTerm} with no vote`);
  return { term: lastTerm, votedFor: null };
}
