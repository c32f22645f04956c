// One deterministic run of a whole cluster: N RaftHosts (the real host and core), a simulated
// network, simulated durable storage, simulated clients and a nemesis, all on one virtual clock.
// Nothing here reads the real clock or draws unseeded randomness, so a seed replays exactly.
//
// Phases: faults (nemesis + lossy network) -> recovery (everything healed and restarted; measure
// how long until a leader is known everywhere and every client is served again) -> drain (clients
// stop; every node must catch up with the leader). Safety invariants are checked after every event,
// and the history is checked for linearizability at the end.
import { RaftHost, type ClientReply, type HostEnvironment } from '../../src/host/raft-host.ts';
import type { Json } from '../../src/json.ts';
import type { KvOperation } from '../../src/kv/operations.ts';
import { RaftInvariantError } from '../../src/raft/node.ts';
import type { ConfChange, RaftMessage, RaftStatus } from '../../src/raft/types.ts';
import { ELECTION_MESSAGE_TYPES } from '../../src/raft/types.ts';
import type { HistoryOp } from '../../maelstrom/history.ts';
import { SimClients, type ClientStats } from './clients.ts';
import { EventQueue, type SimEvent } from './event-queue.ts';
import { FaultTally } from './fault-tally.ts';
import { SafetyMonitor, SimViolation } from './invariants.ts';
import { NO_MESSAGE_FAULTS, sampleLatency, SimNetwork } from './network.ts';
import { Nemesis } from './nemesis.ts';
import { TransferRequester } from './transfers.ts';
import { MembershipChanger } from './membership.ts';
import { describeGrudge, type Grudge, type PartitionShape } from './partitions.ts';
import { Random } from '../../maelstrom/random.ts';
import { AdaptiveTiming } from '../../src/host/adaptive-timing.ts';
import { drawScenario, withLatencyProfile, type InjectedBug, type LatencyProfile, type Scenario, type ScenarioProfile } from './scenario.ts';
import { DurableDisk, SimHostStorage, SimulatedCrash } from './storage.ts';
import { RelayRouter, routerOptionsFor, type Frame } from '../../src/routing/relay-router.ts';
import { describeMessage } from './describe-message.ts';
import { Trace } from './trace.ts';

/** What the simulator needs from a linearizability checker (checkLinKv fits). */
export type HistoryChecker = (history: readonly HistoryOp[]) => {
  valid: boolean | 'unknown';
  keys: readonly { key: Json; valid: boolean | 'unknown'; explanation?: string }[];
};

export interface SimOptions {
  seed: number;
  nodeCount?: number;
  bug?: InjectedBug;
  /** Forces one scenario profile (default: drawn from the seed, 30% churn). */
  profile?: ScenarioProfile;
  faultPhaseMs?: number;
  /** Checks the client history at the end; omitted = not checked. */
  checker?: HistoryChecker;
  /** Receives every trace line as it happens (the CLI's --trace). */
  onTraceLine?: (line: string) => void;
  /** How long after the faults stop the cluster may take to serve every client again. */
  recoveryLimitMs?: number;
  /** A slow network for the whole run instead of the few milliseconds drawn per seed. */
  latencyProfile?: LatencyProfile;
}

export interface Recovery {
  /** Until one leader was known to every node. */
  leaderMs: number;
  /** Until the first client operation invoked after the faults stopped succeeded. */
  firstOkMs: number;
  /** Until every node had answered a client operation invoked after the faults stopped. */
  clientsMs: number;
}

export interface SimFailure {
  kind: string;
  message: string;
  seed: number;
  step: number;
  timeMs: number;
  traceTail: string[];
}

export interface SimResult {
  seed: number;
  nodeCount: number;
  profile: ScenarioProfile;
  bug: InjectedBug | null;
  failure: SimFailure | null;
  steps: number;
  simulatedMs: number;
  faults: Record<string, number>;
  /** How long after the faults stopped the cluster took to serve again. */
  recovery: Recovery | null;
  clientOps: ClientStats;
  linearizable: boolean | 'unknown' | 'not-checked';
  traceHash: string;
  history: HistoryOp[];
  /** Terms that had a leader. */
  leaderTerms: number;
  /** Commits by a leader of an entry from an older term (zero unless the commitOldTermByCounting bug is on). */
  oldTermCommits: number;
  /** Old-term commits while another node held a conflicting newer entry at that index. */
  dangerousOldTermCommits: number;
  /** Snapshots the nodes took themselves, and snapshots followers installed from a leader (§7). */
  snapshots: { taken: number; installed: number };
}

type PeerPayload =
  | { kind: 'raft'; body: RaftMessage }
  | { kind: 'forward'; rpcId: number; op: KvOperation; incarnation: number }
  | { kind: 'forward-reply'; rpcId: number; reply: ClientReply; incarnation: number };

interface SimNode {
  index: number;
  id: string;
  disk: DurableDisk;
  up: boolean;
  incarnation: number;
  host: RaftHost | null;
  storage: SimHostStorage | null;
  pendingForwards: Map<number, (reply: ClientReply | 'timeout') => void>;
  /** Every peer message goes through the same relay router the Maelstrom adapter runs (per incarnation: a crash forgets the links). */
  router: RelayRouter<PeerPayload> | null;
  nextRpcId: number;
  /** Commit index at the last check (to spot a leader's commit advancing). */
  lastCommitSeen: number;
  /** While now < pausedUntil the process is stopped (events for it wait). */
  pausedUntil: number;
}

const FORWARD_TIMEOUT_MS = 1500;
const PROBE_INTERVAL_MS = 5;
const DRAIN_LIMIT_MS = 5000;
const TRACE_TAIL = 60;
/** A crash may lose the messages the node sent this recently (not yet on the wire). */
const CRASH_LOSS_WINDOW_MS = 2;
/** Event tags for events that belong to no single node: the nemesis may touch any; clients touch none. */
const ALL_NODES = -1;
const CLIENTS_ONLY = -2;

function isSimEvent(handle: unknown): handle is SimEvent {
  return typeof handle === 'object' && handle !== null && 'cancelled' in handle && 'run' in handle;
}

export class Simulation {
  readonly scenario: Scenario;
  private readonly queue = new EventQueue();
  private readonly root: Random;
  private readonly tally = new FaultTally();
  private readonly trace: Trace;
  private readonly nodes: SimNode[];
  private readonly names: string[];
  private readonly network: SimNetwork<Frame<PeerPayload>>;
  private readonly monitor: SafetyMonitor;
  private readonly clients: SimClients;
  private readonly nemesis: Nemesis;
  private readonly transfers: TransferRequester;
  private readonly membership: MembershipChanger;
  private readonly netRng: Random;
  private readonly storageRng: Random;
  private readonly logLossRng: Random;
  private now = 0;
  private step = 0;
  private promiseResolved = false;
  private pendingViolation: SimViolation | null = null;
  /** A process the simulation killed in the middle of a snapshot write (see SimHostStorage.saveSnapshot). */
  private simulatedCrash: SimulatedCrash | null = null;
  /** What a host stopped on (HostEnvironment.fatal), for the loop to report. */
  private pendingFatal: unknown = null;
  private phase: 'faults' | 'recovery' | 'drain' | 'done' = 'faults';
  private recoveryStart = 0;
  private leaderAt = Infinity;
  private recovery: Recovery | null = null;
  private drainStart = 0;
  /** largestLag() when the drain started. */
  private drainLag = 0;
  private failure: SimFailure | null = null;
  private linearizable: boolean | 'unknown' | 'not-checked' = 'not-checked';
  private readonly snapshots = { taken: 0, installed: 0 };

  constructor(private readonly options: SimOptions) {
    this.root = new Random(options.seed);
    const drawn = drawScenario(this.root.fork('scenario'), options);
    this.scenario = options.latencyProfile === undefined ? drawn : withLatencyProfile(drawn, options.latencyProfile);
    const n = this.scenario.nodeCount;
    this.names = Array.from({ length: n }, (_, i) => `n${i}`);
    this.trace = new Trace(400, options.onTraceLine ?? null);
    this.monitor = new SafetyMonitor(this.names);
    this.netRng = this.root.fork('network');
    this.storageRng = this.root.fork('storage');
    this.logLossRng = this.root.fork('log-loss');
    this.nodes = this.names.map((id, index) => ({
      index, id, disk: new DurableDisk(), up: false, incarnation: 0, host: null, storage: null, pendingForwards: new Map(), router: null, nextRpcId: 1, lastCommitSeen: 0, pausedUntil: 0,
    }));
    this.network = new SimNetwork<Frame<PeerPayload>>(this.queue, this.netRng, n, this.scenario.latency, this.tally, () => this.now, (from, to, p) => this.deliver(from, to, p), CRASH_LOSS_WINDOW_MS);
    this.clients = new SimClients(
      this.root.fork('clients'),
      {
        now: () => this.now,
        after: (delay, fn) => void this.queue.schedule(this.now + delay, CLIENTS_ONLY, fn),
        request: (node, op, reply) => this.clientRequest(node, op, reply),
        trace: (text) => this.traceLine(text),
      },
      this.monitor,
      this.names,
      { clients: this.scenario.clients, keys: this.scenario.keys, thinkTimeMs: this.scenario.thinkTimeMs, timeoutMs: this.scenario.clientTimeoutMs },
    );
    this.nemesis = new Nemesis(this.root.fork('nemesis'), this.scenario, {
      now: () => this.now,
      after: (delay, fn) => void this.queue.schedule(this.now + delay, ALL_NODES, fn),
      faultsActive: () => this.phase === 'faults',
      nodes: () => this.nodes.map((n) => ({ index: n.index, up: n.up, incarnation: n.incarnation, pausedUntil: n.pausedUntil, isLeader: n.host?.status().role === 'leader' })),
      isPartitioned: () => this.network.isPartitioned(),
      partition: (shape, grudge) => this.partition(shape, grudge),
      heal: () => this.heal(),
      crash: (index, kind) => this.crash(this.nodes[index] as SimNode, kind),
      restart: (index) => this.restart(this.nodes[index] as SimNode),
      pause: (index, until) => this.pause(this.nodes[index] as SimNode, until),
    });
    this.transfers = new TransferRequester(this.root.fork('transfers'), this.scenario.electionTimeoutMinMs, {
      after: (delay, fn) => void this.queue.schedule(this.now + delay, ALL_NODES, fn),
      active: () => this.phase === 'faults',
      leaders: () => this.nodes.filter((n) => n.up && n.pausedUntil <= this.now && n.host?.status().role === 'leader').map((n) => n.index),
      names: this.names,
      request: (index, target) => this.requestTransfer(this.nodes[index] as SimNode, target),
    });
    this.membership = new MembershipChanger(this.root.fork('membership'), this.scenario.electionTimeoutMinMs, {
      after: (delay, fn) => void this.queue.schedule(this.now + delay, ALL_NODES, fn),
      phase: () => this.phase,
      leaders: () => this.nodes.filter((n) => n.up && n.pausedUntil <= this.now && n.host?.status().role === 'leader').map((n) => n.index),
      configuration: (index) => this.nodes[index]?.host?.status().configuration ?? null,
      names: this.names,
      request: (index, change) => this.requestConfChange(this.nodes[index] as SimNode, change),
      logLost: () => this.nodes.some((n) => n.disk.logLost),
    });
  }

  async run(): Promise<SimResult> {
    const s = this.scenario;
    this.traceLine(() => `scenario seed ${this.options.seed}: ${JSON.stringify({ ...s, partitionShapes: s.partitionShapes.join('|') })}${this.options.bug ? ` bug=${this.options.bug}` : ''}`);
    this.queue.schedule(0, ALL_NODES, () => {
      for (const node of this.nodes) this.startNode(node);
      this.network.faults = s.messageFaults;
      this.clients.start();
      this.nemesis.start();
      this.transfers.start();
      this.membership.start();
    });
    this.queue.schedule(s.faultPhaseMs, ALL_NODES, () => this.endFaults());
    await this.loop();
    // Checked even after a violation (the history so far is a valid, shorter history): it tells
    // whether the broken invariant also showed to clients.
    if (this.options.checker !== undefined) this.checkHistory(this.options.checker);
    this.trace.mixText(this.failure?.kind ?? 'ok');
    return {
      seed: this.options.seed,
      nodeCount: s.nodeCount,
      profile: s.profile,
      bug: this.options.bug ?? null,
      failure: this.failure,
      steps: this.step,
      simulatedMs: this.now,
      // Configuration entries committed: each passed the majority and single-change checks.
      faults: { ...this.tally.toRecord(), ...(this.monitor.configCommits > 0 ? { 'config-entries-committed': this.monitor.configCommits } : {}) },
      recovery: this.recovery,
      clientOps: this.clients.stats,
      linearizable: this.linearizable,
      traceHash: this.trace.hash(),
      history: this.clients.history,
      leaderTerms: this.monitor.leaderCount(),
      oldTermCommits: this.monitor.oldTermCommits,
      dangerousOldTermCommits: this.monitor.dangerousOldTermCommits,
      snapshots: { ...this.snapshots },
    };
  }

  // ------------------------------------------------------------------ the event loop

  private async loop(): Promise<void> {
    for (;;) {
      const event = this.queue.pop();
      if (event === undefined || this.phase === 'done') return;
      if (event.node >= 0 && (this.nodes[event.node] as SimNode).pausedUntil > event.deadline) {
        // A paused process does nothing: its messages, timers and requests wait until it resumes.
        this.queue.reschedule(event, (this.nodes[event.node] as SimNode).pausedUntil);
        continue;
      }
      this.now = event.deadline;
      this.step++;
      this.trace.mix(this.step, Math.round(event.deadline * 1000), event.node);
      try {
        event.run();
      } catch (err) {
        if (!(err instanceof SimulatedCrash)) {
          this.fail(err);
          return;
        }
        this.simulatedCrash = err;
      }
      if (this.simulatedCrash !== null) {
        // The process died between writing a snapshot and compacting its log: it does nothing more.
        const dead = this.simulatedCrash;
        this.simulatedCrash = null;
        const node = this.nodes[dead.nodeIndex] as SimNode;
        this.traceLine(`${node.id} dies while writing a snapshot (${dead.kind})`);
        this.crash(node, dead.kind);
      }
      if (this.promiseResolved) {
        // The host chains work on promises we resolved (durable hard state, forwarded replies):
        // let those callbacks run now, at this virtual instant, before anything else happens.
        this.promiseResolved = false;
        for (let i = 0; i < 4; i++) await Promise.resolve();
      }
      try {
        if (this.pendingViolation !== null) throw this.pendingViolation;
        if (this.pendingFatal !== null) throw this.pendingFatal;
        if (event.node >= 0) this.checkNode(this.nodes[event.node] as SimNode);
        else if (event.node === ALL_NODES) for (const node of this.nodes) this.checkNode(node);
      } catch (err) {
        this.fail(err);
        return;
      }
    }
  }

  private checkNode(node: SimNode): void {
    if (node.host === null) return;
    const status = node.host.status();
    const oldTermCommitsBefore = this.monitor.oldTermCommits;
    this.monitor.afterEvent(node.index, status);
    if (this.monitor.oldTermCommits > oldTermCommitsBefore) this.traceLine(() => `${node.id} committed index ${status.commitIndex}, an entry of an older term, by counting replicas`);
    if (status.role === 'leader' && status.commitIndex > node.lastCommitSeen) this.nemesis.onLeaderCommit(node.index, node.incarnation);
    node.lastCommitSeen = status.commitIndex;
  }

  private fail(err: unknown): void {
    const kind = err instanceof SimViolation ? err.kind : err instanceof RaftInvariantError ? 'core-invariant' : 'exception';
    const message = err instanceof Error ? (err instanceof SimViolation ? err.message : (err.stack ?? err.message)) : String(err);
    this.traceLine(`VIOLATION ${kind}: ${message}`);
    this.failure = { kind, message, seed: this.options.seed, step: this.step, timeMs: this.now, traceTail: this.trace.tail(TRACE_TAIL) };
    this.phase = 'done';
  }

  private traceLine(text: string | (() => string)): void {
    this.trace.line(this.step, this.now, text);
  }

  // ------------------------------------------------------------------ nodes

  private startNode(node: SimNode): void {
    node.incarnation++;
    node.up = true;
    node.lastCommitSeen = 0;
    node.pausedUntil = 0;
    const incarnation = node.incarnation;
    const s = this.scenario;
    // As in the Maelstrom adapter: service round trips feed the timing from the start, peers once Raft runs.
    const timing = new AdaptiveTiming(
      {
        electionTimeoutMinMs: s.electionTimeoutMinMs,
        electionTimeoutMaxMs: s.electionTimeoutMaxMs,
        heartbeatIntervalMs: s.heartbeatIntervalMs,
        checkQuorumWindowMs: s.electionTimeoutMinMs,
        serviceTimeoutMs: 1000,
        forwardTimeoutMs: s.clientTimeoutMs,
        clientTimeoutMs: s.clientTimeoutMs,
      },
      true,
      (text) => this.traceLine(`${node.id}: ${text}`),
      this.names.length,
    );
    // As in the adapter: the router's windows follow the measured round trip.
    timing.onChange((t) => {
      if (node.incarnation === incarnation) node.router?.retime(routerOptionsFor(t.heartbeatIntervalMs, t.rttHighMs));
    });
    const storage = new SimHostStorage(node.disk, {
      queue: this.queue,
      rng: this.storageRng,
      tally: this.tally,
      nodeIndex: node.index,
      now: () => this.now,
      serviceLatency: () => {
        // The write's round trip, known when it is drawn; the real adapter learns it on the answer.
        const ms = this.storageRng.exponential(this.scenario.serviceLatencyMs);
        timing.serviceRoundTrip(ms);
        return ms;
      },
      storeFaults: this.scenario.hardStateStore,
      onPromiseResolved: () => {
        this.promiseResolved = true;
      },
      onLogWrites: (writes) => {
        this.monitor.onLogWrites(node.index, writes);
        if (node.host?.status().role === 'leader' && writes.some((w) => w.kind === 'append')) this.nemesis.onLeaderAppend(node.index, incarnation);
      },
      snapshotCrashChance: () => (this.phase === 'faults' ? this.scenario.snapshotCrashChance : 0),
      // An fsync: a fraction of a millisecond to a few (a loaded disk).
      ...(this.scenario.leaderLogInBackground === true ? { backgroundWriteDelay: () => this.storageRng.exponential(1.5) } : {}),
    });
    const recovered = node.disk.recover();
    this.monitor.onRestart(node.index, { hardState: node.disk.hardState, log: recovered.entries, snapshot: recovered.snapshot });
    node.storage = storage;
    node.router = this.makeRouter(node, incarnation, timing.current().rttHighMs);
    const raftRng = this.root.fork(`raft-${node.id}-${incarnation}`);
    const bug = this.options.bug;
    const bugs = bug === undefined || bug === 'ignoreLostLog' ? undefined : { [bug]: true };
    node.host = new RaftHost({
      raft: {
        id: node.id,
        nodeIds: this.names,
        electionTimeoutMinMs: s.electionTimeoutMinMs,
        electionTimeoutMaxMs: s.electionTimeoutMaxMs,
        heartbeatIntervalMs: s.heartbeatIntervalMs,
        preVote: s.preVote,
        checkQuorum: s.checkQuorum,
        maxEntriesPerMessage: s.maxEntriesPerMessage,
        maxInflightMessages: s.maxInflightMessages,
        snapshotThreshold: s.snapshotThreshold,
        snapshotChunkSize: s.snapshotChunkSize,
        random: () => raftRng.next(),
        ...(bugs === undefined ? {} : { bugs }),
      },
      persisted: { hardState: { ...node.disk.hardState }, ...recovered, logLost: node.disk.logLost && bug !== 'ignoreLostLog' },
      storage,
      timing,
      env: this.environment(node, incarnation),
    });
  }

  private environment(node: SimNode, incarnation: number): HostEnvironment {
    const alive = () => node.up && node.incarnation === incarnation;
    return {
      now: () => this.now,
      setTimer: (fn, delayMs) => this.queue.schedule(this.now + delayMs, node.index, () => alive() && fn()),
      clearTimer: (handle) => {
        if (isSimEvent(handle)) handle.cancelled = true;
      },
      defer: (fn) => void this.queue.schedule(this.now, node.index, () => alive() && fn()),
      sendPeer: (to, body) => {
        if (!alive()) return;
        try {
          this.monitor.onSend(node.index, to, body, node.disk.hardState);
        } catch (err) {
          // May run inside a promise callback: keep the violation for the loop to report.
          if (err instanceof SimViolation && this.pendingViolation === null) this.pendingViolation = err;
        }
        const toIndex = this.names.indexOf(to);
        this.traceLine(() => `${node.id} -> ${to} ${describeMessage(body)}`);
        this.sendPeer(node, toIndex, { kind: 'raft', body });
      },
      forward: (leader, op) =>
        new Promise<ClientReply | 'timeout'>((resolve) => {
          const rpcId = node.nextRpcId++;
          node.pendingForwards.set(rpcId, resolve);
          this.sendPeer(node, this.names.indexOf(leader), { kind: 'forward', rpcId, op, incarnation });
          this.queue.schedule(this.now + Math.max(FORWARD_TIMEOUT_MS, this.scenario.clientTimeoutMs), node.index, () => {
            if (node.incarnation !== incarnation || !node.pendingForwards.delete(rpcId)) return;
            resolve('timeout');
            this.promiseResolved = true;
          });
        }),
      // Fail-stop fails the seed, reported as what broke (a core invariant or anything else).
      fatal: (context, err) => {
        if (err instanceof SimulatedCrash) {
          // Not a failure of the node: the simulation killed its process in the middle of a write.
          this.simulatedCrash = err;
          return;
        }
        this.traceLine(`${node.id} FATAL ${context}`);
        if (this.pendingViolation === null) this.pendingFatal ??= err;
      },
      log: (level, text, role, term) => {
        // Counted from the node's own log lines: the host's "saved a snapshot", the core's "installed snapshot".
        if (text.startsWith('saved a snapshot')) this.snapshots.taken++;
        else if (text.startsWith('installed snapshot')) this.snapshots.installed++;
        if (level === 'debug' && this.options.onTraceLine === undefined) return;
        this.traceLine(() => `${node.id} [${role ?? '?'} t${term ?? '?'}] ${text}`);
      },
    };
  }

  private makeRouter(node: SimNode, incarnation: number, roundTripMs: number): RelayRouter<PeerPayload> {
    return new RelayRouter<PeerPayload>(node.id, this.names, routerOptionsFor(this.scenario.heartbeatIntervalMs, roundTripMs), {
      now: () => this.now,
      transmit: (to, frame) => {
        if (!node.up || node.incarnation !== incarnation) return;
        if (frame.relay !== null) {
          this.tally.add(frame.relay.origin === node.id ? 'msg-relayed' : 'msg-passed-on');
          this.traceLine(() => `${node.id} -> ${to} relay ${frame.relay?.origin}->${frame.relay?.dest} ${frame.payload.kind}`);
        }
        this.network.send(node.index, this.names.indexOf(to), frame, frame.payload.kind === 'raft');
      },
      // A forwarded request must arrive at most once (see the README); Raft messages may repeat.
      duplicable: (payload) => payload.kind === 'raft',
      urgent: (payload) => payload.kind === 'raft' && ELECTION_MESSAGE_TYPES.includes(payload.body.type),
      log: (_level, text) => this.traceLine(() => `${node.id} routing: ${text}`),
    });
  }

  private sendPeer(node: SimNode, to: number, payload: PeerPayload): void {
    node.router?.send(this.names[to] as string, payload);
  }

  private deliver(hopFrom: number, to: number, frame: Frame<PeerPayload>): void {
    const node = this.nodes[to] as SimNode;
    if (!node.up || node.host === null || node.router === null) return;
    const got = node.router.receive(this.names[hopFrom] as string, frame);
    if (got === null) return;
    const source = got.origin;
    const from = this.names.indexOf(source);
    const payload = got.payload;
    switch (payload.kind) {
      case 'raft':
        // Deliveries only in a live trace: runs without --trace keep the cheaper send-side lines.
        if (this.options.onTraceLine !== undefined) this.traceLine(`${node.id} <- ${source} ${describeMessage(payload.body)}`);
        node.host.stepPeer(source, payload.body);
        return;
      case 'forward': {
        const incarnation = node.incarnation;
        this.traceLine(() => `${node.id} got forwarded ${payload.op.type} from ${source}`);
        node.host.submit(
          payload.op,
          (reply) => {
            if (!node.up || node.incarnation !== incarnation) return;
            this.sendPeer(node, from, { kind: 'forward-reply', rpcId: payload.rpcId, reply, incarnation: payload.incarnation });
          },
          false,
        );
        return;
      }
      case 'forward-reply': {
        if (node.incarnation !== payload.incarnation) return;
        const resolve = node.pendingForwards.get(payload.rpcId);
        if (resolve === undefined) return;
        node.pendingForwards.delete(payload.rpcId);
        resolve(payload.reply);
        this.promiseResolved = true;
        return;
      }
      default: {
        const unreachable: never = payload;
        throw new Error(`unknown payload ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private crash(node: SimNode, kind = 'crash'): void {
    if (kind !== 'crash') this.tally.add(kind);
    this.tally.add('crash');
    this.traceLine(`NEMESIS crash ${node.id}`);
    this.trace.mixText(`crash ${node.id}`);
    this.clients.recordNemesis('kill', node.id);
    node.host?.stop();
    node.storage?.crash();
    node.host = null;
    node.storage = null;
    node.router = null;
    node.up = false;
    node.pendingForwards.clear();
    this.network.loseRecentFrom(node.index);
    this.nemesis.onCrash(node.index, node.incarnation);
  }

  private restart(node: SimNode): void {
    this.maybeLoseLog(node);
    this.tally.add('restart');
    this.traceLine(`NEMESIS restart ${node.id} (durable term ${node.disk.hardState.term}, vote ${node.disk.hardState.votedFor ?? '-'}, snapshot ${node.disk.snapshot?.index ?? 0}, log ${node.disk.logBase.index}+${node.disk.log.length})`);
    this.trace.mixText(`restart ${node.id}`);
    this.clients.recordNemesis('restart', node.id);
    this.startNode(node);
  }

  /**
   * The lost-log fault: the write-ahead file is gone, term and vote are not. One node at a time: with
   * a majority unable to vote, no leader could ever be elected again (the correct, unavailable outcome).
   */
  private maybeLoseLog(node: SimNode): void {
    const chance = this.options.bug === 'ignoreLostLog' ? Math.max(this.scenario.logLossOnRestart, 0.5) : this.scenario.logLossOnRestart;
    if (chance === 0 || this.nodes.some((n) => n !== node && n.disk.logLost) || this.fewVoters() || !this.logLossRng.chance(chance)) return;
    this.tally.add('log-lost-on-restart');
    this.traceLine(`NEMESIS ${node.id} restarts without its log (${node.disk.log.length} entries deleted; term ${node.disk.hardState.term} and vote kept)`);
    this.trace.mixText(`lose log ${node.id}`);
    node.disk.loseLog();
  }

  /** A configuration of fewer than 3 voters anywhere: a voter without its log would leave no majority. */
  private fewVoters(): boolean {
    return this.monitor.fewestVoters() < 3 || this.nodes.some((n) => (n.host?.status().configuration.config.voters.length ?? 3) < 3);
  }

  // ------------------------------------------------------------------ clients

  private clientRequest(index: number, op: KvOperation, reply: (r: ClientReply) => void): void {
    const latency = () => sampleLatency(this.netRng, this.scenario.latency);
    this.queue.schedule(this.now + latency(), index, () => {
      const node = this.nodes[index] as SimNode;
      if (!node.up || node.host === null) return; // a dead node never answers: the client times out
      const incarnation = node.incarnation;
      node.host.submit(
        op,
        (r) => {
          if (!node.up || node.incarnation !== incarnation) return;
          this.queue.schedule(this.now + latency(), CLIENTS_ONLY, () => reply(r));
        },
        true,
      );
    });
  }

  // ------------------------------------------------------------------ nemesis and phases

  private requestTransfer(node: SimNode, target: string | null): void {
    if (node.host === null) return;
    this.tally.add('transfer-requested');
    this.traceLine(`TRANSFER ${node.id} asked to hand leadership to ${target ?? 'the most up-to-date follower'}`);
    this.trace.mixText(`transfer ${node.id} ${target ?? '-'}`);
    void node.host.transferLeadership(target).then((r) => this.tally.add(`transfer-${r.outcome}`));
  }

  private requestConfChange(node: SimNode, change: ConfChange): void {
    if (node.host === null) return;
    this.tally.add(`member-${change.type}-requested`);
    if (change.type === 'remove' && change.id === node.id) this.tally.add('member-remove-leader-requested');
    this.traceLine(`MEMBERSHIP ${node.id} asked to ${change.type} ${change.id}`);
    this.trace.mixText(`membership ${node.id} ${change.type} ${change.id}`);
    void node.host.proposeConfChange(change).then((r) => this.tally.add(r.outcome === 'refused' ? `member-refused-${r.reason}` : `member-${r.outcome}`));
  }

  private pause(node: SimNode, until: number): void {
    this.tally.add('pause');
    this.traceLine(() => `NEMESIS pause ${node.id} until ${until.toFixed(3)} ms`);
    this.trace.mixText(`pause ${node.id}`);
    this.clients.recordNemesis('pause', node.id);
    node.pausedUntil = until;
  }

  private partition(shape: PartitionShape, grudge: Grudge): void {
    const described = describeGrudge(grudge, this.names);
    this.network.setGrudge(grudge);
    this.tally.add(`partition-${shape}`);
    this.traceLine(() => `NEMESIS partition ${shape} ${JSON.stringify(described)}`);
    this.trace.mixText(`partition ${JSON.stringify(described)}`);
    this.clients.recordNemesis('start-partition', { shape, grudge: described });
  }

  private heal(): void {
    this.network.heal();
    this.tally.add('heal');
    this.traceLine('NEMESIS heal');
    this.clients.recordNemesis('stop-partition', 'network-healed');
  }

  private endFaults(): void {
    this.traceLine('faults stop: healing the network, restarting crashed nodes, no more message faults');
    if (this.network.isPartitioned()) this.heal();
    this.network.faults = NO_MESSAGE_FAULTS;
    for (const node of this.nodes) if (!node.up) this.restart(node);
    this.phase = 'recovery';
    this.recoveryStart = this.now;
    this.clients.watchServiceFrom(this.now);
    this.probe();
  }

  /** Watches recovery and the final drain every few virtual milliseconds. */
  private probe(): void {
    this.queue.schedule(this.now + PROBE_INTERVAL_MS, CLIENTS_ONLY, () => {
      if (this.phase === 'recovery') this.probeRecovery();
      else if (this.phase === 'drain') this.probeDrain();
      if (this.phase !== 'done') this.probe();
    });
  }

  private stableLeader(): RaftStatus | null {
    const statuses = this.nodes.map((n) => n.host?.status() ?? null);
    const leader = statuses.find((s) => s?.role === 'leader') ?? null;
    if (leader === null) return null;
    const agreed = statuses.every((s) => s !== null && s.term === leader.term && (s.role === 'leader' ? s.id === leader.id : s.leaderId === leader.id));
    return agreed ? leader : null;
  }

  private probeRecovery(): void {
    // Recovery needs a few elections' worth of round trips: the limit grows with the network's latency.
    const limit = this.options.recoveryLimitMs ?? 10_000 + 100 * this.scenario.latency.meanMs;
    if (this.leaderAt === Infinity && this.stableLeader() !== null) this.leaderAt = this.now;
    const servedAt = this.clients.allServedAt();
    if (this.leaderAt !== Infinity && servedAt !== Infinity && this.clients.firstOkSince() !== Infinity) {
      this.recovery = {
        leaderMs: this.leaderAt - this.recoveryStart,
        firstOkMs: this.clients.firstOkSince() - this.recoveryStart,
        clientsMs: Math.max(servedAt, this.leaderAt) - this.recoveryStart,
      };
      this.traceLine(() => `recovered: leader known everywhere after ${this.recovery?.leaderMs.toFixed(1)} ms, first successful op after ${this.recovery?.firstOkMs.toFixed(1)} ms, every node served a client after ${this.recovery?.clientsMs.toFixed(1)} ms`);
      this.clients.stop();
      this.phase = 'drain';
      this.drainStart = this.now;
      this.drainLag = this.largestLag();
      return;
    }
    if (this.now - this.recoveryStart > limit) {
      throw new SimViolation('liveness', `${limit} ms after the faults stopped: ${this.leaderAt === Infinity ? 'no leader known to every node' : 'some node never answered a client'} (${this.statusSummary()})`);
    }
  }

  /** How many entries the furthest-behind node lacks of the longest log (0 if none is known). */
  private largestLag(): number {
    const lengths = this.nodes.map((n) => n.host?.status().lastLogIndex ?? 0);
    const longest = Math.max(0, ...lengths);
    return Math.max(0, ...lengths.map((l) => longest - l));
  }

  private probeDrain(): void {
    const leader = this.stableLeader();
    const caughtUp =
      leader !== null &&
      this.clients.inFlight() === 0 &&
      this.nodes.every((n) => {
        const s = n.host?.status();
        return s !== undefined && s.appliedIndex === leader.commitIndex && s.lastLogIndex === leader.lastLogIndex;
      });
    if (caughtUp) {
      this.traceLine(() => `drained: every node applied up to ${leader?.commitIndex}`);
      this.phase = 'done';
      return;
    }
    // Catching up is bounded by the scenario's own window: a follower that lags N entries gets at most
    // maxEntriesPerMessage x maxInflightMessages of them per round trip (1 per 400 ms at 200 ms with
    // windows of 1). That is throughput, not liveness, so the limit grows with the lag at the start.
    const s = this.scenario;
    const catchUpMs = (this.drainLag / (s.maxEntriesPerMessage * s.maxInflightMessages)) * 2 * s.latency.meanMs;
    const drainLimit = Math.round(DRAIN_LIMIT_MS + 50 * s.latency.meanMs + catchUpMs);
    if (this.now - this.drainStart > drainLimit) {
      throw new SimViolation('liveness', `${drainLimit} ms after clients stopped, the nodes have not converged (${this.statusSummary()})`);
    }
  }

  private statusSummary(): string {
    return this.nodes
      .map((n) => {
        const s = n.host?.status();
        return s === undefined ? `${n.id}: down` : `${n.id}: ${s.role} t${s.term} leader=${s.leaderId ?? '-'} commit=${s.commitIndex} applied=${s.appliedIndex} log=${s.lastLogIndex}`;
      })
      .join('; ');
  }

  private checkHistory(checker: HistoryChecker): void {
    const result = checker(this.clients.history);
    this.linearizable = result.valid;
    if (result.valid === false && this.failure === null) {
      const bad = result.keys.filter((k) => k.valid === false).map((k) => `key ${JSON.stringify(k.key)}: ${k.explanation ?? 'not linearizable'}`);
      this.fail(new SimViolation('linearizability', bad.join('\n')));
    }
  }
}

export async function runSimulation(options: SimOptions): Promise<SimResult> {
  return new Simulation(options).run();
}
