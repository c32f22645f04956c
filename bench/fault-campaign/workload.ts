// The campaign's clients: read, write and cas over HTTP against every member (clients are spread
// over the members evenly), each client one operation at a time, recorded as a lin-kv history the
// project's checker reads (maelstrom/history.ts). Values are small (0-4, as Maelstrom's lin-kv) so
// that cas succeeds often; keys rotate every `keyGenerationMs` so that each key's history stays
// small enough to check exactly. A client whose operation ended with an unknown outcome continues
// as a new process (Jepsen's rule), since the old operation may still take effect at any time.
import type { HistoryOp, Json } from '../../maelstrom/history.ts';
import type { Random } from '../../maelstrom/random.ts';
import { JsonHttp } from './json-http.ts';
import type { KvDialect, Outcome } from './systems.ts';

export interface WorkloadOptions {
  clientsPerMember: number;
  /** Pause between one client's operations. */
  thinkMs: number;
  /** The client gives up after this long; the outcome is then unknown. */
  timeoutMs: number;
  keysPerGeneration: number;
  keyGenerationMs: number;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = { clientsPerMember: 2, thinkMs: 10, timeoutMs: 1500, keysPerGeneration: 3, keyGenerationMs: 2000 };

export class HistoryRecorder {
  readonly history: HistoryOp[] = [];
  private readonly startedAt = performance.now();

  /** ms since the run's start. */
  now(): number {
    return performance.now() - this.startedAt;
  }

  add(entry: Omit<HistoryOp, 'index' | 'time'>): void {
    this.history.push({ index: this.history.length, time: Math.round(this.now() * 1e6), ...entry });
  }
}

export async function runClients(dialect: KvDialect, size: number, recorder: HistoryRecorder, random: Random, durationMs: number, options: WorkloadOptions = DEFAULT_WORKLOAD): Promise<void> {
  const clientCount = size * options.clientsPerMember;
  const clients = Array.from({ length: clientCount }, (_, c) => runOneClient(c, clientCount, (c % size) + 1, dialect, recorder, random.fork(`client-${c}`), durationMs, options));
  await Promise.all(clients);
}

async function runOneClient(client: number, clientCount: number, member: number, dialect: KvDialect, recorder: HistoryRecorder, random: Random, durationMs: number, options: WorkloadOptions): Promise<void> {
  const http = new JsonHttp(options.timeoutMs);
  let proc = client;
  try {
    while (recorder.now() < durationMs) {
      const generation = Math.floor(recorder.now() / options.keyGenerationMs);
      const key = `g${generation}k${random.int(0, options.keysPerGeneration)}`;
      const roll = random.next();
      const node = String(member);
      let invoked: Json;
      let pending: Promise<Outcome>;
      let f: 'read' | 'write' | 'cas';
      if (roll < 0.4) {
        f = 'read';
        invoked = [key, null];
        pending = dialect.read(http, member, key);
      } else if (roll < 0.7) {
        const value = random.int(0, 5);
        f = 'write';
        invoked = [key, value];
        pending = dialect.write(http, member, key, value);
      } else {
        const from = random.int(0, 5);
        const to = random.int(0, 5);
        f = 'cas';
        invoked = [key, [from, to]];
        pending = dialect.cas(http, member, key, from, to);
      }
      recorder.add({ process: proc, type: 'invoke', f, value: invoked, node });
      const outcome = await pending;
      if (outcome.type === 'ok') recorder.add({ process: proc, type: 'ok', f, value: f === 'read' ? [key, outcome.value] : invoked, node });
      else recorder.add({ process: proc, type: outcome.type, f, value: invoked, error: outcome.error, node });
      if (outcome.type === 'info') proc += clientCount;
      await new Promise((r) => setTimeout(r, options.thinkMs));
    }
  } finally {
    http.close();
  }
}
