// The outbound links of a node, following the configuration in force instead of a fixed --peers:
// a member that joins the configuration is dialled, one that leaves it is hung up on. A node that
// is not (yet) in our configuration but talks to us (the leader of a cluster we are joining, a
// member whose change we have not received yet) is dialled back at the address its hello gave, so
// we can answer it; such links last until the next configuration change.
import { addressId, type PeerAddress } from './config.ts';
import type { PeerLink } from './peer-link.ts';

export class PeerSet {
  private readonly links = new Map<string, PeerLink>();
  private readonly addresses = new Map<string, string>();
  /** The host part of each link's address, for "is this connection from a member's host?". */
  private readonly hosts = new Map<string, string>();
  private members = new Set<string>();
  /** Bytes of links that were closed, so the per-peer counters never go down. */
  private readonly retired = new Map<string, { sent: number; received: number }>();
  private started = false;

  constructor(
    private readonly selfId: string,
    private readonly makeLink: (raftId: string, address: PeerAddress) => PeerLink,
  ) {}

  /** Starts dialling the links made so far; later ones start as they are made. */
  start(): void {
    this.started = true;
    for (const link of this.links.values()) link.start();
  }

  /**
   * The configuration in force is now `members` (ourselves included or not): dial the new ones, hang
   * up on the rest (dialled-back strangers too), and redial a member whose address changed. A member
   * whose address is not known yet (null) counts as one; it is dialled once its hello gives one.
   */
  reconcile(members: readonly { raftId: string; address: PeerAddress | null }[]): void {
    const others = members.filter((m) => m.raftId !== this.selfId);
    this.members = new Set(others.map((m) => m.raftId));
    const wanted = new Map(others.flatMap((m) => (m.address === null ? [] : [[m.raftId, m.address] as const])));
    for (const id of [...this.links.keys()]) {
      const address = wanted.get(id);
      if (!this.members.has(id) || (address !== undefined && addressId(address) !== this.addresses.get(id))) this.drop(id);
    }
    for (const [id, address] of wanted) if (!this.links.has(id)) this.open(id, address);
  }

  /** A node said hello with its peer address and we have no link to it (a stranger, or a member whose address we lacked): dial it. */
  dialBack(raftId: string, address: PeerAddress): void {
    if (raftId === this.selfId || this.links.has(raftId)) return;
    this.open(raftId, address);
  }

  /** Is `raftId` in the configuration in force (as last reconciled)? */
  isMember(raftId: string): boolean {
    return this.members.has(raftId);
  }

  /** The members of the configuration in force other than ourselves (as last reconciled). */
  memberIds(): string[] {
    return [...this.members];
  }

  /** Is `host` (as written in the configuration: an IP or a name) the host of one of our links? */
  isLinkHost(host: string): boolean {
    for (const h of this.hosts.values()) if (h === host) return true;
    return false;
  }

  get(raftId: string): PeerLink | undefined {
    return this.links.get(raftId);
  }

  has(raftId: string): boolean {
    return this.links.has(raftId);
  }

  values(): IterableIterator<PeerLink> {
    return this.links.values();
  }

  /** Bytes to and from `raftId` on our links to it, closed ones included. */
  traffic(raftId: string): { sent: number; received: number } {
    const old = this.retired.get(raftId) ?? { sent: 0, received: 0 };
    const now = this.links.get(raftId)?.traffic() ?? { sent: 0, received: 0 };
    return { sent: old.sent + now.sent, received: old.received + now.received };
  }

  /** Every peer we have or had a link to. */
  knownIds(): string[] {
    return [...new Set([...this.links.keys(), ...this.retired.keys()])];
  }

  closeAll(): void {
    for (const id of [...this.links.keys()]) this.drop(id);
  }

  private open(raftId: string, address: PeerAddress): void {
    const link = this.makeLink(raftId, address);
    this.links.set(raftId, link);
    this.addresses.set(raftId, addressId(address));
    this.hosts.set(raftId, address.host);
    if (this.started) link.start();
  }

  private drop(raftId: string): void {
    const link = this.links.get(raftId);
    if (link === undefined) return;
    const t = link.traffic();
    const old = this.retired.get(raftId) ?? { sent: 0, received: 0 };
    this.retired.set(raftId, { sent: old.sent + t.sent, received: old.received + t.received });
    link.close();
    this.links.delete(raftId);
    this.addresses.delete(raftId);
    this.hosts.delete(raftId);
  }
}
