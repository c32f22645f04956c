// Node-to-node delivery around dead links. Every frame a node sends carries its link reports (whom
// it heard from, and how long ago; see link-state.ts); a frame for a peer goes straight to it while
// that link is not known to be down, and otherwise to the first hop of a path of working links,
// wrapped with its origin and final destination. A node that receives a wrapped frame for someone
// else passes it on by its own view of the links. The Raft core never knows: it sees each message
// as coming from its origin, possibly late, duplicated or out of order, which it tolerates anyway.
//
// The payload type is the caller's (JSON bodies in the Maelstrom adapter, objects in the simulator),
// so both run exactly this code.
import type { LogLevel } from '../raft/types.ts';
import { LinkState, type LinkReport, type LinkStateOptions } from './link-state.ts';

export interface RelayHeader {
  /** The node that sent the payload first. */
  origin: string;
  /** The node the payload is for. */
  dest: string;
  /** Further hops allowed after this one (guards against loops while views disagree). */
  ttl: number;
}

export interface Frame<P> {
  links: LinkReport[];
  /** null: the payload is for the receiver, from the sender. */
  relay: RelayHeader | null;
  payload: P;
}

export interface RouterOptions extends LinkStateOptions {
  /** While a direct link is down, a duplicable payload also goes straight to it at most this often, to notice when it heals. */
  probeIntervalMs: number;
  /**
   * Hedging while unsure: a peer we heard from directly within `hedgeWindowMs` but not for
   * `hedgeAfterSilenceMs` gets a duplicable payload both directly and, at most every
   * `hedgeIntervalMs`, through every other node whose link from us is not known to be down (just
   * after a cut nobody knows which detour works), until the reports tell which link is down. Keeps
   * a leader's heartbeats and its followers' answers flowing while the routes are being learned
   * (check-quorum would otherwise depose a leader that relays could keep).
   */
  hedgeAfterSilenceMs: number;
  hedgeWindowMs: number;
  hedgeIntervalMs: number;
}

/**
 * Timings for a cluster whose heartbeat interval is `heartbeatMs` (a follower answers the leader that
 * often) and whose round trips take up to `roundTripMs`. A report answering our send comes back a
 * round trip after it left, so every window that waits for evidence from the other end is that much
 * longer; on a slow network a shorter one would call healthy links dead and relay for nothing.
 */
export function routerOptionsFor(heartbeatMs: number, roundTripMs = 0): RouterOptions {
  return {
    deadAfterMs: Math.max(60, 2 * heartbeatMs) + roundTripMs,
    staleAfterMs: 3000 + roundTripMs,
    recentMs: Math.max(300, 6 * heartbeatMs) + roundTripMs,
    probeIntervalMs: Math.max(100, 3 * heartbeatMs),
    hedgeAfterSilenceMs: Math.max(60, 2 * heartbeatMs) + roundTripMs,
    hedgeWindowMs: 1000 + roundTripMs,
    hedgeIntervalMs: heartbeatMs,
  };
}

export interface RouterEnv<P> {
  now(): number;
  /** Puts a frame on the direct link to `to` (the network may lose it). */
  transmit(to: string, frame: Frame<P>): void;
  /** May this payload arrive twice? (Raft messages may; a forwarded client request must not.) */
  duplicable(payload: P): boolean;
  /**
   * Is this (duplicable) payload rare and urgent, worth a direct copy every time it is relayed? Votes
   * are: a link judged down while a peer was cut off stays judged so until traffic on it proves
   * otherwise, and two followers hardly talk except to elect, so the detour (perhaps through the
   * leader that just failed) must not be the only way a vote travels.
   */
  urgent?(payload: P): boolean;
  log(level: LogLevel, text: string): void;
}

export interface RelayStats {
  /** Payloads of ours that left through another node. */
  relayed: number;
  /** Frames of others we passed on. */
  passedOn: number;
  /** Extra direct copies sent to test a dead link. */
  probes: number;
  /** Extra relayed copies sent while a peer fell silent and no report yet said which link is down. */
  hedges: number;
  /** Frames dropped: loop guard exhausted or a destination we do not know. */
  dropped: number;
}

const STATS_LOG_INTERVAL_MS = 5000;

export class RelayRouter<P> {
  readonly links: LinkState;
  readonly stats: RelayStats = { relayed: 0, passedOn: 0, probes: 0, hedges: 0, dropped: 0 };
  private readonly lastProbe = new Map<string, number>();
  private readonly lastHedge = new Map<string, number>();
  /** The hop last announced in the log, per destination, so route changes are logged once. */
  private readonly shownRoute = new Map<string, string>();
  private lastStatsLog = -Infinity;
  private statsLogged = '';

  constructor(
    readonly self: string,
    nodeIds: readonly string[],
    private options: RouterOptions,
    private readonly env: RouterEnv<P>,
  ) {
    this.links = new LinkState(self, nodeIds, options);
  }

  /**
   * New windows, e.g. once the round trip is measured (routerOptionsFor); routes and evidence are
   * kept. Callers pass whatever the timing became, so most calls change nothing and cost nothing.
   */
  retime(options: RouterOptions): void {
    const keys = Object.keys(options) as (keyof RouterOptions)[];
    if (keys.every((k) => options[k] === this.options[k])) return;
    this.options = options;
    this.links.retime(options);
  }

  isPeer(id: string): boolean {
    return this.links.isPeer(id);
  }

  /** Sends `payload` to peer `dest`, directly or through others. */
  send(dest: string, payload: P): void {
    const now = this.env.now();
    const hop = this.links.nextHop(dest, now);
    this.showRoute(dest, hop);
    if (hop === dest || hop === null) {
      this.transmit(dest, null, payload, now); // no better way known: try the direct link
      if (hop === dest) this.maybeHedge(dest, payload, now);
      return;
    }
    this.stats.relayed++;
    this.transmit(hop, this.ownRelay(dest), payload, now);
    const urgent = this.env.urgent?.(payload) === true;
    if (this.env.duplicable(payload) && (urgent || now - (this.lastProbe.get(dest) ?? -Infinity) >= this.options.probeIntervalMs)) {
      this.lastProbe.set(dest, now);
      this.stats.probes++;
      this.transmit(dest, null, payload, now);
    }
    this.maybeLogStats(now);
  }

  private maybeHedge(dest: string, payload: P, now: number): void {
    const o = this.options;
    if (!this.env.duplicable(payload) || !this.links.fellSilent(dest, now, o.hedgeAfterSilenceMs, o.hedgeWindowMs)) return;
    if (now - (this.lastHedge.get(dest) ?? -Infinity) < o.hedgeIntervalMs) return;
    this.lastHedge.set(dest, now);
    for (const via of this.links.nodeIds) {
      if (via === dest || !this.links.isPeer(via) || this.links.ownLinkDead(via)) continue;
      this.stats.hedges++;
      this.transmit(via, this.ownRelay(dest), payload, now);
    }
    this.maybeLogStats(now);
  }

  /**
   * A frame arrived straight from `from`. Returns the payload and who sent it first if it is for us;
   * null if we passed it on (or dropped it).
   */
  receive(from: string, frame: Frame<P>): { origin: string; payload: P } | null {
    const now = this.env.now();
    this.links.heard(from, now);
    this.links.absorb(frame.links, now);
    const relay = frame.relay;
    if (relay === null) return { origin: from, payload: frame.payload };
    if (relay.dest === this.self) return this.links.isPeer(relay.origin) ? { origin: relay.origin, payload: frame.payload } : null;
    if (relay.ttl <= 0 || !this.links.isPeer(relay.dest)) {
      this.stats.dropped++;
      return null;
    }
    this.stats.passedOn++;
    const hop = this.links.nextHop(relay.dest, now) ?? relay.dest;
    this.transmit(hop, { ...relay, ttl: relay.ttl - 1 }, frame.payload, now);
    this.maybeLogStats(now);
    return null;
  }

  /** The header for a payload of ours that leaves through another node: enough hops to cross the cluster. */
  private ownRelay(dest: string): RelayHeader {
    return { origin: this.self, dest, ttl: this.links.nodeIds.length - 1 };
  }

  private transmit(to: string, relay: RelayHeader | null, payload: P, now: number): void {
    this.links.sent(to, now);
    this.env.transmit(to, { links: this.links.reportsToSend(now), relay, payload });
  }

  private showRoute(dest: string, hop: string | null): void {
    const shown = this.shownRoute.get(dest) ?? dest;
    const route = hop ?? '';
    if (shown === route) return;
    this.shownRoute.set(dest, route);
    if (hop === dest) this.env.log('info', `direct link to ${dest} works again`);
    else if (hop === null) this.env.log('info', `no route to ${dest}: direct link down and no relay path known`);
    else this.env.log('info', `relaying to ${dest} via ${hop}: direct link down`);
  }

  private maybeLogStats(now: number): void {
    if (now - this.lastStatsLog < STATS_LOG_INTERVAL_MS) return;
    const s = this.stats;
    const text = `relay stats: ${s.relayed} relayed, ${s.passedOn} passed on, ${s.probes} probes, ${s.hedges} hedges, ${s.dropped} dropped`;
    if (text === this.statsLogged) return;
    this.lastStatsLog = now;
    this.statsLogged = text;
    this.env.log('info', text);
  }
}
