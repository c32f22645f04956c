// The live status: counts and current faults; one rewritten line on a terminal, plain lines otherwise.
import { describe, expect, it } from 'vitest';
import type { HistoryOp } from '../../maelstrom/history.ts';
import { Progress } from '../../maelstrom/progress.ts';

const entry = (process: HistoryOp['process'], type: HistoryOp['type'], f: string, value: HistoryOp['value'] = null): HistoryOp => ({ index: 0, time: 0, process, type, f, value });

describe('Progress', () => {
  it('shows elapsed/total, ok/fail/info counts, the partition in force and nodes down', () => {
    const p = new Progress({ timeLimitS: 60, elapsedMs: () => 12_345, sink: { isTTY: false, write: () => {} } });
    for (const t of ['ok', 'ok', 'fail', 'info'] as const) p.observe(entry(1, t, 'write'));
    p.observe(entry(1, 'invoke', 'write'));
    p.observe(entry('nemesis', 'info', 'start-partition', { description: 'n0 | n1 n2' }));
    p.observe(entry('nemesis', 'info', 'kill', 'n2'));
    expect(p.statusLine()).toBe('[12.3/60 s] ops 2 ok / 1 fail / 1 info | partition: n0 | n1 n2 | down: n2');
    p.observe(entry('nemesis', 'info', 'stop-partition', 'network-healed'));
    p.observe(entry('nemesis', 'info', 'restart', ['n2']));
    expect(p.statusLine()).toBe('[12.3/60 s] ops 2 ok / 1 fail / 1 info | partition: none');
  });

  it('writes plain lines periodically when not a terminal, and a carriage-return line on one', async () => {
    const plain: string[] = [];
    const p = new Progress({ timeLimitS: 5, elapsedMs: () => 1000, sink: { isTTY: false, write: (t) => plain.push(t) }, plainEveryMs: 20 });
    p.start();
    await new Promise((r) => setTimeout(r, 120));
    p.stop();
    expect(plain.length).toBeGreaterThan(1);
    expect(plain.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);

    const tty: string[] = [];
    const t = new Progress({ timeLimitS: 5, elapsedMs: () => 1000, sink: { isTTY: true, write: (x) => tty.push(x) } });
    t.start();
    t.stop();
    expect(tty[0]?.startsWith('\r[1.0/5 s]')).toBe(true);
    expect(tty[tty.length - 1]).toBe('\n');
  });
});
