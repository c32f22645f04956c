// Keeps the round-trip estimates (one per peer, one for the storage service) and the timing derived
// from them. The host feeds it node-to-node round trips, the Maelstrom adapter feeds it service round
// trips; whoever uses a timeout reads it here. Listeners hear about every change; one log line is
// written when the election timeout or heartbeat move noticeably (not at every sample).
import type { NodeId } from '../raft/types.ts';
import { changedNoticeably, deriveTiming, describeTiming, fixedTiming, type DerivedTiming, type TimingFloors } from './derived-timing.ts';
import { highRtt, RttEstimator, type RttEstimate } from './rtt-estimator.ts';

export class AdaptiveTiming {
  private readonly peers = new Map<NodeId, RttEstimator>();
  private readonly service = new RttEstimator();
  private serviceBackoff = 0;
  private derived: DerivedTiming;
  private lastLogged: DerivedTiming;
  private readonly listeners: ((t: DerivedTiming) => void)[] = [];

  constructor(
    private readonly floors: TimingFloors,
    /** False: the configured values, always (for comparisons: `--fixed-timing`). */
    private readonly adaptive: boolean,
    private readonly log: (text: string) => void,
  ) {
    this.derived = fixedTiming(floors);
    this.lastLogged = this.derived;
  }

  current(): DerivedTiming {
    return this.derived;
  }

  onChange(listener: (t: DerivedTiming) => void): void {
    this.listeners.push(listener);
  }

  peerRoundTrip(peer: NodeId, ms: number): void {
    let e = this.peers.get(peer);
    if (e === undefined) this.peers.set(peer, (e = new RttEstimator()));
    e.sample(ms);
    this.update();
  }

  serviceRoundTrip(ms: number): void {
    this.service.sample(ms);
    this.serviceBackoff = 0;
    this.update();
  }

  /** A service call timed out: wait longer next time until an answer comes back (RFC 6298 5.5). */
  serviceTimedOut(): void {
    this.serviceBackoff++;
    this.update();
  }

  private slowestPeer(): RttEstimate | null {
    let slowest: RttEstimate | null = null;
    for (const e of this.peers.values()) {
      const c = e.current();
      if (c !== null && (slowest === null || highRtt(c) > highRtt(slowest))) slowest = c;
    }
    return slowest;
  }

  private update(): void {
    if (!this.adaptive) return;
    const next = deriveTiming(this.floors, { peer: this.slowestPeer(), service: this.service.current(), serviceBackoff: this.serviceBackoff });
    this.derived = next;
    if (changedNoticeably(this.lastLogged, next)) {
      this.lastLogged = next;
      this.log(describeTiming(next));
    }
    for (const l of this.listeners) l(next);
  }
}
