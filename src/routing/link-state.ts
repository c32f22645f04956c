// What one node knows about which directed links of the cluster deliver. Transport-agnostic: the
// Maelstrom adapter and the simulator feed it the same events (a frame arrived from X, a frame was
// sent to X) and the same piggybacked reports, so both run exactly this logic.
//
// Evidence, not guesses: a link is judged dead only when its RECEIVER reported, long enough after a
// send, that it has not heard the sender since. Links nobody has evidence about count as working, so
// a healthy network (and a crashed peer, whose reports simply stop) never triggers a relay: the same
// messages travel as without routing. Clocks are never compared across nodes: reports carry ages
// (ms before now), which each holder turns into its own clock on receipt.
import type { Json } from '../json.ts';

export interface LinkStateOptions {
  /** A send older than this, still unheard in a report of the receiver generated later, means the link is down. */
  deadAfterMs: number;
  /** Reports older than this are no longer passed on, and dead marks in them expire. */
  staleAfterMs: number;
  /** A link whose receiver heard the sender within this window is known to work (preferred for relaying). */
  recentMs: number;
}

/** One node's view of its in-links, as it travels: how long ago it heard from each node, whom it cannot reach. */
export interface LinkReport {
  origin: string;
  /** ms since the origin generated this report (transit time is not counted). */
  ageMs: number;
  /** Per node of the cluster, in cluster order: ms between the origin's last receipt from it and the report; null = never. */
  heardAgoMs: (number | null)[];
  /** Nodes the origin has evidence it cannot reach directly. */
  deadTo: string[];
}

interface StoredReport {
  /** When it was generated, on our clock. */
  stamp: number;
  /** Per node: when the origin last heard from it, on our clock (-Infinity = never). */
  heardAt: number[];
  deadTo: Set<string>;
}

/** Weights for choosing a relay path: links known to work beat links nobody knows about. */
const KNOWN_LINK_COST = 1;
const UNKNOWN_LINK_COST = 4;
/** Sends are remembered at most this often per peer (enough resolution for deadAfterMs). */
const SEND_SAMPLE_MS = 5;
const MAX_REMEMBERED_SENDS = 200;

export class LinkState {
  private readonly index = new Map<string, number>();
  /** When we last received anything straight from each node (our own clock). */
  private readonly lastHeard: number[];
  /** Per peer: times of direct sends not yet confirmed by that peer's reports, oldest first. */
  private readonly unconfirmed: number[][];
  private readonly reports = new Map<string, StoredReport>();
  /**
   * reportsToSend's last answer: a broadcast, a relay plus its probe, or a hedge sends several
   * frames at one instant, and at a fixed instant only heard, absorb and a peer's first unconfirmed
   * send change the answer.
   */
  private sendable: { now: number; reports: LinkReport[] } | null = null;

  constructor(
    readonly self: string,
    readonly nodeIds: readonly string[],
    private options: LinkStateOptions,
  ) {
    nodeIds.forEach((id, i) => this.index.set(id, i));
    this.lastHeard = nodeIds.map(() => -Infinity);
    this.unconfirmed = nodeIds.map(() => []);
  }

  /** New windows (the network's round trip changed); the evidence gathered so far is kept. */
  retime(options: LinkStateOptions): void {
    this.options = options;
    this.sendable = null;
  }

  isPeer(id: string): boolean {
    return id !== this.self && this.index.has(id);
  }

  /** A frame arrived straight from `from` (its physical sender). */
  heard(from: string, now: number): void {
    const i = this.index.get(from);
    if (i === undefined) return;
    this.lastHeard[i] = now;
    this.sendable = null;
  }

  /** We put a frame on the direct link to `to`. */
  sent(to: string, now: number): void {
    const list = this.unconfirmed[this.index.get(to) ?? -1];
    if (list === undefined || to === this.self) return;
    const last = list[list.length - 1];
    if (list.length >= MAX_REMEMBERED_SENDS || (last !== undefined && now - last < SEND_SAMPLE_MS)) return;
    if (list.length === 0) this.sendable = null; // a new oldest send: exact even with deadAfterMs 0
    list.push(now);
  }

  /** Reports piggybacked on a frame: keep the freshest per origin and learn what they say about our own sends. */
  absorb(reports: readonly LinkReport[], now: number): void {
    if (reports.length > 0) this.sendable = null;
    for (const r of reports) {
      if (r.origin === this.self || !this.index.has(r.origin) || r.heardAgoMs.length !== this.nodeIds.length) continue;
      const stamp = now - r.ageMs;
      const known = this.reports.get(r.origin);
      if (known !== undefined && known.stamp >= stamp) continue;
      const heardAt = r.heardAgoMs.map((ago) => (ago === null ? -Infinity : stamp - ago));
      this.reports.set(r.origin, { stamp, heardAt, deadTo: new Set(r.deadTo) });
      this.confirmSends(r.origin, heardAt[this.index.get(this.self) as number] as number);
    }
  }

  /** Our own report and the fresh ones we hold, for the next frame we send. */
  reportsToSend(now: number): LinkReport[] {
    if (this.sendable !== null && this.sendable.now === now) return this.sendable.reports;
    const own: LinkReport = {
      origin: this.self,
      ageMs: 0,
      heardAgoMs: this.lastHeard.map((t) => (t === -Infinity ? null : Math.round(now - t))),
      deadTo: this.nodeIds.filter((id) => this.isPeer(id) && this.ownLinkDead(id)),
    };
    const out = [own];
    for (const [origin, r] of this.reports) {
      const ageMs = now - r.stamp;
      if (ageMs > this.options.staleAfterMs) continue;
      out.push({ origin, ageMs: Math.round(ageMs), heardAgoMs: r.heardAt.map((t) => (t === -Infinity ? null : Math.round(r.stamp - t))), deadTo: [...r.deadTo] });
    }
    this.sendable = { now, reports: out };
    return out;
  }

  /** Is the direct link from us to `to` down, on the evidence of `to`'s own reports? */
  ownLinkDead(to: string): boolean {
    const report = this.reports.get(to);
    const oldest = this.unconfirmed[this.index.get(to) ?? -1]?.[0];
    return report !== undefined && oldest !== undefined && oldest <= report.stamp - this.options.deadAfterMs;
  }

  /** Is the directed link a -> b down, as far as we know? */
  linkDead(a: string, b: string, now: number): boolean {
    if (a === this.self) return this.ownLinkDead(b);
    const report = this.reports.get(a);
    return report !== undefined && now - report.stamp <= this.options.staleAfterMs && report.deadTo.has(b);
  }

  /** Is the directed link a -> b known to have delivered recently? */
  linkWorks(a: string, b: string, now: number): boolean {
    const ia = this.index.get(a);
    if (ia === undefined) return false;
    if (b === this.self) return now - (this.lastHeard[ia] as number) <= this.options.recentMs;
    const report = this.reports.get(b);
    return report !== undefined && now - (report.heardAt[ia] as number) <= this.options.recentMs && !this.linkDead(a, b, now);
  }

  /**
   * The neighbour to hand a frame for `dest` to: `dest` itself while the direct link is not known to
   * be down, else the first hop of the cheapest path over links not known to be down (null if none).
   */
  nextHop(dest: string, now: number): string | null {
    if (!this.ownLinkDead(dest)) return dest;
    return this.cheapestFirstHop(this.self, dest, now);
  }

  /**
   * `peer` was talking to us (we heard it directly within `windowMs`) but has been silent for more
   * than `silenceMs`: one of our two links with it may have just gone down, before any report can
   * say which.
   */
  fellSilent(peer: string, now: number, silenceMs: number, windowMs: number): boolean {
    const since = now - (this.lastHeard[this.index.get(peer) ?? -1] ?? -Infinity);
    return since > silenceMs && since < windowMs;
  }

  /** Dijkstra over at most a handful of nodes: plain arrays are fast enough. */
  private cheapestFirstHop(from: string, dest: string, now: number): string | null {
    const n = this.nodeIds.length;
    const cost = new Array<number>(n).fill(Infinity);
    const firstHop = new Array<string | null>(n).fill(null);
    const done = new Array<boolean>(n).fill(false);
    const start = this.index.get(from);
    const goal = this.index.get(dest);
    if (start === undefined || goal === undefined) return null;
    cost[start] = 0;
    for (;;) {
      let u = -1;
      for (let i = 0; i < n; i++) if (!done[i] && (cost[i] as number) < Infinity && (u < 0 || (cost[i] as number) < (cost[u] as number))) u = i;
      if (u < 0) return null;
      if (u === goal) return firstHop[u] as string | null;
      done[u] = true;
      const a = this.nodeIds[u] as string;
      for (let v = 0; v < n; v++) {
        const b = this.nodeIds[v] as string;
        if (done[v] || v === u || this.linkDead(a, b, now)) continue;
        const c = (cost[u] as number) + (this.linkWorks(a, b, now) ? KNOWN_LINK_COST : UNKNOWN_LINK_COST);
        if (c < (cost[v] as number)) {
          cost[v] = c;
          firstHop[v] = u === start ? b : firstHop[u] as string;
        }
      }
    }
  }

  private confirmSends(peer: string, heardAt: number): void {
    const list = this.unconfirmed[this.index.get(peer) ?? -1];
    if (list === undefined) return;
    let drop = 0;
    while (drop < list.length && (list[drop] as number) <= heardAt) drop++;
    if (drop > 0) list.splice(0, drop);
  }
}

// ------------------------------------------------------------------ wire form

/** Compact JSON: [[origin, ageMs, [heardAgo per node, -1 = never], [dead-to names]], ...]. */
export function encodeReports(reports: readonly LinkReport[]): Json {
  return reports.map((r) => [r.origin, r.ageMs, r.heardAgoMs.map((a) => (a === null ? -1 : a)), r.deadTo]);
}

/** Reads the compact form back; anything malformed is skipped (a peer's bytes are input, never trusted). */
export function decodeReports(value: unknown): LinkReport[] {
  if (!Array.isArray(value)) return [];
  const out: LinkReport[] = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 4) continue;
    const [origin, ageMs, heard, dead] = item as unknown[];
    if (typeof origin !== 'string' || !isNonNegative(ageMs) || !Array.isArray(heard) || !Array.isArray(dead)) continue;
    if (!heard.every((a) => a === -1 || isNonNegative(a)) || !dead.every((d) => typeof d === 'string')) continue;
    out.push({ origin, ageMs, heardAgoMs: heard.map((a) => (a === -1 ? null : (a as number))), deadTo: dead as string[] });
  }
  return out;
}

function isNonNegative(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
