// The bench extension's partition shapes (--partition-shapes) and the availability split by network state.
import { describe, expect, it } from 'vitest';
import type { HistoryOp } from '../../maelstrom/history.ts';
import { CONSTRAINED_PRELUDE_MS, planExtraShape } from '../../maelstrom/nemesis/extra-shapes.ts';
import { LeaderWatch } from '../../maelstrom/nemesis/leader-watch.ts';
import type { Grudge } from '../../maelstrom/nemesis/partition-shapes.ts';
import { partitionAvailability } from '../../maelstrom/partition-availability.ts';
import { Random } from '../../maelstrom/random.ts';

const nodes = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);
const hears = (g: Grudge, receiver: string, sender: string): boolean => receiver !== sender && !(g.get(receiver)?.has(sender) ?? false);

/** Nodes reachable from `from` along links that deliver, within `among`. */
function reach(g: Grudge, from: string, among: readonly string[]): Set<string> {
  const seen = new Set([from]);
  const todo = [from];
  while (todo.length > 0) {
    const a = todo.pop() as string;
    for (const b of among) if (!seen.has(b) && hears(g, b, a)) seen.add(b) && todo.push(b);
  }
  return seen;
}

describe('extra partition shapes', () => {
  it('quorum-loss: the hub (never the leader) keeps two-way links to all; every other link is cut both ways', () => {
    for (let seed = 0; seed < 30; seed++) {
      const ns = nodes(5);
      const plan = planExtraShape('quorum-loss', ns, new Random(seed), 'n1', 0);
      const hub = plan.roles['hub'] as string;
      expect(hub).not.toBe('n1');
      expect(plan.roles['leader']).toBe('n1');
      for (const a of ns) for (const b of ns) if (a !== b) expect(hears(plan.grudge, a, b)).toBe(a === hub || b === hub);
      expect(plan.prelude).toBeNull();
    }
  });

  it('constrained-election: first the hub alone, cut both ways, then the quorum-loss topology around it', () => {
    const ns = nodes(5);
    const plan = planExtraShape('constrained-election', ns, new Random(3), null, 0);
    const hub = plan.roles['hub'] as string;
    expect(plan.prelude?.ms).toBe(CONSTRAINED_PRELUDE_MS);
    const prelude = plan.prelude?.grudge as Grudge;
    for (const a of ns) for (const b of ns) if (a !== b) expect(hears(prelude, a, b)).toBe(a !== hub && b !== hub);
    for (const a of ns) for (const b of ns) if (a !== b) expect(hears(plan.grudge, a, b)).toBe(a === hub || b === hub);
  });

  it('chained: a line; only neighbours hear each other; the leader alternates between an end and the middle', () => {
    const ns = nodes(3);
    const atEnd = planExtraShape('chained', ns, new Random(1), 'n0', 0).roles['chain']?.split('-') ?? [];
    const inMiddle = planExtraShape('chained', ns, new Random(1), 'n0', 1).roles['chain']?.split('-') ?? [];
    expect(atEnd[0]).toBe('n0');
    expect(inMiddle[1]).toBe('n0');
    const plan = planExtraShape('chained', nodes(5), new Random(2), null, 0);
    const chain = plan.roles['chain']?.split('-') ?? [];
    for (const [i, a] of chain.entries()) for (const [j, b] of chain.entries()) if (i !== j) expect(hears(plan.grudge, a, b)).toBe(Math.abs(i - j) === 1);
  });

  it('random-one-way: a majority stays strongly connected and has a link that delivers one way only', () => {
    for (const n of [3, 5]) {
      for (let seed = 0; seed < 50; seed++) {
        const ns = nodes(n);
        const plan = planExtraShape('random-one-way', ns, new Random(seed), null, 0);
        const majority = (plan.roles['majority'] ?? '').split(' ');
        expect(majority.length).toBeGreaterThan(n / 2);
        for (const a of majority) expect(reach(plan.grudge, a, majority).size).toBe(majority.length);
        const [from, to] = (plan.roles['one-way'] ?? '').split('->') as [string, string];
        expect(hears(plan.grudge, to, from)).toBe(true);
        expect(hears(plan.grudge, from, to)).toBe(false);
      }
    }
  });

  it('the leader watch follows the stable log phrases', () => {
    const w = new LeaderWatch();
    expect(w.current()).toBeNull();
    w.observe('n1', '... n1 [leader t3] elected leader for term 3');
    w.observe('n2', '... n2 [leader t2] elected leader for term 2');
    expect(w.current()).toBe('n1');
    w.observe('n1', '... n1 [follower t4] stepped down to follower, term 4 (saw term 4 from n0)');
    expect(w.current()).toBe('n2');
    w.observe('n2', '... n2 [follower t0] started as follower, term 2, log length 9');
    expect(w.current()).toBeNull();
  });
});

describe('availability by network state', () => {
  const op = (index: number, process: number | 'nemesis', type: HistoryOp['type'], f: string, value: HistoryOp['value'] = null): HistoryOp => ({ index, time: index, process, type, f, value });

  it('counts each operation under the network state at its invocation, per shape, and the ratio to healthy', () => {
    const h = [
      op(0, 0, 'invoke', 'read'),
      op(1, 0, 'ok', 'read'),
      op(2, 1, 'invoke', 'write'),
      op(3, 'nemesis', 'info', 'start-partition', { shape: 'majorities-ring' }),
      op(4, 1, 'fail', 'write'), // started healthy: counts there
      op(5, 0, 'invoke', 'read'),
      op(6, 'nemesis', 'info', 'start-partition', { shape: 'majorities-ring' }),
      op(7, 0, 'ok', 'read'),
      op(8, 1, 'invoke', 'cas'),
      op(9, 1, 'info', 'cas'),
      op(10, 'nemesis', 'info', 'stop-partition'),
      op(11, 0, 'invoke', 'read'),
      op(12, 0, 'ok', 'read'),
    ];
    const a = partitionAvailability(h);
    expect(a.healthy).toEqual({ invoked: 3, ok: 2, 'ok-fraction': 2 / 3 });
    expect(a['during-partitions']).toEqual({ invoked: 2, ok: 1, 'ok-fraction': 0.5 });
    expect(a.ratio).toBeCloseTo(0.75);
    expect(a['by-shape']['majorities-ring']?.ratio).toBeCloseTo(0.75);
  });
});
