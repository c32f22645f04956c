// Membership changes as the standalone adapter runs them (dissertation chapter 4; the rules are the
// core's): a change asked of any node (HTTP, a join request) runs on the leader. A follower relays
// it over its peer link, as it relays client operations, and passes the leader's answer back. The
// answer waits for the outcome: done once the configuration entry commits, refused when the
// leader said no (nothing happened), retry (nothing happened: no leader, not now), or unknown (the
// entry may commit later; never reported as a failure).
import type { ConfChangeOutcome } from '../host/raft-host.ts';
import type { Json } from '../json.ts';
import type { Body } from '../protocol/messages.ts';

/** A change as the core takes it (ConfChange); adds always carry the new member's context. */
export type ChangeRequest =
  | { type: 'add-learner'; id: string; context: string }
  | { type: 'promote'; id: string }
  | { type: 'remove'; id: string };

export type ChangeResult =
  | { kind: 'done'; index: number }
  /** The leader refused (a reason the core names, e.g. change-in-progress); nothing happened. */
  | { kind: 'refused'; reason: string; text: string }
  /** Nothing happened, and asking again later may work: no leader, a transfer under way, ... */
  | { kind: 'retry'; text: string }
  /** It may or may not happen. */
  | { kind: 'unknown'; text: string };

/** The core and the network as this service needs them (node-membership.ts supplies them). */
export interface MembershipPort {
  role(): string;
  leaderId(): string | null;
  /** RaftHost.proposeConfChange: on the leader, resolves with the change's outcome (maybe never). */
  propose(change: ChangeRequest): Promise<ConfChangeOutcome>;
  /** Queues a body for a peer; false if it certainly did not leave. */
  sendToPeer(to: string, body: Body): boolean;
  /** A new member's --id, as the asker gave it: log lines name it from then on. */
  learnName?(raftId: string, name: string): void;
}

/** A follower waits this long for the leader's answer to a relayed change. */
export const RELAY_TIMEOUT_MS = 8000;
/** The leader waits this long for its change to commit before it calls the outcome unknown. */
export const COMMIT_TIMEOUT_MS = 7000;

/** Refusals that mean "not now, ask again": nothing was appended, and a moment later it may be. */
export const TRANSIENT_REFUSALS = new Set(['not-leader', 'transferring', 'no-own-term-commit']);

interface PendingRelay {
  resolve: (result: ChangeResult) => void;
  timer: NodeJS.Timeout;
}

export class MembershipService {
  private readonly pending = new Map<number, PendingRelay>();
  private nextMsgId = 1;

  constructor(private readonly port: MembershipPort) {}

  /** Runs the change on the leader (relaying it there from a follower) and says how it ended. */
  async change(change: ChangeRequest, name: string | null = null, mayRelay = true): Promise<ChangeResult> {
    if (name !== null) this.port.learnName?.(change.id, name);
    if (this.port.role() === 'leader') return this.propose(change);
    const leader = this.port.leaderId();
    if (leader === null || !mayRelay) return { kind: 'retry', text: leader === null ? 'no leader is known right now' : 'this node does not lead' };
    return this.relay(leader, change, name);
  }

  private async propose(change: ChangeRequest): Promise<ChangeResult> {
    let timer: NodeJS.Timeout | null = null;
    // The core's promise stays pending while the entry neither commits nor is overwritten (a leader
    // that lost its majority): after a while the honest answer is "unknown".
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), COMMIT_TIMEOUT_MS)));
    const outcome = await Promise.race([this.port.propose(change), timeout]);
    if (timer !== null) clearTimeout(timer);
    if (outcome === 'timeout') return { kind: 'unknown', text: `the change did not commit within ${COMMIT_TIMEOUT_MS} ms; it may still` };
    switch (outcome.outcome) {
      case 'committed':
        return { kind: 'done', index: outcome.index };
      case 'refused':
        return TRANSIENT_REFUSALS.has(outcome.reason) ? { kind: 'retry', text: outcome.text } : { kind: 'refused', reason: outcome.reason, text: outcome.text };
      case 'superseded':
        return { kind: 'retry', text: `another leader's entry took index ${outcome.index}: the change did not happen` };
      case 'unknown':
        return { kind: 'unknown', text: `the change at index ${outcome.index}: ${outcome.reason}` };
      default: {
        const unreachable: never = outcome;
        return { kind: 'unknown', text: `unexpected outcome ${JSON.stringify(unreachable)}` };
      }
    }
  }

  private relay(leader: string, change: ChangeRequest, name: string | null): Promise<ChangeResult> {
    const msgId = this.nextMsgId++;
    return new Promise((resolve) => {
      if (!this.port.sendToPeer(leader, { type: 'member_change', msg_id: msgId, change: change as unknown as Json, ...(name === null ? {} : { name }) })) {
        resolve({ kind: 'retry', text: `leader ${leader} is unreachable from here; nothing was asked of it` });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        resolve({ kind: 'unknown', text: `leader ${leader} did not answer within ${RELAY_TIMEOUT_MS} ms` });
      }, RELAY_TIMEOUT_MS);
      this.pending.set(msgId, { resolve, timer });
    });
  }

  /** A follower relayed a change to us: run it here (never relayed further) and answer. */
  async handleRelayed(from: string, body: Body): Promise<void> {
    const msgId = body['msg_id'];
    if (typeof msgId !== 'number') return;
    const change = checkChange(body['change']);
    const name = typeof body['name'] === 'string' && /^[A-Za-z0-9._-]+$/.test(body['name']) ? body['name'] : null;
    const result: ChangeResult = change === null ? { kind: 'refused', reason: 'malformed', text: 'member_change needs a valid "change"' } : await this.change(change, name, false);
    this.port.sendToPeer(from, { type: 'member_change_reply', in_reply_to: msgId, result: result as unknown as Json });
  }

  /** The leader's answer to a change we relayed. */
  handleReply(body: Body): void {
    const inReplyTo = body['in_reply_to'];
    if (typeof inReplyTo !== 'number') return;
    const pending = this.pending.get(inReplyTo);
    if (pending === undefined) return; // late: our caller was already told the outcome is unknown
    this.pending.delete(inReplyTo);
    clearTimeout(pending.timer);
    pending.resolve(checkResult(body['result']) ?? { kind: 'unknown', text: 'the leader sent an answer this node cannot read' });
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A change as it arrives from a peer, checked field by field. */
export function checkChange(v: unknown): ChangeRequest | null {
  if (!isObject(v) || typeof v['id'] !== 'string' || v['id'] === '') return null;
  const id = v['id'];
  if (v['type'] === 'add-learner') return typeof v['context'] === 'string' ? { type: 'add-learner', id, context: v['context'] } : null;
  if (v['type'] === 'promote' || v['type'] === 'remove') return { type: v['type'], id };
  return null;
}

function checkResult(v: unknown): ChangeResult | null {
  if (!isObject(v)) return null;
  const text = typeof v['text'] === 'string' ? v['text'] : '';
  switch (v['kind']) {
    case 'done':
      return typeof v['index'] === 'number' ? { kind: 'done', index: v['index'] } : null;
    case 'refused':
      return typeof v['reason'] === 'string' ? { kind: 'refused', reason: v['reason'], text } : null;
    case 'retry':
      return { kind: 'retry', text };
    case 'unknown':
      return { kind: 'unknown', text };
    default:
      return null;
  }
}
