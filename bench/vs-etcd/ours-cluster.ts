// Our three standalone nodes (dist/node.js) seen through the vs-etcd benchmark's BenchSystem:
// default timing (elections 150-300 ms, heartbeat 50 ms), every log write fsynced, clients over
// HTTP/1.1 keep-alive at PUT/GET /kv/KEY. With certificates: peer mutual TLS and HTTPS clients that
// check the server's certificate against the CA but present none (the node gets no --client-ca).
import { type ClientTls, KeepAliveClient } from '../keep-alive-client.ts';
import { StandaloneBenchCluster } from '../standalone-cluster.ts';
import type { BenchCerts } from '../tls.ts';
import type { BenchSystem, KvClient, MemberView } from './system.ts';

export class OurCluster implements BenchSystem {
  readonly name = 'ours';
  readonly protocols = ['http'];
  readonly members: readonly string[];
  private readonly status = new Map<string, KeepAliveClient>();

  private constructor(
    private readonly cluster: StandaloneBenchCluster,
    private readonly tls: ClientTls | null,
  ) {
    this.members = cluster.names;
  }

  /** `nodeFlags` go to node itself (--cpu-prof for profiling); `nodeBin` is another build to compare; `certs` turn TLS on. */
  static async start(nodeFlags: string[] = [], nodeBin?: string, certs: BenchCerts | null = null): Promise<OurCluster> {
    const cluster = await StandaloneBenchCluster.start(3, [], certs === null ? () => [] : certs.flagsFor, nodeFlags, nodeBin);
    return new OurCluster(cluster, certs === null ? null : certs.clientTls());
  }

  private url(member: string): string {
    return this.cluster.url(member, this.tls === null ? 'http' : 'https');
  }

  pid(member: string): number | null {
    return this.cluster.pid(member);
  }

  isRunning(member: string): boolean {
    return this.cluster.isRunning(member);
  }

  async stop(member: string, signal: NodeJS.Signals): Promise<void> {
    await this.cluster.stopNode(member, signal);
  }

  restart(member: string): void {
    this.cluster.startNode(member);
  }

  dataDir(member: string): string {
    return this.cluster.dataDir(member);
  }

  private statusClient(member: string): KeepAliveClient {
    let c = this.status.get(member);
    if (c === undefined) this.status.set(member, (c = new KeepAliveClient(this.url(member), 2, this.tls)));
    return c;
  }

  async view(member: string, timeoutMs: number): Promise<MemberView | null> {
    const r = await this.statusClient(member).request('GET', '/status', undefined, timeoutMs);
    if (r.status !== 200) return null;
    try {
      const s = JSON.parse(r.body) as { leader: string | null; appliedIndex: number; commitIndex: number };
      return { leader: s.leader, appliedIndex: s.appliedIndex, commitIndex: s.commitIndex };
    } catch {
      return null;
    }
  }

  async moveLeader(leader: string, to: string): Promise<boolean> {
    const r = await this.statusClient(leader).request('POST', `/admin/transfer-leader?to=${encodeURIComponent(to)}`, undefined, 10_000);
    return r.status === 200;
  }

  client(member: string, _protocol: string, connections: number): KvClient {
    const http = new KeepAliveClient(this.url(member), connections, this.tls);
    return {
      put: async (key, value) => (await http.request('PUT', `/kv/${key}`, JSON.stringify(value))).status === 200,
      get: async (key) => {
        const status = (await http.request('GET', `/kv/${key}`)).status;
        // A key nobody wrote yet is a definite, linearizable answer too.
        return status === 200 || status === 404;
      },
      close: () => http.close(),
    };
  }

  async close(): Promise<void> {
    this.status.forEach((c) => c.close());
    await this.cluster.close();
  }
}
