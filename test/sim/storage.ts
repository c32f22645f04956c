// Simulated durable storage. A node's disk (DurableDisk) outlives its crashes; each incarnation talks
// to it through a SimHostStorage that implements the host's HostStorage contract:
// - log writes are durable when appendLog returns (the contract: the write-ahead log is synced
//   before anything of the batch is sent);
// - hard-state writes go to a simulated service, one at a time and always the newest state, and
//   become durable only when the service acknowledges them after a simulated latency. A crash
//   loses what was not acknowledged, except that a write already in flight may still land.
import type { HostStorage } from '../../src/host/raft-host.ts';
import type { HardState, LogEntry, LogWrite } from '../../src/raft/types.ts';
import type { EventQueue } from './event-queue.ts';
import type { FaultTally } from './fault-tally.ts';
import type { Random } from '../../maelstrom/random.ts';

export class DurableDisk {
  log: LogEntry[] = [];
  /** The hard state the service acknowledged (or that landed): what a restart reads back. */
  hardState: HardState = { term: 0, votedFor: null };

  applyLogWrites(writes: readonly LogWrite[]): void {
    for (const w of writes) {
      if (w.kind === 'truncate') this.log.length = Math.max(w.fromIndex - 1, 0);
      else {
        if (w.firstIndex > this.log.length + 1) throw new Error(`log write leaves a gap: append at ${w.firstIndex}, log ends at ${this.log.length}`);
        this.log.length = w.firstIndex - 1;
        for (const e of w.entries) this.log.push(e);
      }
    }
  }
}

export interface StorageHooks {
  queue: EventQueue;
  rng: Random;
  tally: FaultTally;
  nodeIndex: number;
  now: () => number;
  /** Service round trip for one hard-state write, in ms. */
  serviceLatency: () => number;
  /** Called whenever a promise handed to the host is resolved, so the loop drains microtasks. */
  onPromiseResolved: () => void;
  /** Called with every log write, after it is durable (the invariant monitor mirrors the log). */
  onLogWrites: (writes: readonly LogWrite[]) => void;
}

export class SimHostStorage implements HostStorage {
  private nextTicket = 1;
  private acknowledgedTicket = 0;
  private wanted: { state: HardState; ticket: number } | null = null;
  private inFlight: { state: HardState; ticket: number } | null = null;
  private waiters: { ticket: number; resolve: () => void }[] = [];
  private alive = true;

  constructor(
    private readonly disk: DurableDisk,
    private readonly hooks: StorageHooks,
  ) {}

  appendLog(writes: readonly LogWrite[]): void {
    if (!this.alive) return;
    this.disk.applyLogWrites(writes);
    this.hooks.onLogWrites(writes);
  }

  persistHardState(state: HardState): number {
    const ticket = this.nextTicket++;
    this.wanted = { state: { term: state.term, votedFor: state.votedFor }, ticket };
    if (this.inFlight === null) this.startWrite();
    return ticket;
  }

  isDurable(ticket: number): boolean {
    return ticket <= this.acknowledgedTicket;
  }

  whenDurable(ticket: number): Promise<void> {
    if (this.isDurable(ticket)) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push({ ticket, resolve }));
  }

  /** The process dies: nothing more is acknowledged; a write in flight lands or not, at random. */
  crash(): void {
    this.alive = false;
    if (this.inFlight !== null && this.hooks.rng.chance(0.5)) {
      this.disk.hardState = this.inFlight.state;
      this.hooks.tally.add('hard-state-landed-after-crash');
    }
    this.inFlight = null;
    this.wanted = null;
    this.waiters = [];
  }

  private startWrite(): void {
    const write = this.wanted;
    if (write === null || write.ticket <= this.acknowledgedTicket) return;
    this.inFlight = write;
    const { queue, nodeIndex, now, serviceLatency } = this.hooks;
    queue.schedule(now() + serviceLatency(), nodeIndex, () => {
      if (!this.alive || this.inFlight !== write) return;
      this.inFlight = null;
      this.disk.hardState = write.state;
      this.acknowledgedTicket = write.ticket;
      this.resolveWaiters();
      this.startWrite();
    });
  }

  private resolveWaiters(): void {
    const still: { ticket: number; resolve: () => void }[] = [];
    let resolved = false;
    for (const w of this.waiters) {
      if (w.ticket <= this.acknowledgedTicket) {
        w.resolve();
        resolved = true;
      } else still.push(w);
    }
    this.waiters = still;
    if (resolved) this.hooks.onPromiseResolved();
  }
}
