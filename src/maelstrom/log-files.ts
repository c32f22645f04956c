// The Maelstrom mode's write-ahead files: `<node>-<log id>.wal` in one directory that every run on
// the machine shares ($TMPDIR/raft-maelstrom). A new test run (a fresh lin-kv service) means a new
// log id, so each run leaves one file per node behind. They are removed here, carefully: several
// runs may go on at once with the same node names, and a node killed by the bench's kill nemesis
// comes back seconds later and must find its file. So a file is only removed when it is old: a
// running node refreshes its file's modification time every few minutes, even when idle.
import { readdirSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';

/** A file untouched for this long belongs to no running node (they refresh theirs far more often). */
export const STALE_LOG_AGE_MS = 60 * 60_000;
/** How often a running node refreshes its file's modification time. */
export const LOG_REFRESH_INTERVAL_MS = 5 * 60_000;

const LOG_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function logFileName(nodeId: string, logId: string): string {
  return `${nodeId}-${logId}.wal`;
}

/** The marker saying a log was lost and not yet caught up (server.ts); it goes with its log file. */
export function lostMarkerPath(logPath: string): string {
  return `${logPath}.lost`;
}

/** The log's snapshot file (`<node>-<log id>.snap`); written next to it once the log is compacted. */
export function snapshotPathOf(logPath: string): string {
  return `${logPath.slice(0, -'.wal'.length)}.snap`;
}

/** Files that belong to a log and go when it goes: lost-log marker, snapshot, an interrupted snapshot write. */
function companionsOf(logPath: string): string[] {
  const snapshot = snapshotPathOf(logPath);
  return [lostMarkerPath(logPath), snapshot, `${snapshot}.tmp`];
}

/** True for `<nodeId>-<uuid>.wal` exactly (so n1 never claims n10's or n1-x's files). */
function isLogOf(name: string, nodeId: string): boolean {
  const prefix = `${nodeId}-`;
  if (!name.startsWith(prefix) || !name.endsWith('.wal')) return false;
  return LOG_ID.test(name.slice(prefix.length, -'.wal'.length));
}

/**
 * Removes this node's files, other than `keep`, that nobody has written or refreshed for
 * `maxAgeMs`. Returns the names removed. Files of other node names and anything that is not a
 * log file are never touched; a file that vanishes meanwhile (another run pruning) is fine.
 */
export function pruneStaleLogs(dir: string, nodeId: string, keep: string, nowMs: number, maxAgeMs = STALE_LOG_AGE_MS): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // no directory yet: nothing to prune
  }
  const removed: string[] = [];
  for (const name of names) {
    if (name === keep || !isLogOf(name, nodeId)) continue;
    const path = join(dir, name);
    try {
      if (nowMs - statSync(path).mtimeMs < maxAgeMs) continue;
      unlinkSync(path);
      removed.push(name);
    } catch {
      continue; // gone already, or not ours to remove: leave it
    }
    // Its companions belong to the same old run: judged by the log, which the running node refreshes.
    for (const companion of companionsOf(path)) {
      try {
        unlinkSync(companion);
        removed.push(basename(companion));
      } catch {
        // Not there: nothing to do.
      }
    }
  }
  return removed;
}

/** Marks the file as in use (see the file comment); errors are ignored, the next refresh retries. */
export function refreshLog(path: string, nowMs: number = Date.now()): void {
  const now = new Date(nowMs);
  try {
    utimesSync(path, now, now);
  } catch {
    // A missing file is reported when it matters: at the next start.
  }
}
