// The membership endpoints of a standalone node (behind the admin gate, like every /admin/ path):
//   GET    /admin/members               {"members": [{"id", "raftId", "address", "role", "matchIndex"}]}
//   POST   /admin/members               {"id", "address"}: add a learner
//   POST   /admin/members/ID/promote    promote a learner to voter
//   DELETE /admin/members/ID            remove a member (ID: its --id or its Raft id)
// Any node answers: a follower relays the change to the leader (membership.ts). Statuses: 200 done
// (the configuration entry committed), 409 refused (a change in progress, an unknown member, a
// learner not caught up, ...; nothing happened), 503 no leader or not now (nothing happened), 500 the outcome
// is unknown (the change may still take effect).
import type { IncomingMessage } from 'node:http';
import type { Json } from '../json.ts';
import { addressId, parseMemberSpec } from './config.ts';
import { readJsonBody, type HttpAnswer } from './http-api.ts';
import { encodeMemberContext } from './member-context.ts';
import type { ChangeRequest, ChangeResult } from './membership.ts';

export interface MemberView {
  id: string;
  raftId: string;
  address: string | null;
  role: 'voter' | 'learner';
  /** The leader's view of the member's log (the leader's own last index for itself); null on a follower. */
  matchIndex: number | null;
}

export interface MemberRoutesBackend {
  /** Raft knows members by name (NAME@HOST:PORT) rather than by address. */
  named: boolean;
  /** The configuration in force, as people see it. */
  members(): MemberView[];
  /** `name`: the new member's --id, when a change adds one. */
  change(change: ChangeRequest, name: string | null): Promise<ChangeResult>;
}

const MAX_BODY_BYTES = 64 * 1024;
const NAME = /^[A-Za-z0-9._-]+$/;

export class MemberRoutes {
  constructor(private readonly backend: MemberRoutesBackend) {}

  async route(req: IncomingMessage, url: URL, method: string): Promise<HttpAnswer | null> {
    const path = url.pathname;
    if (path === '/admin/members') {
      if (method === 'GET') return { status: 200, body: { members: this.backend.members() as unknown as Json } };
      if (method === 'POST') return this.add(req);
      return notAllowed('GET, POST');
    }
    const match = /^\/admin\/members\/([^/]+)(\/promote)?$/.exec(path);
    if (match === null) return null;
    let id: string;
    try {
      id = decodeURIComponent(match[1] as string);
    } catch {
      return { status: 400, body: { error: 'the member id is not valid percent-encoding' } };
    }
    if (match[2] !== undefined) {
      if (method !== 'POST') return notAllowed('POST');
      return this.existing(id, 'promote');
    }
    if (method !== 'DELETE') return notAllowed('DELETE');
    return this.existing(id, 'remove');
  }

  private async add(req: IncomingMessage): Promise<HttpAnswer> {
    const body = await readJsonBody(req, MAX_BODY_BYTES);
    if (!body.ok) return body.answer;
    const v = body.value;
    const bad = (error: string): HttpAnswer => ({ status: 400, body: { error, outcome: 'not applied' } });
    if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof v['id'] !== 'string' || typeof v['address'] !== 'string') {
      return bad('add a member with a JSON object {"id": "4", "address": "HOST:PORT"} (its --id and its peer address)');
    }
    const name = v['id'];
    if (!NAME.test(name)) return bad(`"id" must be letters, digits, ".", "_" or "-" (a node's --id), got "${name}"`);
    if (!/^[^@\s]+:\d+$/.test(v['address'])) return bad(`"address" must be the new member's peer address HOST:PORT, got "${v['address']}"`);
    let address;
    try {
      address = parseMemberSpec(v['address'], '127.0.0.1').member.address;
    } catch (err) {
      return bad(err instanceof Error ? err.message : String(err));
    }
    // The Raft id follows the cluster's form: the name for named members, else the address.
    const raftId = this.backend.named ? name : addressId(address);
    if (this.backend.members().some((m) => m.raftId === raftId || m.id === name)) {
      return { status: 409, body: { error: `${name} is already a member`, reason: 'already-member', outcome: 'not applied' } };
    }
    const result = await this.backend.change({ type: 'add-learner', id: raftId, context: encodeMemberContext(address) }, name);
    return answer(result, `added ${name} (${addressId(address)}) as learner`, { id: name, raftId });
  }

  private async existing(id: string, type: 'promote' | 'remove'): Promise<HttpAnswer> {
    const member = this.backend.members().find((m) => m.id === id || m.raftId === id);
    if (member === undefined) return { status: 409, body: { error: `no member of this cluster is called ${id}`, reason: 'unknown-member', outcome: 'not applied' } };
    const result = await this.backend.change({ type, id: member.raftId }, null);
    const done = type === 'promote' ? `promoted ${member.id} to voter` : `removed ${member.id} from the cluster`;
    return answer(result, done, { id: member.id, raftId: member.raftId });
  }
}

/** A change's outcome as an HTTP answer: 200, 409, 503 or 500 (see the file comment). */
export function answer(result: ChangeResult, done: string, who: { id: string; raftId: string }): HttpAnswer {
  switch (result.kind) {
    case 'done':
      return { status: 200, body: { ok: true, message: done, ...who, index: result.index } };
    case 'refused':
      return { status: 409, body: { error: result.text, reason: result.reason, outcome: 'not applied' } };
    case 'retry':
      return { status: 503, body: { error: result.text, outcome: 'not applied; retry later' }, headers: { 'Retry-After': '1' } };
    case 'unknown':
      return { status: 500, body: { error: result.text, outcome: 'the change may or may not take effect; list the members to find out' } };
    default: {
      const unreachable: never = result;
      return { status: 500, body: { error: `unexpected outcome ${JSON.stringify(unreachable)}` } };
    }
  }
}

function notAllowed(allowed: string): HttpAnswer {
  return { status: 405, body: { error: `method not allowed; use ${allowed}` }, headers: { Allow: allowed } };
}
