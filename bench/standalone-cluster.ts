// Standalone dist/node.js processes on loopback for benchmarks: start, signal, restart, and the
// election events of every node's stderr (src/logger.ts format), stamped with the bench's clock
// when each line arrives. Clients talk to the nodes over HTTP like anyone else.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { repoRoot } from './bench-cluster.ts';
import { ElectionLog } from './node-log.ts';

const NODE_BIN = join(repoRoot(), 'dist', 'node.js');

/** A port nobody listens on right now (the kernel picks it; a small race with other processes is possible). */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** `count` distinct free ports (a peer port and an HTTP port per node). */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  return ports;
}

/** The outcome of one HTTP request, classified by what the client can know about its effect. */
export type HttpOutcome =
  | { kind: 'answer'; status: number; body: unknown }
  /** The connection was refused: nothing was sent, so nothing happened. */
  | { kind: 'refused' }
  /** Sent, but no answer (reset, timeout): the operation may or may not have happened. */
  | { kind: 'lost'; reason: string };

/** One request on a fresh connection (no keep-alive, so a closing server never eats a request silently). */
export function httpRequest(url: string, method: string, body: string | undefined, timeoutMs: number): Promise<HttpOutcome> {
  return new Promise((done) => {
    const req = request(url, { method, agent: false, timeout: timeoutMs, headers: { Connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          parsed = null;
        }
        done({ kind: 'answer', status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', (err) => done({ kind: 'lost', reason: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'lost', reason: err.code ?? err.message }));
    req.end(body);
  });
}

export class StandaloneBenchCluster {
  readonly names: string[];
  /** Raw lines are kept too, so a slow round can be explained from its log. */
  readonly log = new ElectionLog(true);
  private readonly args = new Map<string, string[]>();
  private readonly httpUrls = new Map<string, string>();
  private readonly procs = new Map<string, { proc: ChildProcess; exited: Promise<number | null> }>();
  private readonly dataRoot = mkdtempSync(join(tmpdir(), 'raft-bench-standalone-'));

  /** Flags for node itself before the script (--cpu-prof, say). */
  private nodeFlags: string[] = [];
  /** The node program: dist/node.js unless a comparison runs another build. */
  private nodeBin = NODE_BIN;

  private constructor(size: number) {
    this.names = Array.from({ length: size }, (_, i) => String(i + 1));
  }

  /** `argsFor` adds flags for one node (its own certificate, say) after `extraArgs`. */
  static async start(size: number, extraArgs: string[], argsFor: (name: string) => string[] = () => [], nodeFlags: string[] = [], nodeBin = NODE_BIN): Promise<StandaloneBenchCluster> {
    const cluster = new StandaloneBenchCluster(size);
    cluster.nodeFlags = nodeFlags;
    cluster.nodeBin = nodeBin;
    const ports = await freePorts(size * 2);
    cluster.names.forEach((name, i) => {
      const peers = cluster.names.filter((_, j) => j !== i).map((n) => `${n}@127.0.0.1:${ports[2 * Number(n) - 2]}`);
      cluster.args.set(name, [
        '--id', name, '--port', String(ports[2 * i]), '--peers', peers.join(','), '--http-port', String(ports[2 * i + 1]),
        '--data-dir', join(cluster.dataRoot, name), ...extraArgs, ...argsFor(name),
      ]);
      cluster.httpUrls.set(name, `http://127.0.0.1:${ports[2 * i + 1]}`);
    });
    for (const name of cluster.names) cluster.startNode(name);
    return cluster;
  }

  now(): number {
    return performance.now();
  }

  /** The node's client URL; 'https' for a node started with --cert/--key. */
  url(name: string, scheme: 'http' | 'https' = 'http'): string {
    const url = this.httpUrls.get(name) as string;
    return scheme === 'http' ? url : url.replace(/^http:/, 'https:');
  }

  /** The node's --data-dir. */
  dataDir(name: string): string {
    return join(this.dataRoot, name);
  }

  /** The node's peer port (its --port). */
  peerPort(name: string): number {
    const args = this.args.get(name) as string[];
    return Number(args[args.indexOf('--port') + 1]);
  }

  /** The running node's process id, or null. */
  pid(name: string): number | null {
    return this.procs.get(name)?.proc.pid ?? null;
  }

  isRunning(name: string): boolean {
    return this.procs.has(name);
  }

  /** A node that is not one of the first members (one started with --join): its own flags, data under this cluster's root. */
  addNode(name: string, args: string[], httpPort: number): void {
    this.args.set(name, [...args, '--http-port', String(httpPort), '--data-dir', join(this.dataRoot, name)]);
    this.httpUrls.set(name, `http://127.0.0.1:${httpPort}`);
    this.startNode(name);
  }

  startNode(name: string): void {
    const proc = spawn(process.execPath, [...this.nodeFlags, this.nodeBin, ...(this.args.get(name) as string[])], { stdio: ['ignore', 'ignore', 'pipe'] });
    createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on('line', (line) => this.log.handle(name, line, this.now()));
    const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
    this.procs.set(name, { proc, exited });
  }

  /** Sends the signal and resolves with the exit code once the process is gone. */
  stopNode(name: string, signal: NodeJS.Signals): Promise<number | null> {
    const p = this.procs.get(name);
    if (p === undefined) return Promise.resolve(null);
    this.procs.delete(name);
    p.proc.kill(signal);
    return p.exited;
  }

  async close(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((n) => this.stopNode(n, 'SIGKILL')));
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}
