// Replacing a file so that a crash at any point leaves either the old content or the new, never a
// mix: write a temporary file beside it, fsync it, rename it over the old one (atomic on POSIX), then
// fsync the directory so the rename itself survives a power loss.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** The temporary name a replacement is written under; a leftover one is an interrupted replacement. */
export function tempPathFor(path: string): string {
  return `${path}.tmp`;
}

export function replaceFileDurably(path: string, bytes: Buffer): void {
  const temp = tempPathFor(path);
  const fd = openSync(temp, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  syncDirectory(dirname(path));
}

/** Removes what an interrupted replacement left behind (the old file is still whole). Returns true if there was one. */
export function removeInterruptedReplacement(path: string): boolean {
  const temp = tempPathFor(path);
  if (!existsSync(temp)) return false;
  rmSync(temp, { force: true });
  return true;
}

function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // some platforms cannot open a directory; the rename is then as durable as the OS makes it
  }
  try {
    fsyncSync(fd);
  } catch {
    // fsync on a directory is refused on some file systems; nothing more can be done there
  } finally {
    closeSync(fd);
  }
}
