// `npm run cluster` end to end (what it runs: scripts/run-ts.mjs src/cluster/cli.ts): three real
// nodes in one supervisor; stop, start and kill one by id and read the status table from "another
// terminal"; then `dist/node.js ctl` with the leader down, and its exit statuses; then Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'raft-cluster-test-'));
let basePort = 0;
let supervisor: ChildProcess;
let output = '';

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

/** A base port P with P+1..P+3 and P+1001..P+1003 free (the cluster's layout). */
async function freeBasePort(): Promise<number> {
  for (;;) {
    const p = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = [1, 2, 3, 1001, 1002, 1003].map((d) => p + d);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return p;
  }
}

/**
 * One control command, as `npm run cluster -- ARGS` from another terminal. That runs
 * scripts/run-ts.mjs, which bundles the tool on each call; the test bundles it once (the same way)
 * and runs the bundle, so that its many status calls take milliseconds each, not a second.
 */
const controlBundle = join(dataDir, 'cluster-cli.mjs');
function cluster(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [controlBundle, ...args, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ctl(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['dist/node.js', 'ctl', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const http = (id: number): string => `127.0.0.1:${basePort + 1000 + id}`;
const allEndpoints = (): string => [1, 2, 3].map(http).join(',');

/** The status table's rows by id: columns are separated by two or more spaces. */
function statusRows(): Map<string, string[]> {
  const r = cluster('status');
  expect(r.code, r.err).toBe(0);
  const [header, ...rows] = r.out.trim().split('\n');
  expect(header).toMatch(/^ID\s+PROCESS\s+HTTP\s+STATE\s+TERM\s+LEADER\s+COMMIT/);
  return new Map(rows.map((row) => row.split(/\s{2,}/)).map((cells) => [cells[0] as string, cells]));
}

async function waitFor<T>(what: string, probe: () => T | null | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; supervisor output:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The id every running member names as leader, once they agree. */
function agreedLeader(): string | null {
  const rows = [...statusRows().values()].filter((cells) => cells[1]?.startsWith('running'));
  const leaders = new Set(rows.map((cells) => cells[5]));
  const leader = rows[0]?.[5];
  return leaders.size === 1 && leader !== undefined && leader !== '-' && rows.some((c) => c[3] === 'leader') ? leader : null;
}

beforeAll(async () => {
  await build({ entryPoints: [join(ROOT, 'src/cluster/cli.ts')], outfile: controlBundle, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
  basePort = await freeBasePort();
  supervisor = spawn(process.execPath, ['scripts/run-ts.mjs', 'src/cluster/cli.ts', '--no-build', '--base-port', String(basePort), '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  supervisor.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  supervisor.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  await waitFor('the supervisor to report its nodes serving', () => (output.includes('Ctrl-C stops every node gracefully') ? true : null));
});

afterAll(() => {
  // Only if a test failed before Ctrl-C: no node may outlive the test.
  for (const cells of existsSync(join(dataDir, 'cluster.json')) ? statusRows().values() : []) {
    const pid = /pid (\d+)/.exec(cells[1] ?? '')?.[1];
    if (pid !== undefined) spawnSync('kill', ['-9', pid]);
  }
  supervisor.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run cluster', () => {
  it('prints the live page and the HTTP ports, and every node log line with its id', () => {
    expect(output).toContain(`live page: http://127.0.0.1:${basePort + 1001}/`);
    for (const id of [1, 2, 3]) expect(output).toMatch(new RegExp(`^node ${id}\\s+\\| .* ${id} \\[follower t0\\] started as follower`, 'm'));
    expect(output).toMatch(new RegExp(`^cluster \\| 2\\s+${basePort + 2}\\s+http://127\\.0\\.0\\.1:${basePort + 1002}/\\s+\\S+\\s+serving$`, 'm'));
  });

  it('stops, starts and kills one node by id, and status shows each', async () => {
    await waitFor('a leader', agreedLeader);

    const stop = cluster('stop', '2');
    expect(stop.code, stop.err).toBe(0);
    expect(stop.out).toMatch(/^node 2: exited with status 0 after \d+ ms$/m);
    let rows = statusRows();
    expect(rows.get('2')?.[1]).toBe('stopped (exited with status 0)');
    expect(rows.get('1')?.[1]).toMatch(/^running \(pid \d+\)$/);
    // The reply can overtake the node's last lines on their way through the supervisor's stdout.
    await waitFor('node 2\'s shutdown lines', () => (/^node 2\s+\| .*SIGTERM received: shutting down/m.test(output) ? true : null));

    const again = cluster('stop', '2');
    expect(again.code).toBe(1);
    expect(again.err).toContain('node 2 is not running');

    const start = cluster('start', '2');
    expect(start.code, start.err).toBe(0);
    expect(start.out).toContain(`serving http://127.0.0.1:${basePort + 1002}`);
    rows = statusRows();
    expect(rows.get('2')?.[1]).toMatch(/^running \(pid \d+\)$/);
    expect(cluster('start', '2').err).toContain('already running');

    const kill = cluster('kill', '2');
    expect(kill.code, kill.err).toBe(0);
    expect(kill.out).toMatch(/^node 2: killed by SIGKILL after \d+ ms$/m);
    expect(statusRows().get('2')?.[1]).toBe('stopped (killed by SIGKILL)');
    expect(cluster('start', '2').code).toBe(0);

    expect(cluster('stop', '9').err).toContain('no node 9 in this cluster');
    expect(cluster('frobnicate').code).toBe(2);
    // All three back and agreeing on a leader, with 2's links up again.
    await waitFor('node 2 back in the cluster', () => (statusRows().get('2')?.[9] === '2/2' && agreedLeader() !== null ? true : null));
  }, 60_000); // seconds when the machine is idle; more when other jobs load it
});

describe('ctl against the cluster', () => {
  it('finds the new leader when the leader is down; exit statuses 0, 1, 2 and 3', async () => {
    const put = ctl('--endpoints', allEndpoints(), 'put', 'greeting', 'hello');
    expect(put, put.err).toMatchObject({ code: 0, out: 'OK\n' });

    const leader = await waitFor('a leader', agreedLeader);
    const kill = cluster('kill', leader);
    expect(kill.code, kill.err).toBe(0);
    const others = [1, 2, 3].filter((id) => String(id) !== leader);
    // The dead leader first: ctl must pass over it and over followers still electing (503).
    const endpoints = [http(Number(leader)), ...others.map(http)].join(',');
    const get = ctl('--endpoints', endpoints, 'get', 'greeting');
    expect(get, get.err).toMatchObject({ code: 0, out: '"hello"\n' });
    const write = ctl('--endpoints', endpoints, 'cas', 'greeting', 'hello', '{"n":1}');
    expect(write, write.err).toMatchObject({ code: 0, out: 'OK\n' });
    expect(ctl('--endpoints', endpoints, 'get', 'greeting').out).toBe('{"n":1}\n');
    const status = ctl('--endpoints', endpoints, 'status');
    expect(status.code).toBe(1); // one endpoint down
    expect(status.out).toContain(`${http(Number(leader))}  ?   down (connection refused)`);
    expect(status.out).toMatch(/\sleader\s/);

    const missing = ctl('--endpoints', endpoints, 'get', 'no-such-key');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('key does not exist');
    const mismatch = ctl('--endpoints', endpoints, 'cas', 'greeting', 'hello', 'x');
    expect(mismatch.code).toBe(1);
    expect(ctl('--endpoints', endpoints, 'get').code).toBe(2);

    // A member that takes the request and never answers (stopped mid-way): the write may have
    // happened, so exit 3, and ctl does not try it on the other endpoint.
    const target = String(others[0]);
    const pid = /pid (\d+)/.exec(statusRows().get(target)?.[1] ?? '')?.[1] as string;
    process.kill(Number(pid), 'SIGSTOP');
    try {
      const unknown = ctl('--request-timeout', '300', '--endpoints', `${http(Number(target))},${http(others[1] as number)}`, 'put', 'greeting', '2');
      expect(unknown.code).toBe(3);
      expect(unknown.err).toContain('outcome unknown');
    } finally {
      process.kill(Number(pid), 'SIGCONT');
    }
    expect(cluster('start', leader).code).toBe(0);
  }, 60_000);
});

describe('Ctrl-C', () => {
  it('stops every node gracefully and leaves no process, socket or state file behind', async () => {
    const pids = [...statusRows().values()].map((cells) => Number(/pid (\d+)/.exec(cells[1] ?? '')?.[1]));
    expect(pids.every((p) => p > 0)).toBe(true);
    const exited = new Promise<number | null>((done) => supervisor.on('exit', (code) => done(code)));
    supervisor.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const id of [1, 2, 3]) expect(output).toMatch(new RegExp(`^node ${id}\\s+\\| .*shut down cleanly`, 'm'));
    expect(output).toMatch(/^cluster \| all nodes stopped$/m);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(join(dataDir, 'control.sock'))).toBe(false);
    expect(existsSync(join(dataDir, 'cluster.json'))).toBe(false);
    expect(cluster('status').err).toContain('no cluster is running');
  });
});
