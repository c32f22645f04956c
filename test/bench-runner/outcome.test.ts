// How replies, errors and timeouts become history completions (see maelstrom/README.md).
import { describe, expect, it } from 'vitest';
import { describeErrorCode } from '../../maelstrom/workload/error-codes.ts';
import { classifyOutcome, requestBody, requestTimeoutMs, type LinKvInvocation } from '../../maelstrom/workload/operation.ts';

const read: LinKvInvocation = { f: 'read', key: 3, argument: null };
const write: LinKvInvocation = { f: 'write', key: 3, argument: 4 };
const cas: LinKvInvocation = { f: 'cas', key: 3, argument: [1, 2] };
const error = (code: unknown, text?: string): { kind: 'reply'; body: Record<string, unknown> } => ({
  kind: 'reply',
  body: { type: 'error', in_reply_to: 1, code, ...(text === undefined ? {} : { text }) },
});

describe('request bodies and timeout', () => {
  it('builds Maelstrom lin-kv bodies', () => {
    expect(requestBody(read)).toEqual({ type: 'read', key: 3 });
    expect(requestBody(write)).toEqual({ type: 'write', key: 3, value: 4 });
    expect(requestBody(cas)).toEqual({ type: 'cas', key: 3, from: 1, to: 2 });
  });
  it('times out after max(10 x latency, 1000) ms', () => {
    expect(requestTimeoutMs(0)).toBe(1000);
    expect(requestTimeoutMs(100)).toBe(1000);
    expect(requestTimeoutMs(250)).toBe(2500);
  });
});

describe('classifyOutcome', () => {
  it('records ok reads with the value read, other oks with the invoke value', () => {
    expect(classifyOutcome(read, { kind: 'reply', body: { type: 'read_ok', value: 2, in_reply_to: 1, msg_id: 5 } })).toEqual({ type: 'ok', value: [3, 2] });
    expect(classifyOutcome(write, { kind: 'reply', body: { type: 'write_ok', in_reply_to: 1 } })).toEqual({ type: 'ok', value: [3, 4] });
    expect(classifyOutcome(cas, { kind: 'reply', body: { type: 'cas_ok', in_reply_to: 1 } })).toEqual({ type: 'ok', value: [3, [1, 2]] });
  });

  it('turns a timeout into :fail for reads and :info for writes and cas', () => {
    expect(classifyOutcome(read, { kind: 'timeout' })).toEqual({ type: 'fail', value: [3, null], error: 'net-timeout' });
    expect(classifyOutcome(write, { kind: 'timeout' }).type).toBe('info');
    expect(classifyOutcome(cas, { kind: 'timeout' }).type).toBe('info');
  });

  it('fails on definite codes and leaves indefinite ones (0, 13, unknown, >= 1000, missing) as :info', () => {
    for (const code of [1, 10, 11, 12, 14, 20, 21, 22, 30]) {
      expect(classifyOutcome(cas, error(code, 'why')).type, `code ${code}`).toBe('fail');
      expect(describeErrorCode(code).definite).toBe(true);
    }
    for (const code of [0, 13, 2, 1000, 5000, undefined, 'x', 11.5]) {
      expect(classifyOutcome(write, error(code)).type, `code ${String(code)}`).toBe('info');
      expect(classifyOutcome(read, error(code)).type, `read, code ${String(code)}`).toBe('fail');
    }
  });

  it('names the error and keeps its text', () => {
    expect(classifyOutcome(cas, error(22, 'current value 4 is not 1'))).toEqual({ type: 'fail', value: [3, [1, 2]], error: ['precondition-failed', 'current value 4 is not 1'] });
    expect(classifyOutcome(read, error(20))).toEqual({ type: 'fail', value: [3, null], error: ['key-does-not-exist', null] });
    expect(classifyOutcome(write, error(1234, 'custom')).error).toEqual(['unknown', 'custom']);
  });

  it('treats replies that break the closed schema as :info, reads included', () => {
    const malformed: Record<string, unknown>[] = [
      { type: 'read_ok', in_reply_to: 1 },
      { type: 'read_ok', value: 1, in_reply_to: 1, extra: true },
      { type: 'write_ok', in_reply_to: 1 },
      { type: 'read_ok', value: 1, in_reply_to: 1, msg_id: 'x' },
    ];
    for (const body of malformed) {
      const c = classifyOutcome(read, { kind: 'reply', body });
      expect(c.type, JSON.stringify(body)).toBe('info');
      expect(String(c.error)).toMatch(/^indeterminate: malformed-rpc-response/);
    }
    expect(classifyOutcome(write, { kind: 'reply', body: { type: 'write_ok', in_reply_to: 1, value: 4 } }).type).toBe('info');
  });
});
