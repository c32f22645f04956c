import { describe, expect, it } from 'vitest';
import { canonicalJson, jsonEquals } from '../../src/kv/canonical.ts';
import { KvStateMachine } from '../../src/kv/state-machine.ts';

describe('KvStateMachine', () => {
  it('serializes its whole state for a snapshot and restores it exactly (§7)', () => {
    const kv = new KvStateMachine();
    kv.apply({ type: 'write', key: 1, value: 7 });
    kv.apply({ type: 'write', key: { a: [1] }, value: { deep: [1, 2] } });
    const restored = new KvStateMachine();
    restored.apply({ type: 'write', key: 'gone', value: 1 });
    restored.restore(kv.serialize());
    expect(restored.size()).toBe(2);
    expect(restored.apply({ type: 'read', key: { a: [1] } })).toEqual({ type: 'read_ok', value: { deep: [1, 2] } });
    expect(restored.apply({ type: 'read', key: 'gone' })).toMatchObject({ type: 'error', code: 20 });
    expect(() => restored.restore('{"not":"pairs"}')).toThrow(/pairs/);
    expect(restored.size()).toBe(2); // a bad snapshot changes nothing
  });

  it('reads a missing key as error 20, then what was written', () => {
    const kv = new KvStateMachine();
    expect(kv.apply({ type: 'read', key: 1 })).toMatchObject({ type: 'error', code: 20 });
    expect(kv.apply({ type: 'write', key: 1, value: 7 })).toEqual({ type: 'write_ok' });
    expect(kv.apply({ type: 'read', key: 1 })).toEqual({ type: 'read_ok', value: 7 });
  });

  it('compare-and-set: 20 on a missing key, 22 on a mismatch, applies on a match', () => {
    const kv = new KvStateMachine();
    expect(kv.apply({ type: 'cas', key: 'k', from: 1, to: 2 })).toMatchObject({ type: 'error', code: 20 });
    kv.apply({ type: 'write', key: 'k', value: 1 });
    expect(kv.apply({ type: 'cas', key: 'k', from: 3, to: 2 })).toMatchObject({ type: 'error', code: 22 });
    expect(kv.apply({ type: 'read', key: 'k' })).toEqual({ type: 'read_ok', value: 1 });
    expect(kv.apply({ type: 'cas', key: 'k', from: 1, to: 2 })).toEqual({ type: 'cas_ok' });
    expect(kv.apply({ type: 'read', key: 'k' })).toEqual({ type: 'read_ok', value: 2 });
  });

  it('compares keys and values by value, whatever their JSON shape or key order', () => {
    const kv = new KvStateMachine();
    kv.apply({ type: 'write', key: { b: 1, a: [1, 2] }, value: { y: null, x: [true] } });
    expect(kv.apply({ type: 'read', key: { a: [1, 2], b: 1 } })).toEqual({ type: 'read_ok', value: { y: null, x: [true] } });
    expect(kv.apply({ type: 'cas', key: { a: [1, 2], b: 1 }, from: { x: [true], y: null }, to: 'done' })).toEqual({ type: 'cas_ok' });
    // 1 and "1" are different keys.
    kv.apply({ type: 'write', key: 1, value: 'number' });
    kv.apply({ type: 'write', key: '1', value: 'string' });
    expect(kv.apply({ type: 'read', key: 1 })).toEqual({ type: 'read_ok', value: 'number' });
    expect(kv.size()).toBe(3);
  });

  it('stores a large value exactly', () => {
    const kv = new KvStateMachine();
    const big = { list: Array.from({ length: 10_000 }, (_, i) => ({ i, s: 'x'.repeat(i % 7) })) };
    kv.apply({ type: 'write', key: 'big', value: big });
    expect(kv.apply({ type: 'read', key: 'big' })).toEqual({ type: 'read_ok', value: big });
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: { d: 1, c: 2 }, a: [{ z: 1, y: 2 }] })).toBe('{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}');
    expect(jsonEquals({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEquals([1, 2], [2, 1])).toBe(false);
    expect(jsonEquals(null, 0)).toBe(false);
  });
});
