// Durable currentTerm and votedFor, kept in Maelstrom's lin-kv service under raft/<node>/hard-state.
//
// Writes are strictly ordered: one at a time, always the newest state, and each one a compare-and-set
// from the value we last saw stored. A write that timed out may still land later; a cas cannot be
// overwritten by such a straggler (its `from` no longer matches), and after a timeout or a mismatch we
// read the key back to learn whether our write landed. Each stored value carries this process's
// incarnation id and a sequence number, so "landed" means "the stored value is exactly ours".
import type { Json } from '../json.ts';
import type { HardState } from '../raft/types.ts';
import type { KvServiceClient } from './kv-service.ts';

interface StoredHardState {
  term: number;
  voted_for: string | null;
  /** Names this node's write-ahead log file, so a restarted process finds its own log and no other run's. */
  log_id: string;
  incarnation: string;
  seq: number;
}

function parseStored(value: Json): StoredHardState | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { term, voted_for: votedFor, log_id: logId, incarnation, seq } = value;
  if (typeof term !== 'number' || !Number.isSafeInteger(term) || term < 0) return null;
  if (votedFor !== null && typeof votedFor !== 'string') return null;
  if (typeof logId !== 'string' || typeof incarnation !== 'string' || typeof seq !== 'number') return null;
  return { term, voted_for: votedFor, log_id: logId, incarnation, seq };
}

function toJson(s: StoredHardState): Json {
  return { term: s.term, voted_for: s.voted_for, log_id: s.log_id, incarnation: s.incarnation, seq: s.seq };
}

function sameValue(a: StoredHardState | null, b: StoredHardState | null): boolean {
  return a !== null && b !== null && a.incarnation === b.incarnation && a.seq === b.seq;
}

export interface HardStateStoreLog {
  (level: 'info' | 'warn' | 'debug', text: string): void;
}

export class HardStateStore {
  readonly key: string;
  private stored: StoredHardState | null = null; // what we believe the service holds
  private seq = 0;
  private wanted: { state: HardState; ticket: number } | null = null;
  private writing = false;
  private nextTicket = 1;
  private acknowledgedTicket = 0;
  private readonly waiters: { ticket: number; resolve: () => void }[] = [];

  /** Chosen at a fresh start, kept for the node's life: see StoredHardState.log_id. */
  logId: string;

  constructor(
    private readonly kv: KvServiceClient,
    nodeId: string,
    private readonly incarnation: string,
    private readonly log: HardStateStoreLog,
    private readonly retryDelayMs = 50,
  ) {
    this.key = `raft/${nodeId}/hard-state`;
    this.logId = incarnation;
  }

  /** Reads the stored state at start-up, retrying until the service answers. A missing key is a fresh node. */
  async load(): Promise<{ hardState: HardState; fresh: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.kv.read(this.key);
      if (result.kind === 'missing') {
        this.log('info', `no stored hard state at ${this.key}: starting fresh at term 0`);
        return { hardState: { term: 0, votedFor: null }, fresh: true };
      }
      if (result.kind === 'ok') {
        const parsed = parseStored(result.value);
        if (parsed === null) {
          // Never guess at a term: a corrupt record would let us vote twice. Stop here, loudly.
          throw new Error(`stored hard state at ${this.key} is unreadable: ${JSON.stringify(result.value)}`);
        }
        this.stored = parsed;
        this.logId = parsed.log_id;
        this.log('info', `restored hard state from ${this.key}: term ${parsed.term}, voted for ${parsed.voted_for ?? 'nobody'}`);
        return { hardState: { term: parsed.term, votedFor: parsed.voted_for }, fresh: false };
      }
      this.log('warn', `reading ${this.key} failed (${result.kind}), attempt ${attempt}; retrying`);
      await delay(this.retryDelayMs);
    }
  }

  /**
   * Asks for `state` to be made durable. Returns a ticket; `whenDurable(ticket)` resolves once this
   * state (or a newer one) is stored. Intermediate states may be skipped: only the newest matters.
   */
  persist(state: HardState): number {
    const ticket = this.nextTicket++;
    this.wanted = { state, ticket };
    if (!this.writing) void this.writeLoop();
    return ticket;
  }

  isDurable(ticket: number): boolean {
    return ticket <= this.acknowledgedTicket;
  }

  whenDurable(ticket: number): Promise<void> {
    if (this.isDurable(ticket)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ticket, resolve }));
  }

  private async writeLoop(): Promise<void> {
    this.writing = true;
    while (this.wanted !== null) {
      const { state, ticket } = this.wanted;
      this.wanted = null;
      const target: StoredHardState = { term: state.term, voted_for: state.votedFor, log_id: this.logId, incarnation: this.incarnation, seq: ++this.seq };
      await this.writeUntilStored(target);
      this.acknowledgedTicket = Math.max(this.acknowledgedTicket, ticket);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w !== undefined && w.ticket <= this.acknowledgedTicket) {
          this.waiters.splice(i, 1);
          w.resolve();
        }
      }
    }
    this.writing = false;
  }

  private async writeUntilStored(target: StoredHardState): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const from = this.stored;
      const result = await this.kv.cas(this.key, from === null ? null : toJson(from), toJson(target), from === null);
      if (result.kind === 'ok') {
        this.stored = target;
        return;
      }
      // Timeout or mismatch: find out what is stored now, then decide.
      const current = await this.kv.read(this.key);
      if (current.kind === 'ok') {
        const parsed = parseStored(current.value);
        if (sameValue(parsed, target)) {
          this.stored = target;
          return;
        }
        this.stored = parsed;
      } else if (current.kind === 'missing') {
        this.stored = null;
      }
      this.log('warn', `persisting term ${target.term} to ${this.key} failed (${result.kind}), attempt ${attempt}; retrying`);
      await delay(this.retryDelayMs);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
