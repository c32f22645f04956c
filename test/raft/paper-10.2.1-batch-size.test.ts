// Dissertation §10.2.1 batches entries into AppendEntries; a batch is bounded in entries
// (maxEntriesPerMessage) and, like etcd's MaxSizePerMsg, in size (maxEntryCharsPerMessage, by
// entry-size.ts's estimate). A follower behind a run of large values then catches up in messages
// of bounded size, and an entry larger than the bound still travels, alone.
import { describe, expect, it } from 'vitest';
import { entrySizeEstimate, jsonSizeEstimate, prefixWithin } from '../../src/raft/entry-size.ts';
import type { LogEntry } from '../../src/raft/types.ts';
import { Cluster, messagesOfType } from './harness.ts';

const LIMIT = 10_000;

/** Lets a lagging n3 catch up: heartbeats and deliveries until its log matches the leader's. */
function catchUp(c: Cluster): void {
  for (let i = 0; i < 200 && c.status('n3').lastLogIndex < c.status('n1').lastLogIndex; i++) {
    c.advance(50);
    c.stabilize();
  }
}

function appendsTo(c: Cluster, peer: string): LogEntry[][] {
  return (c.outputs.get('n1') ?? []).flatMap((out) => messagesOfType(out, 'append_entries').filter((m) => m.to === peer).map((m) => m.body.entries));
}

describe('§10.2.1 batches are bounded in size as well as in entries', () => {
  it('§10.2.1 a follower behind large values catches up in messages within the bound', () => {
    const c = new Cluster(3, { config: { maxEntriesPerMessage: 64, maxEntryCharsPerMessage: LIMIT } });
    c.elect('n1');
    c.stabilize();
    c.isolate('n3');
    for (let i = 0; i < 30; i++) c.node('n1').propose({ key: `k${i}`, value: 'v'.repeat(3000) });
    c.collect('n1');
    c.stabilize();
    c.outputs.get('n1')?.splice(0); // only what is sent once n3 is back
    c.heal();
    catchUp(c);
    expect(c.status('n3').lastLogIndex).toBe(c.status('n1').lastLogIndex);
    const batches = appendsTo(c, 'n3').filter((b) => b.length > 0);
    expect(batches.length).toBeGreaterThanOrEqual(10); // 30 entries of ~3 KB, 3 per 10,000 characters at most
    for (const batch of batches) {
      const size = batch.reduce((n, e) => n + entrySizeEstimate(e), 0);
      expect(batch.length === 1 || size <= LIMIT).toBe(true);
      // The estimate is an upper bound of what the wire carries (no escapes here) and not far above it.
      expect(JSON.stringify(batch).length).toBeLessThanOrEqual(size);
      expect(size).toBeLessThan(JSON.stringify(batch).length * 1.1);
    }
  });

  it('§10.2.1 an entry larger than the bound travels alone', () => {
    const c = new Cluster(3, { config: { maxEntriesPerMessage: 64, maxEntryCharsPerMessage: LIMIT } });
    c.elect('n1');
    c.stabilize();
    c.isolate('n3');
    c.node('n1').propose({ key: 'big', value: 'b'.repeat(LIMIT * 3) });
    c.node('n1').propose({ key: 'small', value: 1 });
    c.collect('n1');
    c.stabilize();
    c.outputs.get('n1')?.splice(0);
    c.heal();
    catchUp(c);
    expect(c.status('n3').lastLogIndex).toBe(c.status('n1').lastLogIndex);
    const big = appendsTo(c, 'n3').filter((b) => b.some((e) => e.data.kind === 'command' && JSON.stringify(e.data.command).includes('big')));
    expect(big.length).toBeGreaterThan(0);
    for (const batch of big) expect(batch).toHaveLength(1);
  });

  it('without the bound, entries alone limit a batch', () => {
    const entries: LogEntry[] = Array.from({ length: 5 }, () => ({ term: 1, data: { kind: 'command', command: 'x'.repeat(1000) } }));
    expect(prefixWithin(entries, Number.POSITIVE_INFINITY)).toHaveLength(5);
    expect(prefixWithin(entries, 2200)).toHaveLength(2);
    expect(prefixWithin(entries, 10)).toHaveLength(1);
  });

  it('the size estimate is the JSON length without escapes, and stops early past its limit', () => {
    const value = { a: [1, 'xyz', null, true, { b: 'c' }], d: 'e' };
    expect(jsonSizeEstimate(value)).toBeGreaterThanOrEqual(JSON.stringify(value).length);
    expect(jsonSizeEstimate(value)).toBeLessThan(JSON.stringify(value).length * 2);
    const huge = Array.from({ length: 100_000 }, (_, i) => `item ${i}`);
    expect(jsonSizeEstimate(huge, 100)).toBeLessThan(200);
  });
});
