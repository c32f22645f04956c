// One bench cluster of dist/node.js processes with the settings under test, plus what every
// benchmark needs around it: election events from the node logs on the bench clock, a fresh data
// directory for the write-ahead files, node pids, and "wait until one leader is settled".
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, type BenchClient, type LatencyDist } from '../maelstrom/cluster.ts';
import { ElectionLog } from './node-log.ts';

export interface TimingSettings {
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatMs: number;
}

export interface BenchClusterOptions extends TimingSettings {
  nodeCount: number;
  latency: { meanMs: number; dist: LatencyDist };
  seed: number;
  /** Keep every raw stderr line (the demo prints them). */
  keepLines?: boolean;
  /** More node flags (e.g. --snapshot-threshold). */
  nodeArgs?: string[];
  /** Sees every stderr line as it arrives, on the bench clock. */
  onLine?: (node: string, line: string, at: number) => void;
}

/** The repository root: the nearest folder upwards holding this project's package.json. */
export function repoRoot(): string {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = start;
    for (;;) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg) && readFileSync(pkg, 'utf8').includes('"raft-maelstrom"')) return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error('cannot find the repository root (package.json of raft-maelstrom)');
}

export function nodeBinary(): string {
  const bin = join(repoRoot(), 'dist', 'node.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build it first (node scripts/build.mjs)`);
  return bin;
}

/** Timeout range [T, 2T] with the node's default heartbeat rule, min(50, T/3). */
export function timingFor(baseTimeoutMs: number, heartbeatMs?: number): TimingSettings {
  return {
    electionTimeoutMinMs: baseTimeoutMs,
    electionTimeoutMaxMs: 2 * baseTimeoutMs,
    heartbeatMs: heartbeatMs ?? Math.min(50, Math.floor(baseTimeoutMs / 3)),
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class BenchCluster {
  private constructor(
    readonly cluster: Cluster,
    readonly log: ElectionLog,
    readonly dataDir: string,
    readonly options: BenchClusterOptions,
  ) {}

  static async start(options: BenchClusterOptions): Promise<BenchCluster> {
    const dataDir = mkdtempSync(join(tmpdir(), 'raft-bench-'));
    const log = new ElectionLog(options.keepLines === true);
    const nodeIds = Array.from({ length: options.nodeCount }, (_, i) => `n${i}`);
    // The cluster clock only exists once start() returns; lines before that (start-up) get time 0.
    let clusterRef: Cluster | null = null;
    try {
      const cluster = await Cluster.start({
        bin: nodeBinary(),
        args: [
          '--election-timeout-min', String(options.electionTimeoutMinMs),
          '--election-timeout-max', String(options.electionTimeoutMaxMs),
          '--heartbeat-interval', String(options.heartbeatMs),
          ...(options.nodeArgs ?? []),
        ],
        nodeIds,
        latency: options.latency.meanMs > 0 ? options.latency : { meanMs: 0, dist: 'constant' },
        seed: options.seed,
        env: { RAFT_DATA_DIR: dataDir },
        onStderrLine: (node, line) => {
          const at = clusterRef?.now() ?? 0;
          log.handle(node, line, at);
          options.onLine?.(node, line, at);
        },
      });
      clusterRef = cluster;
      return new BenchCluster(cluster, log, dataDir, options);
    } catch (err) {
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }

  get nodeIds(): readonly string[] {
    return this.cluster.nodeIds;
  }

  now(): number {
    return this.cluster.now();
  }

  private readonly clients = new Map<string, BenchClient>();

  /**
   * A client for `purpose` on `node`, opened once and kept for the cluster's life. Clients are never
   * closed early: a node answering a closed (unregistered) client makes the bench stop reading that
   * node's stdout, exactly as Maelstrom does (see maelstrom/README.md), which would wreck the rest of the run.
   */
  client(node: string, purpose: string): BenchClient {
    const key = `${purpose}@${node}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = this.cluster.openClient(node);
      this.clients.set(key, client);
    }
    return client;
  }

  /** Bytes of the write-ahead log and snapshot files of a node (all of its runs), in the data directory. */
  diskBytes(node: string): number {
    let total = 0;
    for (const name of readdirSync(this.dataDir)) {
      if (name.startsWith(`${node}-`)) total += statSync(join(this.dataDir, name)).size;
    }
    return total;
  }

  pid(node: string): number | null {
    return this.cluster.pid(node) ?? null;
  }

  /**
   * Waits until a leader is known, nothing election-related has happened for `quietMs` (default: the
   * maximum election timeout, so every follower has had the chance to time out and did not), and a
   * write through the leader commits. Throws after timeoutMs.
   */
  async waitForStableLeader(timeoutMs = 15_000, quietMs = this.options.electionTimeoutMaxMs): Promise<{ node: string; term: number }> {
    const deadline = this.now() + timeoutMs;
    while (this.now() < deadline) {
      const leader = this.log.leader();
      const quiet = this.now() - this.log.lastElectionActivity() >= quietMs;
      if (leader !== null && quiet && this.cluster.isRunning(leader.node)) {
        const probe = this.client(leader.node, 'stable-probe');
        // A write takes some 4 one-way latencies (client's node, leader, followers and back): wait as Maelstrom's client would.
        const outcome = await probe.request({ type: 'write', key: 'bench-stable', value: Math.floor(this.now()) }, Math.max(1000, 10 * this.options.latency.meanMs));
        const after = this.log.leader();
        if (outcome.kind === 'reply' && outcome.body['type'] === 'write_ok' && after !== null && after.node === leader.node && after.term === leader.term) {
          return leader;
        }
      }
      await delay(10);
    }
    const problems = this.cluster.problems();
    throw new Error(
      `no stable leader within ${timeoutMs} ms (last known: ${JSON.stringify(this.log.leader())}; problems: ${JSON.stringify(problems)})`,
    );
  }

  async close(): Promise<void> {
    try {
      await this.cluster.stop();
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
