// Client load for the throughput, memory and availability experiments: lin-kv read/write/cas on a
// few keys through a pool of BenchClients, either open-loop (a fixed offered rate; an op that finds
// every client busy is counted as refused by the pool, not queued, so latency is not hidden in a
// queue of ours) or closed-loop (every client sends its next op as soon as the last one finished).
import type { BenchClient } from '../maelstrom/cluster.ts';
import type { Random } from '../maelstrom/random.ts';
import { delay } from './bench-cluster.ts';

export type OpKind = 'read' | 'write' | 'cas';
export type OpOutcome = 'ok' | 'served-error' | 'unavailable' | 'indefinite' | 'timeout';

export interface LoadResult {
  issued: number;
  /** Open loop only: ops due while all clients were busy. */
  poolBusy: number;
  counts: Record<OpOutcome, number>;
  /** Latencies (ms) of ok ops. */
  okLatencies: number[];
  /** Wall time from the first op to the last completion (ms). */
  elapsedMs: number;
}

export type OpMix = 'mixed' | 'write';

const KEYS = 5;

function nextBody(random: Random, mix: OpMix, counter: number): { type: OpKind; [field: string]: unknown } {
  const key = random.int(0, KEYS);
  const kind: OpKind = mix === 'write' ? 'write' : random.pick(['read', 'write', 'cas'] as const);
  switch (kind) {
    case 'read':
      return { type: 'read', key };
    case 'write':
      return { type: 'write', key, value: counter };
    case 'cas':
      return { type: 'cas', key, from: random.int(0, 5), to: random.int(0, 5) };
  }
}

/** Maelstrom's reading of a reply: 20 (missing key) and 22 (cas mismatch) are served answers; 11 means "not done". */
export function classify(outcome: { kind: 'reply'; body: Record<string, unknown> } | { kind: 'timeout' }): OpOutcome {
  if (outcome.kind === 'timeout') return 'timeout';
  const type = outcome.body['type'];
  if (typeof type === 'string' && type.endsWith('_ok')) return 'ok';
  const code = outcome.body['code'];
  if (code === 20 || code === 22) return 'served-error';
  if (code === 11) return 'unavailable';
  return 'indefinite';
}

function emptyResult(): LoadResult {
  return { issued: 0, poolBusy: 0, counts: { ok: 0, 'served-error': 0, unavailable: 0, indefinite: 0, timeout: 0 }, okLatencies: [], elapsedMs: 0 };
}

export interface LoadOptions {
  random: Random;
  now: () => number;
  timeoutMs: number;
  mix: OpMix;
}

/** Offers `ratePerS` ops per second for durationMs, then waits for the ops still in flight. */
export async function openLoop(clients: readonly BenchClient[], options: LoadOptions & { ratePerS: number; durationMs: number }): Promise<LoadResult> {
  const result = emptyResult();
  const idle = [...clients];
  const inFlight = new Set<Promise<void>>();
  const start = options.now();
  const issue = (client: BenchClient): void => {
    const sentAt = options.now();
    result.issued++;
    const p = client.request(nextBody(options.random, options.mix, result.issued), options.timeoutMs).then(
      (outcome) => {
        const kind = classify(outcome);
        result.counts[kind]++;
        if (kind === 'ok') result.okLatencies.push(options.now() - sentAt);
        idle.push(client);
      },
      () => undefined, // cluster stopped
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  while (options.now() - start < options.durationMs) {
    const due = Math.floor(((options.now() - start) * options.ratePerS) / 1000) - result.issued - result.poolBusy;
    for (let i = 0; i < due; i++) {
      const client = idle.shift();
      if (client === undefined) result.poolBusy++;
      else issue(client);
    }
    await delay(2);
  }
  await Promise.all([...inFlight]);
  result.elapsedMs = options.now() - start;
  return result;
}

/** Keeps every client busy until `ops` ops completed (any outcome) or deadlineMs passed. */
export async function closedLoop(clients: readonly BenchClient[], options: LoadOptions & { ops: number; deadlineMs: number }): Promise<LoadResult> {
  const result = emptyResult();
  const start = options.now();
  const worker = async (client: BenchClient): Promise<void> => {
    while (result.issued < options.ops && options.now() - start < options.deadlineMs) {
      result.issued++;
      const sentAt = options.now();
      let outcome;
      try {
        outcome = await client.request(nextBody(options.random, options.mix, result.issued), options.timeoutMs);
      } catch {
        return; // cluster stopped
      }
      const kind = classify(outcome);
      result.counts[kind]++;
      if (kind === 'ok') result.okLatencies.push(options.now() - sentAt);
    }
  };
  await Promise.all(clients.map(worker));
  result.elapsedMs = options.now() - start;
  return result;
}
