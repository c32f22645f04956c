// ctl against fake members: which errors send it to the next endpoint, which end the command, and
// the exit status of each (0 ok, 1 definite failure, 2 usage, 3 outcome unknown).
import { afterEach, describe, expect, it } from 'vitest';
import { ctl, deadEndpoint, followerStatus, leaderStatus, memberPool, type Handler } from './fake-members.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { member, closeAll } = memberPool();
afterEach(closeAll);

const noLeader: Handler = () => ({ status: 503, body: { error: 'no leader known in term 3', outcome: 'not applied; retry later' } });

describe('reads and writes move on only when nothing happened', () => {
  it('get skips a refused endpoint and a 503, prints the value as JSON, exit 0', async () => {
    const dead = await deadEndpoint();
    const busy = await member(noLeader);
    const good = await member(() => ({ status: 200, body: { key: 'k', value: { a: [1, 'x'] } } }));
    const r = await ctl('--endpoints', `${dead},${busy.endpoint},${good.endpoint}`, 'get', 'k');
    expect(r).toMatchObject({ code: 0, out: '{"a":[1,"x"]}\n' });
    expect(busy.received.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /kv/k']);
  });

  it('put sends JSON when the value parses and a string otherwise', async () => {
    const good = await member(() => ({ status: 200, body: {} }));
    expect((await ctl('--endpoints', good.endpoint, 'put', 'a b', '{"n":5}')).code).toBe(0);
    expect((await ctl('--endpoints', good.endpoint, 'put', 'k', 'hello world')).code).toBe(0);
    expect((await ctl('--endpoints', good.endpoint, 'cas', 'k', '1', 'two')).code).toBe(0);
    expect(good.received.map((q) => [q.method, q.path, q.body])).toEqual([
      ['PUT', '/kv/a%20b', '{"n":5}'],
      ['PUT', '/kv/k', '"hello world"'],
      ['POST', '/kv/k/cas', '{"from":1,"to":"two"}'],
    ]);
  });

  it('a write answered 504 is indefinite (exit 3) and is not sent to the next endpoint', async () => {
    const slow = await member(() => ({ status: 504, body: { error: 'no answer within 5000 ms', outcome: 'the operation may or may not have happened' } }));
    const next = await member(() => ({ status: 200, body: {} }));
    const r = await ctl('--endpoints', `${slow.endpoint},${next.endpoint}`, 'put', 'k', '1');
    expect(r.code).toBe(3);
    expect(r.err).toContain('outcome unknown');
    expect(next.received).toEqual([]);
  });

  it('a write answered 500 is indefinite too', async () => {
    const broken = await member(() => ({ status: 500, body: { error: 'internal error' } }));
    expect((await ctl('--endpoints', broken.endpoint, 'cas', 'k', '1', '2')).code).toBe(3);
  });

  it('a write sent and never answered is indefinite (exit 3), not retried', async () => {
    const silent = await member(() => 'hang');
    const next = await member(() => ({ status: 200, body: {} }));
    const r = await ctl('--request-timeout', '200', '--endpoints', `${silent.endpoint},${next.endpoint}`, 'put', 'k', '1');
    expect(r.code).toBe(3);
    expect(r.err).toContain('no answer within 200 ms');
    expect(silent.received).toHaveLength(1);
    expect(next.received).toEqual([]);
  });

  it('a read that got 504 or no answer is simply asked elsewhere', async () => {
    const slow = await member(() => ({ status: 504, body: { error: 'timeout' } }));
    const silent = await member(() => 'hang');
    const good = await member(() => ({ status: 200, body: { key: 'k', value: 3 } }));
    const r = await ctl('--request-timeout', '200', '--endpoints', `${slow.endpoint},${silent.endpoint},${good.endpoint}`, 'get', 'k');
    expect(r).toMatchObject({ code: 0, out: '3\n' });
  });

  it('a missing key and a failed cas are definite failures (exit 1), asked once', async () => {
    const m = await member((q) => (q.method === 'GET' ? { status: 404, body: { error: 'key does not exist' } } : { status: 409, body: { error: 'current value 6 is not 5' } }));
    const other = await member(() => ({ status: 200, body: { value: 1 } }));
    const get = await ctl('--endpoints', `${m.endpoint},${other.endpoint}`, 'get', 'k');
    expect(get.code).toBe(1);
    expect(get.err).toContain('key does not exist');
    const cas = await ctl('--endpoints', `${m.endpoint},${other.endpoint}`, 'cas', 'k', '5', '7');
    expect(cas.code).toBe(1);
    expect(cas.err).toContain('current value 6 is not 5');
    expect(other.received).toEqual([]);
  });

  it('when every endpoint keeps saying "no leader" it gives up after --command-timeout with exit 1', async () => {
    const a = await member(noLeader);
    const dead = await deadEndpoint();
    const started = Date.now();
    const r = await ctl('--command-timeout', '500', '--endpoints', `${a.endpoint},${dead}`, 'put', 'k', '1');
    expect(r.code).toBe(1);
    expect(r.err).toContain('nothing happened');
    expect(r.err).toContain('connection refused');
    expect(a.received.length).toBeGreaterThan(1); // asked again in later rounds
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('admin commands go to the leader', () => {
  it('transfer-leader asks who leads and posts there, with ?to=ID', async () => {
    const follower = await member((q) => (q.path === '/status' ? followerStatus('1', '2') : { status: 409, body: { error: 'leadership transfer refused: this node is not the leader' } }));
    const leader = await member((q) => (q.path === '/status' ? leaderStatus('2') : { status: 200, body: { transferred: true, from: '2', to: '3', ms: 12, leader: '3' } }));
    const r = await ctl('--endpoints', `${follower.endpoint},${leader.endpoint}`, 'transfer-leader', '3');
    expect(r).toMatchObject({ code: 0, out: 'leadership moved from 2 to 3 in 12 ms\n' });
    expect(leader.received.filter((q) => q.method === 'POST').map((q) => q.path)).toEqual(['/admin/transfer-leader?to=3']);
    expect(follower.received.filter((q) => q.method === 'POST')).toEqual([]);
  });

  it('a "not the leader" refusal (the leader changed meanwhile) is tried on another endpoint', async () => {
    // Both claim to lead in /status; the one in the higher term is asked first and has just lost it.
    const stale = await member((q) => (q.path === '/status' ? leaderStatus('1', 9) : { status: 409, body: { error: 'leadership transfer refused: this node is not the leader' } }));
    const real = await member((q) => (q.path === '/status' ? followerStatus('2', '1', 8) : { status: 200, body: { transferred: true, from: '2', to: '1', ms: 3 } }));
    const r = await ctl('--endpoints', `${real.endpoint},${stale.endpoint}`, 'transfer-leader');
    expect(r.code).toBe(0);
    expect(stale.received.filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(real.received.filter((q) => q.method === 'POST').map((q) => q.path)).toEqual(['/admin/transfer-leader']);
  });

  it('member list, add, promote and remove use the membership API (issue 18)', async () => {
    const members = { members: [{ id: '1', raftId: '1', address: '127.0.0.1:9001', role: 'voter', matchIndex: 12 }, { id: '4', raftId: '4', address: '127.0.0.1:9004', role: 'learner', matchIndex: 3 }] };
    const leader = await member((q) => (q.path === '/status' ? leaderStatus('1') : q.path === '/admin/members' && q.method === 'GET' ? { status: 200, body: members } : { status: 200, body: { ok: true } }));
    const e = ['--endpoints', leader.endpoint];
    const list = await ctl(...e, 'member', 'list');
    expect(list.code).toBe(0);
    expect(list.out.split('\n')[0]).toMatch(/^ID\s+RAFT ID\s+ADDRESS\s+ROLE\s+MATCH INDEX$/);
    expect(list.out).toMatch(/4\s+4\s+127\.0\.0\.1:9004\s+learner\s+3/);
    expect(await ctl(...e, 'member', 'add', '4', '127.0.0.1:9004')).toMatchObject({ code: 0, out: 'added 4 (127.0.0.1:9004) as learner\n' });
    expect((await ctl(...e, 'member', 'promote', '4')).code).toBe(0);
    expect((await ctl(...e, 'member', 'remove', '3')).code).toBe(0);
    expect((await ctl(...e, '-w', 'json', 'member', 'list')).out).toBe(`${JSON.stringify(members)}\n`);
    expect(leader.received.filter((q) => q.path !== '/status').map((q) => [q.method, q.path, q.body])).toEqual([
      ['GET', '/admin/members', ''],
      ['POST', '/admin/members', '{"id":"4","address":"127.0.0.1:9004"}'],
      ['POST', '/admin/members/4/promote', ''],
      ['DELETE', '/admin/members/3', ''],
      ['GET', '/admin/members', ''],
    ]);
  });

  it('a refused change (409: not caught up, change in progress) is a definite failure', async () => {
    const leader = await member((q) => (q.path === '/status' ? leaderStatus('1') : { status: 409, body: { error: 'learner 4 is not caught up' } }));
    const r = await ctl('--endpoints', leader.endpoint, 'member', 'promote', '4');
    expect(r.code).toBe(1);
    expect(r.err).toContain('learner 4 is not caught up');
  });

  it('the admin token goes with /admin/ requests only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctl-token-'));
    writeFileSync(join(dir, 'token'), 's3cret\n');
    const leader = await member((q) => (q.path === '/status' ? leaderStatus('1') : { status: 200, body: { value: 1, members: [] } }));
    await ctl('--admin-token-file', join(dir, 'token'), '--endpoints', leader.endpoint, 'member', 'list');
    await ctl('--admin-token-file', join(dir, 'token'), '--endpoints', leader.endpoint, 'get', 'k');
    expect(leader.received.map((q) => [q.path, q.authorization])).toEqual([
      ['/admin/members', 'Bearer s3cret'],
      ['/kv/k', undefined],
    ]);
  });
});

describe('status and usage', () => {
  it('status shows every endpoint, a down one included, and exits 1 when one did not answer', async () => {
    const leader = await member(() => leaderStatus('1'));
    const dead = await deadEndpoint();
    const r = await ctl('--endpoints', `${leader.endpoint},${dead}`, 'status');
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ENDPOINT\s+ID\s+STATE\s+TERM\s+LEADER/);
    expect(lines[1]).toMatch(/\s1\s+leader\s+3\s+1\s+7/);
    expect(lines[2]).toContain('down (connection refused)');
    const json = await ctl('--endpoints', leader.endpoint, '--output=json', 'status');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual([{ endpoint: leader.endpoint, status: leaderStatus('1').body }]);
  });

  it.each([
    [[], 'no command given'],
    [['get'], 'usage: get KEY'],
    [['put', 'k'], 'usage: put KEY VALUE'],
    [['frobnicate'], 'unknown command'],
    [['member', 'add', '4', 'nonsense'], 'HOST:PORT'],
    [['--output', 'yaml', 'status'], '--output must be table or json'],
    [['--endpoints', 'ftp://x:1', 'status'], 'only http:// and https://'],
    [['--endpoints', 'host-without-port', 'status'], 'has no port'],
    [['--bogus', 'status'], 'unknown option'],
    [['--cert', '/nonexistent', '--key', '/nonexistent', 'status'], '/nonexistent'],
  ])('usage error %j: exit 2 and nothing sent', async (argv, message) => {
    const r = await ctl(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('usage: node dist/node.js ctl');
  });
});
