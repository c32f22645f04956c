// A hand-driven cluster of pure Raft cores, so tests read like the paper's scenarios:
// time moves only when a test says so, and messages travel only when a test delivers them.
//
// Every Output a node produces goes through collect(), which plays the host: it persists the hard
// state and log writes, checks the host contract (what is sent was persisted first, log writes
// rebuild exactly the node's log, committed entries arrive once and in order), queues the messages
// and records the cluster-wide safety properties (one leader per term, one committed entry per index).
import { RaftNode } from '../../src/raft/node.ts';
import type {
  CommittedEntry,
  HardState,
  LogEntry,
  NodeId,
  Output,
  RaftConfig,
  RaftMessage,
  RaftStatus,
  ReadOutcome,
  Snapshot,
  SnapshotMeta,
} from '../../src/raft/types.ts';

/** Base election timeout T: timeouts are drawn from [T, 2T]. */
export const T = 100;
export const HEARTBEAT = 20;

export function nodeIds(count: number): NodeId[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

export function makeConfig(id: NodeId, ids: NodeId[], overrides: Partial<RaftConfig> = {}): RaftConfig {
  return {
    id,
    nodeIds: ids,
    electionTimeoutMinMs: T,
    electionTimeoutMaxMs: 2 * T,
    heartbeatIntervalMs: HEARTBEAT,
    // The paper's rules first; pre-vote and check-quorum tests switch them on explicitly.
    preVote: false,
    checkQuorum: false,
    maxEntriesPerMessage: 64,
    maxInflightMessages: 4,
    // No snapshots unless a test asks: the §5 scenarios keep whole logs.
    snapshotThreshold: 0,
    snapshotChunkSize: 64 * 1024,
    random: () => 0,
    ...overrides,
  };
}

/** Log entries with the given terms (index i+1 gets terms[i]); the command names its index and term. */
export function entriesWithTerms(terms: readonly number[]): LogEntry[] {
  return terms.map((term, i) => ({ term, data: { kind: 'command', command: `i${i + 1}t${term}` } }));
}

/** A random source that returns the given values in turn (then repeats the last one). */
export function sequenceRandom(values: readonly number[]): () => number {
  let next = 0;
  return () => {
    const value = values[Math.min(next, values.length - 1)] ?? 0;
    next++;
    return value;
  };
}

/** A small seeded PRNG (mulberry32), so property runs replay from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Envelope {
  from: NodeId;
  to: NodeId;
  body: RaftMessage;
}

export type EnvelopeFilter = (e: Envelope) => boolean;

export interface NodeSetup {
  term?: number;
  votedFor?: NodeId | null;
  log?: LogEntry[];
  /** A snapshot the node starts from (`log` then holds the entries after it). */
  snapshot?: Snapshot;
  config?: Partial<RaftConfig>;
}

export interface ClusterOptions {
  /** Applied to every node's config. */
  config?: Partial<RaftConfig>;
  /** Per-node persisted state and config. */
  nodes?: Record<NodeId, NodeSetup>;
  start?: number;
  /** Snapshots the core asks for wait until saveSnapshot() (default: the host saves them at once). */
  manualSnapshots?: boolean;
}

interface Durable {
  hardState: HardState;
  snapshot: Snapshot | null;
  /** Where the log starts: after the index it was last compacted to (at or before the snapshot's). */
  logBase: number;
  /** The entries after logBase. */
  log: LogEntry[];
  /** The log was lost at a restart and the node has not caught up yet (a host remembers this). */
  logLost: boolean;
}

export class Cluster {
  now: number;
  readonly ids: NodeId[];
  /** Messages sent and not yet delivered or dropped, in send order. */
  inFlight: Envelope[] = [];
  /** Every Output each node produced, oldest first (for assertions on what was sent together). */
  readonly outputs = new Map<NodeId, Output[]>();
  /** Entries handed to each node's state machine (reset when the node restarts). */
  readonly applied = new Map<NodeId, CommittedEntry[]>();
  /**
   * Each node's state machine: the data of every entry applied, in order. Snapshots serialize it,
   * so after installing one it equals the leader's up to the snapshot's index.
   */
  readonly machine = new Map<NodeId, EntryDataJson[]>();
  /** Snapshots the core asked for and the host has not saved yet (manualSnapshots). */
  readonly snapshotRequests = new Map<NodeId, SnapshotMeta[]>();
  readonly reads = new Map<NodeId, ReadOutcome[]>();
  /** Election safety / state machine safety breaches seen so far (empty in a correct core). */
  readonly safetyViolations: string[] = [];
  /** Who led each term that had a leader. */
  readonly leaderOfTerm = new Map<number, NodeId>();

  private readonly nodes = new Map<NodeId, RaftNode>();
  private readonly configs = new Map<NodeId, RaftConfig>();
  private readonly durable = new Map<NodeId, Durable>();
  private readonly down = new Set<NodeId>();
  private readonly cutLinks = new Set<string>();
  private readonly appliedBases = new Map<NodeId, number>();
  private readonly committedAt = new Map<number, { node: NodeId; term: number; data: string; seenInTerm: number }>();
  private readonly manualSnapshots: boolean;
  private readonly sharedConfig: Partial<RaftConfig>;

  constructor(ids: NodeId[] | number, options: ClusterOptions = {}) {
    this.ids = typeof ids === 'number' ? nodeIds(ids) : ids;
    this.now = options.start ?? 0;
    this.manualSnapshots = options.manualSnapshots ?? false;
    this.sharedConfig = options.config ?? {};
    for (const id of this.ids) {
      const setup = options.nodes?.[id] ?? {};
      const config = makeConfig(id, this.ids, { ...options.config, ...setup.config });
      this.configs.set(id, config);
      this.durable.set(id, {
        hardState: { term: setup.term ?? 0, votedFor: setup.votedFor ?? null },
        snapshot: setup.snapshot ?? null,
        logBase: setup.snapshot?.index ?? 0,
        log: (setup.log ?? []).slice(),
        logLost: false,
      });
      this.boot(id);
    }
  }

  /**
   * Starts a node that is not in the bootstrap configuration: by default a joiner (RaftConfig.join),
   * empty, waiting for a leader to add it and replicate to it.
   */
  addNode(id: NodeId, setup: NodeSetup = {}): RaftNode {
    if (this.ids.includes(id)) throw new Error(`${id} exists already`);
    this.ids.push(id);
    this.configs.set(id, makeConfig(id, [], { join: true, ...this.sharedConfig, ...setup.config }));
    this.durable.set(id, { hardState: { term: setup.term ?? 0, votedFor: null }, snapshot: null, logBase: 0, log: (setup.log ?? []).slice(), logLost: false });
    this.boot(id);
    return this.node(id);
  }

  node(id: NodeId): RaftNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  status(id: NodeId): RaftStatus {
    return this.node(id).status();
  }

  /** The snapshot the host has made durable for a node. */
  persistedSnapshot(id: NodeId): Snapshot | null {
    return (this.durable.get(id) as Durable).snapshot;
  }

  /** The entries the host has made durable after the snapshot. */
  persistedLog(id: NodeId): LogEntry[] {
    return (this.durable.get(id) as Durable).log.slice();
  }

  /** Plays the host for a snapshot the core asked for: serialize the state machine, make it durable, tell the core. */
  saveSnapshot(id: NodeId): Output {
    const wanted = (this.snapshotRequests.get(id) ?? []).shift();
    if (wanted === undefined) throw new Error(`${id} asked for no snapshot`);
    const machine = this.machine.get(id) as EntryDataJson[];
    const snapshot: Snapshot = { ...wanted, data: JSON.stringify(machine.slice(0, wanted.index)) };
    (this.durable.get(id) as Durable).snapshot = snapshot;
    this.node(id).snapshotSaved(snapshot);
    return this.collect(id);
  }

  /** The hard state the host has persisted for a node. */
  persistedHardState(id: NodeId): HardState {
    return { ...(this.durable.get(id) as Durable).hardState };
  }

  lastOutput(id: NodeId): Output {
    const list = this.outputs.get(id) ?? [];
    const last = list[list.length - 1];
    if (last === undefined) throw new Error(`${id} has produced no output`);
    return last;
  }

  leaders(): NodeId[] {
    return this.ids.filter((id) => !this.down.has(id) && this.status(id).role === 'leader');
  }

  // ------------------------------------------------------------ the host's side of each step

  /** Takes a node's Output, persists it, checks the host contract, queues its messages. */
  collect(id: NodeId): Output {
    const node = this.node(id);
    const out = node.takeOutput(this.now);
    const durable = this.durable.get(id) as Durable;

    if (out.hardState !== null) durable.hardState = { ...out.hardState };
    if (out.installSnapshot !== null) {
      // The host makes the leader's snapshot durable and loads it before the log writes.
      durable.snapshot = out.installSnapshot;
      this.machine.set(id, JSON.parse(out.installSnapshot.data) as EntryDataJson[]);
      this.applied.set(id, []);
      this.appliedBases.set(id, out.installSnapshot.index);
    }
    for (const write of out.logWrites) {
      const base = durable.logBase;
      if (write.kind === 'compact') {
        // Compaction only after the snapshot it relies on is durable (§7).
        if ((durable.snapshot?.index ?? 0) < write.snapshot.index) {
          throw new Error(`${id}: compacts the log through ${write.snapshot.index} but the durable snapshot ends at ${durable.snapshot?.index ?? 0}`);
        }
        durable.logBase = write.snapshot.index;
        durable.log = write.entries.slice();
      } else if (write.kind === 'truncate') {
        if (write.fromIndex <= base || write.fromIndex > base + durable.log.length + 1) throw new Error(`${id}: truncate from ${write.fromIndex} of a log of ${base} + ${durable.log.length}`);
        durable.log.length = write.fromIndex - base - 1;
      } else {
        if (write.firstIndex !== base + durable.log.length + 1) throw new Error(`${id}: append at ${write.firstIndex} to a log of ${base} + ${durable.log.length}`);
        durable.log.push(...write.entries);
      }
    }

    // Contract: once the batch is persisted, the disk holds exactly the node's state, so every
    // message in the batch (sent after persisting) depends only on durable term, vote and log.
    const st = node.status();
    if (durable.hardState.term !== st.term || durable.hardState.votedFor !== st.votedFor) {
      throw new Error(`${id}: output leaves term/vote unpersisted: disk ${JSON.stringify(durable.hardState)}, node term ${st.term} vote ${st.votedFor}`);
    }
    if (JSON.stringify(durable.log) !== JSON.stringify(node.logEntries())) {
      throw new Error(`${id}: log writes do not rebuild the node's log`);
    }
    if (!st.logLost) durable.logLost = false; // the log writes that caught it up are on disk now
    for (const m of out.messages) {
      const problem = sendBeforePersistProblem(id, m.to, m.body, durable.hardState);
      if (problem !== null) throw new Error(problem);
    }

    const applied = this.applied.get(id) as CommittedEntry[];
    const appliedBase = this.appliedBase(id);
    const base = durable.logBase;
    for (const c of out.committed) {
      if (c.index !== appliedBase + applied.length + 1) throw new Error(`${id}: committed index ${c.index} after ${appliedBase + applied.length} (not once, in order)`);
      const entry = durable.log[c.index - base - 1];
      if (entry === undefined || entry.term !== c.term) throw new Error(`${id}: committed ${c.index}@${c.term} is not in its log`);
      applied.push(c);
      (this.machine.get(id) as EntryDataJson[]).push(c.data);
      this.recordCommit(id, c, st.term);
    }
    (this.reads.get(id) as ReadOutcome[]).push(...out.reads);
    (this.outputs.get(id) as Output[]).push(out);

    if (st.role === 'leader') {
      const known = this.leaderOfTerm.get(st.term);
      if (known === undefined) this.leaderOfTerm.set(st.term, id);
      else if (known !== id) this.safetyViolations.push(`two leaders in term ${st.term}: ${known} and ${id}`);
      this.checkLeaderCompleteness(id, st.term, durable);
    }
    for (const m of out.messages) this.inFlight.push({ from: id, to: m.to, body: m.body });
    if (out.snapshotWanted !== null) {
      const requests = this.snapshotRequests.get(id) ?? [];
      requests.push(out.snapshotWanted);
      this.snapshotRequests.set(id, requests);
      if (!this.manualSnapshots) this.saveSnapshot(id);
    }
    return out;
  }

  /** Applied entries start after this index (a snapshot the node started from or installed). */
  private appliedBase(id: NodeId): number {
    return this.appliedBases.get(id) ?? 0;
  }

  /**
   * §5.4.3: a leader of term T holds every entry committed in an earlier term. An entry first seen
   * applied by a node in term S was committed by a leader of a term <= S, so leaders of terms > S need it.
   */
  private checkLeaderCompleteness(id: NodeId, term: number, durable: Durable): void {
    const base = durable.logBase;
    for (const [index, c] of this.committedAt) {
      if (c.seenInTerm >= term) continue;
      if (index <= base) continue; // in the snapshot (whose contents the state machine comparison checks)
      const mine = durable.log[index - base - 1];
      if (mine === undefined || mine.term !== c.term || JSON.stringify(mine.data) !== c.data) {
        this.safetyViolations.push(`leader ${id} of term ${term} lacks index ${index} (${c.term}:${c.data}) committed by term ${c.seenInTerm}`);
      }
    }
  }

  private recordCommit(id: NodeId, c: CommittedEntry, seenInTerm: number): void {
    const data = JSON.stringify(c.data);
    const first = this.committedAt.get(c.index);
    if (first === undefined) this.committedAt.set(c.index, { node: id, term: c.term, data, seenInTerm });
    else if (first.term !== c.term || first.data !== data) {
      this.safetyViolations.push(`index ${c.index} committed as ${first.term}:${first.data} on ${first.node} but ${c.term}:${data} on ${id}`);
    }
  }

  // ------------------------------------------------------------ driving the nodes

  /** Hands a message straight to a node (as if it came from `from`) and collects the result. */
  receive(to: NodeId, from: NodeId, body: RaftMessage): Output {
    this.node(to).step(from, body, this.now);
    return this.collect(to);
  }

  /** Moves the clock (never backwards) and ticks one node. */
  tick(id: NodeId, at: number = this.now): Output {
    this.now = Math.max(this.now, at);
    this.node(id).tick(this.now);
    return this.collect(id);
  }

  /** Moves the clock to this node's next deadline and ticks it, so its timer fires. */
  fire(id: NodeId): Output {
    return this.tick(id, this.node(id).nextDeadline());
  }

  /**
   * Lets `ms` pass as a real host would: each live node is ticked exactly at its own next deadline,
   * and every message is delivered at once (the network is instant unless links are cut).
   */
  advance(ms: number): void {
    const end = this.now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      const next = Math.min(end, ...this.liveIds().map((id) => this.node(id).nextDeadline()));
      this.now = Math.max(this.now, next);
      for (const id of this.liveIds()) if (this.node(id).nextDeadline() <= this.now) this.tick(id);
      this.stabilize();
      if (this.now >= end) return;
    }
    throw new Error('advance: timers keep firing without time passing');
  }

  /** Removes and returns in-flight messages that match. */
  take(filter: EnvelopeFilter = () => true): Envelope[] {
    const taken = this.inFlight.filter(filter);
    this.inFlight = this.inFlight.filter((e) => !filter(e));
    return taken;
  }

  drop(filter: EnvelopeFilter = () => true): number {
    return this.take(filter).length;
  }

  /** Delivers the matching in-flight messages (those on cut links or to crashed nodes are lost). */
  deliver(filter: EnvelopeFilter = () => true): number {
    let count = 0;
    for (const e of this.take(filter)) {
      if (this.down.has(e.to) || this.cutLinks.has(linkKey(e.from, e.to))) continue;
      this.receive(e.to, e.from, e.body);
      count++;
    }
    return count;
  }

  /** Delivers matching messages, and the ones they cause, until none match. */
  stabilize(filter: EnvelopeFilter = () => true, maxRounds = 200): void {
    for (let round = 0; round < maxRounds; round++) {
      if (this.inFlight.filter(filter).length === 0) return;
      this.deliver(filter);
    }
    throw new Error('cluster did not stabilize');
  }

  /** Lets `id` time out and win an election with all messages delivered; returns once it leads. */
  elect(id: NodeId): void {
    this.fire(id);
    this.stabilize();
    if (this.status(id).role !== 'leader') throw new Error(`${id} did not win: ${JSON.stringify(this.status(id))}`);
  }

  // ------------------------------------------------------------ faults

  isolate(id: NodeId): void {
    for (const other of this.ids) if (other !== id) this.cutLinks.add(linkKey(id, other)).add(linkKey(other, id));
  }

  heal(): void {
    this.cutLinks.clear();
  }

  /** Stops a node: it loses its volatile state; messages to it are lost. */
  crash(id: NodeId): void {
    this.down.add(id);
  }

  /**
   * Starts a crashed node again from what its host persisted. With loseLog, its log is gone (the file
   * was deleted) while its term and vote survive, and the host tells the core so.
   */
  restart(id: NodeId, options: { loseLog?: boolean; hostUnaware?: boolean } = {}): void {
    if (options.loseLog === true) {
      const durable = this.durable.get(id) as Durable;
      durable.log = [];
      // hostUnaware: a host that does not notice the loss (what the §5.4 tests show is unsafe).
      durable.logLost = options.hostUnaware !== true;
    }
    this.down.delete(id);
    this.boot(id);
  }

  liveIds(): NodeId[] {
    return this.ids.filter((id) => !this.down.has(id));
  }

  private boot(id: NodeId): void {
    const durable = this.durable.get(id) as Durable;
    // A log compacted to before the snapshot (a leader keeps entries for followers) restarts from the snapshot.
    const snapshotIndex = durable.snapshot?.index ?? 0;
    if (durable.logBase < snapshotIndex) {
      durable.log = durable.log.slice(snapshotIndex - durable.logBase);
      durable.logBase = snapshotIndex;
    }
    const node = new RaftNode(this.configs.get(id) as RaftConfig, { hardState: { ...durable.hardState }, entries: durable.log.slice(), snapshot: durable.snapshot, logLost: durable.logLost }, this.now);
    this.nodes.set(id, node);
    this.applied.set(id, []);
    this.appliedBases.set(id, durable.snapshot?.index ?? 0);
    this.machine.set(id, durable.snapshot === null ? [] : (JSON.parse(durable.snapshot.data) as EntryDataJson[]));
    this.reads.set(id, []);
    if (!this.outputs.has(id)) this.outputs.set(id, []);
    this.collect(id);
  }
}

/**
 * The host contract for one message, given the hard state on disk once its batch is persisted:
 * nothing may be sent in a term the disk does not know, and a granted vote or a campaign must be on
 * disk. Returns what is wrong, or null.
 */
export function sendBeforePersistProblem(id: NodeId, to: NodeId, body: RaftMessage, disk: HardState): string | null {
  if (body.type === 'request_vote' && body.pre_vote) {
    // A pre-vote asks about term+1 without taking it; nothing about it needs persisting.
    return body.term > disk.term + 1 ? `${id}: pre-vote for term ${body.term} from disk term ${disk.term}` : null;
  }
  if (body.type === 'request_vote_result' && body.pre_vote) return null; // echoes the asked-about term
  if (body.term > disk.term) return `${id}: sends ${body.type} in term ${body.term} with only ${disk.term} on disk`;
  if (body.type === 'request_vote_result' && body.vote_granted && disk.term === body.term && disk.votedFor !== to) {
    return `${id}: grants its term-${body.term} vote to ${to} but disk records ${String(disk.votedFor)}`;
  }
  if (body.type === 'request_vote' && disk.term === body.term && disk.votedFor !== id) {
    return `${id}: campaigns in term ${body.term} without its self-vote on disk`;
  }
  return null;
}

/** What the harness's state machine records per applied entry. */
type EntryDataJson = CommittedEntry['data'];

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}->${to}`;
}

// ------------------------------------------------------------ filters and message pickers

export const to = (id: NodeId): EnvelopeFilter => (e) => e.to === id;
export const from = (id: NodeId): EnvelopeFilter => (e) => e.from === id;
export const between = (a: NodeId, b: NodeId): EnvelopeFilter => (e) => (e.from === a && e.to === b) || (e.from === b && e.to === a);
export const ofType = (type: RaftMessage['type']): EnvelopeFilter => (e) => e.body.type === type;
export const both = (...filters: EnvelopeFilter[]): EnvelopeFilter => (e) => filters.every((f) => f(e));
export const not = (filter: EnvelopeFilter): EnvelopeFilter => (e) => !filter(e);

/** The messages of one Output with the given type, narrowed. */
export function messagesOfType<K extends RaftMessage['type']>(out: Output, type: K): { to: NodeId; body: Extract<RaftMessage, { type: K }> }[] {
  const found: { to: NodeId; body: Extract<RaftMessage, { type: K }> }[] = [];
  for (const m of out.messages) {
    if (m.body.type === type) found.push({ to: m.to, body: m.body as Extract<RaftMessage, { type: K }> });
  }
  return found;
}

/** Message builders with sensible defaults, for hand-crafted steps. */
export function appendEntries(fields: Partial<Extract<RaftMessage, { type: 'append_entries' }>> & { term: number; leader_id: NodeId }): RaftMessage {
  return { type: 'append_entries', prev_log_index: 0, prev_log_term: 0, entries: [], leader_commit: 0, round: 0, ...fields };
}

export function requestVote(fields: Partial<Extract<RaftMessage, { type: 'request_vote' }>> & { term: number; candidate_id: NodeId }): RaftMessage {
  return { type: 'request_vote', last_log_index: 0, last_log_term: 0, pre_vote: false, ...fields };
}

export function voteResult(term: number, granted: boolean, preVote = false): RaftMessage {
  return { type: 'request_vote_result', term, vote_granted: granted, pre_vote: preVote };
}

export function appendResult(fields: Partial<Extract<RaftMessage, { type: 'append_entries_result' }>> & { term: number }): RaftMessage {
  return { type: 'append_entries_result', success: true, match_index: 0, reject_index: 0, conflict_index: 0, conflict_term: null, round: 0, ...fields };
}

export function installSnapshot(fields: Partial<Extract<RaftMessage, { type: 'install_snapshot' }>> & { term: number; leader_id: NodeId; last_included_index: number; last_included_term: number }): RaftMessage {
  return { type: 'install_snapshot', offset: 0, data: '[]', done: true, round: 0, ...fields };
}
