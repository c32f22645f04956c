// The bench cluster: Maelstrom's network, node processes and services behind one object (contract 3).
// It starts the services, spawns every node, performs the init handshake through init clients
// c0..c(n-1), then routes what nodes print on stdout, and records what goes wrong as problems.
import { accessSync, constants, createWriteStream, mkdirSync, realpathSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NetworkClient, type BenchClient } from './client.ts';
import { parseNodeLine } from './envelope.ts';
import { isClientId, Network, type ClusterNetStats, type LatencyDist, type Message } from './net.ts';
import { NodeProcess, type ExitInfo } from './node-process.ts';
import { Random } from './random.ts';
import { defaultServices, SERVICE_IDS, type Service } from './services.ts';
import { stderrExcerpt } from './stderr-excerpt.ts';

export type { BenchClient, RequestOutcome } from './client.ts';
export type { ClusterNetStats, LatencyDist, NetStats } from './net.ts';

export interface ClusterOptions {
  /** Path of the node executable, launched like Maelstrom does (absolute, symlinks resolved, no shell). */
  bin: string;
  /** Extra args after the binary. */
  args?: string[];
  /** ['n0','n1','n2'] as Maelstrom names them. */
  nodeIds: string[];
  /** Default as Maelstrom: 0 ms (constant; at 0 ms the distribution makes no difference). */
  latency?: { meanMs: number; dist: LatencyDist };
  /** Every random choice of the bench comes from this seed. */
  seed: number;
  /** If set: logDir/<nodeId>.log gets that node's stderr. */
  logDir?: string;
  /** Also echo node stderr to our stderr, prefixed with the node id. */
  logStderr?: boolean;
  onStderrLine?: (node: string, line: string) => void;
  /** Default 10000, as Maelstrom. */
  initTimeoutMs?: number;
  /** Extra environment for node processes (on top of ours, which they inherit as in Maelstrom). */
  env?: Record<string, string>;
}

export type ClusterProblem =
  | { kind: 'exited'; node: string; code: number | null; signal: string | null; stderrTail: string[] }
  /** A non-JSON line: from then on the node's stdout is no longer read (Maelstrom's behaviour). */
  | { kind: 'bad-stdout'; node: string; line: string }
  /** JSON that fails Maelstrom's envelope checks or names an unregistered src/dest: reading stops too. */
  | { kind: 'invalid-message'; node: string; line: string; reason: string };

/** Start and init failures; the message names the node. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    message: string,
    readonly node?: string,
  ) {
    super(message);
  }
}

const DEFAULT_INIT_TIMEOUT_MS = 10_000;
/** Stderr lines kept per node for crash reports (Maelstrom keeps 32; we keep more for diagnosis). */
const STDERR_TAIL_KEPT = 256;
const STDERR_TAIL_SHOWN = 32;

interface NodeSlot {
  readonly id: string;
  process: NodeProcess | null;
  /** Set while we kill the process ourselves, so its exit is not reported as a problem. */
  expectingExit: boolean;
  readonly stderrTail: string[];
  readonly log: WriteStream | null;
  /** Characters the node has written to stdout (its messages), over all its runs. */
  stdoutChars: number;
}

export class Cluster {
  readonly nodeIds: readonly string[];
  private readonly network: Network;
  private readonly services: Service[];
  private readonly slots = new Map<string, NodeSlot>();
  private readonly openClients = new Set<NetworkClient>();
  private readonly problemList: ClusterProblem[] = [];
  private readonly warningList: string[] = [];
  private readonly startedAt = performance.now();
  private readonly initTimeoutMs: number;
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly options: ClusterOptions,
    private readonly bin: string,
  ) {
    this.nodeIds = [...options.nodeIds];
    this.initTimeoutMs = options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
    const random = new Random(options.seed);
    this.network = new Network({ latency: options.latency ?? { meanMs: 0, dist: 'constant' }, random: random.fork('latency'), now: () => performance.now() });
    this.services = defaultServices(random.fork('services'));
    if (options.logDir !== undefined) mkdirSync(options.logDir, { recursive: true });
    for (const id of this.nodeIds) {
      const log = options.logDir !== undefined ? createWriteStream(join(options.logDir, `${id}.log`), { flags: 'a' }) : null;
      this.slots.set(id, { id, process: null, expectingExit: false, stderrTail: [], log, stdoutChars: 0 });
    }
  }

  /** Spawns and inits every node, or throws ClusterError after stopping whatever it started. */
  static async start(options: ClusterOptions): Promise<Cluster> {
    checkNodeIds(options.nodeIds);
    const bin = resolveExecutable(options.bin);
    const cluster = new Cluster(options, bin);
    try {
      await cluster.boot();
    } catch (err) {
      await cluster.stop();
      throw err instanceof ClusterError ? err : new ClusterError(`cluster start failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return cluster;
  }

  /** ms since the cluster started (monotonic). */
  now(): number {
    return performance.now() - this.startedAt;
  }

  /** A new client id c<k> that talks to one node. */
  openClient(node: string): BenchClient {
    this.slot(node);
    const client = new NetworkClient(this.network, this.network.newClientId(), node, (c) => this.openClients.delete(c));
    this.openClients.add(client);
    return client;
  }

  /** receiver -> senders it drops; node-to-node only. Adds to the cuts already in place. */
  partition(grudge: ReadonlyMap<string, ReadonlySet<string>>): void {
    for (const [receiver, senders] of grudge) {
      this.slot(receiver);
      for (const sender of senders) this.slot(sender);
    }
    this.network.partition(grudge);
  }

  /** Cuts node off from all other nodes, both ways. */
  isolate(node: string): void {
    this.slot(node);
    const others = this.nodeIds.filter((id) => id !== node);
    const grudge = new Map<string, Set<string>>([[node, new Set(others)]]);
    for (const other of others) grudge.set(other, new Set([node]));
    this.network.partition(grudge);
  }

  heal(): void {
    this.network.heal();
  }

  /** The cuts in force now (receiver -> senders dropped). */
  grudge(): Map<string, Set<string>> {
    return this.network.currentGrudge();
  }

  /** SIGKILL and wait for the exit; messages to the node are dropped until it is restarted. */
  async kill(node: string): Promise<void> {
    const slot = this.slot(node);
    const proc = slot.process;
    if (proc === null) return;
    slot.expectingExit = true;
    await proc.kill();
    if (slot.process === proc) slot.process = null;
  }

  /** Spawns the node again and inits it with a fresh init client. Kills it first if it is running. */
  async restart(node: string): Promise<void> {
    const slot = this.slot(node);
    if (this.stopping !== null) throw new ClusterError(`cannot restart ${node}: the cluster is stopping`, node);
    if (slot.process !== null) await this.kill(node);
    const proc = this.spawn(slot);
    try {
      await this.init(slot, proc);
    } catch (err) {
      slot.expectingExit = true;
      await proc.kill();
      if (slot.process === proc) slot.process = null;
      throw err;
    }
  }

  isRunning(node: string): boolean {
    return this.slot(node).process?.running ?? false;
  }

  /** The OS process id of a running node (for diagnostics and tests). */
  pid(node: string): number | undefined {
    const proc = this.slot(node).process;
    return proc?.running ? proc.pid : undefined;
  }

  /** Characters (one byte each for ASCII JSON) a node has written to stdout, i.e. sent, so far. */
  stdoutChars(node: string): number {
    return this.slot(node).stdoutChars;
  }

  netStats(): ClusterNetStats {
    return this.network.stats();
  }

  /** Unexpected exits and bad stdout seen so far. */
  problems(): ClusterProblem[] {
    return [...this.problemList];
  }

  /** Things Maelstrom would log as warnings without failing: service requests it could not answer. */
  warnings(): string[] {
    return [...this.warningList];
  }

  stderrTail(node: string, lines = STDERR_TAIL_SHOWN): string[] {
    return this.slot(node).stderrTail.slice(-lines);
  }

  /** SIGKILL all nodes and wait; idempotent. (Process exit handlers cover a bench that dies first.) */
  stop(): Promise<void> {
    if (this.stopping === null) this.stopping = this.shutDown();
    return this.stopping;
  }

  // ---------------------------------------------------------------- start-up

  private async boot(): Promise<void> {
    // Services first, as on Maelstrom's primary. All node ids are registered before any process
    // starts, so a fast node can never send to a peer that is not registered yet.
    for (const service of this.services) this.network.register(service.id, (m) => this.serve(service, m));
    for (const slot of this.slots.values()) this.network.register(slot.id, (m) => this.deliverToNode(slot, m));
    const processes = [...this.slots.values()].map((slot) => ({ slot, proc: this.spawn(slot) }));
    // Init clients are opened in node order, so n0 gets c0, n1 gets c1, ...
    const outcomes = await Promise.allSettled(processes.map(({ slot, proc }) => this.init(slot, proc)));
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    if (failures.length > 0) {
      const first = failures[0];
      const more = failures.length > 1 ? ` (and ${failures.length - 1} more node(s) failed)` : '';
      if (first instanceof ClusterError) throw new ClusterError(first.message + more, first.node);
      throw first;
    }
  }

  private spawn(slot: NodeSlot): NodeProcess {
    slot.expectingExit = false;
    const proc = NodeProcess.spawn({
      nodeId: slot.id,
      bin: this.bin,
      args: this.options.args ?? [],
      env: { ...process.env, ...this.options.env },
      cwd: tmpdir(),
      onStdoutLine: (line) => this.onStdoutLine(slot, proc, line),
      onStderrLine: (line) => this.onStderrLine(slot, line),
    });
    slot.process = proc;
    void proc.exited.then((info) => this.onExit(slot, proc, info));
    return proc;
  }

  /** Maelstrom's init RPC: {type: init, node_id, node_ids, msg_id: 1} from a fresh client, then close it. */
  private async init(slot: NodeSlot, proc: NodeProcess): Promise<void> {
    const client = new NetworkClient(this.network, this.network.newClientId(), slot.id);
    try {
      const reply = client.request({ type: 'init', node_id: slot.id, node_ids: [...this.nodeIds] }, this.initTimeoutMs);
      const exit = proc.exited.then((info) => ({ kind: 'exited' as const, info }));
      const outcome = await Promise.race([reply, exit]);
      if (outcome.kind === 'exited') {
        throw new ClusterError(`node ${slot.id} exited (${describeExit(outcome.info)}) before answering init${this.stderrSuffix(slot)}`, slot.id);
      }
      if (outcome.kind === 'timeout') {
        const stdoutTrouble = this.problemList.find((p) => p.node === slot.id && p.kind !== 'exited');
        const why = stdoutTrouble !== undefined && stdoutTrouble.kind !== 'exited' ? `; its stdout stopped being read after ${JSON.stringify(stdoutTrouble.line)}` : '';
        throw new ClusterError(`node ${slot.id} did not respond to init within ${this.initTimeoutMs} ms${why}${this.stderrSuffix(slot)}`, slot.id);
      }
      const type = outcome.body['type'];
      if (type === 'error') {
        throw new ClusterError(`node ${slot.id} answered init with error ${String(outcome.body['code'])}: ${String(outcome.body['text'] ?? '')}`, slot.id);
      }
      if (type !== 'init_ok') {
        throw new ClusterError(`node ${slot.id} answered init with ${JSON.stringify(outcome.body)}, expected type init_ok`, slot.id);
      }
    } finally {
      client.close();
    }
  }

  // ---------------------------------------------------------------- traffic

  private onStdoutLine(slot: NodeSlot, proc: NodeProcess, line: string): void {
    slot.stdoutChars += line.length + 1;
    const parsed = parseNodeLine(line);
    if (parsed.kind === 'message') {
      const sent = this.network.send(parsed.src, parsed.dest, parsed.body);
      if (sent.ok) return;
      this.problemList.push({ kind: 'invalid-message', node: slot.id, line, reason: `${sent.reason}; stdout no longer read` });
    } else if (parsed.kind === 'not-json') {
      this.problemList.push({ kind: 'bad-stdout', node: slot.id, line });
    } else {
      this.problemList.push({ kind: 'invalid-message', node: slot.id, line, reason: `${parsed.reason}; stdout no longer read` });
    }
    proc.stopReadingStdout();
  }

  private deliverToNode(slot: NodeSlot, message: Message): void {
    // A dead node's messages are lost, as when Maelstrom's write to a dead process fails.
    slot.process?.writeLine(JSON.stringify(message));
  }

  private serve(service: Service, message: Message): void {
    const reply = service.handle(message.src, message.body);
    if (reply === null) {
      this.warningList.push(`${service.id}: no reply to ${JSON.stringify(message.body)} from ${message.src} (unsupported request)`);
      return;
    }
    const sent = this.network.send(service.id, message.src, { ...reply, in_reply_to: message.body['msg_id'] ?? null });
    if (!sent.ok) this.warningList.push(`${service.id}: reply to ${message.src} not sent: ${sent.reason}`);
  }

  private onStderrLine(slot: NodeSlot, line: string): void {
    slot.stderrTail.push(line);
    if (slot.stderrTail.length > STDERR_TAIL_KEPT) slot.stderrTail.splice(0, slot.stderrTail.length - STDERR_TAIL_KEPT);
    slot.log?.write(`${line}\n`);
    if (this.options.logStderr === true) process.stderr.write(`${slot.id} stderr: ${line}\n`);
    this.options.onStderrLine?.(slot.id, line);
  }

  private onExit(slot: NodeSlot, proc: NodeProcess, info: ExitInfo): void {
    if (slot.process === proc) slot.process = null;
    if (slot.expectingExit || this.stopping !== null) return;
    this.problemList.push({ kind: 'exited', node: slot.id, code: info.code, signal: info.signal, stderrTail: this.stderrTail(slot.id) });
  }

  private stderrSuffix(slot: NodeSlot): string {
    return stderrExcerpt(slot.stderrTail, 10);
  }

  private slot(node: string): NodeSlot {
    const slot = this.slots.get(node);
    if (slot === undefined) throw new Error(`unknown node ${JSON.stringify(node)} (nodes: ${this.nodeIds.join(', ')})`);
    return slot;
  }

  private async shutDown(): Promise<void> {
    const kills = [...this.slots.values()].map(async (slot) => {
      slot.expectingExit = true;
      const proc = slot.process;
      if (proc !== null) await proc.kill();
      slot.process = null;
    });
    await Promise.all(kills);
    for (const client of [...this.openClients]) client.close();
    this.network.close();
    await Promise.all(
      [...this.slots.values()].map((slot) => (slot.log === null ? Promise.resolve() : new Promise<void>((done) => slot.log?.end(done)))),
    );
  }
}

function checkNodeIds(nodeIds: readonly string[]): void {
  if (nodeIds.length === 0) throw new ClusterError('at least one node id is needed');
  const seen = new Set<string>();
  for (const id of nodeIds) {
    if (id === '') throw new ClusterError('node ids must not be empty');
    // The network tells clients from nodes by the leading "c" (as Maelstrom does), and services by name.
    if (isClientId(id)) throw new ClusterError(`node id ${id} starts with "c", which Maelstrom reserves for clients`, id);
    if ((SERVICE_IDS as readonly string[]).includes(id)) throw new ClusterError(`node id ${id} is the name of a service`, id);
    if (seen.has(id)) throw new ClusterError(`node id ${id} appears twice`, id);
    seen.add(id);
  }
}

/** Like Maelstrom: the canonical absolute path, which must be an executable file. */
function resolveExecutable(bin: string): string {
  let path: string;
  try {
    path = realpathSync(resolve(bin));
  } catch {
    throw new ClusterError(`node binary ${bin} does not exist`);
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new ClusterError(`node binary ${path} is not executable (it needs the execute bit and a shebang line such as #!/usr/bin/env node)`);
  }
  return path;
}

function describeExit(info: ExitInfo): string {
  if (info.error !== undefined) return `could not be started: ${info.error}`;
  if (info.signal !== null) return `killed by ${info.signal}`;
  return `exit status ${String(info.code)}`;
}
