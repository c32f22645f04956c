// Runs standalone dist/node.js processes the way a person does in three terminals, and talks to
// them over HTTP. Used by the end-to-end, API, corrupt-tail and partition tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll } from 'vitest';
import { freePort, freePorts } from '../../../bench/standalone-cluster.ts';
import { NODE_BIN } from '../../support/stdio-node.ts';

/** A port nobody listens on right now (the same helper the benchmarks' standalone cluster uses). */
export { freePort };

export interface HttpResult {
  status: number;
  headers: { [name: string]: string | string[] | undefined };
  text: string;
  json: unknown;
}

/** One HTTP exchange; 'unreachable' for a refused or timed-out connection. */
export function http(url: string, options: { method?: string; body?: string | Buffer; timeoutMs?: number } = {}): Promise<HttpResult | 'unreachable'> {
  return new Promise((resolve) => {
    const req = request(url, { method: options.method ?? 'GET', timeout: options.timeoutMs ?? 3000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = undefined;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', () => resolve('unreachable'));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve('unreachable'));
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

export interface NodeStatus {
  id: string;
  state: string;
  term: number;
  leader: string | null;
  commitIndex: number;
  lastLogIndex: number;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}


export class NodeProcess {
  readonly proc: ChildProcess;
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(command: string, args: string[]) {
    this.proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.proc.stderr as NodeJS.ReadableStream }).on('line', (l) => this.stderr.push(l));
    // stdout must stay silent in standalone mode too: keep anything that shows up, for assertions.
    createInterface({ input: this.proc.stdout as NodeJS.ReadableStream }).on('line', (l) => this.stderr.push(`STDOUT: ${l}`));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }

  tail(lines = 15): string {
    return this.stderr.slice(-lines).join('\n');
  }
}

export interface NodeSpec {
  name: string;
  args: string[];
  httpUrl: string;
}

/** Three (or more) nodes on loopback with ports picked by the kernel and data in a temporary directory. */
export class LoopbackCluster {
  readonly specs: NodeSpec[] = [];
  readonly procs = new Map<string, NodeProcess>();
  readonly dataRoot = mkdtempSync(join(tmpdir(), 'raft-standalone-'));

  static async create(size: number, extraArgs: string[] = []): Promise<LoopbackCluster> {
    const cluster = new LoopbackCluster();
    const ports = await freePorts(size * 2);
    for (let i = 0; i < size; i++) {
      const name = String(i + 1);
      const peerPort = ports[2 * i] as number;
      const httpPort = ports[2 * i + 1] as number;
      const peers = ports.filter((_, j) => j % 2 === 0 && j !== 2 * i).join(',');
      cluster.specs.push({
        name,
        args: ['--id', name, '--port', String(peerPort), '--peers', peers, '--http-port', String(httpPort), '--data-dir', join(cluster.dataRoot, name), ...extraArgs],
        httpUrl: `http://127.0.0.1:${httpPort}`,
      });
    }
    return cluster;
  }

  spec(name: string): NodeSpec {
    const s = this.specs.find((x) => x.name === name);
    if (s === undefined) throw new Error(`no node ${name}`);
    return s;
  }

  start(name: string): NodeProcess {
    const p = new NodeProcess(NODE_BIN, this.spec(name).args);
    this.procs.set(name, p);
    return p;
  }

  startAll(): void {
    for (const s of this.specs) this.start(s.name);
  }

  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const p = this.procs.get(name);
    if (p === undefined) return null;
    const code = await p.kill(signal);
    this.procs.delete(name);
    return code;
  }

  async killAll(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await Promise.all([...this.procs.keys()].map((n) => this.kill(n, signal)));
  }

  async status(name: string): Promise<NodeStatus | undefined> {
    const r = await http(`${this.spec(name).httpUrl}/status`, { timeoutMs: 1000 });
    return r === 'unreachable' || r.status !== 200 ? undefined : (r.json as NodeStatus);
  }

  /** The leader every running node agrees on (same term), once there is exactly one. */
  async agreedLeader(timeoutMs: number, among: string[] = [...this.procs.keys()]): Promise<NodeStatus> {
    return waitFor(`one leader agreed by ${among.join(', ')}`, timeoutMs, async () => {
      const statuses = await Promise.all(among.map((n) => this.status(n)));
      if (statuses.some((s) => s === undefined)) return undefined;
      const all = statuses as NodeStatus[];
      const leaders = all.filter((s) => s.state === 'leader');
      if (leaders.length !== 1) return undefined;
      const leader = leaders[0] as NodeStatus;
      return all.every((s) => s.leader === leader.id && s.term === leader.term) ? leader : undefined;
    });
  }

  kv(name: string, key: string, method = 'GET', body?: string): Promise<HttpResult | 'unreachable'> {
    return http(`${this.spec(name).httpUrl}/kv/${encodeURIComponent(key)}`, { method, ...(body === undefined ? {} : { body }), timeoutMs: 8000 });
  }

  /** Retries through the brief 503s of an election until the node gives a definite answer. */
  async kvSettled(name: string, key: string, method = 'GET', body?: string, timeoutMs = 10_000): Promise<HttpResult> {
    return waitFor(`${method} ${key} on node ${name} to get past 503`, timeoutMs, async () => {
      const r = await this.kv(name, key, method, body);
      return r === 'unreachable' || r.status === 503 ? undefined : r;
    }, 50);
  }

  logs(): string {
    return [...this.procs.entries()].map(([n, p]) => `--- node ${n}\n${p.tail()}`).join('\n');
  }

  async destroy(): Promise<void> {
    await this.killAll();
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}

/**
 * For a test file that runs one cluster: returns a function that creates and starts it, and registers
 * its destruction (processes killed, data removed) after the file's tests, even when one fails.
 */
export function clusterForThisFile(): (size: number, extraArgs?: string[]) => Promise<LoopbackCluster> {
  let cluster: LoopbackCluster | null = null;
  afterAll(async () => {
    await cluster?.destroy();
  });
  return async (size, extraArgs = []) => {
    const c = await LoopbackCluster.create(size, extraArgs);
    cluster = c;
    c.startAll();
    return c;
  };
}
