// The Maelstrom adapter: the protocol side of the node. It parses stdin lines, answers init, keeps
// term and vote in the lin-kv service and the log in a write-ahead file, and hands client requests
// and Raft messages to the RaftHost, which runs the core and orders its effects.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NodeConfig } from '../config.ts';
import { AdaptiveTiming } from '../host/adaptive-timing.ts';
import type { FatalHandler } from '../host/fatal.ts';
import { RaftHost, MemoryStorage, eventLoopTimers, raftSettings, relayedReply, timingFloors, type ClientReply, type HostStorage, type Respond } from '../host/raft-host.ts';
import type { Json } from '../json.ts';
import type { KvOperation } from '../kv/operations.ts';
import type { Logger } from '../logger.ts';
import type { HardState, LogEntry, LogWrite, RaftStatus, Snapshot } from '../raft/types.ts';
import { RAFT_MESSAGE_TYPES } from '../raft/types.ts';
import { describeRecoveredLog, openDurableLog } from '../storage/durable-log.ts';
import { writeSnapshotFile } from '../storage/snapshot-file.ts';
import type { WriteAheadLog } from '../storage/wal.ts';
import { HardStateStore } from './hard-state-store.ts';
import { KvServiceClient } from './kv-service.ts';
import { LOG_REFRESH_INTERVAL_MS, logFileName, lostMarkerPath, pruneStaleLogs, refreshLog, snapshotPathOf, STALE_LOG_AGE_MS } from './log-files.ts';
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
} from '../protocol/messages.ts';
import { RoutedTransport } from './routed-transport.ts';
import { Rpc } from './rpc.ts';
import type { Transport } from './transport.ts';

export interface ServerDeps {
  config: NodeConfig;
  transport: Transport;
  logger: Logger;
  /** Monotonic milliseconds. */
  now: () => number;
  random: () => number;
  /** Distinguishes this process from earlier runs of the same node in the hard-state record. */
  incarnation: string;
  /** Where write-ahead log files go; null keeps the log in memory only. */
  dataDir: string | null;
  /** Fail-stop (host/fatal.ts): a broken invariant or a failed write stops the node. */
  fatal: FatalHandler;
}

/** The storage service: its round trips count as much as the peers' (Maelstrom delays both alike). */
const SERVICE = 'lin-kv';

const RAFT_TYPES = new Set<string>(RAFT_MESSAGE_TYPES);

export class MaelstromServer {
  private nodeId = '';
  private nodeIds: string[] = [];
  private host: RaftHost | null = null;
  private readonly rpc: Rpc;
  /** Peer messages go through the relay router (src/routing/); clients and services straight through. */
  private readonly net: RoutedTransport;
  /** Set by stop(): no input is handled and no Raft host is started after it. */
  private stopped = false;
  /** Keeps our write-ahead file's modification time recent, so no other run prunes it (log-files.ts). */
  private logRefresh: NodeJS.Timeout | null = null;
  /** Round-trip estimates and derived timeouts; fed by lin-kv calls from the start, by peers once Raft runs. */
  private readonly timing: AdaptiveTiming;

  constructor(private readonly deps: ServerDeps) {
    this.net = new RoutedTransport(deps.transport, deps.now, (level, text) => deps.logger.log(level, text));
    this.timing = new AdaptiveTiming(timingFloors(deps.config), !deps.config.fixedTiming, (text) => deps.logger.info(text));
    this.rpc = new Rpc(this.net, {
      now: deps.now,
      roundTrip: (dest, ms) => {
        if (dest === SERVICE) this.timing.serviceRoundTrip(ms);
      },
      timedOut: (dest) => {
        if (dest === SERVICE) this.timing.serviceTimedOut();
      },
    });
  }

  /** For log lines: who we are and what the core thinks right now. */
  logContext(): { node: string; role: string; term: number | null } {
    const status = this.host?.status();
    return { node: this.nodeId, role: status?.role ?? (this.nodeId ? 'starting' : 'uninitialized'), term: status?.term ?? null };
  }

  status(): RaftStatus | null {
    return this.host?.status() ?? null;
  }

  /**
   * Stops the Raft host (timers, elections, replies) and ignores anything that arrives later, so
   * that a node on its way out neither logs new events nor sends new messages.
   */
  stop(): void {
    this.stopped = true;
    this.host?.stop();
    if (this.logRefresh !== null) clearInterval(this.logRefresh);
  }

  // ---------------------------------------------------------------- input

  handleLine(line: string): void {
    if (this.stopped || line.trim() === '') return;
    const parsed = parseLine(line);
    if (parsed.kind === 'malformed') {
      this.deps.logger.warn(`malformed message (${parsed.reason}): ${abbreviate(line)}`);
      if (parsed.replyTo) this.replyError(parsed.replyTo.src, parsed.replyTo.msgId, ErrorCode.malformedRequest, parsed.reason, parsed.replyTo.dest);
      return;
    }
    try {
      this.handleMessage(parsed.envelope);
    } catch (err) {
      // Input was checked before it got here, so this is a bug, not bad input: fail-stop.
      this.deps.fatal(`handling ${abbreviate(line)}`, err);
    }
  }

  private handleMessage(arrived: Envelope): void {
    const env = this.net.receive(arrived);
    if (env === null) return; // relayed on to another node, or not usable
    const { body } = env;
    const type = body['type'] as string;
    const msgId = body['msg_id'];

    if (isMessageId(body['in_reply_to'])) {
      if (!this.rpc.handleReply(env.src, body['in_reply_to'], body)) this.deps.logger.debug(`dropped late or unknown reply ${type} from ${env.src}`);
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
    this.timing.setClusterSize(nodeIds.length);
    this.deps.transport.setNodeId(nodeId);
    this.net.start(nodeId, nodeIds, this.deps.config.heartbeatIntervalMs);
    // The router waits a round trip for evidence from the far end of a link: it learns the round trip
    // from the same estimates as the election timing (service round trips first, then peers').
    this.timing.onChange((t) => this.net.retime(t.heartbeatIntervalMs, t.rttHighMs));
    if (isMessageId(msgId)) this.deps.transport.send(env.src, { type: 'init_ok', in_reply_to: msgId });
    this.deps.logger.info(`initialized as ${nodeId} in cluster [${nodeIds.join(', ')}]`);
    void this.startRaft();
  }

  private async startRaft(): Promise<void> {
    let hardState: HardState = { term: 0, votedFor: null };
    let entries: LogEntry[] = [];
    let logLost = false;
    let snapshot: Snapshot | null = null;
    let storage: HostStorage = new MemoryStorage();
    if (this.nodeIds.length > 1) {
      const kvClient = new KvServiceClient(this.rpc, SERVICE, () => this.timing.current().serviceTimeoutMs);
      const store = new HardStateStore(kvClient, this.nodeId, this.deps.incarnation, (level, text) => this.deps.logger.log(level, text));
      let opened: OpenedLog;
      try {
        this.deps.logger.info('loading term and vote from lin-kv');
        const loaded = await store.load();
        hardState = loaded.hardState;
        opened = this.openLog(store.logId, loaded.fresh);
        entries = opened.entries;
        logLost = opened.logLost;
        snapshot = opened.snapshot;
      } catch (err) {
        // An unreadable stored record or a log file that cannot be opened: no state to trust.
        this.deps.fatal('starting Raft', err);
        return;
      }
      const { wal, forgetLoss } = opened;
      storage = {
        appendLog: (writes: readonly LogWrite[]) => wal?.append(null, writes),
        saveSnapshot: (s: Snapshot) => {
          if (opened.snapshotPath !== null) writeSnapshotFile(opened.snapshotPath, s);
        },
        persistHardState: (state) => store.persist(state),
        isDurable: (ticket) => store.isDurable(ticket),
        whenDurable: (ticket) => store.whenDurable(ticket),
        logCaughtUp: forgetLoss,
      };
    } else {
      // Votes are only durable so that no two candidates of one term can both win. Alone, nobody else
      // votes, so a single-node cluster runs without the service (and works where there is none).
      this.deps.logger.info('single-node cluster: term, vote and log kept in memory (there is no other voter)');
    }
    if (this.stopped) return; // stopped while loading the term and vote: never start
    this.host = new RaftHost({
      raft: raftSettings(this.deps.config, this.nodeId, this.nodeIds, this.deps.random),
      persisted: { hardState, entries, logLost, snapshot },
      storage,
      timing: this.timing,
      env: {
        ...eventLoopTimers,
        now: this.deps.now,
        sendPeer: (to, body) => this.net.send(to, body as unknown as Body),
        forward: (leader, op) => this.forward(leader, op),
        log: (level, text, role, term) => this.deps.logger.log(level, text, role, term),
        fatal: this.deps.fatal,
      },
    });
  }

  /**
   * The log lives in a write-ahead file named by the log id stored with our term and vote, so a
   * restarted process (the bench's kill nemesis) finds its own log and never another run's; the
   * snapshot sits beside it under the same name (`.snap`).
   */
  private openLog(logId: string, fresh: boolean): OpenedLog {
    if (this.deps.dataDir === null) {
      // Nothing was kept, so after a restart (a stored term says we ran before) the log is lost.
      if (!fresh) this.deps.logger.warn('--no-wal: the log of this node\'s earlier process is gone');
      return { wal: null, entries: [], snapshot: null, snapshotPath: null, logLost: !fresh, forgetLoss: () => {} };
    }
    const name = logFileName(this.nodeId, logId);
    const path = join(this.deps.dataDir, name);
    const snapshotPath = snapshotPathOf(path);
    if (fresh) {
      // A new test run: files this node name left in earlier runs can go, if no live node uses them.
      const removed = pruneStaleLogs(this.deps.dataDir, this.nodeId, name, Date.now());
      if (removed.length > 0) this.deps.logger.info(`removed ${removed.length} file(s) of earlier runs untouched for over ${STALE_LOG_AGE_MS / 60_000} min: ${removed.join(', ')}`);
    }
    // The loss is remembered in a marker file until the core has caught up: a process restarted in
    // between finds a write-ahead file again, but one that lacks what the lost one held.
    const marker = lostMarkerPath(path);
    let logLost = existsSync(marker);
    if (!fresh && !existsSync(path)) {
      this.deps.logger.warn(`write-ahead log ${path} is missing although this node has run before: starting with an empty log`);
      logLost = true;
    }
    if (logLost) createDurably(marker);
    const opened = openDurableLog(path, snapshotPath);
    for (const note of opened.notes) this.deps.logger.log(note.level, note.text);
    this.deps.logger.info(`write-ahead log ${path}: ${describeRecoveredLog(opened)} recovered`);
    this.logRefresh = setInterval(() => refreshLog(path), LOG_REFRESH_INTERVAL_MS);
    this.logRefresh.unref();
    const forgetLoss = () => rmSync(marker, { force: true });
    return { wal: opened.wal, entries: opened.entries, snapshot: opened.snapshot, snapshotPath, logLost, forgetLoss };
  }

  private handleClientRequest(env: Envelope): void {
    const msgId = env.body['msg_id'];
    if (!isMessageId(msgId)) {
      const what = msgId === undefined ? 'has no msg_id' : `has a msg_id that is not a number (${abbreviate(JSON.stringify(msgId))})`;
      this.deps.logger.warn(`${String(env.body['type'])} from ${env.src} ${what}: cannot answer it, dropped`);
      return;
    }
    const checked = checkKvOperation(env.body);
    if (!checked.ok) {
      this.deps.logger.warn(`malformed ${String(env.body['type'])} from ${env.src}: ${checked.reason}`);
      this.replyError(env.src, msgId, ErrorCode.malformedRequest, checked.reason);
      return;
    }
    this.submit(checked.value, (reply) => this.deps.transport.send(env.src, { ...reply, in_reply_to: msgId }), true);
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
    this.submit(checked.value, (reply) => this.net.send(env.src, { ...reply, in_reply_to: msgId }), false);
  }

  private submit(op: KvOperation, respond: Respond, mayForward: boolean): void {
    if (this.host === null) {
      respond(errorBody(ErrorCode.temporarilyUnavailable, 'starting up: term and vote not loaded yet'));
      return;
    }
    this.host.submit(op, respond, mayForward);
  }

  /** Node to node, under our own id: Maelstrom's partitions must be able to cut this path. */
  private async forward(leader: string, op: KvOperation): Promise<ClientReply | 'timeout'> {
    const outcome = await this.rpc.call(leader, { type: 'forward', request: op as unknown as Json }, this.timing.current().forwardTimeoutMs);
    return outcome.kind === 'timeout' ? 'timeout' : relayedReply(outcome.body);
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
    this.host?.stepPeer(env.src, checked.value); // before the host exists we are loading our term: peers retry
  }

  /** `ownIdGuess`: before init we have no id of our own, so we answer as whatever the sender called us. */
  private replyError(dest: string, msgId: number, code: (typeof ErrorCode)[keyof typeof ErrorCode], text: string, ownIdGuess?: string | null): void {
    const src = this.nodeId !== '' ? this.nodeId : ownIdGuess;
    if (!src) {
      this.deps.logger.warn(`cannot answer ${dest} (msg ${msgId}) before init: no node id to answer as`);
      return;
    }
    this.net.send(dest, { ...errorBody(code, text), in_reply_to: msgId }, src);
  }
}

interface OpenedLog {
  wal: WriteAheadLog | null;
  /** The entries after the snapshot. */
  entries: LogEntry[];
  snapshot: Snapshot | null;
  /** Where snapshots go: beside the write-ahead file, under the same log id (null: nothing kept). */
  snapshotPath: string | null;
  /** The stored term says this node ran before, but its log is not (all) here: see PersistedState.logLost. */
  logLost: boolean;
  /** Called once the core has caught up: the loss need not be remembered any more. */
  forgetLoss: () => void;
}

/** Creates an empty file and makes it durable before returning. */
function createDurably(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function abbreviate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}... (${text.length} chars)` : text;
}
