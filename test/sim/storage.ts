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
// - with background leader writes (§10.2.1, a per-seed choice), a leader's appends are fsynced after a
//   short delay, in order; a crash before then loses them; a synchronous write first makes every
//   earlier background one durable (one fsync covers the file);
// - a node's log may be deleted at a restart while its hard state survives (logLost), until the
//   core reports that it has caught up (HostStorage.logCaughtUp).
// - a snapshot is durable when saveSnapshot returns, unless the process is made to crash while
//   writing it: then it landed (the rename happened) or not, at random, and the process dies at its
//   next log write, the compaction that follows a snapshot, before anything of it is durable.
import type { HostStorage } from '../../src/host/raft-host.ts';
import type { HardState, LogEntry, LogWrite, Snapshot, SnapshotMeta } from '../../src/raft/types.ts';
import { entriesAfterSnapshot } from '../../src/storage/durable-log.ts';
import type { HardStateStoreFaults } from './scenario.ts';
import type { EventQueue } from './event-queue.ts';
import type { FaultTally } from './fault-tally.ts';
import type { Random } from '../../maelstrom/random.ts';

/** Pause between a refused write and the next attempt (HardStateStore's retry delay). */
const RETRY_DELAY_MS = 50;

/** Thrown out of the host when the simulation makes a process die in the middle of a write. */
export class SimulatedCrash extends Error {
  constructor(readonly nodeIndex: number, readonly kind: string) {
    super(`simulated crash (${kind})`);
  }
}

export class DurableDisk {
  /** The latest snapshot that landed. */
  snapshot: Snapshot | null = null;
  /** Where the write-ahead log starts: after the snapshot it was last compacted to (a crash can leave it behind the snapshot). */
  logBase: SnapshotMeta = { index: 0, term: 0 };
  /** The entries after logBase. */
  log: LogEntry[] = [];
  /** The hard state the service acknowledged (or that landed): what a restart reads back. */
  hardState: HardState = { term: 0, votedFor: null };
  /** The log was deleted at a restart and the node has not caught up since (what a host remembers). */
  logLost = false;

  /** The fault: the log file is gone, the hard state is not. */
  loseLog(): void {
    this.log = [];
    this.logBase = { index: 0, term: 0 }; // a new, empty write-ahead file (the snapshot file, if any, is still there)
    this.logLost = true;
  }

  applyLogWrites(writes: readonly LogWrite[]): void {
    for (const w of writes) {
      const base = this.logBase.index;
      if (w.kind === 'compact') {
        // The durable snapshot must cover what is discarded (a newer one, installed in the same batch, does).
        if ((this.snapshot?.index ?? 0) < w.snapshot.index) {
          throw new Error(`log compacted through ${w.snapshot.index} while the durable snapshot ends at ${this.snapshot?.index ?? 0}`);
        }
        this.logBase = { ...w.snapshot };
        this.log = w.entries.slice();
      } else if (w.kind === 'truncate') this.log.length = Math.max(w.fromIndex - base - 1, 0);
      else {
        if (w.firstIndex > base + this.log.length + 1 || w.firstIndex <= base) throw new Error(`log write leaves a gap: append at ${w.firstIndex}, log holds ${base + 1}..${base + this.log.length}`);
        this.log.length = w.firstIndex - base - 1;
        for (const e of w.entries) this.log.push(e);
      }
    }
  }

  /**
   * What a restart starts from: the snapshot and the log entries that follow it, paired as the real
   * adapters pair their files (src/storage/durable-log.ts), finishing a compaction a crash interrupted.
   */
  recover(): { snapshot: Snapshot | null; entries: LogEntry[] } {
    if (this.snapshot !== null && this.logBase.index !== this.snapshot.index) {
      const after = entriesAfterSnapshot(this.snapshot, { base: this.logBase, entries: this.log });
      if (after.problem !== null) throw new Error(`disk of a restarting node: ${after.problem}`);
      this.logBase = { index: this.snapshot.index, term: this.snapshot.term };
      this.log = after.entries;
    }
    return { snapshot: this.snapshot, entries: this.log.slice() };
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
  /** Called with every log write, after it is durable, or a background one when issued (the invariant monitor mirrors the log). */
  onLogWrites: (writes: readonly LogWrite[]) => void;
  /** Chance that the process dies while writing a snapshot (0 outside the fault phase). */
  snapshotCrashChance: () => number;
  /** When set, the host may write a leader's appends in the background; each takes this long to be durable. */
  backgroundWriteDelay?: () => number;
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
  /** Set when the process is to die at its next log write (it was "killed" while writing a snapshot). */
  private dyingOf: string | null = null;
  /** Background writes not yet durable, oldest first. */
  private notYetSynced: (readonly LogWrite[])[] = [];
  /** Present only when the scenario lets the host write in the background (the host checks for it). */
  readonly appendLogInBackground?: (writes: readonly LogWrite[], done: (err: Error | null) => void) => void;

  constructor(
    private readonly disk: DurableDisk,
    private readonly hooks: StorageHooks,
  ) {
    const delay = hooks.backgroundWriteDelay;
    if (delay !== undefined) this.appendLogInBackground = (writes, done) => this.writeInBackground(writes, done, delay());
  }

  appendLog(writes: readonly LogWrite[]): void {
    if (!this.alive) return;
    if (this.dyingOf !== null) throw new SimulatedCrash(this.hooks.nodeIndex, this.dyingOf);
    this.syncBackgroundWrites();
    this.disk.applyLogWrites(writes);
    this.hooks.onLogWrites(writes);
  }

  private writeInBackground(writes: readonly LogWrite[], done: (err: Error | null) => void, ms: number): void {
    if (!this.alive) return;
    if (this.dyingOf !== null) throw new SimulatedCrash(this.hooks.nodeIndex, this.dyingOf);
    this.notYetSynced.push(writes.slice());
    // The node's log holds them now (the monitor mirrors that); the disk only once synced, and a
    // crash before then loses them, which the restart's recovery shows the monitor.
    this.hooks.onLogWrites(writes);
    this.hooks.queue.schedule(this.hooks.now() + ms, this.hooks.nodeIndex, () => {
      if (!this.alive) return;
      this.syncBackgroundWrites(); // this one and everything written before it
      if (this.alive) done(null); // the append hook may have crashed the node
    });
  }

  private syncBackgroundWrites(): void {
    for (const writes of this.notYetSynced.splice(0)) this.disk.applyLogWrites(writes);
  }

  logCaughtUp(): void {
    if (this.alive) this.disk.logLost = false;
  }

  saveSnapshot(snapshot: Snapshot): void {
    if (!this.alive) return;
    const { rng, tally } = this.hooks;
    if (this.dyingOf === null && rng.chance(this.hooks.snapshotCrashChance())) {
      // Killed mid-write: the temporary file was renamed into place, or it was not (old snapshot
      // kept). Nothing sent meanwhile depends on the snapshot; the log write that would rely on it
      // (the compaction) is where the process is found dead.
      const landed = rng.chance(0.5);
      if (landed) this.disk.snapshot = snapshot;
      this.dyingOf = landed ? 'crash-after-snapshot-write' : 'crash-during-snapshot-write';
      tally.add(this.dyingOf);
      return;
    }
    this.disk.snapshot = snapshot;
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
    if (this.notYetSynced.length > 0) this.hooks.tally.add('background-log-write-lost-in-crash');
    this.notYetSynced = [];
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
