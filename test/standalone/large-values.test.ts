// Large values on real processes: a follower that was down while the leader took more than a peer
// line may hold (wire.ts, MAX_LINE_BYTES) in values near the client body limit catches up, because
// each AppendEntries carries at most maxEntryCharsPerMessage of entries (raft-host.ts); one batch
// of all of them would be refused by the follower on every retry.
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../../src/standalone/wire.ts';
import { clusterForThisFile, waitFor } from './support/cluster.ts';

const VALUE_CHARS = 600_000; // under the 1 MiB body limit
const WRITES = Math.ceil((MAX_LINE_BYTES * 1.5) / VALUE_CHARS);

describe('large values', () => {
  const startCluster = clusterForThisFile();

  it('a follower down during more than a peer line of writes catches up once back', async () => {
    const c = await startCluster(3);
    try {
      const leader = await c.agreedLeader(10_000);
      const follower = c.specs.map((s) => s.name).find((n) => n !== leader.id) as string;
      await c.kill(follower);
      const body = JSON.stringify('v'.repeat(VALUE_CHARS));
      for (let i = 0; i < WRITES; i++) expect((await c.kvSettled(leader.id, `big-${i}`, 'PUT', body)).status).toBe(200);
      const target = (await c.status(leader.id))?.commitIndex ?? 0;
      c.start(follower);
      const caughtUp = await waitFor(`node ${follower} to catch up to index ${target}`, 20_000, async () => {
        const s = await c.status(follower);
        return s !== undefined && s.commitIndex >= target && s.lastLogIndex >= target ? s : undefined;
      }, 100);
      expect(caughtUp.commitIndex).toBeGreaterThanOrEqual(target);
      const overlong = c.procs.get(follower)?.tail() ?? '';
      expect(overlong).not.toContain('overlong line');
    } catch (err) {
      process.stderr.write(c.logs());
      throw err;
    }
  }, 60_000);
});
