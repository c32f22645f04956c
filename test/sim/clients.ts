// Simulated lin-kv clients. Each worker runs one operation at a time against a random node, with a
// timeout, and records Jepsen-style history entries. A worker whose operation ended indefinitely
// (timeout, or an error that does not say "this did not happen") takes a new process number, as
// Jepsen does, so the checker never sees one process with two operations open.
// Every write and cas writes a value no other operation writes, which lets the safety monitor name
// the operation behind each committed entry.
import type { ClientReply } from '../../src/host/raft-host.ts';
import type { Json } from '../../src/json.ts';
import type { KvOperation } from '../../src/kv/operations.ts';
import type { HistoryOp } from '../../maelstrom/history.ts';
import type { SafetyMonitor } from './invariants.ts';
import type { Random } from '../../maelstrom/random.ts';

/** Maelstrom's definite error codes: the operation certainly did not take effect. */
const DEFINITE_ERRORS = new Set([1, 10, 11, 12, 14, 20, 21, 22, 30]);

export interface ClientHooks {
  now: () => number;
  /** Schedules fn after delayMs of virtual time. */
  after: (delayMs: number, fn: () => void) => void;
  /** Sends op to node; `reply` is called when (if) the answer reaches the client. */
  request: (node: number, op: KvOperation, reply: (r: ClientReply) => void) => void;
  trace: (text: () => string) => void;
}

interface Worker {
  index: number;
  process: number;
  /** The operation in flight, or null. */
  current: InFlight | null;
}

interface InFlight {
  op: KvOperation;
  node: number;
  invokedAt: number;
  committedAtInvoke: number;
  value: Json;
}

export interface ClientStats {
  invoked: number;
  ok: number;
  fail: number;
  info: number;
}

export class SimClients {
  readonly history: HistoryOp[] = [];
  readonly stats: ClientStats = { invoked: 0, ok: 0, fail: 0, info: 0 };
  private readonly workers: Worker[];
  private running = true;
  private nextValue = 1;
  /** Values recently written per key, so cas has a fair chance of guessing the current one. */
  private readonly recentValues: Json[][];
  /** Per node: when an operation sent to it, invoked at or after `servedSince`, was first answered. */
  private servedSince = Infinity;
  private readonly servedAt: number[];
  private firstOkAt = Infinity;

  constructor(
    private readonly rng: Random,
    private readonly hooks: ClientHooks,
    private readonly monitor: SafetyMonitor,
    private readonly nodeNames: readonly string[],
    private readonly opts: { clients: number; keys: number; thinkTimeMs: number; timeoutMs: number },
  ) {
    this.workers = Array.from({ length: opts.clients }, (_, i) => ({ index: i, process: i, current: null }));
    this.recentValues = Array.from({ length: opts.keys }, () => []);
    this.servedAt = nodeNames.map(() => Infinity);
  }

  start(): void {
    for (const w of this.workers) this.scheduleNext(w);
  }

  /** No new operations from now on; those in flight still finish. */
  stop(): void {
    this.running = false;
  }

  inFlight(): number {
    return this.workers.filter((w) => w.current !== null).length;
  }

  /** From now on, note when each node first answers an operation invoked after this point (directly or by forwarding). */
  watchServiceFrom(time: number): void {
    this.servedSince = time;
    this.servedAt.fill(Infinity);
    this.firstOkAt = Infinity;
  }

  /** When the first operation invoked since watchServiceFrom succeeded, or Infinity. */
  firstOkSince(): number {
    return this.firstOkAt;
  }

  /** When every node had answered an operation since watchServiceFrom, or Infinity. */
  allServedAt(): number {
    return Math.max(...this.servedAt);
  }

  private scheduleNext(w: Worker): void {
    if (!this.running) return;
    this.hooks.after(this.rng.exponential(this.opts.thinkTimeMs), () => this.invoke(w));
  }

  private invoke(w: Worker): void {
    if (!this.running) return;
    const key = this.rng.int(0, this.opts.keys);
    const node = this.rng.int(0, this.nodeNames.length);
    const kind = this.rng.next();
    let op: KvOperation;
    let value: Json;
    if (kind < 0.4) {
      op = { type: 'read', key };
      value = [key, null];
    } else if (kind < 0.7) {
      const v = this.nextValue++;
      op = { type: 'write', key, value: v };
      value = [key, v];
      this.remember(key, v);
    } else {
      const recent = this.recentValues[key] as Json[];
      const from = recent.length > 0 ? this.rng.pick(recent) : 0;
      const to = this.nextValue++;
      op = { type: 'cas', key, from, to };
      value = [key, [from, to]];
      this.remember(key, to);
    }
    const flight: InFlight = { op, node, invokedAt: this.hooks.now(), committedAtInvoke: this.monitor.committedLength(), value };
    w.current = flight;
    this.stats.invoked++;
    this.record(w.process, 'invoke', op.type, value, node);
    this.hooks.request(node, op, (reply) => this.complete(w, flight, reply));
    this.hooks.after(this.opts.timeoutMs, () => {
      if (w.current !== flight) return;
      this.finish(w, 'info', op.type, value, node, 'net-timeout');
    });
  }

  private complete(w: Worker, flight: InFlight, reply: ClientReply): void {
    if (w.current !== flight) return; // a late answer after the client gave up: dropped, as in Maelstrom
    const { op, node } = flight;
    const process = w.process; // before finish(), which may retire it
    const label = () => `${op.type} ${JSON.stringify(flight.value)} by process ${process} via ${this.nodeNames[node]}`;
    switch (reply.type) {
      case 'read_ok':
        if (op.type !== 'read') throw new Error(`read_ok for a ${op.type}`);
        // Recorded first, so the history handed to the checker includes a reply the monitor rejects.
        this.finish(w, 'ok', op.type, [op.key, reply.value], node);
        this.monitor.checkRead(op.key, reply.value, flight.committedAtInvoke, label);
        return;
      case 'write_ok':
      case 'cas_ok':
        if (op.type === 'read') throw new Error(`${reply.type} for a read`);
        this.finish(w, 'ok', op.type, flight.value, node);
        this.monitor.checkAcknowledged(op.type === 'write' ? op.value : op.to, label);
        return;
      case 'error': {
        const definite = DEFINITE_ERRORS.has(reply.code);
        this.finish(w, definite ? 'fail' : 'info', op.type, flight.value, node, [reply.code, reply.text], reply.code === 20 || reply.code === 22);
        if (definite) {
          // A read of a missing key is a 'fail' in the history, invisible to the linearizability
          // checker; only this check can tell a stale "key does not exist".
          if (op.type === 'read' && reply.code === 20) this.monitor.checkRead(op.key, undefined, flight.committedAtInvoke, label);
          if (op.type !== 'read') this.monitor.checkRefused(op.type === 'write' ? op.value : op.to, label);
        }
        return;
      }
      default: {
        const unreachable: never = reply;
        throw new Error(`unknown reply ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private finish(w: Worker, type: 'ok' | 'fail' | 'info', f: string, value: Json, node: number, error?: Json, answered = false): void {
    const flight = w.current;
    w.current = null;
    this.stats[type]++;
    this.record(w.process, type, f, value, node, error);
    if (flight !== null && flight.invokedAt >= this.servedSince && type === 'ok') this.firstOkAt = Math.min(this.firstOkAt, this.hooks.now());
    if (flight !== null && flight.invokedAt >= this.servedSince && (type === 'ok' || answered)) {
      this.servedAt[node] = Math.min(this.servedAt[node] as number, this.hooks.now());
    }
    if (type === 'info') w.process += this.workers.length; // never reuse a process with an open outcome
    this.scheduleNext(w);
  }

  private remember(key: number, value: Json): void {
    const recent = this.recentValues[key] as Json[];
    recent.push(value);
    if (recent.length > 3) recent.shift();
  }

  private record(process: number, type: HistoryOp['type'], f: string, value: Json, node: number, error?: Json): void {
    const entry: HistoryOp = { index: this.history.length, time: Math.round(this.hooks.now() * 1e6), process, type, f, value, node: this.nodeNames[node] as string };
    if (error !== undefined) entry.error = error;
    this.history.push(entry);
    this.hooks.trace(() => `client p${process} ${type} ${f} ${JSON.stringify(value)}${error !== undefined ? ` ${JSON.stringify(error)}` : ''} @${this.nodeNames[node]}`);
  }

  /** Nemesis entries go into the same history, as in Jepsen. */
  recordNemesis(f: string, value: Json): void {
    this.history.push({ index: this.history.length, time: Math.round(this.hooks.now() * 1e6), process: 'nemesis', type: 'info', f, value });
  }
}
