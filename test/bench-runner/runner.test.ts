// The client loop on a jumping clock with in-memory clients: rate, cutoff, recording, determinism.
import { describe, expect, it } from 'vitest';
import type { HistoryOp } from '../../maelstrom/history.ts';
import { Random } from '../../maelstrom/random.ts';
import { LinKvGenerator } from '../../maelstrom/workload/generator.ts';
import { HistoryRecorder } from '../../maelstrom/workload/history-recorder.ts';
import type { RequestOutcome } from '../../maelstrom/workload/operation.ts';
import { runClients, type RequestClient } from '../../maelstrom/workload/runner.ts';
import { JumpingClock } from './fake-clock.ts';

/** One shared register map answering instantly; writes and cas time out when `writesTimeOut`. */
function fakeClients(writesTimeOut: boolean): { open: (node: string) => RequestClient; opened: string[] } {
  const map = new Map<unknown, unknown>();
  const opened: string[] = [];
  const open = (node: string): RequestClient => {
    opened.push(node);
    return {
      close: () => {},
      request: async (body): Promise<RequestOutcome> => {
        const reply = (b: Record<string, unknown>): RequestOutcome => ({ kind: 'reply', body: { ...b, in_reply_to: 1 } });
        if (body.type === 'read') return map.has(body['key']) ? reply({ type: 'read_ok', value: map.get(body['key']) }) : reply({ type: 'error', code: 20 });
        if (writesTimeOut) return { kind: 'timeout' };
        if (body.type === 'write') {
          map.set(body['key'], body['value']);
          return reply({ type: 'write_ok' });
        }
        if (!map.has(body['key'])) return reply({ type: 'error', code: 20 });
        if (map.get(body['key']) !== body['from']) return reply({ type: 'error', code: 22 });
        map.set(body['key'], body['to']);
        return reply({ type: 'cas_ok' });
      },
    };
  };
  return { open, opened };
}

async function run(seed: number, opts: { rate?: number; writesTimeOut?: boolean; timeLimitMs?: number } = {}): Promise<{ ops: HistoryOp[]; opened: string[] }> {
  const clock = new JumpingClock();
  const history = new HistoryRecorder(clock);
  const clients = fakeClients(opts.writesTimeOut ?? false);
  const root = new Random(seed);
  await runClients({
    generator: new LinKvGenerator({ nodeIds: ['n0', 'n1', 'n2'], concurrency: 6, random: root.fork('workload') }),
    clock,
    cutoffMs: opts.timeLimitMs ?? 10_000,
    rate: opts.rate ?? 20,
    random: root.fork('stagger'),
    timeoutMs: 1000,
    history,
    openClient: clients.open,
  });
  return { ops: history.ops, opened: clients.opened };
}

describe('runClients', () => {
  it('issues about rate x time ops, each an invoke followed by its completion, none at or after the cutoff', async () => {
    const { ops } = await run(1, { rate: 20, timeLimitMs: 10_000 });
    const invokes = ops.filter((o) => o.type === 'invoke');
    expect(invokes.length).toBeGreaterThan(150);
    expect(invokes.length).toBeLessThan(250);
    expect(invokes.every((o) => o.time < 10_000 * 1e6)).toBe(true);
    expect(ops.filter((o) => o.type !== 'invoke')).toHaveLength(invokes.length);
    ops.forEach((o, i) => expect(o.index).toBe(i));
    const reads = ops.filter((o) => o.f === 'read' && o.type === 'ok');
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads) expect(r.value).toEqual([0, expect.any(Number)]);
  });

  it('opens one client per worker thread on first use, bound to node t mod n', async () => {
    const { ops, opened } = await run(2);
    expect(opened).toHaveLength(6);
    expect([...opened].sort()).toEqual(['n0', 'n0', 'n1', 'n1', 'n2', 'n2']);
    for (const o of ops) if (typeof o.process === 'number') expect(o.node).toBe(['n0', 'n1', 'n2'][o.process % 3]);
  });

  it('records timed-out writes/cas as :info and continues with a fresh process number', async () => {
    const { ops } = await run(3, { writesTimeOut: true });
    const infos = ops.filter((o) => o.type === 'info');
    expect(infos.length).toBeGreaterThan(20);
    expect(infos.every((o) => o.error === 'net-timeout' && o.f !== 'read')).toBe(true);
    const processes = new Set(ops.map((o) => o.process));
    expect([...processes].some((p) => typeof p === 'number' && p >= 6)).toBe(true);
    // After 15 indeterminate results group 0 moves on to key 1.
    expect(new Set(ops.map((o) => (Array.isArray(o.value) ? o.value[0] : null)))).toContain(1);
  });

  it('does nothing with --rate 0', async () => {
    expect((await run(4, { rate: 0 })).ops).toEqual([]);
  });

  it('replays the same history from the same seed', async () => {
    const strip = (ops: HistoryOp[]): unknown[] => ops.map((o) => [o.process, o.type, o.f, o.value]);
    const a = await run(5);
    expect(strip((await run(5)).ops)).toEqual(strip(a.ops));
    expect(strip((await run(6)).ops)).not.toEqual(strip(a.ops));
  });
});
