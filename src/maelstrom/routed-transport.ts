// Peer traffic through the relay router (src/routing/), everything else (clients, services) straight
// through the transport. Every message to a peer, Raft or forwarded client request or its reply,
// carries our link reports and may travel through another node when the direct link is down.
import type { LogLevel } from '../raft/types.ts';
import { ELECTION_MESSAGE_TYPES, RAFT_MESSAGE_TYPES } from '../raft/types.ts';
import type { Body, Envelope } from '../protocol/messages.ts';
import { decodeFrame, encodeFrame } from '../routing/json-frame.ts';
import { RelayRouter, routerOptionsFor } from '../routing/relay-router.ts';
import type { Transport } from './transport.ts';

const RAFT_TYPES = new Set<string>(RAFT_MESSAGE_TYPES);
const ELECTION_TYPES = new Set<string>(ELECTION_MESSAGE_TYPES);

export class RoutedTransport {
  private router: RelayRouter<Body> | null = null;

  constructor(
    private readonly transport: Transport,
    private readonly now: () => number,
    private readonly log: (level: LogLevel, text: string) => void,
  ) {}

  /** Called at init, once the cluster is known. */
  start(self: string, nodeIds: readonly string[], heartbeatMs: number): void {
    this.router = new RelayRouter<Body>(self, nodeIds, routerOptionsFor(heartbeatMs), {
      now: this.now,
      transmit: (to, frame) => this.transport.sendPrepared(to, encodeFrame(frame)),
      // A duplicated forward could run a client's write twice; Raft messages are safe to repeat.
      duplicable: (body) => RAFT_TYPES.has(String(body['type'])),
      urgent: (body) => ELECTION_TYPES.has(String(body['type'])),
      log: this.log,
    });
  }

  /** The cluster's timing changed (derived from round trips): the router's windows follow it. */
  retime(heartbeatMs: number, roundTripMs: number): void {
    this.router?.retime(routerOptionsFor(heartbeatMs, roundTripMs));
  }

  /** Same contract as Transport.send: returns the msg_id the body carries (for RPC callbacks). */
  send(dest: string, body: Body, src?: string): number {
    const router = this.router;
    if (router === null || !router.isPeer(dest) || (src !== undefined && src !== router.self)) return this.transport.send(dest, body, src);
    const msgId = this.transport.reserveMsgId();
    router.send(dest, { ...body, msg_id: msgId });
    return msgId;
  }

  /** What an arriving message means for us: itself, its unwrapped payload from its origin, or nothing (passed on). */
  receive(env: Envelope): Envelope | null {
    const router = this.router;
    if (router === null || !router.isPeer(env.src)) return env;
    const decoded = decodeFrame(env.body);
    if (!decoded.ok) {
      this.log('warn', `malformed relay frame from ${env.src}: ${decoded.reason}`);
      return null;
    }
    const got = router.receive(env.src, decoded.frame);
    return got === null ? null : { src: got.origin, dest: env.dest, body: got.payload };
  }
}
