// A write-ahead file for Raft's durable state: hard state records and log writes (append, truncate),
// each framed as [payload length u32 LE][crc32 u32 LE][JSON payload], written and fsynced before the
// caller sends anything that depends on it.
//
// Recovery replays records from the start. A record cut short by a crash (torn write) or whose
// checksum does not match ends the valid prefix: the tail is cut off with a clear log line, never
// replayed. Only the tail can be damaged this way, because records are only ever appended.
//
// Compaction (§7) rewrites the file instead of appending to it: the new file starts with the last hard
// state and a `base` record (the snapshot's last index and term; the log holds only what follows),
// then the entries kept. It replaces the old file by an fsynced rename, so a crash leaves one or the
// other whole. The snapshot itself is written (durably) before, so the entries dropped are in it.
import { closeSync, fstatSync, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { HardState, LogEntry, LogWrite, SnapshotMeta } from '../raft/types.ts';
import { removeInterruptedReplacement, replaceFileDurably } from './durable-file.ts';

type WalRecord =
  | { t: 'hard_state'; term: number; voted_for: string | null }
  | { t: 'append'; first: number; entries: LogEntry[] }
  | { t: 'truncate'; from: number }
  | { t: 'base'; index: number; term: number };

export interface RecoveredState {
  hardState: HardState;
  /** The snapshot the log starts after ({0, 0}: the log starts at index 1). */
  base: SnapshotMeta;
  /** The entries after base.index. */
  entries: LogEntry[];
  records: number;
  /** Set when a damaged tail was cut off. */
  repaired: { atOffset: number; droppedBytes: number; reason: string } | null;
}

/** A frame's header: payload length and crc32, both u32 LE (the snapshot file is framed the same way). */
export const HEADER_BYTES = 8;
/** A length beyond this is corruption, not a record: no single write is that large. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export function encodeRecord(record: WalRecord): Buffer {
  return encodeFrame(record);
}

/** [length u32 LE][crc32 u32 LE][JSON of `value`]. */
export function encodeFrame(value: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, HEADER_BYTES);
  return frame;
}

function isRecord(v: unknown): v is WalRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as { [k: string]: unknown };
  switch (r['t']) {
    case 'hard_state':
      return typeof r['term'] === 'number' && (r['voted_for'] === null || typeof r['voted_for'] === 'string');
    case 'append':
      return typeof r['first'] === 'number' && Array.isArray(r['entries']);
    case 'truncate':
      return typeof r['from'] === 'number';
    case 'base':
      return typeof r['index'] === 'number' && typeof r['term'] === 'number';
    default:
      return false;
  }
}

/** Replays a WAL image. Pure: used by open() and by tests on hand-damaged bytes. */
export function replay(bytes: Buffer): RecoveredState & { validBytes: number } {
  let hardState: HardState = { term: 0, votedFor: null };
  let base: SnapshotMeta = { index: 0, term: 0 };
  const entries: LogEntry[] = [];
  let offset = 0;
  let records = 0;
  let damage: string | null = null;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES) {
      damage = 'torn record header';
      break;
    }
    const length = bytes.readUInt32LE(offset);
    const checksum = bytes.readUInt32LE(offset + 4);
    if (length > MAX_RECORD_BYTES) {
      damage = `impossible record length ${length}`;
      break;
    }
    if (bytes.length - offset - HEADER_BYTES < length) {
      damage = 'torn record (shorter than its header says)';
      break;
    }
    const payload = bytes.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    if (crc32(payload) !== checksum) {
      damage = 'checksum mismatch';
      break;
    }
    let record: unknown;
    try {
      record = JSON.parse(payload.toString('utf8'));
    } catch {
      damage = 'record is not valid JSON';
      break;
    }
    if (!isRecord(record)) {
      damage = 'record has an unknown shape';
      break;
    }
    if (record.t === 'hard_state') {
      hardState = { term: record.term, votedFor: record.voted_for };
    } else if (record.t === 'base') {
      base = { index: record.index, term: record.term };
      entries.length = 0;
    } else if (record.t === 'truncate') {
      entries.length = Math.min(entries.length, Math.max(record.from - base.index - 1, 0));
    } else {
      if (record.first > base.index + entries.length + 1 || record.first <= base.index) {
        damage = `append at ${record.first} does not continue a log of ${base.index} + ${entries.length} entries`;
        break;
      }
      entries.length = record.first - base.index - 1;
      for (const e of record.entries) entries.push(e);
    }
    records++;
    offset += HEADER_BYTES + length;
  }
  return {
    hardState,
    base,
    entries,
    records,
    validBytes: offset,
    repaired: damage === null ? null : { atOffset: offset, droppedBytes: bytes.length - offset, reason: damage },
  };
}

export class WriteAheadLog {
  /** Told how long each fsync of an append took, in seconds (for raft_wal_fsync_duration_seconds). */
  onFsync: ((seconds: number) => void) | null = null;

  /** Background fsync: the callbacks it will answer, and those waiting for the next one. */
  private fsyncInFlight: ((err: Error | null) => void)[] | null = null;
  private fsyncNext: ((err: Error | null) => void)[] = [];
  /** Descriptors replaced (compaction) or closed while a background fsync still used them. */
  private retiredFds: number[] = [];
  private closing = false;

  private constructor(
    readonly path: string,
    private fd: number,
    private bytes: number,
    /** The last hard state written to this file, carried over when compaction rewrites it. */
    private hardState: HardState | null,
  ) {}

  /**
   * Opens (creating if needed) and recovers the file; a damaged tail is cut off before anything is
   * appended, and a temporary file left by a crash during compaction is removed (the file is whole).
   */
  static open(path: string): { wal: WriteAheadLog; state: RecoveredState; interruptedCompaction: boolean } {
    mkdirSync(dirname(path), { recursive: true });
    const interruptedCompaction = removeInterruptedReplacement(path);
    const fd = openSync(path, 'a+');
    const bytes = readFileSync(path);
    const state = replay(bytes);
    if (state.repaired !== null) {
      ftruncateSync(fd, state.validBytes);
      fsyncSync(fd);
    }
    const hasHardState = state.hardState.term > 0 || state.hardState.votedFor !== null;
    return { wal: new WriteAheadLog(path, fd, state.validBytes, hasHardState ? state.hardState : null), state, interruptedCompaction };
  }

  /** Writes the records for one Output batch and fsyncs them: durable when this returns. */
  append(hardState: HardState | null, writes: readonly LogWrite[]): void {
    let frames: Buffer[] = [];
    if (hardState !== null) {
      this.hardState = hardState;
      frames.push(encodeRecord({ t: 'hard_state', term: hardState.term, voted_for: hardState.votedFor }));
    }
    for (const w of writes) {
      if (w.kind === 'compact') {
        // The compacted log holds everything written before it in this batch: start the file over.
        this.rewrite(w.snapshot, w.entries);
        frames = [];
      } else {
        frames.push(w.kind === 'truncate' ? encodeRecord({ t: 'truncate', from: w.fromIndex }) : encodeRecord({ t: 'append', first: w.firstIndex, entries: w.entries }));
      }
    }
    if (frames.length === 0) return;
    const chunk = Buffer.concat(frames);
    let written = 0;
    while (written < chunk.length) written += writeSync(this.fd, chunk, written, chunk.length - written);
    const fsyncStarted = performance.now();
    fsyncSync(this.fd);
    this.onFsync?.((performance.now() - fsyncStarted) / 1000);
    this.bytes += chunk.length;
  }

  /**
   * Writes appended entries now and fsyncs them in the background (the libuv thread pool); `done`
   * runs once they are durable, or with the error. Writes keep their order in the file, and one
   * fsync covers every write made before it started, so appends made while one runs share the next.
   */
  appendInBackground(writes: readonly LogWrite[], done: (err: Error | null) => void): void {
    const frames = writes.map((w) => {
      if (w.kind !== 'append') throw new Error(`a background log write holds appends only, not ${w.kind}`);
      return encodeRecord({ t: 'append', first: w.firstIndex, entries: w.entries });
    });
    const chunk = Buffer.concat(frames);
    let written = 0;
    while (written < chunk.length) written += writeSync(this.fd, chunk, written, chunk.length - written);
    this.bytes += chunk.length;
    this.fsyncNext.push(done);
    if (this.fsyncInFlight === null) this.startBackgroundFsync();
  }

  private startBackgroundFsync(): void {
    const waiters = this.fsyncNext;
    this.fsyncNext = [];
    this.fsyncInFlight = waiters;
    const started = performance.now();
    fsync(this.fd, (err) => {
      this.fsyncInFlight = null;
      this.onFsync?.((performance.now() - started) / 1000);
      for (const fd of this.retiredFds) closeSync(fd);
      this.retiredFds = [];
      for (const w of waiters) w(err);
      if (this.fsyncNext.length > 0 && !this.closing) this.startBackgroundFsync();
    });
  }

  /** Closes the descriptor now, or once the background fsync using it has finished. */
  private retire(fd: number): void {
    if (this.fsyncInFlight === null) closeSync(fd);
    else this.retiredFds.push(fd);
  }

  /**
   * Replaces the file with one holding only the last hard state, `base` and the entries after it.
   * Crash-safe: the new file is complete and fsynced before it takes the old one's name.
   */
  rewrite(base: SnapshotMeta, entries: readonly LogEntry[]): void {
    const frames: Buffer[] = [];
    if (this.hardState !== null) frames.push(encodeRecord({ t: 'hard_state', term: this.hardState.term, voted_for: this.hardState.votedFor }));
    frames.push(encodeRecord({ t: 'base', index: base.index, term: base.term }));
    if (entries.length > 0) frames.push(encodeRecord({ t: 'append', first: base.index + 1, entries: entries.slice() }));
    const content = Buffer.concat(frames);
    replaceFileDurably(this.path, content);
    // Appends still waiting for a background fsync are in the new file, which is durable already.
    this.retire(this.fd);
    this.fd = openSync(this.path, 'a');
    this.bytes = content.length;
  }

  sizeBytes(): number {
    return this.bytes;
  }

  /** For tests: the size the file really has on disk. */
  fileSize(): number {
    return fstatSync(this.fd).size;
  }

  close(): void {
    this.closing = true;
    this.retire(this.fd);
  }
}
