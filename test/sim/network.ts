// The simulated node-to-node network: per-message delay from a distribution, random loss,
// duplication and reordering, and partitions expressed as Maelstrom does, a grudge per receiver
// (the senders it drops), checked when the message is taken for delivery. Clients are never
// partitioned (as in Maelstrom), so client traffic does not pass through here.
import type { EventQueue, SimEvent } from './event-queue.ts';
import type { FaultTally } from './fault-tally.ts';
import type { Random } from '../../maelstrom/random.ts';

export type LatencyShape = 'constant' | 'uniform' | 'exponential';

export interface Latency {
  meanMs: number;
  shape: LatencyShape;
}

export interface MessageFaults {
  dropProbability: number;
  duplicateProbability: number;
  /** Chance that a message is held back long enough to overtake, or be overtaken by, later ones. */
  reorderProbability: number;
}

export const NO_MESSAGE_FAULTS: MessageFaults = { dropProbability: 0, duplicateProbability: 0, reorderProbability: 0 };

export function sampleLatency(rng: Random, latency: Latency): number {
  switch (latency.shape) {
    case 'constant':
      return latency.meanMs;
    case 'uniform':
      return rng.uniform(0, 2 * latency.meanMs);
    case 'exponential':
      return rng.exponential(latency.meanMs);
    default: {
      const unreachable: never = latency.shape;
      throw new Error(`unknown latency shape ${String(unreachable)}`);
    }
  }
}

export class SimNetwork<Payload> {
  faults: MessageFaults = NO_MESSAGE_FAULTS;
  /** grudge[receiver] = senders whose messages it drops. */
  private grudge: Set<number>[];
  /** Per sender: its most recent sends, oldest first (a crash may lose those still in flight). */
  private readonly recentSends: { event: SimEvent; sentAt: number }[][];
  private readonly recentWindowMs: number;

  constructor(
    private readonly queue: EventQueue,
    private readonly rng: Random,
    nodeCount: number,
    private readonly latency: Latency,
    private readonly tally: FaultTally,
    private readonly now: () => number,
    private readonly deliver: (from: number, to: number, payload: Payload) => void,
    crashLossWindowMs: number,
  ) {
    this.grudge = Array.from({ length: nodeCount }, () => new Set<number>());
    this.recentSends = Array.from({ length: nodeCount }, () => []);
    this.recentWindowMs = crashLossWindowMs;
  }

  /** Replaces the partition: receiver -> senders it drops. */
  setGrudge(grudge: ReadonlyMap<number, readonly number[]>): void {
    this.heal();
    for (const [receiver, senders] of grudge) for (const s of senders) this.grudge[receiver]?.add(s);
  }

  heal(): void {
    for (const g of this.grudge) g.clear();
  }

  isPartitioned(): boolean {
    return this.grudge.some((g) => g.size > 0);
  }

  /** Can `to` currently hear `from`? */
  hears(to: number, from: number): boolean {
    return !(this.grudge[to]?.has(from) ?? false);
  }

  /**
   * `duplicable` is false for the forwarding RPC: like any RPC over a connection, it is delivered at
   * most once (a duplicated non-idempotent request would run twice; Maelstrom never duplicates).
   */
  send(from: number, to: number, payload: Payload, duplicable = true): void {
    const f = this.faults;
    if (this.rng.chance(f.dropProbability)) {
      this.tally.add('msg-dropped');
      return;
    }
    this.schedule(from, to, payload);
    if (duplicable && this.rng.chance(f.duplicateProbability)) {
      this.tally.add('msg-duplicated');
      this.schedule(from, to, payload);
    }
  }

  /**
   * A crashed machine loses what it had not yet put on the wire: each message it sent in the last
   * `crashLossWindowMs` and that is still in flight is lost with probability one half.
   */
  loseRecentFrom(from: number): void {
    const recent = this.recentSends[from];
    if (recent === undefined) return;
    const now = this.now();
    for (const send of recent) {
      // Only messages still queued can be lost; one already delivered has left its event queue.
      if (send.sentAt >= now - this.recentWindowMs && send.event.deadline > now && !send.event.cancelled && this.rng.chance(0.5)) {
        send.event.cancelled = true;
        this.tally.add('msg-lost-in-crash');
      }
    }
    recent.length = 0;
  }

  private schedule(from: number, to: number, payload: Payload): void {
    let delay = sampleLatency(this.rng, this.latency);
    if (this.rng.chance(this.faults.reorderProbability)) {
      this.tally.add('msg-reordered');
      delay += this.rng.uniform(0, 5 * this.latency.meanMs + 30);
    }
    const now = this.now();
    const event = this.queue.schedule(now + delay, to, () => this.arrive(from, to, payload));
    const recent = this.recentSends[from];
    if (recent === undefined) return;
    while (recent.length > 0 && (recent[0] as { sentAt: number }).sentAt < now - this.recentWindowMs) recent.shift();
    recent.push({ event, sentAt: now });
  }

  private arrive(from: number, to: number, payload: Payload): void {
    {
      if (this.grudge[to]?.has(from) ?? false) {
        this.tally.add('msg-cut-by-partition');
        return;
      }
      this.deliver(from, to, payload);
    }
  }
}
