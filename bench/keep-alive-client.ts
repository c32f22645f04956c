// An HTTP or HTTPS client with a keep-alive connection pool, as real clients of a node run, and a
// closed-loop driver: `concurrency` workers each issue one request after another for a while.
// Used by the TLS and hostile-input benchmarks.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ClientTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface Reply {
  status: number;
  body: string;
  ms: number;
}

export class KeepAliveClient {
  private readonly agent: HttpAgent | HttpsAgent;
  private socketObserver: ((socket: Socket) => void) | null = null;

  constructor(
    private readonly baseUrl: string,
    maxSockets: number,
    private readonly tls: ClientTls | null = null,
  ) {
    this.agent = tls === null ? new HttpAgent({ keepAlive: true, maxSockets }) : new HttpsAgent({ keepAlive: true, maxSockets, ...tls });
  }

  /** Calls `observe` with the socket of every request (bench/tls-probe.ts counts connections and handshakes). */
  onSocket(observe: (socket: Socket) => void): void {
    this.socketObserver = observe;
  }

  /** One request; status 0 for a failure to connect or a reset (with the reason as body). */
  request(method: string, path: string, body?: string, timeoutMs = 5000): Promise<Reply> {
    const started = performance.now();
    return new Promise((resolve) => {
      const send = this.tls === null ? httpRequest : httpsRequest;
      const req = send(`${this.baseUrl}${path}`, { method, agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
        res.on('error', (err) => resolve({ status: 0, body: err.message, ms: performance.now() - started }));
      });
      if (this.socketObserver !== null) req.once('socket', this.socketObserver);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, body: err.code ?? err.message, ms: performance.now() - started }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadRun {
  ok: number;
  failed: number;
  /** Latencies of the successful requests, ms. */
  latencies: number[];
  seconds: number;
  opsPerS: number;
}

/** `concurrency` workers writing distinct keys for `durationMs`; only 200s count as done. */
export async function writeLoad(client: KeepAliveClient, concurrency: number, durationMs: number, keyPrefix: string): Promise<LoadRun> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const endAt = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      let i = 0;
      while (performance.now() < endAt) {
        const r = await client.request('PUT', `/kv/${keyPrefix}-${w}-${i % 100}`, String(i));
        i++;
        if (r.status === 200) latencies.push(r.ms);
        else failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ok: latencies.length, failed, latencies, seconds, opsPerS: latencies.length / seconds };
}
