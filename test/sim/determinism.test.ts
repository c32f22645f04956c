// Same seed, same run: the trace hash covers every executed event (time, node, order) and the
// history every client operation, so any hidden source of nondeterminism changes one of them.
import { describe, expect, it } from 'vitest';
import { runSimulation } from './simulation.ts';

async function fingerprint(seed: number, profile?: 'churn'): Promise<{ hash: string; history: string; steps: number }> {
  const r = await runSimulation({ seed, ...(profile ? { profile } : {}) });
  return { hash: r.traceHash, history: JSON.stringify(r.history), steps: r.steps };
}

describe('determinism', () => {
  it('replays a seed exactly: same trace hash, same history', async () => {
    for (const seed of [3, 11]) {
      const a = await fingerprint(seed);
      const b = await fingerprint(seed);
      expect(b).toEqual(a);
      expect(a.steps).toBeGreaterThan(1000);
    }
    const churnA = await fingerprint(5, 'churn');
    expect(await fingerprint(5, 'churn')).toEqual(churnA);
  }, 60_000);

  it('different seeds give different runs', async () => {
    const a = await fingerprint(3);
    const b = await fingerprint(4);
    expect(b.hash).not.toBe(a.hash);
    expect(b.history).not.toBe(a.history);
  }, 60_000);

  it('the --trace lines are the same on a replay', async () => {
    const run = async () => {
      const lines: string[] = [];
      await runSimulation({ seed: 21, faultPhaseMs: 1500, onTraceLine: (l) => lines.push(l) });
      return lines;
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(500);
    expect(await run()).toEqual(first);
  }, 60_000);
});
