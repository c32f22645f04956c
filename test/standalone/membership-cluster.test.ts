// Membership changes on real dist/node.js processes on loopback (issue 18): a fourth node joins
// with --join through a follower, is promoted once caught up, a member is removed, and a restarted
// node keeps the new member list from its log although its --peers still names the old one. With
// peer TLS, a joiner whose certificate names someone else is refused; a real member-to-be joins.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestCerts } from './support/certs.ts';
import { freePorts } from '../../bench/standalone-cluster.ts';
import { http, LoopbackCluster, waitFor, type HttpResult } from './support/cluster.ts';
import { agreedLeaderOver, httpsCall, namedCluster, RawPeerConnection } from './support/tls-cluster.ts';

interface Member {
  id: string;
  raftId: string;
  address: string | null;
  role: string;
  matchIndex: number | null;
}

async function call(url: string, method = 'GET', body?: string): Promise<HttpResult> {
  const r = await http(url, { method, ...(body === undefined ? {} : { body }), timeoutMs: 10_000 });
  if (r === 'unreachable') throw new Error(`${url} unreachable`);
  return r;
}

const membersOf = async (url: string): Promise<Member[]> => ((await call(`${url}/admin/members`)).json as { members: Member[] }).members;
const summary = (ms: Member[]): string[] => ms.map((m) => `${m.id}:${m.role}`).sort();

describe('membership changes on a standalone cluster', () => {
  let cluster: LoopbackCluster | null = null;
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('joins a fourth node, promotes it, removes a member, and a restarted node keeps the new member list', async () => {
    const c = await LoopbackCluster.create(3);
    cluster = c;
    c.startAll();
    const leader = await c.agreedLeader(15_000);
    const follower = c.specs.find((s) => s.name !== leader.id)?.name as string;
    expect((await c.kvSettled(leader.id, 'before', 'PUT', '"old"')).status).toBe(200);

    // The fourth node, as in the issue: --id 4 --port P --join <a follower's peer address>.
    const [peerPort, httpPort] = await freePorts(2);
    const followerPort = c.spec(follower).args[c.spec(follower).args.indexOf('--port') + 1];
    c.specs.push({
      name: '4',
      args: ['--id', '4', '--port', String(peerPort), '--join', `127.0.0.1:${followerPort}`, '--http-port', String(httpPort), '--data-dir', join(c.dataRoot, '4')],
      httpUrl: `http://127.0.0.1:${httpPort}`,
    });
    c.start('4');
    const leaderUrl = c.spec(leader.id).httpUrl;
    // Auto-promotion: a learner that caught up becomes a voter without anyone asking.
    await waitFor('4 to be a voter', 15_000, async () => (summary(await membersOf(leaderUrl)).includes('4:voter') ? true : undefined), 100);
    const leaderLog = (): string => c.procs.get(leader.id)?.stderr.join('\n') ?? '';
    expect(leaderLog()).toMatch(new RegExp(`adding 4 \\(127\\.0\\.0\\.1:${peerPort}\\) as learner`));
    expect(leaderLog()).toMatch(/promoted 4 to voter \(caught up at index \d+\)/);
    expect(c.procs.get('4')?.stderr.join('\n')).toMatch(/join accepted by the cluster/);
    // It has the log: it serves a read of a key written before it existed.
    expect(await c.kvSettled('4', 'before')).toMatchObject({ status: 200, json: { value: 'old' } });

    // Remove a member that is not the leader, asking a node that is not the leader either.
    const victim = c.specs.find((s) => s.name !== leader.id && s.name !== follower && s.name !== '4')?.name as string;
    const removed = await call(`${c.spec(follower).httpUrl}/admin/members/${victim}`, 'DELETE');
    expect(removed.status).toBe(200);
    const expected = summary(await membersOf(leaderUrl));
    expect(expected).toEqual([leader.id, follower, '4'].map((n) => `${n}:voter`).sort());
    expect(leaderLog()).toMatch(new RegExp(`removed ${victim} from the cluster`));
    expect(leaderLog()).toMatch(/configuration now \[[^\]]*4[^\]]*\] at index \d+/);
    // Removing it again: it is no member (409), and nothing happened.
    expect((await call(`${leaderUrl}/admin/members/${victim}`, 'DELETE')).status).toBe(409);
    // The removed node, still running, serves nobody (503) and does not disrupt the others: the
    // members hung up on it and refuse its hellos, so its pre-votes reach no one.
    const termAfterRemoval = (await c.status(leader.id))?.term;
    await waitFor('the removed node to answer 503', 15_000, async () => {
      const r = await c.kv(victim, 'from-the-removed', 'PUT', '"x"');
      return r !== 'unreachable' && r.status === 503 ? true : undefined;
    }, 200);
    // The leader tells it the commit that removed it, so it knows, and says so once.
    await waitFor('the removed node to know it', 10_000, async () => c.procs.get(victim)?.stderr.find((l) => /\] removed from the cluster$/.test(l)), 100);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await c.status(leader.id)).toMatchObject({ state: 'leader', term: termAfterRemoval });
    await c.kill(victim);
    // Writes still commit with the new majority.
    expect((await c.kvSettled(follower, 'after', 'PUT', '"new"')).status).toBe(200);

    // Restart the leader: its --peers still names the removed member, but its log decides.
    await c.kill(leader.id, 'SIGTERM');
    c.start(leader.id);
    await c.agreedLeader(15_000, [leader.id, follower, '4']);
    // Names arrive with each member's hello after the restart (address-form members are known to Raft by address).
    await waitFor('the restarted node to list the new members by name', 10_000, async () =>
      JSON.stringify(summary(await membersOf(c.spec(leader.id).httpUrl))) === JSON.stringify(expected) ? true : undefined, 100);
    expect(c.procs.get(leader.id)?.stderr.join('\n')).toMatch(/configuration from index \d+ of the log/);
    expect(await c.kvSettled(leader.id, 'after')).toMatchObject({ status: 200, json: { value: 'new' } });

    // The leader removes itself: it answers once the change commits and hands leadership over.
    const current = await c.agreedLeader(15_000, [leader.id, follower, '4']);
    const self = await call(`${c.spec(current.id).httpUrl}/admin/members/${current.id}`, 'DELETE');
    expect(self.status, JSON.stringify(self.json) + c.logs()).toBe(200);
    const rest = [leader.id, follower, '4'].filter((n) => n !== current.id);
    const next = await c.agreedLeader(15_000, rest);
    expect(next.id).not.toBe(current.id);
    expect(summary(await membersOf(c.spec(next.id).httpUrl))).toEqual(rest.map((n) => `${n}:voter`).sort());
    expect((await c.kvSettled(next.id, 'last', 'PUT', '"two voters"')).status).toBe(200);
  }, 90_000);
});

describe('joining with peer TLS', () => {
  const certs = new TestCerts(['1', '2', '3', '4']);
  let cluster: LoopbackCluster | null = null;
  afterAll(async () => {
    await cluster?.destroy();
    certs.remove();
  });

  it('refuses a joiner whose certificate names someone else, and adds one whose certificate names it', async () => {
    const nc = await namedCluster({ size: 3, certs });
    const c = nc.cluster;
    cluster = c;
    c.startAll();
    const port1 = nc.peerPorts.get('1') as number;
    await agreedLeaderOver(nc, certs, 15_000);
    const raw = RawPeerConnection.tls(port1, certs.files('stranger'));
    await raw.ready;
    raw.send([{ type: 'join', id: '4', name: '4', address: '127.0.0.1:1' }]);
    await raw.closed;
    await waitFor('the refusal line', 5000, async () =>
      c.procs.get('1')?.stderr.find((l) => l.includes('refused join request') && l.includes('asks to join as "4" but its certificate names "stranger"')),
    );

    const [peerPort, httpPort] = await freePorts(2);
    const own = certs.files('4');
    c.specs.push({
      name: '4',
      args: [
        '--id', '4', '--port', String(peerPort), '--join', `1@127.0.0.1:${port1}`, '--http-port', String(httpPort), '--data-dir', join(c.dataRoot, '4'),
        ...certs.peerFlags('4'), '--cert', own.cert, '--key', own.key,
      ],
      httpUrl: `https://127.0.0.1:${httpPort}`,
    });
    c.start('4');
    await waitFor('4 to be a member', 20_000, async () => {
      const r = await httpsCall(`${c.spec('1').httpUrl}/admin/members`, certs);
      if ('error' in r || r.status !== 200) return undefined;
      const ms = (r.json as { members: Member[] }).members;
      return ms.some((m) => m.raftId === '4' && m.address === `127.0.0.1:${peerPort}`) ? true : undefined;
    }, 100);
    const members = await httpsCall(`${c.spec('1').httpUrl}/admin/members`, certs);
    expect('error' in members ? [] : summary((members.json as { members: Member[] }).members).filter((m) => m.startsWith('stranger'))).toEqual([]);
  }, 60_000);
});
