// The main job, shortened for CI: dist/node.js under the local bench's lin-kv workload with the
// partition nemesis (and the kill extension), judged by the linearizability checker. A Raft bug
// that loses or invents a write, serves a stale read or answers twice shows up here as an invalid
// history; the longer runs quoted in the README use the same command with the canonical flags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestResults } from '../../maelstrom/results.ts';
import { DIST_NODE, latestDir, readHistory, removeRunDirs, runBench, type BenchRun } from '../bench-runner/bench-support.ts';

afterAll(removeRunDirs);

function expectValid(run: BenchRun): TestResults {
  const results = JSON.parse(readFileSync(join(latestDir(run), 'results.json'), 'utf8')) as TestResults;
  // Print the run's own summary so a CI log shows what was checked, valid or not.
  console.log(run.out.split('\n').filter((l) => /^(ops|availability|net|linearizability)/.test(l.trim())).join('\n'));
  expect(results.workload['valid?'], run.out).toBe(true);
  expect(run.code, run.out + run.err).toBe(0);
  return results;
}

describe('lin-kv on the local bench with dist/node.js', () => {
  it('3 nodes, concurrency 4n, rate 30, partitions every ~3 s: linearizable', { timeout: 120_000 }, async () => {
    const run = await runBench(['test', '-w', 'lin-kv', '--bin', DIST_NODE, '--node-count', '3', '--concurrency', '4n', '--rate', '30', '--time-limit', '20', '--nemesis', 'partition', '--nemesis-interval', '3', '--seed', '2026']);
    expectValid(run);
    const history = readHistory(run);
    expect(history.filter((o) => o.process === 'nemesis' && o.f === 'start-partition').length).toBeGreaterThan(1);
    expect(history.filter((o) => o.type === 'ok').length).toBeGreaterThan(100);
  });

  it('3 nodes with partitions and SIGKILL/restart of nodes: linearizable', { timeout: 120_000 }, async () => {
    const run = await runBench(['test', '-w', 'lin-kv', '--bin', DIST_NODE, '--node-count', '3', '--concurrency', '2n', '--rate', '40', '--time-limit', '15', '--nemesis', 'partition,kill', '--nemesis-interval', '2', '--seed', '7']);
    expectValid(run);
    expect(readHistory(run).some((o) => o.process === 'nemesis' && o.f === 'kill')).toBe(true);
  });

  it('5 nodes, partitions every ~2 s: linearizable', { timeout: 120_000 }, async () => {
    const run = await runBench(['test', '-w', 'lin-kv', '--bin', DIST_NODE, '--node-count', '5', '--concurrency', '2n', '--rate', '40', '--time-limit', '12', '--nemesis', 'partition', '--nemesis-interval', '2', '--seed', '11']);
    expectValid(run);
  });
});
