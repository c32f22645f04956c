// The two clusters the replace-member benchmark drives the same way: ours (dist/node.js, --join,
// /admin/members, automatic promotion) and etcd (etcdctl member add --learner / promote / remove),
// each as three members on loopback with a client API the writers and the leader poller use.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeepAliveClient } from './keep-alive-client.ts';
import { freePorts, StandaloneBenchCluster } from './standalone-cluster.ts';

export const ETCD_BIN = '/usr/bin/etcd';
export const ETCDCTL_BIN = '/usr/bin/etcdctl';

/** A write's fate as its client sees it. */
export type WriteOutcome = 'ok' | 'refused' | 'unknown';

/** The outcome, and for a failure what the member said (status and the start of the body). */
export interface WriteResult {
  outcome: WriteOutcome;
  detail: string;
}

export interface ReplaceTarget {
  readonly label: string;
  /** The dead member must go before a new one may join (etcd: "unhealthy cluster" otherwise). */
  readonly removeFirst: boolean;
  /** The live members' names. */
  members(): string[];
  write(member: string, key: string, value: string): Promise<WriteResult>;
  /** Does `member` say it leads right now? null: it did not answer. */
  isLeader(member: string): Promise<boolean | null>;
  /** Bytes sent to peers, summed over the live members (each counter since its process started). */
  peerBytesSent(): Promise<number>;
  kill(member: string): Promise<void>;
  /** Starts a new member that joins as a learner (through `via`); resolves once it is started. */
  join(name: string, via: string): Promise<void>;
  /** Promotes `name` (ours promotes on its own: this only waits); resolves once it votes. */
  promote(name: string): Promise<void>;
  /** Removes the (dead) member `name` through a live member; resolves once done. */
  remove(name: string): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Repeats `attempt` until it says done (true), every `everyMs`, for at most `limitMs`. */
async function until(what: string, limitMs: number, everyMs: number, attempt: () => Promise<boolean>): Promise<void> {
  const giveUpAt = Date.now() + limitMs;
  while (Date.now() < giveUpAt) {
    if (await attempt()) return;
    await sleep(everyMs);
  }
  throw new Error(`${what}: not done within ${limitMs} ms`);
}

function resultOf(member: string, r: { status: number; body: string }): WriteResult {
  const outcome: WriteOutcome = r.status === 200 ? 'ok' : r.status === 503 || r.status === 409 ? 'refused' : 'unknown';
  return { outcome, detail: outcome === 'ok' ? '' : `via ${member}: ${r.status === 0 ? 'no answer' : `HTTP ${r.status}`} ${r.body.slice(0, 120).trim()}` };
}

/** Ours: named members (1@127.0.0.1:P), HTTP clients with keep-alive. */
export class OurCluster implements ReplaceTarget {
  readonly label = 'this node (dist/node.js)';
  readonly removeFirst = false;
  private readonly clients = new Map<string, KeepAliveClient>();
  private readonly live: string[];

  private constructor(private readonly cluster: StandaloneBenchCluster) {
    this.live = [...cluster.names];
  }

  static async start(): Promise<OurCluster> {
    return new OurCluster(await StandaloneBenchCluster.start(3, []));
  }

  members(): string[] {
    return [...this.live];
  }

  private client(member: string): KeepAliveClient {
    let c = this.clients.get(member);
    if (c === undefined) {
      c = new KeepAliveClient(this.cluster.url(member), 8);
      this.clients.set(member, c);
    }
    return c;
  }

  async write(member: string, key: string, value: string): Promise<WriteResult> {
    return resultOf(member, await this.client(member).request('PUT', `/kv/${key}`, JSON.stringify(value), 6000));
  }

  async isLeader(member: string): Promise<boolean | null> {
    const r = await this.client(member).request('GET', '/status', undefined, 500);
    if (r.status !== 200) return null;
    return (JSON.parse(r.body) as { state: string }).state === 'leader';
  }

  async peerBytesSent(): Promise<number> {
    let total = 0;
    for (const m of this.live) {
      const r = await this.client(m).request('GET', '/metrics', undefined, 1000);
      for (const line of r.body.split('\n')) if (line.startsWith('raft_peer_sent_bytes_total{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  }

  async kill(member: string): Promise<void> {
    this.live.splice(this.live.indexOf(member), 1);
    this.clients.get(member)?.close();
    this.clients.delete(member);
    await this.cluster.stopNode(member, 'SIGKILL');
  }

  async join(name: string, via: string): Promise<void> {
    const [peerPort, httpPort] = await freePorts(2);
    this.cluster.addNode(name, ['--id', name, '--port', String(peerPort), '--join', `${via}@127.0.0.1:${this.cluster.peerPort(via)}`], httpPort as number);
    this.live.push(name);
    await until(`node ${name} to answer`, 10_000, 50, async () => (await this.isLeader(name)) !== null);
  }

  private async members_(via: string): Promise<{ id: string; role: string }[]> {
    const r = await this.client(via).request('GET', '/admin/members', undefined, 2000);
    return r.status === 200 ? (JSON.parse(r.body) as { members: { id: string; role: string }[] }).members : [];
  }

  async promote(name: string): Promise<void> {
    // Automatic: the leader promotes a learner once a replication round to it finishes within an election timeout.
    await until(`node ${name} to be promoted`, 30_000, 20, async () => {
      for (const m of this.live) if ((await this.members_(m)).some((x) => x.id === name && x.role === 'voter')) return true;
      return false;
    });
  }

  async remove(name: string): Promise<void> {
    await until(`node ${name} to be removed`, 30_000, 50, async () => {
      const via = this.live[0] as string;
      const r = await this.client(via).request('DELETE', `/admin/members/${name}`, undefined, 10_000);
      if (r.status === 200) return true;
      // 409 "no member called ..." after an unknown outcome means an earlier attempt did it.
      return r.status === 409 && r.body.includes('no member of this cluster is called');
    });
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    await this.cluster.close();
  }
}

/** etcd 3.4 on loopback: the JSON gateway (/v3/kv/put, /v3/maintenance/status) and etcdctl for membership. */
export class EtcdCluster implements ReplaceTarget {
  readonly label = 'etcd';
  // etcd 3.4 refuses `member add --learner` with "etcdserver: unhealthy cluster" while a voter is
  // down, even for minutes; its runbook removes a failed member first, then adds the replacement.
  readonly removeFirst = true;
  private readonly dir = mkdtempSync(join(tmpdir(), 'raft-bench-etcd-'));
  private readonly procs = new Map<string, ChildProcess>();
  private readonly clientPorts = new Map<string, number>();
  private readonly peerPorts = new Map<string, number>();
  private readonly clients = new Map<string, KeepAliveClient>();
  private readonly live: string[] = [];

  static available(): boolean {
    return existsSync(ETCD_BIN) && existsSync(ETCDCTL_BIN);
  }

  static async start(): Promise<EtcdCluster> {
    const c = new EtcdCluster();
    const names = ['1', '2', '3'];
    const ports = await freePorts(6);
    names.forEach((n, i) => {
      c.peerPorts.set(n, ports[2 * i] as number);
      c.clientPorts.set(n, ports[2 * i + 1] as number);
    });
    const initial = names.map((n) => `e${n}=${c.peerUrl(n)}`).join(',');
    for (const n of names) c.spawn(n, initial, 'new');
    await until('etcd to elect a leader', 20_000, 100, async () => {
      const leaders = await Promise.all(names.map((n) => c.isLeader(n)));
      return leaders.filter((l) => l === true).length === 1;
    });
    return c;
  }

  private peerUrl(n: string): string {
    return `http://127.0.0.1:${this.peerPorts.get(n)}`;
  }

  private clientUrl(n: string): string {
    return `http://127.0.0.1:${this.clientPorts.get(n)}`;
  }

  private spawn(n: string, initialCluster: string, state: 'new' | 'existing'): void {
    const args = [
      '--name', `e${n}`, '--data-dir', join(this.dir, n),
      '--listen-client-urls', this.clientUrl(n), '--advertise-client-urls', this.clientUrl(n),
      '--listen-peer-urls', this.peerUrl(n), '--initial-advertise-peer-urls', this.peerUrl(n),
      '--initial-cluster', initialCluster, '--initial-cluster-state', state, '--initial-cluster-token', 'bench-replace-member',
      '--log-level', 'error',
    ];
    const proc = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    this.procs.set(n, proc);
    this.live.push(n);
  }

  members(): string[] {
    return [...this.live];
  }

  private client(member: string): KeepAliveClient {
    let c = this.clients.get(member);
    if (c === undefined) {
      c = new KeepAliveClient(this.clientUrl(member), 8);
      this.clients.set(member, c);
    }
    return c;
  }

  async write(member: string, key: string, value: string): Promise<WriteResult> {
    const body = JSON.stringify({ key: Buffer.from(key).toString('base64'), value: Buffer.from(value).toString('base64') });
    return resultOf(member, await this.client(member).request('POST', '/v3/kv/put', body, 6000));
  }

  async isLeader(member: string): Promise<boolean | null> {
    const r = await this.client(member).request('POST', '/v3/maintenance/status', '{}', 500);
    if (r.status !== 200) return null;
    const s = JSON.parse(r.body) as { header?: { member_id?: string }; leader?: string };
    return s.leader !== undefined && s.leader === s.header?.member_id;
  }

  async peerBytesSent(): Promise<number> {
    let total = 0;
    for (const m of this.live) {
      const r = await this.client(m).request('GET', '/metrics', undefined, 1000);
      for (const line of r.body.split('\n')) if (line.startsWith('etcd_network_peer_sent_bytes_total{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  }

  async kill(member: string): Promise<void> {
    this.live.splice(this.live.indexOf(member), 1);
    this.clients.get(member)?.close();
    this.clients.delete(member);
    const proc = this.procs.get(member);
    this.procs.delete(member);
    if (proc === undefined) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  private etcdctl(args: string[]): Promise<{ ok: boolean; out: string }> {
    const endpoints = this.live.map((m) => this.clientUrl(m)).join(',');
    return new Promise((resolve) => {
      execFile(ETCDCTL_BIN, ['--endpoints', endpoints, '--command-timeout', '5s', ...args], { env: { ...process.env, ETCDCTL_API: '3' } }, (err, stdout, stderr) =>
        resolve({ ok: err === null, out: `${stdout}${stderr}` }),
      );
    });
  }

  /** Hex member id of `e<name>` from `etcdctl member list`. */
  private async memberId(name: string): Promise<string | null> {
    const r = await this.etcdctl(['member', 'list']);
    const row = r.out.split('\n').find((l) => l.split(',')[2]?.trim() === `e${name}`);
    return row === undefined ? null : (row.split(',')[0]?.trim() ?? null);
  }

  async join(name: string): Promise<void> {
    const [peerPort, clientPort] = await freePorts(2);
    this.peerPorts.set(name, peerPort as number);
    this.clientPorts.set(name, clientPort as number);
    // A member that was just removed may leave etcd "unhealthy" for a moment: ask again.
    let added = { ok: false, out: '' };
    await until('etcdctl member add', 20_000, 100, async () => (added = await this.etcdctl(['member', 'add', `e${name}`, '--learner', `--peer-urls=${this.peerUrl(name)}`])).ok).catch(() => {
      throw new Error(`etcdctl member add: ${added.out.split('\n').slice(-2).join(' ')}`);
    });
    const initial = /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(added.out)?.[1];
    if (initial === undefined) throw new Error(`etcdctl member add printed no ETCD_INITIAL_CLUSTER: ${added.out}`);
    this.spawn(name, initial, 'existing');
    await until(`etcd e${name} to answer`, 15_000, 50, async () => (await this.isLeader(name)) !== null);
  }

  async promote(name: string): Promise<void> {
    const id = await this.memberId(name);
    if (id === null) throw new Error(`no etcd member e${name}`);
    // etcd refuses until the learner is in sync with the leader: ask again, as an operator would.
    await until(`etcd e${name} to be promoted`, 30_000, 20, async () => (await this.etcdctl(['member', 'promote', id])).ok);
  }

  async remove(name: string): Promise<void> {
    const id = await this.memberId(name);
    if (id === null) return;
    await until(`etcd e${name} to be removed`, 30_000, 50, async () => (await this.etcdctl(['member', 'remove', id])).ok || (await this.memberId(name)) === null);
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    await Promise.all([...this.procs.keys()].map((m) => this.kill(m)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
