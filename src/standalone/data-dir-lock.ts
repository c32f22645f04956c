// One process per standalone data directory. Two nodes appending to one write-ahead file would
// corrupt it and break every promise the file makes, so the directory is locked: a file `lock`,
// created exclusively, holding the owner's pid. A lock whose process is gone (a node that was
// SIGKILLed) is taken over, with a log line saying so.
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'lock';

export class DataDirLockedError extends Error {}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function createExclusively(path: string, pid: number): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes the lock of `dir` (which must exist) for process `pid`, or throws DataDirLockedError
 * naming the process that holds it. `log` hears about a stale lock taken over.
 */
export function lockDataDir(dir: string, log: (text: string) => void, pid: number = process.pid): DataDirLock {
  const path = join(dir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusively(path, pid)) {
      return {
        path,
        release: () => {
          // Only our own lock: if someone took it over meanwhile, it is theirs now.
          if (readOwner(path) === pid) unlinkSync(path);
        },
      };
    }
    const owner = readOwner(path);
    if (owner !== null && owner !== pid && isRunning(owner)) {
      throw new DataDirLockedError(
        `data directory ${dir} is in use by process ${owner} (lock file ${path}): another node with this --data-dir or --id is running; stop it first, or give this one its own --data-dir`,
      );
    }
    // Its owner is gone (or the file holds no pid: a crash while writing it). Remove it only if it
    // still holds what we read, so that we never remove a lock another starter has just taken.
    if (readOwner(path) === owner) {
      log(`took over the lock of data directory ${dir}: its owner ${owner === null ? '(unreadable pid)' : `process ${owner}`} is no longer running`);
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first; try again.
      }
    }
  }
  throw new DataDirLockedError(`cannot lock data directory ${dir}: the lock file ${path} keeps changing (other nodes starting on it?)`);
}
