// /admin/members and the relay of a change to the leader, against a scripted core: which status each
// outcome gets (200 done, 409 refused, 503 no leader, 500 unknown) and that a follower passes the
// leader's answer back. The real core behind them is in membership-cluster.test.ts.
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Body } from '../../src/protocol/messages.ts';
import { MemberRoutes, type MemberView } from '../../src/standalone/member-routes.ts';
import type { ConfChangeOutcome } from '../../src/host/raft-host.ts';
import { MembershipService, type ChangeRequest, type ChangeResult, type MembershipPort } from '../../src/standalone/membership.ts';

const MEMBERS: MemberView[] = [
  { id: '1', raftId: '1', address: '127.0.0.1:9001', role: 'voter', matchIndex: 9 },
  { id: '2', raftId: '2', address: '127.0.0.1:9002', role: 'voter', matchIndex: 9 },
  { id: '4', raftId: '4', address: '127.0.0.1:9004', role: 'learner', matchIndex: 3 },
];

function request(body?: string): IncomingMessage {
  const r = Readable.from(body === undefined ? [] : [Buffer.from(body)]) as unknown as IncomingMessage;
  r.headers = {};
  return r;
}

function routes(result: ChangeResult, named = true): { routes: MemberRoutes; asked: ChangeRequest[] } {
  const asked: ChangeRequest[] = [];
  const r = new MemberRoutes({ named, members: () => MEMBERS, change: async (c) => (asked.push(c), result) });
  return { routes: r, asked };
}

const call = (r: MemberRoutes, method: string, path: string, body?: string) => r.route(request(body), new URL(path, 'http://node'), method);

describe('/admin/members', () => {
  it('GET lists the configuration with each member\'s role and match index', async () => {
    const a = await call(routes({ kind: 'done', index: 1 }).routes, 'GET', '/admin/members');
    expect(a).toMatchObject({ status: 200, body: { members: MEMBERS } });
  });

  it('POST adds a learner: the Raft id follows the cluster\'s form, the context carries name and address', async () => {
    const named = routes({ kind: 'done', index: 12 });
    expect(await call(named.routes, 'POST', '/admin/members', '{"id":"5","address":"localhost:9005"}')).toMatchObject({ status: 200, body: { ok: true, index: 12, id: '5', raftId: '5' } });
    expect(named.asked).toEqual([{ type: 'add-learner', id: '5', context: '127.0.0.1:9005' }]);
    const byAddress = routes({ kind: 'done', index: 12 }, false);
    await call(byAddress.routes, 'POST', '/admin/members', '{"id":"5","address":"127.0.0.1:9005"}');
    expect(byAddress.asked).toEqual([{ type: 'add-learner', id: '127.0.0.1:9005', context: '127.0.0.1:9005' }]);
  });

  it('refuses a malformed body (400) and a name already taken (409) without asking the core', async () => {
    const r = routes({ kind: 'done', index: 1 });
    expect((await call(r.routes, 'POST', '/admin/members', '{"id":"5"}'))?.status).toBe(400);
    expect((await call(r.routes, 'POST', '/admin/members', '{"id":"5","address":"nowhere"}'))?.status).toBe(400);
    expect((await call(r.routes, 'POST', '/admin/members', 'not json'))?.status).toBe(400);
    expect(await call(r.routes, 'POST', '/admin/members', '{"id":"4","address":"127.0.0.1:9009"}')).toMatchObject({ status: 409, body: { reason: 'already-member' } });
    expect(r.asked).toEqual([]);
  });

  it('promote and remove take the --id or the Raft id; an unknown member is a 409', async () => {
    const r = routes({ kind: 'done', index: 20 });
    expect((await call(r.routes, 'POST', '/admin/members/4/promote'))?.status).toBe(200);
    expect((await call(r.routes, 'DELETE', '/admin/members/2'))?.status).toBe(200);
    expect(await call(r.routes, 'DELETE', '/admin/members/9')).toMatchObject({ status: 409, body: { reason: 'unknown-member' } });
    expect(r.asked).toEqual([{ type: 'promote', id: '4' }, { type: 'remove', id: '2' }]);
    expect((await call(r.routes, 'GET', '/admin/members/4/promote'))?.status).toBe(405);
  });

  it.each([
    [{ kind: 'refused', reason: 'change-in-progress', text: 'a change at index 9 has not committed yet' }, 409],
    [{ kind: 'refused', reason: 'not-caught-up', text: 'learner 4 is not caught up' }, 409],
    [{ kind: 'retry', text: 'no leader is known right now' }, 503],
    [{ kind: 'unknown', text: 'did not commit within 7000 ms' }, 500],
  ] as [ChangeResult, number][])('outcome %j answers %i', async (result, status) => {
    const a = await call(routes(result).routes, 'POST', '/admin/members/4/promote');
    expect(a?.status).toBe(status);
    if (status === 500) expect(String(a?.body['outcome'])).toMatch(/may or may not/);
    if (status !== 500) expect(String(a?.body['outcome'])).toMatch(/not applied/);
  });
});

/** Two services wired back to back as a follower and its leader, with a scripted core on the leader. */
function pair(outcome: (c: ChangeRequest) => ConfChangeOutcome | 'never', deliver = true) {
  const proposed: ChangeRequest[] = [];
  let leader!: MembershipService;
  let follower!: MembershipService;
  const leaderPort: MembershipPort = {
    role: () => 'leader',
    leaderId: () => 'L',
    propose: (c) => {
      proposed.push(c);
      const o = outcome(c);
      return o === 'never' ? new Promise(() => {}) : Promise.resolve(o);
    },
    sendToPeer: (_to, body: Body) => (setImmediate(() => follower.handleReply(body)), true),
  };
  const followerPort: MembershipPort = {
    role: () => 'follower',
    leaderId: () => 'L',
    propose: () => {
      throw new Error('a follower never proposes');
    },
    sendToPeer: (_to, body: Body) => {
      if (!deliver) return false;
      setImmediate(() => void leader.handleRelayed('F', body));
      return true;
    },
  };
  leader = new MembershipService(leaderPort);
  follower = new MembershipService(followerPort);
  return { leader, follower, proposed };
}

const committed: ConfChangeOutcome = { outcome: 'committed', index: 7, config: { voters: ['1', '2'], learners: ['4'] } };

describe('a change asked of a follower runs on the leader', () => {
  it('relays it and passes back "done" once the entry commits', async () => {
    const p = pair(() => committed);
    expect(await p.follower.change({ type: 'add-learner', id: '4', context: '127.0.0.1:9004' })).toEqual({ kind: 'done', index: 7 });
    expect(p.proposed).toEqual([{ type: 'add-learner', id: '4', context: '127.0.0.1:9004' }]);
  });

  it('passes back the leader\'s refusal with its reason', async () => {
    const p = pair(() => ({ outcome: 'refused', reason: 'change-in-progress', text: 'one change at a time', leaderId: 'L' }));
    expect(await p.follower.change({ type: 'remove', id: '3' })).toEqual({ kind: 'refused', reason: 'change-in-progress', text: 'one change at a time' });
  });

  it('an entry another leader overwrote, and a link that is down, are "retry" (nothing happened)', async () => {
    expect(await pair(() => ({ outcome: 'superseded', index: 7 })).follower.change({ type: 'promote', id: '4' })).toMatchObject({ kind: 'retry' });
    expect(await pair(() => committed, false).follower.change({ type: 'promote', id: '4' })).toMatchObject({ kind: 'retry' });
  });

  it('"not-leader", "transferring" and "no-own-term-commit" are "retry", never a definite refusal', async () => {
    for (const reason of ['not-leader', 'transferring', 'no-own-term-commit'] as const) {
      const p = pair(() => ({ outcome: 'refused', reason, text: reason, leaderId: null }));
      expect(await p.leader.change({ type: 'promote', id: '4' })).toMatchObject({ kind: 'retry' });
    }
  });

  it('the core\'s "unknown" stays unknown', async () => {
    const p = pair(() => ({ outcome: 'unknown', index: 7, reason: 'the node stopped' }));
    expect(await p.follower.change({ type: 'promote', id: '4' })).toMatchObject({ kind: 'unknown' });
  });
});
