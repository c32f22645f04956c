// Builds lin-kv histories that are linearizable by construction, for property tests and the
// stress benchmark: every operation gets a real-time interval and a linearization point inside it
// (for 'info' ops anywhere after the invoke, possibly long after the client gave up, or never);
// the registers are run in the order of those points, and their results are written back into
// the completions. Rewriting one ok read afterwards is how the tests make invalid histories.
import type { HistoryOp, Json } from '../history.ts';

export type PlannedOutcome = 'ok' | 'info-took-effect' | 'info-lost' | 'never-completed';

export interface PlannedOp {
  client: number;
  key: number;
  f: 'read' | 'write' | 'cas';
  /** write: the value; cas: the value to write. */
  value: number;
  /** cas only: the expected value. */
  from: number;
  /** Time the client waits after its previous op before invoking this one. */
  gapBefore: number;
  /** Time until the completion (>= 1). */
  duration: number;
  /** Where in the interval the op takes effect, in thousandths, 1..999 (open interval). */
  pointPermille: number;
  outcome: PlannedOutcome;
}

interface TimedOp {
  plan: PlannedOp;
  process: number;
  invokeAt: number;
  completeAt: number | undefined;
  effectAt: number | undefined;
  /** Filled in by running the register. */
  type: 'ok' | 'fail' | 'info';
  result: Json;
}

/** Clients whose op ended in info/never get a new process id, as Jepsen does. */
export function buildSyntheticHistory(plans: readonly PlannedOp[], clientCount: number): HistoryOp[] {
  const clock = new Array<number>(clientCount).fill(0);
  const generation = new Array<number>(clientCount).fill(0);
  const retired = new Set<number>();
  const timed: TimedOp[] = [];
  for (const plan of plans) {
    const client = plan.client % clientCount;
    if (retired.has(client)) continue; // its last op never completed: it cannot issue more
    const invokeAt = clock[client]! + plan.gapBefore;
    const duration = Math.max(1, plan.duration);
    const fraction = Math.min(999, Math.max(1, plan.pointPermille)) / 1000;
    const completeAt = plan.outcome === 'never-completed' ? undefined : invokeAt + duration;
    // An info op may take effect after its completion was recorded (it was only a timeout).
    const effectAt =
      plan.outcome === 'ok' ? invokeAt + fraction * duration
      : plan.outcome === 'info-lost' ? undefined
      : invokeAt + fraction * duration * 4;
    timed.push({ plan, process: client + clientCount * generation[client]!, invokeAt, completeAt, effectAt, type: 'ok', result: null });
    if (completeAt === undefined) retired.add(client);
    else clock[client] = completeAt;
    if (plan.outcome !== 'ok') generation[client]! += 1;
  }
  runRegisters(timed);
  return emitEntries(timed);
}

function runRegisters(ops: TimedOp[]): void {
  const registers = new Map<number, number>();
  const effective = ops.filter((op) => op.effectAt !== undefined).sort((a, b) => a.effectAt! - b.effectAt!);
  for (const op of effective) {
    const { key, f, value, from } = op.plan;
    const current = registers.get(key);
    if (f === 'read') {
      op.result = current ?? null;
      // Maelstrom answers a read of a missing key with error 20, recorded as a fail.
      if (current === undefined && op.plan.outcome === 'ok') op.type = 'fail';
    } else if (f === 'write') {
      registers.set(key, value);
    } else if (current === from) {
      registers.set(key, value);
    } else if (op.plan.outcome === 'ok') {
      op.type = 'fail';
    }
  }
  for (const op of ops) if (op.plan.outcome !== 'ok') op.type = 'info';
}

function emitEntries(ops: readonly TimedOp[]): HistoryOp[] {
  interface Event { time: number; completion: boolean; order: number; op: TimedOp }
  const events: Event[] = [];
  ops.forEach((op, order) => {
    events.push({ time: op.invokeAt, completion: false, order, op });
    if (op.completeAt !== undefined) events.push({ time: op.completeAt, completion: true, order, op });
  });
  // At equal times completions go first: an op that ended at t precedes one invoked at t.
  events.sort((a, b) => a.time - b.time || Number(b.completion) - Number(a.completion) || a.order - b.order);
  return events.map(({ time, completion, op }, index): HistoryOp => {
    const { key, f, value, from } = op.plan;
    const argument: Json = f === 'read' ? null : f === 'write' ? value : [from, value];
    if (!completion) return { index, time, process: op.process, type: 'invoke', f, value: [key, argument] };
    const shown: Json = f === 'read' ? (op.type === 'ok' ? op.result : null) : argument;
    return { index, time, process: op.process, type: op.type, f, value: [key, shown] };
  });
}

/** A small deterministic generator for plans (the stress benchmark; tests use fast-check). */
export function randomPlans(seed: number, count: number, options: { clients: number; keys: number; values: number; infoRate: number }): PlannedOp[] {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const plans: PlannedOp[] = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    const outcome: PlannedOutcome = roll < options.infoRate / 2 ? 'info-took-effect' : roll < options.infoRate ? 'info-lost' : 'ok';
    plans.push({
      client: int(options.clients),
      key: int(options.keys),
      f: (['read', 'write', 'cas'] as const)[int(3)]!,
      value: int(options.values),
      from: int(options.values),
      gapBefore: int(20),
      duration: 1 + int(outcome === 'ok' ? 40 : 400),
      pointPermille: 1 + int(999),
      outcome,
    });
  }
  return plans;
}
