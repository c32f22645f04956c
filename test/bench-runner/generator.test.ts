// The lin-kv generator's choices: who reads, who writes, which key, which values, which process.
import { describe, expect, it } from 'vitest';
import { checkConcurrency, ConcurrencyError, LinKvGenerator, type PlannedOp } from '../../maelstrom/workload/generator.ts';
import { Random } from '../../maelstrom/random.ts';

const nodes3 = ['n0', 'n1', 'n2'];

/** Issues `count` ops, completing each at once with the outcome chosen by `outcomeOf`. */
function drive(gen: LinKvGenerator, count: number, outcomeOf: (op: PlannedOp, i: number) => 'ok' | 'fail' | 'info' = () => 'ok'): PlannedOp[] {
  const ops: PlannedOp[] = [];
  for (let i = 0; i < count; i++) {
    const op = gen.next();
    if (op === null) throw new Error('no free thread although every op completed');
    ops.push(op);
    gen.complete(op.thread, outcomeOf(op, i));
  }
  return ops;
}

describe('LinKvGenerator', () => {
  it('group 0: threads 0..n-1 only read, threads n..2n-1 write or cas, each thread on node t mod n', () => {
    const gen = new LinKvGenerator({ nodeIds: nodes3, concurrency: 6, random: new Random(1) });
    for (const op of drive(gen, 3000)) {
      expect(op.f === 'read').toBe(op.thread < 3);
      expect(op.node).toBe(nodes3[op.thread % 3]);
      expect(op.key).toBe(0);
    }
  });

  it('mixes about 1/2 reads, 1/6 writes, 1/3 cas in group 0 and only writes/cas (1/3, 2/3) in other groups', () => {
    const gen = new LinKvGenerator({ nodeIds: nodes3, concurrency: 12, random: new Random(7) });
    const ops = drive(gen, 12000);
    const share = (pred: (o: PlannedOp) => boolean, group: number): number => {
      const inGroup = ops.filter((o) => Math.floor(o.thread / 6) === group);
      return inGroup.filter(pred).length / inGroup.length;
    };
    expect(share((o) => o.f === 'read', 0)).toBeCloseTo(1 / 2, 1);
    expect(share((o) => o.f === 'write', 0)).toBeCloseTo(1 / 6, 1);
    expect(share((o) => o.f === 'cas', 0)).toBeCloseTo(1 / 3, 1);
    expect(share((o) => o.f === 'read', 1)).toBe(0);
    expect(share((o) => o.f === 'write', 1)).toBeCloseTo(1 / 3, 1);
    // Groups are equally likely; group 1 works on key 1.
    expect(ops.filter((o) => o.thread >= 6).length / ops.length).toBeCloseTo(1 / 2, 1);
    expect(new Set(ops.filter((o) => o.thread >= 6).map((o) => o.key))).toEqual(new Set([1]));
  });

  it('draws values 0..4: writes an integer, cas [from, to], reads nothing', () => {
    const gen = new LinKvGenerator({ nodeIds: nodes3, concurrency: 6, random: new Random(3) });
    const seen = new Set<number>();
    for (const op of drive(gen, 2000)) {
      if (op.f === 'read') expect(op.argument).toBeNull();
      else if (op.f === 'write') {
        expect([0, 1, 2, 3, 4]).toContain(op.argument);
        seen.add(op.argument as number);
      } else {
        expect(Array.isArray(op.argument) && op.argument.length === 2).toBe(true);
        for (const v of op.argument as number[]) expect([0, 1, 2, 3, 4]).toContain(v);
      }
    }
    expect(seen).toEqual(new Set([0, 1, 2, 3, 4]));
  });

  it('gives a thread whose op ended :info a new process number (old + concurrency); ok and fail keep it', () => {
    const gen = new LinKvGenerator({ nodeIds: nodes3, concurrency: 6, random: new Random(5) });
    const op = gen.next();
    if (op === null) throw new Error('no op');
    gen.complete(op.thread, 'fail');
    expect(gen.processOf(op.thread)).toBe(op.thread);
    gen.complete(gen.next()?.thread ?? -1, 'ok');
    const seen = new Map<number, number[]>();
    drive(gen, 400, (o) => {
      seen.set(o.thread, [...(seen.get(o.thread) ?? []), o.process]);
      return o.f === 'read' ? 'ok' : 'info';
    });
    for (const [thread, processes] of seen) {
      // Readers always succeeded: same process. Writers went :info every time: k-th op has thread + 6k.
      const expected = processes.map((_, k) => (thread < 3 ? thread : thread + 6 * k));
      expect(processes, `thread ${thread}`).toEqual(expected);
    }
  });

  it('moves a group to the next unused key after 21 - 2n :info results (process limit 20)', () => {
    const gen = new LinKvGenerator({ nodeIds: nodes3, concurrency: 12, random: new Random(11) });
    let infos0 = 0;
    const keysOfGroup0: number[] = [];
    drive(gen, 2000, (o) => {
      if (o.thread >= 6) return 'ok';
      keysOfGroup0.push(o.key);
      // The op issued after the 15th :info is the first on a new key.
      if (infos0 === 15) expect(o.key).toBe(2);
      if (o.f === 'read') return 'ok';
      infos0++;
      return 'info';
    });
    expect(keysOfGroup0.filter((k) => k === 0).length).toBeGreaterThan(15);
    expect(new Set(keysOfGroup0).has(1)).toBe(false); // key 1 belongs to group 1
    expect(keysOfGroup0.slice(0, 20).every((k) => k === 0)).toBe(true);
    expect(Math.max(...keysOfGroup0)).toBeGreaterThan(2);
  });

  it('hands out at most one op per thread and returns null when all threads are busy', () => {
    const gen = new LinKvGenerator({ nodeIds: nodes3, concurrency: 6, random: new Random(2) });
    const threads = Array.from({ length: 6 }, () => gen.next()?.thread);
    expect(new Set(threads)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(gen.next()).toBeNull();
    gen.complete(4, 'ok');
    expect(gen.next()?.thread).toBe(4);
  });

  it('is deterministic for a seed', () => {
    const run = (seed: number): PlannedOp[] => drive(new LinKvGenerator({ nodeIds: nodes3, concurrency: 12, random: new Random(seed) }), 200);
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  it('accepts only multiples of 2n threads, and at most 10 nodes', () => {
    expect(() => checkConcurrency(6, 3)).not.toThrow();
    expect(() => checkConcurrency(12, 3)).not.toThrow();
    expect(() => checkConcurrency(3, 3)).toThrow(ConcurrencyError);
    expect(() => checkConcurrency(9, 3)).toThrow(/multiple of 2 x node count \(6\)/);
    expect(() => checkConcurrency(22, 11)).toThrow(/at most 10 nodes/);
  });
});
