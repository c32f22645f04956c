// Issue 19's attack on the peer port, against real dist/node.js processes: a process that is no
// member opens a connection, says hello as member 3 and sends a heartbeat of term 1000. Without
// TLS (the control case) a follower takes it and jumps to term 1000; with peer TLS the connection
// is closed before any Raft message is read, with a WARN line saying why, whatever certificate
// (none, another member's, a stranger's, an expired one, a foreign CA's) the attacker holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCerts } from './support/certs.ts';
import { waitFor, type NodeStatus } from './support/cluster.ts';
import { agreedLeaderOver, forgedHello, httpsCall, namedCluster, RawPeerConnection, statusOver, type NamedCluster } from './support/tls-cluster.ts';

/** A follower of `leader` and another member to impersonate (not the follower itself). */
function victimAndImpostor(c: NamedCluster, leader: NodeStatus): { victim: string; impostor: string } {
  const names = c.cluster.specs.map((s) => s.name);
  const victim = names.find((n) => n !== leader.id) as string;
  return { victim, impostor: names.find((n) => n !== victim && n !== leader.id) as string };
}

describe('forged hello without peer TLS (the control case)', () => {
  let c: NamedCluster;
  beforeAll(async () => {
    c = await namedCluster({ size: 3 });
    c.cluster.startAll();
  });
  afterAll(async () => {
    await c.cluster.destroy();
  });

  it('works: the follower recognizes the impostor as leader and its term jumps to 1000', async () => {
    const leader = await agreedLeaderOver(c, null, 15_000);
    const { victim, impostor } = victimAndImpostor(c, leader);
    expect(leader.term).toBeLessThan(1000);
    const attacker = RawPeerConnection.tcp(c.peerPorts.get(victim) as number);
    await attacker.ready;
    attacker.send(forgedHello(impostor, impostor, victim));
    const after = await waitFor('the victim to take term 1000', 5000, async () => {
      const s = await statusOver(c.cluster.spec(victim).httpUrl, null);
      return s !== undefined && s.term >= 1000 ? s : undefined;
    });
    expect(after.term).toBeGreaterThanOrEqual(1000);
    // The line may reach us through the pipe a moment after /status showed the term.
    const line = await waitFor('the victim to log the impostor as leader', 3000, async () => c.cluster.procs.get(victim)?.stderr.find((l) => l.includes(`recognized ${impostor} as leader for term 1000`)));
    expect(line).toContain(impostor);
    attacker.destroy();
  });
});

describe('forged hello with peer TLS', () => {
  let certs: TestCerts;
  let c: NamedCluster;
  let victim: string;
  let impostor: string;
  let termBefore: number;
  beforeAll(async () => {
    certs = new TestCerts(['1', '2', '3']);
    c = await namedCluster({ size: 3, certs });
    c.cluster.startAll();
    const leader = await agreedLeaderOver(c, certs, 15_000);
    ({ victim, impostor } = victimAndImpostor(c, leader));
    termBefore = leader.term;
  });
  afterAll(async () => {
    await c.cluster.destroy();
    certs.remove();
  });

  const port = (): number => c.peerPorts.get(victim) as number;
  const victimLog = (): string[] => c.cluster.procs.get(victim)?.stderr ?? [];

  /** After the attack: the node hung up, logged `warning` once, and its term never went near 1000. */
  async function expectRefused(attacker: RawPeerConnection, warning: RegExp): Promise<void> {
    expect(await attacker.closedWithin(3000)).toBe(true);
    await waitFor(`a WARN line matching ${warning}`, 3000, async () => (victimLog().some((l) => / WARN /.test(l) && warning.test(l)) ? true : undefined));
    expect(victimLog().filter((l) => / WARN /.test(l) && warning.test(l))).toHaveLength(1);
    const s = await statusOver(c.cluster.spec(victim).httpUrl, certs);
    expect(s?.term).toBeLessThan(1000);
    expect(s?.term).toBeLessThanOrEqual(termBefore + 1); // no election it caused (one unrelated one is tolerated)
    expect(victimLog().some((l) => l.includes('for term 1000'))).toBe(false);
  }

  it('members with their own certificates form a cluster and serve writes over HTTPS', async () => {
    const put = await httpsCall(`${c.cluster.spec(victim).httpUrl}/kv/k`, certs, { method: 'PUT', body: '"v"', timeoutMs: 8000 });
    expect('error' in put ? put.error : put.status).toBe(200);
  });

  it('the issue\'s bytes over plain TCP fail at the TLS handshake', async () => {
    const attacker = RawPeerConnection.tcp(port());
    await attacker.ready;
    attacker.send(forgedHello(impostor, impostor, victim));
    await expectRefused(attacker, /refused peer connection from 127\.0\.0\.1: TLS handshake failed/);
  });

  it('TLS without a client certificate is refused before the hello is read', async () => {
    const attacker = RawPeerConnection.tls(port(), null);
    await attacker.ready.catch(() => {});
    attacker.send(forgedHello(impostor, impostor, victim));
    await expectRefused(attacker, /refused peer connection from 127\.0\.0\.1: it presented no certificate/);
  });

  it('a certificate for member 2 cannot act as member 3', async () => {
    const target = c.peerPorts.get('1') as number;
    const attacker = RawPeerConnection.tls(target, certs.files('2'));
    await attacker.ready;
    attacker.send(forgedHello('3', '3', '1'));
    expect(await attacker.closedWithin(3000)).toBe(true);
    const log = (): string[] => c.cluster.procs.get('1')?.stderr ?? [];
    await waitFor('the refusal', 3000, async () => (log().some((l) => l.includes('its hello claims to be "3" but its certificate names "2"')) ? true : undefined));
    expect(log().filter((l) => l.includes('its hello claims to be "3"'))).toHaveLength(1);
    expect(log().some((l) => l.includes('for term 1000'))).toBe(false);
    expect((await statusOver(c.cluster.spec('1').httpUrl, certs))?.term).toBeLessThan(1000);
  });

  it('a CA-signed certificate that names no member is refused, whoever its hello claims to be', async () => {
    const asMember = RawPeerConnection.tls(port(), certs.files('stranger'));
    await asMember.ready;
    asMember.send(forgedHello(impostor, impostor, victim));
    await expectRefused(asMember, /its hello claims to be "\d" but its certificate names "stranger"/);
    const asItself = RawPeerConnection.tls(port(), certs.files('stranger'));
    await asItself.ready;
    asItself.send(forgedHello('stranger', 'stranger', victim));
    await expectRefused(asItself, /refused connection from "stranger" \(stranger\): not a member of this cluster/);
  });

  it('an expired certificate for the member it claims is refused', async () => {
    const attacker = RawPeerConnection.tls(port(), certs.expired(impostor));
    await attacker.ready.catch(() => {});
    attacker.send(forgedHello(impostor, impostor, victim));
    await expectRefused(attacker, new RegExp(`its certificate \\("${impostor}"\\) is not accepted: CERT_HAS_EXPIRED`));
  });

  it('a certificate naming the member, from a foreign CA, is refused', async () => {
    const attacker = RawPeerConnection.tls(port(), certs.foreign(impostor));
    await attacker.ready.catch(() => {});
    attacker.send(forgedHello(impostor, impostor, victim));
    await expectRefused(attacker, new RegExp(`its certificate \\("${impostor}"\\) is not accepted: UNABLE_TO_VERIFY_LEAF_SIGNATURE`));
  });
});
