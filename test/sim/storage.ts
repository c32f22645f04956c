// Simulated durable storage. A node's disk (DurableDisk) outlives its crashes; each incarnation talks
// to it through a SimHostStorage that implements the host's HostStorage contract:
// - log writes are durable when appendLog returns (the contract: the write-ahead log is synced
//   before anything of the batch is sent);
// - hard-state writes go to a simulated service, one at a time and always the newest state, and
//   become durable only when the service acknowledges them after a simulated latency. A crash
//   loses what was not acknowledged, except that a write already in flight may still land.
// - the service may be slow and fail (the 'slow-store' profile), as HardStateStore sees lin-kv: an
//   attempt is refused (an error, retried), lost (no answer: after the timeout the node reads the
//   record back, finds the old one, retries), or performed with its answer lost (the read-back finds
//   it stored, and only then is it durable). Durable always means: the service holds it.
// - a node's log may be deleted at a restart while its hard state survives (logLost), until the
//   core reports that it has caught up (HostStorage.logCaughtUp).
import type { HostStorage } from '../../src/host/raft-host.ts';
import type { HardState, LogEntry, LogWrite } from '../../src/raft/types.ts';
import type { HardStateStoreFaults } from './scenario.ts';
import type { EventQueue } from './event-queue.ts';
import type { FaultTally } from './fault-tally.ts';
import type { Random } from '../../maelstrom/random.ts';

/** Pause between a refused write and the next attempt (HardStateStore's retry delay). */
const RETRY_DELAY_MS = 50;

export class DurableDisk {
  log: LogEntry[] = [];
  /** The hard state the service acknowledged (or that landed): what a restart reads back. */
  hardState: HardState = { term: 0, votedFor: null };
  /** The log was deleted at a restart and the node has not caught up since (what a host remembers). */
  logLost = false;

  /** The fault: the log file is gone, the hard state is not. */
  loseLog(): void {
    this.log = [];
    this.logLost = true;
  }

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
  storeFaults: HardStateStoreFaults;
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
  /** The write in flight is already stored by the service, though not acknowledged to the node. */
  private inFlightLanded = false;
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

  logCaughtUp(): void {
    if (this.alive) this.disk.logLost = false;
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
    if (this.inFlight !== null && !this.inFlightLanded && this.hooks.rng.chance(0.5)) {
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
    this.inFlightLanded = false;
    const { queue, nodeIndex, now, serviceLatency, storeFaults, rng } = this.hooks;
    const stillOurs = () => this.alive && this.inFlight === write;
    const fate = storeFaults.failProbability > 0 && rng.chance(storeFaults.failProbability) ? rng.pick(['refused', 'lost', 'answer-lost'] as const) : 'ok';
    if (fate === 'ok') {
      queue.schedule(now() + serviceLatency(), nodeIndex, () => stillOurs() && this.acknowledge(write));
      return;
    }
    this.hooks.tally.add(`hard-state-write-${fate}`);
    if (fate === 'refused') {
      queue.schedule(now() + serviceLatency() + RETRY_DELAY_MS, nodeIndex, () => stillOurs() && this.retry(write));
      return;
    }
    if (fate === 'answer-lost') {
      queue.schedule(now() + serviceLatency(), nodeIndex, () => {
        if (!stillOurs()) return;
        this.disk.hardState = write.state; // stored, but the node does not know it yet
        this.inFlightLanded = true;
      });
    }
    // After the timeout the node reads the record back: its own state there means durable.
    queue.schedule(now() + storeFaults.timeoutMs + serviceLatency(), nodeIndex, () => {
      if (!stillOurs()) return;
      if (this.inFlightLanded) this.acknowledge(write);
      else this.retry(write);
    });
  }

  private acknowledge(write: { state: HardState; ticket: number }): void {
    this.inFlight = null;
    this.disk.hardState = write.state;
    this.acknowledgedTicket = write.ticket;
    this.resolveWaiters();
    this.startWrite();
  }

  /** The attempt failed: try again with the newest wanted state (or this one, if nothing newer). */
  private retry(write: { state: HardState; ticket: number }): void {
    this.inFlight = null;
    if (this.wanted === null || this.wanted.ticket < write.ticket) this.wanted = write;
    this.startWrite();
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
