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
    /** Nodes in the cluster, this one included (known once the adapter is initialised). */
    private clusterSize = 3,
  ) {
    this.derived = fixedTiming(floors);
    this.lastLogged = this.derived;
  }

  current(): DerivedTiming {
    return this.derived;
  }

  setClusterSize(nodes: number): void {
    this.clusterSize = nodes;
  }

  onChange(listener: (t: DerivedTiming) => void): void {
    this.listeners.push(listener);
  }

  peerRoundTrip(peer: NodeId, ms: number): void {
    let e = this.peers.get(peer);
    if (e === undefined) this.peers.set(peer, (e = new RttEstimator()));
    // A leader samples each follower at every heartbeat (and every append): several per round trip.
    // Counted from the smaller of the estimate and the sample, so that an estimate inflated by one
    // outlier (an answer that waited out a partition) is not also given tiny gains, which would keep
    // it inflated for minutes.
    e.sample(ms, Math.min(e.srttMs(), ms) / this.floors.heartbeatIntervalMs);
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

  /**
   * The peer that completes a majority: sorted fastest first, the one at which the leader (counting
   * itself) has heard from a majority. Commits and elections wait for exactly that many answers, and
   * one slow or paused peer (whose answers can come seconds late) does not stretch everyone's timing.
   */
  private quorumPeer(): RttEstimate | null {
    const known = [...this.peers.values()].flatMap((e) => {
      const c = e.current();
      return c === null ? [] : [c];
    });
    if (known.length === 0) return null;
    known.sort((a, b) => highRtt(a) - highRtt(b));
    const answersNeeded = Math.floor(this.clusterSize / 2); // a majority besides ourselves
    return known[Math.min(known.length, Math.max(1, answersNeeded)) - 1] ?? null;
  }

  private update(): void {
    if (!this.adaptive) return;
    const next = deriveTiming(this.floors, { peer: this.quorumPeer(), service: this.service.current(), serviceBackoff: this.serviceBackoff });
    // Every answer from a peer lands here: most samples leave the (rounded) timing as it was, and
    // then there is nothing to hand on.
    if (sameTiming(this.derived, next)) return;
    this.derived = next;
    if (changedNoticeably(this.lastLogged, next)) {
      this.lastLogged = next;
      this.log(describeTiming(next));
    }
    for (const l of this.listeners) l(next);
  }
}

function sameTiming(a: DerivedTiming, b: DerivedTiming): boolean {
  return (Object.keys(a) as (keyof DerivedTiming)[]).every((k) => a[k] === b[k]);
}
