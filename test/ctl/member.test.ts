// ctl's member commands against fake members: the requests they make (to the leader first), what
// they print, and their exit statuses (0 done, 1 refused, 3 outcome unknown, never retried elsewhere).
import { afterEach, describe, expect, it } from 'vitest';
import { ctl, followerStatus, leaderStatus, memberPool, type Handler } from './fake-members.ts';

const { member, closeAll } = memberPool();
afterEach(closeAll);

/** A node that answers /status as `status` and everything else with `rest`. */
const node = (status: ReturnType<typeof leaderStatus>, rest: Handler): Handler => (q) => (q.path === '/status' ? status : rest(q));
const LIST = { members: [
  { id: '1', raftId: '1', address: '127.0.0.1:9001', role: 'voter', matchIndex: 12 },
  { id: '4', raftId: '4', address: '127.0.0.1:9004', role: 'learner', matchIndex: 10 },
] };

describe('ctl member', () => {
  it('list prints one row per member, from the first endpoint that answers', async () => {
    const busy = await member(() => ({ status: 503, body: { error: 'starting up' } }));
    const leader = await member(node(leaderStatus('1'), () => ({ status: 200, body: LIST })));
    const r = await ctl('--endpoints', `${busy.endpoint},${leader.endpoint}`, 'member', 'list');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^ID\s+RAFT ID\s+ADDRESS\s+ROLE\s+MATCH INDEX$/);
    expect(r.out).toMatch(/4\s+4\s+127\.0\.0\.1:9004\s+learner\s+10/);
    expect(leader.received.map((q) => q.path)).toEqual(['/admin/members']);
  });

  it('add, promote and remove send the API requests of issue 18', async () => {
    const leader = await member(node(leaderStatus('1'), () => ({ status: 200, body: { ok: true } })));
    expect((await ctl('--endpoints', leader.endpoint, 'member', 'add', '4', '127.0.0.1:9004')).out).toBe('added 4 (127.0.0.1:9004) as learner\n');
    expect((await ctl('--endpoints', leader.endpoint, 'member', 'promote', '4')).code).toBe(0);
    expect((await ctl('--endpoints', leader.endpoint, 'member', 'remove', '3')).out).toBe('removed 3 from the cluster\n');
    expect(leader.received.filter((q) => q.path !== '/status').map((q) => [q.method, q.path, q.body])).toEqual([
      ['POST', '/admin/members', '{"id":"4","address":"127.0.0.1:9004"}'],
      ['POST', '/admin/members/4/promote', ''],
      ['DELETE', '/admin/members/3', ''],
    ]);
  });

  it('a refusal (409) is a definite failure, exit 1, with the node\'s reason', async () => {
    const leader = await member(node(leaderStatus('1'), () => ({ status: 409, body: { error: 'learner 4 is not caught up', reason: 'not-caught-up' } })));
    const r = await ctl('--endpoints', leader.endpoint, 'member', 'promote', '4');
    expect(r.code).toBe(1);
    expect(r.err).toContain('learner 4 is not caught up (HTTP 409');
  });

  it('an unknown outcome (500) is exit 3 and is not tried on another member', async () => {
    const leader = await member(node(leaderStatus('1'), () => ({ status: 500, body: { error: 'did not commit within 7000 ms', outcome: 'the change may or may not take effect' } })));
    const other = await member(node(followerStatus('2', '1'), () => ({ status: 200, body: { ok: true } })));
    const r = await ctl('--endpoints', `${leader.endpoint},${other.endpoint}`, 'member', 'remove', '3');
    expect(r.code).toBe(3);
    expect(other.received.filter((q) => q.path !== '/status')).toEqual([]);
  });

  it('"no leader" (503) moves on to the next member, where nothing happened yet', async () => {
    const busy = await member(node(followerStatus('2', '1'), () => ({ status: 503, body: { error: 'no leader is known right now' } })));
    const good = await member(node(followerStatus('3', '1'), () => ({ status: 200, body: { ok: true } })));
    const r = await ctl('--endpoints', `${busy.endpoint},${good.endpoint}`, 'member', 'add', '4', '127.0.0.1:9004');
    expect(r.code).toBe(0);
  });

  it('usage errors exit 2 before any request', async () => {
    expect((await ctl('--endpoints', '127.0.0.1:1', 'member', 'add', '4')).code).toBe(2);
    expect((await ctl('--endpoints', '127.0.0.1:1', 'member', 'add', '4', 'nowhere')).code).toBe(2);
    expect((await ctl('--endpoints', '127.0.0.1:1', 'member', 'evict', '4')).code).toBe(2);
  });
});
