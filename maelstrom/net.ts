// Maelstrom's network, in memory: registered ids (nodes, clients, services), one global message-id
// counter, latency per message, receiver-side partitions, and send/recv statistics.
//
// Delivery imitates Maelstrom's one delivery thread per receiver (see maelstrom/README.md): a receiver takes the
// earliest-deadline message off its queue as soon as it is idle, checks partitions at that moment,
// then holds it until its deadline (so a later message with an earlier deadline waits behind it:
// head-of-line blocking). All receivers share one timer queue with one armed timer, so thousands of
// messages per second cost a heap operation each, not a setTimeout each.
import { MinHeap, type Timed } from './min-heap.ts';
import type { Random } from './random.ts';

export type LatencyDist = 'constant' | 'uniform' | 'exponential';

export type MessageBody = { [field: string]: unknown };

/** What a receiver gets; the JSON written to a node's stdin has exactly these keys in this order. */
export interface Message {
  id: number;
  src: string;
  dest: string;
  body: MessageBody;
}

export interface NetStats {
  sendCount: number;
  recvCount: number;
  msgCount: number;
}

export interface ClusterNetStats {
  all: NetStats;
  clients: NetStats;
  servers: NetStats;
  /** Bench extension: per sending node, messages of type `relay` (traffic carried for another node's route). */
  relayedBySender?: Record<string, number>;
}

export type SendResult = { ok: true; id: number } | { ok: false; reason: string };

interface Queued extends Timed {
  message: Message;
}

interface Inbox {
  readonly id: string;
  readonly deliver: (message: Message) => void;
  readonly pending: MinHeap<Queued>;
  /** The message this receiver has taken and is holding until its deadline. */
  head: Queued | null;
  open: boolean;
}

interface Due extends Timed {
  inbox: Inbox;
}

/** Maelstrom's rule (util.clj client?): anything whose id starts with `c` is a client. */
export function isClientId(id: string): boolean {
  return id.startsWith('c');
}

/** At most this many deliveries per turn of the event loop, so a flood cannot starve node I/O. */
const MAX_DELIVERIES_PER_TURN = 5000;

export interface NetworkOptions {
  latency: { meanMs: number; dist: LatencyDist };
  random: Random;
  /** Monotonic milliseconds. */
  now: () => number;
}

export class Network {
  private readonly inboxes = new Map<string, Inbox>();
  private readonly due = new MinHeap<Due>();
  /** receiver -> senders whose messages it drops. */
  private grudge = new Map<string, Set<string>>();
  private nextMessageId = 0;
  private nextClientNumber = 0;
  private nextSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDeadline = Infinity;
  private immediate: NodeJS.Immediate | null = null;
  private closed = false;
  private readonly counts = {
    clients: { sendCount: 0, recvCount: 0 },
    servers: { sendCount: 0, recvCount: 0 },
  };
  private readonly relayedBySender: Record<string, number> = {};

  constructor(private readonly options: NetworkOptions) {
    const { meanMs } = options.latency;
    if (!Number.isFinite(meanMs) || meanMs < 0) throw new RangeError(`latency must be >= 0 ms, got ${meanMs}`);
  }

  register(id: string, deliver: (message: Message) => void): void {
    if (this.inboxes.has(id)) throw new Error(`network id ${id} is already registered`);
    this.inboxes.set(id, { id, deliver, pending: new MinHeap<Queued>(), head: null, open: true });
  }

  /** Forgets an id; messages still queued for it are discarded. */
  unregister(id: string): void {
    const inbox = this.inboxes.get(id);
    if (inbox === undefined) return;
    inbox.open = false;
    inbox.pending.clear();
    inbox.head = null;
    this.inboxes.delete(id);
  }

  isRegistered(id: string): boolean {
    return this.inboxes.has(id);
  }

  /** The next client id: c0, c1, ... (Maelstrom's counter starts so that the first client is c0). */
  newClientId(): string {
    return `c${this.nextClientNumber++}`;
  }

  /**
   * Accepts a message if both ends are registered (Maelstrom asserts this), gives it the next global
   * message id, counts it, and queues it with its latency. Any `id` the sender chose is discarded.
   */
  send(src: string, dest: string, body: MessageBody): SendResult {
    if (this.closed) return { ok: false, reason: 'network is closed' };
    if (!this.inboxes.has(src)) return { ok: false, reason: `src ${JSON.stringify(src)} is not a registered node, client or service` };
    const inbox = this.inboxes.get(dest);
    if (inbox === undefined) return { ok: false, reason: `dest ${JSON.stringify(dest)} is not a registered node, client or service` };
    const message: Message = { id: this.nextMessageId++, src, dest, body };
    const group = this.groupOf(message);
    group.sendCount++;
    if (body['type'] === 'relay') this.relayedBySender[src] = (this.relayedBySender[src] ?? 0) + 1;
    const now = this.options.now();
    inbox.pending.push({ deadline: now + this.latencyFor(message), seq: this.nextSeq++, message });
    if (inbox.head === null) this.takeNext(inbox);
    return { ok: true, id: message.id };
  }

  /** Adds every (sender -> receiver) pair of the grudge to the drop table (Maelstrom's drop-all!). */
  partition(grudge: ReadonlyMap<string, ReadonlySet<string>>): void {
    for (const [receiver, senders] of grudge) {
      let dropped = this.grudge.get(receiver);
      if (dropped === undefined) {
        dropped = new Set();
        this.grudge.set(receiver, dropped);
      }
      for (const sender of senders) dropped.add(sender);
    }
  }

  /** Removes every cut at once (Maelstrom's heal! replaces the table with an empty one). */
  heal(): void {
    this.grudge = new Map();
  }

  currentGrudge(): Map<string, Set<string>> {
    return new Map([...this.grudge].map(([receiver, senders]) => [receiver, new Set(senders)]));
  }

  stats(): ClusterNetStats {
    // Every message has exactly one send event, and its recv (if any) falls in the same group, so the
    // number of distinct message ids in a group (Maelstrom's msg-count) equals the group's send count.
    const make = (c: { sendCount: number; recvCount: number }): NetStats => ({ sendCount: c.sendCount, recvCount: c.recvCount, msgCount: c.sendCount });
    const { clients, servers } = this.counts;
    return {
      all: make({ sendCount: clients.sendCount + servers.sendCount, recvCount: clients.recvCount + servers.recvCount }),
      clients: make(clients),
      servers: make(servers),
      relayedBySender: { ...this.relayedBySender },
    };
  }

  /** Stops all delivery; later sends are refused. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.due.clear();
    for (const inbox of this.inboxes.values()) {
      inbox.open = false;
      inbox.pending.clear();
    }
    this.inboxes.clear();
  }

  // ---------------------------------------------------------------- internals

  private groupOf(message: Message): { sendCount: number; recvCount: number } {
    return isClientId(message.src) || isClientId(message.dest) ? this.counts.clients : this.counts.servers;
  }

  /**
   * Latency in whole ms (see maelstrom/README.md): 0 for anything involving a client, else drawn from the distribution.
   * Each call draws (public so tests can sample the distribution).
   */
  latencyFor(message: { src: string; dest: string }): number {
    if (isClientId(message.src) || isClientId(message.dest)) return 0;
    const { meanMs, dist } = this.options.latency;
    // Maelstrom divides by zero (exponential) or loops forever (uniform) at mean 0; we take 0 ms.
    if (meanMs === 0) return 0;
    switch (dist) {
      case 'constant':
        return Math.trunc(meanMs);
      case 'uniform':
        return Math.floor(this.options.random.next() * 2 * meanMs);
      case 'exponential':
        return Math.trunc(this.options.random.exponential(meanMs));
      default: {
        const unknown: never = dist;
        throw new Error(`unknown latency distribution ${String(unknown)}`);
      }
    }
  }

  /** The idle receiver takes its earliest message; partitions are checked now, as Maelstrom's recv! does. */
  private takeNext(inbox: Inbox): void {
    for (;;) {
      const next = inbox.pending.pop();
      if (next === undefined) return;
      const dropped = this.grudge.get(inbox.id)?.has(next.message.src) ?? false;
      if (dropped) continue; // silent: a send event exists, a recv never will
      inbox.head = next;
      this.due.push({ deadline: next.deadline, seq: next.seq, inbox });
      this.arm();
      return;
    }
  }

  private arm(): void {
    const first = this.due.peek();
    if (first === undefined || this.closed) return;
    const wait = first.deadline - this.options.now();
    if (wait <= 0) {
      if (this.immediate === null) this.immediate = setImmediate(() => this.deliverDue());
      return;
    }
    if (this.timer !== null && this.timerDeadline <= first.deadline) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerDeadline = first.deadline;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDeadline = Infinity;
      this.deliverDue();
    }, Math.ceil(wait));
  }

  private deliverDue(): void {
    this.immediate = null;
    let delivered = 0;
    while (!this.closed) {
      const first = this.due.peek();
      if (first === undefined || first.deadline > this.options.now()) break;
      if (delivered >= MAX_DELIVERIES_PER_TURN) break;
      this.due.pop();
      const inbox = first.inbox;
      const head = inbox.head;
      if (!inbox.open || head === null) continue;
      inbox.head = null;
      this.groupOf(head.message).recvCount++;
      delivered++;
      try {
        inbox.deliver(head.message);
      } catch (err) {
        // A receiver bug must surface, but must not freeze the whole network.
        if (inbox.open) this.takeNext(inbox);
        this.arm();
        throw err;
      }
      if (inbox.open) this.takeNext(inbox);
    }
    this.arm();
  }
}
