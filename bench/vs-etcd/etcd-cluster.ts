// Three etcd members on loopback for the vs-etcd benchmark: started, signalled and restarted like
// our nodes, with the same election timing (heartbeat 30 ms, election timeout 150 ms: etcd draws
// from [150, 300) ms). etcd fsyncs its WAL on every commit by default, as ours does. Members
// are reached over native gRPC (the etcd3 client) and over etcd's HTTP/JSON gateway. With
// certificates: peer mutual TLS (--peer-client-cert-auth) and TLS on the client port (gRPC over TLS,
// the gateway over HTTPS), clients checking the server against the CA but presenting no certificate.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { type ClientTls, KeepAliveClient } from '../keep-alive-client.ts';
import { freePorts } from '../standalone-cluster.ts';
import type { BenchCerts } from '../tls.ts';
import type { BenchSystem, KvClient, MemberView } from './system.ts';

/** Where etcd is, or null with nothing printed (the caller says how to install it). */
export function etcdBinaries(): { etcd: string; etcdctl: string } | null {
  const find = (name: string): string | null => {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
    } catch {
      return null;
    }
  };
  const etcd = find('etcd');
  const etcdctl = find('etcdctl');
  return etcd === null || etcdctl === null ? null : { etcd, etcdctl };
}

export function etcdVersion(etcd: string): string {
  try {
    return /etcd Version: (\S+)/.exec(execFileSync(etcd, ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export class EtcdCluster implements BenchSystem {
  readonly name = 'etcd';
  readonly protocols = ['grpc', 'gateway'];
  readonly members: string[] = ['e1', 'e2', 'e3'];
  private readonly root = mkdtempSync(join(tmpdir(), 'raft-bench-etcd-'));
  private readonly args = new Map<string, string[]>();
  private readonly clientUrls = new Map<string, string>();
  private readonly procs = new Map<string, { proc: ChildProcess; exited: Promise<void> }>();
  /** Raft member id (decimal, as the gateway prints it) -> member name. */
  private readonly idToName = new Map<string, string>();
  private readonly nameToHexId = new Map<string, string>();
  private readonly status: KeepAliveClient[] = [];

  private readonly tls: ClientTls | null;

  private constructor(
    private readonly bins: { etcd: string; etcdctl: string },
    private readonly certs: BenchCerts | null,
  ) {
    this.tls = certs === null ? null : { ca: readFileSync(certs.ca) };
  }

  /** `certs` (one certificate per member name e1, e2, e3) turn TLS on. */
  static async start(bins: { etcd: string; etcdctl: string }, certs: BenchCerts | null = null): Promise<EtcdCluster> {
    const c = new EtcdCluster(bins, certs);
    const ports = await freePorts(c.members.length * 2);
    const scheme = certs === null ? 'http' : 'https';
    const peerUrl = (i: number): string => `${scheme}://127.0.0.1:${ports[2 * i + 1]}`;
    const initialCluster = c.members.map((m, i) => `${m}=${peerUrl(i)}`).join(',');
    c.members.forEach((m, i) => {
      const clientUrl = `${scheme}://127.0.0.1:${ports[2 * i]}`;
      c.clientUrls.set(m, clientUrl);
      c.args.set(m, [
        '--name', m, '--data-dir', c.dataDir(m),
        '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
        '--listen-peer-urls', peerUrl(i), '--initial-advertise-peer-urls', peerUrl(i),
        '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'raft-bench',
        '--heartbeat-interval', '30', '--election-timeout', '150',
        '--logger', 'zap', '--log-level', 'error',
        ...c.tlsFlags(m),
      ]);
    });
    for (const m of c.members) c.restart(m);
    await c.learnIds();
    return c;
  }

  /** Peer mutual TLS, and a server certificate on the client port without asking clients for one. */
  private tlsFlags(member: string): string[] {
    if (this.certs === null) return [];
    const { cert, key } = this.certs.files(member);
    return [
      '--peer-cert-file', cert, '--peer-key-file', key, '--peer-trusted-ca-file', this.certs.ca, '--peer-client-cert-auth',
      '--cert-file', cert, '--key-file', key,
    ];
  }

  dataDir(member: string): string {
    return join(this.root, member);
  }

  pid(member: string): number | null {
    return this.procs.get(member)?.proc.pid ?? null;
  }

  isRunning(member: string): boolean {
    return this.procs.has(member);
  }

  restart(member: string): void {
    const proc = spawn(this.bins.etcd, this.args.get(member) as string[], { stdio: ['ignore', 'ignore', 'pipe'] });
    // Errors only (--log-level error), shown since a failed member would otherwise be a silent hole in
    // the data; grpc-go's own warnings about clients that hang up (a killed round's writers) are not.
    createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      if (/"level":"(error|fatal|panic)"/.test(line)) process.stderr.write(`[etcd ${member}] ${line}\n`);
    });
    const exited = new Promise<void>((done) => proc.on('exit', () => done()));
    this.procs.set(member, { proc, exited });
  }

  stop(member: string, signal: NodeJS.Signals): Promise<void> {
    const p = this.procs.get(member);
    if (p === undefined) return Promise.resolve();
    this.procs.delete(member);
    p.proc.kill(signal);
    return p.exited;
  }

  private statusClient(member: string): KeepAliveClient {
    const i = this.members.indexOf(member);
    this.status[i] ??= new KeepAliveClient(this.clientUrls.get(member) as string, 2, this.tls);
    return this.status[i] as KeepAliveClient;
  }

  /** Member ids from `member list` once the cluster answers. */
  private async learnIds(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const r = await this.statusClient('e1').request('POST', '/v3/cluster/member/list', '{}', 1000);
      if (r.status === 200) {
        const body = JSON.parse(r.body) as { members?: { ID: string; name: string }[] };
        for (const m of body.members ?? []) {
          this.idToName.set(m.ID, m.name);
          this.nameToHexId.set(m.name, BigInt(m.ID).toString(16));
        }
        if (this.idToName.size === this.members.length && [...this.idToName.values()].every((n) => n !== '')) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('etcd: the members did not list each other within 30 s');
  }

  async view(member: string, timeoutMs: number): Promise<MemberView | null> {
    const r = await this.statusClient(member).request('POST', '/v3/maintenance/status', '{}', timeoutMs);
    if (r.status !== 200) return null;
    try {
      const s = JSON.parse(r.body) as { leader?: string; raftIndex?: string; raftAppliedIndex?: string };
      const leader = s.leader === undefined || s.leader === '0' ? null : (this.idToName.get(s.leader) ?? null);
      return { leader, appliedIndex: Number(s.raftAppliedIndex ?? s.raftIndex ?? 0), commitIndex: Number(s.raftIndex ?? 0) };
    } catch {
      return null;
    }
  }

  moveLeader(leader: string, to: string): Promise<boolean> {
    const target = this.nameToHexId.get(to) as string;
    return new Promise((done) => {
      execFile(this.bins.etcdctl, ['--endpoints', this.clientUrls.get(leader) as string, ...(this.certs === null ? [] : ['--cacert', this.certs.ca]), 'move-leader', target], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 10_000 }, (err) => done(err === null));
    });
  }

  client(member: string, protocol: string, connections: number): KvClient {
    const url = this.clientUrls.get(member) as string;
    if (protocol === 'gateway') {
      const http = new KeepAliveClient(url, connections, this.tls);
      return {
        put: async (key, value) => (await http.request('POST', '/v3/kv/put', JSON.stringify({ key: b64(key), value: b64(value) }))).status === 200,
        get: async (key) => (await http.request('POST', '/v3/kv/range', JSON.stringify({ key: b64(key) }))).status === 200,
        close: () => http.close(),
      };
    }
    // One gRPC channel per client object: several spread the load over several HTTP/2 connections.
    // No retries (a failure counts as one), linearizable reads (etcd3's default).
    const channels = Array.from({ length: Math.max(1, connections) }, () => new Etcd3({ hosts: url, faultHandling: { host: () => noop, global: noop }, ...(this.tls === null ? {} : { credentials: { rootCertificate: this.tls.ca } }) }));
    let next = 0;
    const pick = (): Etcd3 => channels[next++ % channels.length] as Etcd3;
    return {
      put: (key, value) => pick().put(key).value(value).exec().then(() => true, () => false),
      get: (key) => pick().get(key).string().then(() => true, () => false),
      close: () => channels.forEach((c) => c.close()),
    };
  }

  async close(): Promise<void> {
    this.status.forEach((c) => c.close());
    await Promise.all([...this.procs.keys()].map((m) => this.stop(m, 'SIGKILL')));
    rmSync(this.root, { recursive: true, force: true });
  }
}
