// Runs the whole bench in-process (cli main) in a fresh directory, capturing what it prints.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../maelstrom/cli.ts';
import type { HistoryOp } from '../../maelstrom/history.ts';
import type { RunDependencies } from '../../maelstrom/run-test.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const fixtureNode = (name: string): string => join(ROOT, 'test', 'fixtures', 'nodes', name);
export const ownNode = (name: string): string => join(ROOT, 'test', 'bench-runner', 'nodes', name);
export const DIST_NODE = join(ROOT, 'dist', 'node.js');

export interface BenchRun {
  code: number;
  out: string;
  err: string;
  /** The directory the bench ran in (store/ is inside). */
  cwd: string;
}

const createdDirs: string[] = [];

/** Removes the directories the runs of this test file created. */
export function removeRunDirs(): void {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function runBench(args: string[], deps: Omit<RunDependencies, 'out'> = {}): Promise<BenchRun> {
  const cwd = mkdtempSync(join(tmpdir(), 'bench-runner-'));
  createdDirs.push(cwd);
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await main(
    args,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    { progressSink: { isTTY: false, write: (t) => progress.push(t) }, ...deps },
    cwd,
  );
  return { code, out: out.join('\n'), err: [...progress, ...err].join('\n'), cwd };
}

export function latestDir(run: BenchRun): string {
  return join(run.cwd, 'store', 'latest');
}

export function readHistory(run: BenchRun): HistoryOp[] {
  return readFileSync(join(latestDir(run), 'history.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as HistoryOp);
}
