// The Wing–Gong search with Lowe's memo (WGL), as in knossos and porcupine, adapted to the many
// indefinite ('info') operations that partitions produce.
//
// Definite operations (ok) keep their calls and returns in one doubly linked list in real-time
// order. The search walks it from the front: at a call it tries to linearize that operation now
// (apply it to the model, "lift" its call and return out of the list, start again from the
// front); reaching a return means that operation's window is closing, so after trying the
// indefinite ops too it backtracks. Success: the definite list is empty.
//
// Indefinite operations (info, or never completed) may take effect at any time after their invoke,
// or never, so they have no return: they sit in a second list of calls, and one can be placed
// whenever its invoke precedes the first remaining definite return. The search tries them only
// after every definite candidate (lazily), since most are not needed to explain anything.
//
// The memo: the future of the search depends only on (definite ops placed, indefinite ops placed,
// register state). Beyond Lowe's "seen exactly this before", a configuration is also skipped when
// one with the same definite ops and state but a SUBSET of the indefinite ops placed was seen:
// every continuation of the bigger one is open to the smaller one (unused indefinite ops never
// block anything and can only add options). That dominance is what keeps k pending timeouts from
// costing 2^k.
//
// Indefinite ops with the same effect (same function and argument, e.g. several timed-out
// `write 3`) are interchangeable once invoked, since none of them ever has to end: a linearization
// that uses a later one while an earlier one is unused can swap them. So they are placed only in
// invoke order, which turns 2^k subsets into k+1 counts per kind.
//
// `reuseIndefinite` is a relaxation used as a fast first pass: indefinite ops may be applied any
// number of times. That allows every behaviour the exact search allows (and more), so if even the
// relaxation finds no linearization, none exists; its state space is just (definite ops placed,
// state), small enough to exhaust quickly on an invalid history.
import type { Operation } from './operations.ts';

export interface SearchFailure {
  /** The definite operation whose window closed in the deepest dead end. */
  operation: number;
  /** Register states in which the search was stuck there (capped). */
  states: string[];
  /** The operations linearized last on one path that reached that dead end, oldest first. */
  pathTail: number[];
}

export type SearchOutcome =
  /** `exact`: the linearization found also holds without the relaxation (always true unrelaxed). */
  | { kind: 'valid'; explored: number; exact: boolean }
  | { kind: 'invalid'; explored: number; failure: SearchFailure }
  | { kind: 'unknown'; explored: number; reason: string };

export interface SearchOptions {
  /** Absolute deadline (performance.now() milliseconds); past it the search gives up. */
  deadline?: number;
  /** The relaxation described above (a sound test for invalidity only). */
  reuseIndefinite?: boolean;
  /** Give up ('unknown') rather than let the memo grow past about this many bytes. Default 1 GB. */
  memoBudgetBytes?: number;
}

const NONE = -1;
const MAX_REPORTED_STATES = 8;
const PATH_TAIL = 6;
const DEADLINE_CHECK_EVERY = 4096;
const DEFAULT_MEMO_BUDGET_BYTES = 1e9;
/** Rough heap cost of a memo entry besides its two bit sets (object, array slot, typed array headers). */
const MEMO_ENTRY_OVERHEAD_BYTES = 200;

interface MemoEntry {
  state: number;
  definite: Uint32Array;
  indefinite: Uint32Array;
}

export function searchLinearization(operations: readonly Operation[], initialState: string, options: SearchOptions = {}): SearchOutcome {
  const reuse = options.reuseIndefinite === true;
  const definiteOps: number[] = [];
  const indefiniteOps: number[] = [];
  operations.forEach((op, i) => (op.indefinite ? indefiniteOps : definiteOps).push(i));
  const definiteCount = definiteOps.length;
  const indefiniteCount = indefiniteOps.length;
  if (definiteCount === 0) return { kind: 'valid', explored: 0, exact: true };

  // --- definite list: node 2d is the call of definite op d, 2d+1 its return; head is a sentinel.
  const head = 2 * definiteCount;
  const next = new Int32Array(head + 1).fill(NONE);
  const prev = new Int32Array(head + 1).fill(NONE);
  const events: { node: number; position: number }[] = [];
  definiteOps.forEach((opIndex, d) => {
    const op = operations[opIndex]!;
    events.push({ node: 2 * d, position: op.callPos }, { node: 2 * d + 1, position: op.returnPos });
  });
  events.sort((a, b) => a.position - b.position || a.node - b.node);
  const ordinal = new Int32Array(head);
  const returnPos = Float64Array.from(definiteOps, (i) => operations[i]!.returnPos);
  let tail = head;
  events.forEach(({ node }, k) => {
    ordinal[node] = k;
    next[tail] = node;
    prev[node] = tail;
    tail = node;
  });
  const unlink = (node: number): void => {
    next[prev[node]!] = next[node]!;
    if (next[node] !== NONE) prev[next[node]!] = prev[node]!;
  };
  const relink = (node: number): void => {
    next[prev[node]!] = node;
    if (next[node] !== NONE) prev[next[node]!] = node;
  };
  // Lift removes the call then the return; unlift restores them in reverse order.
  const lift = (call: number): void => { unlink(call); unlink(call + 1); };
  const unlift = (call: number): void => { relink(call + 1); relink(call); };

  // --- indefinite list: node j is indefinite op j (calls only, in invoke order).
  const infoHead = indefiniteCount;
  const infoNext = new Int32Array(indefiniteCount + 1).fill(NONE);
  const infoPrev = new Int32Array(indefiniteCount + 1).fill(NONE);
  const infoCallPos = Float64Array.from(indefiniteOps, (i) => operations[i]!.callPos);
  for (let j = 0; j < indefiniteCount; j++) {
    const before = j === 0 ? infoHead : j - 1;
    infoNext[before] = j;
    infoPrev[j] = before;
  }
  const infoUnlink = (j: number): void => {
    infoNext[infoPrev[j]!] = infoNext[j]!;
    if (infoNext[j] !== NONE) infoPrev[infoNext[j]!] = infoPrev[j]!;
  };
  const infoRelink = (j: number): void => {
    infoNext[infoPrev[j]!] = j;
    if (infoNext[j] !== NONE) infoPrev[infoNext[j]!] = j;
  };
  // Interchangeable indefinite ops: each waits for its previous twin. When reused, only the
  // first of each kind is ever needed (it is available whenever a later twin is).
  const previousTwin = new Int32Array(indefiniteCount).fill(NONE);
  const lastOfKind = new Map<string, number>();
  /** For the first op of each kind: all its twins in invoke order (itself first). */
  const twinsOf = new Map<number, number[]>();
  const firstOfKind = new Map<string, number>();
  indefiniteOps.forEach((opIndex, j) => {
    const op = operations[opIndex]!;
    const kind = op.f + '\u0000' + op.compiled.label;
    previousTwin[j] = lastOfKind.get(kind) ?? NONE;
    lastOfKind.set(kind, j);
    const first = firstOfKind.get(kind);
    if (first === undefined) {
      firstOfKind.set(kind, j);
      twinsOf.set(j, [j]);
    } else {
      twinsOf.get(first)!.push(j);
    }
  });
  const indefinitePlaced = new Uint8Array(indefiniteCount);
  const mayPlaceIndefinite = (j: number): boolean => {
    const twin = previousTwin[j]!;
    return reuse ? twin === NONE : twin === NONE || indefinitePlaced[twin] === 1;
  };

  // --- states interned as small integers.
  const stateIds = new Map<string, number>();
  const states: string[] = [];
  const intern = (state: string): number => {
    let id = stateIds.get(state);
    if (id === undefined) {
      id = states.length;
      states.push(state);
      stateIds.set(state, id);
    }
    return id;
  };
  const definiteSteps = definiteOps.map((i) => operations[i]!.compiled.step);
  const indefiniteSteps = indefiniteOps.map((i) => operations[i]!.compiled.step);
  const apply = (after: string | undefined): number => (after === undefined ? NONE : intern(after));

  // --- the memo, keyed by a Zobrist hash of the definite set mixed with the state, and confirmed
  // against copies of the sets, so a hash collision can never prune wrongly.
  const random = xorshift(0x9e3779b9);
  const zobristLow = Uint32Array.from({ length: definiteCount }, random);
  const zobristHigh = Uint32Array.from({ length: definiteCount }, random);
  const definiteBits = new Uint32Array((definiteCount + 31) >>> 5);
  const indefiniteBits = new Uint32Array((indefiniteCount + 31) >>> 5);
  let hashLow = 0;
  let hashHigh = 0;
  const toggleDefinite = (d: number): void => {
    definiteBits[d >>> 5] = definiteBits[d >>> 5]! ^ (1 << (d & 31));
    hashLow ^= zobristLow[d]!;
    hashHigh ^= zobristHigh[d]!;
  };
  const toggleIndefinite = (j: number): void => {
    indefiniteBits[j >>> 5] = indefiniteBits[j >>> 5]! ^ (1 << (j & 31));
    indefinitePlaced[j] = indefinitePlaced[j]! ^ 1;
  };
  const memo = new Map<number, MemoEntry[]>();
  let memoEntries = 0;
  const memoEntryBytes = MEMO_ENTRY_OVERHEAD_BYTES + definiteBits.byteLength + indefiniteBits.byteLength;
  const memoBudget = options.memoBudgetBytes ?? DEFAULT_MEMO_BUDGET_BYTES;
  /** Records the current configuration with `state`; false if it (or one dominating it) was seen. */
  const remember = (state: number): boolean => {
    const low = (hashLow ^ Math.imul(state + 1, 0x9e3779b1)) >>> 0;
    const high = (hashHigh ^ Math.imul(state + 1, 0x85ebca77)) & 0x1fffff;
    const key = high * 4294967296 + low;
    const list = memo.get(key);
    const entry: MemoEntry = { state, definite: definiteBits.slice(), indefinite: indefiniteBits.slice() };
    memoEntries++;
    if (list === undefined) {
      memo.set(key, [entry]);
      return true;
    }
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const seen = list[i]!;
      const comparable = seen.state === state && sameBits(seen.definite, definiteBits);
      if (comparable && isSubset(seen.indefinite, indefiniteBits)) return false;
      // Entries the new one dominates are dropped: it prunes everything they would.
      if (!(comparable && isSubset(indefiniteBits, seen.indefinite))) list[kept++] = seen;
    }
    memoEntries -= list.length - kept;
    list.length = kept;
    list.push(entry);
    return true;
  };

  // --- the search proper. While `inIndefinitePhase` is false it walks the definite list; at the
  // first remaining return (`limitNode`) it turns to the indefinite ops invoked before it.
  //
  // Reads go first, without branching: a definite read that is enabled (invoked before the first
  // remaining return) and matches the current state can be placed right now in SOME completion if
  // any completion exists: it changes nothing, so moving it to the front keeps every later op's
  // state, and nothing remaining had to precede it. Such a "forced" placement is therefore the
  // only move tried from its configuration, which removes the 2^k orders of k concurrent reads.
  const isRead = Uint8Array.from(definiteOps, (i) => (operations[i]!.f === 'read' ? 1 : 0));
  const stackNode: number[] = [];
  const stackIndefinite: boolean[] = [];
  const stackForced: boolean[] = [];
  const stackState: number[] = [];
  /** For indefinite placements: the first remaining definite return when it was placed. */
  const stackLimit: number[] = [];
  let state = intern(initialState);
  let entry = next[head]!;
  let fresh = true;
  let inIndefinitePhase = false;
  let limitNode = NONE;
  let explored = 0;
  let deepest = -1;
  let deepestStates = new Set<number>();
  let deepestPath: number[] = [];
  const pathOp = (k: number): number => (stackIndefinite[k] ? indefiniteOps[stackNode[k]!]! : definiteOps[stackNode[k]! >>> 1]!);

  const push = (node: number, indefinite: boolean, forced: boolean, after: number): void => {
    stackNode.push(node);
    stackIndefinite.push(indefinite);
    stackForced.push(forced);
    stackLimit.push(indefinite ? limitNode : NONE);
    stackState.push(state);
    state = after;
    inIndefinitePhase = false;
    entry = next[head]!;
    fresh = true;
  };
  /** Undoes placements until one leaves alternatives to try; false when nothing is left. */
  const backtrack = (): boolean => {
    for (;;) {
      const node = stackNode.pop();
      const wasIndefinite = stackIndefinite.pop();
      const wasForced = stackForced.pop();
      stackLimit.pop();
      const before = stackState.pop();
      if (node === undefined || before === undefined) return false;
      state = before;
      if (wasIndefinite) {
        if (!reuse) {
          toggleIndefinite(node);
          infoRelink(node);
        }
      } else {
        toggleDefinite(node >>> 1);
        unlift(node);
      }
      if (wasForced) continue; // its configuration had no other move worth trying
      fresh = false;
      if (wasIndefinite) {
        // Resume among the indefinite ops, before the same first return as when it was placed.
        inIndefinitePhase = true;
        limitNode = next[head]!;
        while ((limitNode & 1) === 0) limitNode = next[limitNode]!;
        entry = infoNext[node]!;
      } else {
        inIndefinitePhase = false;
        entry = next[node]!;
      }
      return true;
    }
  };
  const recordDeadEnd = (): void => {
    const depth = ordinal[limitNode]!;
    if (depth > deepest) {
      deepest = depth;
      deepestStates = new Set([state]);
      deepestPath = [];
      for (let k = Math.max(0, stackNode.length - PATH_TAIL); k < stackNode.length; k++) deepestPath.push(pathOp(k));
    } else if (depth === deepest && deepestStates.size < MAX_REPORTED_STATES) {
      deepestStates.add(state);
    }
  };
  const invalid = (): SearchOutcome => {
    const failedNode = ordinal.indexOf(deepest);
    return {
      kind: 'invalid',
      explored,
      failure: { operation: definiteOps[Math.max(0, failedNode) >>> 1]!, states: [...deepestStates].map((id) => states[id]!), pathTail: deepestPath },
    };
  };

  /**
   * Whether the relaxed linearization on the stack is also an exact one: the k-th use of a kind
   * must be able to take the k-th twin of that kind, invoked before the point where it was used.
   * (Those points only move forward along the path and twins are in invoke order, so giving each
   * use the earliest unused twin is the best assignment there is.)
   */
  const relaxedPathIsExact = (): boolean => {
    const usedOfKind = new Map<number, number>();
    for (let k = 0; k < stackNode.length; k++) {
      if (!stackIndefinite[k]) continue;
      const first = stackNode[k]!;
      const uses = usedOfKind.get(first) ?? 0;
      usedOfKind.set(first, uses + 1);
      const twin = twinsOf.get(first)?.[uses];
      if (twin === undefined || infoCallPos[twin]! >= returnPos[stackLimit[k]! >>> 1]!) return false;
    }
    return true;
  };

  for (;;) {
    if ((++explored & (DEADLINE_CHECK_EVERY - 1)) === 0) {
      if (options.deadline !== undefined && performance.now() > options.deadline) return { kind: 'unknown', explored, reason: 'time limit reached' };
      if (memoEntries * memoEntryBytes > memoBudget) return { kind: 'unknown', explored, reason: `memo outgrew ${Math.round(memoBudget / 1e6)} MB` };
    }
    if (fresh) {
      fresh = false;
      let read = next[head]!;
      let after = NONE;
      for (; read !== NONE && (read & 1) === 0; read = next[read]!) {
        if (isRead[read >>> 1] === 1 && (after = apply(definiteSteps[read >>> 1]!(states[state]!))) !== NONE) break;
      }
      if (read !== NONE && (read & 1) === 0) {
        toggleDefinite(read >>> 1);
        if (remember(after)) {
          lift(read);
          push(read, false, true, after);
          continue;
        }
        // Seen (or dominated) with this read placed, and it was the only move worth trying.
        toggleDefinite(read >>> 1);
        if (!backtrack()) return invalid();
        continue;
      }
    }
    if (!inIndefinitePhase) {
      if (entry === NONE) return { kind: 'valid', explored, exact: !reuse || relaxedPathIsExact() };
      if ((entry & 1) === 0) {
        const after = apply(definiteSteps[entry >>> 1]!(states[state]!));
        if (after !== NONE) {
          toggleDefinite(entry >>> 1);
          if (remember(after)) {
            lift(entry);
            push(entry, false, false, after);
            continue;
          }
          toggleDefinite(entry >>> 1);
        }
        entry = next[entry]!;
        continue;
      }
      inIndefinitePhase = true;
      limitNode = entry;
      entry = infoNext[infoHead]!;
      continue;
    }
    const limit = returnPos[limitNode >>> 1]!;
    if (entry !== NONE && infoCallPos[entry]! < limit) {
      if (mayPlaceIndefinite(entry)) {
        const after = apply(indefiniteSteps[entry]!(states[state]!));
        if (after !== NONE) {
          if (!reuse) toggleIndefinite(entry);
          if (remember(after)) {
            if (!reuse) infoUnlink(entry);
            push(entry, true, false, after);
            continue;
          }
          if (!reuse) toggleIndefinite(entry);
        }
      }
      entry = infoNext[entry]!;
      continue;
    }
    // Nothing more to try before `limitNode` closes: a dead end.
    recordDeadEnd();
    if (!backtrack()) return invalid();
  }
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isSubset(small: Uint32Array, big: Uint32Array): boolean {
  for (let i = 0; i < small.length; i++) if ((small[i]! & ~big[i]!) !== 0) return false;
  return true;
}

/** Deterministic 32-bit generator: the hashes (and so the run time) are the same every run. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
