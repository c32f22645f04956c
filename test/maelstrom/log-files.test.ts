// Write-ahead files of earlier Maelstrom runs are removed at a fresh start, but only when they are
// old: another run with the same node names, or a killed node about to restart, may still need
// a file. First the rule on its own, then the real node on the bench cluster.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from '../../maelstrom/cluster.ts';
import { LOG_REFRESH_INTERVAL_MS, pruneStaleLogs, refreshLog, STALE_LOG_AGE_MS } from '../../src/maelstrom/log-files.ts';

const NODE_BIN = resolve(import.meta.dirname, '..', '..', 'dist', 'node.js');
const HOUR = 60 * 60_000;
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'raft-log-files-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const uuid = (n: number): string => `0000000${n}-1111-4222-8333-444444444444`;
function plant(dir: string, name: string, ageMs: number, now = Date.now()): void {
  const path = join(dir, name);
  writeFileSync(path, 'x');
  const at = new Date(now - ageMs);
  utimesSync(path, at, at);
}

describe('pruning old write-ahead files', () => {
  it('removes only this node name\'s log files older than the limit, never the one it keeps', () => {
    const dir = tempDir();
    const now = Date.now();
    plant(dir, `n1-${uuid(1)}.wal`, 2 * HOUR, now); // old: goes
    plant(dir, `n1-${uuid(2)}.wal`, 10 * 60_000, now); // recent: another run may be using it
    plant(dir, `n1-${uuid(3)}.wal`, 3 * HOUR, now); // the file this start opens: kept however old
    plant(dir, `n10-${uuid(4)}.wal`, 2 * HOUR, now); // another node name that starts with n1
    plant(dir, `n2-${uuid(5)}.wal`, 2 * HOUR, now); // another node
    plant(dir, `n1-notes.wal`, 2 * HOUR, now); // not a log file name
    plant(dir, `n1-${uuid(6)}.txt`, 2 * HOUR, now);
    plant(dir, `n1-${uuid(1)}.wal.lost`, 2 * HOUR, now); // lost-log marker of the old file: goes with it
    plant(dir, `n1-${uuid(2)}.wal.lost`, 2 * HOUR, now); // marker of a live file: stays with it
    plant(dir, `n1-${uuid(1)}.snap`, 2 * HOUR, now); // snapshot of the old log: goes with it
    plant(dir, `n1-${uuid(2)}.snap`, 2 * HOUR, now); // snapshot of a live log: stays
    const removed = pruneStaleLogs(dir, 'n1', `n1-${uuid(3)}.wal`, now);
    expect(removed).toEqual([`n1-${uuid(1)}.wal`, `n1-${uuid(1)}.wal.lost`, `n1-${uuid(1)}.snap`]);
    expect(readdirSync(dir).sort()).toEqual(
      [`n1-${uuid(2)}.wal`, `n1-${uuid(2)}.wal.lost`, `n1-${uuid(2)}.snap`, `n1-${uuid(3)}.wal`, `n1-${uuid(6)}.txt`, `n1-notes.wal`, `n10-${uuid(4)}.wal`, `n2-${uuid(5)}.wal`].sort(),
    );
  });

  it('a running node refreshes its file well within the age limit, and a missing directory is no error', () => {
    expect(LOG_REFRESH_INTERVAL_MS * 4).toBeLessThanOrEqual(STALE_LOG_AGE_MS);
    const dir = tempDir();
    const now = Date.now();
    plant(dir, `n1-${uuid(1)}.wal`, 2 * HOUR, now);
    refreshLog(join(dir, `n1-${uuid(1)}.wal`), now);
    expect(pruneStaleLogs(dir, 'n1', 'none', now)).toEqual([]);
    refreshLog(join(dir, 'missing.wal'), now);
    expect(pruneStaleLogs(join(dir, 'absent'), 'n1', 'none', now)).toEqual([]);
  });
});

describe('dist/node.js on the bench cluster', () => {
  let cluster: Cluster | null = null;
  afterEach(async () => {
    await cluster?.stop();
    cluster = null;
  });

  it('removes its own old files at a fresh start, keeps recent ones and other nodes\' files, and finds its file again after a kill', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    plant(dir, `n0-${uuid(1)}.wal`, 2 * HOUR);
    plant(dir, `n0-${uuid(2)}.wal`, 5 * 60_000);
    plant(dir, `n9-${uuid(3)}.wal`, 2 * HOUR);
    const lines: string[] = [];
    let wake: (() => void) | null = null;
    const waitFor = async (match: (l: string) => boolean): Promise<string> => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = lines.find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no such line; last lines:\n${lines.slice(-20).join('\n')}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 200);
        });
      }
    };
    cluster = await Cluster.start({
      bin: NODE_BIN,
      nodeIds: ['n0', 'n1', 'n2'],
      seed: 7,
      env: { RAFT_DATA_DIR: dir },
      onStderrLine: (node, line) => {
        lines.push(`${node}: ${line}`);
        wake?.();
      },
    });
    await waitFor((l) => l.startsWith('n0: ') && l.includes('entries recovered'));
    expect(lines.some((l) => l.startsWith('n0: ') && l.includes(`removed 1 file(s) of earlier runs untouched for over 60 min: n0-${uuid(1)}.wal`))).toBe(true);
    const files = readdirSync(dir);
    expect(files).not.toContain(`n0-${uuid(1)}.wal`);
    expect(files).toContain(`n0-${uuid(2)}.wal`);
    expect(files).toContain(`n9-${uuid(3)}.wal`);
    const own = files.filter((f) => f.startsWith('n0-') && f !== `n0-${uuid(2)}.wal`);
    expect(own).toHaveLength(1);

    // Killed and restarted (the bench's kill nemesis) once it has a stored term: the same file, not a new one.
    await waitFor((l) => l.startsWith('n0: ') && /elected leader for term|recognized \S+ as leader for term/.test(l));
    await new Promise((r) => setTimeout(r, 500)); // the term reaches lin-kv in the background
    await cluster.kill('n0');
    const before = lines.length;
    await cluster.restart('n0');
    await waitFor((l) => lines.indexOf(l) >= before && l.startsWith('n0: ') && l.includes('entries recovered'));
    expect(existsSync(join(dir, own[0] as string))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('n0-'))).toHaveLength(2);
    expect(lines.slice(before).some((l) => l.includes(own[0] as string))).toBe(true);
  }, 40_000);
});
