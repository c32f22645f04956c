// The transport-security flags of the standalone mode: peer mutual TLS, HTTPS for clients, the
// admin token, --require-tls and the addresses the ports' throttle trusts. Each flag has an environment variable; a flag wins over it. The
// files are read (and the certificates checked) here, so a wrong path or a certificate that does
// not name this node stops the start with one clear line instead of failing the first connection.
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError } from '../config.ts';
import { certificateNames, describeNames } from './peer-identity.ts';
import { canonicalAddress } from './source-throttle.ts';

export interface PeerTlsConfig {
  cert: Buffer;
  key: Buffer;
  /** The cluster CA: every member's certificate must chain to it. */
  ca: Buffer;
}

export interface HttpTlsConfig {
  cert: Buffer;
  key: Buffer;
  /** With it, only clients presenting a certificate this CA signed are served (and they may use /admin/). */
  clientCa: Buffer | null;
}

export interface SecurityConfig {
  peerTls: PeerTlsConfig | null;
  httpTls: HttpTlsConfig | null;
  /** The bearer token for /admin/ (first line of --admin-token-file), or null. */
  adminToken: string | null;
  requireTls: boolean;
  /** Addresses both ports never refuse for breaking their limits (source-throttle.ts): a proxy in front of the clients, say. */
  trustedAddresses: string[];
}

export const NO_SECURITY: SecurityConfig = { peerTls: null, httpTls: null, adminToken: null, requireTls: false, trustedAddresses: [] };

/** flag -> environment variable; --require-tls takes no value (env RAFT_REQUIRE_TLS=1). */
export const SECURITY_ENV: ReadonlyMap<string, string> = new Map([
  ['--peer-cert', 'RAFT_PEER_CERT'],
  ['--peer-key', 'RAFT_PEER_KEY'],
  ['--peer-ca', 'RAFT_PEER_CA'],
  ['--cert', 'RAFT_CERT'],
  ['--key', 'RAFT_KEY'],
  ['--client-ca', 'RAFT_CLIENT_CA'],
  ['--admin-token-file', 'RAFT_ADMIN_TOKEN_FILE'],
  ['--require-tls', 'RAFT_REQUIRE_TLS'],
  ['--trusted-addresses', 'RAFT_TRUSTED_ADDRESSES'],
]);

export const SECURITY_USAGE = `transport security (docs/security.md):
  --peer-cert FILE               this member's certificate (PEM), naming its Raft id   (env RAFT_PEER_CERT)
  --peer-key FILE                its private key                                        (env RAFT_PEER_KEY)
  --peer-ca FILE                 the cluster CA; with all three, peer traffic is mutual TLS and
                                 --peers must name members (NAME@HOST:PORT)              (env RAFT_PEER_CA)
  --cert FILE / --key FILE       serve HTTPS instead of HTTP                            (env RAFT_CERT, RAFT_KEY)
  --client-ca FILE               HTTPS serves only clients with a certificate from this CA (env RAFT_CLIENT_CA)
  --admin-token-file FILE        /admin/ also answers "Authorization: Bearer <first line>" (env RAFT_ADMIN_TOKEN_FILE)
  --require-tls                  refuse to start without peer TLS and HTTPS              (env RAFT_REQUIRE_TLS=1)
  --trusted-addresses IP,...     never refused for breaking the ports' limits (a proxy in front of
                                 the clients; 127.0.0.1 and ::1 always are)             (env RAFT_TRUSTED_ADDRESSES)`;

/**
 * Takes the security flags out of argv (they are this module's), so the rest goes to the standalone
 * parser as before. Values come from `--flag VALUE` or `--flag=VALUE`.
 */
export function extractSecurityArgs(argv: readonly string[]): { rest: string[]; values: Map<string, string> } {
  const rest: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!SECURITY_ENV.has(flag)) {
      rest.push(arg);
      continue;
    }
    if (values.has(flag)) throw new ConfigError(`${flag} given twice`);
    if (flag === '--require-tls') {
      if (eq > 0) throw new ConfigError('--require-tls takes no value');
      values.set(flag, '1');
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      throw new ConfigError(`${flag} needs ${flag === '--trusted-addresses' ? 'a comma-separated list of IP addresses' : 'a file name'}`);
    }
    values.set(flag, value);
  }
  return { rest, values };
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`cannot read ${flag} ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** The certificate and key must load and belong together; the CA must parse. */
function checkPair(certFlag: string, cert: Buffer, key: Buffer, ca: Buffer | null, caFlag: string): void {
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(`${certFlag} and its key do not make a usable pair (${err instanceof Error ? err.message : String(err)})`);
  }
  if (ca === null) return;
  try {
    new X509Certificate(ca);
  } catch (err) {
    throw new ConfigError(`${caFlag} is not a PEM certificate (${err instanceof Error ? err.message : String(err)})`);
  }
}

function envFlag(raw: string | undefined): boolean {
  return raw !== undefined && raw !== '' && raw !== '0' && raw.toLowerCase() !== 'false';
}

export interface MembershipFacts {
  /** --peers used NAME@HOST:PORT (Raft ids are names, which certificates can carry). */
  named: boolean;
  selfRaftId: string;
}

export function parseSecurityConfig(
  values: ReadonlyMap<string, string>,
  env: Readonly<Record<string, string | undefined>>,
  members: MembershipFacts,
): SecurityConfig {
  const get = (flag: string): string | undefined => {
    const fromFlag = values.get(flag);
    if (fromFlag !== undefined) return fromFlag;
    const fromEnv = env[SECURITY_ENV.get(flag) as string];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const requireTls = values.has('--require-tls') || envFlag(env['RAFT_REQUIRE_TLS']);

  const peerFiles = ['--peer-cert', '--peer-key', '--peer-ca'].map(get);
  let peerTls: PeerTlsConfig | null = null;
  if (peerFiles.some((f) => f !== undefined)) {
    if (peerFiles.some((f) => f === undefined)) throw new ConfigError('peer TLS needs all three of --peer-cert, --peer-key and --peer-ca');
    const [certPath, keyPath, caPath] = peerFiles as [string, string, string];
    peerTls = { cert: readPem('--peer-cert', certPath), key: readPem('--peer-key', keyPath), ca: readPem('--peer-ca', caPath) };
    checkPair('--peer-cert', peerTls.cert, peerTls.key, peerTls.ca, '--peer-ca');
    if (!members.named) {
      throw new ConfigError(
        'with peer TLS, --peers must name every member (NAME@HOST:PORT, e.g. --peers 2@10.0.0.2:7000,3@10.0.0.3:7000): a certificate names a member, not an address',
      );
    }
    const names = certificateNames(new X509Certificate(peerTls.cert));
    if (!names.includes(members.selfRaftId)) {
      throw new ConfigError(`--peer-cert names ${describeNames(names)}, but this node's Raft id is ${members.selfRaftId} (make it with scripts/make-certs.sh DIR ${members.selfRaftId})`);
    }
  }

  const certPath = get('--cert');
  const keyPath = get('--key');
  const clientCaPath = get('--client-ca');
  let httpTls: HttpTlsConfig | null = null;
  if (certPath !== undefined || keyPath !== undefined) {
    if (certPath === undefined || keyPath === undefined) throw new ConfigError('HTTPS needs both --cert and --key');
    httpTls = { cert: readPem('--cert', certPath), key: readPem('--key', keyPath), clientCa: clientCaPath === undefined ? null : readPem('--client-ca', clientCaPath) };
    checkPair('--cert', httpTls.cert, httpTls.key, httpTls.clientCa, '--client-ca');
  } else if (clientCaPath !== undefined) {
    throw new ConfigError('--client-ca needs HTTPS (--cert and --key): client certificates travel in TLS');
  }

  const tokenPath = get('--admin-token-file');
  let adminToken: string | null = null;
  if (tokenPath !== undefined) {
    adminToken = readPem('--admin-token-file', tokenPath).toString('utf8').split(/\r?\n/)[0]?.trim() ?? '';
    if (adminToken.length < 16) throw new ConfigError(`--admin-token-file ${tokenPath}: the token (its first line) must be at least 16 characters`);
  }

  const trustedAddresses = (get('--trusted-addresses') ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  for (const address of trustedAddresses) {
    if (isIP(address) === 0) throw new ConfigError(`--trusted-addresses: "${address}" is not an IP address (names and ranges are not taken)`);
  }

  if (requireTls && (peerTls === null || httpTls === null)) {
    const missing = [peerTls === null ? 'peer TLS (--peer-cert, --peer-key, --peer-ca)' : null, httpTls === null ? 'HTTPS (--cert, --key)' : null].filter((m) => m !== null);
    throw new ConfigError(`--require-tls: refusing to start without ${missing.join(' and ')}`);
  }
  return { peerTls, httpTls, adminToken, requireTls, trustedAddresses: trustedAddresses.map(canonicalAddress) };
}
