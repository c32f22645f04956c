// Partition shapes (Jepsen's grudges) and the nemesis schedule, both replayable from a seed.
import { describe, expect, it } from 'vitest';
import { NemesisSchedule, type NemesisAction, type NemesisFault } from '../../maelstrom/nemesis/nemesis.ts';
import { describeGrudge, grudgeFor, grudgeToJson, type Grudge } from '../../maelstrom/nemesis/partition-shapes.ts';
import { Random } from '../../maelstrom/random.ts';
import { Stagger, staggerTimes } from '../../maelstrom/workload/stagger.ts';
import { HistoryRecorder } from '../../maelstrom/workload/history-recorder.ts';
import { JumpingClock } from './fake-clock.ts';

const nodes = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);
const hears = (g: Grudge, receiver: string, sender: string): boolean => receiver !== sender && !(g.get(receiver)?.has(sender) ?? false);

describe('partition shapes', () => {
  it('one: a single node cut off from all others, both ways', () => {
    for (let seed = 0; seed < 20; seed++) {
      const ns = nodes(5);
      const g = grudgeFor('one', ns, new Random(seed));
      const loners = ns.filter((n) => ns.every((o) => o === n || (!hears(g, n, o) && !hears(g, o, n))));
      expect(loners).toHaveLength(1);
      const rest = ns.filter((n) => n !== loners[0]);
      for (const a of rest) for (const b of rest) if (a !== b) expect(hears(g, a, b)).toBe(true);
    }
  });

  it('majority: smaller half first, complete symmetric cut (3 -> 1|2, 4 -> 2|2, 5 -> 2|3)', () => {
    for (const [n, sizes] of [[3, '1|2'], [4, '2|2'], [5, '2|3']] as const) {
      const g = grudgeFor('majority', nodes(n), new Random(n));
      const description = describeGrudge(g, nodes(n));
      expect(description.split(' | ').map((c) => c.split(' ').length).sort().join('|')).toBe(sizes);
    }
  });

  it('minority-third: no cut for 3 nodes, one isolated node for 4..6, two for 7', () => {
    expect(grudgeFor('minority-third', nodes(3), new Random(1)).size).toBe(0);
    const sizes = (n: number): number[] =>
      describeGrudge(grudgeFor('minority-third', nodes(n), new Random(n)), nodes(n))
        .split(' | ')
        .map((c) => c.split(' ').length)
        .sort((a, b) => a - b);
    expect(sizes(4)).toEqual([1, 3]);
    expect(sizes(6)).toEqual([1, 5]);
    expect(sizes(7)).toEqual([2, 5]);
  });

  it('majorities-ring on 3 nodes: a one-way cycle, each node hears exactly one peer which cannot hear it', () => {
    for (let seed = 0; seed < 10; seed++) {
      const ns = nodes(3);
      const g = grudgeFor('majorities-ring', ns, new Random(seed));
      for (const r of ns) {
        const heard = ns.filter((s) => hears(g, r, s));
        expect(heard).toHaveLength(1);
        expect(hears(g, heard[0] ?? '', r)).toBe(false);
      }
    }
  });

  it('majorities-ring on 5 nodes: symmetric, each node hears only its two ring neighbours', () => {
    const ns = nodes(5);
    const g = grudgeFor('majorities-ring', ns, new Random(9));
    for (const r of ns) {
      expect(ns.filter((s) => hears(g, r, s))).toHaveLength(2);
      for (const s of ns) expect(hears(g, r, s)).toBe(hears(g, s, r));
    }
  });

  it('majorities-ring on 7 nodes: every node still hears a majority (itself included)', () => {
    const ns = nodes(7);
    const g = grudgeFor('majorities-ring', ns, new Random(3));
    for (const r of ns) expect(ns.filter((s) => hears(g, r, s)).length + 1).toBeGreaterThanOrEqual(4);
  });
});

/** Runs the schedule against a clock that jumps, performing actions instantly. */
async function plan(faults: NemesisFault[], seed: number, intervalS = 10, timeLimitS = 120): Promise<{ atMs: number; action: NemesisAction }[]> {
  const clock = new JumpingClock();
  const done: { atMs: number; action: NemesisAction }[] = [];
  const schedule = new NemesisSchedule({ faults: new Set(faults), nodes: nodes(3), intervalS, random: new Random(seed).fork('nemesis') });
  await schedule.run(clock, timeLimitS * 1000, async (action) => {
    done.push({ atMs: clock.nowMs(), action });
    return null;
  }, new HistoryRecorder(clock));
  return done;
}

describe('nemesis schedule', () => {
  it('flip-flops start/stop partition from t=0 with gaps in [0, 2 x interval), until the cutoff', async () => {
    const ops = await plan(['partition'], 5, 10, 120);
    expect(ops[0]?.atMs).toBe(0);
    ops.forEach((o, i) => expect(o.action.f).toBe(i % 2 === 0 ? 'start-partition' : 'stop-partition'));
    for (let i = 1; i < ops.length; i++) {
      const gap = (ops[i]?.atMs ?? 0) - (ops[i - 1]?.atMs ?? 0);
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThan(20_000);
    }
    expect(ops.every((o) => o.atMs < 120_000)).toBe(true);
    // Mean gap 10 s over 120 s: roughly 12 ops; bounds wide enough never to flake for this fixed seed.
    expect(ops.length).toBeGreaterThan(4);
    expect(ops.length).toBeLessThan(40);
  });

  it('draws all four shapes over many starts', async () => {
    const ops = await plan(['partition'], 8, 1, 400);
    const shapes = new Set(ops.flatMap((o) => (o.action.f === 'start-partition' ? [o.action.shape] : [])));
    expect(shapes).toEqual(new Set(['one', 'minority-third', 'majority', 'majorities-ring']));
  });

  it('kill extension: kills one node, then restarts it, alternating', async () => {
    const ops = await plan(['kill'], 4, 5, 60);
    expect(ops.length).toBeGreaterThan(2);
    ops.forEach((o, i) => {
      if (i % 2 === 0) expect(o.action.f).toBe('kill');
      else expect(o.action).toEqual({ f: 'restart', nodes: [(ops[i - 1]?.action as { node: string }).node] });
    });
  });

  it('is deterministic for a seed, and the partition plan does not change when kill is added', async () => {
    const a = await plan(['partition'], 21);
    expect(await plan(['partition'], 21)).toEqual(a);
    expect(await plan(['partition'], 22)).not.toEqual(a);
    const both = await plan(['partition', 'kill'], 21);
    expect(both.filter((o) => o.action.f.endsWith('partition'))).toEqual(a);
    expect(both.some((o) => o.action.f === 'kill')).toBe(true);
  });

  it('records every action as an :info invocation and an :info completion of process nemesis', async () => {
    const clock = new JumpingClock();
    const history = new HistoryRecorder(clock);
    const schedule = new NemesisSchedule({ faults: new Set(['partition']), nodes: nodes(3), intervalS: 2, random: new Random(1) });
    await schedule.run(clock, 10_000, async (action) => (action.f === 'stop-partition' ? 'network-healed' : null), history);
    expect(history.ops.length % 2).toBe(0);
    expect(history.ops.every((o) => o.process === 'nemesis' && o.type === 'info')).toBe(true);
    const first = history.ops[0];
    expect(first?.f).toBe('start-partition');
    expect(first?.value).toMatchObject({ shape: expect.any(String), grudge: expect.any(Object), description: expect.any(String) });
  });
});

describe('stagger', () => {
  it('spaces ops by uniform gaps in [0, 2 x mean), mean close to the requested one', () => {
    const times = staggerTimes(new Stagger(new Random(1), 100), 100_000);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.max(...gaps)).toBeLessThan(200);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeCloseTo(100, -1);
  });
  it('serializes a grudge as sorted JSON', () => {
    expect(grudgeToJson(new Map([['n2', new Set(['n1', 'n0'])]]))).toEqual({ n2: ['n0', 'n1'] });
  });
});
