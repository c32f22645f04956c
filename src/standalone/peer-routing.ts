// Peer traffic of the standalone node through the relay router (src/routing/, the same code the
// Maelstrom mode runs): every body to a peer carries our link reports, and goes through another
// member when the direct link is known to be down, so a majority that is connected only through
// one-way or non-transitive links still elects and commits. The wire stays one envelope per line
// whose src and dest are the two ends of the TCP hop; a direct body is the body itself plus a
// `link_state` field (a peer that predates relaying reads it as before), a relayed one is wrapped as
// `{"type":"relay","origin","final_dest","ttl","payload"}` (src/routing/json-frame.ts).
import type { LogLevel } from '../raft/types.ts';
import { ELECTION_MESSAGE_TYPES, RAFT_MESSAGE_TYPES } from '../raft/types.ts';
import type { Body } from '../protocol/messages.ts';
import { decodeFrame, encodeFrame } from '../routing/json-frame.ts';
import { RelayRouter, routerOptionsFor } from '../routing/relay-router.ts';

const RAFT_TYPES = new Set<string>(RAFT_MESSAGE_TYPES);
const ELECTION_TYPES = new Set<string>(ELECTION_MESSAGE_TYPES);

export interface PeerRoutingEnv {
  now(): number;
  /** Puts `body` on our outbound link to peer `to`; false if the link could not even queue it. */
  transmit(to: string, body: Body): boolean;
  log(level: LogLevel, text: string): void;
}

export class PeerRouting {
  private router: RelayRouter<Body>;
  private members: string[];
  /** Whether the current send() got its body onto at least one link. */
  private queued = false;

  constructor(
    private readonly self: string,
    members: readonly string[],
    private readonly heartbeatMs: number,
    private readonly env: PeerRoutingEnv,
  ) {
    // Link reports list what a node heard per member in cluster order, so every member must use the
    // same order: each node lists itself first in its own config, hence the sort.
    this.members = [...new Set(members)].sort();
    this.router = this.makeRouter();
  }

  /**
   * The configuration in force changed: route among its members from now on. The router starts
   * afresh (its link evidence is relearned within a few heartbeats); until every member has the
   * same list, reports of another length are ignored, so only direct links are used meanwhile.
   */
  setMembers(members: readonly string[]): void {
    const next = [...new Set(members)].sort();
    if (next.length === this.members.length && next.every((id, i) => id === this.members[i])) return;
    this.members = next;
    this.router = this.makeRouter();
  }

  private makeRouter(): RelayRouter<Body> {
    const env = this.env;
    return new RelayRouter<Body>(this.self, this.members, routerOptionsFor(this.heartbeatMs), {
      now: env.now,
      transmit: (to, frame) => {
        if (env.transmit(to, encodeFrame(frame))) this.queued = true;
      },
      // A duplicated forward could run a client's write twice; Raft messages are safe to repeat.
      duplicable: (body) => RAFT_TYPES.has(String(body['type'])),
      urgent: (body) => ELECTION_TYPES.has(String(body['type'])),
      log: env.log,
    });
  }

  /** Sends `body` to peer `dest`, directly or through others; false if no link took it (it certainly went nowhere). */
  send(dest: string, body: Body): boolean {
    this.queued = false;
    this.router.send(dest, body);
    return this.queued;
  }

  /**
   * A body arrived on `from`'s connection: the body for us and the member that sent it first, or
   * null when we passed it on (or it was malformed, or dropped by the loop guard).
   */
  receive(from: string, body: Body): { origin: string; body: Body } | null {
    const decoded = decodeFrame(body);
    if (!decoded.ok) {
      this.env.log('warn', `malformed relay frame from ${from}: ${decoded.reason}`);
      return null;
    }
    const got = this.router.receive(from, decoded.frame);
    return got === null ? null : { origin: got.origin, body: got.payload };
  }
}
