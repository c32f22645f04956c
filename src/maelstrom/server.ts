// The Maelstrom adapter: everything the pure Raft core must not do. It reads protocol lines, owns the
// clock, the timer, the random source and the lin-kv service client, feeds the core, and carries out
// the core's Output in the required order: persist the hard state, THEN send what depends on it.
import type { NodeConfig } from '../config.ts';
import type { Json } from '../json.ts';
import type { KvOperation, KvResult } from '../kv/operations.ts';
import { KvStateMachine } from '../kv/state-machine.ts';
import type { Logger } from '../logger.ts';
import { RaftNode } from '../raft/node.ts';
import type { CommittedEntry, HardState, LogEntry, Output, ReadOutcome } from '../raft/types.ts';
import { WriteAheadLog } from '../storage/wal.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RAFT_MESSAGE_TYPES } from '../raft/types.ts';
import { HardStateStore } from './hard-state-store.ts';
import { KvServiceClient } from './kv-service.ts';
import {
  checkInit,
  checkKvOperation,
  checkRaftMessage,
  errorBody,
  ErrorCode,
  isMessageId,
  KV_OPERATION_TYPES,
  parseLine,
  type Body,
  type Envelope,
} from './protocol.ts';
import { Rpc } from './rpc.ts';
import type { Transport } from './transport.ts';

/** Sends the one reply a client request gets. */
type Respond = (body: Body) => void;

interface PendingProposal {
  term: number;
  respond: Respond;
  createdAt: number;
}

export interface ServerDeps {
  config: NodeConfig;
  transport: Transport;
  logger: Logger;
  /** Monotonic milliseconds. */
  now: () => number;
  random: () => number;
  /** Distinguishes this process from earlier runs of the same node in the hard-state record. */
  incarnation: string;
  /** How long to wait for the lin-kv service before asking again. */
  serviceTimeoutMs?: number;
  /** Where write-ahead log files go; null keeps the log in memory only. */
  dataDir: string | null;
  /** How long a follower waits for the leader to answer a forwarded request. */
  forwardTimeoutMs?: number;
}

const RAFT_TYPES = new Set<string>(RAFT_MESSAGE_TYPES);
/** Proposals whose fate is still unknown are forgotten after this long: their client gave up long ago. */
const PROPOSAL_TTL_MS = 60_000;

export class MaelstromServer {
  private nodeId = '';
  private nodeIds: string[] = [];
  private core: RaftNode | null = null;
  private readonly kv = new KvStateMachine();
  private readonly rpc: Rpc;
  private store: HardStateStore | null = null;
  private wal: WriteAheadLog | null = null;

  /** Messages held back until the hard state they depend on is durable: [ticket, dest, body]. */
  private outbox: { ticket: number; dest: string; body: Body }[] = [];
  private latestTicket = 0;
  private waitingForTicket = 0;

  private readonly pendingProposals = new Map<number, PendingProposal>();
  private readonly pendingReads = new Map<number, { key: Json; respond: Respond }>();
  private nextReadCtx = 1;

  /** Requests that arrived while no leader was known, waiting briefly for an election to finish. */
  private parked: { op: KvOperation; respond: Respond; mayForward: boolean; until: number }[] = [];
  private parkTimer: NodeJS.Timeout | null = null;

  private drainScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerDeadline = Infinity;
  private lastCleanup = 0;

  constructor(private readonly deps: ServerDeps) {
    this.rpc = new Rpc(deps.transport);
  }

  /** For log lines: who we are and what the core thinks right now. */
  logContext(): { node: string; role: string; term: number | null } {
    const status = this.core?.status();
    return { node: this.nodeId, role: status?.role ?? (this.nodeId ? 'starting' : 'uninitialized'), term: status?.term ?? null };
  }

  status(): ReturnType<RaftNode['status']> | null {
    return this.core?.status() ?? null;
  }

  // ---------------------------------------------------------------- input

  handleLine(line: string): void {
    if (line.trim() === '') return;
    const parsed = parseLine(line);
    if (parsed.kind === 'malformed') {
      this.deps.logger.warn(`malformed message (${parsed.reason}): ${abbreviate(line)}`);
      if (parsed.replyTo) this.replyError(parsed.replyTo.src, parsed.replyTo.msgId, ErrorCode.malformedRequest, parsed.reason, parsed.replyTo.dest);
      return;
    }
    try {
      this.handleMessage(parsed.envelope);
    } catch (err) {
      // A bug must not take the node down with it, nor go unnoticed.
      this.deps.logger.warn(`error while handling ${abbreviate(line)}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      const msgId = parsed.envelope.body['msg_id'];
      if (isMessageId(msgId)) this.replyError(parsed.envelope.src, msgId, ErrorCode.crash, 'internal error; outcome unknown');
    }
  }

  private handleMessage(env: Envelope): void {
    const { body } = env;
    const type = body['type'] as string;
    const msgId = body['msg_id'];

    if (isMessageId(body['in_reply_to'])) {
      if (!this.rpc.handleReply(body['in_reply_to'], body)) this.deps.logger.debug(`dropped late or unknown reply ${type} from ${env.src}`);
      return;
    }
    if (this.nodeId !== '' && env.dest !== this.nodeId) {
      this.deps.logger.warn(`dropped ${type} from ${env.src} addressed to ${env.dest}, not to me`);
      return;
    }
    if (type === 'init') {
      this.handleInit(env);
      return;
    }
    if (this.nodeId === '') {
      this.deps.logger.warn(`${type} from ${env.src} before init: refused`);
      if (isMessageId(msgId)) this.replyError(env.src, msgId, ErrorCode.temporarilyUnavailable, 'node not initialized yet', env.dest);
      return;
    }
    if (KV_OPERATION_TYPES.has(type)) {
      this.handleClientRequest(env);
    } else if (type === 'forward') {
      this.handleForward(env);
    } else if (RAFT_TYPES.has(type)) {
      this.handleRaftMessage(env);
    } else {
      this.deps.logger.warn(`unsupported message type "${type}" from ${env.src}`);
      if (isMessageId(msgId)) this.replyError(env.src, msgId, ErrorCode.notSupported, `unsupported message type "${type}"`);
    }
  }

  private handleInit(env: Envelope): void {
    const msgId = env.body['msg_id'];
    const checked = checkInit(env.body);
    if (!checked.ok) {
      this.deps.logger.warn(`bad init from ${env.src}: ${checked.reason}`);
      if (isMessageId(msgId)) this.replyError(env.src, msgId, ErrorCode.malformedRequest, checked.reason, env.dest);
      return;
    }
    const { nodeId, nodeIds } = checked.value;
    if (this.nodeId !== '') {
      const same = nodeId === this.nodeId && nodeIds.join() === this.nodeIds.join();
      this.deps.logger.warn(`second init from ${env.src} (${same ? 'same' : 'different'} cluster)`);
      if (isMessageId(msgId)) {
        if (same) this.deps.transport.send(env.src, { type: 'init_ok', in_reply_to: msgId });
        else this.replyError(env.src, msgId, ErrorCode.malformedRequest, `already initialized as ${this.nodeId}`);
      }
      return;
    }
    this.nodeId = nodeId;
    this.nodeIds = nodeIds;
    this.deps.transport.setNodeId(nodeId);
    if (isMessageId(msgId)) this.deps.transport.send(env.src, { type: 'init_ok', in_reply_to: msgId });
    this.deps.logger.info(`initialized as ${nodeId} in cluster [${nodeIds.join(', ')}]; loading term and vote from lin-kv`);
    void this.startRaft();
  }

  private async startRaft(): Promise<void> {
    let hardState: HardState = { term: 0, votedFor: null };
    let entries: LogEntry[] = [];
    if (this.nodeIds.length > 1) {
      const kvClient = new KvServiceClient(this.rpc, 'lin-kv', this.deps.serviceTimeoutMs ?? 1000);
      const store = new HardStateStore(kvClient, this.nodeId, this.deps.incarnation, (level, text) => this.deps.logger.log(level, text));
      try {
        const loaded = await store.load();
        hardState = loaded.hardState;
        entries = this.openLog(store.logId, loaded.fresh);
      } catch (err) {
        this.deps.logger.warn(`cannot start Raft: ${err instanceof Error ? err.message : String(err)}`);
        return; // stay up and answer error 11: a wrong term would be worse than no service
      }
      this.store = store;
    } else {
      // Votes are only durable so that no two candidates of one term can both win. Alone, nobody else
      // votes, so a single-node cluster runs without the service (and works where there is none).
      this.deps.logger.info('single-node cluster: term and vote kept in memory (there is no other voter)');
    }
    const c = this.deps.config;
    this.core = new RaftNode(
      {
        id: this.nodeId,
        nodeIds: this.nodeIds,
        electionTimeoutMinMs: c.electionTimeoutMinMs,
        electionTimeoutMaxMs: c.electionTimeoutMaxMs,
        heartbeatIntervalMs: c.heartbeatIntervalMs,
        preVote: c.preVote,
        checkQuorum: c.checkQuorum,
        maxEntriesPerMessage: 500,
        maxInflightMessages: 4,
        random: this.deps.random,
      },
      { hardState, entries },
      this.deps.now(),
    );
    this.drain();
  }

  /**
   * The log lives in a write-ahead file named by the log id stored with our term and vote, so a
   * restarted process (the bench's kill nemesis) finds its own log and never another run's.
   */
  private openLog(logId: string, fresh: boolean): LogEntry[] {
    if (this.deps.dataDir === null) return [];
    const path = join(this.deps.dataDir, `${this.nodeId}-${logId}.wal`);
    if (!fresh && !existsSync(path)) {
      this.deps.logger.warn(`write-ahead log ${path} is missing although this node has run before: starting with an empty log`);
    }
    const { wal, state } = WriteAheadLog.open(path);
    if (state.repaired !== null) {
      this.deps.logger.warn(`write-ahead log ${path}: cut off a damaged tail at byte ${state.repaired.atOffset} (${state.repaired.droppedBytes} bytes, ${state.repaired.reason})`);
    }
    this.wal = wal;
    this.deps.logger.info(`write-ahead log ${path}: ${state.entries.length} entries recovered`);
    return state.entries;
  }

  private handleClientRequest(env: Envelope): void {
    const msgId = env.body['msg_id'];
    if (!isMessageId(msgId)) {
      this.deps.logger.warn(`${String(env.body['type'])} from ${env.src} has no msg_id: cannot answer it, dropped`);
      return;
    }
    const checked = checkKvOperation(env.body);
    if (!checked.ok) {
      this.deps.logger.warn(`malformed ${String(env.body['type'])} from ${env.src}: ${checked.reason}`);
      this.replyError(env.src, msgId, ErrorCode.malformedRequest, checked.reason);
      return;
    }
    const respond: Respond = (body) => this.sendAfterPersist(env.src, { ...body, in_reply_to: msgId });
    this.submit(checked.value, respond, true);
  }

  /** A peer relays a client request to us because it believes we lead. */
  private handleForward(env: Envelope): void {
    const msgId = env.body['msg_id'];
    if (!isMessageId(msgId)) return;
    const request = env.body['request'];
    const checked = typeof request === 'object' && request !== null && !Array.isArray(request) ? checkKvOperation(request) : null;
    if (checked === null || !checked.ok) {
      this.replyError(env.src, msgId, ErrorCode.malformedRequest, checked?.ok === false ? checked.reason : 'forward needs a "request" object');
      return;
    }
    const respond: Respond = (body) => this.sendAfterPersist(env.src, { ...body, in_reply_to: msgId });
    this.submit(checked.value, respond, false);
  }

  /** Runs a client operation here if we lead, forwards it once if we know who does, else refuses it. */
  private submit(op: KvOperation, respond: Respond, mayForward: boolean): void {
    const core = this.core;
    if (core === null) {
      respond(errorBody(ErrorCode.temporarilyUnavailable, 'starting up: term and vote not loaded yet'));
      return;
    }
    const status = core.status();
    if (status.role === 'leader') {
      if (op.type === 'read') {
        const ctx = this.nextReadCtx++;
        this.pendingReads.set(ctx, { key: op.key, respond });
        core.readIndex(ctx);
      } else {
        const result = core.propose({ op } as unknown as Json);
        if (result.ok) this.pendingProposals.set(result.index, { term: result.term, respond, createdAt: this.deps.now() });
        else respond(errorBody(ErrorCode.temporarilyUnavailable, 'not the leader'));
      }
      this.scheduleDrain();
      return;
    }
    if (status.leaderId !== null && mayForward) {
      void this.forward(status.leaderId, op, respond);
      return;
    }
    if (status.leaderId === null) {
      // An election is probably under way: hold the request for a while rather than fail it at once.
      this.parked.push({ op, respond, mayForward, until: this.deps.now() + this.parkLimitMs() });
      this.armParkTimer();
      return;
    }
    // Nothing was started, so this refusal is definite.
    respond(errorBody(ErrorCode.temporarilyUnavailable, `not the leader; ${status.leaderId} is`));
  }

  /** Long enough for one election, short enough to answer before Maelstrom's 1 s client timeout. */
  private parkLimitMs(): number {
    return Math.min(this.deps.config.electionTimeoutMaxMs + 100, 600);
  }

  /** Retries parked requests once a leader is known; refuses (definitely: nothing started) those that waited too long. */
  private releaseParked(now: number): void {
    if (this.parked.length === 0 || this.core === null) return;
    const leaderKnown = this.core.status().leaderId !== null;
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) {
      if (leaderKnown) this.submit(p.op, p.respond, p.mayForward);
      else if (now >= p.until) p.respond(errorBody(ErrorCode.temporarilyUnavailable, `no leader known in term ${this.core.status().term}`));
      else this.parked.push(p);
    }
    this.armParkTimer();
  }

  private armParkTimer(): void {
    if (this.parkTimer !== null || this.parked.length === 0) return;
    const first = Math.min(...this.parked.map((p) => p.until));
    this.parkTimer = setTimeout(() => {
      this.parkTimer = null;
      this.releaseParked(this.deps.now());
      this.scheduleDrain();
    }, Math.max(1, Math.ceil(first - this.deps.now())));
  }

  /** Node to node, under our own id: Maelstrom's partitions must be able to cut this path. */
  private async forward(leader: string, op: KvOperation, respond: Respond): Promise<void> {
    const outcome = await this.rpc.call(leader, { type: 'forward', request: op as unknown as Json }, this.deps.forwardTimeoutMs ?? 1500);
    if (outcome.kind === 'timeout') {
      // The leader may have applied it: only an indefinite error is honest here.
      respond(errorBody(ErrorCode.timeout, `leader ${leader} did not answer in time; outcome unknown`));
      return;
    }
    respond(cleanReply(outcome.body));
  }

  private handleRaftMessage(env: Envelope): void {
    const checked = checkRaftMessage(env.body);
    if (!checked.ok) {
      this.deps.logger.warn(`refused raft message from ${env.src}: ${checked.reason}`);
      return;
    }
    if (!this.nodeIds.includes(env.src) || env.src === this.nodeId) {
      this.deps.logger.warn(`refused ${checked.value.type} from ${env.src}: not a peer`);
      return;
    }
    if (this.core === null) return; // still loading our term: peers will retry
    this.core.step(env.src, checked.value, this.deps.now());
    this.scheduleDrain();
  }

  // ---------------------------------------------------------------- output

  /** Collects the core's output once per turn of the event loop, so requests that arrive together travel together. */
  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.drainScheduled = false;
    const core = this.core;
    if (core === null) return;
    const now = this.deps.now();
    const out: Output = core.takeOutput(now);
    for (const e of out.events) this.deps.logger.log(e.level, e.text, e.role, e.term);
    // Durability first: the log synchronously, term and vote through the service (messages wait for both).
    if (out.logWrites.length > 0) this.wal?.append(null, out.logWrites);
    if (out.hardState !== null && this.store !== null) this.latestTicket = this.store.persist(out.hardState);
    for (const entry of out.committed) this.apply(entry);
    for (const read of out.reads) this.answerRead(read);
    for (const m of out.messages) this.sendAfterPersist(m.to, m.body as unknown as Body);
    this.flushOutbox();
    this.releaseParked(now);
    if (now - this.lastCleanup > 10_000) this.forgetAbandonedProposals(now);
    this.armTimer(core.nextDeadline(), now);
  }

  private apply(entry: CommittedEntry): void {
    const pending = this.pendingProposals.get(entry.index);
    if (pending !== undefined) this.pendingProposals.delete(entry.index);
    if (entry.data.kind === 'noop') {
      if (pending !== undefined) this.answerSuperseded(pending, entry);
      return;
    }
    const command = entry.data.command;
    const op = typeof command === 'object' && command !== null && !Array.isArray(command) ? command['op'] : undefined;
    const checked = typeof op === 'object' && op !== null && !Array.isArray(op) ? checkKvOperation(op) : null;
    if (checked === null || !checked.ok) {
      this.deps.logger.warn(`skipping undecodable entry at index ${entry.index}: ${abbreviate(JSON.stringify(command))}`);
      if (pending !== undefined) this.answerSuperseded(pending, entry);
      return;
    }
    const result: KvResult = this.kv.apply(checked.value);
    if (pending === undefined) return;
    if (pending.term === entry.term) pending.respond(result);
    else this.answerSuperseded(pending, entry);
  }

  /**
   * Our proposal at this index was replaced by another leader's entry. A (term, index) pair belongs to one
   * leader, which proposed it once; a different committed entry there means ours can never commit.
   * So this is the rare case where a definite refusal after appending is honest.
   */
  private answerSuperseded(pending: PendingProposal, entry: CommittedEntry): void {
    pending.respond(errorBody(ErrorCode.temporarilyUnavailable, `entry at index ${entry.index} was superseded by term ${entry.term}; not applied`));
  }

  private answerRead(read: ReadOutcome): void {
    const pending = this.pendingReads.get(read.ctx);
    if (pending === undefined) return;
    this.pendingReads.delete(read.ctx);
    if (read.ok) pending.respond(this.kv.apply({ type: 'read', key: pending.key }));
    else pending.respond(errorBody(ErrorCode.temporarilyUnavailable, `read refused: ${read.reason}`));
  }

  private forgetAbandonedProposals(now: number): void {
    this.lastCleanup = now;
    for (const [index, p] of this.pendingProposals) {
      if (now - p.createdAt > PROPOSAL_TTL_MS) this.pendingProposals.delete(index);
    }
  }

  private sendAfterPersist(dest: string, body: Body): void {
    this.outbox.push({ ticket: this.latestTicket, dest, body });
    this.flushOutbox();
  }

  /** Sends held messages in order, as far as the durable hard state allows. */
  private flushOutbox(): void {
    const store = this.store;
    let sent = 0;
    while (sent < this.outbox.length) {
      const next = this.outbox[sent] as { ticket: number; dest: string; body: Body };
      if (store !== null && !store.isDurable(next.ticket)) {
        if (this.waitingForTicket !== next.ticket) {
          this.waitingForTicket = next.ticket;
          void store.whenDurable(next.ticket).then(() => this.flushOutbox());
        }
        break;
      }
      this.deps.transport.send(next.dest, next.body);
      sent++;
    }
    if (sent > 0) this.outbox.splice(0, sent);
  }

  /** `ownIdGuess`: before init we have no id of our own, so we answer as whatever the sender called us. */
  private replyError(dest: string, msgId: number, code: (typeof ErrorCode)[keyof typeof ErrorCode], text: string, ownIdGuess?: string | null): void {
    const src = this.nodeId !== '' ? this.nodeId : ownIdGuess;
    if (!src) {
      this.deps.logger.warn(`cannot answer ${dest} (msg ${msgId}) before init: no node id to answer as`);
      return;
    }
    this.deps.transport.send(dest, { ...errorBody(code, text), in_reply_to: msgId }, src);
  }

  private armTimer(deadline: number, now: number): void {
    if (deadline === this.timerDeadline && this.timer !== null) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerDeadline = deadline;
    if (!Number.isFinite(deadline)) {
      this.timer = null;
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDeadline = Infinity;
      this.core?.tick(this.deps.now());
      this.drain();
    }, Math.max(0, Math.ceil(deadline - now)));
  }
}

/** Rebuilds a relayed reply with exactly the fields Maelstrom's closed schemas allow. */
function cleanReply(body: Body): Body {
  switch (body['type']) {
    case 'read_ok':
      return { type: 'read_ok', value: body['value'] ?? null };
    case 'write_ok':
    case 'cas_ok':
      return { type: body['type'] };
    case 'error':
      return { type: 'error', code: typeof body['code'] === 'number' ? body['code'] : ErrorCode.crash, text: String(body['text'] ?? '') };
    default:
      return errorBody(ErrorCode.crash, `leader sent an unexpected reply (${String(body['type'])}); outcome unknown`);
  }
}

function abbreviate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}... (${text.length} chars)` : text;
}
