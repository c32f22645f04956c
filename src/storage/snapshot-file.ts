// The snapshot file: the state machine's serialized state after the log's first `index` entries,
// with the term of entry `index` (§7). One file, replaced whole and crash-safely on every snapshot;
// framed like a WAL record ([length u32 LE][crc32 u32 LE][JSON]) so a damaged file is recognised.
import { existsSync, readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { isConfiguration } from '../protocol/messages.ts';
import type { Snapshot } from '../raft/types.ts';
import { removeInterruptedReplacement, replaceFileDurably } from './durable-file.ts';
import { encodeFrame, HEADER_BYTES } from './wal.ts';

export function encodeSnapshot(snapshot: Snapshot): Buffer {
  const config = snapshot.config === undefined ? {} : { config: snapshot.config };
  return encodeFrame({ index: snapshot.index, term: snapshot.term, ...config, data: snapshot.data });
}

/** Decodes a snapshot file's bytes; a string says what is wrong with them. Pure, for tests on damaged bytes. */
export function decodeSnapshot(bytes: Buffer): Snapshot | string {
  if (bytes.length < HEADER_BYTES) return 'shorter than its header';
  const length = bytes.readUInt32LE(0);
  if (bytes.length !== HEADER_BYTES + length) return `holds ${bytes.length - HEADER_BYTES} bytes, its header says ${length}`;
  const payload = bytes.subarray(HEADER_BYTES);
  if (crc32(payload) !== bytes.readUInt32LE(4)) return 'checksum mismatch';
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'not valid JSON';
  }
  const v = value as { index?: unknown; term?: unknown; data?: unknown; config?: unknown } | null;
  if (typeof v !== 'object' || v === null) return 'not an object';
  if (!Number.isSafeInteger(v.index) || (v.index as number) < 1) return 'bad index';
  if (!Number.isSafeInteger(v.term) || (v.term as number) < 1) return 'bad term';
  if (typeof v.data !== 'string') return 'bad data';
  if (v.config !== undefined && !isConfiguration(v.config)) return 'bad configuration';
  const config = v.config === undefined ? {} : { config: v.config };
  return { index: v.index as number, term: v.term as number, ...config, data: v.data };
}

/** Makes `snapshot` the file's content, durably: when this returns it survives a crash. */
export function writeSnapshotFile(path: string, snapshot: Snapshot): void {
  replaceFileDurably(path, encodeSnapshot(snapshot));
}

export interface LoadedSnapshot {
  snapshot: Snapshot | null;
  /** What went wrong, for the log: an unreadable file, or a temporary file left by a crash mid-write. */
  notes: string[];
}

/** Reads the snapshot file at start-up. A missing file is no snapshot; an unreadable one is reported and ignored. */
export function loadSnapshotFile(path: string): LoadedSnapshot {
  const notes: string[] = [];
  if (removeInterruptedReplacement(path)) notes.push(`removed ${path}.tmp, left by a crash while writing a snapshot (the previous snapshot is intact)`);
  if (!existsSync(path)) return { snapshot: null, notes };
  const decoded = decodeSnapshot(readFileSync(path));
  if (typeof decoded === 'string') {
    notes.push(`snapshot file ${path} is unreadable (${decoded}): ignored`);
    return { snapshot: null, notes };
  }
  return { snapshot: decoded, notes };
}
