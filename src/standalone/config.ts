// Flags of the standalone cluster mode (`node.js --id 1 --port 9001 --peers 9002,9003`). The timing
// and logging flags are the Maelstrom mode's own, parsed by src/config.ts, so both modes share them.
import { join } from 'node:path';
import { ConfigError, parseConfig, USAGE as SHARED_USAGE, type NodeConfig } from '../config.ts';
import { extractSecurityArgs, parseSecurityConfig, SECURITY_USAGE, type SecurityConfig } from './security-config.ts';

/** A TCP address another node dials. */
export interface PeerAddress {
  host: string;
  port: number;
}

export interface ClusterMember {
  /** The name Raft knows this member by: it travels in votes and leader ids, so all nodes must agree on it. */
  raftId: string;
  address: PeerAddress;
}

export interface StandaloneConfig {
  /** What people call this node (--id): log lines, /status, default data directory. */
  name: string;
  /** This node as a cluster member: the address it listens on for peers and the id Raft uses for it. */
  self: ClusterMember;
  /** The members --peers names: they seed an empty node's first configuration; a node with a log takes its members from it. */
  peers: ClusterMember[];
  /** --join HOST:PORT: start empty and ask the member there to add this node as a learner (instead of --peers). */
  join: PeerAddress | null;
  /** Raft knows members by name (NAME@HOST:PORT) rather than by address; every node of a cluster agrees. */
  named: boolean;
  httpHost: string;
  httpPort: number;
  dataDir: string;
  /** POST /admin/stop may stop this node (the cluster page's stop button); off unless --allow-admin-stop. */
  allowAdminStop: boolean;
  /** Election timeouts, heartbeat, log level, pre-vote, check-quorum: shared with the Maelstrom mode. */
  shared: NodeConfig;
  /** Peer TLS, HTTPS, admin token (security-config.ts); absent means none of them (NO_SECURITY). */
  security?: SecurityConfig;
}

export const STANDALONE_USAGE = `usage: node.js --id NAME --port PORT --peers PEER,PEER [options]   (a standalone cluster node)
  --id NAME                      this node's name (log lines, /status, default data directory)
  --port PORT                    TCP port for node-to-node traffic
  --peers LIST                   the other members, comma-separated, all in one of two forms:
                                   PORT or HOST:PORT       members are known to Raft by address (HOST defaults to 127.0.0.1)
                                   NAME@HOST:PORT          members are known to Raft by name (every node must use this form)
                                 only an empty node reads it; a node with a log takes its members from the log
  --join ADDRESS                 instead of --peers: start empty and ask the member at ADDRESS (its peer
                                   address, HOST:PORT or NAME@HOST:PORT, in the cluster's form) to add this
                                   node as a learner (docs/changing-the-cluster.md)
  --host HOST                    address to listen on and be known by (default 127.0.0.1)
  --http-port PORT               HTTP API port (default: --port + 1000)
  --http-host HOST               HTTP API address (default: --host)
  --data-dir DIR                 write-ahead log directory (default ./data/NAME)
  --allow-admin-stop             let POST /admin/stop (the cluster page's stop button) stop this node
${SECURITY_USAGE}
shared with the Maelstrom mode:
${SHARED_USAGE.split('\n')
  .slice(1)
  .filter((line) => !line.includes('--data-dir') && !line.includes('--no-wal'))
  .join('\n')}`;

const STANDALONE_FLAGS = new Set(['--id', '--port', '--peers', '--join', '--host', '--http-port', '--http-host', '--data-dir']);
/** Any of these on the command line means "standalone"; Maelstrom never passes them. */
const MODE_FLAGS = new Set(['--id', '--port', '--peers', '--join']);

function flagName(arg: string): string {
  return arg.startsWith('--') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
}

export function wantsStandaloneMode(argv: readonly string[]): boolean {
  return argv.some((arg) => MODE_FLAGS.has(flagName(arg)));
}

function parsePort(name: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`${name} must be a port number 1-65535, got "${raw}"`);
  return n;
}

/** "localhost" and 127.0.0.1 are one machine; one spelling keeps address-based ids equal on every node. */
function canonicalHost(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}

function parseAddress(raw: string, defaultHost: string): PeerAddress {
  const colon = raw.lastIndexOf(':');
  if (colon < 0) return { host: defaultHost, port: parsePort('peer port', raw) };
  const host = raw.slice(0, colon);
  if (host === '') throw new ConfigError(`peer "${raw}" has an empty host`);
  return { host: canonicalHost(host), port: parsePort('peer port', raw.slice(colon + 1)) };
}

export function addressId(address: PeerAddress): string {
  return `${address.host}:${address.port}`;
}

/**
 * One member as --peers spells it (`HOST:PORT`, `PORT` or `NAME@HOST:PORT`); also the context a
 * configuration entry keeps for each member (member-context.ts), so restarted nodes can dial it.
 */
export function parseMemberSpec(item: string, defaultHost: string): { named: boolean; member: ClusterMember } {
  if (!item.includes('@')) {
    const address = parseAddress(item, defaultHost);
    return { named: false, member: { raftId: addressId(address), address } };
  }
  const at = item.indexOf('@');
  const raftId = item.slice(0, at);
  if (raftId === '') throw new ConfigError(`peer "${item}" has an empty name`);
  return { named: true, member: { raftId, address: parseAddress(item.slice(at + 1), defaultHost) } };
}

function parsePeers(raw: string, defaultHost: string): { named: boolean; peers: ClusterMember[] } {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new ConfigError('--peers needs at least one peer');
  const named = items.map((item) => item.includes('@'));
  if (named.some((n) => n !== named[0])) throw new ConfigError('--peers mixes NAME@HOST:PORT and bare addresses; use one form for all');
  const peers = items.map((item) => parseMemberSpec(item, defaultHost).member);
  return { named: named[0] === true, peers };
}

/** Flags win over the environment, as in the Maelstrom mode. Throws ConfigError on anything invalid. */
export function parseStandaloneConfig(allArgs: readonly string[], env: Readonly<Record<string, string | undefined>>): StandaloneConfig | 'help' {
  const { rest: argv, values: securityValues } = extractSecurityArgs(allArgs);
  const own = new Map<string, string>();
  const shared: string[] = [];
  let allowAdminStop = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const flag = flagName(arg);
    if (flag === '--help' || flag === '-h') return 'help';
    if (arg === '--allow-admin-stop') {
      allowAdminStop = true;
      continue;
    }
    if (!STANDALONE_FLAGS.has(flag)) {
      if (flag === '--no-wal') throw new ConfigError('--no-wal is not available in standalone mode: a restarted node must find its term, vote and log');
      shared.push(arg);
      // A shared flag's value travels with it (parseConfig checks which flags take one).
      const next = argv[i + 1];
      if (!arg.includes('=') && next !== undefined && !next.startsWith('--')) shared.push(argv[++i] as string);
      continue;
    }
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
    if (value === undefined || value === '') throw new ConfigError(`${flag} needs a value`);
    if (own.has(flag)) throw new ConfigError(`${flag} given twice`);
    own.set(flag, value);
  }
  const sharedConfig = parseConfig(shared, { ...env, RAFT_DATA_DIR: undefined });
  if (sharedConfig === 'help') return 'help';

  const name = own.get('--id');
  const portText = own.get('--port');
  const peersText = own.get('--peers');
  if (name === undefined) throw new ConfigError('--id is required in standalone mode');
  if (portText === undefined) throw new ConfigError('--port is required in standalone mode');
  const joinText = own.get('--join');
  if (peersText !== undefined && joinText !== undefined) throw new ConfigError('give --peers (a new cluster) or --join (a new member of a running one), not both');
  if (peersText === undefined && joinText === undefined) throw new ConfigError('--peers is required in standalone mode (the other members of the cluster), or --join ADDRESS to join a running cluster');
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new ConfigError(`--id must be letters, digits, ".", "_" or "-" (it names a directory), got "${name}"`);

  const host = canonicalHost(own.get('--host') ?? '127.0.0.1');
  const port = parsePort('--port', portText);
  let named: boolean;
  let peers: ClusterMember[] = [];
  let joinAddress: PeerAddress | null = null;
  if (peersText !== undefined) ({ named, peers } = parsePeers(peersText, host));
  else {
    const target = parseMemberSpec((joinText as string).trim(), host);
    named = target.named;
    joinAddress = target.member.address;
    if (joinAddress.host === host && joinAddress.port === port) throw new ConfigError('--join names this node\'s own address; give a member of the running cluster');
  }
  const self: ClusterMember = { raftId: named ? name : addressId({ host, port }), address: { host, port } };
  const httpPortText = own.get('--http-port');
  const httpPort = httpPortText === undefined ? port + 1000 : parsePort('--http-port', httpPortText);
  if (httpPort > 65535) throw new ConfigError(`the default HTTP port (--port + 1000 = ${httpPort}) is out of range; give --http-port`);

  const ids = [self.raftId, ...peers.map((p) => p.raftId)];
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new ConfigError(`cluster member ${duplicate} appears twice (is this node's own address or name among --peers?)`);
  const httpHost = canonicalHost(own.get('--http-host') ?? host);
  if (httpPort === port && httpHost === host) throw new ConfigError('--http-port must differ from --port');

  const security = parseSecurityConfig(securityValues, env, { named, selfRaftId: self.raftId });
  return { name, self, peers, join: joinAddress, named, httpHost, httpPort, dataDir: own.get('--data-dir') ?? join('data', name), allowAdminStop, shared: sharedConfig, security };
}
