// Proof that the bench tells good nodes from bad ones: whole runs against fixture nodes.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VERDICT_INVALID, VERDICT_VALID, type TestResults } from '../../maelstrom/results.ts';
import { DIST_NODE, fixtureNode, latestDir, readHistory, removeRunDirs, runBench } from './bench-support.ts';

const readResults = (dir: string): TestResults => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as TestResults;

afterAll(removeRunDirs);

describe('bench verdicts', () => {
  it('a correct single node is valid: exit 0, results.json, history, logs, plots and store/latest', async () => {
    const run = await runBench(['test', '-w', 'lin-kv', '--bin', fixtureNode('single-kv.mjs'), '--node-count', '1', '--concurrency', '2n', '--rate', '50', '--time-limit', '4', '--seed', '1']);
    expect(run.err).not.toMatch(/WARN/);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain(VERDICT_VALID);
    const dir = latestDir(run);
    expect(readlinkSync(join(run.cwd, 'store', 'latest'))).toMatch(/^lin-kv\/\d{8}T\d{6}\.\d{3}Z$/);
    const results = readResults(dir);
    expect(results['valid?']).toBe(true);
    expect(results.workload['valid?']).toBe(true);
    expect(Object.keys(results.workload.results)).toEqual(['0']);
    const history = readHistory(run);
    const completions = history.filter((o) => o.type !== 'invoke');
    expect(results.stats.count).toBe(completions.length);
    expect(results.stats['ok-count']).toBe(completions.filter((o) => o.type === 'ok').length);
    expect(Object.keys(results.stats['by-f']).sort()).toEqual(['cas', 'read', 'write']);
    expect(results.stats.count).toBeGreaterThan(40);
    expect(results.net.all['msgs-per-op']).toBeGreaterThan(0);
    expect(results.availability['ok-fraction']).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'history.txt'), 'utf8').split('\n')[0]).toMatch(/^\d+\t:invoke\t:(read|write|cas)\t\[0 /);
    expect(readFileSync(join(dir, 'node-logs', 'n0.log'), 'utf8')).toContain('initialized');
    for (const f of ['latency-raw.svg', 'rate.svg', 'elections.html']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(run.out).toMatch(/results: +store\/lin-kv\/.*\/results.json/);
  });

  it('split-brain nodes (each its own map) on 3 nodes are invalid, with the checker explanation', async () => {
    const run = await runBench(['test', '--bin', fixtureNode('split-brain-kv.mjs'), '--node-count', '3', '--concurrency', '2n', '--rate', '100', '--time-limit', '5', '--seed', '2']);
    expect(run.code, run.out + run.err).toBe(1);
    expect(run.out).toContain(VERDICT_INVALID);
    const results = readResults(latestDir(run));
    expect(results['valid?']).toBe(false);
    expect(results.workload['valid?']).toBe(false);
    expect(results.workload.failures).toEqual([0]);
    const explanation = results.workload.results['0']?.explanation ?? '';
    expect(explanation.length).toBeGreaterThan(20);
    expect(run.out).toContain(explanation.split('\n')[0] ?? '<none>');
  });

  it('a node that acknowledges before applying is invalid even alone', async () => {
    const run = await runBench(['test', '--bin', fixtureNode('early-ack-kv.mjs'), '--node-count', '1', '--concurrency', '2n', '--rate', '100', '--time-limit', '5', '--seed', '3']);
    expect(run.code, run.out + run.err).toBe(1);
    expect(run.out).toContain(VERDICT_INVALID);
    expect(readResults(latestDir(run)).workload['valid?']).toBe(false);
  });

  it('our Raft node survives partition + kill nemesis runs: nemesis ops recorded, killed nodes are no crash', async () => {
    const run = await runBench(['test', '--bin', DIST_NODE, '--node-count', '3', '--concurrency', '2n', '--rate', '30', '--time-limit', '6', '--nemesis', 'partition,kill', '--nemesis-interval', '1', '--seed', '4']);
    expect([0, 1], run.out + run.err).toContain(run.code);
    const nemesis = readHistory(run).filter((o) => o.process === 'nemesis');
    const fs = new Set(nemesis.map((o) => o.f));
    for (const f of ['start-partition', 'kill', 'restart']) expect(fs.has(f), f).toBe(true);
    expect(nemesis.every((o) => o.type === 'info')).toBe(true);
    expect(readResults(latestDir(run)).net.servers['msg-count']).toBeGreaterThan(0);
  });
});
