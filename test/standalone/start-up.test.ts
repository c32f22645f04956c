// What a person sees when a standalone node cannot start, or starts next to another one: a port in
// use and a data directory in use are fatal, named, and leave nothing behind; a stale lock of a
// SIGKILLed node is taken over; log lines name peers by --id, not by address.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir, LOCK_FILE_NAME } from '../../src/standalone/data-dir-lock.ts';
import { NODE_BIN } from '../support/stdio-node.ts';
import { freePort, LoopbackCluster, NodeProcess, waitFor } from './support/cluster.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'raft-start-up-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
function startNode(args: string[]): NodeProcess {
  const p = new NodeProcess(NODE_BIN, args);
  cleanups.push(async () => {
    await p.kill('SIGKILL');
  });
  return p;
}
/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ['-e', '0']);
  return run.pid as number;
}

describe('data directory lock', () => {
  it('refuses a second owner while the first runs, takes over a dead owner\'s lock, releases only its own', () => {
    const dir = tempDir();
    const logs: string[] = [];
    const first = lockDataDir(dir, (t) => logs.push(t), process.pid);
    expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockDataDir(dir, (t) => logs.push(t), process.pid + 1)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir, (t) => logs.push(t), process.pid + 1)).toThrow(`is in use by process ${process.pid}`);
    first.release();
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);

    const gone = deadPid();
    writeFileSync(join(dir, LOCK_FILE_NAME), `${gone}\n`);
    const second = lockDataDir(dir, (t) => logs.push(t), process.pid);
    expect(logs).toEqual([`took over the lock of data directory ${dir}: its owner process ${gone} is no longer running`]);
    // A lock someone else took over meanwhile is not ours to remove.
    writeFileSync(join(dir, LOCK_FILE_NAME), `${process.pid + 1}\n`);
    second.release();
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(true);
  });
});

describe('standalone start-up', () => {
  it('a port in use is FATAL, exits 1 and leaves no data directory behind', async () => {
    const root = tempDir();
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const dataDir = join(root, 'data', '7');
    const p = startNode(['--id', '7', '--port', String(port), '--peers', `${await freePort()},${await freePort()}`, '--data-dir', dataDir]);
    expect(await p.exited).toBe(1);
    expect(p.stderr.some((l) => / FATAL cannot start: address in use .*EADDRINUSE/.test(l)), p.tail()).toBe(true);
    expect(existsSync(join(root, 'data'))).toBe(false);
  });

  it('a second node on the same data directory is refused by name, the first runs on; after a SIGKILL the lock is taken over', async () => {
    const dataDir = join(tempDir(), 'node-1');
    const peers = `${await freePort()},${await freePort()}`;
    const first = startNode(['--id', '1', '--port', String(await freePort()), '--peers', peers, '--data-dir', dataDir]);
    await waitFor('the first node to listen', 10_000, async () => (first.stderr.some((l) => l.includes('listening')) ? true : undefined));
    const pid = first.proc.pid as number;

    const second = startNode(['--id', '1', '--port', String(await freePort()), '--peers', peers, '--data-dir', dataDir]);
    expect(await second.exited).toBe(1);
    expect(second.stderr.some((l) => l.includes(`FATAL cannot start: data directory ${dataDir} is in use by process ${pid}`)), second.tail()).toBe(true);
    expect(first.proc.exitCode).toBeNull();
    expect(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(pid));

    await first.kill('SIGKILL');
    const third = startNode(['--id', '1', '--port', String(await freePort()), '--peers', peers, '--data-dir', dataDir]);
    await waitFor('the restarted node to listen', 10_000, async () => (third.stderr.some((l) => l.includes('listening')) ? true : undefined));
    expect(third.stderr.some((l) => l.includes(`WARN took over the lock of data directory ${dataDir}: its owner process ${pid} is no longer running`)), third.tail()).toBe(true);
    expect(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(third.proc.pid));

    // A clean shutdown removes the lock.
    expect(await third.kill('SIGTERM')).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
  });

  it('log lines name peers by --id even when --peers gives addresses', async () => {
    const cluster = await LoopbackCluster.create(3);
    cleanups.push(() => cluster.destroy());
    cluster.startAll();
    await cluster.agreedLeader(15_000);
    const lines = [...cluster.procs.values()].flatMap((p) => p.stderr);
    expect(lines.some((l) => /received (pre-)?vote from node [123]$/.test(l)), cluster.logs()).toBe(true);
    expect(lines.filter((l) => /(from|to) node 127\.0\.0\.1/.test(l))).toEqual([]);
    expect(lines.filter((l) => /(granted|refused) (pre-)?vote to 127\.0\.0\.1/.test(l))).toEqual([]);
  });
});

