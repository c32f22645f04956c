// The client side of a run: worker threads issue the generator's ops through their clients at the
// staggered global rate until the cutoff, then every op still in flight is awaited (each bounded by
// its request timeout). Ops are recorded as invoke + completion.
import type { Random } from '../random.ts';
import type { LinKvGenerator, PlannedOp } from './generator.ts';
import type { HistoryRecorder } from './history-recorder.ts';
import { classifyOutcome, invokeValue, requestBody, type Completion, type RequestOutcome } from './operation.ts';
import { Stagger } from './stagger.ts';
import type { TestClock } from './test-clock.ts';

/** The part of the cluster's BenchClient the workload uses. */
export interface RequestClient {
  request(body: { type: string; [field: string]: unknown }, timeoutMs: number): Promise<RequestOutcome>;
  close(): void;
}

export interface ClientRunOptions {
  generator: LinKvGenerator;
  clock: TestClock;
  /** No op is invoked at or after this time (ms on the test clock). */
  cutoffMs: number;
  /** Client ops per second for all threads together; 0 = none. */
  rate: number;
  /** Draws the stagger gaps (a fork separate from the generator's choices). */
  random: Random;
  timeoutMs: number;
  history: HistoryRecorder;
  /** Opens the client of a worker thread, on its first op (so ids follow first use, as in Jepsen). */
  openClient(node: string): RequestClient;
  signal?: AbortSignal;
}

export async function runClients(options: ClientRunOptions): Promise<void> {
  const { generator, clock, cutoffMs, signal } = options;
  if (options.rate <= 0) {
    await clock.sleepUntil(cutoffMs, signal);
    return;
  }
  const clients = new Map<number, RequestClient>();
  const clientFor = (op: PlannedOp): RequestClient => {
    let client = clients.get(op.thread);
    if (!client) clients.set(op.thread, (client = options.openClient(op.node)));
    return client;
  };
  const stagger = new Stagger(options.random, 1000 / options.rate);
  const inFlight = new Set<Promise<void>>();
  let threadFreed: () => void = () => {};
  let freed = new Promise<void>((resolve) => (threadFreed = resolve));

  // One shared wait for the cutoff (not one per loop turn, which would pile up abort listeners).
  const cutoffReached = clock.sleepUntil(cutoffMs, signal);
  let nextAtMs = 0;
  for (;;) {
    await clock.sleepUntil(nextAtMs, signal);
    if (signal?.aborted || clock.nowMs() >= cutoffMs) break;
    let op = generator.next();
    while (op === null) {
      await Promise.race([freed, cutoffReached]);
      if (signal?.aborted || clock.nowMs() >= cutoffMs) break;
      op = generator.next();
    }
    if (op === null) break;
    const emittedAtMs = clock.nowMs();
    const planned = op;
    const running = perform(planned, clientFor(planned), options).then((completion) => {
      generator.complete(planned.thread, completion.type);
      inFlight.delete(running);
      threadFreed();
      freed = new Promise<void>((resolve) => (threadFreed = resolve));
    });
    inFlight.add(running);
    nextAtMs = stagger.following(emittedAtMs);
  }
  await Promise.all(inFlight);
  for (const client of clients.values()) client.close();
}

async function perform(op: PlannedOp, client: RequestClient, options: ClientRunOptions): Promise<Completion> {
  const { history } = options;
  history.record({ process: op.process, type: 'invoke', f: op.f, value: invokeValue(op), node: op.node });
  let completion: Completion;
  try {
    const outcome = await client.request({ ...requestBody(op) }, options.timeoutMs);
    completion = classifyOutcome(op, outcome);
  } catch (err) {
    // Anything the client throws is an exception in Jepsen's worker: outcome unknown.
    completion = { type: 'info', value: invokeValue(op), error: `indeterminate: ${err instanceof Error ? err.message : String(err)}` };
  }
  history.record({ process: op.process, type: completion.type, f: op.f, value: completion.value, ...(completion.error === undefined ? {} : { error: completion.error }), node: op.node });
  return completion;
}
