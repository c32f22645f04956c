// The host of the Raft core, independent of how bytes travel: Maelstrom's stdin/stdout and the
// standalone TCP/HTTP mode both wrap this class. It owns the key-value state machine, the client
// requests waiting for their entries to commit or their reads to be confirmed, and the order of
// effects the core demands: make the log and hard state durable, THEN send what depends on them.
import type { NodeConfig } from '../config.ts';
import type { Json } from '../json.ts';
import type { KvOperation, KvResult } from '../kv/operations.ts';
import { KvStateMachine } from '../kv/state-machine.ts';
import { checkKvOperation, errorBody, ErrorCode, type Body } from '../protocol/messages.ts';
import { initialTiming, RaftNode } from '../raft/node.ts';
import { AdaptiveTiming } from './adaptive-timing.ts';
import type { DerivedTiming, TimingFloors } from './derived-timing.ts';
import type { CommittedEntry, ConfChange, ConfigurationState, EntryData, HardState, LogLevel, LogWrite, MemberProgress, NodeId, Output, PersistedState, RaftConfig, RaftMessage, RaftStatus, RaftTiming, ReadOutcome, Snapshot, SnapshotMeta, TransferResult } from '../raft/types.ts';
import { ConfChangeWaiters, type ConfChangeOutcome } from './conf-change-waiters.ts';

export type { ConfChangeOutcome } from './conf-change-waiters.ts';

/** How a leadership transfer asked of the host ended (dissertation §3.10). */
export type HandoffOutcome =
  | { outcome: 'refused'; reason: string }
  /**
   * This node is no longer leader: it stepped down for the target's campaign (or, rarely, for another
   * election that overtook it). `leaderId` is whom it follows now, null while the votes are out.
   */
  | { outcome: 'handed-over'; target: NodeId; ms: number; leaderId: NodeId | null }
  /** Not done within an election timeout: this node leads as before and takes writes again. */
  | { outcome: 'abandoned'; target: NodeId; ms: number };

interface HandoffWaiter {
  target: NodeId;
  startedAt: number;
  resolve: (outcome: HandoffOutcome) => void;
}

/** A client reply body: read_ok / write_ok / cas_ok, or a Maelstrom error. */
export type ClientReply = KvResult | { type: 'error'; code: number; text: string };

/** Sends the one reply a client request gets. */
export type Respond = (reply: ClientReply) => void;

/** Durable storage as the host needs it. Tickets order hard-state writes that complete asynchronously. */
export interface HostStorage {
  /** Makes log writes durable before returning (called before anything of the batch is sent). */
  appendLog(writes: readonly LogWrite[]): void;
  /**
   * Optional: writes appends now and makes them durable in the background, calling `done` then (or
   * with the error). Used for a leader's own entries only (dissertation §10.2.1).
   */
  appendLogInBackground?(writes: readonly LogWrite[], done: (err: Error | null) => void): void;
  /** Makes a snapshot durable before returning, replacing the previous one (crash-safe: old or new, never a mix). */
  saveSnapshot(snapshot: Snapshot): void;
  /** Starts making `state` durable; returns a ticket for isDurable/whenDurable. */
  persistHardState(state: HardState): number;
  isDurable(ticket: number): boolean;
  whenDurable(ticket: number): Promise<void>;
  /**
   * The node started with its log lost (PersistedState.logLost) and has now caught up; the log writes
   * that did it are durable. Storage that remembers the loss across restarts forgets it here.
   */
  logCaughtUp?(): void;
}

/** Time, timers and the network, as the host needs them. */
export interface HostEnvironment {
  now(): number;
  setTimer(fn: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
  /** Runs fn after the current batch of input (setImmediate), so requests arriving together travel together. */
  defer(fn: () => void): void;
  sendPeer(to: NodeId, body: RaftMessage): void;
  /**
   * Puts the peer messages sent so far on the wire now rather than at the end of this turn of the
   * event loop (an adapter that batches writes per turn flushes here): the host calls it before a
   * blocking log write, so that the followers' disks work while the leader's does, and at the end
   * of every batch of output.
   */
  flushPeers?(): void;
  /** Relays a client operation to the leader, node to node; 'timeout' if it does not answer. */
  forward(leader: NodeId, op: KvOperation): Promise<ClientReply | 'timeout'>;
  log(level: LogLevel, text: string, role?: string, term?: number): void;
  /**
   * A broken invariant or a failed write: the host has stopped itself and will do nothing more; the
   * adapter stops the node (see host/fatal.ts). Never called for bad input.
   */
  fatal(context: string, err: unknown): void;
  /**
   * The configuration in force changed (appended, undone, installed, committed; also once at start):
   * the standalone transport opens links to new members and closes those to removed ones.
   */
  configurationChanged?(state: ConfigurationState): void;
}

/**
 * What the host reports as it runs, for metrics (src/metrics/). Called on the hot path: an
 * implementation only bumps counters.
 */
export interface HostObserver {
  /** A batch of the core's output was persisted, applied and sent; `status` is the core's state after it. */
  outputHandled(out: Output, status: RaftStatus): void;
  /** One of this node's proposals committed and was applied (its client gets the result). */
  proposalCommitted(): void;
  /** One of this node's proposals can never commit: another leader's entry took its index. */
  proposalFailed(): void;
  peerRoundTrip(peer: NodeId, ms: number): void;
  /** A leader told us it committed through `index` (we may not hold those entries yet). */
  leaderCommitHeard(index: number): void;
}

export interface HostOptions {
  raft: Omit<RaftConfig, 'random'> & { random: () => number };
  persisted: PersistedState;
  storage: HostStorage;
  env: HostEnvironment;
  /**
   * Round-trip estimates and the timing derived from them. The adapter passes its own when it also
   * measures a storage service; by default the host adapts to node-to-node round trips alone.
   */
  timing?: AdaptiveTiming;
  observer?: HostObserver;
}

/** The floors the derived timing starts from, from the node's start-up configuration. */
export function timingFloors(config: NodeConfig): TimingFloors {
  return {
    electionTimeoutMinMs: config.electionTimeoutMinMs,
    electionTimeoutMaxMs: config.electionTimeoutMaxMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    checkQuorumWindowMs: config.checkQuorumWindowMs,
    serviceTimeoutMs: config.serviceTimeoutMs,
    forwardTimeoutMs: config.forwardTimeoutMs,
    clientTimeoutMs: config.clientTimeoutMs,
  };
}

/** Floors from the core's settings alone, with Maelstrom's 1 s for the rest (hosts built without a NodeConfig). */
function floorsOfRaft(raft: HostOptions['raft']): TimingFloors {
  const { electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs, checkQuorumWindowMs } = initialTiming(raft);
  return {
    electionTimeoutMinMs,
    electionTimeoutMaxMs,
    heartbeatIntervalMs,
    checkQuorumWindowMs,
    serviceTimeoutMs: 1000,
    forwardTimeoutMs: 1000,
    clientTimeoutMs: 1000,
  };
}

/** The part of the derived timing the core uses. */
function coreTiming(t: DerivedTiming): RaftTiming {
  const { electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs, checkQuorumWindowMs, persistAllowanceMs, roundTripAllowanceMs, retransmitAfterMs } = t;
  return { electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs, checkQuorumWindowMs, persistAllowanceMs, roundTripAllowanceMs, retransmitAfterMs };
}

/** Sent-at times of requests kept per peer, for round trips; older ones are forgotten (lost or answered). */
const MAX_STAMPS_PER_PEER = 64;

/** The core's settings from the node's start-up configuration: both adapters run the same limits. */
export function raftSettings(config: NodeConfig, id: NodeId, nodeIds: NodeId[], random: () => number): HostOptions['raft'] {
  return {
    id,
    nodeIds,
    electionTimeoutMinMs: config.electionTimeoutMinMs,
    electionTimeoutMaxMs: config.electionTimeoutMaxMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    checkQuorumWindowMs: config.checkQuorumWindowMs,
    preVote: config.preVote,
    checkQuorum: config.checkQuorum,
    maxEntriesPerMessage: 500,
    // etcd's MaxSizePerMsg: a follower behind a run of large values gets them in 1 MiB messages.
    maxEntryCharsPerMessage: 1024 * 1024,
    maxInflightMessages: 4,
    snapshotThreshold: config.snapshotThreshold,
    // One JSON line per message in Maelstrom mode: keep each chunk modest.
    snapshotChunkSize: 64 * 1024,
    random,
  };
}

/** Node's own event loop as the host's timers (the simulator supplies virtual ones instead). */
export const eventLoopTimers: Pick<HostEnvironment, 'setTimer' | 'clearTimer' | 'defer'> = {
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
  defer: (fn) => setImmediate(fn),
};

/** A client request waiting for a leader it can run on. */
interface ParkedRequest {
  op: KvOperation;
  respond: Respond;
  mayForward: boolean;
  until: number;
  /** Set after a relay the leader refused: the node that refused, to wait past, and no second retry. */
  refusedBy?: NodeId;
}

interface PendingProposal {
  term: number;
  respond: Respond;
  createdAt: number;
}

/** Proposals whose fate is still unknown are forgotten after this long: their client gave up long ago. */
const PROPOSAL_TTL_MS = 60_000;

export class RaftHost {
  readonly core: RaftNode;
  private readonly kv = new KvStateMachine();
  private readonly storage: HostStorage;
  private readonly env: HostEnvironment;
  private readonly timing: AdaptiveTiming;
  private readonly observer: HostObserver | null;
  /** peer -> request key (append round or vote kind) -> when it actually left. */
  private readonly sentAt = new Map<NodeId, Map<string, number>>();

  /** Effects held back until the hard state they depend on is durable, in order. */
  private outbox: { ticket: number; send: () => void }[] = [];
  private latestTicket = 0;
  private waitingForTicket = 0;

  private readonly pendingProposals = new Map<number, PendingProposal>();
  private readonly pendingReads = new Map<number, { key: Json; respond: Respond }>();
  private nextReadCtx = 1;
  /** Requests that arrived while no leader was known, waiting briefly for an election to finish. */
  private parked: ParkedRequest[] = [];
  private parkTimer: unknown = null;
  private handoffWaiters: HandoffWaiter[] = [];
  private readonly confChangeWaiters = new ConfChangeWaiters();

  private drainScheduled = false;
  private timer: unknown = null;
  private timerDeadline = Infinity;
  private lastCleanup = 0;
  private stopped = false;
  private logLost: boolean;

  constructor(options: HostOptions) {
    this.storage = options.storage;
    this.env = options.env;
    this.observer = options.observer ?? null;
    // The state machine starts from the snapshot; the core starts applying after it.
    if (options.persisted.snapshot) this.kv.restore(options.persisted.snapshot.data);
    this.timing = options.timing ?? new AdaptiveTiming(floorsOfRaft(options.raft), true, (text) => this.env.log('info', text), options.raft.nodeIds.length);
    // The first election timer is drawn at construction: from what was measured so far (the adapter
    // may already have service round trips), not from the floors. The configuration keeps the
    // floors: the core never lets a follower time out below the configured minimum, and the first
    // estimate (one sample, its variation half the sample) runs high, so making it the floor would
    // slow every later failover.
    const t = this.timing.current();
    const raft = { ...options.raft, leaderLogWrittenAsynchronously: options.storage.appendLogInBackground !== undefined };
    this.core = new RaftNode(raft, options.persisted, this.env.now(), coreTiming(t));
    this.logLost = options.persisted.logLost === true;
    this.timing.onChange((t) => this.applyTiming(t));
    this.guarded('starting', () => this.drain());
  }

  status(): RaftStatus {
    return this.core.status();
  }

  /** The timing in force (derived from round trips unless fixed). */
  currentTiming(): DerivedTiming {
    return this.timing.current();
  }

  private applyTiming(t: DerivedTiming): void {
    this.core.setTiming(coreTiming(t));
  }

  /** A client operation: run here if we lead, forward once if we know who does, else wait briefly or refuse. */
  submit(op: KvOperation, respond: Respond, mayForward: boolean): void {
    this.guarded(`handling a client ${op.type}`, () => this.submitNow(op, respond, mayForward, null));
  }

  /** `refusedBy`: the node that already refused this request once (it is not retried again). */
  private submitNow(op: KvOperation, respond: Respond, mayForward: boolean, refusedBy: NodeId | null): void {
    const status = this.core.status();
    const gatedRespond: Respond = (reply) => this.afterPersist(() => respond(reply));
    if (status.role === 'leader') {
      if (op.type === 'read') {
        const ctx = this.nextReadCtx++;
        this.pendingReads.set(ctx, { key: op.key, respond: gatedRespond });
        this.core.readIndex(ctx);
      } else {
        const result = this.core.propose({ op } as unknown as Json);
        if (result.ok) this.pendingProposals.set(result.index, { term: result.term, respond: gatedRespond, createdAt: this.env.now() });
        else if (result.transferringTo !== null) this.parkDuringHandoff(op, respond);
        else gatedRespond(errorBody(ErrorCode.temporarilyUnavailable, 'not the leader'));
      }
      this.scheduleDrain();
      return;
    }
    if (status.leaderId !== null && mayForward) {
      const leader = status.leaderId;
      void this.env.forward(leader, op).then((reply) => {
        // A definite refusal (nothing was applied) from a node we took for the leader, typically one that
        // just handed leadership over (§3.10) before we heard of its successor: wait for a leader other
        // than it and relay once more, instead of failing a write that a moment later would succeed.
        if (reply !== 'timeout' && reply.type === 'error' && reply.code === ErrorCode.temporarilyUnavailable && refusedBy === null) {
          this.guarded('retrying a refused relay', () => this.park({ op, respond, mayForward: true, until: this.env.now() + this.timing.current().parkLimitMs, refusedBy: leader }));
          return;
        }
        // The leader may have applied it: after a timeout only an indefinite error is honest.
        respond(reply === 'timeout' ? errorBody(ErrorCode.timeout, `leader ${leader} did not answer in time; outcome unknown`) : reply);
      }).catch((err: unknown) => this.failStop('relaying a forwarded reply', err));
      return;
    }
    if (status.leaderId === null) {
      // Long enough for one election, short enough to answer before the client gives up.
      this.park({ op, respond, mayForward, until: this.env.now() + this.timing.current().parkLimitMs, ...(refusedBy === null ? {} : { refusedBy }) });
      return;
    }
    // Nothing was started, so this refusal is definite.
    respond(errorBody(ErrorCode.temporarilyUnavailable, `not the leader; ${status.leaderId} is`));
  }

  /** A Raft message from a peer, already checked field by field. */
  stepPeer(from: NodeId, msg: RaftMessage): void {
    this.guarded(`handling ${msg.type} from ${from}`, () => {
      this.measureRoundTrip(from, msg);
      if (msg.type === 'append_entries') this.observer?.leaderCommitHeard(msg.leader_commit);
      this.core.step(from, msg, this.env.now());
      this.scheduleDrain();
    });
  }

  /**
   * Asks the core to hand leadership to `target` (null: the most up-to-date follower) and resolves
   * when the transfer ends: this node stepped down, or the core gave up (it then leads as before).
   */
  transferLeadership(target: NodeId | null): Promise<HandoffOutcome> {
    if (this.stopped) return Promise.resolve({ outcome: 'refused', reason: 'the node is stopping' });
    const now = this.env.now();
    let started: TransferResult = { ok: false, reason: 'the node stopped' };
    this.guarded('starting a leadership transfer', () => {
      started = this.core.transferLeadership(target, now);
    });
    this.scheduleDrain();
    const result = started as TransferResult; // assigned in the closure above, which TypeScript cannot follow
    if (!result.ok) return Promise.resolve({ outcome: 'refused', reason: result.reason });
    return new Promise((resolve) => this.handoffWaiters.push({ target: result.target, startedAt: now, resolve }));
  }

  /**
   * A membership change (dissertation §4.2), on the leader: resolves once its outcome is known (see
   * ConfChangeOutcome). Only 'refused' and 'superseded' say that nothing happened.
   */
  proposeConfChange(change: ConfChange): Promise<ConfChangeOutcome> {
    let outcome: Promise<ConfChangeOutcome> = Promise.resolve({ outcome: 'unknown', index: 0, reason: 'the node stopped' });
    this.guarded(`proposing ${change.type} ${change.id}`, () => {
      const now = this.env.now();
      const result = this.core.proposeConfChange(change, now);
      outcome = result.ok ? this.confChangeWaiters.wait(result.index, result.term, now) : Promise.resolve({ outcome: 'refused', reason: result.reason, text: result.text, leaderId: result.leaderId });
    });
    this.scheduleDrain();
    return outcome;
  }

  /** The members of the configuration in force, with the leader's view of their progress. */
  members(): MemberProgress[] {
    return this.core.members();
  }

  stop(): void {
    this.confChangeWaiters.forget(Infinity, 'the node stopped');
    this.stopped = true;
    if (this.timer !== null) this.env.clearTimer(this.timer);
    if (this.parkTimer !== null) this.env.clearTimer(this.parkTimer);
  }

  /**
   * Every way into the core and the storage goes through here: an exception (a broken invariant, a
   * failed fsync) stops the host and is reported once to the adapter, which stops the node.
   */
  private guarded(context: string, fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (err) {
      this.failStop(context, err);
    }
  }

  private failStop(context: string, err: unknown): void {
    if (this.stopped) return;
    this.stop();
    this.env.fatal(context, err);
  }

  // ---------------------------------------------------------------- output

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    this.env.defer(() => this.guarded('persisting and sending the core\'s output', () => this.drain()));
  }

  private drain(): void {
    this.drainScheduled = false;
    const now = this.env.now();
    const out: Output = this.core.takeOutput(now);
    for (const e of out.events) this.env.log(e.level, e.text, e.role, e.term);
    // Durability first: a snapshot from the leader before the log writes that drop what it replaces,
    // the log synchronously, then the hard state (messages wait for all of them).
    if (out.installSnapshot !== null) this.installSnapshot(out.installSnapshot);
    if (out.installSnapshot !== null) this.confChangeWaiters.coveredBySnapshot(out.installSnapshot.index);
    const early = this.sendAppendsBeforeLogWrite(out);
    if (out.logWrites.length > 0) this.writeLog(out.logWrites);
    if (this.logLost && !this.core.status().logLost) {
      this.logLost = false;
      this.storage.logCaughtUp?.();
    }
    if (out.hardState !== null) this.latestTicket = this.storage.persistHardState(out.hardState);
    for (const entry of out.committed) this.apply(entry);
    if (out.configChanged !== null) this.env.configurationChanged?.(out.configChanged);
    if (out.snapshotWanted !== null) this.takeSnapshot(out.snapshotWanted);
    for (const read of out.reads) this.answerRead(read);
    for (const m of out.messages) if (!early.has(m)) this.afterPersist(() => this.sendPeer(m.to, m.body));
    this.settleHandoffs(now);
    this.releaseParked(now);
    this.observer?.outputHandled(out, this.core.status());
    if (now - this.lastCleanup > 10_000) this.forgetAbandonedProposals(now);
    this.armTimer(this.core.nextDeadline(), now);
    // What this batch sent leaves now; an adapter that batches writes would otherwise hold it to its
    // own end-of-turn flush, after the next input.
    this.env.flushPeers?.();
  }

  /**
   * A leader may send its new entries to the followers before writing them to its own disk
   * (dissertation §10.2.1), as long as it counts itself toward a commit only once its own write is
   * durable: either the write is synchronous (no follower's answer is read before it returns) or it
   * runs in the background and the core waits for leaderLogDurable (writeLog). Only appends of a leader,
   * and only when nothing sent so far still waits for durable state (their term is durable then).
   */
  private sendAppendsBeforeLogWrite(out: Output): Set<Output['messages'][number]> {
    const early = new Set<Output['messages'][number]>();
    if (out.logWrites.length === 0 || out.hardState !== null || this.outbox.length > 0 || !this.storage.isDurable(this.latestTicket)) return early;
    if (this.core.status().role !== 'leader') return early;
    for (const m of out.messages) {
      if (m.body.type !== 'append_entries') continue;
      early.add(m);
      this.sendPeer(m.to, m.body);
    }
    if (early.size > 0) this.env.flushPeers?.();
    return early;
  }

  /**
   * A leader's appends go to the disk in the background when the storage can (the core counts the
   * leader toward a commit only once they are durable); everything else, and every follower's write
   * (its acknowledgement must not leave before it), is durable before this returns.
   */
  private writeLog(writes: readonly LogWrite[]): void {
    const background = this.storage.appendLogInBackground;
    const { role, term, lastLogIndex } = this.core.status();
    if (background === undefined) {
      this.storage.appendLog(writes);
      return;
    }
    if (role === 'leader' && writes.every((w) => w.kind === 'append')) {
      background.call(this.storage, writes, (err) => {
        if (err !== null) this.failStop('writing the log', err);
        else this.guarded('counting our own durable log', () => {
          this.core.leaderLogDurable(lastLogIndex, term, this.env.now());
          this.scheduleDrain();
        });
      });
      return;
    }
    // A synchronous fsync covers every earlier background write too.
    this.storage.appendLog(writes);
    this.core.leaderLogDurable(lastLogIndex, term, this.env.now());
  }

  /**
   * The leader's snapshot replaces our state. Loaded first (restore changes nothing if the data does
   * not decode, so a bad snapshot is never made durable), then made durable before the log writes.
   */
  private installSnapshot(snapshot: Snapshot): void {
    this.kv.restore(snapshot.data);
    this.storage.saveSnapshot(snapshot);
  }

  /**
   * The state machine is now exactly at `at.index` (this batch's entries are applied): save it, and
   * only once it is durable let the core discard the log before it.
   */
  private takeSnapshot(at: SnapshotMeta): void {
    const snapshot: Snapshot = { ...at, data: this.kv.serialize() };
    this.storage.saveSnapshot(snapshot);
    this.core.snapshotSaved(snapshot);
    this.env.log('info', `saved a snapshot through index ${at.index} (${this.kv.size()} keys, ${snapshot.data.length} bytes)`);
    this.scheduleDrain(); // the core's compaction is a log write of the next batch
  }

  // ---------------------------------------------------------------- round trips

  /** Sends a peer message, noting when a request left so its answer yields a round trip. */
  private sendPeer(to: NodeId, body: RaftMessage): void {
    const key = requestKey(body);
    if (key !== null) {
      let stamps = this.sentAt.get(to);
      if (stamps === undefined) this.sentAt.set(to, (stamps = new Map()));
      // A request re-sent with the same key (a repeated probe) keeps its first time: at worst an overestimate.
      if (!stamps.has(key)) {
        stamps.set(key, this.env.now());
        if (stamps.size > MAX_STAMPS_PER_PEER) stamps.delete(stamps.keys().next().value as string);
      }
    }
    this.env.sendPeer(to, body);
  }

  private measureRoundTrip(from: NodeId, msg: RaftMessage): void {
    const key = answerKey(msg);
    const stamps = key === null ? undefined : this.sentAt.get(from);
    const sent = key === null ? undefined : stamps?.get(key);
    if (key === null || stamps === undefined || sent === undefined) return;
    stamps.delete(key);
    this.timing.peerRoundTrip(from, this.env.now() - sent);
    this.observer?.peerRoundTrip(from, this.env.now() - sent);
  }

  private apply(entry: CommittedEntry): void {
    const pending = this.pendingProposals.get(entry.index);
    if (pending !== undefined) this.pendingProposals.delete(entry.index);
    this.confChangeWaiters.committed(entry);
    const op = decodeCommand(entry);
    if (op === null) {
      if (entry.data.kind === 'command') this.env.log('warn', `skipping undecodable entry at index ${entry.index}`);
      if (pending !== undefined) this.answerSuperseded(pending, entry);
      return;
    }
    const result = this.kv.apply(op);
    if (pending === undefined) return;
    if (pending.term === entry.term) {
      this.observer?.proposalCommitted();
      pending.respond(result);
    } else this.answerSuperseded(pending, entry);
  }

  /**
   * Our proposal at this index was replaced by another leader's entry. A (term, index) pair belongs to one
   * leader, which proposed it once; a different committed entry there means ours can never commit.
   * So this is the rare case where a definite refusal after appending is honest.
   */
  private answerSuperseded(pending: PendingProposal, entry: CommittedEntry): void {
    this.observer?.proposalFailed();
    pending.respond(errorBody(ErrorCode.temporarilyUnavailable, `entry at index ${entry.index} was superseded by term ${entry.term}; not applied`));
  }

  private answerRead(read: ReadOutcome): void {
    const pending = this.pendingReads.get(read.ctx);
    if (pending === undefined) return;
    this.pendingReads.delete(read.ctx);
    if (read.ok) pending.respond(this.kv.apply({ type: 'read', key: pending.key }));
    else pending.respond(errorBody(ErrorCode.temporarilyUnavailable, `read refused: ${read.reason}`));
  }

  /**
   * A write that reached the leader while it hands leadership over waits for the hand-over to end
   * instead of failing: then it runs here (transfer abandoned) or follows leadership to the new
   * leader, one relay further even if it was relayed to us (the hand-over is why it is not here).
   */
  private parkDuringHandoff(op: KvOperation, respond: Respond): void {
    this.park({ op, respond, mayForward: true, until: this.env.now() + this.timing.current().parkLimitMs });
  }

  private park(request: ParkedRequest): void {
    this.parked.push(request);
    this.armParkTimer();
  }

  /** Resolves the promises of transferLeadership once the core's transfer is over. */
  private settleHandoffs(now: number): void {
    if (this.handoffWaiters.length === 0 || this.core.transferTarget() !== null) return;
    const status = this.core.status();
    const waiters = this.handoffWaiters;
    this.handoffWaiters = [];
    for (const w of waiters) {
      const ms = Math.round(now - w.startedAt);
      if (status.role === 'leader') w.resolve({ outcome: 'abandoned', target: w.target, ms });
      else w.resolve({ outcome: 'handed-over', target: w.target, ms, leaderId: status.leaderId });
    }
  }

  /** Retries parked requests once a leader is known; refuses (definitely: nothing started) those that waited too long. */
  private releaseParked(now: number): void {
    if (this.parked.length === 0) return;
    const status = this.core.status();
    // While our own hand-over runs, a leader is known but cannot take writes: keep waiting.
    const leaderCanServe = status.leaderId !== null && this.core.transferTarget() === null;
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) {
      // A request the known leader already refused waits until another leader is known.
      if (leaderCanServe && status.leaderId !== p.refusedBy) this.guarded(`handling a client ${p.op.type}`, () => this.submitNow(p.op, p.respond, p.mayForward, p.refusedBy ?? null));
      else if (now >= p.until) p.respond(errorBody(ErrorCode.temporarilyUnavailable, p.refusedBy === undefined ? `no leader known in term ${status.term}` : `${p.refusedBy} refused as not the leader and no other leader is known in term ${status.term}`));
      else this.parked.push(p);
    }
    this.armParkTimer();
  }

  private armParkTimer(): void {
    if (this.parkTimer !== null || this.parked.length === 0) return;
    const first = Math.min(...this.parked.map((p) => p.until));
    this.parkTimer = this.env.setTimer(() => {
      this.parkTimer = null;
      this.guarded('releasing parked requests', () => {
        this.releaseParked(this.env.now());
        this.scheduleDrain();
      });
    }, Math.max(1, Math.ceil(first - this.env.now())));
  }

  private forgetAbandonedProposals(now: number): void {
    this.lastCleanup = now;
    for (const [index, p] of this.pendingProposals) {
      if (now - p.createdAt > PROPOSAL_TTL_MS) this.pendingProposals.delete(index);
    }
    this.confChangeWaiters.forget(now - PROPOSAL_TTL_MS, `no outcome within ${PROPOSAL_TTL_MS} ms`);
  }

  /** Runs `effect` once the hard state persisted so far is durable; effects keep their order. */
  private afterPersist(effect: () => void): void {
    this.outbox.push({ ticket: this.latestTicket, send: effect });
    this.flushOutbox();
  }

  private flushOutbox(): void {
    let sent = 0;
    while (sent < this.outbox.length) {
      const next = this.outbox[sent] as { ticket: number; send: () => void };
      if (!this.storage.isDurable(next.ticket)) {
        if (this.waitingForTicket !== next.ticket) {
          this.waitingForTicket = next.ticket;
          void this.storage.whenDurable(next.ticket).then(() => this.guarded('sending after persisting', () => this.flushOutbox()));
        }
        break;
      }
      next.send();
      sent++;
    }
    if (sent > 0) this.outbox.splice(0, sent);
  }

  private armTimer(deadline: number, now: number): void {
    if (deadline === this.timerDeadline && this.timer !== null) return;
    if (this.timer !== null) this.env.clearTimer(this.timer);
    this.timerDeadline = deadline;
    if (!Number.isFinite(deadline)) {
      this.timer = null;
      return;
    }
    this.timer = this.env.setTimer(() => {
      this.timer = null;
      this.timerDeadline = Infinity;
      // Tick only after the input that is already waiting has been read: when a busy machine stalls
      // the process past its election deadline, Node runs due timers BEFORE polling for input, so
      // ticking right here would start an election although the leader's heartbeats sit unread in
      // the pipe. Deferred, the tick sees them (the core re-checks every deadline against `now`).
      this.env.defer(() =>
        this.guarded('ticking', () => {
          this.core.tick(this.env.now());
          this.drain();
        }),
      );
    }, Math.max(0, Math.ceil(deadline - now)));
  }
}

/** What pairs a request with its answer: the heartbeat round of appends, the kind and term of a vote request. */
function requestKey(body: RaftMessage): string | null {
  // The answer echoes round and prev_log_index (as reject_index): each request pairs with its own answer.
  if (body.type === 'append_entries') return `round ${body.round} after ${body.prev_log_index}`;
  // Pre-votes only: a real vote's answer waits for the voter's disk (the service), not just the network.
  if (body.type === 'request_vote' && body.pre_vote) return `pre-vote ${body.term}`;
  return null;
}

function answerKey(body: RaftMessage): string | null {
  if (body.type === 'append_entries_result') return `round ${body.round} after ${body.reject_index}`;
  // A refusal carries the voter's term, not the one asked about: only grants pair up for sure.
  if (body.type === 'request_vote_result' && body.pre_vote && body.vote_granted) return `pre-vote ${body.term}`;
  return null;
}

/** The operation inside a log entry, or null for a no-op or anything that does not decode. */
export function decodeCommand(entry: { data: EntryData }): KvOperation | null {
  if (entry.data.kind !== 'command') return null;
  const command = entry.data.command;
  const op = typeof command === 'object' && command !== null && !Array.isArray(command) ? command['op'] : undefined;
  if (typeof op !== 'object' || op === null || Array.isArray(op)) return null;
  const checked = checkKvOperation(op as Body);
  return checked.ok ? checked.value : null;
}

/**
 * Rebuilds the leader's answer to a forwarded request field by field, with exactly the fields
 * Maelstrom's closed schemas allow: a peer's body is input, not something to pass on blindly.
 */
export function relayedReply(body: Body): ClientReply {
  switch (body['type']) {
    case 'read_ok':
      return { type: 'read_ok', value: body['value'] ?? null };
    case 'write_ok':
      return { type: 'write_ok' };
    case 'cas_ok':
      return { type: 'cas_ok' };
    case 'error':
      return { type: 'error', code: typeof body['code'] === 'number' ? body['code'] : ErrorCode.crash, text: String(body['text'] ?? '') };
    default:
      return errorBody(ErrorCode.crash, `leader sent an unexpected reply (${String(body['type'])}); outcome unknown`);
  }
}

/** Storage for tests and single-node clusters: everything is "durable" at once, nothing survives. */
export class MemoryStorage implements HostStorage {
  appendLog(): void {}
  saveSnapshot(): void {}
  persistHardState(): number {
    return 0;
  }
  isDurable(): boolean {
    return true;
  }
  whenDurable(): Promise<void> {
    return Promise.resolve();
  }
}
