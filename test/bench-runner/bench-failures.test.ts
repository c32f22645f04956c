// How the bench ends when things go wrong: node crashes, bad stdout, bench exceptions, Ctrl-C.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchCluster } from '../../maelstrom/run-test.ts';
import { DIST_NODE, fixtureNode, latestDir, ownNode, ROOT, removeRunDirs, runBench } from './bench-support.ts';

afterAll(removeRunDirs);

describe('bench failures', () => {
  it('a node that dies before init: exit 255, the node, its status and last words named', async () => {
    const run = await runBench(['test', '--bin', fixtureNode('crash-at-start.mjs'), '--node-count', '3', '--concurrency', '2n', '--time-limit', '5']);
    expect(run.code).toBe(255);
    expect(run.err).toMatch(/The test crashed \(exit 255\): cluster setup failed: node n\d exited \(exit status 3\) before answering init/);
    expect(run.err).toContain('crash-at-start: giving up before init');
  });

  it('our node rejecting its flags: its own error line comes first, before the usage it prints', async () => {
    const run = await runBench(['test', '-w', 'lin-kv', '--bin', DIST_NODE, '--concurrency', '2n', '--node-count', '3', '--time-limit', '5', '--', '--election-timeout', '-5']);
    expect(run.code).toBe(255);
    const reason = 'invalid configuration: --election-timeout must be a positive number of milliseconds, got "-5"';
    expect(run.err).toContain(reason);
    // The reason is named before any line of the usage text that follows it in the node's stderr.
    expect(run.err.indexOf(reason)).toBeLessThan(run.err.indexOf('--no-wal  '));
  });

  it('a node that crashes during the test: exit 255 at teardown, history saved, no analysis', async () => {
    const run = await runBench(['test', '--bin', ownNode('crash-mid-run.mjs'), '--node-count', '3', '--concurrency', '2n', '--rate', '20', '--time-limit', '3']);
    expect(run.code).toBe(255);
    expect(run.err).toMatch(/node n1 crashed: exited with code 7 during the test/);
    expect(run.err).toContain('crash-mid-run: exiting on purpose');
    expect(existsSync(join(latestDir(run), 'history.jsonl'))).toBe(true);
    expect(existsSync(join(latestDir(run), 'results.json'))).toBe(false);
  });

  it('a node that prints a non-JSON line: named in a warning; its replies are lost as in Maelstrom, so the run is invalid', async () => {
    const run = await runBench(['test', '--bin', fixtureNode('garbage-stdout.mjs'), '--node-count', '1', '--concurrency', '2n', '--rate', '20', '--time-limit', '3']);
    expect(run.err + run.out).toMatch(/node n0 wrote a line to stdout that is not a JSON message.*hello from garbage-stdout/);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/no successful read: stats invalid/);
  });

  it('an exception inside the bench stops every node and exits 255', async () => {
    let stopped = 0;
    const cluster: BenchCluster = {
      nodeIds: ['n0'],
      openClient: (node) => ({ id: 'c9', node, close: () => {}, request: async () => ({ kind: 'timeout' }) }),
      partition: () => {},
      heal: () => {},
      kill: async () => {},
      restart: async () => {},
      netStats: () => {
        throw new Error('journal exploded');
      },
      problems: () => [],
      stderrTail: () => [],
      stop: async () => {
        stopped++;
      },
    };
    const run = await runBench(['test', '--bin', fixtureNode('single-kv.mjs'), '--node-count', '1', '--concurrency', '2n', '--rate', '0', '--time-limit', '0.2'], {
      startCluster: async () => cluster,
    });
    expect(run.code).toBe(255);
    expect(run.err).toMatch(/the bench broke \(exit 255\)[\s\S]*journal exploded/);
    expect(stopped).toBeGreaterThan(0);
  });

  it('Ctrl-C stops every node and exits 130', async () => {
    // A private copy of the node, so its processes can be found by path without seeing other tests'.
    const dir = mkdtempSync(join(tmpdir(), 'bench-sigint-'));
    copyFileSync(fixtureNode('_io.mjs'), join(dir, '_io.mjs'));
    copyFileSync(fixtureNode('single-kv.mjs'), join(dir, 'node.mjs'));
    execFileSync('chmod', ['+x', join(dir, 'node.mjs')]);
    const nodeProcesses = (): string[] =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        // The node itself (`node <path>`), not the bench whose --bin names the same path.
        .filter((l) => l.trim().split(/\s+/)[1] === join(dir, 'node.mjs'));
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.mjs'), 'maelstrom/cli.ts', 'test', '--bin', join(dir, 'node.mjs'), '--node-count', '3', '--concurrency', '2n', '--time-limit', '60'], { cwd: dir });
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await new Promise<void>((started, failed) => {
      const timer = setTimeout(() => failed(new Error(`bench did not start: ${stderr}`)), 40_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('launching') && nodeProcesses().length === 3) {
          clearTimeout(timer);
          started();
        }
      });
    });
    // Let init finish and the run begin.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(nodeProcesses()).toEqual([]);
    expect(stderr).toContain('interrupt: stopping nodes');
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
