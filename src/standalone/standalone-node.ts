// The standalone adapter around the same RaftHost the Maelstrom adapter uses: peers over TCP
// (newline-delimited Maelstrom envelopes), clients over HTTP, term + vote + log in one fsynced
// write-ahead file. Client operations that reach a follower are relayed to the leader node to node.
import { mkdirSync, rmSync } from 'node:fs';
import type { FatalHandler } from '../host/fatal.ts';
import { RaftHost, eventLoopTimers, raftSettings, relayedReply, type ClientReply, type HandoffOutcome } from '../host/raft-host.ts';
import type { Json } from '../json.ts';
import type { KvOperation } from '../kv/operations.ts';
import type { Logger } from '../logger.ts';
import { healthOf } from '../metrics/health.ts';
import { RaftMetrics } from '../metrics/raft-metrics.ts';
import { checkKvOperation, checkRaftMessage, errorBody, ErrorCode, isMessageId, parseLine, type Body } from '../protocol/messages.ts';
import { RAFT_MESSAGE_TYPES, type RaftMessage } from '../raft/types.ts';
import { addressId, type StandaloneConfig } from './config.ts';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { openDurableState, type DurableState } from './durable-state.ts';
import { AdminGate } from './admin-auth.ts';
import { NO_SECURITY } from './security-config.ts';
import { DEFAULT_HTTP_OPTIONS, HttpApi, type HttpAnswer } from './http-api.ts';
import { ObserveRoutes } from './observe-routes.ts';
import { DEFAULT_LINK_TIMING, PeerLink } from './peer-link.ts';
import { PeerRouting } from './peer-routing.ts';
import { PeerListener } from './peer-listener.ts';
import { PeerSet } from './peer-set.ts';
import { PORT_THROTTLE, SourceThrottle } from './source-throttle.ts';
import { NodeMembership } from './node-membership.ts';

const RAFT_TYPES = new Set<string>(RAFT_MESSAGE_TYPES);
/** How long a follower waits for the leader to answer a relayed client operation. */
const FORWARD_TIMEOUT_MS = 2000;
/** A stopping node waits this long at most for client requests it already took to be answered. */
const DRAIN_LIMIT_MS = FORWARD_TIMEOUT_MS + 500;

interface PendingForward {
  resolve: (reply: ClientReply | 'timeout') => void;
  timer: NodeJS.Timeout;
  /** Our term when we relayed it: once a later term starts, that leader's answer may never come. */
  term: number;
  /** A later term has started and the shorter wait for the old leader's answer is running. */
  graceStarted: boolean;
}

/**
 * Heartbeats to wait for the old leader's answer once a later term starts. A leader that handed
 * over still answers what it took (its entries commit through the new leader a heartbeat or so
 * later); one cut off by a partition never does, and its followers' clients should not wait the
 * whole relay timeout to hear "unknown".
 */
const FORWARD_GRACE_HEARTBEATS = 4;

export interface StandaloneDeps {
  config: StandaloneConfig;
  logger: Logger;
  now: () => number;
  random: () => number;
  /** Fail-stop (host/fatal.ts): a broken invariant or a failed write stops the node. */
  fatal: FatalHandler;
  /** Stops the process gracefully (as SIGTERM does), for POST /admin/stop with --allow-admin-stop. */
  requestStop?: () => void;
}

export class StandaloneNode {
  private host: RaftHost | null = null;
  private durable: DurableState | null = null;
  /** Outbound links: to the members of the configuration in force (peer-set.ts). */
  private readonly links: PeerSet;
  private readonly membership: NodeMembership;
  /** Every peer body to a member goes through the relay router: around dead links via other members (peer-routing.ts). */
  private readonly routing: PeerRouting;
  private readonly listener: PeerListener;
  private readonly http: HttpApi;
  /** Peers' --id names, learned from their hellos, so /status can name the leader as people do. */
  private readonly peerNames = new Map<string, string>();
  /** Peers' HTTP addresses, from their hellos: GET /cluster asks them for their /status. */
  private readonly peerHttp = new Map<string, string>();
  private readonly metrics: RaftMetrics;
  /** Raft id to --id name for log lines (ours included); the pattern is rebuilt when a name is learned. */
  private readonly idNames = new Map<string, string>();
  private idPattern: RegExp | null = null;
  private lock: DataDirLock | null = null;
  private readonly pendingForwards = new Map<number, PendingForward>();
  /** Operations peers relayed to us that we have not answered yet (a graceful stop waits for them). */
  private relaysInService = 0;
  private lastRelayAt = -Infinity;
  private nextMsgId = 1;
  /** The term when relays were last looked at: only a new one can end a relay's wait early. */
  private relaysCheckedInTerm = 0;

  constructor(private readonly deps: StandaloneDeps) {
    const { config } = deps;
    const security = config.security ?? NO_SECURITY;
    const linkLog = (level: 'info' | 'warn' | 'debug', text: string): void => deps.logger.log(level, this.withNames(text));
    this.learnName(config.self.raftId, config.name);
    this.metrics = new RaftMetrics(config.self.raftId, config.peers.map((p) => p.raftId));
    const hello = { type: 'hello', id: config.self.raftId, name: config.name, http: advertisedHttp(config), addr: addressId(config.self.address) } as const;
    this.links = new PeerSet(config.self.raftId, (id, address) => new PeerLink(id, address, hello, linkLog, DEFAULT_LINK_TIMING, security.peerTls));
    // The seed; once the log is read, the configuration in force decides (a restarted node's log wins).
    this.links.reconcile(config.peers);
    this.membership = new NodeMembership({
      config,
      logger: deps.logger,
      host: () => this.host,
      links: this.links,
      nameOf: (raftId) => (raftId === config.self.raftId ? config.name : (this.peerNames.get(raftId) ?? raftId)),
      sendToPeer: (to, body) => this.sendToPeer(to, body),
      learnName: (raftId, name) => {
        if (!this.peerNames.has(raftId)) this.peerNames.set(raftId, name);
        this.learnName(raftId, name);
      },
      disconnectInbound: (raftId) => this.listener.disconnect(raftId),
    });
    this.routing = new PeerRouting(config.self.raftId, this.routedMembers(), config.shared.heartbeatIntervalMs, {
      now: deps.now,
      transmit: (to, body) => this.links.get(to)?.send({ src: config.self.raftId, dest: to, body }) ?? false,
      log: (level, text) => deps.logger.log(level, this.withNames(text)),
    });
    const trusted = new Set(security.trustedAddresses);
    this.listener = new PeerListener(
      {
        isPeer: (id) => this.links.isMember(id) || this.membership.acceptsStrangers(),
        onHello: (id, name, http, addr) => {
          this.peerNames.set(id, name);
          if (http !== null) this.peerHttp.set(id, http);
          this.learnName(id, name);
          if (addr !== null) this.membership.learnAddress(id, addr);
        },
        onJoin: (request, answer) => this.membership.onJoin(request, answer),
        onLine: (from, line) => this.handlePeerLine(from, line),
      },
      linkLog,
      security.peerTls,
      new SourceThrottle(PORT_THROTTLE, (address) => trusted.has(address) || this.links.isLinkHost(address)),
    );
    const observe = new ObserveRoutes({
      name: config.name,
      raftId: config.self.raftId,
      status: () => this.statusJson(),
      peers: () => [...this.links.values()].map((l) => ({ id: this.peerNames.get(l.peerId) ?? l.peerId, raftId: l.peerId, http: this.peerHttp.get(l.peerId) ?? null })),
      metricsText: () => this.metrics.expose({ status: () => this.host?.status() ?? null, peers: () => this.peerTraffic() }),
      health: () => healthOf({ status: this.host?.status() ?? null, knownCommitIndex: this.metrics.highestLeaderCommit, snapshotThreshold: config.shared.snapshotThreshold }),
      requestStop: config.allowAdminStop ? (deps.requestStop ?? null) : null,
      memberTls: security.httpTls === null ? null : { cert: security.httpTls.cert, key: security.httpTls.key, ca: security.httpTls.clientCa ?? security.peerTls?.ca ?? null },
    });
    const { httpTls, adminToken } = security;
    this.http = new HttpApi(
      {
        status: () => this.statusJson(),
        submit: (op, respond) => this.submit(op, respond, true),
        transferLeader: (to) => this.transferLeaderAnswer(to),
        extraRoute: async (req, url, method) => (await this.membership.routes.route(req, url, method)) ?? observe.route(req, url, method),
        requestAnswered: (op, status, seconds) => this.metrics.observeClientRequest(op, status, seconds),
      },
      {
        ...DEFAULT_HTTP_OPTIONS,
        tls: httpTls,
        admin: new AdminGate({ httpHost: config.httpHost, clientCertAuth: httpTls?.clientCa != null, adminToken }),
        warn: (text) => deps.logger.warn(text),
        throttle: new SourceThrottle(PORT_THROTTLE, (address) => trusted.has(address)),
      },
    );
  }

  /** For log lines: who we are and what the core thinks right now. */
  logContext(): { node: string; role: string; term: number | null } {
    const status = this.host?.status();
    return { node: this.deps.config.name, role: status?.role ?? 'starting', term: status?.term ?? null };
  }

  /**
   * Locks the data directory, opens the peer and HTTP ports, recovers the durable state and starts
   * dialling peers. Throws DataDirLockedError if another node holds the directory, or the listen
   * error if a port is taken; either way it leaves nothing behind (a directory it created is removed).
   */
  async start(): Promise<void> {
    const { config, logger } = this.deps;
    const created = mkdirSync(config.dataDir, { recursive: true }); // the first directory it had to create, if any
    const undo = async (): Promise<void> => {
      await Promise.all([this.listener.close(), this.http.close()]);
      this.lock?.release();
      this.lock = null;
      if (created !== undefined) rmSync(created, { recursive: true, force: true });
    };
    try {
      this.lock = lockDataDir(config.dataDir, (text) => logger.warn(text));
      // The ports before the files: a node that cannot serve must not touch the state on disk.
      await this.listener.listen(config.self.address.host, config.self.address.port);
      await this.http.listen(config.httpHost, config.httpPort);
    } catch (err) {
      await undo();
      throw err;
    }
    this.durable = openDurableState(config.dataDir, (level, text) => logger.log(level, text), {
      walFsync: (s) => this.metrics.observeWalFsync(s),
      snapshotSave: (s) => this.metrics.observeSnapshotSave(s),
    });
    this.host = new RaftHost({
      // --peers seeds an empty node only: a configuration in the log or snapshot wins (the core's rule).
      raft: { ...raftSettings(config.shared, config.self.raftId, [config.self.raftId, ...config.peers.map((p) => p.raftId)], this.deps.random), join: config.join !== null },
      persisted: this.durable.persisted,
      storage: this.durable.storage,
      env: {
        ...eventLoopTimers,
        now: this.deps.now,
        sendPeer: (to, body) => {
          this.sendToPeer(to, body as unknown as Body);
        },
        flushPeers: () => {
          for (const link of this.links.values()) link.flush();
        },
        forward: (leader, op) => this.forward(leader, op),
        log: (level, text, role, term) => logger.log(level, this.withNames(text), role, term),
        fatal: this.deps.fatal,
        configurationChanged: (state) => {
          this.membership.configurationChanged(state);
          this.routing.setMembers(this.routedMembers());
        },
      },
      observer: this.metrics,
    });
    this.links.start();
    this.membership.startJoining();
    logger.info(
      `standalone node ${config.name} (raft id ${config.self.raftId}) listening: peers on ${config.self.address.host}:${config.self.address.port}, HTTP on ${config.httpHost}:${config.httpPort}; ${this.clusterText()}`,
    );
  }

  /** The members this node starts with, for its first log line. */
  private clusterText(): string {
    const c = this.host?.status().configuration;
    if (c === undefined || c.self === 'joining') return `joining the cluster via ${this.deps.config.join === null ? '?' : addressId(this.deps.config.join)}`;
    const learners = c.config.learners.length === 0 ? '' : `, learners [${c.config.learners.join(', ')}]`;
    return `cluster [${c.config.voters.join(', ')}]${learners}${c.index === 0 ? '' : ` (configuration from index ${c.index} of the log)`}`;
  }

  /**
   * The graceful stop (SIGTERM, Ctrl-C): a leader first hands leadership to the most up-to-date
   * follower (dissertation §3.10; the core gives up after an election timeout, and so do we), then
   * every node stops taking connections and answers the requests it already took, then shuts down.
   */
  async stopGracefully(): Promise<void> {
    const { config, logger } = this.deps;
    // The timing in force, not the configured floors: on a slow network the core's own transfer
    // deadline (a timeout, two writes and a round trip) is longer than the configured range.
    const t = this.host?.currentTiming();
    const limitMs = (t?.electionTimeoutMaxMs ?? config.shared.electionTimeoutMaxMs) + 2 * (t?.persistAllowanceMs ?? 0) + (t?.roundTripAllowanceMs ?? 0) + 100;
    const deadline = this.deps.now() + limitMs + DRAIN_LIMIT_MS;
    if (this.host?.status().role === 'leader') {
      logger.info('this node leads: handing leadership over before shutting down');
      const giveUpAt = this.deps.now() + limitMs;
      let outcome: HandoffOutcome | null = null;
      // An abandoned attempt (the target too slow under load) leaves time for another, maybe to
      // another follower: the core picks the most up-to-date one each time.
      while (this.deps.now() < giveUpAt && (outcome === null || outcome.outcome === 'abandoned') && this.host.status().role === 'leader') {
        outcome = await Promise.race([
          this.host.transferLeadership(null),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(0, giveUpAt - this.deps.now()))),
        ]);
        if (outcome === null) break;
      }
      if (outcome === null) logger.warn(`no hand-over within ${limitMs} ms: shutting down anyway`);
      else if (outcome.outcome !== 'handed-over') logger.warn(`no hand-over (${outcome.outcome === 'refused' ? outcome.reason : `abandoned after ${outcome.ms} ms`}): shutting down anyway`);
      else {
        // Until the new leader is known here, the others may still take us for the leader and relay
        // client operations to us: stay to answer them (they are refused or relayed on, never lost).
        await this.waitUntil(() => this.host?.status().leaderId != null, this.deps.now() + limitMs);
      }
    }
    const waiting = this.http.pendingRequests() + this.relaysInService;
    if (waiting > 0) logger.info(`waiting for ${waiting} client request(s) to be answered (at most ${DRAIN_LIMIT_MS} ms)`);
    await this.http.drain(DRAIN_LIMIT_MS);
    // Relayed operations have no HTTP request here, but a peer's client waits for them all the same,
    // and one relayed a moment ago may still be on the wire: wait for a heartbeat interval of quiet.
    const quietMs = config.shared.heartbeatIntervalMs;
    await this.waitUntil(() => this.relaysInService === 0 && this.deps.now() - this.lastRelayAt >= quietMs, deadline);
    await this.shutdown();
  }

  private async waitUntil(done: () => boolean, deadline: number): Promise<void> {
    while (!done() && this.deps.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }

  /** Stops timers and servers and closes the file; every write was already fsynced when it was made. */
  async shutdown(): Promise<void> {
    this.host?.stop();
    this.membership.close();
    this.links.closeAll();
    for (const pending of this.pendingForwards.values()) clearTimeout(pending.timer);
    await Promise.all([this.listener.close(), this.http.close()]);
    this.durable?.close();
    this.lock?.release();
  }

  /**
   * Log text with Raft ids replaced by the names people gave the nodes (--id), as /status shows
   * them: with address-form --peers, Raft knows members as "127.0.0.1:9002", people as "2". A
   * peer's name is learned from its hello, which precedes anything it sends us.
   */
  private withNames(text: string): string {
    if (this.idPattern === null) {
      const ids = [...this.idNames.keys()].filter((id) => this.idNames.get(id) !== id).sort((a, b) => b.length - a.length);
      if (ids.length === 0) return text;
      // Not followed by another digit: "127.0.0.1:1000" must not match inside "127.0.0.1:10001". Not
      // after "(" or "at ": there an address is meant as one (`adding 4 (127.0.0.1:9004)`, `peer 4 at 127.0.0.1:9004`).
      this.idPattern = new RegExp(`(?<!\\(|at )(${ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?!\\d)`, 'g');
    }
    return text.replace(this.idPattern, (id) => this.idNames.get(id) ?? id);
  }

  private learnName(raftId: string, name: string): void {
    if (this.idNames.get(raftId) === name) return;
    this.idNames.set(raftId, name);
    this.idPattern = null;
  }

  private statusJson(): { [key: string]: Json } {
    const { config } = this.deps;
    const s = this.host?.status();
    const nameOf = (raftId: string): string => (raftId === config.self.raftId ? config.name : (this.peerNames.get(raftId) ?? raftId));
    return {
      id: config.name,
      raftId: config.self.raftId,
      state: s?.role ?? 'starting',
      term: s?.term ?? 0,
      leader: s?.leaderId == null ? null : nameOf(s.leaderId),
      leaderRaftId: s?.leaderId ?? null,
      commitIndex: s?.commitIndex ?? 0,
      appliedIndex: s?.appliedIndex ?? 0,
      lastLogIndex: s?.lastLogIndex ?? 0,
      http: advertisedHttp(config),
      adminStop: config.allowAdminStop && this.deps.requestStop !== undefined,
      // The leader's view of each follower's log (empty on followers), for the cluster page's bars.
      matchIndex: (this.host?.core.matchIndexes() ?? []).map((p) => ({ id: nameOf(p.peer), matchIndex: p.matchIndex })),
      peers: [...this.links.values()].map((link) => ({ id: nameOf(link.peerId), raftId: link.peerId, connected: link.isConnected(), http: this.peerHttp.get(link.peerId) ?? null })),
    };
  }

  /** Bytes to and from each peer, both connections (ours to it, its to us), for /metrics. */
  private peerTraffic(): { raftId: string; name: string; sentBytes: number; receivedBytes: number }[] {
    return this.links.knownIds().map((peerId) => {
      const out = this.links.traffic(peerId);
      const inbound = this.listener.traffic(peerId);
      return { raftId: peerId, name: this.peerNames.get(peerId) ?? peerId, sentBytes: out.sent + inbound.sent, receivedBytes: out.received + inbound.received };
    });
  }

  /** Hands leadership to the member named `to` (its --id or Raft id), or to the most up-to-date follower. */
  transferLeadership(to: string | null): Promise<HandoffOutcome> {
    if (this.host === null) return Promise.resolve({ outcome: 'refused', reason: 'starting up' });
    if (to === null) return this.host.transferLeadership(null);
    const target = this.raftIdOf(to);
    if (target === null) return Promise.resolve({ outcome: 'refused', reason: `no member of this cluster is called ${to}` });
    return this.host.transferLeadership(target);
  }

  private raftIdOf(name: string): string | null {
    const { config } = this.deps;
    if (name === config.name || name === config.self.raftId) return config.self.raftId;
    if (this.links.has(name)) return name;
    for (const [raftId, peerName] of this.peerNames) if (peerName === name) return raftId;
    return null;
  }

  /** The HTTP answer to POST /admin/transfer-leader: 200 handed over, 409 refused, 503 abandoned. */
  private async transferLeaderAnswer(to: string | null): Promise<HttpAnswer> {
    const nameOf = (raftId: string | null): string | null => (raftId === null ? null : raftId === this.deps.config.self.raftId ? this.deps.config.name : (this.peerNames.get(raftId) ?? raftId));
    const before = this.host?.status();
    if (before?.role !== 'leader') {
      // Said here with the names people use; the core's refusal would name Raft ids.
      return { status: 409, body: { error: 'leadership transfer refused: this node is not the leader', leader: nameOf(before?.leaderId ?? null) } };
    }
    const result = await this.transferLeadership(to === '' ? null : to);
    const leader = nameOf(this.host?.status().leaderId ?? null);
    switch (result.outcome) {
      case 'refused':
        return { status: 409, body: { error: `leadership transfer refused: ${result.reason}`, leader } };
      case 'handed-over':
        return { status: 200, body: { transferred: true, from: this.deps.config.name, to: nameOf(result.target), ms: result.ms, leader } };
      case 'abandoned':
        return {
          status: 503,
          body: { error: `leadership transfer to ${String(nameOf(result.target))} abandoned after ${result.ms} ms; this node still leads`, leader },
          headers: { 'Retry-After': '1' },
        };
      default: {
        const unreachable: never = result;
        return { status: 500, body: { error: `unexpected outcome ${JSON.stringify(unreachable)}` } };
      }
    }
  }

  private sendToPeer(to: string, body: Body): boolean {
    const link = this.links.get(to);
    if (link === undefined) return false;
    // A node outside the configuration (one we dialled back, a cluster we are joining) is not in the
    // router's member list: straight over its link.
    if (!this.links.isMember(to)) return link.send({ src: this.deps.config.self.raftId, dest: to, body });
    return this.routing.send(to, body);
  }

  /** The router's member list: ourselves and the members of the configuration in force, as PeerSet has them. */
  private routedMembers(): string[] {
    return [this.deps.config.self.raftId, ...this.links.memberIds()];
  }

  private submit(op: KvOperation, respond: (reply: ClientReply) => void, mayForward: boolean): void {
    if (this.host === null) {
      respond(errorBody(ErrorCode.temporarilyUnavailable, 'starting up'));
      return;
    }
    if (this.membership.removed()) {
      respond(errorBody(ErrorCode.temporarilyUnavailable, 'this node was removed from the cluster; ask a member'));
      return;
    }
    this.host.submit(op, respond, mayForward);
  }

  /** Relays a client operation to the leader over our link to it. */
  private forward(leader: string, op: KvOperation): Promise<ClientReply | 'timeout'> {
    const msgId = this.nextMsgId++;
    return new Promise((resolve) => {
      // Not even queued: the leader certainly never saw it, so a definite "try again" is honest.
      if (!this.sendToPeer(leader, { type: 'forward', msg_id: msgId, request: op as unknown as Json })) {
        resolve(errorBody(ErrorCode.temporarilyUnavailable, `leader ${leader} is unreachable from here`));
        return;
      }
      const timer = setTimeout(() => {
        this.pendingForwards.delete(msgId);
        resolve('timeout');
      }, FORWARD_TIMEOUT_MS);
      this.pendingForwards.set(msgId, { resolve, timer, term: this.host?.status().term ?? 0, graceStarted: false });
    });
  }

  private handlePeerLine(from: string, line: string): void {
    const parsed = parseLine(line);
    if (parsed.kind === 'malformed') {
      this.deps.logger.warn(`malformed line from peer ${from} (${parsed.reason})`);
      return;
    }
    const { src, dest, body } = parsed.envelope;
    if (src !== from || dest !== this.deps.config.self.raftId) {
      this.deps.logger.warn(`dropped ${String(body['type'])} on ${from}'s connection claiming ${src} -> ${dest}`);
      return;
    }
    // `from` is the hop; a relayed body is handled as coming from the member that sent it first.
    const routed = this.routing.receive(from, body);
    if (routed !== null) this.handlePeerBody(routed.origin, routed.body);
  }

  private handlePeerBody(from: string, body: Body): void {
    const inReplyTo = body['in_reply_to'];
    if (isMessageId(inReplyTo) && body['type'] !== 'member_change_reply') {
      this.handleForwardReply(inReplyTo, body);
      return;
    }
    const type = String(body['type']);
    if (type === 'member_change_reply') {
      this.membership.handleReply(body);
    } else if (type === 'member_change') {
      this.membership.handleRelayed(from, body);
    } else if (type === 'forward') {
      this.handleForward(from, body);
    } else if (RAFT_TYPES.has(type)) {
      const checked = checkRaftMessage(body);
      if (!checked.ok) {
        this.deps.logger.warn(`refused raft message from ${from}: ${checked.reason}`);
        return;
      }
      this.stepPeer(from, checked.value);
    } else {
      this.deps.logger.warn(`unsupported message type "${type}" from peer ${from}`);
    }
  }

  private stepPeer(from: string, msg: RaftMessage): void {
    this.host?.stepPeer(from, msg);
    if (this.pendingForwards.size > 0) this.releaseForwardsOfPastTerms();
  }

  /**
   * A relay to a leader whose term has ended may have committed or not: after a short grace for the
   * old leader's answer, say "unknown" instead of waiting the whole relay timeout, so the client can
   * go on with the new leader (the fault campaign showed followers' clients held for their whole
   * timeout after the leader was cut off; a graceful hand-over still gets its real answers).
   */
  private releaseForwardsOfPastTerms(): void {
    const term = this.host?.status().term ?? 0;
    if (term === this.relaysCheckedInTerm) return; // the common case: nothing to look at per message
    this.relaysCheckedInTerm = term;
    const graceMs = FORWARD_GRACE_HEARTBEATS * this.deps.config.shared.heartbeatIntervalMs;
    for (const [msgId, pending] of this.pendingForwards) {
      if (pending.term >= term || pending.graceStarted) continue;
      pending.graceStarted = true;
      clearTimeout(pending.timer);
      pending.timer = setTimeout(() => {
        this.pendingForwards.delete(msgId);
        pending.resolve('timeout');
      }, graceMs);
    }
  }

  /** A peer relays a client operation to us because it believes we lead; we never relay it further. */
  private handleForward(from: string, body: Body): void {
    const msgId = body['msg_id'];
    if (!isMessageId(msgId)) return;
    const request = body['request'];
    const checked = typeof request === 'object' && request !== null && !Array.isArray(request) ? checkKvOperation(request) : null;
    let answered = false;
    this.relaysInService++;
    this.lastRelayAt = this.deps.now();
    const reply = (r: ClientReply): void => {
      if (answered) return;
      answered = true;
      this.relaysInService--;
      this.sendToPeer(from, { ...r, in_reply_to: msgId });
    };
    if (checked === null || !checked.ok) {
      reply(errorBody(ErrorCode.malformedRequest, checked?.ok === false ? checked.reason : 'forward needs a "request" object'));
      return;
    }
    this.submit(checked.value, reply, false);
  }

  private handleForwardReply(inReplyTo: number, body: Body): void {
    const pending = this.pendingForwards.get(inReplyTo);
    if (pending === undefined) return; // late: the client already got a 504
    this.pendingForwards.delete(inReplyTo);
    clearTimeout(pending.timer);
    pending.resolve(relayedReply(body));
  }
}

/**
 * The HTTP address this node gives its peers in its hello: --http-host, or the peer address's host
 * when HTTP listens on every interface (0.0.0.0 or ::), which peers cannot dial as such.
 */
export function advertisedHttp(config: Pick<StandaloneConfig, 'httpHost' | 'httpPort' | 'self'>): string {
  const wildcard = config.httpHost === '0.0.0.0' || config.httpHost === '::' || config.httpHost === '';
  const host = wildcard ? config.self.address.host : config.httpHost;
  return `${host.includes(':') ? `[${host}]` : host}:${config.httpPort}`;
}
