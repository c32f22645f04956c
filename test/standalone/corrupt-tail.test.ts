// The write-ahead file as the standalone mode uses it (<data-dir>/raft.wal): write through HTTP,
// kill -9 every node, damage the tails (one torn, one with a forged record whose checksum is wrong),
// restart, and see the repair logged and no trace of the damaged bytes in what the nodes serve.
import { readFileSync, statSync, truncateSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walPath } from '../../src/standalone/durable-state.ts';
import { encodeRecord, replay } from '../../src/storage/wal.ts';
import { clusterForThisFile, waitFor } from './support/cluster.ts';

const FORGED_TERM = 999;

describe('standalone write-ahead file with a damaged tail', () => {
  const startCluster = clusterForThisFile();

  it('cuts off a torn or corrupt tail with a log line and serves only committed data', async () => {
    const c = await startCluster(3);
    const all = c.specs.map((s) => s.name);
    const values = new Map<string, number>();
    try {
      await c.agreedLeader(10_000);
      for (let i = 1; i <= 5; i++) {
        expect((await c.kvSettled(String((i % 3) + 1), `key-${i}`, 'PUT', String(i * 10))).status).toBe(200);
        values.set(`key-${i}`, i * 10);
      }
      // Every log complete before the crash, so the damaged nodes' losses are re-replicated, not needed.
      await waitFor('all logs equal', 10_000, async () => {
        const s = await Promise.all(all.map((n) => c.status(n)));
        const ends = s.map((x) => x?.lastLogIndex);
        return ends.every((e) => e !== undefined && e === ends[0] && e >= 6) ? true : undefined;
      });
      await c.killAll('SIGKILL');

      const dataDir = (name: string): string => join(c.dataRoot, name);
      const tornFile = walPath(dataDir('1'));
      const tornSize = statSync(tornFile).size;
      truncateSync(tornFile, tornSize - 5); // the last record loses its last bytes, as in a crash mid-write
      const forgedFile = walPath(dataDir('2'));
      const forgedSize = statSync(forgedFile).size;
      const forged = encodeRecord({ t: 'hard_state', term: FORGED_TERM, voted_for: 'nobody-real' });
      forged.writeUInt32LE((forged.readUInt32LE(4) ^ 0xffff) >>> 0, 4); // wrong checksum
      appendFileSync(forgedFile, forged);

      c.startAll();
      const tornLine = await waitFor('the torn-tail log line', 10_000, async () =>
        c.procs.get('1')?.stderr.find((l) => l.includes('cut off a damaged tail') && l.includes('torn record')),
      );
      const forgedLine = await waitFor('the checksum log line', 10_000, async () =>
        c.procs.get('2')?.stderr.find((l) => l.includes('cut off a damaged tail') && l.includes('checksum mismatch')),
      );
      console.log(`node 1: ${tornLine}\nnode 2: ${forgedLine}`);
      expect(forgedLine).toContain(`at byte ${forgedSize}`);

      const leader = await c.agreedLeader(15_000);
      expect(leader.term).toBeLessThan(FORGED_TERM);
      for (const node of all) {
        for (const [key, value] of values) expect((await c.kvSettled(node, key)).json).toEqual({ key, value });
        expect((await c.status(node))?.term).toBeLessThan(FORGED_TERM);
      }
      await c.killAll('SIGTERM');

      // On disk: the forged record is gone for good, and both files replay cleanly now.
      for (const file of [tornFile, forgedFile]) {
        const state = replay(readFileSync(file));
        expect(state.repaired).toBeNull();
        expect(state.hardState.term).toBeLessThan(FORGED_TERM);
        expect(state.entries.length).toBeGreaterThanOrEqual(6);
      }
    } catch (err) {
      console.log(c.logs());
      throw err;
    }
  }, 60_000);
});
