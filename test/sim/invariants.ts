// Raft's safety properties, checked after every simulated event (TigerBeetle style: stop at the
// first broken invariant). The monitor mirrors every node's log from the log writes the host makes
// durable, keeps a hash chain over it (so "logs agree up to index i" is one comparison), and keeps
// the canonical committed sequence: the first entry any node applied at each index.
import type { Json } from '../../src/json.ts';
import { canonicalJson } from '../../src/kv/canonical.ts';
import { decodeCommand } from '../../src/host/raft-host.ts';
import type { Configuration, HardState, LogEntry, LogWrite, RaftMessage, RaftStatus, SnapshotMeta } from '../../src/raft/types.ts';
import { hashLabel } from '../../maelstrom/random.ts';
import { DuplicateApplyError, ReferenceKv, type AppliedEffect } from './reference-kv.ts';

export class SimViolation extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

function violated(kind: string, message: string): never {
  throw new SimViolation(kind, message);
}

const entryHashes = new WeakMap<LogEntry, number>();

/** A hash of one entry's term and content (cached: entries are shared between simulated nodes). */
function entryHash(entry: LogEntry): number {
  let h = entryHashes.get(entry);
  if (h === undefined) {
    const content = entry.data.kind === 'noop' ? 'noop' : canonicalJson(entry.data.kind === 'config' ? { config: entry.data.config as unknown as Json } : entry.data.command);
    h = (hashLabel(content) ^ Math.imul(entry.term, 0x27d4eb2d)) >>> 0;
    entryHashes.set(entry, h);
  }
  return h;
}

/** Chain step: the hash of a log prefix from the previous prefix's hash and the next entry. */
function chain(previous: number, entry: LogEntry): number {
  const e = entryHash(entry);
  const lo = (Math.imul((previous >>> 0) ^ e, 0x9e3779b1) + entry.term) >>> 0;
  const hi = (Math.imul(Math.floor(previous / 4294967296) ^ (e >>> 11), 0x85ebca6b) ^ lo) & 0x1fffff;
  return hi * 4294967296 + lo;
}

/** One node's log as the monitor sees it: entries and prefix hashes, index 0 = empty prefix. */
class MirrorLog {
  readonly entries: (LogEntry | null)[] = [null];
  readonly prefixHash: number[] = [0];

  get lastIndex(): number {
    return this.entries.length - 1;
  }

  reset(entries: readonly LogEntry[]): void {
    this.entries.length = 1;
    this.prefixHash.length = 1;
    for (const e of entries) this.push(e);
  }

  truncateFrom(index: number): void {
    this.entries.length = Math.max(index, 1);
    this.prefixHash.length = Math.max(index, 1);
  }

  /** Becomes `other`'s first `length` entries (a snapshot stands for that committed prefix). */
  copyPrefix(other: MirrorLog, length: number): void {
    this.entries.length = 0;
    this.prefixHash.length = 0;
    for (let i = 0; i <= length; i++) {
      this.entries.push(other.entries[i] as LogEntry | null);
      this.prefixHash.push(other.prefixHash[i] as number);
    }
  }

  push(entry: LogEntry): void {
    this.prefixHash.push(chain(this.prefixHash[this.prefixHash.length - 1] as number, entry));
    this.entries.push(entry);
  }
}

interface IncarnationWatch {
  term: number;
  commitIndex: number;
  appliedIndex: number;
}


export class SafetyMonitor {
  private readonly mirrors: MirrorLog[];
  private readonly watch: IncarnationWatch[];
  /** Highest term each node has shown the world (in a message it sent): a restart must not go below it. */
  private readonly revealedTerm: number[];
  /** (index, term) -> prefix hash: log matching says it is the same in every log that has that entry. */
  private readonly prefixByIndexTerm = new Map<number, number>();
  private readonly leaderOfTerm = new Map<number, number>();
  /** `${voter}:${term}` -> candidate it granted its vote to. */
  private readonly votes = new Map<string, string>();
  private readonly canonical = new MirrorLog();
  /** Index -> term of the first leader seen to commit it (index 0 unused). */
  private readonly commitTerms: number[] = [0];
  readonly kv = new ReferenceKv();
  /** Unique values of writes/cas a client was told definitely failed: they must never take effect. */
  private readonly refused = new Set<string>();

  /**
   * Configuration entries each node has made durable (index -> term), kept when its log is later
   * lost or compacted: what it acknowledged is what a leader may have counted (§4.1).
   */
  private readonly heldConfigs: Map<number, { term: number; voters: number }>[];
  /** The configuration of the committed log so far (the bootstrap one: every node a voter). */
  private committedConfig: Configuration;
  /** Configuration entries committed (applied somewhere for the first time). */
  configCommits = 0;

  /** Times a leader advanced its commit index to an entry of an older term (only the injected bug does that). */
  oldTermCommits = 0;
  /** ... of which another node held a conflicting entry of a newer term at that index (the paper's Figure 8). */
  dangerousOldTermCommits = 0;

  constructor(private readonly nodeIds: readonly string[]) {
    this.mirrors = nodeIds.map(() => new MirrorLog());
    this.watch = nodeIds.map(() => ({ term: 0, commitIndex: 0, appliedIndex: 0 }));
    this.revealedTerm = nodeIds.map(() => 0);
    this.heldConfigs = nodeIds.map(() => new Map());
    this.committedConfig = { voters: [...nodeIds], learners: [] };
  }

  /** Highest index known committed (applied by some node). */
  committedLength(): number {
    return this.canonical.lastIndex;
  }

  /** The fewest voters of any configuration in force somewhere: committed, or the newest a node holds durably. */
  fewestVoters(): number {
    let fewest = this.committedConfig.voters.length;
    for (const held of this.heldConfigs) {
      const newest = Math.max(0, ...held.keys());
      const c = held.get(newest);
      if (c !== undefined) fewest = Math.min(fewest, c.voters);
    }
    return fewest;
  }

  leaderCount(): number {
    return this.leaderOfTerm.size;
  }

  // ------------------------------------------------------------------ hooks

  onLogWrites(node: number, writes: readonly LogWrite[]): void {
    const mirror = this.mirrors[node] as MirrorLog;
    this.recordConfigs(node, writes);
    for (const w of writes) {
      if (w.kind === 'compact') {
        this.compactMirror(node, mirror, w.snapshot);
        for (const e of w.entries) {
          mirror.push(e);
          this.checkLogMatching(node, mirror.lastIndex, e.term, mirror.prefixHash[mirror.lastIndex] as number);
        }
        continue;
      }
      if (w.kind === 'truncate') {
        // Compared with the applied index, not the commit index: the core may raise its commit index
        // in a step whose log writes the host only makes in its deferred drain.
        const applied = (this.watch[node] as IncarnationWatch).appliedIndex;
        if (w.fromIndex <= applied) {
          violated('applied-entry-removed', `${this.nodeIds[node]} truncated its log from ${w.fromIndex}, below its applied index ${applied}`);
        }
        mirror.truncateFrom(w.fromIndex);
        continue;
      }
      mirror.truncateFrom(w.firstIndex);
      for (const e of w.entries) {
        mirror.push(e);
        this.checkLogMatching(node, mirror.lastIndex, e.term, mirror.prefixHash[mirror.lastIndex] as number);
      }
    }
  }

  private recordConfigs(node: number, writes: readonly LogWrite[]): void {
    const held = this.heldConfigs[node] as Map<number, { term: number; voters: number }>;
    for (const w of writes) {
      const first = w.kind === 'truncate' ? w.fromIndex : w.kind === 'append' ? w.firstIndex : w.snapshot.index + 1;
      if (w.kind !== 'compact') for (const index of [...held.keys()]) if (index >= first) held.delete(index);
      if (w.kind === 'truncate') continue;
      w.entries.forEach((e, i) => {
        if (e.data.kind === 'config') held.set(first + i, { term: e.term, voters: e.data.config.voters.length });
      });
    }
  }

  /**
   * §4.1 and §4.2: a configuration entry commits only once a majority of the voters of the
   * configuration it puts in force hold it, and it changes one server from the committed
   * configuration before it (single-server changes, one at a time).
   */
  private checkConfigCommit(index: number, entry: LogEntry, config: Configuration): void {
    this.configCommits++;
    const holders = config.voters.filter((v) => this.heldConfigs[this.nodeIds.indexOf(v)]?.get(index)?.term === entry.term);
    if (holders.length < Math.floor(config.voters.length / 2) + 1) {
      violated('config-commit-without-majority', `the configuration at index ${index} (voters ${config.voters.join(', ')}) committed while only ${holders.join(', ') || 'nobody'} held it`);
    }
    const before = this.committedConfig;
    const roleIn = (c: Configuration, id: string) => (c.voters.includes(id) ? 'voter' : c.learners.includes(id) ? 'learner' : 'out');
    const changed = [...new Set([...before.voters, ...before.learners, ...config.voters, ...config.learners])].filter((id) => roleIn(before, id) !== roleIn(config, id));
    if (changed.length > 1) violated('config-change-not-single', `the configuration at index ${index} changes ${changed.join(', ')} at once (from voters ${before.voters.join(', ')})`);
    this.committedConfig = config;
  }

  /**
   * A snapshot through `snapshot.index` replaces the mirror's prefix. It must hold only committed
   * entries: the canonical log has that index, with that term. The mirror then stands for the
   * canonical prefix (its own, if it already matched), so log matching and leader completeness keep
   * comparing whole logs although the node no longer holds the prefix.
   */
  private compactMirror(node: number, mirror: MirrorLog, snapshot: SnapshotMeta): void {
    const id = this.nodeIds[node] as string;
    const agreed = this.canonical.entries[snapshot.index];
    if (snapshot.index > this.canonical.lastIndex || agreed === null || agreed === undefined || agreed.term !== snapshot.term) {
      violated('snapshot-not-committed', `${id} holds a snapshot through ${snapshot.index} (term ${snapshot.term}), but the committed log ${snapshot.index > this.canonical.lastIndex ? `ends at ${this.canonical.lastIndex}` : `has term ${agreed?.term ?? '-'} there`}`);
    }
    if (mirror.lastIndex >= snapshot.index && mirror.prefixHash[snapshot.index] === this.canonical.prefixHash[snapshot.index]) {
      mirror.truncateFrom(snapshot.index + 1);
    } else {
      mirror.copyPrefix(this.canonical, snapshot.index);
    }
  }

  /** A node came back: it has exactly its durable state; everything volatile starts over. */
  onRestart(node: number, durable: { hardState: HardState; log: readonly LogEntry[]; snapshot: SnapshotMeta | null }): void {
    const id = this.nodeIds[node] as string;
    if (durable.hardState.term < (this.revealedTerm[node] as number)) {
      violated('term-decreased-across-restart', `${id} restarted at term ${durable.hardState.term} but had already sent messages in term ${this.revealedTerm[node]}`);
    }
    const mirror = this.mirrors[node] as MirrorLog;
    if (durable.snapshot === null) mirror.reset(durable.log);
    else {
      mirror.reset([]);
      this.compactMirror(node, mirror, durable.snapshot);
      for (const e of durable.log) mirror.push(e);
    }
    this.watch[node] = { term: durable.hardState.term, commitIndex: 0, appliedIndex: 0 };
  }

  /** Every Raft message a node sends passes here, after the host decided it may go out. */
  onSend(node: number, to: string, body: RaftMessage, durable: HardState): void {
    const id = this.nodeIds[node] as string;
    const isPreVote = (body.type === 'request_vote' || body.type === 'request_vote_result') && body.pre_vote;
    if (isPreVote) return; // pre-vote terms are hypothetical: nothing is promised, nothing persisted
    if (body.term > durable.term) {
      violated('sent-before-persisted', `${id} sent ${body.type} in term ${body.term} while its durable term is ${durable.term}`);
    }
    if (body.term > (this.revealedTerm[node] as number)) this.revealedTerm[node] = body.term;
    if (body.type === 'request_vote_result' && body.vote_granted) {
      if (durable.term === body.term && durable.votedFor !== to) {
        violated('sent-before-persisted', `${id} granted its term-${body.term} vote to ${to} but its durable vote is ${durable.votedFor ?? 'nobody'}`);
      }
      const key = `${id}:${body.term}`;
      const earlier = this.votes.get(key);
      if (earlier !== undefined && earlier !== to) {
        violated('double-vote', `${id} voted for ${earlier} and then for ${to} in term ${body.term}`);
      }
      this.votes.set(key, to);
    }
  }

  /** After each event of a live node: monotonic term and commit, one leader per term, completeness, applies. */
  afterEvent(node: number, status: RaftStatus): void {
    const w = this.watch[node] as IncarnationWatch;
    const id = status.id;
    if (status.term < w.term) violated('term-decreased', `${id} went from term ${w.term} back to ${status.term}`);
    if (status.commitIndex < w.commitIndex) violated('commit-decreased', `${id} commit index went from ${w.commitIndex} back to ${status.commitIndex}`);
    if (status.role === 'leader') {
      while (this.commitTerms.length <= status.commitIndex) this.commitTerms.push(status.term);
    }
    if (status.role === 'leader' && status.commitIndex > w.commitIndex) {
      const entry = this.mirrors[node]?.entries[status.commitIndex];
      if (entry !== undefined && entry !== null && entry.term !== status.term) {
        this.oldTermCommits++;
        if (this.mirrors.some((m) => (m.entries[status.commitIndex]?.term ?? 0) > entry.term)) this.dangerousOldTermCommits++;
      }
    }
    w.term = status.term;
    w.commitIndex = status.commitIndex;
    // The in-memory log may run ahead of storage between a step and the host's deferred drain (nothing
    // is sent meanwhile), so the log itself is compared where it matters: at election and at apply.
    if (status.commitIndex > status.lastLogIndex) violated('commit-beyond-log', `${id} commit index ${status.commitIndex} is past its log end ${status.lastLogIndex}`);
    if (status.role === 'leader') this.checkLeader(node, status);
    if (status.appliedIndex > w.appliedIndex) this.checkApplied(node, w.appliedIndex + 1, status.appliedIndex);
    w.appliedIndex = status.appliedIndex;
  }

  // ------------------------------------------------------------------ client replies vs the applied state

  /** A read answered `value` (undefined: key absent); the cluster's state during the request must have held it. */
  checkRead(key: Json, value: Json | undefined, committedAtInvoke: number, describe: () => string): void {
    const possible = this.kv.valuesBetween(key, committedAtInvoke, this.canonical.lastIndex);
    const wanted = value === undefined ? undefined : canonicalJson(value);
    if (!possible.some((p) => (p === undefined ? wanted === undefined : canonicalJson(p) === wanted))) {
      const seen = possible.map((p) => (p === undefined ? 'absent' : canonicalJson(p))).join(', ');
      violated('reply-contradicts-state', `${describe()} returned ${wanted ?? 'key-absent'}, but between committed index ${committedAtInvoke} and ${this.canonical.lastIndex} the key held only: ${seen}`);
    }
  }

  /** A write/cas was acknowledged: it must have been applied (successfully) by now. */
  checkAcknowledged(uniqueValue: Json, describe: () => string): void {
    const effect = this.kv.effects.get(canonicalJson(uniqueValue));
    if (effect === undefined || !effect.succeeded) {
      violated('reply-contradicts-state', `${describe()} was acknowledged but ${effect === undefined ? 'is not in the committed log' : `failed when applied at index ${effect.index}`}`);
    }
  }

  /** A write/cas got a definite failure: it must never take effect. */
  checkRefused(uniqueValue: Json, describe: () => string): void {
    const k = canonicalJson(uniqueValue);
    const effect = this.kv.effects.get(k);
    if (effect?.succeeded === true) violated('reply-contradicts-state', `${describe()} was refused definitely, but took effect at index ${effect.index}`);
    this.refused.add(k);
  }

  // ------------------------------------------------------------------ checks

  private checkLogMatching(node: number, index: number, term: number, prefix: number): void {
    const key = index * 1048576 + term;
    const known = this.prefixByIndexTerm.get(key);
    if (known === undefined) this.prefixByIndexTerm.set(key, prefix);
    else if (known !== prefix) {
      violated('log-matching', `${this.nodeIds[node]} has an entry of term ${term} at index ${index} whose log prefix differs from another node's entry at the same index and term`);
    }
  }

  private checkLeader(node: number, status: RaftStatus): void {
    const holder = this.leaderOfTerm.get(status.term);
    if (holder === node) return;
    if (holder !== undefined) {
      violated('election-safety', `two leaders in term ${status.term}: ${this.nodeIds[holder]} and ${status.id}`);
    }
    this.leaderOfTerm.set(status.term, node);
    // Leader completeness (§5.4): the new leader holds every entry committed in an earlier term. (A
    // leader elected late in a lower term than the latest commit owes nothing to that commit.)
    let committed = Math.min(this.canonical.lastIndex, this.commitTerms.length - 1);
    while (committed > 0 && (this.commitTerms[committed] as number) >= status.term) committed--;
    const mirror = this.mirrors[node] as MirrorLog;
    if (mirror.lastIndex < committed || mirror.prefixHash[committed] !== this.canonical.prefixHash[committed]) {
      let firstMissing = 1;
      while (firstMissing <= Math.min(committed, mirror.lastIndex) && mirror.prefixHash[firstMissing] === this.canonical.prefixHash[firstMissing]) firstMissing++;
      violated('leader-completeness', `${status.id} became leader of term ${status.term} without entry ${firstMissing}, committed in term ${this.commitTerms[firstMissing]} (entries up to ${committed} were committed before term ${status.term}; its log ends at ${mirror.lastIndex})`);
    }
  }

  private checkApplied(node: number, from: number, to: number): void {
    const mirror = this.mirrors[node] as MirrorLog;
    const id = this.nodeIds[node] as string;
    for (let index = from; index <= to; index++) {
      const entry = mirror.entries[index];
      if (entry === undefined || entry === null) violated('applied-beyond-log', `${id} applied index ${index} beyond its log`);
      if (index <= this.canonical.lastIndex) {
        const agreed = this.canonical.entries[index] as LogEntry;
        if (entryHash(agreed) !== entryHash(entry)) {
          violated('state-machine-safety', `${id} applied ${describeEntry(entry)} at index ${index}, where ${describeEntry(agreed)} was applied before`);
        }
        continue;
      }
      this.canonical.push(entry);
      if (entry.data.kind === 'config') this.checkConfigCommit(index, entry, entry.data.config);
      const op = decodeCommand(entry);
      if (op === null) continue;
      let effect: AppliedEffect | null;
      try {
        effect = this.kv.apply(index, op);
      } catch (err) {
        if (err instanceof DuplicateApplyError) violated('duplicate-apply', err.message);
        throw err;
      }
      if (effect?.succeeded === true && op.type !== 'read') {
        const unique = canonicalJson(op.type === 'write' ? op.value : op.to);
        if (this.refused.has(unique)) violated('reply-contradicts-state', `${op.type} of ${unique} took effect at index ${index} after its client was told it definitely failed`);
      }
    }
  }
}

export function describeEntry(entry: LogEntry): string {
  if (entry.data.kind === 'config') return `config(t${entry.term} ${canonicalJson(entry.data.config as unknown as Json)})`;
  return entry.data.kind === 'noop' ? `noop(t${entry.term})` : `t${entry.term} ${canonicalJson(entry.data.command)}`;
}
