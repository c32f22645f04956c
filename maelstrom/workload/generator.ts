// Which worker thread does what, imitating Jepsen's generator as Maelstrom composes it for lin-kv
// (jepsen.tests.linearizable-register under independent/concurrent-generator):
// - threads form groups of 2n consecutive ids; each group works on one key at a time;
// - in group 0, threads 0..n-1 only read and threads n..2n-1 write or cas (1/3 write, 2/3 cas);
//   in the other groups every thread writes or cases (Jepsen's reserve uses absolute thread ids);
// - thread t always talks to node t mod n;
// - a thread whose op ended :info gets a new process number (old + concurrency), and a group
//   moves on to the next unused key once its key has seen more than 20 distinct processes.
// Time (the stagger) lives in the runner; this class only makes the choices, from its Random.
import type { Random } from '../random.ts';
import type { LinKvFunction, LinKvInvocation } from './operation.ts';

/** Jepsen's linearizable-register test: a key is retired once > 20 processes touched it. */
export const PROCESS_LIMIT = 20;
/** Register values are drawn from 0..4. */
export const VALUE_COUNT = 5;

export class ConcurrencyError extends Error {}

export interface PlannedOp extends LinKvInvocation {
  thread: number;
  process: number;
  node: string;
}

interface ThreadRange {
  threads: number[];
  role: 'reader' | 'writer';
  /** Rotating start point, so free threads take turns as in Jepsen's context. */
  cursor: number;
}

interface Group {
  ranges: ThreadRange[];
  threadCount: number;
  key: number;
  /** :info results seen on this group's threads since it took its current key. */
  infosOnKey: number;
}

export interface GeneratorOptions {
  nodeIds: readonly string[];
  concurrency: number;
  random: Random;
}

export class LinKvGenerator {
  readonly concurrency: number;
  private readonly nodeIds: readonly string[];
  private readonly random: Random;
  private readonly groups: Group[] = [];
  private readonly processes: number[];
  private readonly busy: boolean[];
  private nextUnusedKey: number;

  constructor(options: GeneratorOptions) {
    const n = options.nodeIds.length;
    checkConcurrency(options.concurrency, n);
    this.nodeIds = options.nodeIds;
    this.concurrency = options.concurrency;
    this.random = options.random;
    this.processes = Array.from({ length: options.concurrency }, (_, t) => t);
    this.busy = Array.from({ length: options.concurrency }, () => false);
    const groupSize = 2 * n;
    for (let g = 0; g * groupSize < options.concurrency; g++) {
      const first = g * groupSize;
      const threads = Array.from({ length: groupSize }, (_, i) => first + i);
      const ranges: ThreadRange[] =
        g === 0
          ? [
              { threads: threads.slice(0, n), role: 'reader', cursor: 0 },
              { threads: threads.slice(n), role: 'writer', cursor: 0 },
            ]
          : [{ threads, role: 'writer', cursor: 0 }];
      this.groups.push({ ranges, threadCount: groupSize, key: g, infosOnKey: 0 });
    }
    this.nextUnusedKey = this.groups.length;
  }

  get threadCount(): number {
    return this.concurrency;
  }

  nodeOf(thread: number): string {
    const node = this.nodeIds[thread % this.nodeIds.length];
    if (node === undefined) throw new Error(`no node for thread ${thread}`);
    return node;
  }

  processOf(thread: number): number {
    const p = this.processes[thread];
    if (p === undefined) throw new Error(`no thread ${thread}`);
    return p;
  }

  isBusy(thread: number): boolean {
    return this.busy[thread] === true;
  }

  hasFreeThread(): boolean {
    return this.busy.some((b) => !b);
  }

  /** The key group g currently works on. */
  keyOfGroup(group: number): number {
    const g = this.groups[group];
    if (!g) throw new Error(`no group ${group}`);
    return g.key;
  }

  get groupCount(): number {
    return this.groups.length;
  }

  /**
   * The next operation, on a free thread (then marked busy), or null when every thread is busy.
   * Groups with a free thread are equally likely; inside group 0 readers and writers are weighted
   * by their thread counts, which are equal.
   */
  next(): PlannedOp | null {
    const candidates = this.groups.filter((g) => g.ranges.some((r) => this.freeThreadIn(r) !== null));
    if (candidates.length === 0) return null;
    const group = this.random.pick(candidates);
    this.retireKeyIfExhausted(group);
    const ranges = group.ranges.filter((r) => this.freeThreadIn(r) !== null);
    const range = this.pickWeighted(ranges);
    const thread = this.freeThreadIn(range);
    if (thread === null) throw new Error('free thread vanished');
    range.cursor = (range.threads.indexOf(thread) + 1) % range.threads.length;
    this.busy[thread] = true;
    const f: LinKvFunction = range.role === 'reader' ? 'read' : this.random.pick(['write', 'cas', 'cas'] as const);
    const argument =
      f === 'read' ? null : f === 'write' ? this.random.int(0, VALUE_COUNT) : [this.random.int(0, VALUE_COUNT), this.random.int(0, VALUE_COUNT)];
    return { thread, process: this.processOf(thread), node: this.nodeOf(thread), f, key: group.key, argument };
  }

  /** Frees the thread; an :info outcome means that process may still be acting, so it is never reused. */
  complete(thread: number, type: 'ok' | 'fail' | 'info'): void {
    if (!this.busy[thread]) throw new Error(`thread ${thread} completed an op it did not have`);
    this.busy[thread] = false;
    if (type !== 'info') return;
    this.processes[thread] = this.processOf(thread) + this.concurrency;
    const group = this.groups[Math.floor(thread / (2 * this.nodeIds.length))];
    if (group) group.infosOnKey++;
  }

  /** Jepsen's process-limit: a key's generator ends when its processes would exceed the limit. */
  private retireKeyIfExhausted(group: Group): void {
    if (group.threadCount + group.infosOnKey <= PROCESS_LIMIT) return;
    group.key = this.nextUnusedKey++;
    group.infosOnKey = 0;
  }

  private freeThreadIn(range: ThreadRange): number | null {
    for (let i = 0; i < range.threads.length; i++) {
      const t = range.threads[(range.cursor + i) % range.threads.length];
      if (t !== undefined && !this.busy[t]) return t;
    }
    return null;
  }

  private pickWeighted(ranges: ThreadRange[]): ThreadRange {
    const total = ranges.reduce((sum, r) => sum + r.threads.length, 0);
    let x = this.random.next() * total;
    for (const r of ranges) {
      x -= r.threads.length;
      if (x < 0) return r;
    }
    const last = ranges[ranges.length - 1];
    if (!last) throw new Error('no range to pick from');
    return last;
  }
}

/** lin-kv needs at least 2n threads and a multiple of 2n (Jepsen's independent generator asserts it). */
export function checkConcurrency(concurrency: number, nodeCount: number): void {
  const groupSize = 2 * nodeCount;
  if (nodeCount > PROCESS_LIMIT / 2) {
    throw new ConcurrencyError(
      `lin-kv supports at most ${PROCESS_LIMIT / 2} nodes: with ${nodeCount} nodes a group of ${groupSize} threads exceeds the process limit of ${PROCESS_LIMIT} before its first op (real Maelstrom hangs)`,
    );
  }
  if (concurrency < groupSize || concurrency % groupSize !== 0) {
    throw new ConcurrencyError(
      `lin-kv needs a concurrency that is a multiple of 2 x node count (${groupSize}), got ${concurrency}; try --concurrency 2n or 4n`,
    );
  }
}
