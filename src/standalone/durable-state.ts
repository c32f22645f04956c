// Term, vote and log of a standalone node, all in one write-ahead file (<data-dir>/raft.wal).
// Every write is fsynced before it returns, so by the time the host sends a message that depends
// on it (a vote, an append acknowledgement), the state behind it survives a crash.
import { join } from 'node:path';
import type { HostStorage } from '../host/raft-host.ts';
import type { HardState, LogEntry, LogWrite } from '../raft/types.ts';
import { WriteAheadLog } from '../storage/wal.ts';

export type StateLog = (level: 'info' | 'warn', text: string) => void;

export interface DurableState {
  storage: HostStorage;
  persisted: { hardState: HardState; entries: LogEntry[] };
  close(): void;
}

export const WAL_FILE_NAME = 'raft.wal';

export function walPath(dataDir: string): string {
  return join(dataDir, WAL_FILE_NAME);
}

/** Opens (creating if needed) and recovers the node's file; a damaged tail is cut off and reported. */
export function openDurableState(dataDir: string, log: StateLog): DurableState {
  const path = walPath(dataDir);
  const { wal, state } = WriteAheadLog.open(path);
  if (state.repaired !== null) {
    log('warn', `write-ahead log ${path}: cut off a damaged tail at byte ${state.repaired.atOffset} (${state.repaired.droppedBytes} bytes, ${state.repaired.reason})`);
  }
  const hardState = reconcileTerm(state.hardState, state.entries, (text) => log('warn', `write-ahead log ${path}: ${text}`));
  const { term, votedFor } = hardState;
  log('info', `write-ahead log ${path}: recovered term ${term}, voted for ${votedFor ?? 'nobody'}, ${state.entries.length} entries (${state.records} records)`);

  let written = 0;
  const storage: HostStorage = {
    appendLog: (writes: readonly LogWrite[]) => wal.append(null, writes),
    // Synchronous like the log: the ticket is durable as soon as it is handed out.
    persistHardState: (hardState: HardState) => {
      wal.append(hardState, []);
      return ++written;
    },
    isDurable: () => true,
    whenDurable: () => Promise.resolve(),
  };
  return { storage, persisted: { hardState, entries: state.entries }, close: () => wal.close() };
}

/**
 * The host makes the log durable just before the hard state of the same batch, so a crash between
 * the two can leave entries of a term newer than the recorded one. Raft needs currentTerm to be at
 * least the last entry's term. Raising it with no vote is safe: a vote is only ever sent after the
 * record holding it is durable, so no vote in that newer term can have left this node.
 */
export function reconcileTerm(hardState: HardState, entries: readonly LogEntry[], warn: (text: string) => void): HardState {
  const lastTerm = entries.reduce((max, e) => Math.max(max, e.term), 0);
  if (lastTerm <= hardState.term) return hardState;
  warn(`log holds entries of term ${lastTerm} but the recorded term is ${hardState.term} (crash between the two writes); continuing at term ${lastTerm} with no vote`);
  return { term: lastTerm, votedFor: null };
}
