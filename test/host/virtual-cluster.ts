// A few RaftHosts on one virtual clock, wired by an in-memory network that can cut a node off: the
// host-level tests drive them as an adapter would.
import { MemoryStorage, RaftHost, type ClientReply } from '../../src/host/raft-host.ts';
import type { KvOperation } from '../../src/kv/operations.ts';
import type { ConfigurationState, RaftMessage } from '../../src/raft/types.ts';

export const IDS = ['n1', 'n2', 'n3'];

export class VirtualCluster {
  now = 0;
  readonly hosts = new Map<string, RaftHost>();
  readonly cut = new Set<string>();
  /** Every configuration each host reported (HostEnvironment.configurationChanged), oldest first. */
  readonly configurations = new Map<string, ConfigurationState[]>();
  /** Each host's log lines. */
  readonly logs = new Map<string, string[]>();
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  private deferred: (() => void)[] = [];

  /** `joiners`: nodes started with RaftConfig.join, outside the bootstrap configuration. */
  constructor(joiners: string[] = []) {
    [...IDS, ...joiners].forEach((id, i) => this.start(id, i, joiners.includes(id)));
  }

  /** Starts (or restarts, from empty storage) one host. */
  start(id: string, i: number, join: boolean): void {
    this.configurations.set(id, []);
    this.logs.set(id, []);
    const host = new RaftHost({
      raft: {
        id, nodeIds: join ? [] : IDS, ...(join ? { join: true } : {}), electionTimeoutMinMs: 100, electionTimeoutMaxMs: 200, heartbeatIntervalMs: 20,
        preVote: true, checkQuorum: true, maxEntriesPerMessage: 64, maxInflightMessages: 4, snapshotThreshold: 0, snapshotChunkSize: 64 * 1024,
        // n1 times out first, so it is the first leader.
        random: () => (i === 0 ? 0 : 0.9),
      },
      persisted: { hardState: { term: 0, votedFor: null }, entries: [] },
      storage: new MemoryStorage(),
      env: {
        now: () => this.now,
        setTimer: (fn, ms) => {
          const t = { at: this.now + ms, fn, cancelled: false };
          this.timers.push(t);
          return t;
        },
        clearTimer: (t) => {
          (t as { cancelled: boolean }).cancelled = true;
        },
        defer: (fn) => this.deferred.push(fn),
        sendPeer: (to, body) => this.send(id, to, body),
        forward: (leader, op) => this.forward(id, leader, op),
        log: (_level, text) => this.logs.get(id)?.push(text),
        configurationChanged: (state) => this.configurations.get(id)?.push(state),
        fatal: (context, err) => {
          throw new Error(`${id} fail-stop while ${context}: ${String(err)}`);
        },
      },
    });
    this.hosts.set(id, host);
  }

  host(id: string): RaftHost {
    return this.hosts.get(id) as RaftHost;
  }

  private reachable(from: string, to: string): boolean {
    return !this.cut.has(from) && !this.cut.has(to);
  }

  private send(from: string, to: string, body: RaftMessage): void {
    if (this.reachable(from, to)) this.deferred.push(() => this.host(to).stepPeer(from, body));
  }

  private forward(from: string, leader: string, op: KvOperation): Promise<ClientReply | 'timeout'> {
    return new Promise((resolve) => {
      if (!this.reachable(from, leader)) {
        this.setTimeout(() => resolve('timeout'), 1000);
        return;
      }
      this.deferred.push(() => this.host(leader).submit(op, (r) => resolve(r), false));
    });
  }

  private setTimeout(fn: () => void, ms: number): void {
    this.timers.push({ at: this.now + ms, fn, cancelled: false });
  }

  /** Runs deferred work and due timers, in time order, until `ms` have passed. */
  async run(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      while (this.deferred.length > 0) {
        (this.deferred.shift() as () => void)();
        await Promise.resolve(); // promise callbacks (forward replies) run at this instant too
      }
      this.timers = this.timers.filter((t) => !t.cancelled);
      const next = this.timers.reduce((a, t) => (a === null || t.at < a.at ? t : a), null as (typeof this.timers)[number] | null);
      if (next === null || next.at > end) break;
      this.now = Math.max(this.now, next.at);
      this.timers.splice(this.timers.indexOf(next), 1);
      next.fn();
    }
    this.now = end;
  }

  leader(): string | null {
    return [...this.hosts.keys()].find((id) => this.host(id).status().role === 'leader') ?? null;
  }
}

/** A client write at `node`; the box fills in when it is answered. */
export function write(c: VirtualCluster, node: string, key: string, value: number): { reply: ClientReply | null } {
  const box: { reply: ClientReply | null } = { reply: null };
  c.host(node).submit({ type: 'write', key, value }, (r) => (box.reply = r), true);
  return box;
}

/** A client read at `node`, answered within 50 ms of virtual time (null: not answered). */
export async function readValue(c: VirtualCluster, node: string, key: string): Promise<ClientReply | null> {
  const box: { reply: ClientReply | null } = { reply: null };
  c.host(node).submit({ type: 'read', key }, (r) => (box.reply = r), true);
  await c.run(50);
  return box.reply;
}
