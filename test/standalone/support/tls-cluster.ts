// A loopback cluster whose members are named (--peers 2@127.0.0.1:P,...), optionally with peer TLS
// and HTTPS from TestCerts; plus the raw moves of an attacker on a peer port: a TCP or TLS
// connection that sends whatever lines it likes, and reports when the node closed it.
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { freePorts } from '../../../bench/standalone-cluster.ts';
import type { CertFiles, TestCerts } from './certs.ts';
import { LoopbackCluster, waitFor, type HttpResult, type NodeStatus } from './cluster.ts';

export interface NamedClusterOptions {
  size: number;
  /** Peer TLS and HTTPS with each member's own certificate. */
  certs?: TestCerts;
  /** --client-ca (the cluster CA) as well. */
  clientCa?: boolean;
  extraArgs?: string[];
}

export interface NamedCluster {
  cluster: LoopbackCluster;
  peerPorts: Map<string, number>;
  scheme: 'http' | 'https';
}

export async function namedCluster(options: NamedClusterOptions): Promise<NamedCluster> {
  const cluster = new LoopbackCluster();
  const ports = await freePorts(options.size * 2);
  const names = Array.from({ length: options.size }, (_, i) => String(i + 1));
  const peerPorts = new Map(names.map((n, i) => [n, ports[2 * i] as number]));
  const scheme = options.certs === undefined ? 'http' : 'https';
  names.forEach((name, i) => {
    const peers = names.filter((n) => n !== name).map((n) => `${n}@127.0.0.1:${peerPorts.get(n)}`);
    const security: string[] = [];
    const certs = options.certs;
    if (certs !== undefined) {
      const own = certs.files(name);
      security.push(...certs.peerFlags(name), '--cert', own.cert, '--key', own.key);
      if (options.clientCa === true) security.push('--client-ca', certs.ca);
    }
    cluster.specs.push({
      name,
      args: [
        '--id', name, '--port', String(peerPorts.get(name)), '--peers', peers.join(','), '--http-port', String(ports[2 * i + 1]),
        '--data-dir', join(cluster.dataRoot, name), ...security, ...(options.extraArgs ?? []),
      ],
      httpUrl: `${scheme}://127.0.0.1:${ports[2 * i + 1]}`,
    });
  });
  return { cluster, peerPorts, scheme };
}

/** One HTTPS exchange trusting the cluster CA, presenting `client` if given. */
export function httpsCall(
  url: string,
  certs: TestCerts,
  options: { method?: string; body?: string; client?: CertFiles | null; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult | { error: string }> {
  return new Promise((resolve) => {
    const tls = certs.tlsOptions(options.client ?? null);
    const req = httpsRequest(url, { method: options.method ?? 'GET', ...tls, agent: false, timeout: options.timeoutMs ?? 3000, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(options.body);
  });
}

/** /status over HTTPS (the cluster CA trusted; a client certificate if the nodes need one). */
export async function statusOver(url: string, certs: TestCerts | null, client: CertFiles | null = null): Promise<NodeStatus | undefined> {
  if (certs === null) {
    const { http } = await import('./cluster.ts');
    const r = await http(`${url}/status`, { timeoutMs: 1000 });
    return r === 'unreachable' || r.status !== 200 ? undefined : (r.json as NodeStatus);
  }
  const r = await httpsCall(`${url}/status`, certs, { client, timeoutMs: 1000 });
  return 'error' in r || r.status !== 200 ? undefined : (r.json as NodeStatus);
}

/** The leader all `names` agree on, asked over HTTP or HTTPS. */
export async function agreedLeaderOver(c: NamedCluster, certs: TestCerts | null, timeoutMs: number, client: CertFiles | null = null): Promise<NodeStatus> {
  const names = c.cluster.specs.map((s) => s.name);
  return waitFor('one agreed leader', timeoutMs, async () => {
    const all = await Promise.all(names.map((n) => statusOver(c.cluster.spec(n).httpUrl, certs, client)));
    if (all.some((s) => s === undefined)) return undefined;
    const statuses = all as NodeStatus[];
    const leaders = statuses.filter((s) => s.state === 'leader');
    if (leaders.length !== 1) return undefined;
    const leader = leaders[0] as NodeStatus;
    return statuses.every((s) => s.leader === leader.id && s.term === leader.term) ? leader : undefined;
  });
}

/** An attacker's connection to a peer port: it writes lines and learns whether the node hung up. */
export class RawPeerConnection {
  readonly closed: Promise<void>;
  /** TLS handshake finished (or, for TCP, connected). Rejects if the handshake failed. */
  readonly ready: Promise<void>;
  error: string | null = null;

  private constructor(readonly socket: Socket, readyEvent: 'connect' | 'secureConnect') {
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error = err.code ?? err.message;
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      socket.once(readyEvent, () => resolve());
      socket.once('close', () => reject(new Error(`closed before ${readyEvent}: ${this.error ?? 'no error'}`)));
    });
    this.ready.catch(() => {});
  }

  static tcp(port: number): RawPeerConnection {
    return new RawPeerConnection(tcpConnect({ host: '127.0.0.1', port }), 'connect');
  }

  /** TLS with `client` as the certificate it presents (or none); it accepts any server certificate. */
  static tls(port: number, client: CertFiles | null): RawPeerConnection {
    const options: ConnectionOptions = { host: '127.0.0.1', port, rejectUnauthorized: false };
    if (client !== null) Object.assign(options, { cert: readFileSync(client.cert), key: readFileSync(client.key) });
    return new RawPeerConnection(tlsConnect(options), 'secureConnect');
  }

  send(lines: readonly unknown[]): void {
    if (this.socket.destroyed) return;
    this.socket.write(lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`).join(''));
  }

  /** Resolves true if the node closed the connection within `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The forged lines of the issue: a hello naming `claimed`, then a heartbeat of term 1000 from it. */
export function forgedHello(claimed: string, name: string, victim: string, term = 1000): unknown[] {
  return [
    { type: 'hello', id: claimed, name },
    { src: claimed, dest: victim, body: { type: 'append_entries', term, leader_id: claimed, prev_log_index: 0, prev_log_term: 0, entries: [], leader_commit: 0, round: 1 } },
  ];
}
