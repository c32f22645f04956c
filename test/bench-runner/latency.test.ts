// The node on a slow network (issue 10): at Maelstrom's --latency 50 with partitions, the run must be
// valid (every operation type succeeded at least once, linearizable) and serve at least 30% of the
// requests. Before timing adapted to the network, elections never finished here: 1 ok op of 780.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VERDICT_VALID, type TestResults } from '../../maelstrom/results.ts';
import { DIST_NODE, latestDir, removeRunDirs, runBench } from './bench-support.ts';

afterAll(removeRunDirs);

describe('slow network', () => {
  // Seed 2's schedule cuts the cluster into a majority and a minority. (Seed 50 draws Maelstrom's
  // majorities-ring on 3 nodes for most of the run: every pair is cut one way, so no node can be
  // elected by anybody's rules, and about 8% of requests succeed.)
  it('lin-kv at --latency 50 with partitions: valid, ok-fraction >= 0.3', async () => {
    const run = await runBench(['test', '-w', 'lin-kv', '--bin', DIST_NODE, '--node-count', '3', '--concurrency', '4n', '--rate', '30', '--time-limit', '20',
      '--latency', '50', '--nemesis', 'partition', '--nemesis-interval', '10', '--seed', '2']);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain(VERDICT_VALID);
    const results = JSON.parse(readFileSync(join(latestDir(run), 'results.json'), 'utf8')) as TestResults;
    expect(results['valid?']).toBe(true);
    expect(results.availability['ok-fraction']).toBeGreaterThanOrEqual(0.3);
  }, 60_000);
});
