// A standalone node's side of membership changes: it keeps the outbound links in step with the
// configuration in force (the core reports each change), runs --join until this node is in a
// configuration, answers join requests from new nodes, and serves /admin/members. Addresses come
// from each member's context in the configuration; for members of the bootstrap configuration,
// which carries none, from --peers and from the address every hello carries.
import type { RaftHost } from '../host/raft-host.ts';
import type { Logger } from '../logger.ts';
import type { Body } from '../protocol/messages.ts';
import type { ConfigurationState } from '../raft/types.ts';
import { addressId, parseMemberSpec, type PeerAddress, type StandaloneConfig } from './config.ts';
import { Joiner } from './join-client.ts';
import { decodeMemberContext, encodeMemberContext } from './member-context.ts';
import { MemberRoutes, type MemberView } from './member-routes.ts';
import { MembershipService, TRANSIENT_REFUSALS, type ChangeResult } from './membership.ts';
import type { PeerSet } from './peer-set.ts';
import type { JoinReply, JoinRequest } from './wire.ts';

export interface NodeMembershipDeps {
  config: StandaloneConfig;
  logger: Logger;
  host: () => RaftHost | null;
  links: PeerSet;
  /** What people call a member: its --id once its hello arrived, else its Raft id. */
  nameOf: (raftId: string) => string;
  sendToPeer: (to: string, body: Body) => boolean;
  learnName: (raftId: string, name: string) => void;
  /** Closes the connections a peer dialled to us. */
  disconnectInbound: (raftId: string) => void;
}

export class NodeMembership {
  readonly routes: MemberRoutes;
  private readonly service: MembershipService;
  /** Peer addresses not in any context: --peers, and what hellos said. */
  private readonly addressBook = new Map<string, PeerAddress>();
  private state: ConfigurationState | null = null;
  /** Members of the newest committed configuration seen, and of those this node keeps links to. */
  private committedMembers: string[] = [];
  private reachable: string[] = [];
  /** Members removed by a committed change, still dialled for a grace period. */
  private readonly leaving = new Map<string, NodeJS.Timeout>();
  private joiner: Joiner | null = null;

  constructor(private readonly deps: NodeMembershipDeps) {
    const { config } = deps;
    for (const p of config.peers) this.addressBook.set(p.raftId, p.address);
    this.service = new MembershipService({
      role: () => deps.host()?.status().role ?? 'starting',
      leaderId: () => deps.host()?.status().leaderId ?? null,
      propose: (change) => {
        const host = deps.host();
        if (host === null) return Promise.resolve({ outcome: 'refused', reason: 'not-leader', text: 'starting up', leaderId: null });
        return host.proposeConfChange(change);
      },
      sendToPeer: deps.sendToPeer,
      learnName: deps.learnName,
    });
    this.routes = new MemberRoutes({ named: config.named, members: () => this.members(), change: (c, name) => this.service.change(c, name) });
  }

  /** While joining (no configuration yet), a hello from anyone is taken: the leader adding us is not known to us yet. */
  acceptsStrangers(): boolean {
    return this.state?.self === 'joining';
  }

  /** A hello gave a peer's address: remember it, and dial the peer if we have no link to it. */
  learnAddress(raftId: string, addr: string): void {
    let address: PeerAddress;
    try {
      address = parseMemberSpec(addr, this.deps.config.self.address.host).member.address;
    } catch {
      this.deps.logger.warn(`peer ${raftId} gave an address this node cannot dial (${addr})`);
      return;
    }
    this.addressBook.set(raftId, address);
    if (!this.deps.links.has(raftId)) this.deps.links.dialBack(raftId, address);
  }

  /**
   * The core says the configuration in force changed (and once at start). A member that leaves
   * stays reachable until the change that removes it commits: until then the leader may be the
   * one leaving (it leads, without counting itself, until its removal commits, §4.2.2), or the change
   * may be undone. Once it has committed, the member is hung up on, inbound connections too.
   */
  configurationChanged(state: ConfigurationState): void {
    this.state = state;
    for (const [id, context] of Object.entries(state.config.context ?? {})) {
      const address = decodeMemberContext(context)?.address;
      if (address !== undefined) this.addressBook.set(id, address);
    }
    const current = this.memberIds(state);
    if (state.committed) {
      // The leader goes on telling removed members the commit for a while, so they learn they are
      // out and stop: keep their links that long (the core's window is an election timeout).
      for (const id of this.committedMembers) if (!current.includes(id)) this.keepForAWhile(id);
      this.committedMembers = current;
    }
    const reachable =
      state.self === 'removed' && state.committed ? [] : [...new Set([...current, ...(state.committed ? [] : this.committedMembers), ...this.leaving.keys()])];
    const before = this.reachable;
    this.reachable = reachable;
    if (state.self !== 'joining') {
      this.deps.links.reconcile(reachable.map((id) => ({ raftId: id, address: this.addressOf(id, state) })));
      // Its redial is then refused like any stranger's, and its relays fail fast (503 on its side).
      for (const id of before) if (!reachable.includes(id) && id !== this.deps.config.self.raftId) this.deps.disconnectInbound(id);
    }
    if (state.self !== 'joining') this.joiner?.stop();
  }

  private keepForAWhile(id: string): void {
    if (id === this.deps.config.self.raftId || this.leaving.has(id)) return;
    const graceMs = 2 * this.deps.config.shared.electionTimeoutMaxMs + 500;
    const timer = setTimeout(() => {
      this.leaving.delete(id);
      if (this.state !== null) this.configurationChanged(this.state);
    }, graceMs);
    timer.unref();
    this.leaving.set(id, timer);
  }

  /** Starts asking to be added, if this node was started with --join and its log holds no configuration. */
  startJoining(): void {
    const { config, logger } = this.deps;
    if (config.join === null) return;
    const self = this.deps.host()?.status().configuration.self;
    if (self !== 'joining') {
      logger.info(`--join ${addressId(config.join)} ignored: this node's log already holds its configuration`);
      return;
    }
    const request: JoinRequest = { type: 'join', id: config.self.raftId, name: config.name, address: addressId(config.self.address) };
    this.joiner = new Joiner(config.join, request, config.security?.peerTls ?? null, () => this.state !== null && this.state.self !== 'joining', (level, text) => logger.log(level, text));
    this.joiner.start();
  }

  /** A new node asks to be added as a learner (peer-listener.ts checked its identity with TLS). */
  onJoin(request: JoinRequest, answer: (reply: JoinReply) => void): void {
    const { config } = this.deps;
    const reply = (outcome: JoinReply['outcome'], reason: string): void => answer({ type: 'join_reply', outcome, reason });
    let address: PeerAddress;
    try {
      address = parseMemberSpec(request.address, config.self.address.host).member.address;
    } catch {
      return reply('refused', `"${request.address}" is not a peer address HOST:PORT`);
    }
    // Both ends must agree on how Raft names members, or the joiner would be added under an id it does not answer to.
    const byAddress = request.id === addressId(address);
    if (config.named && byAddress) return reply('refused', 'this cluster knows its members by name: start with --join NAME@HOST:PORT');
    if (!config.named && !byAddress) return reply('refused', 'this cluster knows its members by address: start with --join HOST:PORT');
    const known = this.members().find((m) => m.raftId === request.id);
    if (known !== undefined) return reply('added', `${request.name} is already a ${known.role}`);
    void this.service.change({ type: 'add-learner', id: request.id, context: encodeMemberContext(address) }, request.name).then((result) => reply(...joinOutcome(result, request)));
  }

  handleRelayed(from: string, body: Body): void {
    void this.service.handleRelayed(from, body);
  }

  handleReply(body: Body): void {
    this.service.handleReply(body);
  }

  /** Refuses client operations on a node that was removed: it answers, but serves nobody. */
  removed(): boolean {
    return this.state?.self === 'removed';
  }

  /** The configuration in force, with names and addresses as people use them. */
  members(): MemberView[] {
    const host = this.deps.host();
    if (host === null || this.state === null) return [];
    const state = this.state;
    return host.members().map((m) => ({
      id: this.deps.nameOf(m.id),
      raftId: m.id,
      address: (() => {
        const a = this.addressOf(m.id, state);
        return a === null ? null : addressId(a);
      })(),
      role: m.role,
      matchIndex: m.matchIndex,
    }));
  }

  close(): void {
    for (const t of this.leaving.values()) clearTimeout(t);
    this.joiner?.stop();
    this.service.close();
  }

  private memberIds(state: ConfigurationState): string[] {
    return [...state.config.voters, ...state.config.learners];
  }

  private addressOf(raftId: string, state: ConfigurationState): PeerAddress | null {
    if (raftId === this.deps.config.self.raftId) return this.deps.config.self.address;
    const context = state.config.context?.[raftId];
    const decoded = context === undefined ? null : decodeMemberContext(context);
    return decoded?.address ?? this.addressBook.get(raftId) ?? null;
  }
}

/** What a change's outcome tells a joiner: a refusal that may pass later is "not now". */
function joinOutcome(result: ChangeResult, request: JoinRequest): [JoinReply['outcome'], string] {
  switch (result.kind) {
    case 'done':
      return ['added', `added ${request.name} (${request.address}) as learner at index ${result.index}`];
    case 'refused':
      if (result.reason === 'already-member') return ['added', result.text];
      // One change at a time: another one in flight is a "not now", not a "never".
      if (result.reason === 'change-in-progress' || TRANSIENT_REFUSALS.has(result.reason)) return ['unavailable', result.text];
      return ['refused', result.text];
    case 'retry':
      return ['unavailable', result.text];
    case 'unknown':
      return ['unknown', result.text];
    default: {
      const unreachable: never = result;
      return ['unknown', `unexpected outcome ${JSON.stringify(unreachable)}`];
    }
  }
}
