// Runs the nodes of a local cluster as child processes: starts them, prints their log lines with a
// prefix, stops (SIGTERM), kills (SIGKILL) and restarts one on request, and stops them all gracefully.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ControlReply, ControlRequest, NodeReport } from './control.ts';
import type { ClusterLayout, NodeSpec } from './layout.ts';
import { sendRequest } from '../ctl/http-request.ts';
import { parseEndpoint } from '../ctl/endpoints.ts';

interface RunningNode {
  proc: ChildProcess;
  exited: Promise<void>;
}

export interface SupervisorOutput {
  /** One whole line of a node's output, already prefixed by the caller's choice. */
  nodeLine(spec: NodeSpec, index: number, line: string): void;
  note(text: string): void;
}

/** A node's own graceful stop waits at most an election timeout + 5 s; beyond this it is killed. */
const STOP_LIMIT_MS = 20_000;
const READY_LIMIT_MS = 10_000;

export class Supervisor {
  private readonly running = new Map<string, RunningNode>();
  private readonly lastExit = new Map<string, string>();

  constructor(
    private readonly layout: ClusterLayout,
    private readonly nodeBin: string,
    private readonly output: SupervisorOutput,
  ) {}

  startAll(): void {
    for (const spec of this.layout.nodes) this.spawnNode(spec);
  }

  /** Resolves when every running node's HTTP port answers /status, or after READY_LIMIT_MS. */
  async waitUntilServing(ids: readonly string[]): Promise<string[]> {
    const deadline = Date.now() + READY_LIMIT_MS;
    const waiting = new Set(ids);
    while (waiting.size > 0 && Date.now() < deadline) {
      for (const id of [...waiting]) {
        if (!this.running.has(id)) {
          waiting.delete(id);
          continue;
        }
        const spec = this.spec(id) as NodeSpec;
        const a = await sendRequest(parseEndpoint(spec.httpUrl, 'http'), 'GET', '/status', undefined, { dialTimeoutMs: 500, requestTimeoutMs: 1000, tls: {}, adminToken: null });
        if (a.kind === 'answer') waiting.delete(id);
      }
      if (waiting.size > 0) await new Promise((r) => setTimeout(r, 50));
    }
    return ids.filter((id) => this.running.has(id) && !waiting.has(id));
  }

  async handle(request: ControlRequest): Promise<ControlReply> {
    if (request.command === 'status') return { ok: true, nodes: this.report() };
    const spec = this.spec(request.id);
    if (spec === undefined) return { ok: false, error: `no node ${request.id} in this cluster (ids: ${this.layout.nodes.map((n) => n.id).join(', ')})` };
    switch (request.command) {
      case 'start': {
        if (this.running.has(spec.id)) return { ok: false, error: `node ${spec.id} is already running (pid ${String(this.running.get(spec.id)?.proc.pid)})` };
        this.output.note(`starting node ${spec.id}`);
        this.spawnNode(spec);
        const [ready] = await this.waitUntilServing([spec.id]);
        if (ready === undefined) return { ok: false, error: `node ${spec.id} did not come up: ${this.lastExit.get(spec.id) ?? `no answer on ${spec.httpUrl} within ${READY_LIMIT_MS} ms`} (see its log lines)` };
        return { ok: true, message: `started node ${spec.id} (pid ${String(this.running.get(spec.id)?.proc.pid)}), serving ${spec.httpUrl}` };
      }
      case 'stop':
      case 'kill': {
        const signal = request.command === 'stop' ? 'SIGTERM' : 'SIGKILL';
        if (!this.running.has(spec.id)) return { ok: false, error: `node ${spec.id} is not running` };
        this.output.note(`${request.command === 'stop' ? 'stopping' : 'killing'} node ${spec.id} (${signal})`);
        const started = Date.now();
        await this.signalAndWait(spec.id, signal);
        return { ok: true, message: `node ${spec.id}: ${this.lastExit.get(spec.id) ?? 'gone'} after ${Date.now() - started} ms` };
      }
      default: {
        const unknown: never = request;
        return { ok: false, error: `unknown command ${JSON.stringify(unknown)}` };
      }
    }
  }

  /** SIGTERM to every running node at once, then wait for them (SIGKILL for any that hang). */
  async stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.signalAndWait(id, signal)));
  }

  /** Synchronous last resort (process exit): no node may outlive the supervisor that shows its logs. */
  killAllNow(): void {
    for (const { proc } of this.running.values()) proc.kill('SIGKILL');
  }

  report(): NodeReport[] {
    return this.layout.nodes.map((spec) => {
      const r = this.running.get(spec.id);
      return { id: spec.id, pid: r?.proc.pid ?? null, running: r !== undefined, httpUrl: spec.httpUrl, lastExit: this.lastExit.get(spec.id) ?? null };
    });
  }

  private spec(id: string): NodeSpec | undefined {
    return this.layout.nodes.find((n) => n.id === id);
  }

  private async signalAndWait(id: string, signal: NodeJS.Signals): Promise<void> {
    const r = this.running.get(id);
    if (r === undefined) return;
    r.proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((done) => (timer = setTimeout(() => done('hung'), STOP_LIMIT_MS)));
    if ((await Promise.race([r.exited, hung])) === 'hung') {
      this.output.note(`node ${id} still running ${STOP_LIMIT_MS} ms after ${signal}: killing it`);
      r.proc.kill('SIGKILL');
      await r.exited;
    }
    clearTimeout(timer);
  }

  private spawnNode(spec: NodeSpec): void {
    const index = this.layout.nodes.indexOf(spec);
    // A process group of its own: Ctrl-C in the terminal reaches the supervisor only, which then
    // stops each node with one SIGTERM (a node takes a second signal as "exit now, no hand-over").
    const proc = spawn(process.execPath, [this.nodeBin, ...spec.args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    for (const stream of [proc.stdout, proc.stderr]) {
      if (stream !== null) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.output.nodeLine(spec, index, line));
    }
    const exited = new Promise<void>((done) => {
      // 'close', not 'exit': by then the node's last lines ("shut down cleanly") have been printed.
      proc.on('close', (code, signal) => {
        const how = signal !== null ? `killed by ${signal}` : `exited with status ${String(code)}`;
        this.lastExit.set(spec.id, how);
        if (this.running.get(spec.id)?.proc === proc) this.running.delete(spec.id);
        this.output.note(`node ${spec.id} (pid ${String(proc.pid)}) ${how}`);
        done();
      });
    });
    proc.on('error', (err) => this.output.note(`node ${spec.id} could not be started: ${err.message}`));
    this.running.set(spec.id, { proc, exited });
  }
}
