// What a node says and refuses at start about transport security: the WARN line for a peer port
// beyond loopback without TLS (seen in a network namespace the test creates, where the node has
// a non-loopback address of its own), silence on loopback, --require-tls, and the configuration
// errors of peer TLS (address-form --peers, a certificate naming someone else, missing files).
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { parseStandaloneConfig, type StandaloneConfig } from '../../src/standalone/config.ts';
import { securityPosture } from '../../src/standalone/security-posture.ts';
import { NODE_BIN } from '../support/stdio-node.ts';
import { TestCerts } from './support/certs.ts';
import { freePort, NodeProcess, waitFor } from './support/cluster.ts';

const certs = new TestCerts(['1', '2', '3']);
afterAll(() => certs.remove());
const WARNING = 'peer traffic is not authenticated: anyone who can reach';

function parse(argv: string[], env: Record<string, string> = {}): StandaloneConfig {
  const c = parseStandaloneConfig(argv, env);
  if (c === 'help') throw new Error('help');
  return c;
}

function runToExit(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const r = spawnSync(NODE_BIN, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 10_000 });
  return { status: r.status, stderr: r.stderr };
}

const NAMED = ['--id', '1', '--port', '7001', '--peers', '2@127.0.0.1:7002,3@127.0.0.1:7003'];

describe('the start-up warning', () => {
  it('names the peer address when it listens beyond loopback without peer TLS', () => {
    const open = securityPosture(parse(['--id', '1', '--host', '10.0.0.1', '--port', '7000', '--peers', '2@10.0.0.2:7000,3@10.0.0.3:7000', '--http-host', '127.0.0.1']));
    expect(open.warnings.filter((w) => w.startsWith(WARNING))).toEqual([expect.stringContaining(`${WARNING} 10.0.0.1:7000 can act as a member`)]);
    const closed = securityPosture(parse(['--id', '1', '--host', '10.0.0.1', '--port', '7000', '--peers', '2@10.0.0.2:7000,3@10.0.0.3:7000', '--http-host', '127.0.0.1', ...certs.peerFlags('1')]));
    expect(closed.warnings).toEqual([]);
    expect(closed.info).toBe('transport security: peers mutual TLS, clients HTTP, admin endpoints open (loopback only)');
    expect(securityPosture(parse(NAMED)).warnings).toEqual([]);
  });

  it('is absent on a plaintext loopback node (the default, unchanged)', async () => {
    const p = new NodeProcess(NODE_BIN, ['--id', '1', '--port', String(await freePort()), '--peers', `${await freePort()},${await freePort()}`, '--data-dir', `${certs.dir}/data-loopback`]);
    try {
      await waitFor('the node to listen', 10_000, async () => (p.stderr.some((l) => l.includes('listening')) ? true : undefined));
      expect(p.stderr.some((l) => l.includes('transport security: peers plaintext, clients HTTP, admin endpoints open (loopback only)'))).toBe(true);
      expect(p.stderr.filter((l) => / WARN .*not (authenticated|encrypted)/.test(l))).toEqual([]);
    } finally {
      await p.kill('SIGKILL');
    }
  });

  const ns = `raft-tls-${process.pid}`;
  let nsReason: string | null = null;
  try {
    execFileSync('ip', ['netns', 'add', ns], { stdio: 'pipe' });
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', ns, 'addr', 'add', '10.233.0.1/32', 'dev', 'lo']);
  } catch (err) {
    nsReason = `cannot create a network namespace (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
    console.log(`start-up warning process test skipped: ${nsReason}; the warning text is checked above`);
  }
  afterAll(() => {
    if (nsReason === null) execFileSync('ip', ['netns', 'del', ns]);
  });

  it.skipIf(nsReason !== null)('a node on a non-loopback address logs it once, with that address and port', async () => {
    const p = new NodeProcess('ip', ['netns', 'exec', ns, process.execPath, NODE_BIN, '--id', '1', '--host', '10.233.0.1', '--port', '7000', '--peers', '2@10.233.0.2:7000,3@10.233.0.3:7000', '--data-dir', `${certs.dir}/data-ns`]);
    try {
      await waitFor('the node to listen', 10_000, async () => (p.stderr.some((l) => l.includes('listening')) ? true : undefined));
      const lines = p.stderr.filter((l) => l.includes(WARNING));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/ WARN peer traffic is not authenticated: anyone who can reach 10\.233\.0\.1:7000 can act as a member/);
    } finally {
      await p.kill('SIGKILL');
    }
  });
});

describe('--require-tls', () => {
  it('refuses to start without peer TLS and HTTPS, as flag or environment variable', () => {
    for (const [args, env] of [[[...NAMED, '--require-tls'], {}], [NAMED, { RAFT_REQUIRE_TLS: '1' }]] as const) {
      const r = runToExit([...args], env);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--require-tls: refusing to start without peer TLS (--peer-cert, --peer-key, --peer-ca) and HTTPS (--cert, --key)');
    }
    const halfway = runToExit([...NAMED, ...certs.peerFlags('1'), '--require-tls']);
    expect(halfway.status).toBe(2);
    expect(halfway.stderr).toContain('refusing to start without HTTPS');
  });

  it('starts with both', async () => {
    const own = certs.files('1');
    const p = new NodeProcess(NODE_BIN, ['--id', '1', '--port', String(await freePort()), '--peers', `2@127.0.0.1:${await freePort()},3@127.0.0.1:${await freePort()}`, '--data-dir', `${certs.dir}/data-require`, ...certs.peerFlags('1'), '--cert', own.cert, '--key', own.key, '--require-tls']);
    try {
      await waitFor('the node to listen', 10_000, async () => (p.stderr.some((l) => l.includes('listening')) ? true : undefined));
      expect(p.stderr.some((l) => l.includes('transport security: peers mutual TLS, clients HTTPS'))).toBe(true);
    } finally {
      await p.kill('SIGKILL');
    }
  });
});

describe('peer TLS configuration', () => {
  it('refuses address-form --peers with a clear error', () => {
    expect(() => parse(['--id', '1', '--port', '7001', '--peers', '7002,7003', ...certs.peerFlags('1')])).toThrow(/with peer TLS, --peers must name every member \(NAME@HOST:PORT/);
  });

  it('refuses a certificate that does not name this node, and incomplete or unreadable settings', () => {
    expect(() => parse([...NAMED, ...certs.peerFlags('2')])).toThrow('--peer-cert names "2", but this node\'s Raft id is 1');
    expect(() => parse([...NAMED, '--peer-cert', certs.files('1').cert])).toThrow('peer TLS needs all three');
    expect(() => parse([...NAMED, '--peer-cert', '/nonexistent/1.crt', '--peer-key', certs.files('1').key, '--peer-ca', certs.ca])).toThrow('cannot read --peer-cert /nonexistent/1.crt (ENOENT)');
    expect(() => parse([...NAMED, '--peer-cert', certs.files('1').cert, '--peer-key', certs.files('2').key, '--peer-ca', certs.ca])).toThrow('do not make a usable pair');
    expect(() => parse([...NAMED, '--client-ca', certs.ca])).toThrow('--client-ca needs HTTPS');
    expect(() => parse([...NAMED, '--cert', certs.files('1').cert])).toThrow(ConfigError);
  });

  it('takes every setting from the environment too; flags win', () => {
    const f = certs.files('1');
    const env = { RAFT_PEER_CERT: f.cert, RAFT_PEER_KEY: f.key, RAFT_PEER_CA: certs.ca, RAFT_CERT: f.cert, RAFT_KEY: f.key, RAFT_CLIENT_CA: certs.ca };
    const c = parse(NAMED, env);
    expect(c.security?.peerTls?.ca).toBeInstanceOf(Buffer);
    expect(c.security?.httpTls?.clientCa).toBeInstanceOf(Buffer);
    expect(() => parse([...NAMED, '--peer-cert', certs.files('2').cert, '--peer-key', certs.files('2').key], env)).toThrow('--peer-cert names "2"');
  });

  it('takes --trusted-addresses as IP addresses only (flag or RAFT_TRUSTED_ADDRESSES), in one spelling', () => {
    expect(parse(NAMED).security?.trustedAddresses ?? []).toEqual([]);
    expect(parse([...NAMED, '--trusted-addresses', '10.0.0.5, ::ffff:10.0.0.6,FE80::1']).security?.trustedAddresses).toEqual(['10.0.0.5', '10.0.0.6', 'fe80::1']);
    expect(parse(NAMED, { RAFT_TRUSTED_ADDRESSES: '10.0.0.7' }).security?.trustedAddresses).toEqual(['10.0.0.7']);
    expect(() => parse([...NAMED, '--trusted-addresses', 'proxy.example'])).toThrow('--trusted-addresses: "proxy.example" is not an IP address');
    expect(() => parse([...NAMED, '--trusted-addresses', '10.0.0.0/8'])).toThrow('is not an IP address');
    expect(() => parse([...NAMED, '--trusted-addresses'])).toThrow('--trusted-addresses needs a comma-separated list of IP addresses');
  });
});
