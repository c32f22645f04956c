// One lin-kv test on the local bench, run as its own process (`npm run maelstrom`) in a scratch
// directory: the verdict and the ok-fraction, as Maelstrom's checker reports them. The scratch
// directory is removed after.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LatencyDist } from '../maelstrom/cluster.ts';
import type { TestResults } from '../maelstrom/results.ts';
import { nodeBinary, repoRoot } from './bench-cluster.ts';

export interface LinKvRunOptions {
  latencyMs: number;
  dist: LatencyDist;
  partitions: boolean;
  seconds: number;
  seed: number;
}

export interface LinKvRunResult {
  /** The bench's exit code: 0 valid, 1 invalid, 2 unknown, anything else a crash. */
  code: number;
  valid: boolean | 'unknown';
  okFraction: number;
  ops: number;
  command: string;
}

export function linKvArgs(o: LinKvRunOptions): string[] {
  return [
    'test', '-w', 'lin-kv', '--bin', nodeBinary(), '--node-count', '3', '--concurrency', '4n', '--rate', '30',
    '--time-limit', String(o.seconds), '--latency', String(o.latencyMs), '--latency-dist', o.dist,
    ...(o.partitions ? ['--nemesis', 'partition', '--nemesis-interval', '10'] : []),
    '--seed', String(o.seed),
  ];
}

export async function runLinKv(o: LinKvRunOptions): Promise<LinKvRunResult> {
  const cwd = mkdtempSync(join(tmpdir(), 'raft-lin-kv-'));
  const args = linKvArgs(o);
  const command = `npm run maelstrom -- ${args.join(' ').replace(nodeBinary(), 'dist/node.js')}`;
  try {
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [join(repoRoot(), 'scripts', 'run-ts.mjs'), 'maelstrom/cli.ts', ...args], { cwd, stdio: 'ignore' });
      child.on('exit', (c) => resolve(c ?? 255));
      child.on('error', () => resolve(255));
    });
    let results: TestResults | null = null;
    try {
      results = JSON.parse(readFileSync(join(cwd, 'store', 'latest', 'results.json'), 'utf8')) as TestResults;
    } catch {
      results = null; // a crashed run writes no results: reported through the exit code
    }
    return {
      code,
      valid: results === null ? false : results['valid?'],
      okFraction: results?.availability['ok-fraction'] ?? Number.NaN,
      ops: results?.stats.count ?? 0,
      command,
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
