// Small hand-written histories whose verdict can be worked out on paper.
import { describe, expect, it } from 'vitest';
import { checkLinKv, checkRegister, HistoryError, type CheckerOp } from '../../maelstrom/checker/index.ts';
import { buildSyntheticHistory, randomPlans } from '../../maelstrom/checker/synthetic-history.ts';
import { history } from './history-builder.ts';

const verdictOf = (ops: ReturnType<typeof history>): boolean | 'unknown' => checkLinKv(ops.ops).valid;

describe('sequential histories', () => {
  it('accepts reads that see the last write and cas that match', () => {
    expect(verdictOf(history().write(1, 1).read(2, 1).cas(1, 1, 2).read(2, 2).write(3, 'z').read(1, 'z'))).toBe(true);
  });

  it('rejects a read of the wrong value and explains it', () => {
    const result = checkLinKv(history().write(1, 1).read(2, 2).ops);
    expect(result.valid).toBe(false);
    expect(result.invalidKeys).toEqual(['x']);
    const explanation = result.keys[0]?.explanation ?? '';
    expect(explanation).toContain('cannot linearize process 2 read -> 2');
    expect(explanation).toMatch(/could only hold: 1\b/);
  });

  it('rejects a stale read after a completed write', () => {
    expect(verdictOf(history().write(1, 1).write(1, 2).read(2, 1))).toBe(false);
  });

  it('rejects a read of a value nobody wrote', () => {
    expect(verdictOf(history().write(1, 1).invokeWrite(2, 2).invokeRead(3).okRead(3, 7).okWrite(2, 2))).toBe(false);
  });

  it('matches a read of null only against an absent register', () => {
    expect(verdictOf(history().read(1, null).write(1, 1))).toBe(true);
    expect(verdictOf(history().write(1, 1).read(2, null))).toBe(false);
  });
});

describe('concurrency', () => {
  const concurrentWrites = () => history().invokeWrite(1, 1).invokeWrite(2, 2).okWrite(1, 1).okWrite(2, 2);

  it('lets concurrent writes take effect in either order', () => {
    expect(verdictOf(concurrentWrites().read(3, 1))).toBe(true);
    expect(verdictOf(concurrentWrites().read(3, 2))).toBe(true);
    expect(verdictOf(concurrentWrites().read(3, 3))).toBe(false);
  });

  it('still forbids both orders at once', () => {
    expect(verdictOf(concurrentWrites().read(3, 1).read(3, 2))).toBe(false);
  });

  it('lets a read concurrent with a write see the old or the new value', () => {
    const overlap = (seen: number) => history().write(1, 1).invokeWrite(1, 2).invokeRead(2).okRead(2, seen).okWrite(1, 2);
    expect(verdictOf(overlap(1))).toBe(true);
    expect(verdictOf(overlap(2))).toBe(true);
    expect(verdictOf(overlap(3))).toBe(false);
  });
});

describe('compare-and-set', () => {
  it('succeeds only from the expected value', () => {
    expect(verdictOf(history().write(1, 1).cas(2, 1, 2).read(3, 2))).toBe(true);
    expect(verdictOf(history().write(1, 1).cas(2, 3, 4))).toBe(false);
  });

  it('never matches an absent register', () => {
    expect(verdictOf(history().cas(1, null, 1))).toBe(false);
  });

  it('drops a failed cas together with its invoke', () => {
    const failedCas = () => history().write(1, 1).invokeCas(2, 1, 2).complete(2, 'fail', 'cas', [1, 2]);
    expect(verdictOf(failedCas().read(3, 1))).toBe(true);
    expect(verdictOf(failedCas().read(3, 2))).toBe(false);
  });
});

describe('failed and indefinite operations', () => {
  it('drops a failed write: its value cannot be read', () => {
    expect(verdictOf(history().invokeRead(1).invokeWrite(2, 3).complete(2, 'fail', 'write', 3).okRead(1, 3))).toBe(false);
  });

  it('lets an info write take effect long after its invoke', () => {
    const late = history().write(1, 1).invokeWrite(2, 5).complete(2, 'info', 'write', 5).read(3, 1).write(3, 1).read(3, 1).read(3, 5);
    expect(verdictOf(late)).toBe(true);
  });

  it('lets an info write never take effect', () => {
    expect(verdictOf(history().write(1, 1).invokeWrite(2, 5).complete(2, 'info', 'write', 5).read(3, 1).read(3, 1))).toBe(true);
  });

  it('lets an info write take effect only once', () => {
    const twice = history().write(1, 1).invokeWrite(2, 5).complete(2, 'info', 'write', 5).read(3, 5).write(3, 1).read(3, 1).read(3, 5);
    expect(verdictOf(twice)).toBe(false);
  });

  it('lets two timed-out writes of the same value each take effect once', () => {
    const twins = () => history().invokeWrite(1, 5).complete(1, 'info', 'write', 5).invokeWrite(2, 5).complete(2, 'info', 'write', 5);
    expect(verdictOf(twins().read(3, 5).write(3, 1).read(3, 1).read(3, 5))).toBe(true);
    expect(verdictOf(twins().read(3, 5).write(3, 1).read(3, 5).write(3, 1).read(3, 5))).toBe(false);
  });

  it('does not let an info op explain anything before its invoke', () => {
    expect(verdictOf(history().write(1, 1).read(3, 5).invokeWrite(2, 5).complete(2, 'info', 'write', 5))).toBe(false);
  });

  it('treats an invoke never completed as info', () => {
    expect(verdictOf(history().write(1, 1).invokeWrite(2, 5).read(3, 5))).toBe(true);
    expect(verdictOf(history().write(1, 1).invokeWrite(2, 5).read(3, 6))).toBe(false);
  });

  it('lets an info cas apply only when its expected value is there', () => {
    const infoCas = (read: number) => history().write(1, 1).invokeCas(2, 1, 7).complete(2, 'info', 'cas', [1, 7]).read(3, read);
    expect(verdictOf(infoCas(7))).toBe(true);
    expect(verdictOf(history().write(1, 2).invokeCas(2, 1, 7).complete(2, 'info', 'cas', [1, 7]).read(3, 7))).toBe(false);
  });

  it('ignores nemesis entries', () => {
    expect(verdictOf(history().write(1, 1).nemesis('start-partition', { n1: ['n2'] }).read(2, 1).nemesis('stop-partition', null))).toBe(true);
  });
});

describe('keys and values', () => {
  it('checks every key on its own', () => {
    const result = checkLinKv(history().write(1, 1, 'a').read(2, 1, 'b').write(1, 2, 'b').read(2, 2, 'b').read(2, 1, 'a').ops);
    expect(result.keyCount).toBe(2);
    expect(result.valid).toBe(false);
    expect(result.invalidKeys).toEqual(['b']);
    expect(result.keys.find((k) => k.key === 'a')?.valid).toBe(true);
  });

  it('compares JSON values and keys by value, whatever the key order', () => {
    const key = { shard: 1, name: 'k' };
    const sameKey = { name: 'k', shard: 1 };
    const ok = checkLinKv(history().write(1, { a: 1, b: [1, 2] }, key).read(2, { b: [1, 2], a: 1 }, sameKey).ops);
    expect(ok).toMatchObject({ valid: true, keyCount: 1 });
    expect(checkLinKv(history().write(1, { a: 1, b: [1, 2] }, key).read(2, { a: 1, b: [2, 1] }, key).ops).valid).toBe(false);
    expect(checkLinKv(history().write(1, 1, key).read(2, '1', key).ops).valid).toBe(false);
  });

  it('answers unknown when the time limit runs out', () => {
    // One key, 30 clients, many timeouts, last read made stale: exhausting it takes far longer.
    const ops = buildSyntheticHistory(randomPlans(7, 2000, { clients: 30, keys: 1, values: 5, infoRate: 0.05 }), 30);
    const lastRead = ops.map((op) => op.type === 'ok' && op.f === 'read').lastIndexOf(true);
    const target = ops[lastRead]!;
    const [key, seen] = target.value as [string, number];
    ops[lastRead] = { ...target, value: [key, (seen + 1) % 5] };
    const result = checkLinKv(ops, { timeLimitMs: 1 });
    expect(result.valid).toBe('unknown');
    expect(result.invalidKeys).toEqual([]);
    expect(result.keys[0]?.explanation).toMatch(/time limit/);
  });

  it('refuses a completion without an invoke', () => {
    expect(() => checkLinKv(history().okWrite(1, 1).ops)).toThrow(HistoryError);
  });
});

describe('checkRegister with the append model', () => {
  const op = (process: number, type: CheckerOp['type'], f: CheckerOp['f'], value: string | null): CheckerOp => ({ process, type, f, value });

  it('concatenates appends and reads "" before any write', () => {
    const ops = [
      op(1, 'invoke', 'read', null), op(1, 'ok', 'read', ''),
      op(1, 'invoke', 'append', 'a'), op(1, 'ok', 'append', 'a'),
      op(2, 'invoke', 'append', 'b'), op(3, 'invoke', 'read', null), op(2, 'ok', 'append', 'b'), op(3, 'ok', 'read', 'ab'),
      op(1, 'invoke', 'write', 'z'), op(1, 'ok', 'write', 'z'), op(1, 'invoke', 'append', 'y'), op(1, 'ok', 'append', 'y'),
      op(2, 'invoke', 'read', null), op(2, 'ok', 'read', 'zy'),
    ];
    expect(checkRegister(ops, { model: 'append' }).valid).toBe(true);
    const wrong = [...ops.slice(0, -1), op(2, 'ok', 'read', 'yz')];
    const verdict = checkRegister(wrong, { model: 'append' });
    expect(verdict.valid).toBe(false);
    expect(verdict.explanation).toContain('"zy"');
  });
});
